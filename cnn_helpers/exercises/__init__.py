"""Checkers for the notebooks' exercises: specific feedback, not just right or wrong.

Every checker takes the student's answer, returns a short confirmation when it is right,
and raises :class:`WrongAnswer` (an ``AssertionError``, so nbgrader scores the test cell 0)
with a hint that names the likely mistake when it is not.

Submodules, one per notebook plus the shared part:

- ``_common``: ``WrongAnswer``, ``Feedback``, ``correct``, ``hint`` and the answer checks several notebooks use
- ``introduction``: notebook 00, numbers in a batch, correlation down the rows, a dense layer's parameters
- ``input_layer``: notebook 01, CHW to HWC, the explorer's strides, a spectrogram's and a Conv1d's shapes
- ``convolution``: notebook 02, conv2d from scratch, the explorer predicted, no weight sharing
- ``receptive_field``: notebook 03, a receptive-field function, the explorer predicted, 7×7 vs three 3×3
- ``pooling``: notebook 04, the explorer predicted, max pooling's forward and backward from scratch
- ``fully_connected``: notebook 05, flatten order, sizing the Linear layer, the shape explorer, softmax
- ``full_implementation``: notebook 06, the training loop (``_training_loop``), the most common mistake, a third block

The notebooks import everything from here: ``from cnn_helpers.exercises import check_...``.

Example:
    >>> from cnn_helpers.exercises import WrongAnswer
    >>> issubclass(WrongAnswer, AssertionError)
    True
"""

from __future__ import annotations

from ._common import Feedback, WrongAnswer, correct, hint
from .convolution import (
    CONV2D_CASES,
    CONV_PREDICTION,
    COURSE_CONV1,
    check_conv2d,
    check_conv_prediction,
    check_locally_connected_parameters,
)
from .full_implementation import (
    THIRD_BLOCK,
    TRAINING_LOOP_EXERCISE,
    check_most_confused,
    check_third_block_numbers,
    check_third_block_shape,
    check_training_loop,
    three_block_cnn,
)
from .fully_connected import (
    BUILD_MODEL_CASES,
    EXPLORER_SETTING,
    FLATTEN_EXERCISE,
    check_build_model,
    check_explorer_in_features,
    check_flatten_index,
    check_probabilities,
)
from .input_layer import (
    STRIDES_SETTING,
    check_chw_to_hwc,
    check_conv1d_output_shape,
    check_explorer_strides,
    check_spectrogram_shape,
)
from .introduction import CORRELATION_CASES, check_batch_numel, check_correlation_down, check_dense_parameters
from .pooling import (
    MAX_POOL_BACKWARD_CASES,
    MAX_POOL_CASES,
    POOL_PREDICTION,
    check_max_pool_backward,
    check_max_pool_forward,
    check_pooling_prediction,
)
from .receptive_field import (
    FACTORISED_CHANNELS,
    RF_PREDICTION,
    RF_STACKS,
    check_factorised_weights,
    check_receptive_field_function,
    check_rf_prediction,
)

__all__ = [
    # feedback
    "WrongAnswer", "Feedback", "correct", "hint",
    # 00 introduction
    "CORRELATION_CASES", "check_batch_numel", "check_correlation_down", "check_dense_parameters",
    # 01 input layer
    "check_chw_to_hwc", "STRIDES_SETTING", "check_explorer_strides", "check_spectrogram_shape",
    "check_conv1d_output_shape",
    # 02 convolution
    "CONV2D_CASES", "CONV_PREDICTION", "COURSE_CONV1", "check_conv2d", "check_conv_prediction",
    "check_locally_connected_parameters",
    # 03 receptive field
    "RF_STACKS", "RF_PREDICTION", "FACTORISED_CHANNELS", "check_receptive_field_function",
    "check_rf_prediction", "check_factorised_weights",
    # 04 pooling
    "POOL_PREDICTION", "MAX_POOL_CASES", "MAX_POOL_BACKWARD_CASES", "check_pooling_prediction",
    "check_max_pool_forward", "check_max_pool_backward",
    # 05 fully connected
    "FLATTEN_EXERCISE", "BUILD_MODEL_CASES", "EXPLORER_SETTING", "check_flatten_index", "check_build_model",
    "check_explorer_in_features", "check_probabilities",
    # 06 full implementation
    "TRAINING_LOOP_EXERCISE", "THIRD_BLOCK", "three_block_cnn", "check_training_loop", "check_most_confused",
    "check_third_block_shape", "check_third_block_numbers",
]

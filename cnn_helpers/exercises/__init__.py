"""Checkers for the notebooks' exercises: specific feedback, not just right or wrong.

Every checker takes the student's answer, returns a short confirmation when it is right,
and raises :class:`WrongAnswer` (an ``AssertionError``, so nbgrader scores the test cell 0)
with a hint that names the likely mistake when it is not.

Submodules, one per notebook plus the shared part:

- ``_common``: ``WrongAnswer``, ``Feedback``, ``correct``, ``hint`` and the answer checks several notebooks use
- ``introduction``: notebook 00, numbers in a batch, layers with weights, a dense layer's parameters
- ``input_layer``: notebook 01, CHW to HWC, the last batch, a spectrogram's and a Conv1d's shapes
- ``convolution``: notebook 02, conv2d from scratch, the explorer predicted, no weight sharing
- ``receptive_field``: notebook 03, a receptive-field function, the explorer predicted, 7×7 vs three 3×3
- ``pooling``: notebook 04, the explorer predicted, max pooling's forward and backward from scratch
- ``fully_connected``: notebook 05, flatten order, in_features, a Linear's parameters, softmax
- ``full_implementation``: notebook 06, steps per epoch, a confusion matrix, the embedding's input

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
    STEPS_EXERCISE,
    check_accuracy_from_confusion,
    check_embedding_input_size,
    check_most_confused,
    check_steps_per_epoch,
)
from .fully_connected import (
    FLATTEN_EXERCISE,
    IN_FEATURES_EXERCISE,
    check_flatten_index,
    check_in_features,
    check_linear_parameters,
    check_probabilities,
)
from .input_layer import check_chw_to_hwc, check_conv1d_output_shape, check_last_batch_size, check_spectrogram_shape
from .introduction import LAYER_KINDS, check_batch_numel, check_dense_parameters, check_layers_with_weights
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
    "LAYER_KINDS", "check_batch_numel", "check_layers_with_weights", "check_dense_parameters",
    # 01 input layer
    "check_chw_to_hwc", "check_last_batch_size", "check_spectrogram_shape", "check_conv1d_output_shape",
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
    "FLATTEN_EXERCISE", "IN_FEATURES_EXERCISE", "check_flatten_index", "check_in_features",
    "check_linear_parameters", "check_probabilities",
    # 06 full implementation
    "STEPS_EXERCISE", "check_steps_per_epoch", "check_accuracy_from_confusion", "check_most_confused",
    "check_embedding_input_size",
]

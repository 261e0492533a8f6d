"""Checkers for the notebooks' exercises: specific feedback, not just right or wrong.

Every checker takes the student's answer, returns a short confirmation when it is right,
and raises :class:`WrongAnswer` (an ``AssertionError``, so nbgrader scores the test cell 0)
with a hint that names the likely mistake when it is not.

Submodules, one per notebook plus the shared part:

- ``_common``: ``WrongAnswer``, ``Feedback``, ``correct``, ``hint`` and the answer checks several notebooks use
- ``introduction``: notebook 00, numbers in a batch, layers with weights, a dense layer's parameters
- ``input_layer``: notebook 01, CHW to HWC, the last batch, a spectrogram's and a Conv1d's shapes
- ``convolution``: notebook 02, output size, parameter counts, same padding, no weight sharing
- ``receptive_field``: notebook 03, the rf_size of conv stacks, a unit's region, 7×7 vs three 3×3
- ``pooling``: notebook 04, output size, max pooling by hand, sum pooling, the Linear without pooling
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
    COURSE_CONV1,
    RESNET_STEM,
    check_conv_output_size,
    check_conv_parameters,
    check_locally_connected_parameters,
    check_same_padding,
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
    POOL_EXERCISE_MAP,
    POOL_SIZE_EXERCISE,
    check_linear_params_without_pooling,
    check_max_pool_by_hand,
    check_pool_output_size,
    check_sum_pool,
)
from .receptive_field import (
    FACTORISED_CHANNELS,
    REGION_UNIT,
    STRIDED_CONVS,
    THREE_CONVS,
    _course_region,  # noqa: F401  (tests check the 03 checkers against the calculator through these)
    _rf_stack_size,  # noqa: F401
    check_factorised_weights,
    check_strided_rf,
    check_three_convs_rf,
    check_unit_region,
)

__all__ = [
    # feedback
    "WrongAnswer", "Feedback", "correct", "hint",
    # 00 introduction
    "LAYER_KINDS", "check_batch_numel", "check_layers_with_weights", "check_dense_parameters",
    # 01 input layer
    "check_chw_to_hwc", "check_last_batch_size", "check_spectrogram_shape", "check_conv1d_output_shape",
    # 02 convolution
    "RESNET_STEM", "COURSE_CONV1", "check_conv_output_size", "check_conv_parameters", "check_same_padding",
    "check_locally_connected_parameters",
    # 03 receptive field
    "THREE_CONVS", "STRIDED_CONVS", "REGION_UNIT", "FACTORISED_CHANNELS", "check_three_convs_rf",
    "check_strided_rf", "check_unit_region", "check_factorised_weights",
    # 04 pooling
    "POOL_SIZE_EXERCISE", "POOL_EXERCISE_MAP", "check_pool_output_size", "check_max_pool_by_hand",
    "check_sum_pool", "check_linear_params_without_pooling",
    # 05 fully connected
    "FLATTEN_EXERCISE", "IN_FEATURES_EXERCISE", "check_flatten_index", "check_in_features",
    "check_linear_parameters", "check_probabilities",
    # 06 full implementation
    "STEPS_EXERCISE", "check_steps_per_epoch", "check_accuracy_from_confusion", "check_most_confused",
    "check_embedding_input_size",
]

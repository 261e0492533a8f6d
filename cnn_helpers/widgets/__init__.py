"""The explorers: sliders wired onto pure render functions of viz and receptive_field.

The only module of cnn_helpers (with its submodules) that imports ipywidgets. Each explorer
is a pure ``render(fig, **values)`` function that redraws a persistent matplotlib figure and
returns the numbers to show as HTML, plus a thin :class:`Explorer` that wires sliders to it.
A setting that makes no sense (a ``ValueError`` from the render function) shows a plain
message, never a traceback.

Submodules, one per notebook with an explorer; everything is re-exported here, so
``from cnn_helpers.widgets import conv_explorer`` works:

- ``explorer``: :class:`Explorer`, the widget every explorer is built on.
- ``input_layer``: notebook 01, the channel / batch explorer (``input_explorer``).
- ``convolution``: notebook 02, the conv explorer on a real ``nn.Conv2d`` (``conv_explorer``).
- ``receptive_field``: notebook 03, the RF explorer on a layer stack (``rf_explorer``).
- ``pooling``: notebook 04, the pooling explorer on a real feature map (``pooling_explorer``).
- ``fully_connected``: notebook 05, the shape explorer of a course-style CNN (``shape_explorer``).
- ``feature_maps``: notebook 06, the feature-map explorer on the trained model (``feature_map_explorer``).
"""

from .convolution import CONV_IMAGE_SIZE, conv_explorer, conv_numbers, render_conv
from .convolution import _conv_layer as _conv_layer  # used by tests/test_widgets.py
from .explorer import Explorer
from .feature_maps import FEATURE_MAP_IMAGES, feature_map_explorer, feature_map_stages, render_feature_maps
from .fully_connected import SHAPE_CHANNELS, render_shapes, shape_explorer, trace_course_style_model
from .input_layer import _photo_crops as _photo_crops  # used by tests/test_widgets.py
from .input_layer import input_explorer
from .pooling import (
    POOLING_MODES,
    default_feature_maps,
    pool_feature_map,
    pooling_explorer,
    pooling_numbers,
    render_pooling,
)
from .receptive_field import (
    RF_COURSE_MODEL,
    RF_MAX_KERNEL,
    RF_MAX_LAYERS,
    RF_MAX_STRIDE,
    RF_PADDINGS,
    RF_PHOTO_SIZE,
    RF_PRESETS,
    build_rf_stack,
    render_rf,
    rf_explorer,
    rf_stack_table,
)

__all__ = [
    # explorer
    "Explorer",
    # 01 input layer
    "input_explorer",
    # 02 convolution
    "CONV_IMAGE_SIZE",
    "conv_explorer",
    "conv_numbers",
    "render_conv",
    # 03 receptive field
    "RF_COURSE_MODEL",
    "RF_MAX_KERNEL",
    "RF_MAX_LAYERS",
    "RF_MAX_STRIDE",
    "RF_PADDINGS",
    "RF_PHOTO_SIZE",
    "RF_PRESETS",
    "build_rf_stack",
    "render_rf",
    "rf_explorer",
    "rf_stack_table",
    # 04 pooling
    "POOLING_MODES",
    "default_feature_maps",
    "pool_feature_map",
    "pooling_explorer",
    "pooling_numbers",
    "render_pooling",
    # 05 fully connected
    "SHAPE_CHANNELS",
    "render_shapes",
    "shape_explorer",
    "trace_course_style_model",
    # 06 full implementation
    "FEATURE_MAP_IMAGES",
    "feature_map_explorer",
    "feature_map_stages",
    "render_feature_maps",
]

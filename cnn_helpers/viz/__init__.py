"""Pure plotting functions: each takes ``ax=None`` (or ``fig=None``) and returns the figure.

No function here calls ``plt.show()`` or changes global rcParams. One colour per role
across every figure of the course: input, kernel (and receptive-field region), output.
Every name is importable from ``cnn_helpers.viz``; the submodules follow the notebooks:

- ``_common``: the colours of each role, ``new_axes``, ``figure_to_png``, ``fixed_layout_figure``,
  ``describe`` / ``figure_alt`` (alt text), ``hatch_padding``.
- ``introduction``: 00, neighbour correlation and the stages of a small CNN.
- ``input_layer``: 01, channel views, memory layouts and the input explorer.
- ``input_examples``: 01, a photo's channels, a spectrogram, a sentence under a Conv1d.
- ``convolution``: 02, the sliding window, the conv explorer, filter responses, parameter counts.
- ``receptive_field``: 03, regions on an image, growth with depth, effective RF, the RF explorer.
- ``pooling``: 04, one pooling window step by step, and shift tolerance.
- ``fully_connected``: 05, the shape trace.
- ``training``: 06, the live loss and accuracy curves.
- ``trained_model``: 06, confusion matrix, mistakes, filters, embedding, feature maps.
"""

from ._common import (
    INPUT_CMAP,
    INPUT_COLOR,
    KERNEL_COLOR,
    OUTPUT_CMAP,
    OUTPUT_COLOR,
    PADDING_COLOR,
    describe,
    figure_alt,
    figure_to_png,
    fixed_layout_figure,
    hatch_padding,
    new_axes,
)
from .convolution import (
    CONV_FIGSIZE,
    plot_conv_window,
    plot_filter_responses,
    plot_parameter_counts,
    plot_sliding_window,
)
from .fully_connected import LAYER_COLORS, OTHER_LAYER_COLOR, plot_shape_trace, shape_figure
from .input_examples import plot_channels, plot_sequence_conv, plot_spectrogram
from .input_layer import (
    CHANNEL_VIEWS,
    LAYOUT_NAMES,
    LAYOUTS,
    LUMA_WEIGHTS,
    MEMORY_STRIP,
    channel_names,
    channel_view,
    input_layout_numbers,
    memory_labels,
    plot_input_batch,
    render_input_explorer,
    to_layout,
)
from .introduction import plot_layer_stages, plot_neighbour_correlation
from .pooling import MAX_WINDOW_NUMBERS, plot_pooling, plot_shift_tolerance, pooling_figure, pooling_window
from .receptive_field import (
    RF_FIGURE_DPI,
    plot_effective_receptive_field,
    plot_receptive_field,
    plot_rf_explorer,
    plot_rf_growth,
    region_size,
    rf_explorer_figure,
    rf_numbers_html,
)
from .trained_model import (
    feature_map_figure,
    plot_confusion_matrix,
    plot_embedding,
    plot_feature_maps,
    plot_filters,
    plot_misclassified,
    tile_maps,
)
from .training import (
    ACCURACY_LIMITS,
    ACCURACY_TICKS,
    LOSS_LIMITS,
    plot_training_curves,
    training_curves_figure,
    training_curves_png,
)

__all__ = [
    # _common
    "INPUT_COLOR", "KERNEL_COLOR", "OUTPUT_COLOR", "INPUT_CMAP", "OUTPUT_CMAP", "PADDING_COLOR",
    "describe", "figure_alt", "hatch_padding",
    "new_axes", "figure_to_png", "fixed_layout_figure",
    # introduction
    "plot_neighbour_correlation", "plot_layer_stages",
    # input_layer
    "CHANNEL_VIEWS", "LAYOUTS", "LAYOUT_NAMES", "LUMA_WEIGHTS", "MEMORY_STRIP", "channel_view", "channel_names",
    "to_layout", "memory_labels", "plot_input_batch", "input_layout_numbers", "render_input_explorer",
    # input_examples
    "plot_channels", "plot_spectrogram", "plot_sequence_conv",
    # convolution
    "CONV_FIGSIZE", "plot_sliding_window", "plot_conv_window", "plot_filter_responses", "plot_parameter_counts",
    # receptive_field
    "RF_FIGURE_DPI", "region_size", "plot_receptive_field", "plot_rf_growth", "plot_effective_receptive_field",
    "rf_explorer_figure", "plot_rf_explorer", "rf_numbers_html",
    # pooling
    "MAX_WINDOW_NUMBERS", "pooling_window", "pooling_figure", "plot_pooling", "plot_shift_tolerance",
    # fully_connected
    "LAYER_COLORS", "OTHER_LAYER_COLOR", "shape_figure", "plot_shape_trace",
    # training
    "LOSS_LIMITS", "ACCURACY_LIMITS", "ACCURACY_TICKS", "training_curves_figure", "plot_training_curves",
    "training_curves_png",
    # trained_model
    "plot_confusion_matrix", "plot_misclassified", "plot_filters", "plot_embedding", "tile_maps",
    "feature_map_figure", "plot_feature_maps",
]

"""Fully connected layers (notebook 05): the shape trace, values per example after each layer."""

from __future__ import annotations

from .. import _validation as rule
from ..language import tr
from ._common import INPUT_COLOR, KERNEL_COLOR, OUTPUT_COLOR, _clauses, describe, fixed_layout_figure

LAYER_COLORS = {"Conv2d": OUTPUT_COLOR, "Linear": KERNEL_COLOR, "flatten": KERNEL_COLOR, "Flatten": KERNEL_COLOR,
                "input": INPUT_COLOR}
OTHER_LAYER_COLOR = "#9e9e9e"  # activations, pooling and everything else


def _shape_text(shape) -> str:
    """A shape as a short label: C×H×W.

    Example:
        >>> _shape_text((16, 28, 28)), _shape_text((10,))
        ('16×28×28', '10')
    """
    return "×".join(map(str, shape))


def _layer_text(row) -> str:
    """A bar's label: the layer type and its output shape, e.g. ``Conv2d 16×28×28``.

    Module types are class names and stay as they are; the kinds of work the trace names in
    words (the input, and what happens between modules) are shown in the current language.

    Example:
        >>> from collections import namedtuple
        >>> Row = namedtuple("Row", "layer_type output_shape")
        >>> _layer_text(Row("Conv2d", (16, 28, 28))), _layer_text(Row("input", (1, 28, 28)))
        ('Conv2d 16×28×28', 'input 1×28×28')
    """
    shape = _shape_text(row.output_shape)
    if row.layer_type == "input":
        return tr("input {shape}", shape=shape)
    if row.layer_type == "flatten":
        return tr("flatten {shape}", shape=shape)
    if row.layer_type == "reshape":
        return tr("reshape {shape}", shape=shape)
    if row.layer_type == "function":
        return tr("function {shape}", shape=shape)
    return f"{row.layer_type} {shape}"


def _short_count(value, _position=None) -> str:
    """A tick label for a count: 1, 100, 10k, 1M.

    Example:
        >>> [_short_count(v) for v in (1, 100, 10_000, 1_000_000)]
        ['1', '100', '10k', '1M']
    """
    for size, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if value >= size:
            return f"{value / size:g}{suffix}"
    return f"{value:g}"


def shape_figure():
    """A figure for :func:`plot_shape_trace` (fixed layout and reused artists, for fast redraws).

    Example:
        >>> shape_figure().get_size_inches().tolist()
        [6.4, 3.4]
    """
    from matplotlib.ticker import FuncFormatter, LogLocator, NullLocator

    fig = fixed_layout_figure((6.4, 3.4), left=0.26, right=0.96, bottom=0.13, top=0.9)
    ax = fig.add_subplot()
    ax.set_xscale("log")
    ax.xaxis.set_major_locator(LogLocator(numticks=4))
    ax.xaxis.set_minor_locator(NullLocator())  # minor log ticks cost most of a redraw
    ax.xaxis.set_major_formatter(FuncFormatter(_short_count))  # plain text: mathtext is slow
    ax.set_yticks([])  # the layers are named by plain texts: tick labels cost more to draw
    ax.set(title=tr("values per example after each layer"), xlabel=tr("values (log scale)"))
    fig._shape_artists = ([], [])  # bars and labels, reused by every plot_shape_trace on this figure
    return fig


def _shape_artist(fig, i):
    """Bar and label number ``i`` of a shape figure, made on first use."""
    from matplotlib.patches import Rectangle

    ax, (bars, labels) = fig.axes[0], fig._shape_artists
    while len(bars) <= i:
        bars.append(ax.add_patch(Rectangle((1, 0), 1, 0.8)))
        labels.append(ax.text(-0.02, 0, "", transform=ax.get_yaxis_transform(), ha="right", va="center",
                              fontsize=8))
    return bars[i], labels[i]


@rule.checked(
    rows=rule.sequence(rule.attributes("layer_type", "output_shape", "num_parameters",
                                       example=lambda: tr("a row of trace_shapes(...)")), 1),
)
def plot_shape_trace(rows, fig=None):
    """Bar chart of a shape trace: how many values one example has after each layer.

    Each layer is labelled with its type and output shape (C×H×W); Conv2d bars are green,
    Flatten and Linear red, the input blue. The log scale shows the convolutions widening the
    tensor, pooling shrinking it, and the Linear layer reducing it to one score per class.
    Names and parameter counts are left to the trace's table (``trace_shapes``), which
    the shape explorer shows beside the figure: every glyph costs redraw time.

    Args:
        rows: the rows of ``model.trace_shapes(...)``: each with ``layer_type`` and
            ``output_shape`` (without the batch dimension).
        fig: a figure from :func:`shape_figure` to redraw, or ``None`` for a new one.

    Returns:
        The matplotlib figure.

    Raises:
        ValueError: no rows.

    Example:
        >>> from collections import namedtuple
        >>> Row = namedtuple("Row", "name layer_type output_shape num_parameters")
        >>> fig = plot_shape_trace([Row("input", "input", (1, 4, 4), 0), Row("fc", "Linear", (3,), 51)])
        >>> [t.get_text() for t in fig.axes[0].texts]
        ['input 1×4×4', 'Linear 3']
    """
    import math

    if len(rows) == 0:
        raise ValueError(tr("rows is empty; pass the rows of trace_shapes(model, input_size)"))
    fig = shape_figure() if fig is None else fig
    ax = fig.axes[0]
    values = [math.prod(r.output_shape) for r in rows]
    for y, (row, value) in enumerate(zip(rows, values, strict=True)):
        bar, label = _shape_artist(fig, y)
        bar.set(y=y - 0.4, width=value - 1, color=LAYER_COLORS.get(row.layer_type, OTHER_LAYER_COLOR), visible=True)
        label.set(y=y, text=_layer_text(row), visible=True)
    for bar, label in zip(*(artists[len(rows):] for artists in fig._shape_artists), strict=True):
        bar.set_visible(False)
        label.set_visible(False)
    ax.set_ylim(len(rows) - 0.5, -0.5)  # the input on top, the output at the bottom
    ax.set_xlim(1, max(values) * 2)
    return describe(fig, tr("Horizontal bars, one per layer from the input down: {layers}. "
                            "Each bar's length is the number of values that layer outputs.",
                            layers=_clauses(_layer_text(row) for row in rows)))


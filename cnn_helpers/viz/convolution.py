"""Convolution (notebook 02): the sliding dot product and the conv explorer's figure.

Also the feature maps some filters make of an image, and parameter counts compared.
"""

from __future__ import annotations

from .. import _validation as rule
from ..language import tr
from ._common import (
    INPUT_CMAP,
    INPUT_COLOR,
    KERNEL_COLOR,
    OUTPUT_CMAP,
    _items,
    _place,
    _set_image,
    describe,
    hatch_padding,
    new_axes,
)


def _as_matrix(value, name: str):
    """``value`` (a NumPy array or a CPU tensor) as a 2-D float array, or a ValueError naming it."""
    import numpy as np

    array = np.asarray(value.detach().cpu() if hasattr(value, "detach") else value, dtype=float)
    if array.ndim != 2:
        raise ValueError(tr("{name} must be a 2-D (H, W) array, got shape {shape}; pick one channel, e.g. x[0, 0]",
                            name=name, shape=tuple(array.shape)))
    return array


def _write_numbers(ax, image, values, fmt: str = "{:.3g}") -> None:
    """Write each finite entry of ``values`` (H, W) at its pixel centre, readable on ``image``'s colours."""
    import numpy as np

    red, green, blue, _ = np.moveaxis(image.to_rgba(values), -1, 0)  # colour of each pixel
    dark = 0.299 * red + 0.587 * green + 0.114 * blue < 0.5  # luma: white text on dark pixels
    for (i, j), v in np.ndenumerate(values):
        if np.isfinite(v):
            ax.text(j, i, fmt.format(v), ha="center", va="center", fontsize=9,
                    color="white" if dark[i, j] else "black")


@rule.checked(
    x=rule.array(2, "(H, W)"),
    kernel=rule.array(2, "(kH, kW)"),
    output=rule.array(2, "(H_out, W_out)", finite=False),
    unit=rule.pair(0),
    stride=rule.integer(1),
)
def plot_sliding_window(x, kernel, output, unit=(0, 0), stride=1, fig=None):
    """Draw one step of the sliding dot product: the window on the input, the kernel, the output.

    The output unit ``unit`` is the dot product of the kernel with the window whose top-left
    corner is ``unit * stride``; the window and that unit are outlined in the kernel colour.

    Args:
        x: (H, W) input matrix (NumPy array or tensor).
        kernel: (kH, kW) kernel.
        output: (H_out, W_out) output; NaN entries are drawn empty ("not computed yet").
        unit: (row, col) of the output unit being computed.
        stride: the step between two windows, an int.
        fig: a figure to draw into (it is cleared), or ``None`` for a new one.

    Returns:
        The matplotlib figure, with three axes: input, kernel, output.

    Raises:
        ValueError: an argument is not 2-D, or ``unit`` lies outside ``output``.

    Shape:
        H_out = (H - kH) // stride + 1, W_out likewise (no padding).

    Example:
        >>> import numpy as np
        >>> x, k = np.arange(16.0).reshape(4, 4), np.ones((3, 3))
        >>> out = np.full((2, 2), np.nan)
        >>> out[0, 0] = (x[:3, :3] * k).sum()
        >>> fig = plot_sliding_window(x, k, out, unit=(0, 0))
        >>> [ax.get_title() for ax in fig.axes]
        ['input 4 × 4, window at (0, 0)', 'kernel 3 × 3', 'output 2 × 2: (0, 0) = 45']
    """
    import numpy as np
    from matplotlib.patches import Rectangle

    x, kernel, output = _as_matrix(x, "x"), _as_matrix(kernel, "kernel"), _as_matrix(output, "output")
    row, col = unit
    if not (0 <= row < output.shape[0] and 0 <= col < output.shape[1]):
        raise ValueError(tr("unit {unit} lies outside the output of shape {shape}; "
                            "pick a row below {rows} and a column below {columns}",
                            unit=unit, shape=output.shape, rows=output.shape[0], columns=output.shape[1]))
    if fig is None:
        from matplotlib.figure import Figure

        fig = Figure(figsize=(9.0, 3.2), layout="constrained")
    fig.clear()
    ax_in, ax_k, ax_out = fig.subplots(1, 3, width_ratios=[x.shape[1], kernel.shape[1], output.shape[1]])
    (kh, kw), top, left = kernel.shape, row * stride, col * stride
    limit = float(np.abs(kernel).max()) or 1.0  # symmetric scale for the kernel: white is 0
    panels = ((ax_in, x, INPUT_CMAP, {}), (ax_k, kernel, "RdBu_r", {"vmin": -limit, "vmax": limit}),
              (ax_out, output, OUTPUT_CMAP, {}))
    for ax, values, cmap, scale in panels:
        _write_numbers(ax, ax.imshow(values, cmap=cmap, interpolation="nearest", **scale), values)
        ax.set(xlabel=tr("column"), ylabel=tr("row"), xticks=range(values.shape[1]), yticks=range(values.shape[0]))
    ax_in.add_patch(Rectangle((left - 0.5, top - 0.5), kw, kh, fill=False, ec=KERNEL_COLOR, lw=3))
    ax_k.add_patch(Rectangle((-0.5, -0.5), kw, kh, fill=False, ec=KERNEL_COLOR, lw=3))
    ax_out.add_patch(Rectangle((col - 0.5, row - 0.5), 1, 1, fill=False, ec=KERNEL_COLOR, lw=3))
    (h, w), (oh, ow), value = x.shape, output.shape, output[row, col]
    ax_in.set_title(tr("input {h} × {w}, window at ({top}, {left})", h=h, w=w, top=top, left=left))
    ax_k.set_title(tr("kernel {kh} × {kw}", kh=kh, kw=kw))
    ax_out.set_title(tr("output {oh} × {ow}: ({row}, {col}) = {value:.4g}", oh=oh, ow=ow, row=row, col=col,
                        value=value))
    return describe(fig, tr("One step of the sliding dot product. Left: the input {h} × {w} "
                            "with the {kh} × {kw} window at row {top}, column {left} outlined. Middle: "
                            "the kernel. Right: the output {oh} × {ow}, unit "
                            "({row}, {col}) = {value:.4g} outlined; each cell shows its number.",
                            h=h, w=w, kh=kh, kw=kw, top=top, left=left, oh=oh, ow=ow, row=row, col=col,
                            value=value))


CONV_FIGSIZE = (6.0, 2.9)  # inches; small, since PNG encoding time grows with the pixel count


class _ConvArtists:
    """The artists of the conv explorer's figure, created once and updated on every redraw."""

    def __init__(self, fig):
        from matplotlib.patches import Rectangle

        # Fixed layout, no tick labels, two panels: text is most of the drawing time (about
        # 2.5 ms per label here) and constrained layout measures every label on each redraw.
        fig.set_layout_engine("none")
        fig.subplots_adjust(left=0.05, right=0.98, bottom=0.09, top=0.9, wspace=0.15)
        self.ax_in, self.ax_out = fig.subplots(1, 2)
        empty = [[0.0]]
        self.image_in = self.ax_in.imshow(empty, cmap=INPUT_CMAP, interpolation="nearest")
        self.image_out = self.ax_out.imshow(empty, cmap=OUTPUT_CMAP, interpolation="nearest")
        self.border = Rectangle((0, 0), 1, 1, fill=False, ec=INPUT_COLOR, lw=1.2, ls=":")
        self.window = Rectangle((0, 0), 1, 1, fill=False, ec=KERNEL_COLOR, lw=2.0)
        self.unit = Rectangle((0, 0), 1, 1, fill=False, ec=KERNEL_COLOR, lw=2.2)
        # One square per kernel tap, coloured by its weight (blue < 0 < red) and edged in the kernel colour.
        self.taps = self.ax_in.scatter([], [], s=16, c=[], cmap="RdBu_r", marker="s", ec=KERNEL_COLOR,
                                       linewidths=0.6)
        # A minus on every negative tap: the sign is then not carried by colour alone.
        self.negative_taps = self.ax_in.scatter([], [], s=9, c="black", marker="_", linewidths=1.2)
        hatch_padding(self.ax_in)
        self.ax_in.add_patch(self.border)
        self.ax_in.add_patch(self.window)
        self.ax_out.add_patch(self.unit)
        self.ax_in.set(xlabel=tr("column"), ylabel=tr("row"), xticks=[], yticks=[])
        self.ax_out.set(xlabel=tr("column"), ylabel=tr("row"), xticks=[], yticks=[])


@rule.checked(
    image=rule.array(2, "(H, W)"),
    kernel=rule.array(2, "(kH, kW)"),
    feature_map=rule.array(2, "(H_out, W_out)"),
    stride=rule.pair(1),
    padding=rule.pair(0),
    dilation=rule.pair(1),
    unit=rule.pair(0),
)
def plot_conv_window(image, kernel, feature_map, stride=(1, 1), padding=(0, 0), dilation=(1, 1), unit=(0, 0),
                     fig=None):
    """Draw a convolution: the padded input with the window of one output unit, and the output.

    Left: the input (padding shaded) with the window of output unit ``unit``: its outline
    and one square per pixel the kernel taps (spread out by the dilation), coloured by
    the kernel weight there (blue negative, red positive). Right: the output feature map,
    ``unit`` outlined. Redrawing on the same ``fig`` reuses its artists, so an explorer
    can call this on every slider move.

    Args:
        image: (H, W) input channel.
        kernel: (kH, kW) kernel applied to it.
        feature_map: (H_out, W_out) output channel.
        stride, padding, dilation: (h, w) pairs of the convolution.
        unit: (row, col) of the output unit whose window to draw.
        fig: a figure this function drew before, to update; ``None`` makes a new one.

    Returns:
        The matplotlib figure.

    Shape:
        H_out = (H + 2 * padding - dilation * (kH - 1) - 1) // stride + 1, W_out likewise.

    Example:
        >>> import numpy as np
        >>> fig = plot_conv_window(np.ones((5, 5)), np.ones((3, 3)), np.ones((3, 3)) * 9, unit=(1, 2))
        >>> [ax.get_title() for ax in fig.axes]
        ['input 5×5, padding 0', 'output 3×3: (1, 2) = 9']
    """
    import numpy as np

    if fig is None:
        from matplotlib.figure import Figure

        fig = Figure(figsize=CONV_FIGSIZE)
    art = getattr(fig, "_conv_artists", None)  # set by an earlier call on this figure
    if art is None:
        art = fig._conv_artists = _ConvArtists(fig)
    image, kernel = _as_matrix(image, "image"), _as_matrix(kernel, "kernel")
    feature_map = _as_matrix(feature_map, "feature_map")
    (h, w), (kh, kw), (oh, ow) = image.shape, kernel.shape, feature_map.shape
    (sh, sw), (ph, pw), (dh, dw), (r, c) = stride, padding, dilation, unit
    top, left = r * sh - ph, c * sw - pw  # window corner in image coordinates (< 0: padding)

    _set_image(art.ax_in, art.image_in, image, float(image.min()), float(image.max()))
    art.ax_in.set(xlim=(-pw - 0.5, w + pw - 0.5), ylim=(h + ph - 0.5, -ph - 0.5))
    _place(art.border, 0, 0, h, w)
    _place(art.window, top, left, dh * (kh - 1) + 1, dw * (kw - 1) + 1)
    rows, cols = np.meshgrid(top + dh * np.arange(kh), left + dw * np.arange(kw), indexing="ij")
    art.taps.set_offsets(np.column_stack([cols.ravel(), rows.ravel()]))
    art.taps.set_array(kernel.ravel())
    limit = float(np.abs(kernel).max()) or 1.0  # symmetric colour scale: white is 0
    art.taps.set_clim(-limit, limit)
    cell = art.ax_in.bbox.height / (h + 2 * ph)  # pixels per image pixel at this zoom
    art.taps.set_sizes([max(4.0, (0.55 * cell * 72 / fig.dpi) ** 2)])
    negative = kernel.ravel() < 0
    art.negative_taps.set_offsets(np.column_stack([cols.ravel(), rows.ravel()])[negative].reshape(-1, 2))
    art.negative_taps.set_sizes([max(4.0, (0.4 * cell * 72 / fig.dpi) ** 2)])
    art.ax_in.set_title(tr("input {h}×{w}, padding {padding}", h=h, w=w, padding=ph if ph == pw else padding))

    _set_image(art.ax_out, art.image_out, feature_map, float(feature_map.min()), float(feature_map.max()))
    art.ax_out.set(xlim=(-0.5, ow - 0.5), ylim=(oh - 0.5, -0.5))
    _place(art.unit, r, c, 1, 1)
    value = feature_map[r, c]
    art.ax_out.set_title(tr("output {oh}×{ow}: ({row}, {col}) = {value:.3g}", oh=oh, ow=ow, row=r, col=c, value=value))
    return describe(fig, tr("Left: the input {h} × {w} with {ph} rows and {pw} columns of hatched padding "
                            "around it and the window of output unit ({row}, {col}) outlined, its kernel "
                            "taps marked by squares (red positive weight, blue negative with a minus sign). Right: the "
                            "output feature map {oh} × {ow} with unit ({row}, {col}) outlined; its value "
                            "is {value:.3g}.", h=h, w=w, ph=ph, pw=pw, row=r, col=c, oh=oh, ow=ow, value=value))


@rule.checked(
    image=rule.array(2, "(H, W)"),
    responses=rule.sequence(rule.array(2, "(H_out, W_out)"), 1),
    titles=rule.sequence(rule.text(), 1),
)
def plot_filter_responses(image, responses, titles, fig=None):
    """Show an input image next to the feature maps some filters made of it, one row.

    Args:
        image: (H, W) input channel.
        responses: sequence of (H_out, W_out) feature maps.
        titles: one title per feature map.
        fig: a figure to draw into (it is cleared), or ``None`` for a new one.

    Returns:
        The matplotlib figure: the input, then one axes per feature map.

    Raises:
        ValueError: ``titles`` and ``responses`` differ in length.

    Example:
        >>> import numpy as np
        >>> fig = plot_filter_responses(np.eye(4), [np.eye(4), -np.eye(4)], ["same", "negated"])
        >>> [ax.get_title() for ax in fig.axes]
        ['input 4 × 4', 'same', 'negated']
    """
    if len(titles) != len(responses):
        raise ValueError(tr("titles has {titles} entries but responses has {responses}; "
                            "give one title per feature map", titles=len(titles), responses=len(responses)))
    image = _as_matrix(image, "image")
    maps = [_as_matrix(m, f"responses[{i}]") for i, m in enumerate(responses)]
    if fig is None:
        from matplotlib.figure import Figure

        fig = Figure(figsize=(3.0 * (1 + len(maps)), 3.4), layout="constrained")
    fig.clear()
    axes = fig.subplots(1, 1 + len(maps), squeeze=False)[0]
    axes[0].imshow(image, cmap=INPUT_CMAP)
    axes[0].set_title(tr("input {h} × {w}", h=image.shape[0], w=image.shape[1]))
    for ax, feature_map, title in zip(axes[1:], maps, titles, strict=True):
        ax.imshow(feature_map, cmap=OUTPUT_CMAP)
        ax.set_title(title)
    for ax in axes:
        ax.set(xlabel=tr("column"), ylabel=tr("row"))
    return describe(fig, tr("The input image {h} × {w}, then the feature map of each filter: {titles}. "
                            "Bright means a strong response.", h=image.shape[0], w=image.shape[1],
                            titles=_items(titles)))


@rule.checked(counts=rule.mapping(rule.integer(1), example="{'conv': 416}"), title=rule.text())
def plot_parameter_counts(counts, title, ax=None):
    """A horizontal bar chart of parameter counts on a log scale, each bar labelled with its count.

    Args:
        counts: mapping layer name -> number of parameters (ints >= 1).
        title: the figure's title.
        ax: an axes to draw on, or ``None`` for a new figure.

    Returns:
        The matplotlib figure.

    Example:
        >>> fig = plot_parameter_counts({"conv": 10, "dense": 10100}, "parameters")
        >>> fig.axes[0].get_xscale()
        'log'
    """
    fig, ax = new_axes(ax, figsize=(6.5, 2.2))
    names, values = list(counts), [int(v) for v in counts.values()]
    ax.barh(names, values, color=KERNEL_COLOR)
    for y, value in enumerate(values):
        ax.text(value * 1.15, y, f"{value:,}", va="center")
    ax.set_xscale("log")
    ax.set_xlim(1, max(values) * 20)
    ax.invert_yaxis()  # first entry on top
    ax.set(title=title, xlabel=tr("number of parameters (log scale)"), ylabel=tr("layer"))
    return describe(ax, tr("Horizontal bar chart: {title}. Number of parameters of each layer on a "
                           "log scale: {counts}.",
                           title=title, counts=_items(f"{name} {count:,}" for name, count in dict(counts).items())))


"""Pure plotting functions: each takes ``ax=None`` and returns the figure.

No function here calls ``plt.show()`` or changes global rcParams. One colour per role
across every figure of the course: input, kernel (and receptive-field region), output.
"""

from __future__ import annotations

import io

INPUT_COLOR = "#1f77b4"   # blue: the input and everything drawn on it
KERNEL_COLOR = "#d62728"  # red: the kernel / sliding window / receptive-field region
OUTPUT_COLOR = "#2ca02c"  # green: the output feature map
INPUT_CMAP = "gray"
OUTPUT_CMAP = "viridis"
PADDING_COLOR = "#f2dede"  # light red: padded cells, which belong to no image


def new_axes(ax=None, figsize=(4.0, 4.0)):
    """Return ``(fig, ax)``: the figure of ``ax``, or a new figure with one axes."""
    if ax is not None:
        return ax.figure, ax
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize, layout="constrained")
    return fig, fig.add_subplot()


def figure_to_png(fig, dpi: int = 72) -> bytes:
    """Render a matplotlib figure to PNG bytes (what the explorers show).

    Example:
        >>> fig, ax = new_axes()
        >>> figure_to_png(fig)[:4] == b"\\x89PNG"
        True
    """
    import matplotlib

    buf = io.BytesIO()
    # FreeType's hinting of every glyph is most of a redraw's text cost; unhinted text at 72 dpi
    # reads the same and draws about a quarter faster. rc_context leaves the global rcParams alone.
    # zlib level 1 instead of 6: 3-6 ms less per picture, files at most ~7% larger.
    with matplotlib.rc_context({"text.hinting": "no_hinting"}):
        fig.savefig(buf, format="png", dpi=dpi, pil_kwargs={"compress_level": 1})
    return buf.getvalue()


def fixed_layout_figure(figsize, **margins):
    """A figure with fixed margins and no layout engine, for explorers that redraw often.

    Args:
        figsize: (width, height) in inches.
        **margins: passed to ``Figure.subplots_adjust`` (left, right, bottom, top, wspace).

    Example:
        >>> fixed_layout_figure((4.0, 2.0), left=0.1).get_size_inches().tolist()
        [4.0, 2.0]
    """
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize)
    fig.subplots_adjust(**margins)
    return fig


def _set_image(ax, image, data, vmin, vmax, offset=(0, 0)):
    """Show ``data`` (H, W) with pixel (i, j) centred on (offset + (i, j)); keep the artist."""
    h, w = data.shape
    image.set_data(data)
    image.set_clim(vmin, vmax)
    image.set_extent((offset[1] - 0.5, offset[1] + w - 0.5, offset[0] + h - 0.5, offset[0] - 0.5))


def _place(rect, top, left, height, width):
    rect.set_xy((left - 0.5, top - 0.5))
    rect.set_width(width)
    rect.set_height(height)


# --- 04 pooling ---
MAX_WINDOW_NUMBERS = 16  # write the values of windows up to 4 x 4 (each label costs redraw time)


def pooling_window(feature_map, kernel_size, stride, padding, unit):
    """The values one pooling window sees, with padded cells as NaN.

    Args:
        feature_map: (H, W) array, the pooled input.
        kernel_size, stride, padding: (h, w) pairs of the pooling layer.
        unit: (row, col) of the output unit whose window to return.

    Returns:
        A (kernel_h, kernel_w) float array; cells that fall in the padding are NaN.

    Example:
        >>> import numpy as np
        >>> pooling_window(np.arange(16.0).reshape(4, 4), (2, 2), (2, 2), (0, 0), (1, 0))
        array([[ 8.,  9.],
               [12., 13.]])
        >>> pooling_window(np.ones((4, 4)), (2, 2), (2, 2), (1, 1), (0, 0))
        array([[nan, nan],
               [nan,  1.]])
    """
    import numpy as np

    fm = np.asarray(feature_map, dtype=float)  # (H, W)
    top = unit[0] * stride[0] - padding[0]
    left = unit[1] * stride[1] - padding[1]
    window = np.full(kernel_size, np.nan)  # (kH, kW)
    rows = slice(max(top, 0), min(top + kernel_size[0], fm.shape[0]))
    cols = slice(max(left, 0), min(left + kernel_size[1], fm.shape[1]))
    window[rows.start - top:rows.stop - top, cols.start - left:cols.stop - left] = fm[rows, cols]
    return window


class _PoolingArtists:
    """The artists of a pooling figure, created once and updated on every redraw."""

    def __init__(self, fig):
        from matplotlib.patches import Rectangle

        self.ax_in, self.ax_win, self.ax_out = fig.subplots(1, 3, width_ratios=[1.0, 0.75, 1.0])
        empty = [[0.0]]
        self.image_in = self.ax_in.imshow(empty, cmap=INPUT_CMAP)
        self.image_win = self.ax_win.imshow(empty, cmap=INPUT_CMAP)
        self.image_out = self.ax_out.imshow(empty, cmap=OUTPUT_CMAP)
        self.border = Rectangle((0, 0), 1, 1, fill=False, ec=INPUT_COLOR, lw=1.2, ls=":")
        self.window = Rectangle((0, 0), 1, 1, fill=False, ec=KERNEL_COLOR, lw=2.2)
        self.neighbour = Rectangle((0, 0), 1, 1, fill=False, ec=KERNEL_COLOR, lw=1.2, ls="--")
        self.unit = Rectangle((0, 0), 1, 1, fill=False, ec=KERNEL_COLOR, lw=2.2)
        self.chosen = Rectangle((0, 0), 1, 1, fill=False, ec=KERNEL_COLOR, lw=2.2)
        for ax, patches in ((self.ax_in, (self.border, self.window, self.neighbour)),
                            (self.ax_win, (self.chosen,)), (self.ax_out, (self.unit,))):
            ax.set_facecolor(PADDING_COLOR)
            for patch in patches:
                ax.add_patch(patch)
        self.texts = []
        # No tick labels: text is most of a redraw's time, and the titles give the sizes.
        self.ax_in.set(xlabel="column", ylabel="row", xticks=[], yticks=[])
        self.ax_win.set(xlabel="column in window", ylabel="row in window", xticks=[], yticks=[])
        self.ax_out.set(xlabel="output column", ylabel="output row", xticks=[], yticks=[])

    def text(self, i):
        while len(self.texts) <= i:
            self.texts.append(self.ax_win.text(0, 0, "", ha="center", va="center", fontsize=8))
        return self.texts[i]


def pooling_figure():
    """A figure for :func:`plot_pooling` with a fixed layout (no layout engine: faster redraws).

    Example:
        >>> pooling_figure().get_size_inches().tolist()
        [9.5, 3.3]
    """
    return fixed_layout_figure((9.5, 3.3), left=0.03, right=0.99, bottom=0.09, top=0.9, wspace=0.15)


def plot_pooling(feature_map, output, kernel_size, stride, padding=(0, 0), unit=(0, 0), mode="max",
                 fig=None):
    """Draw one pooling step: the input with a window, that window's numbers, and the output.

    Left: the input feature map (padding shaded) with the chosen window (solid) and its
    neighbour one stride further (dashed). Middle: the window's values, the one max
    pooling keeps outlined. Right: the pooled output, the chosen unit outlined. Redrawing
    on the same ``fig`` reuses its artists, so an explorer can call this on every slider move.

    Args:
        feature_map: (H, W) array, the pooling layer's input.
        output: (H_out, W_out) array, the pooling layer's output.
        kernel_size, stride, padding: (h, w) pairs of the pooling layer.
        unit: (row, col) of the output unit to explain.
        mode: "max", "avg" or "sum", for the titles.
        fig: a figure this function drew before, to update; ``None`` makes a new one.

    Returns:
        The matplotlib figure.

    Example:
        >>> import numpy as np
        >>> fm = np.arange(16.0).reshape(4, 4)
        >>> fig = plot_pooling(fm, np.array([[5.0, 7.0], [13.0, 15.0]]), (2, 2), (2, 2))
        >>> [ax.get_title() for ax in fig.axes]
        ['input 4 × 4 (padding 0)', 'window (0, 0): max = 5', 'output 2 × 2']
    """
    import numpy as np

    fig = pooling_figure() if fig is None else fig
    art = getattr(fig, "_pooling_artists", None)  # set by an earlier call on this figure
    if art is None:
        art = fig._pooling_artists = _PoolingArtists(fig)
    fm, out = np.asarray(feature_map, dtype=float), np.asarray(output, dtype=float)
    (h, w), (oh, ow) = fm.shape, out.shape
    (kh, kw), (sh, sw), (ph, pw), (r, c) = kernel_size, stride, padding, unit
    vmin, vmax = float(fm.min()), float(fm.max())

    _set_image(art.ax_in, art.image_in, fm, vmin, vmax)
    art.ax_in.set(xlim=(-pw - 0.5, w + pw - 0.5), ylim=(h + ph - 0.5, -ph - 0.5))
    _place(art.border, 0, 0, h, w)
    _place(art.window, r * sh - ph, c * sw - pw, kh, kw)
    nr, nc = (r, c + 1) if c + 1 < ow else (r, c - 1) if ow > 1 else (r + 1 if r + 1 < oh else r - 1, c)
    art.neighbour.set_visible(0 <= nr < oh and 0 <= nc < ow and (nr, nc) != (r, c))
    _place(art.neighbour, nr * sh - ph, nc * sw - pw, kh, kw)
    art.ax_in.set_title(f"input {h} × {w} (padding {ph if ph == pw else (ph, pw)})")

    window = pooling_window(fm, kernel_size, stride, padding, unit)  # (kH, kW)
    _set_image(art.ax_win, art.image_win, window, vmin, vmax)
    art.ax_win.set(xlim=(-0.5, kw - 0.5), ylim=(kh - 0.5, -0.5))
    for i, (y, x) in enumerate(np.ndindex(kh, kw)):
        value = window[y, x]
        label = art.text(i)
        label.set_position((x, y))
        label.set_text("pad" if np.isnan(value) else f"{value:.2f}")
        label.set_color("white" if not np.isnan(value) and value < (vmin + vmax) / 2 else "black")
        label.set_visible(kh * kw <= MAX_WINDOW_NUMBERS)
    for label in art.texts[kh * kw:]:
        label.set_visible(False)
    art.chosen.set_visible(mode == "max" and not np.all(np.isnan(window)))
    if art.chosen.get_visible():
        top, left = np.unravel_index(np.nanargmax(window), window.shape)
        _place(art.chosen, top, left, 1, 1)
    art.ax_win.set_title(f"window ({r}, {c}): {mode} = {out[r, c]:.4g}")

    _set_image(art.ax_out, art.image_out, out, float(out.min()), float(out.max()))
    art.ax_out.set(xlim=(-0.5, ow - 0.5), ylim=(oh - 0.5, -0.5))
    _place(art.unit, r, c, 1, 1)
    art.ax_out.set_title(f"output {oh} × {ow}")
    return fig


def plot_shift_tolerance(shifts, changes, ax=None):
    """Line plot: how much pooled features change when the input is shifted, per pooling.

    Args:
        shifts: the shifts tried, in input pixels, e.g. ``[0, 1, 2, 3]``.
        changes: name -> one relative change per shift (``‖f(shifted) − f‖ / ‖f‖``).
        ax: axes to draw on, or ``None`` for a new figure.

    Returns:
        The matplotlib figure.

    Raises:
        ValueError: a line with another number of points than ``shifts``.

    Example:
        >>> fig = plot_shift_tolerance([0, 1], {"none": [0.0, 0.7], "max 2×2": [0.0, 0.5]})
        >>> [line.get_label() for line in fig.axes[0].get_lines()]
        ['none', 'max 2×2']
    """
    for name, values in changes.items():
        if len(values) != len(shifts):
            raise ValueError(f"changes[{name!r}] has {len(values)} values for {len(shifts)} shifts; "
                             "give one relative change per shift")
    fig, ax = new_axes(ax, figsize=(5.0, 3.4))
    for name, values in changes.items():
        ax.plot(shifts, values, marker="o", label=name)
    ax.set(title="Features after a shift of the input", xlabel="shift of the digit (pixels)",
           ylabel="relative change of the features", xticks=list(shifts))
    ax.set_ylim(bottom=0)
    ax.legend(title="pooling")
    return fig


# --- 05 fully connected ---
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
    ax.set(title="values per example after each layer", xlabel="values (log scale)")
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
        raise ValueError("rows is empty; pass the rows of trace_shapes(model, input_size)")
    fig = shape_figure() if fig is None else fig
    ax = fig.axes[0]
    values = [math.prod(r.output_shape) for r in rows]
    for y, (row, value) in enumerate(zip(rows, values, strict=True)):
        bar, label = _shape_artist(fig, y)
        bar.set(y=y - 0.4, width=value - 1, color=LAYER_COLORS.get(row.layer_type, OTHER_LAYER_COLOR), visible=True)
        label.set(y=y, text=f"{row.layer_type} {_shape_text(row.output_shape)}", visible=True)
    for bar, label in zip(*(artists[len(rows):] for artists in fig._shape_artists), strict=True):
        bar.set_visible(False)
        label.set_visible(False)
    ax.set_ylim(len(rows) - 0.5, -0.5)  # the input on top, the output at the bottom
    ax.set_xlim(1, max(values) * 2)
    return fig


# --- 02 convolution ---


def _as_matrix(value, name: str):
    """``value`` (a NumPy array or a CPU tensor) as a 2-D float array, or a ValueError naming it."""
    import numpy as np

    array = np.asarray(value.detach().cpu() if hasattr(value, "detach") else value, dtype=float)
    if array.ndim != 2:
        raise ValueError(f"{name} must be a 2-D (H, W) array, got shape {tuple(array.shape)}; "
                         "pick one channel, e.g. x[0, 0]")
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
        raise ValueError(f"unit {unit} lies outside the output of shape {output.shape}; "
                         f"pick a row below {output.shape[0]} and a column below {output.shape[1]}")
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
        ax.set(xlabel="column", ylabel="row", xticks=range(values.shape[1]), yticks=range(values.shape[0]))
    ax_in.add_patch(Rectangle((left - 0.5, top - 0.5), kw, kh, fill=False, ec=KERNEL_COLOR, lw=3))
    ax_k.add_patch(Rectangle((-0.5, -0.5), kw, kh, fill=False, ec=KERNEL_COLOR, lw=3))
    ax_out.add_patch(Rectangle((col - 0.5, row - 0.5), 1, 1, fill=False, ec=KERNEL_COLOR, lw=3))
    ax_in.set_title(f"input {x.shape[0]} × {x.shape[1]}, window at ({top}, {left})")
    ax_k.set_title(f"kernel {kh} × {kw}")
    ax_out.set_title(f"output {output.shape[0]} × {output.shape[1]}: ({row}, {col}) = {output[row, col]:.4g}")
    return fig


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
        self.ax_in.set_facecolor(PADDING_COLOR)
        self.ax_in.add_patch(self.border)
        self.ax_in.add_patch(self.window)
        self.ax_out.add_patch(self.unit)
        self.ax_in.set(xlabel="column", ylabel="row", xticks=[], yticks=[])
        self.ax_out.set(xlabel="column", ylabel="row", xticks=[], yticks=[])


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
    art.ax_in.set_title(f"input {h}×{w}, padding {ph if ph == pw else padding}")

    _set_image(art.ax_out, art.image_out, feature_map, float(feature_map.min()), float(feature_map.max()))
    art.ax_out.set(xlim=(-0.5, ow - 0.5), ylim=(oh - 0.5, -0.5))
    _place(art.unit, r, c, 1, 1)
    art.ax_out.set_title(f"output {oh}×{ow}: ({r}, {c}) = {feature_map[r, c]:.3g}")
    return fig


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
        raise ValueError(f"titles has {len(titles)} entries but responses has {len(responses)}; "
                         "give one title per feature map")
    image = _as_matrix(image, "image")
    maps = [_as_matrix(m, f"responses[{i}]") for i, m in enumerate(responses)]
    if fig is None:
        from matplotlib.figure import Figure

        fig = Figure(figsize=(3.0 * (1 + len(maps)), 3.4), layout="constrained")
    fig.clear()
    axes = fig.subplots(1, 1 + len(maps), squeeze=False)[0]
    axes[0].imshow(image, cmap=INPUT_CMAP)
    axes[0].set_title(f"input {image.shape[0]} × {image.shape[1]}")
    for ax, feature_map, title in zip(axes[1:], maps, titles, strict=True):
        ax.imshow(feature_map, cmap=OUTPUT_CMAP)
        ax.set_title(title)
    for ax in axes:
        ax.set(xlabel="column", ylabel="row")
    return fig


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
    ax.set(title=title, xlabel="number of parameters (log scale)", ylabel="layer")
    return fig


# --- 00 introduction ---


def plot_neighbour_correlation(distances, correlations, title, ax=None):
    """Correlation between pixels ``d`` apart, one line per image: local structure, drawn.

    Args:
        distances: the pixel distances (x axis).
        correlations: mapping label -> one correlation per distance.
        title: the figure's title.
        ax: an axes to draw on, or ``None`` for a new figure.

    Returns:
        The matplotlib figure.

    Example:
        >>> fig = plot_neighbour_correlation([1, 2], {"photo": [0.9, 0.8]}, "neighbours")
        >>> fig.axes[0].get_xlabel()
        'distance between the two pixels (pixels)'
    """
    fig, ax = new_axes(ax, figsize=(5.0, 3.0))
    colors = (INPUT_COLOR, KERNEL_COLOR, OUTPUT_COLOR)
    for i, (label, values) in enumerate(correlations.items()):
        ax.plot(list(distances), list(values), "o-", color=colors[i % 3], label=label, ms=3)
    ax.axhline(0.0, color="black", lw=0.6)
    ax.set(title=title, xlabel="distance between the two pixels (pixels)", ylabel="correlation", ylim=(-0.1, 1.05))
    ax.legend()
    return fig


def plot_layer_stages(stages, fig=None):
    """One panel per stage of a small CNN: images as pictures, vectors as bar charts.

    Args:
        stages: a list of ``(title, array)``: a (3, H, W) array is drawn in colour, an
            (H, W) array in ``OUTPUT_CMAP``, a 1-D array as bars.
        fig: a figure to draw on, or ``None`` for a new one.

    Returns:
        The matplotlib figure.

    Example:
        >>> import numpy as np
        >>> fig = plot_layer_stages([("input", np.zeros((3, 4, 4))), ("scores", np.ones(3))])
        >>> [ax.get_title() for ax in fig.axes]
        ['input', 'scores']
    """
    import numpy as np

    if fig is None:
        from matplotlib.figure import Figure

        fig = Figure(figsize=(2.3 * len(stages), 2.6), layout="constrained")
    for ax, (title, array) in zip(fig.subplots(1, len(stages), squeeze=False)[0], stages, strict=True):
        array = np.asarray(array, dtype=float)
        if array.ndim == 1:
            ax.bar(range(len(array)), array, color=OUTPUT_COLOR)
            ax.set(xlabel="output unit", ylabel="score")
        else:
            shown = array.transpose(1, 2, 0) if array.ndim == 3 else array  # (H, W, 3) or (H, W)
            ax.imshow(shown, cmap=None if array.ndim == 3 else OUTPUT_CMAP)
            ax.set(xlabel="column", ylabel="row")
        ax.set_title(title)
    return fig


# --- 01 input layer ---

CHANNEL_VIEWS = ("RGB", "R", "G", "B", "grayscale")
LAYOUTS = ("NCHW", "NHWC")
LAYOUT_NAMES = {"NCHW": "N×C×H×W", "NHWC": "N×H×W×C"}
# ITU-R BT.601 luma: how much red, green and blue a grey level takes from each channel.
LUMA_WEIGHTS = (0.299, 0.587, 0.114)
_CHANNEL_COLORS = {"R": (1.0, 0.0, 0.0), "G": (0.0, 1.0, 0.0), "B": (0.0, 0.0, 1.0), "gray": (1.0, 1.0, 1.0)}
MEMORY_STRIP = 24  # how many numbers of memory the input explorer draws


def _check_rgb_batch(images):
    import torch

    if not isinstance(images, torch.Tensor):
        raise TypeError(f"images must be a torch.Tensor of shape (N, 3, H, W), got {type(images).__name__}")
    if images.ndim != 4 or images.shape[1] != 3:
        hint = "; add a batch dimension with images[None]" if images.ndim == 3 else ""
        raise ValueError(f"images must have shape (N, 3, H, W), got {tuple(images.shape)}{hint}")


def channel_view(images, view: str):
    """The channels of an RGB batch that one view keeps: all three, one, or a grey mix.

    Args:
        images: a batch of RGB images.
        view: one of ``CHANNEL_VIEWS``: ``"RGB"``, ``"R"``, ``"G"``, ``"B"`` or ``"grayscale"``
            (the weighted sum ``LUMA_WEIGHTS`` of the three channels).

    Returns:
        A tensor with the kept channels; its channel names are ``channel_names(view)``.

    Raises:
        TypeError: ``images`` is not a tensor.
        ValueError: ``images`` is not (N, 3, H, W), or ``view`` is unknown.

    Shape:
        (N, 3, H, W) -> (N, 3, H, W) for ``"RGB"``, (N, 1, H, W) for every other view.

    Example:
        >>> import torch
        >>> x = torch.ones(2, 3, 4, 5)
        >>> channel_view(x, "G").shape
        torch.Size([2, 1, 4, 5])
        >>> round(channel_view(x, "grayscale").max().item(), 6)
        1.0
    """
    from ._validation import check_choice

    _check_rgb_batch(images)
    check_choice(view, "view", CHANNEL_VIEWS)
    if view == "RGB":
        return images
    if view == "grayscale":
        weights = images.new_tensor(LUMA_WEIGHTS).view(1, 3, 1, 1)
        return (images * weights).sum(dim=1, keepdim=True)  # (N, 1, H, W)
    c = "RGB".index(view)
    return images[:, c:c + 1]  # (N, 1, H, W)


def channel_names(view: str) -> tuple[str, ...]:
    """The names of the channels ``channel_view(images, view)`` keeps.

    Example:
        >>> channel_names("RGB"), channel_names("B"), channel_names("grayscale")
        (('R', 'G', 'B'), ('B',), ('gray',))
    """
    return ("R", "G", "B") if view == "RGB" else ("gray",) if view == "grayscale" else (view,)


def to_layout(images, layout: str):
    """Store a batch in a memory layout: ``"NCHW"`` (PyTorch) or ``"NHWC"`` (channels last).

    The result is contiguous, so its strides are those of that layout.

    Args:
        images: a batch in PyTorch's order.
        layout: ``"NCHW"`` or ``"NHWC"``.

    Returns:
        A contiguous tensor with the dimensions in ``layout`` order.

    Raises:
        ValueError: ``layout`` is unknown or ``images`` is not 4-D.

    Shape:
        (N, C, H, W) -> (N, C, H, W) or (N, H, W, C).

    Example:
        >>> import torch
        >>> to_layout(torch.zeros(2, 3, 4, 5), "NHWC").stride()
        (60, 15, 3, 1)
    """
    import torch

    from ._validation import check_choice

    check_choice(layout, "layout", LAYOUTS)
    if images.ndim != 4:
        raise ValueError(f"images must have shape (N, C, H, W), got {tuple(images.shape)}")
    arranged = images if layout == "NCHW" else images.permute(0, 2, 3, 1)  # (N, H, W, C)
    # A fresh copy, not .contiguous(): that keeps odd strides on dimensions of size 1.
    return torch.empty(arranged.shape, dtype=arranged.dtype).copy_(arranged)


def memory_labels(shape, layout: str, names, count: int) -> list[str]:
    """Name the first ``count`` numbers of a contiguous tensor, in memory order.

    Args:
        shape: the tensor's shape, in ``layout`` order.
        layout: ``"NCHW"`` or ``"NHWC"``.
        names: the channel names.
        count: how many numbers to name.

    Returns:
        Labels like ``"R[0,1]"`` (channel R, row 0, column 1); ``"#1 R[0,1]"`` for image 1.

    Example:
        >>> memory_labels((1, 2, 2, 3), "NHWC", ("R", "G", "B"), 4)
        ['R[0,0]', 'G[0,0]', 'B[0,0]', 'R[0,1]']
        >>> memory_labels((1, 3, 2, 2), "NCHW", ("R", "G", "B"), 4)
        ['R[0,0]', 'R[0,1]', 'R[1,0]', 'R[1,1]']
    """
    import numpy as np

    total = int(np.prod(shape))
    labels = []
    for index in range(min(count, total)):
        position = dict(zip(layout, np.unravel_index(index, tuple(shape)), strict=True))
        image = f"#{position['N']} " if position["N"] else ""
        labels.append(f"{image}{names[position['C']]}[{position['H']},{position['W']}]")
    return labels


class _InputArtists:
    """The input explorer's two axes: a mosaic of the batch and a memory strip, made once.

    One image artist per axes keeps a redraw (and its PNG) cheap: no per-image axes,
    titles or layout solving.
    """

    def __init__(self, fig, max_batch: int, columns: int = 4):
        import numpy as np

        self.columns = min(columns, max_batch)
        self.rows = -(-max_batch // self.columns)
        grid = fig.add_gridspec(2, 1, height_ratios=[self.rows, 0.3], left=0.04, right=0.96, top=0.92,
                                bottom=0.14, hspace=0.5)
        self.ax_batch = fig.add_subplot(grid[0])
        self.batch = self.ax_batch.imshow(np.ones((2, 2, 3)))
        self.ax_batch.set_xticks([])
        self.ax_batch.set_yticks([])
        self.ax_batch.set_xlabel("images 0, 1, 2, … left to right, top to bottom")
        self.ax_memory = fig.add_subplot(grid[1])
        self.memory = self.ax_memory.imshow(np.zeros((1, MEMORY_STRIP, 3)), aspect="auto")
        self.ax_memory.set_yticks([])
        self.ax_memory.set_xlabel("position in memory (offset)")

    def mosaic(self, shown, gap: int = 4):
        """Tile (N, H, W, 3) images into one (rows·(H+gap), columns·(W+gap), 3) picture."""
        import numpy as np

        n, h, w, _ = shown.shape
        tiles = np.ones((self.rows, self.columns, h + gap, w + gap, 3))  # white gaps and empty slots
        for i in range(n):
            tiles[i // self.columns, i % self.columns, :h, :w] = shown[i]
        return tiles.transpose(0, 2, 1, 3, 4).reshape(self.rows * (h + gap), self.columns * (w + gap), 3)


def plot_input_batch(images, view: str = "RGB", batch_size: int | None = None, layout: str = "NCHW",
                     fig=None, max_batch: int = 8):
    """Draw a batch as the input layer sees it, and the first numbers of its memory.

    Top: the images of the batch side by side (colour for RGB, grey levels for one channel).
    Bottom: the first ``MEMORY_STRIP`` numbers in memory order for ``layout``, each drawn in
    its channel's colour: all red for N×C×H×W (a whole channel comes first), red-green-blue
    repeating for N×H×W×C. Redrawing on the same ``fig`` reuses its artists.

    Args:
        images: RGB images in [0, 1], PyTorch order.
        view: one of ``CHANNEL_VIEWS``.
        batch_size: how many of ``images`` form the batch; ``None`` takes as many as fit.
        layout: ``"NCHW"`` or ``"NHWC"``.
        fig: a figure this function drew before, to update; ``None`` makes a new one.
        max_batch: images the figure has room for (only used when it makes the figure).

    Returns:
        The matplotlib figure.

    Raises:
        ValueError: ``batch_size`` is not between 1 and the number of images (or the
            figure's room), or ``view``/``layout`` is unknown.

    Shape:
        images: (N, 3, H, W).

    Example:
        >>> import torch
        >>> fig = plot_input_batch(torch.rand(3, 3, 8, 8), view="R", layout="NHWC")
        >>> [ax.get_title() for ax in fig.axes]
        ['batch of 3 images, channels: R', 'first 24 numbers in memory (N×H×W×C)']
    """
    import numpy as np

    from ._validation import check_int

    _check_rgb_batch(images)
    if fig is None:
        from matplotlib.figure import Figure

        fig = Figure(figsize=(5.0, 1.3 * (-(-max_batch // 4)) + 1.2))
    art = getattr(fig, "_input_artists", None)  # set by an earlier call on this figure
    if art is None:
        art = fig._input_artists = _InputArtists(fig, max_batch)
    room = min(len(images), art.rows * art.columns)
    batch_size = room if batch_size is None else check_int(batch_size, "batch_size", minimum=1)
    if batch_size > room:
        raise ValueError(f"batch_size {batch_size} is more than the {room} images available; pick at most {room}")
    batch = channel_view(images[:batch_size], view)  # (N, C, H, W)
    shown = batch.permute(0, 2, 3, 1).expand(-1, -1, -1, 3).numpy()  # (N, H, W, 3): grey as R=G=B
    art.batch.set_data(art.mosaic(shown))
    art.ax_batch.set_title(f"batch of {batch_size} image{'s' * (batch_size > 1)}, channels: {view}", fontsize=10)

    arranged = to_layout(batch, layout)
    values = arranged.flatten()[:MEMORY_STRIP].numpy()
    labels = memory_labels(arranged.shape, layout, channel_names(view), MEMORY_STRIP)
    colors = np.array([_CHANNEL_COLORS[label.split("[")[0].split()[-1]] for label in labels])  # (k, 3)
    strip = np.zeros((1, MEMORY_STRIP, 3))
    strip[0, :len(values)] = colors * values[:, None]
    art.memory.set_data(strip)
    art.ax_memory.set_title(f"first {MEMORY_STRIP} numbers in memory ({LAYOUT_NAMES[layout]})", fontsize=10)
    return fig


def input_layout_numbers(images, view: str, batch_size: int, layout: str) -> dict:
    """The numbers the input explorer shows for one setting, read off a real tensor.

    Args:
        images: RGB images in [0, 1], PyTorch order; the batch is the first ``batch_size``.
        view, batch_size, layout: as in :func:`plot_input_batch`.

    Returns:
        A dict with ``shape`` and ``strides`` (in ``layout`` order), ``numel``, ``bytes``
        (float32), ``first`` (labels of the first numbers in memory) and ``example``: the
        offset of the last channel of pixel (1, 2) of the last image, worked out from the
        strides and checked against the tensor.

    Shape:
        images: (N, 3, H, W).

    Example:
        >>> import torch
        >>> numbers = input_layout_numbers(torch.rand(4, 3, 5, 6), "RGB", 2, "NHWC")
        >>> numbers["shape"], numbers["strides"], numbers["numel"]
        ((2, 5, 6, 3), (90, 18, 3, 1), 180)
    """
    batch = channel_view(images[:batch_size], view)  # (N, C, H, W)
    arranged = to_layout(batch, layout)
    n, c, y, x = batch.shape[0] - 1, batch.shape[1] - 1, 1, 2
    index = dict(zip("NCHW", (n, c, y, x), strict=True))
    offset = sum(index[dim] * stride for dim, stride in zip(layout, arranged.stride(), strict=True))
    return {
        "shape": tuple(arranged.shape),
        "strides": tuple(arranged.stride()),
        "numel": arranged.numel(),
        "bytes": arranged.numel() * arranged.element_size(),
        "first": memory_labels(arranged.shape, layout, channel_names(view), 6),
        "example": (index, offset),
    }


def render_input_explorer(fig, images, view: str, batch_size: int, layout: str) -> str:
    """The input explorer's update: redraw ``fig`` and return the numbers as HTML.

    Args:
        fig: the explorer's persistent figure (made by :func:`plot_input_batch`).
        images, view, batch_size, layout: as in :func:`plot_input_batch`.

    Returns:
        HTML with the shape, number count, memory size, strides and memory order.

    Raises:
        ValueError: an impossible setting (see :func:`plot_input_batch`).

    Example:
        >>> import torch
        >>> images = torch.rand(2, 3, 8, 8)
        >>> fig = plot_input_batch(images, max_batch=2)
        >>> "(2, 3, 8, 8)" in render_input_explorer(fig, images, "RGB", 2, "NCHW")
        True
    """
    plot_input_batch(images, view, batch_size, layout, fig=fig)
    numbers = input_layout_numbers(images, view, batch_size, layout)
    index, offset = numbers["example"]
    names = channel_names(view)
    terms = " + ".join(f"{index[d]}·{s}" for d, s in zip(layout, numbers["strides"], strict=True))
    dims = "×".join(str(s) for s in numbers["shape"])
    rows = [
        ("layout", LAYOUT_NAMES[layout]),
        ("shape", f"{numbers['shape']}"),
        ("numbers", f"{dims} = {numbers['numel']:,}"),
        ("memory (float32)", f"{numbers['numel']:,} × 4 bytes = {numbers['bytes']:,} bytes"),
        ("strides", f"{numbers['strides']} (numbers to skip for one step along each dimension)"),
        ("first in memory", ", ".join(numbers["first"]) + ", …"),
        (f"{names[index['C']]} of pixel ({index['H']}, {index['W']}) of image {index['N']}",
         f"offset {terms} = {offset}"),
    ]
    note = ""
    if len(names) == 1:
        note = "<p>With one channel, both layouts keep the numbers in the same order.</p>"
    body = "".join(f"<tr><td>{name}</td><td><code>{value}</code></td></tr>" for name, value in rows)
    return f'<table class="input-explorer-numbers">{body}</table>{note}'


def plot_channels(image, fig=None):
    """An RGB image and its three channels side by side, each channel as grey levels.

    Args:
        image: an RGB image in [0, 1], PyTorch order.
        fig: a figure to draw on, or ``None`` for a new one.

    Returns:
        The matplotlib figure.

    Raises:
        ValueError: ``image`` is not (3, H, W).

    Shape:
        image: (3, H, W).

    Example:
        >>> import torch
        >>> [ax.get_title() for ax in plot_channels(torch.rand(3, 4, 4)).axes]
        ['RGB photo (3, 4, 4)', 'channel 0: R', 'channel 1: G', 'channel 2: B']
    """
    if getattr(image, "ndim", None) != 3 or image.shape[0] != 3:
        raise ValueError(f"image must have shape (3, H, W), got {tuple(getattr(image, 'shape', ()))}")
    if fig is None:
        from matplotlib.figure import Figure

        fig = Figure(figsize=(10.0, 3.2), layout="constrained")
    axes = fig.subplots(1, 4)
    axes[0].imshow(image.permute(1, 2, 0).numpy())  # imshow wants (H, W, 3)
    axes[0].set_title(f"RGB photo {tuple(image.shape)}")
    for c, ax in enumerate(axes[1:]):
        ax.imshow(image[c].numpy(), cmap=INPUT_CMAP, vmin=0.0, vmax=1.0)
        ax.set_title(f"channel {c}: {'RGB'[c]}")
    for ax in axes:
        ax.set(xlabel="column (W)", ylabel="row (H)")
    return fig


def plot_spectrogram(magnitude, sample_rate: float, hop_length: int, title: str, ax=None):
    """A spectrogram in decibels: time across, frequency up.

    Args:
        magnitude: |STFT| as returned by ``torch.stft(...).abs()``.
        sample_rate: samples per second of the signal.
        hop_length: samples between two frames.
        title: the figure's title.
        ax: an axes to draw on, or ``None`` for a new figure.

    Returns:
        The matplotlib figure.

    Shape:
        magnitude: (F, T): F = n_fft // 2 + 1 frequency bins, T frames.

    Example:
        >>> import torch
        >>> fig = plot_spectrogram(torch.ones(129, 20), 8000, 64, "tones")
        >>> fig.axes[0].get_ylabel()
        'frequency (Hz)'
    """
    import torch

    fig, ax = new_axes(ax, figsize=(6.0, 3.2))
    frames = magnitude.shape[1]
    decibels = 20 * torch.log10(magnitude.clamp_min(1e-6))  # (F, T)
    image = ax.imshow(decibels.numpy(), origin="lower", aspect="auto", cmap=OUTPUT_CMAP,
                      extent=(0, frames * hop_length / sample_rate, 0, sample_rate / 2))
    fig.colorbar(image, ax=ax, label="magnitude (dB)")
    ax.set(title=title, xlabel="time (s)", ylabel="frequency (Hz)")
    return fig


def plot_sequence_conv(vectors, words, output, kernel_size: int, fig=None):
    """A sentence as word vectors (columns) and a Conv1d's output, first window outlined.

    Args:
        vectors: one column per word, one row per embedding dimension.
        words: the words, one per column.
        output: the Conv1d output, one column per window position.
        kernel_size: words per window.
        fig: a figure to draw on, or ``None`` for a new one.

    Returns:
        The matplotlib figure.

    Shape:
        vectors: (E, L); output: (C_out, L_out).

    Example:
        >>> import torch
        >>> fig = plot_sequence_conv(torch.rand(4, 5), list("abcde"), torch.rand(2, 3), 3)
        >>> [ax.get_title() for ax in fig.axes]
        ['input: 5 word vectors (4, 5)', 'Conv1d output (2, 3)']
    """
    from matplotlib.patches import Rectangle

    if fig is None:
        from matplotlib.figure import Figure

        fig = Figure(figsize=(8.0, 3.0), layout="constrained")
    ax_in, ax_out = fig.subplots(1, 2, width_ratios=[vectors.shape[1], output.shape[1]])
    ax_in.imshow(vectors.numpy(), cmap=INPUT_CMAP, aspect="auto")
    ax_in.add_patch(Rectangle((-0.5, -0.5), kernel_size, vectors.shape[0], fill=False, ec=KERNEL_COLOR, lw=2.5))
    ax_in.set_xticks(range(len(words)), words, rotation=45)
    ax_in.set(title=f"input: {len(words)} word vectors {tuple(vectors.shape)}", xlabel="word (position)",
              ylabel="embedding dimension (channel)")
    ax_out.imshow(output.numpy(), cmap=OUTPUT_CMAP, aspect="auto")
    ax_out.add_patch(Rectangle((-0.5, -0.5), 1, output.shape[0], fill=False, ec=KERNEL_COLOR, lw=2.5))
    ax_out.set(title=f"Conv1d output {tuple(output.shape)}", xlabel="window position",
               ylabel="output channel")
    return fig


# --- 03 receptive field ---
RF_FIGURE_DPI = 72  # the explorer's PNG resolution (small PNGs keep updates fast)


def region_size(region) -> tuple[int, int]:
    """The (height, width) of an inclusive region ``((top, bottom), (left, right))``.

    Example:
        >>> region_size(((-6, 9), (-6, 9)))
        (16, 16)
    """
    (top, bottom), (left, right) = region
    return (bottom - top + 1, right - left + 1)


def _as_picture(image):
    """A tensor or array image as an array matplotlib shows: (H, W) grey or (H, W, 3) colour."""
    import numpy as np

    array = np.asarray(image.detach().cpu() if hasattr(image, "detach") else image, dtype=float)
    if array.ndim not in (2, 3) or (array.ndim == 3 and array.shape[0] not in (1, 3)):
        raise ValueError(f"image must be (H, W), (1, H, W) or (3, H, W), got shape {array.shape}")
    if array.ndim == 3:
        array = array[0] if array.shape[0] == 1 else array.transpose(1, 2, 0)  # (H, W) or (H, W, 3)
    return array.clip(0.0, 1.0) if array.ndim == 3 else array


def _region_bounds(image_size, regions):
    """Axis limits ((x0, x1), (y0, y1)) that show the image and every region, pixel edges at +-0.5."""
    h, w = image_size
    tops = [0] + [r[0][0] for r in regions]
    bottoms = [h - 1] + [r[0][1] for r in regions]
    lefts = [0] + [r[1][0] for r in regions]
    rights = [w - 1] + [r[1][1] for r in regions]
    return (min(lefts) - 0.5, max(rights) + 0.5), (max(bottoms) + 0.5, min(tops) - 0.5)


def _place_region(rect, region):
    """Move a Rectangle patch onto an inclusive pixel region ((top, bottom), (left, right))."""
    (top, _), (left, _) = region
    height, width = region_size(region)
    rect.set_xy((left - 0.5, top - 0.5))
    rect.set_width(width)
    rect.set_height(height)


def plot_receptive_field(image, regions, labels=None, title=None, ax=None):
    """Draw one or more receptive-field regions on an image; the padding around it shaded.

    Args:
        image: (H, W), (1, H, W) or (3, H, W) tensor or array with values in [0, 1].
        regions: one region ``((top, bottom), (left, right))`` (inclusive input rows and
            columns, as ``receptive_field(...)[k].region(i, j)`` returns) or a list of them.
            Rows and columns outside the image lie in the padding and are drawn there.
        labels: optional text for each region, written at its top-left corner.
        title: the axes title; default names the region size.
        ax: axes to draw on; ``None`` makes a new figure.

    Returns:
        The matplotlib figure.

    Raises:
        ValueError: ``labels`` and ``regions`` differ in length, or ``image`` has another shape.

    Example:
        >>> import numpy as np
        >>> fig = plot_receptive_field(np.zeros((28, 28)), ((-6, 9), (-6, 9)))
        >>> fig.axes[0].get_title()
        'receptive field: 16 × 16 input pixels'
    """
    from matplotlib.patches import Rectangle

    picture = _as_picture(image)
    if isinstance(regions[0][0], int):
        regions = [regions]
    labels = [None] * len(regions) if labels is None else list(labels)
    if len(labels) != len(regions):
        raise ValueError(f"labels has {len(labels)} entries for {len(regions)} regions; give one label per region")
    fig, ax = new_axes(ax, figsize=(4.0, 4.0))
    h, w = picture.shape[:2]
    ax.set_facecolor(PADDING_COLOR)
    ax.imshow(picture, cmap=INPUT_CMAP, vmin=0.0, vmax=1.0)
    ax.add_patch(Rectangle((-0.5, -0.5), w, h, fill=False, ec=INPUT_COLOR, lw=1.2, ls=":"))
    styles = ("-", "--", ":", "-.")  # one line style per region, so overlapping regions stay apart
    for index, (region, label) in enumerate(zip(regions, labels, strict=True)):
        rect = Rectangle((0, 0), 1, 1, fill=False, ec=KERNEL_COLOR, lw=2.0, ls=styles[index % len(styles)])
        _place_region(rect, region)
        ax.add_patch(rect)
        if label:
            ax.text(region[1][0], region[0][0], label, color=KERNEL_COLOR, fontsize=9, ha="left", va="top",
                    bbox={"fc": "white", "ec": "none", "alpha": 0.8, "pad": 1.0})
    xlim, ylim = _region_bounds((h, w), regions)
    ax.set(xlim=xlim, ylim=ylim, xlabel="input column", ylabel="input row")
    if title is None:
        sizes = sorted({region_size(r) for r in regions})
        title = "receptive field: " + ", ".join(f"{a} × {b}" for a, b in sizes) + " input pixels"
    ax.set_title(title)
    return fig


def plot_rf_growth(depths, sizes: dict, ax=None):
    """Receptive-field size against depth, one line per stack of layers.

    Args:
        depths: the layer counts on the x axis.
        sizes: label -> receptive-field sizes (one per depth).
        ax: axes to draw on; ``None`` makes a new figure.

    Returns:
        The matplotlib figure.

    Example:
        >>> fig = plot_rf_growth([1, 2, 3], {"3×3 convs": [3, 5, 7]})
        >>> fig.axes[0].get_xlabel()
        'number of layers'
    """
    fig, ax = new_axes(ax, figsize=(5.0, 3.4))
    for label, values in sizes.items():
        ax.plot(list(depths), list(values), marker="o", label=label)
    ax.set(title="receptive field grows with depth", xlabel="number of layers",
           ylabel="rf_size (input pixels)", xticks=list(depths))
    ax.legend()
    ax.grid(alpha=0.3)
    return fig


def plot_effective_receptive_field(erf, region, title=None, ax=None):
    """The effective receptive field (a gradient-magnitude map) with the theoretical region on top.

    Args:
        erf: (H, W) map, e.g. ``effective_receptive_field(...)``, the |gradient| of one
            output unit with respect to each input pixel.
        region: the theoretical region ``((top, bottom), (left, right))`` of that unit.
        title: the axes title; default: a standard one.
        ax: axes to draw on; ``None`` makes a new figure.

    Returns:
        The matplotlib figure.

    Example:
        >>> import numpy as np
        >>> erf = np.outer(np.hanning(9), np.hanning(9))
        >>> fig = plot_effective_receptive_field(erf, ((0, 8), (0, 8)))
        >>> fig.axes[0].get_xlabel()
        'input column'
    """
    import numpy as np
    from matplotlib.patches import Rectangle

    erf = np.asarray(erf.detach().cpu() if hasattr(erf, "detach") else erf, dtype=float)  # (H, W)
    fig, ax = new_axes(ax, figsize=(4.6, 4.0))
    shown = ax.imshow(erf / erf.max(), cmap=OUTPUT_CMAP, vmin=0.0, vmax=1.0)
    rect = Rectangle((0, 0), 1, 1, fill=False, ec=KERNEL_COLOR, lw=2.0, label="theoretical receptive field")
    _place_region(rect, region)
    ax.add_patch(rect)
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.08), fontsize=8, frameon=False)
    fig.colorbar(shown, ax=ax, label="|gradient| / max")
    h, w = erf.shape
    xlim, ylim = _region_bounds((h, w), [region])
    ax.set(xlim=xlim, ylim=ylim, xlabel="input column", ylabel="input row",
           title=title or "effective receptive field")
    return fig


class _RFArtists:
    """The artists of the receptive-field explorer's figure, created once and updated after."""

    def __init__(self, fig):
        from matplotlib.patches import Rectangle

        self.ax_in, self.ax_out = fig.subplots(1, 2, width_ratios=[1.4, 1.0])
        self.image_in = self.ax_in.imshow([[0.0]], cmap=INPUT_CMAP, vmin=0.0, vmax=1.0)
        self.image_out = self.ax_out.imshow([[0.0]], cmap="Greens", vmin=0.0, vmax=1.0)
        self.border = Rectangle((0, 0), 1, 1, fill=False, ec=INPUT_COLOR, lw=1.2, ls=":")
        self.region = Rectangle((0, 0), 1, 1, fill=True, fc=KERNEL_COLOR + "33", ec=KERNEL_COLOR, lw=2.2)
        self.unit = Rectangle((0, 0), 1, 1, fill=False, ec=KERNEL_COLOR, lw=2.2)
        self.ax_in.set_facecolor(PADDING_COLOR)
        for ax, patch in ((self.ax_in, self.border), (self.ax_in, self.region), (self.ax_out, self.unit)):
            ax.add_patch(patch)
        for ax in (self.ax_in, self.ax_out):  # no ticks: tick text is a third of a redraw; titles say it
            ax.set_xticks([])
            ax.set_yticks([])
        for ax in (self.ax_in, self.ax_out):  # short, small labels: each text costs a few ms per redraw
            ax.set_xlabel("column", fontsize=9)
            ax.set_ylabel("row", fontsize=9)
        self.picture = None  # the array shown now, to skip set_data when it did not change


def rf_explorer_figure():
    """A figure for :func:`plot_rf_explorer` with a fixed layout (no layout engine: faster redraws).

    Example:
        >>> rf_explorer_figure().get_size_inches().tolist()
        [6.4, 3.2]
    """
    return fixed_layout_figure((6.4, 3.2), left=0.07, right=0.98, bottom=0.12, top=0.9, wspace=0.25)


def plot_rf_explorer(image, region, output_size, unit, fig=None):
    """Draw the input with one output unit's receptive-field region, next to the output grid.

    Left: the image, the padding around it shaded, the region of ``unit`` filled in the
    kernel colour. Right: the output units, the chosen one outlined. Redrawing on the same
    ``fig`` reuses its artists, so the explorer can call this on every slider move.

    Args:
        image: (H, W), (1, H, W) or (3, H, W) tensor or array in [0, 1].
        region: ``((top, bottom), (left, right))`` of the unit, inclusive, unclipped.
        output_size: (H_out, W_out) of the layer the unit belongs to.
        unit: (row, col) of the output unit.
        fig: a figure this function drew before, to update; ``None`` makes a new one.

    Returns:
        The matplotlib figure.

    Example:
        >>> import numpy as np
        >>> fig = plot_rf_explorer(np.zeros((28, 28)), ((-6, 9), (-6, 9)), (7, 7), (0, 0))
        >>> [ax.get_title() for ax in fig.axes]
        ['region 16 × 16: rows -6…9, cols -6…9', 'output 7 × 7: unit (0, 0)']
    """
    import numpy as np

    fig = rf_explorer_figure() if fig is None else fig
    art = getattr(fig, "_rf_artists", None)  # set by an earlier call on this figure
    if art is None:
        art = fig._rf_artists = _RFArtists(fig)
    if art.picture is not image:  # a new image: the only costly update, done once per image
        picture = _as_picture(image)
        art.image_in.set_data(picture)
        art.picture = image
        h, w = picture.shape[:2]
        art.image_in.set_extent((-0.5, w - 0.5, h - 0.5, -0.5))
        art.border.set_width(w)
        art.border.set_height(h)
        art.border.set_xy((-0.5, -0.5))
    h, w = art.image_in.get_size()
    _place_region(art.region, region)
    xlim, ylim = _region_bounds((h, w), [region])
    art.ax_in.set(xlim=xlim, ylim=ylim)
    rh, rw = region_size(region)
    (top, bottom), (left, right) = region
    art.ax_in.set_title(f"region {rh} × {rw}: rows {top}…{bottom}, cols {left}…{right}", fontsize=10,
                        y=1.0)  # a fixed y skips the title's auto-placement

    oh, ow = output_size
    grid = np.full((oh, ow), 0.15)
    grid[unit] = 0.8
    art.image_out.set_data(grid)
    art.image_out.set_extent((-0.5, ow - 0.5, oh - 0.5, -0.5))
    art.ax_out.set(xlim=(-0.5, ow - 0.5), ylim=(oh - 0.5, -0.5))
    art.unit.set_xy((unit[1] - 0.5, unit[0] - 0.5))
    art.ax_out.set_title(f"output {oh} × {ow}: unit ({unit[0]}, {unit[1]})", fontsize=10, y=1.0)
    return fig


def _pair_text(pair) -> str:
    """An (h, w) pair as students read it: ``4`` when both are equal, else ``(4, 2)``."""
    return str(pair[0]) if pair[0] == pair[1] else f"({pair[0]}, {pair[1]})"


def rf_numbers_html(table, unit) -> str:
    """The receptive-field explorer's numbers: the chosen unit's region and the per-layer table.

    Args:
        table: the rows ``receptive_field(model, input_size)`` returned; the last row is the
            layer whose unit is shown.
        unit: (row, col) of the unit of the last row.

    Returns:
        HTML: a summary table (output size, rf_size, effective_stride, effective_padding,
        region rows and columns with the formula filled in) and one row per layer; every
        number sits in a cell with a class the tests look up.

    Example:
        >>> from torch import nn
        >>> from cnn_helpers.receptive_field import receptive_field
        >>> table = receptive_field(nn.Sequential(nn.Conv2d(1, 1, 3), nn.Conv2d(1, 1, 3)), (1, 8, 8))
        >>> '<td class="rf-size">5 × 5</td>' in rf_numbers_html(table, (0, 0))
        True
    """
    last = table[-1]
    (oh, ow), (rh, rw) = last.output_size, last.rf_size
    (jh, jw), (ph, pw) = last.effective_stride, last.effective_padding
    (top, bottom), (left, right) = last.region(*unit)
    i, j = unit
    ih, iw = table.input_size[-2:]  # (C, H, W) -> (H, W)
    summary = [
        ("input-size", "input size", f"{ih} × {iw}"),
        ("output-size", "output size", f"{oh} × {ow}"),
        ("rf-size", "rf_size", f"{rh} × {rw}"),
        ("effective-stride", "effective_stride (jump)", _pair_text(last.effective_stride)),
        ("effective-padding", "effective_padding", _pair_text(last.effective_padding)),
        ("region-rows", "rows seen", f"{top} … {bottom}"),
        ("region-cols", "columns seen", f"{left} … {right}"),
    ]
    cells = "".join(f'<tr><th style="text-align:left">{label}</th><td class="{cls}">{text}</td></tr>'
                    for cls, label, text in summary)
    formula = (f"unit ({i}, {j}) sees rows {i}·{jh} − {ph} = {top} … {top} + {rh} − 1 = {bottom} and "
               f"columns {j}·{jw} − {pw} = {left} … {right}; rows or columns outside the image are padding")
    head = "".join(f"<th>{h}</th>" for h in ("layer", "kernel", "stride", "padding", "output", "rf_size",
                                            "jump", "eff. padding"))
    body = "".join(
        f'<tr class="rf-layer"><td>{row.name}</td><td>{_pair_text(row.kernel_size)}</td>'
        f"<td>{_pair_text(row.stride)}</td><td>{_pair_text(row.padding)}</td>"
        f"<td>{row.output_size[0]} × {row.output_size[1]}</td><td>{_pair_text(row.rf_size)}</td>"
        f"<td>{_pair_text(row.effective_stride)}</td><td>{_pair_text(row.effective_padding)}</td></tr>"
        for row in table
    )
    return (f'<table class="rf-numbers">{cells}</table><p class="rf-formula">{formula}</p>'
            f'<table class="rf-layers"><tr>{head}</tr>{body}</table>')


# --- 06 full implementation ---


LOSS_LIMITS = (0.005, 5.0)  # cross-entropy: ln 10 = 2.3 for a guess among 10 classes, ~0.01 when nearly perfect
ACCURACY_LIMITS = (0.1, 0.999)  # chance for 10 classes up to 99.9%
ACCURACY_TICKS = (0.1, 0.5, 0.9, 0.99, 0.999)


class _TrainingArtists:
    """The curves of a training-curves figure, and a cached picture of everything else.

    The axes have fixed limits (log scale for the loss, logit scale for the accuracy), so
    the axes, ticks and labels never change while training: they are drawn once, and each
    update only draws the curves on a copy of them ("blitting"). Text layout is most of
    the cost of a matplotlib redraw; this makes an update about 20 times cheaper.
    """

    def __init__(self, fig, epochs: int):
        from matplotlib.ticker import FixedLocator, FuncFormatter, NullLocator

        self.fig, self.epochs, self.background = fig, epochs, None
        fig.subplots_adjust(left=0.08, right=0.98, bottom=0.17, top=0.89, wspace=0.28)
        self.loss_ax, self.accuracy_ax = fig.subplots(1, 2)
        (self.train,) = self.loss_ax.plot([], [], "o-", color=INPUT_COLOR, label="train")
        (self.test,) = self.loss_ax.plot([], [], "s-", color=KERNEL_COLOR, label="test")
        (self.accuracy,) = self.accuracy_ax.plot([], [], "s-", color=OUTPUT_COLOR)
        self.last = self.accuracy_ax.annotate("", (1, 0.5), textcoords="offset points", xytext=(0, -14),
                                              ha="center")
        self.loss_ax.set_yscale("log")
        self.loss_ax.set(title="loss", xlabel="epoch", ylabel="cross-entropy (log scale)", ylim=LOSS_LIMITS)
        self.loss_ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
        self.loss_ax.yaxis.set_minor_locator(NullLocator())  # 20-odd minor ticks would double the first draw
        self.loss_ax.legend(loc="upper right")
        self.accuracy_ax.set_yscale("logit", nonpositive="clip")
        self.accuracy_ax.set(title="test accuracy", xlabel="epoch", ylabel="accuracy (90%, 99%: equal steps)",
                             ylim=ACCURACY_LIMITS)
        self.accuracy_ax.yaxis.set_major_locator(FixedLocator(ACCURACY_TICKS))
        self.accuracy_ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{100 * v:g}%"))
        self.accuracy_ax.yaxis.set_minor_locator(NullLocator())
        for ax in (self.loss_ax, self.accuracy_ax):
            ax.set(xlim=(0.5, epochs + 0.5))
            ax.set_xticks(range(1, epochs + 1))
            ax.grid(alpha=0.3)

    @property
    def dynamic(self):
        return (self.train, self.test, self.accuracy, self.last)

    def png(self) -> bytes:
        """The figure as PNG: the cached axes with the current curves drawn on top."""
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from PIL import Image

        canvas = self.fig.canvas if isinstance(self.fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(self.fig)
        if self.background is None:
            for artist in self.dynamic:
                artist.set_visible(False)
            canvas.draw()
            self.background = canvas.copy_from_bbox(self.fig.bbox)
            for artist in self.dynamic:
                artist.set_visible(True)
        canvas.restore_region(self.background)
        for artist in self.dynamic:
            artist.axes.draw_artist(artist)
        buffer = io.BytesIO()
        size = canvas.get_width_height()
        Image.frombuffer("RGBA", size, canvas.buffer_rgba(), "raw", "RGBA", 0, 1).save(buffer, "png", compress_level=1)
        return buffer.getvalue()


def training_curves_figure(epochs: int):
    """An empty figure for :func:`plot_training_curves` with room for ``epochs`` epochs.

    Loss on the left (log scale), test accuracy on the right (logit scale: 90%, 99% and
    99.9% are equal steps apart, each step ten times fewer mistakes); fixed limits, so the
    figure does not rescale while training.
    """
    from matplotlib.figure import Figure

    from ._validation import check_int

    epochs = check_int(epochs, "epochs", minimum=1)
    fig = Figure(figsize=(8.0, 2.8), dpi=90)
    fig._training_artists = _TrainingArtists(fig, epochs)
    return fig


def plot_training_curves(history, epochs: int | None = None, fig=None):
    """Loss per epoch (train and test) and test accuracy per epoch, side by side.

    Only the curves change from call to call, so ``fit`` calls it after every epoch on the
    same figure, and :func:`training_curves_png` renders the update cheaply.

    Args:
        history: anything with ``train_loss``, ``test_loss`` and ``test_accuracy`` lists
            (a :class:`cnn_helpers.train.History`); the test lists may be empty.
        epochs: the length of the x axis of a new figure (so it stays put while training);
            default: as many epochs as recorded.
        fig: a figure from :func:`training_curves_figure` to update, or ``None`` for a new one.

    Returns:
        The matplotlib figure.

    Raises:
        ValueError: ``history`` has more epochs than ``fig`` has room for.

    Example:
        >>> from types import SimpleNamespace
        >>> h = SimpleNamespace(train_loss=[0.9, 0.4], test_loss=[0.5, 0.3], test_accuracy=[0.9, 0.95])
        >>> fig = plot_training_curves(h, epochs=5)
        >>> [ax.get_title() for ax in fig.axes]
        ['loss', 'test accuracy']
        >>> fig.axes[1].lines[0].get_ydata().tolist()
        [0.9, 0.95]
    """
    done = len(history.train_loss)
    fig = training_curves_figure(max(epochs or done, done, 1)) if fig is None else fig
    art = fig._training_artists
    if done > art.epochs:
        raise ValueError(f"history has {done} epochs but the figure has room for {art.epochs}; "
                         f"make one with training_curves_figure(epochs={done})")
    import numpy as np

    x = np.arange(1, done + 1)
    accuracy = np.asarray(history.test_accuracy, dtype=float)
    art.train.set_data(x, np.asarray(history.train_loss, dtype=float))
    art.test.set_data(x[: len(history.test_loss)], np.asarray(history.test_loss, dtype=float))
    art.accuracy.set_data(x[: len(accuracy)], accuracy)
    art.last.set_text(f"{100 * accuracy[-1]:.1f}%" if len(accuracy) else "")
    art.last.xy = (len(accuracy), accuracy[-1]) if len(accuracy) else (1, 0.5)
    return fig


def training_curves_png(fig) -> bytes:
    """A figure from :func:`training_curves_figure` as PNG bytes, fast (axes drawn once, then cached).

    The picture is the same as a full redraw's; a live plot updated every epoch costs a few
    milliseconds per update instead of the 100-200 ms of a full redraw.

    Example:
        >>> fig = training_curves_figure(epochs=3)
        >>> training_curves_png(fig)[:4] == b"\\x89PNG"
        True
    """
    return fig._training_artists.png()


def plot_confusion_matrix(matrix, ax=None):
    """A confusion matrix: row = true class, column = predicted class, each cell its count.

    Args:
        matrix: (classes, classes) counts; ``matrix[t, p]`` = images of class t predicted p.
        ax: an axes to draw on, or ``None`` for a new figure.

    Returns:
        The matplotlib figure.

    Raises:
        ValueError: ``matrix`` is not square.

    Example:
        >>> import numpy as np
        >>> fig = plot_confusion_matrix(np.array([[5, 1], [0, 4]]))
        >>> [t.get_text() for t in fig.axes[0].texts]
        ['5', '1', '0', '4']
    """
    import numpy as np

    matrix = np.asarray(matrix)
    if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1]:
        raise ValueError(f"matrix must be square (classes, classes), got shape {matrix.shape}")
    n = matrix.shape[0]
    fig, ax = new_axes(ax, figsize=(5.2, 4.6))
    # Colour by the log of the count, so single mistakes stand out next to 100 right answers.
    image = ax.imshow(np.log1p(matrix), cmap="Blues")
    high = np.log1p(matrix).max()
    for (t, p), count in np.ndenumerate(matrix):
        ax.text(p, t, str(int(count)), ha="center", va="center", fontsize=8,
                color="white" if np.log1p(count) > 0.6 * high else "black")
    ax.set_xticks(range(n))
    ax.set_yticks(range(n))
    ax.set(title=f"confusion matrix: {int(np.trace(matrix))} of {int(matrix.sum())} right",
           xlabel="predicted class", ylabel="true class")
    fig.colorbar(image, ax=ax, label="log(1 + count)")
    return fig


def _grid(fig, count: int, columns: int, figsize_per: float = 1.1):
    from matplotlib.figure import Figure

    rows = max(1, -(-count // columns))
    if fig is None:
        fig = Figure(figsize=(figsize_per * columns, figsize_per * rows + 0.5), layout="constrained")
    fig.clear()
    return fig, fig.subplots(rows, columns, squeeze=False).ravel()


def plot_misclassified(images, labels, predictions, columns: int = 8, max_images: int = 16, fig=None):
    """The images a model got wrong, each titled "true → predicted".

    Args:
        images: (N, 1, H, W) or (N, H, W) images (all of them; the wrong ones are picked here).
        labels: (N,) true classes.
        predictions: (N,) predicted classes.
        columns: images per row.
        max_images: show at most this many (the first ones in dataset order).
        fig: a figure to draw into (it is cleared), or ``None`` for a new one.

    Returns:
        The matplotlib figure; its suptitle says how many were wrong in all.

    Raises:
        ValueError: the three inputs differ in length.

    Example:
        >>> import numpy as np
        >>> fig = plot_misclassified(np.zeros((3, 28, 28)), [1, 2, 3], [1, 7, 3])
        >>> [ax.get_title() for ax in fig.axes if ax.get_title()]
        ['2 → 7']
    """
    import numpy as np

    images = np.asarray(images)
    labels, predictions = np.asarray(labels), np.asarray(predictions)
    if not len(images) == len(labels) == len(predictions):
        raise ValueError(f"images, labels and predictions must have one entry per image, got lengths "
                         f"{len(images)}, {len(labels)} and {len(predictions)}")
    wrong = np.flatnonzero(labels != predictions)
    shown = wrong[:max_images]
    fig, axes = _grid(fig, max(len(shown), 1), columns)
    for ax in axes:
        ax.set_axis_off()
    for ax, i in zip(axes, shown, strict=False):  # more axes than images
        ax.imshow(images[i].reshape(images.shape[-2:]), cmap=INPUT_CMAP)
        ax.set_title(f"{labels[i]} → {predictions[i]}", fontsize=9, color=KERNEL_COLOR)
    fig.suptitle(f"{len(wrong)} of {len(labels)} images wrong (true → predicted); showing {len(shown)}")
    return fig


def plot_filters(weight, columns: int = 8, fig=None):
    """The kernels of a conv layer's first input channel, one small image each.

    Red is positive, blue negative, white zero, on one scale for all kernels, so strong and
    weak filters can be compared.

    Args:
        weight: (out_channels, in_channels, kH, kW) weights, e.g. ``model.conv1[0].weight``.
        columns: kernels per row.
        fig: a figure to draw into (it is cleared), or ``None`` for a new one.

    Returns:
        The matplotlib figure.

    Raises:
        ValueError: ``weight`` is not 4-D.

    Shape:
        weight: (C_out, C_in, kH, kW); channel 0 of each kernel is drawn.

    Example:
        >>> import numpy as np
        >>> fig = plot_filters(np.random.default_rng(0).normal(size=(16, 1, 5, 5)))
        >>> len([ax for ax in fig.axes if ax.images])
        16
    """
    import numpy as np

    weight = np.asarray(weight.detach().cpu() if hasattr(weight, "detach") else weight)
    if weight.ndim != 4:
        raise ValueError(f"weight must be a conv weight (out_channels, in_channels, kH, kW), got shape {weight.shape}")
    limit = float(np.abs(weight[:, 0]).max()) or 1.0
    fig, axes = _grid(fig, len(weight), columns)
    for ax in axes:
        ax.set_axis_off()
    for k, (ax, kernel) in enumerate(zip(axes, weight[:, 0], strict=False)):
        ax.imshow(kernel, cmap="RdBu_r", vmin=-limit, vmax=limit)
        ax.set_title(f"filter {k}", fontsize=8)
    c_out, c_in, kh, kw = weight.shape
    fig.suptitle(f"{c_out} learned {kh}×{kw} kernels (input channel 0 of {c_in}); red > 0 > blue")
    return fig


def plot_embedding(points, labels, title: str, ax=None):
    """A 2-D embedding as a scatter plot, one colour per class, each class named at its median.

    Args:
        points: (N, 2) coordinates, e.g. the first two principal components.
        labels: (N,) integer classes.
        title: the figure title.
        ax: an axes to draw on, or ``None`` for a new figure.

    Returns:
        The matplotlib figure.

    Raises:
        ValueError: ``points`` is not (N, 2) or ``labels`` has another length.

    Example:
        >>> import numpy as np
        >>> fig = plot_embedding(np.array([[0, 0], [1, 1], [5, 5]]), [0, 0, 1], "demo")
        >>> sorted(t.get_text() for t in fig.axes[0].texts)
        ['0', '1']
    """
    import numpy as np

    points, labels = np.asarray(points, dtype=float), np.asarray(labels)
    if points.ndim != 2 or points.shape[1] != 2 or len(points) != len(labels):
        raise ValueError(f"points must be (N, 2) with one label each, got points {points.shape} and "
                         f"{len(labels)} labels")
    fig, ax = new_axes(ax, figsize=(5.5, 4.8))
    colours = [f"C{k}" for k in range(10)]
    for k, cls in enumerate(np.unique(labels)):
        mine = points[labels == cls]
        colour = colours[k % len(colours)]
        ax.scatter(mine[:, 0], mine[:, 1], s=6, alpha=0.5, color=colour)
        x, y = np.median(mine, axis=0)
        ax.text(x, y, str(cls), fontsize=14, weight="bold", color=colour, ha="center", va="center",
                bbox={"boxstyle": "round", "facecolor": "white", "alpha": 0.8, "edgecolor": colour})
    ax.set(title=title, xlabel="component 1", ylabel="component 2")
    return fig


def tile_maps(maps, columns: int):
    """Arrange (C, H, W) feature maps into one (rows·(H+1) − 1, columns·(W+1) − 1) mosaic.

    One image instead of C small axes is what keeps an explorer's redraw fast. The
    one-pixel gaps are NaN (drawn as the background).

    Example:
        >>> import numpy as np
        >>> tile_maps(np.ones((3, 2, 2)), columns=2).shape
        (5, 5)
    """
    import numpy as np

    maps = np.asarray(maps, dtype=float)
    c, h, w = maps.shape
    rows = -(-c // columns)
    mosaic = np.full((rows * (h + 1) - 1, columns * (w + 1) - 1), np.nan)
    for k in range(c):
        r, q = divmod(k, columns)
        mosaic[r * (h + 1): r * (h + 1) + h, q * (w + 1): q * (w + 1) + w] = maps[k]
    return mosaic


class _FeatureMapArtists:
    """The two images of the feature-map explorer, created once and updated in place."""

    def __init__(self, fig):
        import numpy as np

        # Fixed positions and no tick labels: a layout engine and tick text would triple the
        # time of every redraw, and the explorer redraws on every slider move.
        self.ax_in = fig.add_axes((0.03, 0.1, 0.26, 0.75))
        self.ax_maps = fig.add_axes((0.33, 0.1, 0.65, 0.75))
        self.image_in = self.ax_in.imshow(np.zeros((28, 28)), cmap=INPUT_CMAP, vmin=0, vmax=1)
        self.image_maps = self.ax_maps.imshow(np.zeros((2, 2)), cmap=OUTPUT_CMAP)
        self.ax_maps.set(xlabel="one map per channel: 0, 1, 2 … left to right, then the next row")
        for ax in (self.ax_in, self.ax_maps):
            ax.set_xticks([])
            ax.set_yticks([])


def feature_map_figure():
    """The persistent figure :func:`plot_feature_maps` redraws (small, for a fast explorer)."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6.6, 2.6))
    fig._feature_map_artists = _FeatureMapArtists(fig)
    return fig


def plot_feature_maps(image, maps, image_title: str, maps_title: str, columns: int = 8, fig=None):
    """An input image next to all the feature maps a layer made of it, tiled on one scale.

    Args:
        image: (H, W) input.
        maps: (C, H', W') feature maps; one colour scale for all channels (min to max), so
            strong and silent channels are told apart.
        image_title: title over the input.
        maps_title: title over the maps.
        columns: maps per row.
        fig: a figure from :func:`feature_map_figure` (updated in place), or ``None``.

    Returns:
        The matplotlib figure.

    Example:
        >>> import numpy as np
        >>> fig = plot_feature_maps(np.zeros((28, 28)), np.ones((16, 14, 14)), "digit", "conv1")
        >>> fig.axes[1].images[0].get_array().shape
        (29, 119)
    """
    import numpy as np

    fig = feature_map_figure() if fig is None else fig
    art = fig._feature_map_artists
    image, maps = np.asarray(image, dtype=float), np.asarray(maps, dtype=float)
    art.image_in.set_data(image)
    art.image_in.set_extent((-0.5, image.shape[1] - 0.5, image.shape[0] - 0.5, -0.5))
    art.ax_in.set_title(image_title, fontsize=10)
    art.ax_in.set_xlabel(f"{image.shape[0]} × {image.shape[1]} pixels")
    mosaic = tile_maps(maps, min(columns, len(maps)))
    low, high = float(np.nanmin(maps)), float(np.nanmax(maps))
    art.image_maps.set_data(mosaic)
    art.image_maps.set_extent((-0.5, mosaic.shape[1] - 0.5, mosaic.shape[0] - 0.5, -0.5))
    art.image_maps.set_clim(low, high if high > low else low + 1.0)
    art.ax_maps.set_title(maps_title, fontsize=10)
    return fig

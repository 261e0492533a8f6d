"""Pooling (notebook 04): one pooling window drawn step by step, and shift tolerance."""

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
    _sentences,
    _set_image,
    describe,
    fixed_layout_figure,
    hatch_padding,
    new_axes,
)

MAX_WINDOW_NUMBERS = 16  # write the values of windows up to 4 x 4 (each label costs redraw time)


@rule.checked(
    feature_map=rule.array(2, "(H, W)"),
    kernel_size=rule.pair(1),
    stride=rule.pair(1),
    padding=rule.pair(0),
    unit=rule.pair(0),
)
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
            hatch_padding(ax)
            for patch in patches:
                ax.add_patch(patch)
        self.texts = []
        # No tick labels: text is most of a redraw's time, and the titles give the sizes.
        self.ax_in.set(xlabel=tr("column"), ylabel=tr("row"), xticks=[], yticks=[])
        self.ax_win.set(xlabel=tr("column in window"), ylabel=tr("row in window"), xticks=[], yticks=[])
        self.ax_out.set(xlabel=tr("output column"), ylabel=tr("output row"), xticks=[], yticks=[])

    def text(self, i):
        while len(self.texts) <= i:
            self.texts.append(self.ax_win.text(0, 0, "", ha="center", va="center", fontsize=8))
        return self.texts[i]


def _window_title(mode: str, row: int, col: int, value: float) -> str:
    """The middle panel's title: the window and what the pooling makes of it, e.g. ``window (0, 0): max = 5``."""
    if mode == "max":
        return tr("window ({row}, {col}): max = {value:.4g}", row=row, col=col, value=value)
    if mode == "avg":
        return tr("window ({row}, {col}): avg = {value:.4g}", row=row, col=col, value=value)
    return tr("window ({row}, {col}): sum = {value:.4g}", row=row, col=col, value=value)


def _input_description(mode: str, h: int, w: int, row: int, col: int) -> str:
    """The first sentence of a pooling figure's alt text: the input and the window drawn on it."""
    if mode == "max":
        return tr("Left: the input feature map {h} × {w} with the hatched padding and the max-pooling window "
                  "of output unit ({row}, {col}) outlined.", h=h, w=w, row=row, col=col)
    if mode == "avg":
        return tr("Left: the input feature map {h} × {w} with the hatched padding and the avg-pooling window "
                  "of output unit ({row}, {col}) outlined.", h=h, w=w, row=row, col=col)
    return tr("Left: the input feature map {h} × {w} with the hatched padding and the sum-pooling window "
              "of output unit ({row}, {col}) outlined.", h=h, w=w, row=row, col=col)


def pooling_figure():
    """A figure for :func:`plot_pooling` with a fixed layout (no layout engine: faster redraws).

    Example:
        >>> pooling_figure().get_size_inches().tolist()
        [9.5, 3.3]
    """
    return fixed_layout_figure((9.5, 3.3), left=0.03, right=0.99, bottom=0.09, top=0.9, wspace=0.15)


@rule.checked(
    feature_map=rule.array(2, "(H, W)"),
    output=rule.array(2, "(H_out, W_out)"),
    kernel_size=rule.pair(1),
    stride=rule.pair(1),
    padding=rule.pair(0),
    unit=rule.pair(0),
    mode=rule.choice(("max", "avg", "sum")),
)
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
    art.ax_in.set_title(tr("input {h} × {w} (padding {padding})", h=h, w=w, padding=ph if ph == pw else (ph, pw)))

    window = pooling_window(fm, kernel_size, stride, padding, unit)  # (kH, kW)
    _set_image(art.ax_win, art.image_win, window, vmin, vmax)
    art.ax_win.set(xlim=(-0.5, kw - 0.5), ylim=(kh - 0.5, -0.5))
    for i, (y, x) in enumerate(np.ndindex(kh, kw)):
        value = window[y, x]
        label = art.text(i)
        label.set_position((x, y))
        label.set_text(tr("pad") if np.isnan(value) else f"{value:.2f}")
        label.set_color("white" if not np.isnan(value) and value < (vmin + vmax) / 2 else "black")
        label.set_visible(kh * kw <= MAX_WINDOW_NUMBERS)
    for label in art.texts[kh * kw:]:
        label.set_visible(False)
    art.chosen.set_visible(mode == "max" and not np.all(np.isnan(window)))
    if art.chosen.get_visible():
        top, left = np.unravel_index(np.nanargmax(window), window.shape)
        _place(art.chosen, top, left, 1, 1)
    art.ax_win.set_title(_window_title(mode, r, c, out[r, c]))

    _set_image(art.ax_out, art.image_out, out, float(out.min()), float(out.max()))
    art.ax_out.set(xlim=(-0.5, ow - 0.5), ylim=(oh - 0.5, -0.5))
    _place(art.unit, r, c, 1, 1)
    art.ax_out.set_title(tr("output {oh} × {ow}", oh=oh, ow=ow))
    return describe(fig, _sentences(_input_description(mode, h, w, r, c),
                                    tr("Middle: that window's numbers, the chosen value outlined. Right: the output "
                                       "{oh} × {ow}; unit ({row}, {col}) = {value:.4g}.",
                                       oh=oh, ow=ow, row=r, col=c, value=out[r, c])))


@rule.checked(shifts=rule.array(1), changes=rule.mapping(rule.array(1)))
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
            raise ValueError(tr("changes[{name!r}] has {values} values for {shifts} shifts; "
                                "give one relative change per shift", name=name, values=len(values),
                                shifts=len(shifts)))
    fig, ax = new_axes(ax, figsize=(5.0, 3.4))
    for name, values in changes.items():
        ax.plot(shifts, values, marker="o", label=name)
    ax.set(title=tr("Features after a shift of the input"), xlabel=tr("shift of the digit (pixels)"),
           ylabel=tr("relative change of the features"), xticks=list(shifts))
    ax.set_ylim(bottom=0)
    ax.legend(title=tr("pooling"))
    return describe(ax, tr("Line plot: relative change of the features (y) against the shift of the "
                           "digit in pixels (x), one line per pooling: {names}.", names=_items(changes)))


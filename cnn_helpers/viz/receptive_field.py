"""Receptive fields (notebook 03): regions on an image and the receptive-field explorer.

Also the growth of rf_size with depth, and the effective receptive field drawn over the
theoretical region.
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
    describe,
    fixed_layout_figure,
    hatch_padding,
    new_axes,
)

RF_FIGURE_DPI = 72  # the explorer's PNG resolution (small PNGs keep updates fast)


@rule.checked(region=rule.region())
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
        raise ValueError(tr("image must be (H, W), (1, H, W) or (3, H, W), got shape {shape}", shape=array.shape))
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


@rule.checked(
    image=rule.array((2, 3), lambda: tr("(H, W) or (C, H, W)")),
    regions=rule.any_of(rule.region(), rule.sequence(rule.region(), 1)),
    labels=rule.optional(rule.sequence(rule.text())),
    title=rule.optional(rule.text()),
)
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
        raise ValueError(tr("labels has {labels} entries for {regions} regions; give one label per region",
                            labels=len(labels), regions=len(regions)))
    fig, ax = new_axes(ax, figsize=(4.0, 4.0))
    h, w = picture.shape[:2]
    hatch_padding(ax)
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
    ax.set(xlim=xlim, ylim=ylim, xlabel=tr("input column"), ylabel=tr("input row"))
    if title is None:
        sizes = sorted({region_size(r) for r in regions})
        title = tr("receptive field: {sizes} input pixels", sizes=_items(f"{a} × {b}" for a, b in sizes))
    ax.set_title(title)
    return describe(ax, tr("{title}. The input image with the receptive-field region(s) outlined in "
                           "red; the hatched area outside the image is padding.", title=title))


@rule.checked(depths=rule.array(1), sizes=rule.mapping(rule.array(1)))
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
    ax.set(title=tr("receptive field grows with depth"), xlabel=tr("number of layers"),
           ylabel=tr("rf_size (input pixels)"), xticks=list(depths))
    ax.legend()
    ax.grid(alpha=0.3)
    return describe(ax, tr("Line plot: the receptive field (rf_size in input pixels, y) against the "
                           "number of layers (x) for {names}.", names=_items(sizes)))


@rule.checked(erf=rule.array(2, "(H, W)"), region=rule.region(), title=rule.optional(rule.text()))
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
    rect = Rectangle((0, 0), 1, 1, fill=False, ec=KERNEL_COLOR, lw=2.0, label=tr("theoretical receptive field"))
    _place_region(rect, region)
    ax.add_patch(rect)
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.08), fontsize=8, frameon=False)
    fig.colorbar(shown, ax=ax, label=tr("|gradient| / max"))
    h, w = erf.shape
    xlim, ylim = _region_bounds((h, w), [region])
    title = title or tr("effective receptive field")
    ax.set(xlim=xlim, ylim=ylim, xlabel=tr("input column"), ylabel=tr("input row"), title=title)
    return describe(ax, tr("{title}: a heat map of the gradient's magnitude over the input, brightest in the "
                           "centre, with the theoretical receptive field outlined in red.", title=title))


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
        hatch_padding(self.ax_in)
        for ax, patch in ((self.ax_in, self.border), (self.ax_in, self.region), (self.ax_out, self.unit)):
            ax.add_patch(patch)
        for ax in (self.ax_in, self.ax_out):  # no ticks: tick text is a third of a redraw; titles say it
            ax.set_xticks([])
            ax.set_yticks([])
        for ax in (self.ax_in, self.ax_out):  # short, small labels: each text costs a few ms per redraw
            ax.set_xlabel(tr("column"), fontsize=9)
            ax.set_ylabel(tr("row"), fontsize=9)
        self.picture = None  # the array shown now, to skip set_data when it did not change


def rf_explorer_figure():
    """A figure for :func:`plot_rf_explorer` with a fixed layout (no layout engine: faster redraws).

    Example:
        >>> rf_explorer_figure().get_size_inches().tolist()
        [6.4, 3.2]
    """
    return fixed_layout_figure((6.4, 3.2), left=0.07, right=0.98, bottom=0.12, top=0.9, wspace=0.25)


@rule.checked(
    image=rule.array((2, 3), lambda: tr("(H, W) or (C, H, W)")),
    region=rule.region(),
    output_size=rule.pair(1),
    unit=rule.pair(0),
)
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
    art.ax_in.set_title(tr("region {rh} × {rw}: rows {top}…{bottom}, cols {left}…{right}", rh=rh, rw=rw, top=top,
                           bottom=bottom, left=left, right=right),
                        fontsize=10, y=1.0)  # a fixed y skips the title's auto-placement

    oh, ow = output_size
    grid = np.full((oh, ow), 0.15)
    grid[unit] = 0.8
    art.image_out.set_data(grid)
    art.image_out.set_extent((-0.5, ow - 0.5, oh - 0.5, -0.5))
    art.ax_out.set(xlim=(-0.5, ow - 0.5), ylim=(oh - 0.5, -0.5))
    art.unit.set_xy((unit[1] - 0.5, unit[0] - 0.5))
    art.ax_out.set_title(tr("output {oh} × {ow}: unit ({row}, {col})", oh=oh, ow=ow, row=unit[0], col=unit[1]),
                         fontsize=10, y=1.0)
    return describe(fig, tr("Left: the input with the receptive-field region of the selected unit filled "
                            "and outlined in red, rows {top} to {bottom}, columns {left} to {right} "
                            "({rh} × {rw} pixels); the hatched area is padding. Right: the output grid "
                            "{oh} × {ow} with unit ({row}, {col}) outlined.", top=top, bottom=bottom, left=left,
                            right=right, rh=rh, rw=rw, oh=oh, ow=ow, row=unit[0], col=unit[1]))


def _pair_text(pair) -> str:
    """An (h, w) pair as students read it: ``4`` when both are equal, else ``(4, 2)``."""
    return str(pair[0]) if pair[0] == pair[1] else f"({pair[0]}, {pair[1]})"


@rule.checked(
    table=rule.sequence(rule.attributes("rf_size", "output_size",
                                        example=lambda: tr("a row of receptive_field(...)")), 1),
    unit=rule.pair(0),
)
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
        ("input-size", tr("input size"), f"{ih} × {iw}"),
        ("output-size", tr("output size"), f"{oh} × {ow}"),
        ("rf-size", "rf_size", f"{rh} × {rw}"),
        ("effective-stride", tr("effective_stride (jump)"), _pair_text(last.effective_stride)),
        ("effective-padding", "effective_padding", _pair_text(last.effective_padding)),
        ("region-rows", tr("rows seen"), f"{top} … {bottom}"),
        ("region-cols", tr("columns seen"), f"{left} … {right}"),
    ]
    cells = "".join(f'<tr><th style="text-align:left">{label}</th><td class="{cls}">{text}</td></tr>'
                    for cls, label, text in summary)
    formula = tr("unit ({i}, {j}) sees rows {i}·{jh} − {ph} = {top} … {top} + {rh} − 1 = {bottom} and "
                 "columns {j}·{jw} − {pw} = {left} … {right}; rows or columns outside the image are padding",
                 i=i, j=j, jh=jh, ph=ph, top=top, rh=rh, bottom=bottom, jw=jw, pw=pw, left=left, right=right)
    head = "".join(f"<th>{h}</th>" for h in (tr("layer"), tr("kernel"), tr("stride"), tr("padding"), tr("output"),
                                            "rf_size", tr("jump"), tr("eff. padding")))
    body = "".join(
        f'<tr class="rf-layer"><td>{row.name}</td><td>{_pair_text(row.kernel_size)}</td>'
        f"<td>{_pair_text(row.stride)}</td><td>{_pair_text(row.padding)}</td>"
        f"<td>{row.output_size[0]} × {row.output_size[1]}</td><td>{_pair_text(row.rf_size)}</td>"
        f"<td>{_pair_text(row.effective_stride)}</td><td>{_pair_text(row.effective_padding)}</td></tr>"
        for row in table
    )
    return (f'<table class="rf-numbers">{cells}</table><p class="rf-formula">{formula}</p>'
            f'<table class="rf-layers"><tr>{head}</tr>{body}</table>')


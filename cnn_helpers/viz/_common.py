"""What every figure of the course shares: the colour of each role, and figure plumbing.

One colour per role across every figure: input, kernel (and receptive-field region), output.
``new_axes`` gives a figure for ``ax=None``; ``figure_to_png`` renders what the explorers show;
``fixed_layout_figure``, ``_set_image`` and ``_place`` serve the explorers that redraw often.
``describe`` gives a figure its alt text (``figure_alt``), which a notebook stores in the output's
metadata (``{"image/png": {"alt": ...}}``) for screen readers, nbconvert and the course website.
"""

from __future__ import annotations

import io

from .. import _validation as rule
from ..language import current_language, tr

INPUT_COLOR = "#1f77b4"   # blue: the input and everything drawn on it
KERNEL_COLOR = "#d62728"  # red: the kernel / sliding window / receptive-field region
OUTPUT_COLOR = "#2ca02c"  # green: the output feature map
INPUT_CMAP = "gray"
OUTPUT_CMAP = "viridis"
PADDING_COLOR = "#f2dede"  # light red: padded cells, which belong to no image
PADDING_HATCH = "////"    # and hatched, so the padding does not rest on colour alone
PADDING_HATCH_COLOR = "#c08080"


@rule.checked(ax=rule.axes())
def hatch_padding(ax) -> None:
    """Shade and hatch the background of ``ax``: what the image does not cover is padding.

    Colour is never the only carrier of meaning: the hatch tells padding from image in grey
    print and for readers who do not see the light red.
    """
    ax.set_facecolor(PADDING_COLOR)
    ax.patch.set_hatch(PADDING_HATCH)
    ax.patch.set_edgecolor(PADDING_HATCH_COLOR)  # the hatch's colour; the axes frame is drawn by its spines
    ax.patch.set_linewidth(0)


def _items(names) -> str:
    """``names`` listed in a sentence: ``"a, b, c"`` in English, ``"a、b、c"`` in Chinese (the list comma)."""
    return ("、" if current_language() == "zh" else ", ").join(map(str, names))


def _sentences(*sentences) -> str:
    """Sentences one after another: a space between them in English, none in Chinese (after a 。)."""
    return ("" if current_language() == "zh" else " ").join(sentences)


def _clauses(parts) -> str:
    """``parts`` joined as clauses of one sentence: ``"a; b"`` in English, ``"a；b"`` in Chinese."""
    return ("；" if current_language() == "zh" else "; ").join(map(str, parts))


def _latin_fonts() -> list[str]:
    """matplotlib's ``font.family`` without the course's CJK font: for bold digits.

    The shipped CJK subset has a regular face only; a bold text with it in the family list
    makes matplotlib log "Failed to find font weight bold" (in the notebook's output). In
    English the list is ``font.family`` itself, so nothing changes there.
    """
    import matplotlib as mpl

    from ..language import FONT_FAMILY

    return [family for family in mpl.rcParams["font.family"] if family != FONT_FAMILY]


def _figure_of(target):
    """The figure of a Figure, SubFigure or Axes: ``.figure`` is the root figure in each (matplotlib 3.8+)."""
    return target.figure


@rule.checked(target=rule.axes(figure_too=True), text=rule.text())
def describe(target, text: str):
    """Give the picture of ``target`` (an Axes or a Figure) a description, its alt text.

    Each Axes holds one description (a later call replaces it, as an explorer redraws); the
    figure's alt text (:func:`figure_alt`) joins them. A figure shown by IPython then carries
    it in the output's metadata, ``{"image/png": {"alt": ...}}``, which JupyterLab, nbconvert
    and the course website write into the ``<img alt>``.

    Returns:
        The figure of ``target``, so plotting functions can end with ``return describe(ax, "...")``.

    Example:
        >>> fig, ax = new_axes()
        >>> describe(ax, "A blank square.") is fig
        True
        >>> figure_alt(fig)
        'A blank square.'
        >>> fig._repr_mimebundle_()
        ({}, {'image/png': {'alt': 'A blank square.'}})
    """
    import functools

    fig = _figure_of(target)
    descriptions = fig.__dict__.setdefault("_cnn_alt", {})
    descriptions[id(target)] = " ".join(str(text).split())
    # IPython asks any object for _repr_mimebundle_ first; metadata alone leaves the PNG to the inline backend.
    fig._repr_mimebundle_ = functools.partial(_alt_bundle, fig)
    return fig


def _alt_bundle(fig, include=None, exclude=None):
    return {}, {"image/png": {"alt": figure_alt(fig)}}


@rule.checked(fig=rule.axes(figure_too=True))
def figure_alt(fig) -> str:
    """The alt text of ``fig``: its title and the descriptions its plotting functions gave (:func:`describe`).

    A figure no plotting function described gets its title and its axes' titles and labels.
    """
    fig = _figure_of(fig)
    parts = []
    title = fig._suptitle.get_text() if getattr(fig, "_suptitle", None) is not None else ""
    if title:
        parts.append(tr("{sentence}.", sentence=title.rstrip(".。")))
    described = list(getattr(fig, "_cnn_alt", {}).values())
    if described:
        parts.extend(described)
    else:
        for ax in fig.axes:
            x, y = ax.get_xlabel(), ax.get_ylabel()
            words = [ax.get_title(), x and tr("x: {label}", label=x), y and tr("y: {label}", label=y)]
            words = [w for w in words if w]
            if words:
                parts.append(tr("{sentence}.", sentence=_clauses(words)))
    return _sentences(*parts) or tr("A figure with {count} panels.", count=len(fig.axes))


@rule.checked(figsize=rule.size_pair())
def new_axes(ax=None, figsize=(4.0, 4.0)):
    """Return ``(fig, ax)``: the figure of ``ax``, or a new figure with one axes."""
    if ax is not None:
        return ax.figure, ax
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize, layout="constrained")
    return fig, fig.add_subplot()


@rule.checked(fig=rule.figure(), dpi=rule.integer(1, 1200))
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


@rule.checked(figsize=rule.size_pair())
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

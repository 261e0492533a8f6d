"""Introduction (notebook 00): local structure in images and the stages of a small CNN."""

from __future__ import annotations

from .. import _validation as rule
from ..language import tr
from ._common import INPUT_COLOR, KERNEL_COLOR, OUTPUT_CMAP, OUTPUT_COLOR, _clauses, _items, describe, new_axes


@rule.checked(distances=rule.array(1), correlations=rule.mapping(rule.array(1)), title=rule.text())
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
    ax.set(title=title, xlabel=tr("distance between the two pixels (pixels)"), ylabel=tr("correlation"),
           ylim=(-0.1, 1.05))
    ax.legend()
    return describe(ax, tr("Line plot: {title}. Correlation between two pixels (y) against the distance "
                           "between them (x), one line per {names}; it falls as the distance grows.",
                           title=title, names=_items(correlations)))


@rule.checked(stages=rule.sequence(rule.tuple_of(rule.text(), rule.array((1, 2, 3)),
                                                 example=lambda: tr("('input', image)")), 1))
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
            ax.set(xlabel=tr("output unit"), ylabel=tr("score"))
        else:
            shown = array.transpose(1, 2, 0) if array.ndim == 3 else array  # (H, W, 3) or (H, W)
            ax.imshow(shown, cmap=None if array.ndim == 3 else OUTPUT_CMAP)
            ax.set(xlabel=tr("column"), ylabel=tr("row"))
        ax.set_title(title)
    return describe(fig, tr("The stages of a small CNN from left to right: {stages}.",
                            stages=_clauses(title for title, _ in stages)))


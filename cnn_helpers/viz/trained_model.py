"""A trained model (notebook 06): what it gets wrong and what it learned.

Confusion matrix, misclassified images, learned filters, a 2-D embedding, and the
feature-map explorer's figure.
"""

from __future__ import annotations

from .. import _validation as rule
from ..language import tr
from ._common import INPUT_CMAP, KERNEL_COLOR, OUTPUT_CMAP, _latin_fonts, describe, new_axes


@rule.checked(matrix=rule.array(2, lambda: tr("(classes, classes)")))
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
        raise ValueError(tr("matrix must be square (classes, classes), got shape {shape}", shape=matrix.shape))
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
    right, total = int(np.trace(matrix)), int(matrix.sum())
    ax.set(title=tr("confusion matrix: {right} of {total} right", right=right, total=total),
           xlabel=tr("predicted class"), ylabel=tr("true class"))
    fig.colorbar(image, ax=ax, label=tr("log(1 + count)"))
    return describe(ax, tr("Confusion matrix, true class (rows) against predicted class (columns): "
                           "{right} of {total} right on the diagonal; each cell shows its count.",
                           right=right, total=total))


def _grid(fig, count: int, columns: int, figsize_per: float = 1.1):
    from matplotlib.figure import Figure

    rows = max(1, -(-count // columns))
    if fig is None:
        fig = Figure(figsize=(figsize_per * columns, figsize_per * rows + 0.5), layout="constrained")
    fig.clear()
    return fig, fig.subplots(rows, columns, squeeze=False).ravel()


@rule.checked(
    images=rule.array((3, 4), lambda: tr("(N, H, W) or (N, 1, H, W)")),
    labels=rule.array(1),
    predictions=rule.array(1),
    columns=rule.integer(1),
    max_images=rule.integer(1),
)
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
        raise ValueError(tr("images, labels and predictions must have one entry per image, got lengths "
                            "{images}, {labels} and {predictions}", images=len(images), labels=len(labels),
                            predictions=len(predictions)))
    wrong = np.flatnonzero(labels != predictions)
    shown = wrong[:max_images]
    fig, axes = _grid(fig, max(len(shown), 1), columns)
    for ax in axes:
        ax.set_axis_off()
    for ax, i in zip(axes, shown, strict=False):  # more axes than images
        ax.imshow(images[i].reshape(images.shape[-2:]), cmap=INPUT_CMAP)
        ax.set_title(f"{labels[i]} → {predictions[i]}", fontsize=9, color=KERNEL_COLOR)
    fig.suptitle(tr("{wrong} of {total} images wrong (true → predicted); showing {shown}", wrong=len(wrong),
                    total=len(labels), shown=len(shown)))
    return describe(fig, tr("{shown} misclassified digits, each titled true class → predicted class.",
                            shown=len(shown)))


@rule.checked(weight=rule.array(4, "(out_channels, in_channels, kH, kW)"), columns=rule.integer(1))
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
        raise ValueError(tr("weight must be a conv weight (out_channels, in_channels, kH, kW), got shape {shape}",
                            shape=weight.shape))
    limit = float(np.abs(weight[:, 0]).max()) or 1.0
    fig, axes = _grid(fig, len(weight), columns)
    for ax in axes:
        ax.set_axis_off()
    for k, (ax, kernel) in enumerate(zip(axes, weight[:, 0], strict=False)):
        ax.imshow(kernel, cmap="RdBu_r", vmin=-limit, vmax=limit)
        ax.set_title(tr("filter {index}", index=k), fontsize=8)
    c_out, c_in, kh, kw = weight.shape
    fig.suptitle(tr("{c_out} learned {kh}×{kw} kernels (input channel 0 of {c_in}); red > 0 > blue",
                    c_out=c_out, kh=kh, kw=kw, c_in=c_in))
    return describe(fig, tr("{c_out} learned {kh}×{kw} kernels as small images, red for positive weights "
                            "and blue for negative.", c_out=c_out, kh=kh, kw=kw))


@rule.checked(points=rule.array(2, "(N, 2)"), labels=rule.array(1), title=rule.text())
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
        raise ValueError(tr("points must be (N, 2) with one label each, got points {shape} and {labels} labels",
                            shape=points.shape, labels=len(labels)))
    fig, ax = new_axes(ax, figsize=(5.5, 4.8))
    colours = [f"C{k}" for k in range(10)]
    for k, cls in enumerate(np.unique(labels)):
        mine = points[labels == cls]
        colour = colours[k % len(colours)]
        ax.scatter(mine[:, 0], mine[:, 1], s=6, alpha=0.5, color=colour)
        x, y = np.median(mine, axis=0)
        ax.text(x, y, str(cls), fontsize=14, weight="bold", family=_latin_fonts(), color=colour, ha="center",
                va="center", bbox={"boxstyle": "round", "facecolor": "white", "alpha": 0.8, "edgecolor": colour})
    ax.set(title=title, xlabel=tr("component 1"), ylabel=tr("component 2"))
    return describe(ax, tr("Scatter plot: {title}. One point per image, each class with its own colour "
                           "and marker and its digit written at its centre.", title=title))


@rule.checked(maps=rule.array(3, "(C, H, W)"), columns=rule.integer(1))
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
        self.ax_maps.set(xlabel=tr("one map per channel: 0, 1, 2 … left to right, then the next row"))
        for ax in (self.ax_in, self.ax_maps):
            ax.set_xticks([])
            ax.set_yticks([])


def feature_map_figure():
    """The persistent figure :func:`plot_feature_maps` redraws (small, for a fast explorer)."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6.6, 2.6))
    fig._feature_map_artists = _FeatureMapArtists(fig)
    return fig


@rule.checked(
    image=rule.array(2, "(H, W)"),
    maps=rule.array(3, "(C, H, W)"),
    image_title=rule.text(),
    maps_title=rule.text(),
    columns=rule.integer(1),
)
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
    art.ax_in.set_xlabel(tr("{h} × {w} pixels", h=image.shape[0], w=image.shape[1]))
    mosaic = tile_maps(maps, min(columns, len(maps)))
    low, high = float(np.nanmin(maps)), float(np.nanmax(maps))
    art.image_maps.set_data(mosaic)
    art.image_maps.set_extent((-0.5, mosaic.shape[1] - 0.5, mosaic.shape[0] - 0.5, -0.5))
    art.image_maps.set_clim(low, high if high > low else low + 1.0)
    art.ax_maps.set_title(maps_title, fontsize=10)
    return describe(fig, tr("Left: {image_title}. Right: {maps_title}, tiled, bright where the map responds strongly.",
                            image_title=image_title, maps_title=maps_title))


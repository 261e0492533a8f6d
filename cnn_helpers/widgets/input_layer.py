"""Notebook 01, input layer: the channel / batch explorer.

A batch of crops of the course photo shown as RGB, its channels or grey, with the tensor's
shape, bytes and strides in the N×C×H×W or N×H×W×C layout (:func:`input_explorer`).
"""

from __future__ import annotations

import ipywidgets as widgets

from .. import viz
from ..language import tr
from .explorer import Explorer


def _photo_crops(count: int, crop: int = 72):
    """``count`` different square crops of the sample photo (every other one mirrored).

    A stand-in for a batch of different images: what data augmentation would feed a CNN.
    Shape: (count, 3, crop, crop).
    """
    import torch

    from ..data import sample_image

    photo = sample_image(size=112)  # (3, 112, 96)
    _, height, width = photo.shape
    tops = torch.linspace(0, height - crop, count).round().long().tolist()
    lefts = torch.linspace(width - crop, 0, count).round().long().tolist()
    crops = [photo[:, t:t + crop, left:left + crop] for t, left in zip(tops, lefts, strict=True)]
    crops = [c.flip(-1) if i % 2 else c for i, c in enumerate(crops)]
    return torch.stack(crops)  # (count, 3, crop, crop)


def input_explorer(max_batch: int = 8) -> Explorer:
    """Channels and batches of notebook 01: pick a channel view, a batch size and a layout.

    Shows the batch's images and the first numbers of its memory, with the tensor's shape,
    number count, bytes and strides in the chosen layout (N×C×H×W or N×H×W×C).

    Args:
        max_batch: the largest batch the slider offers (1 to 8).

    Returns:
        An :class:`Explorer` with controls ``view``, ``batch_size`` and ``layout``.

    Raises:
        ValueError: ``max_batch`` is not between 1 and 8.

    Example:
        >>> explorer = input_explorer()
        >>> explorer.controls["view"].value = "grayscale"
        >>> "(8, 1, 72, 72)" in explorer.numbers.value
        True
    """
    from .._validation import check_int

    if check_int(max_batch, "max_batch", minimum=1) > 8:
        raise ValueError(tr("max_batch must be at most 8 (the figure has room for 8 images), got {value}",
                            value=max_batch))
    images = _photo_crops(max_batch)  # (max_batch, 3, 72, 72)
    fig = viz.plot_input_batch(images, fig=None, max_batch=max_batch)
    view_labels = {"grayscale": tr("grayscale")}  # "RGB", "R", "G", "B" read the same in every language
    controls = {
        "view": widgets.ToggleButtons(options=[(view_labels.get(v, v), v) for v in viz.CHANNEL_VIEWS], value="RGB",
                                      description=tr("channels")),
        "batch_size": widgets.IntSlider(value=max_batch, min=1, max=max_batch, description=tr("batch N")),
        "layout": widgets.ToggleButtons(options=[(viz.LAYOUT_NAMES[k], k) for k in viz.LAYOUTS],
                                        value="NCHW", description=tr("layout")),
    }

    def render(fig, view, batch_size, layout):
        return viz.render_input_explorer(fig, images, view, batch_size, layout)

    return Explorer(controls, render, fig, "input-explorer", title=tr("input explorer"))

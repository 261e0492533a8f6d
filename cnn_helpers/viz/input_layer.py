"""The input layer (notebook 01): channel views and N×C×H×W vs N×H×W×C memory layouts.

What the input explorer draws and the numbers it shows, read off real tensors.
"""

from __future__ import annotations

from .. import _validation as rule
from ..language import tr
from ._common import _items, _sentences, describe

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
        raise TypeError(tr("images must be a torch.Tensor of shape (N, 3, H, W), got {type}",
                           type=type(images).__name__))
    if images.ndim == 3:
        raise ValueError(tr("images must have shape (N, 3, H, W), got {shape}; add a batch dimension with images[None]",
                            shape=tuple(images.shape)))
    if images.ndim != 4 or images.shape[1] != 3:
        raise ValueError(tr("images must have shape (N, 3, H, W), got {shape}", shape=tuple(images.shape)))


@rule.checked(images=rule.array(4, "(N, 3, H, W)", lambda: tr("add a batch dimension with images[None]")),
              view=rule.choice(CHANNEL_VIEWS))
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
    from .._validation import check_choice

    _check_rgb_batch(images)
    check_choice(view, "view", CHANNEL_VIEWS)
    if view == "RGB":
        return images
    if view == "grayscale":
        weights = images.new_tensor(LUMA_WEIGHTS).view(1, 3, 1, 1)
        return (images * weights).sum(dim=1, keepdim=True)  # (N, 1, H, W)
    c = "RGB".index(view)
    return images[:, c:c + 1]  # (N, 1, H, W)


@rule.checked(view=rule.choice(CHANNEL_VIEWS))
def channel_names(view: str) -> tuple[str, ...]:
    """The names of the channels ``channel_view(images, view)`` keeps.

    Example:
        >>> channel_names("RGB"), channel_names("B"), channel_names("grayscale")
        (('R', 'G', 'B'), ('B',), ('gray',))
    """
    return ("R", "G", "B") if view == "RGB" else ("gray",) if view == "grayscale" else (view,)


@rule.checked(images=rule.array(4, "(N, C, H, W)"), layout=rule.choice(LAYOUTS))
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

    from .._validation import check_choice

    check_choice(layout, "layout", LAYOUTS)
    if images.ndim != 4:
        raise ValueError(tr("images must have shape (N, C, H, W), got {shape}", shape=tuple(images.shape)))
    arranged = images if layout == "NCHW" else images.permute(0, 2, 3, 1)  # (N, H, W, C)
    # A fresh copy, not .contiguous(): that keeps odd strides on dimensions of size 1.
    return torch.empty(arranged.shape, dtype=arranged.dtype).copy_(arranged)


@rule.checked(
    shape=rule.sequence(rule.integer(1), length=4),
    layout=rule.choice(LAYOUTS),
    names=rule.sequence(rule.text(), 1),
    count=rule.integer(0),
)
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


def _view_text(view: str) -> str:
    """A channel view as the student reads it: the letters as they are, "grayscale" in the current language."""
    return tr("grayscale") if view == "grayscale" else view


def _channel_text(name: str) -> str:
    """A channel name of :func:`channel_names` as the student reads it: "gray" in the current language."""
    return tr("gray") if name == "gray" else name


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
        self.ax_batch.set_xlabel(tr("images 0, 1, 2, … left to right, top to bottom"))
        self.ax_memory = fig.add_subplot(grid[1])
        self.memory = self.ax_memory.imshow(np.zeros((1, MEMORY_STRIP, 3)), aspect="auto")
        self.ax_memory.set_yticks([])
        self.ax_memory.set_xlabel(tr("position in memory (offset)"))

    def mosaic(self, shown, gap: int = 4):
        """Tile (N, H, W, 3) images into one (rows·(H+gap), columns·(W+gap), 3) picture."""
        import numpy as np

        n, h, w, _ = shown.shape
        tiles = np.ones((self.rows, self.columns, h + gap, w + gap, 3))  # white gaps and empty slots
        for i in range(n):
            tiles[i // self.columns, i % self.columns, :h, :w] = shown[i]
        return tiles.transpose(0, 2, 1, 3, 4).reshape(self.rows * (h + gap), self.columns * (w + gap), 3)


@rule.checked(
    images=rule.array(4, "(N, 3, H, W)", lambda: tr("add a batch dimension with images[None]")),
    view=rule.choice(CHANNEL_VIEWS),
    batch_size=rule.optional(rule.integer(1)),
    layout=rule.choice(LAYOUTS),
    max_batch=rule.integer(1),
)
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

    from .._validation import check_int

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
        raise ValueError(tr("batch_size {batch_size} is more than the {room} images available; pick at most {room}",
                            batch_size=batch_size, room=room))
    batch = channel_view(images[:batch_size], view)  # (N, C, H, W)
    shown = batch.permute(0, 2, 3, 1).expand(-1, -1, -1, 3).numpy()  # (N, H, W, 3): grey as R=G=B
    art.batch.set_data(art.mosaic(shown))
    if batch_size == 1:
        title = tr("batch of 1 image, channels: {view}", view=_view_text(view))
    else:
        title = tr("batch of {count} images, channels: {view}", count=batch_size, view=_view_text(view))
    art.ax_batch.set_title(title, fontsize=10)

    arranged = to_layout(batch, layout)
    values = arranged.flatten()[:MEMORY_STRIP].numpy()
    labels = memory_labels(arranged.shape, layout, channel_names(view), MEMORY_STRIP)
    colors = np.array([_CHANNEL_COLORS[label.split("[")[0].split()[-1]] for label in labels])  # (k, 3)
    strip = np.zeros((1, MEMORY_STRIP, 3))
    strip[0, :len(values)] = colors * values[:, None]
    art.memory.set_data(strip)
    art.ax_memory.set_title(tr("first {count} numbers in memory ({layout})", count=MEMORY_STRIP,
                               layout=LAYOUT_NAMES[layout]), fontsize=10)
    if batch_size == 1:
        top = tr("Top: a batch of 1 image shown as {view}.", view=_view_text(view))
    else:
        top = tr("Top: a batch of {count} images shown as {view}.", count=batch_size, view=_view_text(view))
    return describe(fig, _sentences(top, tr("Bottom: the first {count} numbers of the tensor in memory in the "
                                            "{layout} layout, each labelled with its channel.",
                                            count=MEMORY_STRIP, layout=LAYOUT_NAMES[layout])))


@rule.checked(
    images=rule.array(4, "(N, 3, H, W)", lambda: tr("add a batch dimension with images[None]")),
    view=rule.choice(CHANNEL_VIEWS),
    batch_size=rule.integer(1),
    layout=rule.choice(LAYOUTS),
)
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


@rule.checked(
    images=rule.array(4, "(N, 3, H, W)", lambda: tr("add a batch dimension with images[None]")),
    view=rule.choice(CHANNEL_VIEWS),
    batch_size=rule.integer(1),
    layout=rule.choice(LAYOUTS),
)
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
    names = [_channel_text(name) for name in channel_names(view)]
    first = memory_labels(numbers["shape"], layout, names, len(numbers["first"]))  # numbers["first"], as read
    terms = " + ".join(f"{index[d]}·{s}" for d, s in zip(layout, numbers["strides"], strict=True))
    dims = "×".join(str(s) for s in numbers["shape"])
    rows = [
        (tr("layout"), LAYOUT_NAMES[layout]),
        (tr("shape"), f"{numbers['shape']}"),
        (tr("numbers"), f"{dims} = {numbers['numel']:,}"),
        (tr("memory (float32)"), tr("{numel:,} × 4 bytes = {bytes:,} bytes", numel=numbers["numel"],
                                    bytes=numbers["bytes"])),
        (tr("strides"), tr("{strides} (numbers to skip for one step along each dimension)",
                           strides=numbers["strides"])),
        (tr("first in memory"), _items([*first, "…"])),
        (tr("{channel} of pixel ({row}, {col}) of image {image}", channel=names[index["C"]], row=index["H"],
            col=index["W"], image=index["N"]),
         tr("offset {terms} = {offset}", terms=terms, offset=offset)),
    ]
    note = ""
    if len(names) == 1:
        note = "<p>" + tr("With one channel, both layouts keep the numbers in the same order.") + "</p>"
    body = "".join(f"<tr><td>{name}</td><td><code>{value}</code></td></tr>" for name, value in rows)
    return f'<table class="input-explorer-numbers">{body}</table>{note}'


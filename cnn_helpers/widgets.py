"""The explorers: sliders wired onto pure render functions of viz and receptive_field.

The only module that imports ipywidgets. Each explorer is a pure ``render(fig, **values)``
function that redraws a persistent matplotlib figure and returns the numbers to show as
HTML, plus a thin :class:`Explorer` that wires sliders to it. A setting that makes no sense
(a ``ValueError`` from the render function) shows a plain message, never a traceback.
"""

from __future__ import annotations

import functools
import html
import time
from collections.abc import Callable

import ipywidgets as widgets

from . import viz


class Explorer(widgets.VBox):
    """Controls on top, then the picture and the numbers; redraws on every value change.

    Args:
        controls: name -> widget; each value is passed to ``render`` under that name.
        render: ``render(fig, **values) -> str`` redraws ``fig`` and returns HTML numbers;
            raises ``ValueError`` with a student-readable message for impossible settings.
        fig: the persistent matplotlib figure ``render`` draws on.
        css_class: a stable class name for browser tests.

    Attributes:
        image: the ``ipywidgets.Image`` showing the figure as PNG.
        numbers: the ``ipywidgets.HTML`` with the numbers ``render`` returned.
        message: the ``ipywidgets.HTML`` with a plain message when a setting is impossible.
        last_update_ms: how long the last update took (render + PNG), for the benchmark.
    """

    def __init__(self, controls: dict, render: Callable[..., str], fig, css_class: str):
        self.controls = controls
        self.render = render
        self.fig = fig
        self.image = widgets.Image(format="png")
        self.numbers = widgets.HTML()
        self.message = widgets.HTML()
        self.last_update_ms = float("nan")
        for control in controls.values():
            control.observe(self._on_change, names="value")
        super().__init__(
            [widgets.HBox(list(controls.values()), layout=widgets.Layout(flex_flow="row wrap")),
             self.message, widgets.HBox([self.image, self.numbers])]
        )
        self.add_class("cnn-explorer")  # every explorer: found by the browser tests
        self.add_class(css_class)
        self.update()

    @property
    def values(self) -> dict:
        return {name: control.value for name, control in self.controls.items()}

    def _on_change(self, change) -> None:
        self.update()

    def update(self) -> None:
        """Redraw for the current control values; show a message instead of a traceback."""
        start = time.perf_counter()
        try:
            numbers = self.render(self.fig, **self.values)
        except ValueError as error:
            self.message.value = f'<div class="explorer-message" style="color:#a00">{html.escape(str(error))}</div>'
            self.last_update_ms = (time.perf_counter() - start) * 1e3
            return
        except Exception as error:  # a bug must not show a student a traceback either
            self.message.value = (
                '<div class="explorer-message" style="color:#a00">Something went wrong drawing this '
                f"setting ({html.escape(type(error).__name__)}: {html.escape(str(error))}). "
                "Please report it.</div>"
            )
            self.last_update_ms = (time.perf_counter() - start) * 1e3
            return
        self.message.value = ""
        self.numbers.value = numbers
        self.image.value = viz.figure_to_png(self.fig)
        self.last_update_ms = (time.perf_counter() - start) * 1e3


# --- 02 convolution ---
CONV_IMAGE_SIZE = 32  # the explorer's photo: longer side in pixels (small keeps updates fast)


def _conv_layer(out_channels: int, kernel_size: int, stride: int, padding: int, dilation: int, seed: int = 0):
    """A real ``nn.Conv2d(1, out_channels, ...)`` with PyTorch's default weight scale, seeded.

    The weights come from a private generator, so the explorer never changes the notebook's
    global random state, and the same settings always show the same kernels.
    """
    import torch
    from torch import nn

    conv = nn.utils.skip_init(nn.Conv2d, 1, out_channels, kernel_size, stride, padding, dilation)
    bound = 1.0 / (kernel_size * kernel_size) ** 0.5  # PyTorch's default: U(-1/sqrt(fan_in), 1/sqrt(fan_in))
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for parameter in (conv.weight, conv.bias):
            parameter.copy_(torch.rand(parameter.shape, generator=generator) * 2 * bound - bound)
    return conv


def _output_size_formula(name: str, size: int, kernel_size: int, stride: int, padding: int, dilation: int,
                         result: int) -> str:
    """The output-size formula for one dimension, first in symbols, then with the numbers."""
    return (f"{name}<sub>out</sub> = ⌊({name} + 2·p − d·(k − 1) − 1) / s⌋ + 1 "
            f"= ⌊({size} + 2·{padding} − {dilation}·({kernel_size} − 1) − 1) / {stride}⌋ + 1 = {result}")


def conv_numbers(in_size, kernel_size: int, stride: int, padding: int, dilation: int, out_channels: int,
                 in_channels: int = 1) -> dict:
    """The numbers the conv explorer shows, computed from the layer's settings alone.

    Args:
        in_size: (H, W) of the input.
        kernel_size, stride, padding, dilation: the layer's settings (ints, as on the sliders).
        out_channels: number of kernels.
        in_channels: channels of the input.

    Returns:
        A dict with ``output_size`` (H_out, W_out), ``parameters`` (weights plus one bias per
        kernel) and ``multiply_adds`` (C_in·k·k per output value, for every output value).

    Raises:
        ValueError: the dilated kernel does not fit in the padded input (from
            :func:`receptive_field.conv_output_size`, which names the fix).

    Example:
        >>> conv_numbers((28, 28), kernel_size=5, stride=1, padding=2, dilation=1, out_channels=16)
        {'output_size': (28, 28), 'parameters': 416, 'multiply_adds': 313600}
    """
    from .receptive_field import conv_output_size

    output_size = conv_output_size(tuple(in_size), kernel_size, stride, padding, dilation)
    per_output = in_channels * kernel_size * kernel_size
    return {
        "output_size": tuple(output_size),
        "parameters": out_channels * (per_output + 1),
        "multiply_adds": out_channels * output_size[0] * output_size[1] * per_output,
    }


def _conv_numbers_html(image_size, settings: dict, numbers: dict, unit, window) -> str:
    """The explorer's table of numbers, each row with a class the tests look up."""
    k, s, p, d, c = (settings[key] for key in ("kernel_size", "stride", "padding", "dilation", "out_channels"))
    (h, w), (oh, ow) = image_size, numbers["output_size"]
    rows = [
        ("output-height", "output height", _output_size_formula("H", h, k, s, p, d, oh)),
        ("output-width", "output width", _output_size_formula("W", w, k, s, p, d, ow)),
        ("output-shape", "output shape", f"({c}, {oh}, {ow}) = (kernels, H<sub>out</sub>, W<sub>out</sub>)"),
        ("parameters", "parameters",
         f"{c} kernels × (1·{k}·{k} weights + 1 bias) = {numbers['parameters']:,}"),
        ("multiply-adds", "multiply-adds",
         f"{c}·{oh}·{ow} outputs × {k * k} each = {numbers['multiply_adds']:,}"),
        ("window", "window",
         f"output unit {unit} sees input rows {window[0][0]}…{window[0][1]}, "
         f"columns {window[1][0]}…{window[1][1]}" + (f", taps {d} pixels apart" if d > 1 else "")
         + " (negative or past the edge: padding)"),
    ]
    cells = "".join(f'<tr class="{cls}"><th style="text-align:left">{label}</th><td>{text}</td></tr>'
                    for cls, label, text in rows)
    return f'<table class="conv-numbers">{cells}</table>'


def render_conv(fig, image, kernel_size: int, stride: int, padding: int, dilation: int, out_channels: int,
                position: int = 0) -> str:
    """Apply a real ``nn.Conv2d`` to ``image``, draw it on ``fig`` and return the numbers as HTML.

    Args:
        fig: the persistent figure (see :func:`viz.plot_conv_window`).
        image: (H, W) tensor, one input channel.
        kernel_size, stride, padding, dilation, out_channels: the layer's settings.
        position: which output unit's window to draw, counted row by row from the top left;
            past the last unit it stays on the last.

    Returns:
        HTML: the output-size formula with the numbers filled in, the output shape, the
        parameter count, the multiply-adds and the window drawn.

    Raises:
        ValueError: the dilated kernel does not fit in the padded input.

    Example:
        >>> import torch
        >>> html = render_conv(None, torch.zeros(8, 8), 3, 1, 0, 1, 4)
        >>> "= 6</td>" in html and "= 40</td>" in html
        True
    """
    import torch

    numbers = conv_numbers(tuple(image.shape), kernel_size, stride, padding, dilation, out_channels)
    conv = _conv_layer(out_channels, kernel_size, stride, padding, dilation)
    threads = torch.get_num_threads()
    try:
        # One thread: on a busy machine, handing this tiny convolution to a second thread
        # took 20 ms instead of 0.1 ms (measured on the course's 2-core machine).
        torch.set_num_threads(1)
        with torch.no_grad():
            output = conv(image[None, None])[0]  # (C_out, H_out, W_out)
    finally:
        torch.set_num_threads(threads)
    oh, ow = output.shape[1:]
    row, col = divmod(min(position, oh * ow - 1), ow)
    top, left = row * stride - padding, col * stride - padding
    span = dilation * (kernel_size - 1)
    viz.plot_conv_window(image, conv.weight[0, 0].detach(), output[0], (stride, stride), (padding, padding),
                         (dilation, dilation), (row, col), fig=fig)
    settings = {"kernel_size": kernel_size, "stride": stride, "padding": padding, "dilation": dilation,
                "out_channels": out_channels}
    return _conv_numbers_html(tuple(image.shape), settings, numbers, (row, col),
                              ((top, top + span), (left, left + span)))


def conv_explorer(image=None) -> Explorer:
    """Sliders for kernel_size, stride, padding, dilation and out_channels on a real ``nn.Conv2d``.

    Shows the padded input with the window of one output unit (the ``position`` slider
    walks it across the output) and the kernel's taps coloured by their weights, the first
    output channel, and the numbers: the output-size formula filled in, the parameter count
    and the multiply-adds. A kernel that does not fit in the padded input shows a plain
    message.

    Args:
        image: (H, W) tensor or array to convolve; default: the course photo's mean over
            colours, shrunk to ``CONV_IMAGE_SIZE`` pixels on its longer side.

    Returns:
        An :class:`Explorer`; its ``controls`` are the sliders by name.

    Raises:
        ValueError: ``image`` is not 2-D.

    Example:
        >>> explorer = conv_explorer()
        >>> explorer.controls["kernel_size"].value = 3
        >>> "1·3·3 weights" in explorer.numbers.value
        True
    """
    import torch
    from matplotlib.figure import Figure

    from .data import sample_image

    if image is None:
        image = sample_image(size=CONV_IMAGE_SIZE).mean(dim=0)  # (H, W) grey
    image = torch.as_tensor(image).detach().float()
    if image.dim() != 2:
        raise ValueError(f"image must be a 2-D (H, W) tensor, got shape {tuple(image.shape)}; "
                         "pick one channel, e.g. photo[0]")

    def slider(description, value, low, high):
        return widgets.IntSlider(value=value, min=low, max=high, description=description,
                                 continuous_update=True, style={"description_width": "initial"})

    controls = {
        "kernel_size": slider("kernel_size", 5, 1, 11),
        "stride": slider("stride", 1, 1, 4),
        "padding": slider("padding", 2, 0, 5),
        "dilation": slider("dilation", 1, 1, 4),
        "out_channels": slider("out_channels", 16, 1, 16),
        "position": slider("window position", 0, 0, image.shape[0] * image.shape[1] - 1),
    }

    def keep_position_on_the_output(change) -> None:
        # Runs before the Explorer's own observer (registered first): shrink the position
        # slider to the new number of output units, so every position is a real window.
        values = {name: control.value for name, control in controls.items() if name != "position"}
        try:
            oh, ow = conv_numbers(tuple(image.shape), **values)["output_size"]
        except ValueError:
            return  # impossible setting: render shows the message
        controls["position"].max = oh * ow - 1

    for name in ("kernel_size", "stride", "padding", "dilation"):
        controls[name].observe(keep_position_on_the_output, names="value")
    keep_position_on_the_output(None)

    def render(fig, **values):
        return render_conv(fig, image, **values)

    fig = Figure(figsize=viz.CONV_FIGSIZE)
    return Explorer(controls, render, fig, "conv-explorer")


# --- 01 input layer ---


def _photo_crops(count: int, crop: int = 72):
    """``count`` different square crops of the sample photo (every other one mirrored).

    A stand-in for a batch of different images: what data augmentation would feed a CNN.
    Shape: (count, 3, crop, crop).
    """
    import torch

    from .data import sample_image

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
    from ._validation import check_int

    if check_int(max_batch, "max_batch", minimum=1) > 8:
        raise ValueError(f"max_batch must be at most 8 (the figure has room for 8 images), got {max_batch}")
    images = _photo_crops(max_batch)  # (max_batch, 3, 72, 72)
    fig = viz.plot_input_batch(images, fig=None, max_batch=max_batch)
    controls = {
        "view": widgets.ToggleButtons(options=viz.CHANNEL_VIEWS, value="RGB", description="channels"),
        "batch_size": widgets.IntSlider(value=max_batch, min=1, max=max_batch, description="batch N"),
        "layout": widgets.ToggleButtons(options=[(viz.LAYOUT_NAMES[k], k) for k in viz.LAYOUTS],
                                        value="NCHW", description="layout"),
    }

    def render(fig, view, batch_size, layout):
        return viz.render_input_explorer(fig, images, view, batch_size, layout)

    return Explorer(controls, render, fig, "input-explorer")


# --- 04 pooling ---
POOLING_MODES = ("max", "avg", "sum")


def _covered(size: int, kernel_size: int, stride: int, padding: int, count: int):
    """Per input position along one dimension: how many of the ``count`` windows read it."""
    import numpy as np

    hits = np.zeros(size + 2 * padding, dtype=int)  # over the padded length
    for start in range(0, count * stride, stride):
        hits[start:start + kernel_size] += 1
    return hits[padding:padding + size]  # (size,)


def pooling_numbers(in_size, kernel_size: int, stride: int, padding: int) -> dict:
    """The numbers the pooling explorer shows, from the layer's settings alone.

    Args:
        in_size: (H, W) of the feature map.
        kernel_size, stride, padding: the pooling layer's settings (ints, as on the sliders).

    Returns:
        A dict with ``output_size`` (H_out, W_out); ``kept``: output values / input values;
        ``unread``: how many input values no window reads (a gap when stride > kernel_size,
        or a border the last window does not reach); ``max_windows``: the most windows any
        input value falls in (1 when the windows tile the map, more when they overlap).

    Raises:
        ValueError: padding over half the window (PyTorch refuses it), or a window that
            does not fit in the padded input.

    Example:
        >>> pooling_numbers((28, 28), kernel_size=2, stride=2, padding=0)
        {'output_size': (14, 14), 'kept': 0.25, 'unread': 0, 'max_windows': 1}
        >>> pooling_numbers((27, 27), kernel_size=2, stride=2, padding=0)["unread"]  # row and column 26
        53
    """
    from .receptive_field import conv_output_size

    if 2 * padding > kernel_size:
        raise ValueError(
            f"padding {padding} is more than half of kernel_size {kernel_size}: a window could then hold "
            f"only padding, and PyTorch refuses it; use padding <= {kernel_size // 2} or a larger kernel_size")
    out = conv_output_size(tuple(in_size), kernel_size, stride, padding)  # (H_out, W_out)
    rows, cols = (_covered(size, kernel_size, stride, padding, n) for size, n in zip(in_size, out, strict=True))
    return {
        "output_size": out,
        "kept": out[0] * out[1] / (in_size[0] * in_size[1]),
        "unread": int(in_size[0] * in_size[1] - (rows > 0).sum() * (cols > 0).sum()),
        "max_windows": int(rows.max() * cols.max()),
    }


def pool_feature_map(feature_map, mode: str, kernel_size: int, stride: int, padding: int):
    """Pool one (H, W) map with PyTorch: max, average, or sum (average × window area).

    Sum pooling has no layer of its own in PyTorch: ``nn.LPPool2d(1, k, s)`` computes it
    without padding; ``avg_pool2d × k²`` (padding counted as zeros) also with padding.

    Args:
        feature_map: (H, W) tensor.
        mode: "max", "avg" or "sum".
        kernel_size, stride, padding: the pooling layer's settings.

    Returns:
        The (H_out, W_out) pooled tensor.

    Raises:
        ValueError: unknown ``mode``.

    Example:
        >>> import torch
        >>> pool_feature_map(torch.arange(16.0).reshape(4, 4), "sum", 2, 2, 0)
        tensor([[10., 18.],
                [42., 50.]])
    """
    import torch.nn.functional as F

    from ._validation import check_choice

    x = feature_map[None, None]  # (1, 1, H, W)
    if check_choice(mode, "mode", POOLING_MODES) == "max":
        return F.max_pool2d(x, kernel_size, stride, padding)[0, 0]
    average = F.avg_pool2d(x, kernel_size, stride, padding)[0, 0]  # padding counts as zeros
    return average if mode == "avg" else average * kernel_size**2


def _pooling_numbers_html(in_size, mode, kernel_size, stride, padding, numbers, unit, window, value) -> str:
    """The pooling explorer's table of numbers, each row with a class the tests look up."""
    import numpy as np

    (h, w), (oh, ow), (k, s, p) = in_size, numbers["output_size"], (kernel_size, stride, padding)
    read = window[~np.isnan(window)]
    how = {"max": "the largest of", "avg": f"the sum / {k * k} of", "sum": "the sum of"}[mode]
    if numbers["max_windows"] > 1:
        overlap = (f"windows overlap (stride {s} < kernel_size {k}): "
                   f"a value is in up to {numbers['max_windows']} windows")
    elif numbers["unread"]:
        overlap = f"{numbers['unread']} of {h * w} input values are in no window (gaps or a cut-off border)"
    else:
        overlap = "the windows tile the map: every input value is in exactly one window"
    rows = [
        ("output-height", "output height", f"H<sub>out</sub> = ⌊(H + 2·p − k) / s⌋ + 1 "
                                           f"= ⌊({h} + 2·{p} − {k}) / {s}⌋ + 1 = {oh}"),
        ("output-width", "output width", f"W<sub>out</sub> = ⌊({w} + 2·{p} − {k}) / {s}⌋ + 1 = {ow}"),
        ("values", "values kept", f"{h}·{w} = {h * w:,} → {oh}·{ow} = {oh * ow:,} ({numbers['kept']:.1%})"),
        ("overlap", "windows", overlap),
        ("window", "this window",
         f"output ({unit[0]}, {unit[1]}) = {how} {read.size} values"
         + (f" (+ {window.size - read.size} padding)" if read.size < window.size else "")
         + f" = {value:.4g}"),
        ("parameters", "parameters", "0: pooling has no weights to learn"),
    ]
    cells = "".join(f'<tr class="{cls}"><th style="text-align:left">{label}</th><td>{text}</td></tr>'
                    for cls, label, text in rows)
    return f'<table class="pooling-numbers">{cells}</table>'


def render_pooling(fig, feature_maps: dict, feature: str, mode: str, kernel_size: int, stride: int,
                   padding: int, position: int = 0) -> str:
    """Pool the chosen feature map with PyTorch, draw it on ``fig`` and return the numbers as HTML.

    Args:
        fig: the persistent figure (see :func:`viz.plot_pooling`); ``None`` draws nothing.
        feature_maps: name -> (H, W) tensor.
        feature: the name of the map to pool.
        mode: "max", "avg" or "sum".
        kernel_size, stride, padding: the pooling layer's settings.
        position: which output unit to explain, counted row by row from the top left;
            past the last unit it stays on the last.

    Returns:
        HTML: the output-size formula filled in, how many values are kept, whether windows
        overlap, and how the chosen output value comes from its window.

    Raises:
        ValueError: padding over half the window, or a window larger than the padded map.

    Example:
        >>> import torch
        >>> maps = {"ramp": torch.arange(16.0).reshape(4, 4)}
        >>> html = render_pooling(None, maps, "ramp", "max", 2, 2, 0, position=3)
        >>> "= 2</td>" in html and "output (1, 1) = the largest of 4 values = 15" in html
        True
    """
    feature_map = feature_maps[feature]
    numbers = pooling_numbers(tuple(feature_map.shape), kernel_size, stride, padding)
    output = pool_feature_map(feature_map, mode, kernel_size, stride, padding)  # (H_out, W_out)
    oh, ow = numbers["output_size"]
    unit = divmod(min(position, oh * ow - 1), ow)
    geometry = ((kernel_size,) * 2, (stride,) * 2, (padding,) * 2)
    window = viz.pooling_window(feature_map.numpy(), *geometry, unit)  # (k, k), NaN = padding
    if fig is not None:
        viz.plot_pooling(feature_map.numpy(), output.numpy(), *geometry, unit, mode, fig=fig)
    return _pooling_numbers_html(tuple(feature_map.shape), mode, kernel_size, stride, padding, numbers, unit,
                                 window, output[unit].item())


def default_feature_maps() -> dict:
    """Real feature maps to pool: a test digit through edge-detecting convolutions + ReLU, the digit
    itself, and the edges of the course photo.

    Each map is what a conv layer + ReLU hands to a pooling layer: an ``nn.Conv2d`` with a
    fixed Sobel kernel (a vertical- or horizontal-edge detector), then ``relu``.

    Returns:
        name -> (H, W) float tensor.

    Example:
        >>> {name: tuple(m.shape) for name, m in default_feature_maps().items()}  # doctest: +NORMALIZE_WHITESPACE
        {'digit 3: vertical edges': (28, 28), 'digit 3: horizontal edges': (28, 28),
         'digit 3: pixels': (28, 28), 'photo: edges': (40, 34)}
    """
    import torch

    from .data import load_mnist, sample_image

    _, test = load_mnist()
    images, labels = test.tensors
    digit = images[(labels == 3).nonzero()[0, 0]]  # (1, 28, 28): the first 3 of the test set
    photo = sample_image(size=40).mean(dim=0, keepdim=True)  # (1, 40, 34) grey
    sobel = torch.tensor([[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]])
    edges = torch.nn.Conv2d(1, 2, 3, padding=1, bias=False)
    with torch.no_grad():
        edges.weight.copy_(torch.stack([sobel, sobel.T])[:, None])  # (2, 1, 3, 3): vertical, horizontal
        digit_edges = torch.relu(edges(digit[None]))[0]  # (2, 28, 28)
        photo_edges = edges(photo[None])[0].norm(dim=0)  # (40, 34): edge strength, any direction
    return {"digit 3: vertical edges": digit_edges[0], "digit 3: horizontal edges": digit_edges[1],
            "digit 3: pixels": digit[0], "photo: edges": photo_edges}


def pooling_explorer(feature_maps: dict | None = None) -> Explorer:
    """Pooling type, window, stride and padding on a real feature map, with the numbers.

    Shows the feature map with one window (and its neighbour one stride away), that
    window's values, the pooled output, the output-size formula filled in, and how the
    chosen output value comes from its window. Padding over half the window shows a plain
    message, as PyTorch refuses it.

    Args:
        feature_maps: name -> (H, W) tensor to choose from; default
            :func:`default_feature_maps` (edges of a real MNIST digit, and of the photo).

    Returns:
        An :class:`Explorer` with controls ``feature``, ``mode``, ``kernel_size``, ``stride``,
        ``padding`` and ``position``.

    Raises:
        ValueError: an empty ``feature_maps`` or a map that is not 2-D.

    Example:
        >>> explorer = pooling_explorer()
        >>> explorer.controls["kernel_size"].value = 3
        >>> "⌊(28 + 2·0 − 3) / 2⌋ + 1 = 13" in explorer.numbers.value
        True
    """
    feature_maps = default_feature_maps() if feature_maps is None else dict(feature_maps)
    if not feature_maps:
        raise ValueError("feature_maps is empty; give at least one name -> (H, W) tensor")
    for name, feature_map in feature_maps.items():
        if feature_map.dim() != 2:
            raise ValueError(f"feature map {name!r} must be a 2-D (H, W) tensor, got shape "
                             f"{tuple(feature_map.shape)}; pick one channel, e.g. maps[0]")
    feature_maps = {name: m.detach().float() for name, m in feature_maps.items()}

    def slider(description, value, low, high):
        return widgets.IntSlider(value=value, min=low, max=high, description=description,
                                 style={"description_width": "initial"})

    controls = {
        "feature": widgets.Dropdown(options=list(feature_maps), description="feature map"),
        "mode": widgets.ToggleButtons(options=POOLING_MODES, value="max", description="pooling"),
        "kernel_size": slider("kernel_size", 2, 1, 6),
        "stride": slider("stride", 2, 1, 6),
        "padding": slider("padding", 0, 0, 3),
        "position": slider("window position", 0, 0, 0),
    }

    shown = {"size": None, "explorer": None}  # the output size the position refers to; the Explorer

    def keep_position_on_the_output(change) -> None:
        # Registered before the Explorer's observer, so it runs first: the position slider
        # spans exactly the output units of the new setting, and keeps pointing at the same
        # place of the map (its row and column scaled to the new output size).
        values = {name: controls[name].value for name in ("kernel_size", "stride", "padding")}
        try:
            oh, ow = pooling_numbers(tuple(feature_maps[controls["feature"].value].shape), **values)["output_size"]
        except ValueError:
            return  # impossible setting: render shows the message
        position = controls["position"]
        if shown["size"] is None:
            row, col = oh // 2, ow // 2  # start in the middle, where the digit is
        else:
            (old_h, old_w), (old_row, old_col) = shown["size"], divmod(position.value, shown["size"][1])
            row = min(oh - 1, int((old_row + 0.5) * oh / old_h))
            col = min(ow - 1, int((old_col + 0.5) * ow / old_w))
        shown["size"] = (oh, ow)
        explorer = shown["explorer"]
        if explorer is not None:  # the Explorer redraws once, for the setting that changed
            position.unobserve(explorer._on_change, names="value")
        try:
            position.max = max(position.max, row * ow + col)
            position.value = row * ow + col
            position.max = oh * ow - 1
        finally:
            if explorer is not None:
                position.observe(explorer._on_change, names="value")

    for name in ("feature", "kernel_size", "stride", "padding"):
        controls[name].observe(keep_position_on_the_output, names="value")
    keep_position_on_the_output(None)

    def render(fig, **values):
        return render_pooling(fig, feature_maps, **values)

    shown["explorer"] = Explorer(controls, render, viz.pooling_figure(), "pooling-explorer")
    return shown["explorer"]


# --- 03 receptive field ---
RF_MAX_LAYERS = 4  # layers of a custom stack
RF_MAX_KERNEL = 7
RF_MAX_STRIDE = 3
RF_PHOTO_SIZE = 64  # the explorer's photo: longer side in pixels
RF_COURSE_MODEL = "course model (conv1, conv2)"
# Preset stacks as (kernel_size, stride) per Conv2d; None: the custom stack of the sliders.
RF_PRESETS = {
    "custom stack": None,
    RF_COURSE_MODEL: None,
    "two 3×3 convs": ((3, 1), (3, 1)),
    "one 5×5 conv": ((5, 1),),
}
RF_PADDINGS = {"none": "0 (none)", "half": "k // 2"}


def build_rf_stack(kernel_sizes, strides, padding: str = "none"):
    """A real ``nn.Sequential`` of 1-channel ``nn.Conv2d`` layers, one per (kernel_size, stride).

    Args:
        kernel_sizes: the kernel size of each layer, from the input up.
        strides: the stride of each layer (as many as ``kernel_sizes``).
        padding: ``"none"`` (padding 0) or ``"half"`` (padding k // 2 on each side).

    Returns:
        The stack; its receptive field does not depend on channels, so one channel keeps it cheap.

    Raises:
        ValueError: no layers, different numbers of kernel sizes and strides, or another padding.

    Example:
        >>> build_rf_stack([3, 3], [1, 2], padding="half")
        Sequential(
          (0): Conv2d(1, 1, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))
          (1): Conv2d(1, 1, kernel_size=(3, 3), stride=(2, 2), padding=(1, 1))
        )
    """
    from torch import nn

    from ._validation import check_choice, check_int

    check_choice(padding, "padding", tuple(RF_PADDINGS))
    if len(kernel_sizes) != len(strides) or not kernel_sizes:
        raise ValueError(f"give one stride per kernel size and at least one layer, got kernel_sizes "
                         f"{list(kernel_sizes)} and strides {list(strides)}")
    layers = []
    for index, (k, s) in enumerate(zip(kernel_sizes, strides, strict=True)):
        k = check_int(k, f"kernel_sizes[{index}]", minimum=1)
        s = check_int(s, f"strides[{index}]", minimum=1)
        layers.append(nn.Conv2d(1, 1, k, s, padding=k // 2 if padding == "half" else 0))
    return nn.Sequential(*layers)


class _OneThread:
    """Run torch on one thread inside the block, then restore the thread count.

    The explorer's stacks are tiny (one channel): splitting them over threads only adds
    synchronisation, which costs 10-100 ms per stack on a busy machine.
    """

    def __enter__(self):
        import torch

        self.threads = torch.get_num_threads()
        torch.set_num_threads(1)

    def __exit__(self, *exc):
        import torch

        torch.set_num_threads(self.threads)


def _course_model_convs():
    """The course model's convolutional part (conv1, conv2) as one real ``nn.Sequential``."""
    from torch import nn

    from .model import SeedCNN

    model = SeedCNN()
    return nn.Sequential(model.conv1, model.conv2)


@functools.lru_cache(maxsize=512)
def rf_stack_table(preset: str, layers: tuple, padding: str, image_size: tuple):
    """``receptive_field`` of the stack the explorer's settings describe, computed once per stack.

    Args:
        preset: a key of ``RF_PRESETS``.
        layers: ((kernel_size, stride), ...) of the custom stack (ignored by the other presets).
        padding: ``"none"`` or ``"half"`` (custom stack only).
        image_size: (H, W) of the image the stack runs on.

    Returns:
        The rows ``receptive_field(stack, (1, H, W))`` returns (cached: the same object for
        the same arguments).

    Raises:
        ValueError: an unknown preset, or a stack that shrinks the image to nothing (the
            message says which layer and what to change).

    Example:
        >>> rf_stack_table("two 3×3 convs", (), "none", (28, 28))[-1].rf_size
        (5, 5)
    """
    from ._validation import check_choice
    from .receptive_field import receptive_field

    check_choice(preset, "preset", tuple(RF_PRESETS))
    if preset == RF_COURSE_MODEL:
        stack = _course_model_convs()
    else:
        stack_layers = RF_PRESETS[preset] or layers
        stack = build_rf_stack([k for k, _ in stack_layers], [s for _, s in stack_layers],
                               padding if RF_PRESETS[preset] is None else "none")
    try:
        with _OneThread():
            return receptive_field(stack, (1, *image_size))
    except ValueError as error:
        raise ValueError(
            f"This stack leaves no output on the {image_size[0]} × {image_size[1]} image (output size 0): "
            f"{error}. Use fewer layers, smaller kernels or strides, or padding k // 2."
        ) from None


def _custom_layers(values: dict) -> tuple:
    """((kernel_size, stride), ...) of the custom stack for the explorer's control values."""
    return tuple((values[f"kernel_{n}"], values[f"stride_{n}"]) for n in range(1, values["layers"] + 1))


def render_rf(fig, images: dict, preset: str, image: str, layers: int, padding: str, unit_row: int,
              unit_col: int, **per_layer) -> str:
    """Draw one output unit's receptive field on the chosen image; return the numbers as HTML.

    Args:
        fig: the persistent figure (see :func:`viz.plot_rf_explorer`).
        images: name -> (C, H, W) image in [0, 1].
        preset: a key of ``RF_PRESETS``.
        image: a key of ``images``.
        layers: how many layers of the custom stack are used.
        padding: ``"none"`` or ``"half"``.
        unit_row, unit_col: the output unit.
        per_layer: ``kernel_1`` … and ``stride_1`` … of the custom stack.

    Returns:
        HTML from :func:`viz.rf_numbers_html`.

    Raises:
        ValueError: a stack with no output on this image, or a unit outside the output.

    Example:
        >>> import torch
        >>> html = render_rf(None, {"zeros": torch.zeros(1, 8, 8)}, "custom stack", "zeros", 1, "none",
        ...                  0, 0, kernel_1=3, stride_1=1)
        >>> '<td class="output-size">6 × 6</td>' in html
        True
    """
    picture = images[image]
    values = {"layers": layers, **per_layer}
    table = rf_stack_table(preset, _custom_layers(values), padding, tuple(picture.shape[-2:]))
    oh, ow = table[-1].output_size
    if not (0 <= unit_row < oh and 0 <= unit_col < ow):
        raise ValueError(f"unit ({unit_row}, {unit_col}) is outside the {oh} × {ow} output; "
                         f"pick a row from 0 to {oh - 1} and a column from 0 to {ow - 1}")
    unit = (unit_row, unit_col)
    viz.plot_rf_explorer(picture, table[-1].region(*unit), (oh, ow), unit, fig=fig)
    return viz.rf_numbers_html(table, unit)


def rf_explorer(digit=None, photo=None) -> Explorer:
    """Build a stack of layers (or pick a preset), pick an output unit, see the input region it sees.

    The custom stack has up to ``RF_MAX_LAYERS`` real ``nn.Conv2d`` layers with a kernel
    size and a stride each, and no padding or padding k // 2; the presets are the course
    model's convolutional part and the Inception-v3 pair (two 3×3 convs vs one 5×5). The
    region of the chosen unit is drawn on a digit or on the photo, with the numbers
    ``receptive_field`` computes. A stack with no output shows a plain message.

    Args:
        digit: (1, H, W) image; default: the first test digit of the bundled MNIST.
        photo: (3, H, W) image; default: the course photo, ``RF_PHOTO_SIZE`` pixels high.

    Returns:
        An :class:`Explorer`; its ``controls`` are the widgets by name.

    Example:
        >>> explorer = rf_explorer()
        >>> explorer.controls["preset"].value = RF_COURSE_MODEL
        >>> '<td class="rf-size">16 × 16</td>' in explorer.numbers.value
        True
    """
    from .data import load_mnist, sample_image

    images = {
        "digit": load_mnist()[1].tensors[0][0] if digit is None else digit,  # (1, 28, 28)
        "photo": sample_image(size=RF_PHOTO_SIZE) if photo is None else photo,  # (3, 64, 55)
    }

    def slider(description, value, low, high):
        return widgets.IntSlider(value=value, min=low, max=high, description=description,
                                 continuous_update=True, style={"description_width": "initial"},
                                 layout=widgets.Layout(width="230px"))

    controls = {
        "preset": widgets.Dropdown(options=list(RF_PRESETS), value="custom stack", description="stack"),
        "image": widgets.ToggleButtons(options=list(images), value="digit", description="image"),
        "layers": slider("layers", 2, 1, RF_MAX_LAYERS),
        "padding": widgets.ToggleButtons(options=[(text, key) for key, text in RF_PADDINGS.items()],
                                         value="none", description="padding"),
    }
    for n in range(1, RF_MAX_LAYERS + 1):
        controls[f"kernel_{n}"] = slider(f"kernel {n}", 3, 1, RF_MAX_KERNEL)
        controls[f"stride_{n}"] = slider(f"stride {n}", 1, 1, RF_MAX_STRIDE)
    controls["unit_row"] = slider("unit row", 0, 0, 0)
    controls["unit_col"] = slider("unit column", 0, 0, 0)

    def sync_controls(change) -> None:
        # Runs before the Explorer's own observer (registered first): grey out the sliders the
        # stack does not use, and fit the unit sliders to the new output size.
        values = {name: control.value for name, control in controls.items()}
        custom = values["preset"] == "custom stack"
        controls["padding"].disabled = controls["layers"].disabled = not custom
        for n in range(1, RF_MAX_LAYERS + 1):
            for name in (f"kernel_{n}", f"stride_{n}"):
                controls[name].disabled = not custom or n > values["layers"]
        size = tuple(images[values["image"]].shape[-2:])
        try:
            oh, ow = rf_stack_table(values["preset"], _custom_layers(values), values["padding"], size)[-1].output_size
        except ValueError:
            return  # no output: render shows the message
        controls["unit_row"].max, controls["unit_col"].max = oh - 1, ow - 1

    for name, control in controls.items():
        if not name.startswith("unit_"):
            control.observe(sync_controls, names="value")
    sync_controls(None)

    def render(fig, **values):
        return render_rf(fig, images, **values)

    return Explorer(controls, render, viz.rf_explorer_figure(), "rf-explorer")


# --- 06 full implementation ---
FEATURE_MAP_IMAGES = 100  # the explorer's slider walks the first 100 images of the dataset


def feature_map_stages(model, image) -> dict:
    """Every intermediate output of a model's conv blocks for one image, in forward order.

    The blocks are the model's leading ``nn.Sequential`` children (``conv1``, ``conv2`` of
    :class:`cnn_helpers.model.SeedCNN`); each block's layers are run one by one and each
    output is kept, so "conv1 / ReLU" is what conv1's ReLU hands to its max pooling.

    Args:
        model: a model whose first children are ``nn.Sequential`` conv blocks run in order.
        image: one image.

    Returns:
        ``{block: {layer name: (C, H, W) tensor}}``, detached, on the CPU.

    Raises:
        ValueError: the model has no leading ``nn.Sequential`` block.

    Shape:
        image (1, 28, 28) -> for SeedCNN: conv1 (16, 28, 28), (16, 28, 28), (16, 14, 14);
        conv2 (32, 14, 14), (32, 14, 14), (32, 7, 7).

    Example:
        >>> import torch
        >>> from cnn_helpers.model import SeedCNN
        >>> stages = feature_map_stages(SeedCNN(), torch.zeros(1, 28, 28))
        >>> {block: [tuple(m.shape) for m in layers.values()] for block, layers in stages.items()}
        {'conv1': [(16, 28, 28), (16, 28, 28), (16, 14, 14)], 'conv2': [(32, 14, 14), (32, 14, 14), (32, 7, 7)]}
    """
    import torch
    from torch import nn

    parameter = next(model.parameters(), None)
    x = image[None].to(parameter.device if parameter is not None else "cpu")  # (1, C, H, W)
    stages = {}
    with torch.no_grad():
        for name, block in model.named_children():
            if not isinstance(block, nn.Sequential):
                break
            layers = {}
            for layer in block:
                x = layer(x)
                layers[type(layer).__name__] = x[0].cpu()  # (C, H, W)
            stages[name] = layers
    if not stages:
        raise ValueError(f"{type(model).__name__} has no leading nn.Sequential conv block to show; "
                         "the explorer expects blocks like SeedCNN's conv1 and conv2")
    return stages


def _feature_map_numbers_html(label: int, predicted: int, probability: float, block: str, layer: str, maps) -> str:
    channels, height, width = maps.shape
    strongest = int(maps.amax(dim=(1, 2)).argmax())
    zeros = (maps == 0).float().mean().item()
    rows = [
        ("fm-label", "true digit", f"{label}"),
        ("fm-prediction", "model says", f"{predicted} ({100 * probability:.1f}%)"),
        ("fm-shape", f"{block} / {layer} output", f"{channels} × {height} × {width}"),
        ("fm-zeros", "exactly zero", f"{100 * zeros:.0f}% of the values"),
        ("fm-strongest", "strongest channel", f"{strongest} (max {maps[strongest].max().item():.3g})"),
    ]
    return '<table class="fm-numbers">' + "".join(
        f'<tr><th style="text-align:left">{name}</th><td class="{cls}">{value}</td></tr>' for cls, name, value in rows
    ) + "</table>"


def render_feature_maps(fig, model, images, labels, index: int, block: str, layer: str) -> str:
    """Draw image ``index`` next to the feature maps of ``block``/``layer``; return the numbers.

    Args:
        fig: a figure from :func:`cnn_helpers.viz.feature_map_figure`, or None to skip drawing.
        model: the trained model.
        images: (N, 1, 28, 28) images; labels: (N,) true digits.
        index: which image.
        block: a conv block of the model, e.g. ``"conv1"``.
        layer: a layer type within it, e.g. ``"ReLU"``.

    Returns:
        HTML with the true digit, the prediction, the maps' shape, the share of zeros and
        the strongest channel.

    Raises:
        ValueError: ``index`` outside the images, or an unknown block or layer.

    Example:
        >>> import torch
        >>> from cnn_helpers.model import SeedCNN
        >>> html = render_feature_maps(None, SeedCNN(), torch.zeros(2, 1, 28, 28), torch.tensor([3, 5]),
        ...                            index=1, block="conv2", layer="MaxPool2d")
        >>> "32 × 7 × 7" in html and ">5<" in html
        True
    """
    import torch

    if not 0 <= index < len(images):
        raise ValueError(f"index {index} is outside the {len(images)} images; pick 0 to {len(images) - 1}")
    stages = feature_map_stages(model, images[index])
    if block not in stages:
        raise ValueError(f"block {block!r} is not a conv block of the model; pick one of {', '.join(stages)}")
    if layer not in stages[block]:
        raise ValueError(f"{block} has no {layer} layer; pick one of {', '.join(stages[block])}")
    maps = stages[block][layer]  # (C, H, W)
    parameter = next(model.parameters())
    with torch.no_grad():
        probabilities = torch.softmax(model(images[index][None].to(parameter.device))[0], dim=0).cpu()  # (10,)
    predicted = int(probabilities.argmax())
    label = int(labels[index])
    if fig is not None:
        verdict = "right" if predicted == label else "wrong"
        viz.plot_feature_maps(images[index][0].numpy(), maps.numpy(), f"image {index}: a {label} ({verdict})",
                              f"{block} / {layer}: {maps.shape[0]} maps of {maps.shape[1]} × {maps.shape[2]}",
                              fig=fig)
    return _feature_map_numbers_html(label, predicted, probabilities[predicted].item(), block, layer, maps)


def feature_map_explorer(model, dataset) -> Explorer:
    """Pick an image and a layer of the trained model; see every feature map it makes there.

    Args:
        model: a trained model with conv blocks like :class:`cnn_helpers.model.SeedCNN`.
        dataset: (image, label) pairs, e.g. the test set; the slider walks its first
            ``FEATURE_MAP_IMAGES`` images.

    Returns:
        An :class:`Explorer` with controls ``index``, ``block`` and ``layer``.

    Raises:
        ValueError: an empty dataset, or a model without conv blocks.

    Example:
        >>> import torch
        >>> from torch.utils.data import TensorDataset
        >>> from cnn_helpers.model import SeedCNN
        >>> data = TensorDataset(torch.rand(5, 1, 28, 28), torch.arange(5))
        >>> explorer = feature_map_explorer(SeedCNN(), data)
        >>> explorer.controls["block"].value = "conv2"
        >>> "32 × 14 × 14" in explorer.numbers.value
        True
    """
    import torch

    if len(dataset) == 0:
        raise ValueError("dataset is empty; give (image, label) pairs, e.g. load_mnist()[1]")
    count = min(len(dataset), FEATURE_MAP_IMAGES)
    pairs = [dataset[i] for i in range(count)]
    images = torch.stack([image for image, _ in pairs]).float()  # (count, 1, 28, 28)
    labels = torch.tensor([int(label) for _, label in pairs])  # (count,)
    model.eval()
    stages = feature_map_stages(model, images[0])
    first_block = next(iter(stages))
    layers = list(stages[first_block])
    style = {"description_width": "initial"}
    controls = {
        "index": widgets.IntSlider(value=0, min=0, max=count - 1, description="image", style=style),
        "block": widgets.ToggleButtons(options=list(stages), value=first_block, description="block", style=style),
        "layer": widgets.ToggleButtons(options=layers, value="ReLU" if "ReLU" in layers else layers[-1],
                                       description="after", style=style),
    }

    def render(fig, **values):
        return render_feature_maps(fig, model, images, labels, **values)

    return Explorer(controls, render, viz.feature_map_figure(), "feature-map-explorer")


# --- 05 fully connected ---
SHAPE_CHANNELS = (16, 32, 64, 128)  # output channels of conv blocks 1, 2, 3, 4 (the course model: 16, 32)


def trace_course_style_model(input_size: int, blocks: int, kernel_size: int, padding: int, pool: str):
    """The shape trace of a course-style CNN (``model.build_cnn``), built on the meta device.

    On the meta device tensors have shapes but no data: building and tracing even a large
    model takes milliseconds and no memory, which keeps the shape explorer fast.

    Args:
        input_size: height = width of the input digits.
        blocks: number of conv blocks (1 to 4), with ``SHAPE_CHANNELS`` output channels.
        kernel_size, padding: of every Conv2d.
        pool: "max", "avg" or "none", 2 × 2 after every conv block.

    Returns:
        The :class:`model.ShapeTrace` of one example.

    Raises:
        ValueError: a block that gets a map too small for its kernel or pooling (the message
            names the block and the fix).

    Example:
        >>> trace = trace_course_style_model(28, 2, 5, 2, "max")
        >>> trace[-2].output_shape, trace[-1].num_parameters, trace.total_parameters
        ((1568,), 15690, 28938)
    """
    import torch

    from ._validation import check_int
    from .model import build_cnn, trace_shapes

    blocks = check_int(blocks, "blocks", minimum=1)
    if blocks > len(SHAPE_CHANNELS):
        raise ValueError(f"blocks must be at most {len(SHAPE_CHANNELS)}, got {blocks}")
    with torch.device("meta"):
        model = build_cnn(channels=SHAPE_CHANNELS[:blocks], kernel_size=kernel_size, padding=padding, pool=pool,
                          input_size=input_size)
    return trace_shapes(model, (1, input_size, input_size))


def _shape_numbers_html(trace, batch_size: int) -> str:
    """The shape explorer's numbers: where in_features comes from, the Linear's share, the batch."""
    import math

    flat = next(i for i, row in enumerate(trace) if len(row.output_shape) == 1)  # the flatten row
    c, h, w = trace[flat - 1].output_shape
    in_features, (classes,) = trace[flat].output_shape[0], trace[-1].output_shape
    linear = trace[-1].num_parameters
    share = linear / trace.total_parameters
    image = trace[0].output_shape
    rows = [
        ("in-features", "Linear in_features",
         f"C·H·W of the last block = {c}·{h}·{w} = {in_features:,}"),
        ("linear-parameters", "Linear parameters",
         f"{in_features:,}·{classes} weights + {classes} biases = {linear:,} ({share:.1%} of all "
         f"{trace.total_parameters:,})"),
        ("batch", "a batch of N = " + str(batch_size),
         f"input ({batch_size}, {', '.join(map(str, image))}) → flattened ({batch_size}, {in_features:,}) → "
         f"logits ({batch_size}, {classes}): one row per example, one column per class"),
        ("values", "values per example", f"input {math.prod(image):,} → last block {c * h * w:,}"),
    ]
    cells = "".join(f'<tr class="{cls}"><th style="text-align:left">{label}</th><td>{text}</td></tr>'
                    for cls, label, text in rows)
    return f'<table class="shape-numbers">{cells}</table>' + trace._repr_html_()


def render_shapes(fig, input_size: int, blocks: int, kernel_size: int, padding: int, pool: str,
                  batch_size: int = 1) -> str:
    """Trace a course-style CNN, draw the trace on ``fig`` and return the numbers as HTML.

    Args:
        fig: a figure from :func:`viz.shape_figure`; ``None`` draws nothing.
        input_size, blocks, kernel_size, padding, pool: the model (see
            :func:`trace_course_style_model`).
        batch_size: N, for the shapes of the whole batch.

    Returns:
        HTML: how the Linear layer's in_features follow from the last block's shape, its
        parameters and their share of the model, the batch shapes, and the full trace table.

    Raises:
        ValueError: an impossible model (a feature map smaller than a kernel or pooling window).

    Example:
        >>> html = render_shapes(None, 28, 2, 5, 2, "max", batch_size=8)
        >>> "= 32·7·7 = 1,568" in html and "logits (8, 10)" in html
        True
    """
    trace = trace_course_style_model(input_size, blocks, kernel_size, padding, pool)
    if fig is not None:
        viz.plot_shape_trace(trace, fig=fig)
    return _shape_numbers_html(trace, batch_size)


def shape_explorer() -> Explorer:
    """Change a course-style CNN and watch every layer's output shape and parameter count.

    Sliders: input size, number of conv blocks, kernel_size and padding of the convolutions,
    the pooling after each block, and the batch size. Shows the trace table, bar charts of
    the values after each layer and the parameters of each, and where the Linear layer's
    in_features come from. A model whose feature map shrinks to nothing shows a plain message.

    Returns:
        An :class:`Explorer` with controls ``input_size``, ``blocks``, ``kernel_size``,
        ``padding``, ``pool`` and ``batch_size``.

    Example:
        >>> explorer = shape_explorer()
        >>> explorer.controls["pool"].value = "none"
        >>> "= 32·28·28 = 25,088" in explorer.numbers.value
        True
    """

    def slider(description, value, low, high, step=1):
        return widgets.IntSlider(value=value, min=low, max=high, step=step, description=description,
                                 style={"description_width": "initial"})

    controls = {
        "input_size": slider("input size", 28, 8, 64, 4),
        "blocks": slider("conv blocks", 2, 1, len(SHAPE_CHANNELS)),
        "kernel_size": slider("kernel_size", 5, 1, 7),
        "padding": slider("padding", 2, 0, 3),
        "pool": widgets.ToggleButtons(options=["max", "avg", "none"], value="max", description="pooling"),
        "batch_size": slider("batch N", 8, 1, 64),
    }
    return Explorer(controls, render_shapes, viz.shape_figure(), "shape-explorer")

"""Notebook 02, convolution: the conv explorer.

Sliders for kernel_size, stride, padding, dilation and out_channels on a real ``nn.Conv2d``
applied to the course photo: the sliding window, the output-size formula filled in, the
parameter count and the multiply-adds (:func:`conv_numbers`, :func:`render_conv`,
:func:`conv_explorer`).
"""

from __future__ import annotations

import ipywidgets as widgets

from .. import viz
from ..language import tr
from .explorer import Explorer

CONV_IMAGE_SIZE = 32  # the explorer's photo: longer side in pixels (small keeps updates fast)


def _conv_layer(out_channels: int, kernel_size: int, stride: int, padding: int, dilation: int, seed: int = 0):
    """A real ``nn.Conv2d(1, out_channels, ...)`` with PyTorch's default weight scale, seeded.

    The weights come from a private generator, so the explorer never changes the notebook's
    global random state, and the same settings always show the same kernels.
    """
    import torch
    from torch import nn

    # nn.Conv2d draws its initial weights from the global generator: put its state back afterwards.
    # (nn.utils.skip_init would avoid the draw, but its first call in a process costs half a second.)
    with torch.random.fork_rng(devices=[]):
        conv = nn.Conv2d(1, out_channels, kernel_size, stride, padding, dilation)
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
        TypeError: a setting that is not an integer (NumPy integers are accepted).
        ValueError: a setting out of range (``out_channels`` < 1, say), or the dilated kernel
            does not fit in the padded input (from :func:`receptive_field.conv_output_size`,
            which names the fix).

    Example:
        >>> conv_numbers((28, 28), kernel_size=5, stride=1, padding=2, dilation=1, out_channels=16)
        {'output_size': (28, 28), 'parameters': 416, 'multiply_adds': 313600}
    """
    from .._validation import check_int, to_pair
    from ..receptive_field import conv_output_size

    in_size = to_pair(in_size, "in_size", minimum=1)
    out_channels = check_int(out_channels, "out_channels", minimum=1)
    in_channels = check_int(in_channels, "in_channels", minimum=1)
    for name, value, low in (("kernel_size", kernel_size, 1), ("stride", stride, 1), ("padding", padding, 0),
                             ("dilation", dilation, 1)):
        check_int(value, name, minimum=low)  # the sliders' single ints: a pair would misprint the table
    output_size = conv_output_size(in_size, kernel_size, stride, padding, dilation)
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
    (top, bottom), (left, right) = window
    if d > 1:
        seen = tr("output unit {unit} sees input rows {top}…{bottom}, columns {left}…{right}, taps {dilation} "
                  "pixels apart (negative or past the edge: padding)", unit=unit, top=top, bottom=bottom,
                  left=left, right=right, dilation=d)
    else:
        seen = tr("output unit {unit} sees input rows {top}…{bottom}, columns {left}…{right} "
                  "(negative or past the edge: padding)", unit=unit, top=top, bottom=bottom, left=left, right=right)
    rows = [
        ("output-height", tr("output height"), _output_size_formula("H", h, k, s, p, d, oh)),
        ("output-width", tr("output width"), _output_size_formula("W", w, k, s, p, d, ow)),
        ("output-shape", tr("output shape"),
         tr("({kernels}, {height}, {width}) = (kernels, H<sub>out</sub>, W<sub>out</sub>)",
            kernels=c, height=oh, width=ow)),
        ("parameters", tr("parameters"),
         tr("{kernels} kernels × (1·{k}·{k} weights + 1 bias) = {parameters:,}",
            kernels=c, k=k, parameters=numbers["parameters"])),
        ("multiply-adds", tr("multiply-adds"),
         tr("{kernels}·{height}·{width} outputs × {per_output} each = {multiply_adds:,}",
            kernels=c, height=oh, width=ow, per_output=k * k, multiply_adds=numbers["multiply_adds"])),
        ("window", tr("window"), seen),
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
        TypeError: ``image`` is not an array of numbers, or a setting is not an integer.
        ValueError: the dilated kernel does not fit in the padded input, or a setting or
            ``image`` is out of range (as :func:`conv_numbers`).

    Example:
        >>> import torch
        >>> html = render_conv(None, torch.zeros(8, 8), 3, 1, 0, 1, 4)
        >>> "= 6</td>" in html and "= 40</td>" in html
        True
    """
    import torch

    from .._validation import check_array, check_int

    image = torch.as_tensor(check_array(image, "image", 2, "(H, W)", tr("pick one channel, e.g. photo[0]"))).float()
    position = check_int(position, "position", minimum=0)
    numbers = conv_numbers(tuple(image.shape), kernel_size, stride, padding, dilation, out_channels)
    kernel_size, stride, padding, dilation, out_channels = map(int, (kernel_size, stride, padding, dilation,
                                                                     out_channels))
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
        TypeError: ``image`` is not an array of numbers.
        ValueError: ``image`` is not 2-D, is empty or holds NaN.

    Example:
        >>> explorer = conv_explorer()
        >>> explorer.controls["kernel_size"].value = 3
        >>> "1·3·3 weights" in explorer.numbers.value
        True
    """
    import torch
    from matplotlib.figure import Figure

    from .._validation import check_array
    from ..data import sample_image

    if image is None:
        image = sample_image(size=CONV_IMAGE_SIZE).mean(dim=0)  # (H, W) grey
    image = torch.as_tensor(check_array(image, "image", 2, "(H, W)", tr("pick one channel, e.g. photo[0]"))).float()

    def slider(description, value, low, high):
        return widgets.IntSlider(value=value, min=low, max=high, description=description,
                                 continuous_update=True, style={"description_width": "initial"})

    controls = {
        "kernel_size": slider(tr("kernel_size"), 5, 1, 11),
        "stride": slider(tr("stride"), 1, 1, 4),
        "padding": slider(tr("padding"), 2, 0, 5),
        "dilation": slider(tr("dilation"), 1, 1, 4),
        "out_channels": slider(tr("out_channels"), 16, 1, 16),
        "position": slider(tr("window position"), 0, 0, image.shape[0] * image.shape[1] - 1),
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
    return Explorer(controls, render, fig, "conv-explorer", title=tr("conv explorer"))

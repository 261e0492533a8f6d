"""Notebook 04, pooling: the pooling explorer.

Max, average or sum pooling with a chosen window, stride and padding on a real feature map
(edges of an MNIST digit or of the course photo), with the numbers: output size, values
kept, overlap, and how one output value comes from its window (:func:`pooling_numbers`,
:func:`pool_feature_map`, :func:`render_pooling`, :func:`pooling_explorer`).
"""

from __future__ import annotations

from collections.abc import Mapping

import ipywidgets as widgets

from .. import viz
from ..language import tr
from .explorer import Explorer

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
        TypeError: a setting that is not an integer.
        ValueError: a setting out of range, padding over half the window (PyTorch refuses
            it), or a window that does not fit in the padded input.

    Example:
        >>> pooling_numbers((28, 28), kernel_size=2, stride=2, padding=0)
        {'output_size': (14, 14), 'kept': 0.25, 'unread': 0, 'max_windows': 1}
        >>> pooling_numbers((27, 27), kernel_size=2, stride=2, padding=0)["unread"]  # row and column 26
        53
    """
    from .._validation import check_int, to_pair
    from ..receptive_field import conv_output_size

    in_size = to_pair(in_size, "in_size", minimum=1)
    kernel_size = check_int(kernel_size, "kernel_size", minimum=1)
    stride = check_int(stride, "stride", minimum=1)
    padding = check_int(padding, "padding", minimum=0)
    if 2 * padding > kernel_size:
        raise ValueError(tr(
            "padding {padding} is more than half of kernel_size {kernel_size}: a window could then hold "
            "only padding, and PyTorch refuses it; use padding <= {most} or a larger kernel_size",
            padding=padding, kernel_size=kernel_size, most=kernel_size // 2))
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
        TypeError: ``feature_map`` is not an array of numbers, or a setting is not an integer.
        ValueError: unknown ``mode``, a map that is not 2-D, or settings that
            :func:`pooling_numbers` refuses.

    Example:
        >>> import torch
        >>> pool_feature_map(torch.arange(16.0).reshape(4, 4), "sum", 2, 2, 0)
        tensor([[10., 18.],
                [42., 50.]])
    """
    import torch
    import torch.nn.functional as F

    from .._validation import check_array, check_choice

    check_choice(mode, "mode", POOLING_MODES)
    feature_map = torch.as_tensor(check_array(feature_map, "feature_map", 2, "(H, W)",
                                              tr("pick one channel, e.g. maps[0]"))).float()
    pooling_numbers(tuple(feature_map.shape), kernel_size, stride, padding)  # the settings, checked in words
    kernel_size, stride, padding = int(kernel_size), int(stride), int(padding)
    x = feature_map[None, None]  # (1, 1, H, W)
    if mode == "max":
        return F.max_pool2d(x, kernel_size, stride, padding)[0, 0]
    average = F.avg_pool2d(x, kernel_size, stride, padding)[0, 0]  # padding counts as zeros
    return average if mode == "avg" else average * kernel_size**2


def _pooling_numbers_html(in_size, mode, kernel_size, stride, padding, numbers, unit, window, value) -> str:
    """The pooling explorer's table of numbers, each row with a class the tests look up."""
    import numpy as np

    (h, w), (oh, ow), (k, s, p) = in_size, numbers["output_size"], (kernel_size, stride, padding)
    read = window[~np.isnan(window)]
    if numbers["max_windows"] > 1:
        overlap = tr("windows overlap (stride {stride} < kernel_size {kernel_size}): "
                     "a value is in up to {most} windows", stride=s, kernel_size=k, most=numbers["max_windows"])
    elif numbers["unread"]:
        overlap = tr("{unread} of {total} input values are in no window (gaps or a cut-off border)",
                     unread=numbers["unread"], total=h * w)
    else:
        overlap = tr("the windows tile the map: every input value is in exactly one window")
    padded = tr(" (+ {count} padding)", count=window.size - read.size) if read.size < window.size else ""
    values = {"row": unit[0], "col": unit[1], "count": read.size, "padded": padded, "value": value}
    if mode == "max":
        pooled = tr("output ({row}, {col}) = the largest of {count} values{padded} = {value:.4g}", **values)
    elif mode == "avg":
        pooled = tr("output ({row}, {col}) = the sum / {area} of {count} values{padded} = {value:.4g}",
                    area=k * k, **values)
    else:
        pooled = tr("output ({row}, {col}) = the sum of {count} values{padded} = {value:.4g}", **values)
    rows = [
        ("output-height", tr("output height"), f"H<sub>out</sub> = ⌊(H + 2·p − k) / s⌋ + 1 "
                                               f"= ⌊({h} + 2·{p} − {k}) / {s}⌋ + 1 = {oh}"),
        ("output-width", tr("output width"), f"W<sub>out</sub> = ⌊({w} + 2·{p} − {k}) / {s}⌋ + 1 = {ow}"),
        ("values", tr("values kept"), f"{h}·{w} = {h * w:,} → {oh}·{ow} = {oh * ow:,} ({numbers['kept']:.1%})"),
        ("overlap", tr("windows"), overlap),
        ("window", tr("this window"), pooled),
        ("parameters", tr("parameters"), tr("0: pooling has no weights to learn")),
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
        TypeError: ``feature_maps`` is not a dict of arrays, or a setting is not an integer.
        ValueError: an unknown ``feature``, padding over half the window, or a window larger
            than the padded map.

    Example:
        >>> import torch
        >>> maps = {"ramp": torch.arange(16.0).reshape(4, 4)}
        >>> html = render_pooling(None, maps, "ramp", "max", 2, 2, 0, position=3)
        >>> "= 2</td>" in html and "output (1, 1) = the largest of 4 values = 15" in html
        True
    """
    from .._validation import check_int

    feature_maps = _check_feature_maps(feature_maps)
    if feature not in feature_maps:
        raise ValueError(tr("feature {feature!r} is not one of the feature maps; pick one of {names}",
                            feature=feature, names=", ".join(map(repr, feature_maps))))
    position = check_int(position, "position", minimum=0)
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

    from ..data import load_mnist, sample_image

    test = load_mnist().test
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


def _check_feature_maps(feature_maps) -> dict:
    """name -> (H, W) float tensor, or a clear error naming the map."""
    import torch

    from .._validation import check_array

    if not isinstance(feature_maps, Mapping):
        raise TypeError(tr("feature_maps must be a dict of name -> (H, W) tensor, got {kind}; "
                           "e.g. {{'edges': maps[0]}}", kind=type(feature_maps).__name__))
    if not feature_maps:
        raise ValueError(tr("feature_maps is empty; give at least one name -> (H, W) tensor"))
    checked = {}
    for name, feature_map in feature_maps.items():
        if not isinstance(name, str):
            raise TypeError(tr("feature_maps keys must be names (strings), got {name!r}", name=name))
        array = check_array(feature_map, tr("feature map {name!r}", name=name), 2, "(H, W)",
                            tr("pick one channel, e.g. maps[0]"))
        checked[name] = torch.as_tensor(array).float()
    return checked


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
        TypeError: ``feature_maps`` is not a dict of named arrays of numbers.
        ValueError: an empty ``feature_maps``, or a map that is not 2-D, is empty or holds NaN.

    Example:
        >>> explorer = pooling_explorer()
        >>> explorer.controls["kernel_size"].value = 3
        >>> "⌊(28 + 2·0 − 3) / 2⌋ + 1 = 13" in explorer.numbers.value
        True
    """
    feature_maps = default_feature_maps() if feature_maps is None else _check_feature_maps(feature_maps)

    def slider(description, value, low, high):
        return widgets.IntSlider(value=value, min=low, max=high, description=description,
                                 style={"description_width": "initial"})

    # The maps' names and the modes are data (the render functions look them up); only their labels are translated.
    names = {"digit 3: vertical edges": tr("digit 3: vertical edges"),
             "digit 3: horizontal edges": tr("digit 3: horizontal edges"),
             "digit 3: pixels": tr("digit 3: pixels"), "photo: edges": tr("photo: edges")}
    modes = {"max": tr("max"), "avg": tr("avg"), "sum": tr("sum")}
    controls = {
        "feature": widgets.Dropdown(options=[(names.get(name, name), name) for name in feature_maps],
                                    description=tr("feature map")),
        "mode": widgets.ToggleButtons(options=[(modes[mode], mode) for mode in POOLING_MODES], value="max",
                                      description=tr("pooling")),
        "kernel_size": slider(tr("kernel_size"), 2, 1, 6),
        "stride": slider(tr("stride"), 2, 1, 6),
        "padding": slider(tr("padding"), 0, 0, 3),
        "position": slider(tr("window position"), 0, 0, 0),
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

    shown["explorer"] = Explorer(controls, render, viz.pooling_figure(), "pooling-explorer",
                                 title=tr("pooling explorer"))
    return shown["explorer"]

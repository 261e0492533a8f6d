"""Notebook 03, receptive field: the RF explorer.

A custom stack of real ``nn.Conv2d`` layers or a preset (the course model's conv part, two
3×3 convs vs one 5×5), an output unit, and the input region it sees drawn on a digit or the
photo, with the numbers ``cnn_helpers.receptive_field.receptive_field`` computes
(:func:`build_rf_stack`, :func:`rf_stack_table`, :func:`render_rf`, :func:`rf_explorer`).
"""

from __future__ import annotations

import functools

import ipywidgets as widgets

from .. import viz
from ..language import tr
from .explorer import Explorer

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


def _labels() -> dict:
    """The presets', images' and paddings' labels in the current language (they stay the data's keys)."""
    return {"custom stack": tr("custom stack"), RF_COURSE_MODEL: tr("course model (conv1, conv2)"),
            "two 3×3 convs": tr("two 3×3 convs"), "one 5×5 conv": tr("one 5×5 conv"),
            "digit": tr("digit"), "photo": tr("photo"), "none": tr("0 (none)"), "half": "k // 2"}


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

    from .._validation import check_choice, check_int

    check_choice(padding, "padding", tuple(RF_PADDINGS))
    for name, value in (("kernel_sizes", kernel_sizes), ("strides", strides)):
        if not isinstance(value, (list, tuple)):
            raise TypeError(tr("{name} must be a list of ints, one per layer, e.g. [3, 3], got {value!r}",
                               name=name, value=value))
    if len(kernel_sizes) != len(strides) or not kernel_sizes:
        raise ValueError(tr("give one stride per kernel size and at least one layer, got kernel_sizes "
                            "{kernel_sizes} and strides {strides}", kernel_sizes=list(kernel_sizes),
                            strides=list(strides)))
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

    from ..model import SeedCNN

    model = SeedCNN()
    return nn.Sequential(model.conv1, model.conv2)


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
    from .._validation import choice, integer, pair, sequence, tuple_of

    choice(tuple(RF_PRESETS))(preset, "preset")
    choice(tuple(RF_PADDINGS))(padding, "padding")
    sequence(tuple_of(integer(1), integer(1), example="(kernel_size, stride)"))(layers, "layers")
    return _rf_stack_table(preset, tuple((int(k), int(s)) for k, s in layers), padding,
                           pair(1)(image_size, "image_size"))


@functools.lru_cache(maxsize=512)
def _rf_stack_table(preset: str, layers: tuple, padding: str, image_size: tuple):
    """:func:`rf_stack_table` of checked arguments, once per stack."""
    from ..receptive_field import receptive_field

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
        raise ValueError(tr(
            "This stack leaves no output on the {height} × {width} image (output size 0): "
            "{error}. Use fewer layers, smaller kernels or strides, or padding k // 2.",
            height=image_size[0], width=image_size[1], error=error)) from None


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
    from collections.abc import Mapping

    from .._validation import check_int

    if not isinstance(images, Mapping):
        raise ValueError(tr("image {image!r} is not one of the images; pick one of a dict of images", image=image))
    if image not in images:
        raise ValueError(tr("image {image!r} is not one of the images; pick one of {names}",
                            image=image, names=", ".join(map(repr, images))))
    layers = check_int(layers, "layers", minimum=1)
    if layers > RF_MAX_LAYERS:
        raise ValueError(tr("layers must be at most {most}, got {value}", most=RF_MAX_LAYERS, value=layers))
    unit_row, unit_col = check_int(unit_row, "unit_row"), check_int(unit_col, "unit_col")
    for name, value in per_layer.items():
        check_int(value, name, minimum=1)
    picture = _check_picture(images[image], f"images[{image!r}]")
    values = {"layers": layers, **per_layer}
    missing = [f"{kind}_{n}" for n in range(1, layers + 1) for kind in ("kernel", "stride")
               if f"{kind}_{n}" not in values]
    if missing:
        raise ValueError(tr("a custom stack of {layers} layers needs {missing}, e.g. kernel_1=3, stride_1=1",
                            layers=layers, missing=", ".join(missing)))
    table = rf_stack_table(preset, _custom_layers(values), padding, tuple(picture.shape[-2:]))
    oh, ow = table[-1].output_size
    if not (0 <= unit_row < oh and 0 <= unit_col < ow):
        raise ValueError(tr("unit ({row}, {col}) is outside the {height} × {width} output; "
                            "pick a row from 0 to {last_row} and a column from 0 to {last_col}",
                            row=unit_row, col=unit_col, height=oh, width=ow, last_row=oh - 1, last_col=ow - 1))
    unit = (unit_row, unit_col)
    viz.plot_rf_explorer(picture, table[-1].region(*unit), (oh, ow), unit, fig=fig)
    return viz.rf_numbers_html(table, unit)


def _check_picture(image, name: str):
    """An (H, W) or (C, H, W) image with 1 or 3 channels as a (C, H, W) float tensor, or a clear error."""
    import torch

    from .._validation import check_array

    array = check_array(image, name, (2, 3), tr("(H, W) or (C, H, W)"), tr("one image, e.g. images[0]"))
    picture = torch.as_tensor(array).float()
    picture = picture[None] if picture.dim() == 2 else picture  # (C, H, W)
    if picture.shape[0] not in (1, 3):
        raise ValueError(tr("{name} must have 1 (grey) or 3 (RGB) channels first, got shape {shape}; "
                            "put the channels first with image.permute(2, 0, 1)",
                            name=name, shape=tuple(picture.shape)))
    return picture


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

    Raises:
        TypeError: ``digit`` or ``photo`` is not an array of numbers.
        ValueError: an image that is not (H, W) or (C, H, W) with 1 or 3 channels, or holds NaN.

    Example:
        >>> explorer = rf_explorer()
        >>> explorer.controls["preset"].value = RF_COURSE_MODEL
        >>> '<td class="rf-size">16 × 16</td>' in explorer.numbers.value
        True
    """
    from ..data import load_mnist, sample_image

    images = {
        "digit": load_mnist().test.tensors[0][0] if digit is None else _check_picture(digit, "digit"),  # (1, 28, 28)
        "photo": sample_image(size=RF_PHOTO_SIZE) if photo is None else _check_picture(photo, "photo"),  # (3, 64, 55)
    }

    def slider(description, value, low, high):
        return widgets.IntSlider(value=value, min=low, max=high, description=description,
                                 continuous_update=True, style={"description_width": "initial"},
                                 layout=widgets.Layout(width="230px"))

    labels = _labels()
    controls = {
        "preset": widgets.Dropdown(options=[(labels[key], key) for key in RF_PRESETS], value="custom stack",
                                   description=tr("stack")),
        "image": widgets.ToggleButtons(options=[(labels.get(key, key), key) for key in images], value="digit",
                                       description=tr("image")),
        "layers": slider(tr("layers"), 2, 1, RF_MAX_LAYERS),
        "padding": widgets.ToggleButtons(options=[(labels[key], key) for key in RF_PADDINGS],
                                         value="none", description=tr("padding")),
    }
    for n in range(1, RF_MAX_LAYERS + 1):
        controls[f"kernel_{n}"] = slider(tr("kernel {n}", n=n), 3, 1, RF_MAX_KERNEL)
        controls[f"stride_{n}"] = slider(tr("stride {n}", n=n), 1, 1, RF_MAX_STRIDE)
    controls["unit_row"] = slider(tr("unit row"), 0, 0, 0)
    controls["unit_col"] = slider(tr("unit column"), 0, 0, 0)

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

    return Explorer(controls, render, viz.rf_explorer_figure(), "rf-explorer", title=tr("rf explorer"))

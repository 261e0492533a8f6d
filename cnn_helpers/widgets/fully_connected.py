"""Notebook 05, fully connected: the shape explorer.

Change a course-style CNN (input size, conv blocks, kernel_size, padding, pooling, batch
size) and see every layer's output shape and parameters, and where the Linear layer's
in_features come from (:func:`trace_course_style_model`, :func:`render_shapes`,
:func:`shape_explorer`).
"""

from __future__ import annotations

import ipywidgets as widgets

from .. import viz
from ..language import tr
from .explorer import Explorer

SHAPE_CHANNELS = (16, 32, 64, 128)  # output channels of conv blocks 1, 2, 3, 4 (the course model: 16, 32)


def trace_course_style_model(input_size: int, blocks: int, kernel_size: int, padding: int, pool: str):
    """The shape trace of a course-style CNN (``model.build_cnn``), computed without arithmetic.

    The model is built on the meta device (shapes without data: no weight initialisation, the
    global random state untouched), given empty CPU weights, and traced with an empty batch:
    a few milliseconds even for the largest model, which keeps the shape explorer fast.
    Tracing on the meta device itself would cost a second on its first use in a kernel (its
    ReLU imports ``torch._dynamo``), and so would ``Module.to_empty`` (it imports sympy).

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

    from .._validation import check_choice, check_int
    from ..model import build_cnn, trace_shapes

    input_size = check_int(input_size, "input_size", minimum=1)
    kernel_size = check_int(kernel_size, "kernel_size", minimum=1)
    padding = check_int(padding, "padding", minimum=0)
    check_choice(pool, "pool", ("max", "avg", "none"))
    blocks = check_int(blocks, "blocks", minimum=1)
    if blocks > len(SHAPE_CHANNELS):
        raise ValueError(tr("blocks must be at most {most}, got {value}", most=len(SHAPE_CHANNELS), value=blocks))
    with torch.device("meta"):
        model = build_cnn(channels=SHAPE_CHANNELS[:blocks], kernel_size=kernel_size, padding=padding, pool=pool,
                          input_size=input_size)
    for module in model.modules():  # empty CPU weights of the same shapes
        for name, parameter in list(module.named_parameters(recurse=False)):
            setattr(module, name, torch.nn.Parameter(torch.empty(parameter.shape), requires_grad=False))
    return trace_shapes(model, (1, input_size, input_size), batch_size=0)


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
        ("in-features", tr("Linear in_features"),
         tr("C·H·W of the last block = {c}·{h}·{w} = {in_features:,}", c=c, h=h, w=w, in_features=in_features)),
        ("linear-parameters", tr("Linear parameters"),
         tr("{in_features:,}·{classes} weights + {classes} biases = {linear:,} ({share:.1%} of all {total:,})",
            in_features=in_features, classes=classes, linear=linear, share=share, total=trace.total_parameters)),
        ("batch", tr("a batch of N = {batch_size}", batch_size=batch_size),
         tr("input ({batch_size}, {image}) → flattened ({batch_size}, {in_features:,}) → "
            "logits ({batch_size}, {classes}): one row per example, one column per class",
            batch_size=batch_size, image=", ".join(map(str, image)), in_features=in_features, classes=classes)),
        ("values", tr("values per example"),
         tr("input {input_values:,} → last block {last_values:,}", input_values=math.prod(image),
            last_values=c * h * w)),
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
    from .._validation import check_int

    batch_size = check_int(batch_size, "batch_size", minimum=0)
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

    pools = [(tr("max"), "max"), (tr("avg"), "avg"), (tr("none"), "none")]  # (label, value for build_cnn)
    controls = {
        "input_size": slider(tr("input size"), 28, 8, 64, 4),
        "blocks": slider(tr("conv blocks"), 2, 1, len(SHAPE_CHANNELS)),
        "kernel_size": slider(tr("kernel_size"), 5, 1, 7),
        "padding": slider(tr("padding"), 2, 0, 3),
        "pool": widgets.ToggleButtons(options=pools, value="max", description=tr("pooling")),
        "batch_size": slider(tr("batch N"), 8, 1, 64),
    }
    return Explorer(controls, render_shapes, viz.shape_figure(), "shape-explorer", numbers_only=("batch_size",),
                    title=tr("shape explorer"))

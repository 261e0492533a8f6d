"""The course model (SeedCNN), a configurable builder, parameter counts and a shape trace.

The course model is the one of the source material, layer for layer::

    Conv2d(1, 16, 5, 1, 2) -> ReLU -> MaxPool2d(2)     # (16, 28, 28) -> (16, 14, 14)
    Conv2d(16, 32, 5, 1, 2) -> ReLU -> MaxPool2d(2)    # (32, 14, 14) -> (32, 7, 7)
    Linear(32 * 7 * 7, 10)

held in submodules named ``conv1``, ``conv2`` and ``out`` (28,938 parameters).
``build_cnn`` makes variations of it for experiments; ``trace_shapes`` lists the shape of
one example after every layer of any model (notebook 05).

Every model here is torch.fx-traceable (the receptive-field calculator traces it): the input
check is one fx node without users, so it never changes the traced geometry.

Example:
    >>> model = SeedCNN()
    >>> count_parameters(model)
    28938
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
import torch
import torch.fx
from torch import nn

from ._validation import check_choice, check_int, check_number, to_pair
from .language import columns, foreign, tr
from .receptive_field import conv_output_size

__all__ = ["SeedCNN", "ConvNet", "build_cnn", "count_parameters", "trace_shapes", "ShapeRow", "ShapeTrace"]


# --- input check -------------------------------------------------------------------------


def _shape_hint(shape: tuple, channels: int, size: tuple[int, int]) -> str:
    """How to turn a tensor of ``shape`` into (N, channels, H, W), in one short phrase."""
    h, w = size
    if len(shape) == 1 and shape[0] == channels * h * w:
        return tr("reshape a flat image with x.view(-1, {channels}, {h}, {w})", channels=channels, h=h, w=w)
    if len(shape) == 2 and channels == 1:
        return tr("add batch and channel dims with x[None, None]")
    if len(shape) == 3 and shape[0] == channels:
        return tr("add a batch dim with x[None]")
    if len(shape) == 3 and channels == 1:
        return tr("add a channel dim with x[:, None]")
    if len(shape) == 3 and shape[-1] == channels:
        return tr("move channels first and add a batch dim with x.permute(2, 0, 1)[None]")
    if len(shape) == 4 and shape[-1] == channels and shape[1] != channels:
        return tr("this looks channels-last (N, H, W, C); use x.permute(0, 3, 1, 2)")
    if len(shape) == 4 and shape[1] != channels:
        if channels == 1 and shape[1] == 3:
            return tr("convert RGB to grayscale with x.mean(dim=1, keepdim=True)")
        return tr("the model was built for {channels} input channel(s)", channels=channels)
    if len(shape) == 4:
        return tr("resize with torch.nn.functional.interpolate(x, size=({h}, {w}))", h=h, w=w)
    return tr("give a batch of images shaped (N, {channels}, {h}, {w})", channels=channels, h=h, w=w)


def _check_input(x, model_name: str, channels: int, size: tuple[int, int]) -> None:
    """Raise TypeError/ValueError with a fix when ``x`` is not a float (N, channels, *size) tensor."""
    if not isinstance(x, torch.Tensor):
        raise TypeError(tr(
            "{model} expects a torch.Tensor, got {type_name}; convert a NumPy array with torch.from_numpy(x).float()",
            model=model_name, type_name=type(x).__name__,
        ))
    shape = tuple(x.shape)
    expected = (channels, *size)
    if x.dim() != 4 or tuple(shape[1:]) != expected:
        raise ValueError(tr(
            "{model} expects input of shape (N, {channels}, {h}, {w}), got {shape}; {fix}",
            model=model_name, channels=channels, h=size[0], w=size[1], shape=shape,
            fix=_shape_hint(shape, channels, size),
        ))
    if not x.is_floating_point():
        raise TypeError(tr(
            "{model} expects a floating-point tensor, got dtype {dtype}; "
            "convert with x.float() (and divide 0-255 pixel values by 255)",
            model=model_name, dtype=x.dtype,
        ))


# torch.fx records a call to a wrapped function as one node instead of tracing into it, so
# the data-dependent checks above (which read x.shape) do not break symbolic tracing. The
# node returns None and has no users: it does not change the geometry of the model.
torch.fx.wrap("_check_input")


# --- the course model ---------------------------------------------------------------------


class SeedCNN(nn.Module):
    """The course model: two conv blocks and a linear classifier for 28x28 grayscale digits.

    ``forward`` returns the logits; ``features`` returns the flattened output of ``conv2``
    (the 32 * 7 * 7 = 1568 numbers the classifier sees), e.g. for a 2-D embedding plot.

    Shape:
        - Input: (N, 1, 28, 28), float.
        - Output: (N, 10) logits (``forward``); (N, 1568) features (``features``).

    Raises:
        ValueError: input of another shape; the message gives the expected shape and the fix.
        TypeError: input that is not a floating-point torch.Tensor.

    Example:
        >>> model = SeedCNN()
        >>> model(torch.zeros(2, 1, 28, 28)).shape
        torch.Size([2, 10])
        >>> model.features(torch.zeros(2, 1, 28, 28)).shape
        torch.Size([2, 1568])
        >>> model(torch.zeros(28, 28))  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        ValueError: SeedCNN expects input of shape (N, 1, 28, 28), got (28, 28); add batch and ...
    """

    def __init__(self) -> None:
        super().__init__()
        self.conv1 = nn.Sequential(
            nn.Conv2d(in_channels=1, out_channels=16, kernel_size=5, stride=1, padding=2),
            nn.ReLU(),
            nn.MaxPool2d(kernel_size=2),
        )
        self.conv2 = nn.Sequential(
            nn.Conv2d(in_channels=16, out_channels=32, kernel_size=5, stride=1, padding=2),
            nn.ReLU(),
            nn.MaxPool2d(kernel_size=2),
        )
        self.out = nn.Linear(32 * 7 * 7, 10)

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """The flattened output of ``conv2``: (N, 1, 28, 28) -> (N, 1568)."""
        _check_input(x, "SeedCNN", 1, (28, 28))
        x = self.conv1(x)  # (N, 16, 14, 14)
        x = self.conv2(x)  # (N, 32, 7, 7)
        return x.flatten(1)  # (N, 1568)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits for a batch of digits: (N, 1, 28, 28) -> (N, 10)."""
        return self.out(self.features(x))  # (N, 10)


# --- a configurable builder for experiments ---------------------------------------------------

ACTIVATIONS = {"relu": nn.ReLU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid, "gelu": nn.GELU}
POOLS = {"max": nn.MaxPool2d, "avg": nn.AvgPool2d, "none": None}


class ConvNet(nn.Module):
    """A stack of conv blocks ``conv1``, ``conv2``, ... and a linear classifier ``out``.

    Built by :func:`build_cnn`; ``build_cnn()`` with its defaults is the course model's
    architecture (the same layers, parameter names and count as :class:`SeedCNN`).

    Shape:
        - Input: (N, in_channels, H, W) with (H, W) = ``input_size``.
        - Output: (N, num_classes) logits; ``features`` gives (N, flattened size).

    Raises:
        ValueError / TypeError: input of another shape or type, as for :class:`SeedCNN`.

    Example:
        >>> model = build_cnn(channels=(8,), in_channels=3, input_size=(32, 32), num_classes=5)
        >>> model.features(torch.zeros(1, 3, 32, 32)).shape  # 8 channels of 16 x 16 after the pool
        torch.Size([1, 2048])
    """

    def __init__(self, blocks: list[nn.Sequential], out: nn.Linear, in_channels: int,
                 input_size: tuple[int, int], dropout: float = 0.0) -> None:
        super().__init__()
        for i, block in enumerate(blocks, start=1):
            self.add_module(f"conv{i}", block)
        self.dropout = nn.Dropout(dropout) if dropout > 0 else None
        self.out = out
        self.in_channels = in_channels
        self.input_size = input_size

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """The flattened output of the last conv block: (N, C, H, W) -> (N, C_last * H_last * W_last)."""
        _check_input(x, "ConvNet", self.in_channels, self.input_size)
        for name, block in self.named_children():
            if name.startswith("conv"):
                x = block(x)  # (N, C_i, H_i, W_i)
        return x.flatten(1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits: (N, C, H, W) -> (N, num_classes)."""
        x = self.features(x)
        if self.dropout is not None:
            x = self.dropout(x)
        return self.out(x)


def _conv_block(in_channels, out_channels, kernel_size, stride, padding, activation, pool, pool_size,
                batch_norm) -> nn.Sequential:
    """Conv2d -> [BatchNorm2d] -> activation -> [pool], as one Sequential."""
    layers = [nn.Conv2d(in_channels, out_channels, kernel_size, stride, padding)]
    if batch_norm:
        layers.append(nn.BatchNorm2d(out_channels))
    layers.append(ACTIVATIONS[activation]())
    if POOLS[pool] is not None:
        layers.append(POOLS[pool](pool_size))
    return nn.Sequential(*layers)


def _block_output_size(size, i, kernel_size, stride, padding, pool, pool_size) -> tuple[int, int]:
    """The (h, w) after block ``i``, or a ValueError naming the block that shrinks the map to nothing."""
    try:
        after_conv = conv_output_size(size, kernel_size, stride, padding)
    except ValueError as error:
        raise ValueError(tr("block conv{i} gets a {h} x {w} feature map, too small for its Conv2d: "
                            "{error}; or use fewer blocks (a shorter channels)", i=i, h=size[0], w=size[1],
                            error=error)) from None
    if POOLS[pool] is None:
        return after_conv
    try:
        return conv_output_size(after_conv, pool_size, pool_size)
    except ValueError:
        raise ValueError(tr(
            "block conv{i}: its Conv2d leaves a {h} x {w} feature map, too small for "
            "pool_size {pool_size}; use fewer blocks (a shorter channels), a larger input_size or pool='none'",
            i=i, h=after_conv[0], w=after_conv[1], pool_size=pool_size,
        )) from None


def build_cnn(channels=(16, 32), kernel_size=5, stride=1, padding=None, pool="max", pool_size=2,
              activation="relu", batch_norm=False, dropout=0.0, in_channels=1, input_size=28,
              num_classes=10) -> ConvNet:
    """Build a CNN like the course model, with the knobs of an experiment.

    One block per entry of ``channels``: Conv2d -> [BatchNorm2d] -> activation -> [pool];
    then flatten, [Dropout], Linear. The Linear layer's input size is computed from the
    output-size formula, so any geometry that fits works.

    Args:
        channels: output channels of each conv block, e.g. ``(16, 32)``.
        kernel_size, stride: of every Conv2d (int or (h, w) pair).
        padding: of every Conv2d; ``None`` means ``kernel_size // 2`` (keeps the size for
            odd kernels at stride 1).
        pool: ``"max"``, ``"avg"`` or ``"none"``; ``pool_size``: its window and stride.
        activation: ``"relu"``, ``"tanh"``, ``"sigmoid"`` or ``"gelu"``.
        batch_norm: add BatchNorm2d after each Conv2d.
        dropout: probability of a Dropout before the Linear layer (0 = none).
        in_channels, input_size: the images, e.g. 1 and 28 for MNIST (int or (h, w) pair).
        num_classes: outputs of the Linear layer.

    Returns:
        A :class:`ConvNet`; ``build_cnn()`` has the course model's layers and 28,938 parameters.

    Raises:
        ValueError: an impossible setting, e.g. a block that gets a feature map smaller than
            its kernel (the message names the block and the fix), or an unknown choice.
        TypeError: a size or count that is not an integer, ``batch_norm`` that is not a bool
            (``"no"`` would otherwise count as true), or ``dropout`` that is not a number.

    Shape:
        (N, in_channels, H, W) -> (N, num_classes).

    Example:
        >>> count_parameters(build_cnn())
        28938
        >>> model = build_cnn(channels=(8, 16, 32), kernel_size=3, batch_norm=True)
        >>> model(torch.zeros(2, 1, 28, 28)).shape
        torch.Size([2, 10])
    """
    if isinstance(channels, int) or not isinstance(channels, Sequence) or len(channels) == 0:
        raise TypeError(tr("channels must be a non-empty sequence of ints like (16, 32), got {value!r}",
                           value=channels))
    channels = [check_int(c, f"channels[{i}]", minimum=1) for i, c in enumerate(channels)]
    kernel_size = to_pair(kernel_size, "kernel_size", minimum=1)
    stride = to_pair(stride, "stride", minimum=1)
    padding = (kernel_size[0] // 2, kernel_size[1] // 2) if padding is None else to_pair(padding, "padding", 0)
    check_choice(pool, "pool", tuple(POOLS))
    pool_size = check_int(pool_size, "pool_size", minimum=1)
    check_choice(activation, "activation", tuple(ACTIVATIONS))
    if not isinstance(batch_norm, (bool, np.bool_)):
        raise TypeError(tr("{name} must be True or False, got {value!r}", name="batch_norm", value=batch_norm))
    batch_norm = bool(batch_norm)
    dropout = check_number(dropout, "dropout")
    if not 0.0 <= dropout < 1.0:
        raise ValueError(tr("dropout must be a probability in [0, 1), got {value!r}", value=dropout))
    in_channels = check_int(in_channels, "in_channels", minimum=1)
    input_size = to_pair(input_size, "input_size", minimum=1)
    num_classes = check_int(num_classes, "num_classes", minimum=1)

    blocks, size, previous = [], input_size, in_channels
    for i, out_channels in enumerate(channels, start=1):
        size = _block_output_size(size, i, kernel_size, stride, padding, pool, pool_size)
        blocks.append(_conv_block(previous, out_channels, kernel_size, stride, padding, activation, pool,
                                  pool_size, batch_norm))
        previous = out_channels
    out = nn.Linear(previous * size[0] * size[1], num_classes)  # flattened (C, H, W) of the last block
    return ConvNet(blocks, out, in_channels, input_size, dropout)


# --- counting -------------------------------------------------------------------------------


def count_parameters(model: nn.Module, trainable_only: bool = False) -> int:
    """The number of parameters (weights and biases) of ``model``.

    Args:
        model: any ``nn.Module``; shared parameters are counted once.
        trainable_only: count only parameters with ``requires_grad=True``.

    Returns:
        The total number of scalar parameters.

    Raises:
        TypeError: ``model`` is not an ``nn.Module``.

    Example:
        >>> count_parameters(nn.Conv2d(1, 16, 5))  # 16 * 1 * 5 * 5 weights + 16 biases
        416
    """
    if not isinstance(model, nn.Module):
        raise TypeError(tr("model must be a torch.nn.Module, got {type_name}", type_name=type(model).__name__))
    if not isinstance(trainable_only, (bool, np.bool_)):
        raise TypeError(tr("{name} must be True or False, got {value!r}", name="trainable_only", value=trainable_only))
    params = model.parameters()
    return sum(p.numel() for p in params if p.requires_grad or not trainable_only)


# --- a layer-by-layer shape trace ------------------------------------------------------------


class ShapeRow(NamedTuple):
    """One line of a :class:`ShapeTrace`: a layer and the shape of one example after it."""

    name: str  # the module's name in the model, e.g. "conv1.0"; "input"; "(no module)"
    layer_type: str  # e.g. "Conv2d"; "flatten" / "reshape" / "function" for work outside modules
    output_shape: tuple  # without the batch dimension, e.g. (16, 28, 28)
    num_parameters: int  # of this layer (a shared layer: counted at its first call only)


def _format_shape(shape: tuple) -> str:
    return "(" + ", ".join(str(n) for n in shape) + ("," if len(shape) == 1 else "") + ")"


def _shown_row_text(text: str) -> str:
    """A row's name or type as the table shows it: the words the trace itself writes, translated.

    The rows keep the English words (code compares them); only the table shows them translated.
    """
    shown = {"input": tr("input"), "(no module)": tr("(no module)"), "flatten": tr("flatten"),
             "reshape": tr("reshape"), "function": tr("function")}
    return shown.get(text, text)


class ShapeTrace(Sequence):
    """The rows of :func:`trace_shapes`, printed as a table (``repr`` and HTML in Jupyter).

    The table's words are in the language current when it is shown (``set_language``).

    Attributes:
        rows: the :class:`ShapeRow` s in execution order, the first being the input.
        total_parameters: ``count_parameters(model)``.
        model_name: the traced model's class name, e.g. ``"SeedCNN"``.
    """

    def __init__(self, rows: list[ShapeRow], total_parameters: int, model_name: str) -> None:
        self.rows = tuple(rows)
        self.total_parameters = total_parameters
        self.model_name = model_name

    @property
    def title(self) -> str:
        """The table's caption, e.g. ``"Shapes of one example through SeedCNN"``."""
        return tr("Shapes of one example through {model}", model=self.model_name)

    def __getitem__(self, index):
        return self.rows[index]

    def __len__(self) -> int:
        return len(self.rows)

    def _cells(self) -> tuple[list[str], list[list[str]], list[str]]:
        header = [tr("layer"), tr("type"), tr("output shape"), tr("parameters")]
        body = [[_shown_row_text(r.name), _shown_row_text(r.layer_type), _format_shape(r.output_shape),
                 f"{r.num_parameters:,}"] for r in self.rows]
        footer = [tr("total"), "", "", f"{self.total_parameters:,}"]
        return header, body, footer

    def __repr__(self) -> str:
        header, body, footer = self._cells()
        table = [header, *body, footer]
        widths = [max(columns(row[i]) for row in table) for i in range(4)]

        def line(cells):
            left = "  ".join(c + " " * (w - columns(c)) for c, w in zip(cells[:3], widths[:3], strict=True))
            return f"{left}  {' ' * (widths[3] - columns(cells[3]))}{cells[3]}"

        rule = "  ".join("-" * w for w in widths)
        return "\n".join([self.title, line(header), rule, *map(line, body), rule, line(footer)])

    def _repr_html_(self) -> str:
        header, body, footer = self._cells()

        def row(cells, tag="td"):
            tds = "".join(
                f'<{tag} style="text-align:{"right" if i == 3 else "left"}">{html.escape(c)}</{tag}>'
                for i, c in enumerate(cells)
            )
            return f"<tr>{tds}</tr>"

        rows = "".join(row(cells) for cells in body)
        return (
            f'<table class="shape-trace"><caption>{html.escape(self.title)}</caption>'
            f"<thead>{row(header, 'th')}</thead><tbody>{rows}</tbody><tfoot>{row(footer)}</tfoot></table>"
        )


def _first_tensor(value):
    """The tensor a layer returned, or the first tensor of a tuple/list it returned (else None)."""
    if isinstance(value, torch.Tensor):
        return value
    if isinstance(value, (tuple, list)):
        return next((v for v in value if isinstance(v, torch.Tensor)), None)
    return None


def _between_kind(tensor: torch.Tensor, last: torch.Tensor | None) -> str:
    """Name the work done outside modules that turned ``last`` into ``tensor``."""
    if last is not None and tensor.shape != last.shape and tensor.numel() == last.numel():
        return "flatten" if tensor.dim() == 2 else "reshape"
    return "function"


class _ShapeRecorder:
    """Forward hooks on every leaf module that collect :class:`ShapeRow` s in execution order."""

    def __init__(self, model: nn.Module) -> None:
        leaves = [(n, m) for n, m in model.named_modules() if not any(True for _ in m.children())]
        self.rows: list[ShapeRow] = []
        self.seen: dict[int, torch.Tensor] = {}  # id -> tensor, kept alive so ids stay unique
        self.last: torch.Tensor | None = None
        self.counted: set[int] = set()
        self.current = ""
        self.handles = []
        for name, module in leaves:
            self.handles.append(module.register_forward_pre_hook(self._pre_hook(name or type(module).__name__)))
            self.handles.append(module.register_forward_hook(self._hook(name or type(module).__name__)))

    def record(self, name: str, layer_type: str, tensor: torch.Tensor, num_parameters: int) -> None:
        self.rows.append(ShapeRow(name, layer_type, tuple(tensor.shape[1:]), num_parameters))
        self.seen[id(tensor)] = tensor
        self.last = tensor

    def _pre_hook(self, name: str):
        def hook(module, args):
            self.current = name
            tensor = _first_tensor(args)
            if tensor is not None and id(tensor) not in self.seen:  # made outside any module
                self.record("(no module)", _between_kind(tensor, self.last), tensor, 0)

        return hook

    def _hook(self, name: str):
        def hook(module, args, output):
            tensor = _first_tensor(output)
            if tensor is None:
                return
            first_call = id(module) not in self.counted
            self.counted.add(id(module))
            count = sum(p.numel() for p in module.parameters()) if first_call else 0
            self.record(name, type(module).__name__, tensor, count)

        return hook

    def remove(self) -> None:
        for handle in self.handles:
            handle.remove()


def trace_shapes(model: nn.Module, input_size, batch_size: int = 1) -> ShapeTrace:
    """Run one batch through ``model`` and list the output shape of every layer, in order.

    Forward hooks on the leaf modules (those without submodules) record each call, in
    execution order; a layer called twice gives two rows. Work done between modules by
    plain functions (``x.flatten(1)``, ``x + y``, ``torch.cat``) gets one row named
    ``"(no module)"`` for the tensor a module then receives (hooks see module inputs and
    outputs only), of type ``"flatten"``/``"reshape"`` (same number of values, new shape) or
    ``"function"``. The model runs in eval mode without gradients; its mode is restored.

    Args:
        model: any ``nn.Module`` taking one tensor.
        input_size: the shape of one example without the batch dimension, e.g. ``(1, 28, 28)``.
        batch_size: how many zero examples to run (shapes are reported without it). 0 runs an
            empty batch: the shapes come out without any arithmetic, for layers that accept an
            empty batch (convolutions, pooling, Flatten and Linear do; ``x.view(len(x), -1)``
            does not).

    Returns:
        A :class:`ShapeTrace`: a sequence of :class:`ShapeRow` ``(name, layer_type,
        output_shape, num_parameters)``, the first row being the input; it prints as a table.

    Raises:
        TypeError: ``model`` is not an ``nn.Module``, or ``input_size`` not a tuple of ints.
        ValueError: a bad ``input_size``, or the model fails on it (naming the layer).

    Shape:
        input (batch_size, *input_size); ``output_shape`` omits the batch dimension.

    Example:
        >>> print(trace_shapes(SeedCNN(), (1, 28, 28)))
        Shapes of one example through SeedCNN
        layer        type       output shape  parameters
        -----------  ---------  ------------  ----------
        input        input      (1, 28, 28)            0
        conv1.0      Conv2d     (16, 28, 28)         416
        conv1.1      ReLU       (16, 28, 28)           0
        conv1.2      MaxPool2d  (16, 14, 14)           0
        conv2.0      Conv2d     (32, 14, 14)      12,832
        conv2.1      ReLU       (32, 14, 14)           0
        conv2.2      MaxPool2d  (32, 7, 7)             0
        (no module)  flatten    (1568,)                0
        out          Linear     (10,)             15,690
        -----------  ---------  ------------  ----------
        total                                     28,938
    """
    if not isinstance(model, nn.Module):
        raise TypeError(tr("model must be a torch.nn.Module, got {type_name}", type_name=type(model).__name__))
    if isinstance(input_size, int):
        input_size = (input_size,)
    if not isinstance(input_size, (tuple, list, torch.Size)) or len(input_size) == 0:
        raise TypeError(tr("input_size must be the shape of one example, e.g. (1, 28, 28), got {value!r}",
                           value=input_size))
    input_size = tuple(check_int(n, f"input_size[{i}]", minimum=1) for i, n in enumerate(input_size))
    batch_size = check_int(batch_size, "batch_size", minimum=0)
    parameter = next(model.parameters(), None)
    device = parameter.device if parameter is not None else "cpu"
    dtype = parameter.dtype if parameter is not None and parameter.is_floating_point() else torch.float32
    x = torch.zeros(batch_size, *input_size, device=device, dtype=dtype)

    recorder = _ShapeRecorder(model)
    recorder.record("input", "input", x, 0)
    modes = {m: m.training for m in model.modules()}
    try:
        model.eval()
        with torch.no_grad():
            output = model(x)
    except RuntimeError as error:
        raise ValueError(tr(
            "{model} fails on input of size {input_size} at layer {layer!r}: {error}",
            model=type(model).__name__, input_size=input_size, layer=recorder.current, error=foreign(error),
        )) from error
    finally:
        recorder.remove()
        for module, training in modes.items():
            module.train(training)
    final = _first_tensor(output)
    if final is not None and id(final) not in recorder.seen:  # e.g. a last x.flatten(1) or x + y
        recorder.record("(no module)", _between_kind(final, recorder.last), final, 0)
    return ShapeTrace(recorder.rows, count_parameters(model), type(model).__name__)

"""What each layer does to the geometry: the modules, functions and tensor methods the calculator knows.

``_classify_module``, ``_classify_function`` and ``_classify_method`` turn one node of the
traced model into an ``_Op``: its kind (window, pointwise, reshape, mix, query), its
windows, and how the RF-faithful copy runs it (weights 1/fan_in, pooling as averages).
"""

from __future__ import annotations

import math
import operator
from dataclasses import dataclass
from functools import partial

import torch
import torch.nn.functional as F
from torch import nn

from ..language import tr
from .geometry import _NO_WINDOW, _adaptive_axis, _AxisWindow
from .output_size import _axis_output_size

# --- what each layer does to the geometry -------------------------------------------------


@dataclass(frozen=True)
class _Op:
    """How one node of the traced model changes the geometry, and how the RF-faithful copy runs it.

    kind: "window" (one window per axis in ``axes``), "pointwise" (keeps the grid; the
        union of its inputs), "reshape" (Flatten, view: the grid becomes a vector), "mix"
        (Linear, a mean over space: every unit sees the whole input) or "query" (no tensor
        out, e.g. ``x.size(0)``).
    faithful: replacement callable ``f(args, kwargs)`` for the RF-faithful copy; None runs it.
    """

    kind: str
    layer: str
    axes: tuple | None = None
    faithful: object = None


def _identity(args, kwargs):
    return args[0]


def _pad_axes(axes: list) -> tuple:
    """Give 1-D layers the (trivial) height axis, so every geometry is (h, w)."""
    return tuple(axes) if len(axes) == 2 else (_NO_WINDOW, *axes)


def _per_axis(value, n: int) -> tuple:
    if isinstance(value, (tuple, list)):
        return tuple(value) if len(value) == n else tuple(value) * n
    return (value,) * n


def _window_axes(spatial, kernel_size, stride, padding, dilation, ceil_mode, name) -> tuple:
    """Per-axis windows of a conv or pooling layer on an input of size ``spatial``."""
    n = len(spatial)
    k, d = _per_axis(kernel_size, n), _per_axis(dilation, n)
    s = _per_axis(kernel_size if stride is None or stride == () else stride, n)
    axes = []
    for a in range(n):
        if padding == "same":  # PyTorch puts the odd pixel of padding on the right
            p, out = d[a] * (k[a] - 1) // 2, spatial[a]
        else:
            p = 0 if padding == "valid" else _per_axis(padding, n)[a]
            try:
                out = _axis_output_size(spatial[a], k[a], s[a], p, d[a], ceil_mode,
                                        ("height", "width")[a] if n == 2 else "")
            except ValueError as error:
                raise ValueError(tr("layer {name!r}: {error}", name=name, error=error)) from None
        axes.append(_AxisWindow(k[a], s[a], p, d[a], out))
    return _pad_axes(axes)


def _taps(kernel_size, dilation, value: float, x: torch.Tensor) -> torch.Tensor:
    """A dense kernel over the dilated span: ``value`` at the taps, 0 in the holes.

    The RF-faithful copy runs in float64, where PyTorch's dilated and grouped CPU convs
    take a slow path; a dense kernel with zeros reaches exactly the same pixels, fast.
    """
    span = [d * (k - 1) + 1 for k, d in zip(kernel_size, dilation, strict=True)]
    taps = torch.zeros(span, dtype=x.dtype, device=x.device)
    taps[tuple(slice(None, None, d) for d in dilation)] = value
    return taps


def _positive_conv(weight, stride, padding, dilation, groups, args, kwargs):
    """The conv with every weight 1/fan_in and no bias: each output averages what it sees."""
    x = args[0]
    c_out, c_in_group, *kernel = weight.shape
    taps = _taps(kernel, _per_axis(dilation, len(kernel)), 1.0 / (c_in_group * math.prod(kernel)), x)
    # block-diagonal over the groups: one dense conv does what the grouped one does
    group_out = torch.arange(c_out, device=x.device) // (c_out // groups)
    group_in = torch.arange(c_in_group * groups, device=x.device) // c_in_group
    w = (group_out[:, None] == group_in[None, :]).to(x.dtype)[(..., *[None] * len(kernel))] * taps
    conv = F.conv1d if weight.dim() == 3 else F.conv2d
    return conv(x, w, None, stride, padding, 1, 1)  # (N, C_out, *grid)


def _positive_linear(weight, args, kwargs):
    x = args[0]
    w = torch.full(weight.shape, 1.0 / weight.shape[1], dtype=x.dtype, device=x.device)
    return F.linear(x, w)


def _sum_pool(axes, args, kwargs):
    """Average over exactly the windows of a max/avg/LP pooling layer (same geometry, all linear)."""
    x = args[0]  # (N, C, *spatial)
    spatial = axes[-(x.dim() - 2):]
    pads = []
    for ax, n in zip(reversed(spatial), reversed(x.shape[2:]), strict=False):
        span = ax.dilation * (ax.kernel_size - 1) + 1
        pads += [ax.padding, max(0, (ax.out - 1) * ax.stride + span - n - ax.padding)]
    x = F.pad(x, pads)
    n, c, *padded = x.shape
    kernel = [ax.kernel_size for ax in spatial]
    taps = _taps(kernel, [ax.dilation for ax in spatial], 1.0 / math.prod(kernel), x)
    conv = F.conv1d if x.dim() == 3 else F.conv2d
    y = conv(x.reshape(n * c, 1, *padded), taps[None, None], None, [ax.stride for ax in spatial])
    y = y[(..., *[slice(0, ax.out) for ax in spatial])]
    return y.reshape(n, c, *y.shape[2:])  # (N, C, *grid)


def _adaptive_avg(output_size, args, kwargs):
    x = args[0]
    return (F.adaptive_avg_pool1d if x.dim() == 3 else F.adaptive_avg_pool2d)(x, output_size)


_CONV_MODULES = (nn.Conv1d, nn.Conv2d)
_POOL_MODULES = (nn.MaxPool1d, nn.MaxPool2d, nn.AvgPool1d, nn.AvgPool2d, nn.LPPool1d, nn.LPPool2d)
_ADAPTIVE_MODULES = (nn.AdaptiveAvgPool1d, nn.AdaptiveAvgPool2d, nn.AdaptiveMaxPool1d, nn.AdaptiveMaxPool2d)
_PAD_MODULES = (nn.ZeroPad1d, nn.ZeroPad2d, nn.ConstantPad1d, nn.ConstantPad2d)
# Layers that act on each position separately (BatchNorm as at inference, with running statistics).
_POINTWISE_MODULES = (
    nn.ReLU, nn.ReLU6, nn.LeakyReLU, nn.PReLU, nn.ELU, nn.SELU, nn.CELU, nn.GELU, nn.SiLU, nn.Mish,
    nn.Sigmoid, nn.Tanh, nn.Hardtanh, nn.Hardswish, nn.Hardsigmoid, nn.Softplus, nn.Softsign,
    nn.LogSigmoid, nn.Tanhshrink, nn.Threshold, nn.BatchNorm1d, nn.BatchNorm2d, nn.Dropout,
    nn.Dropout1d, nn.Dropout2d, nn.AlphaDropout, nn.Identity,
)


def _classify_module(module: nn.Module, name: str, x: torch.Tensor, n_spatial: int) -> _Op:
    layer = type(module).__name__
    spatial = tuple(x.shape[2:]) if x.dim() == n_spatial + 2 else None
    if isinstance(module, _POINTWISE_MODULES):
        return _Op("pointwise", layer, faithful=_identity)
    if isinstance(module, nn.Flatten):
        return _Op("reshape", layer)
    if isinstance(module, nn.Linear):
        if spatial is not None and n_spatial == 2:
            raise ValueError(tr("layer {name!r}: nn.Linear on a (N, C, H, W) feature map mixes only the last "
                                "dimension; flatten it first with nn.Flatten()", name=name))
        return _Op("mix", layer, faithful=partial(_positive_linear, module.weight))
    if spatial is None and isinstance(module, (*_CONV_MODULES, *_POOL_MODULES, *_ADAPTIVE_MODULES, *_PAD_MODULES)):
        raise ValueError(tr("layer {name!r} ({layer}) gets input of shape {shape}, not a {n_spatial}-D feature map "
                            "(N, C, ...); check input_size", name=name, layer=layer, shape=tuple(x.shape),
                            n_spatial=n_spatial))
    if isinstance(module, _CONV_MODULES):
        if module.padding_mode != "zeros":
            raise ValueError(tr("layer {name!r}: padding_mode {mode!r} fills the padding with copies of pixels, "
                                "which the receptive-field calculator does not model; use 'zeros'",
                                name=name, mode=module.padding_mode))
        axes = _window_axes(spatial, module.kernel_size, module.stride, module.padding, module.dilation,
                            False, name)
        faithful = partial(_positive_conv, module.weight, module.stride, module.padding, module.dilation,
                           module.groups)
        return _Op("window", layer, axes, faithful)
    if isinstance(module, _POOL_MODULES):
        padding = getattr(module, "padding", 0)
        dilation = getattr(module, "dilation", 1)
        axes = _window_axes(spatial, module.kernel_size, module.stride, padding, dilation, module.ceil_mode, name)
        return _Op("window", layer, axes, partial(_sum_pool, axes))
    if isinstance(module, _PAD_MODULES):  # (left, right[, top, bottom]): a window of 1, shifted
        pads = module.padding
        pairs = [pads[2 * a: 2 * a + 2] for a in reversed(range(len(spatial)))]  # (h), w order
        axes = [_AxisWindow(1, 1, lo, 1, n + lo + hi) for (lo, hi), n in zip(pairs, spatial, strict=True)]
        return _Op("window", layer, _pad_axes(axes))
    if isinstance(module, _ADAPTIVE_MODULES):
        out = _per_axis(module.output_size, len(spatial))
        out = tuple(n if o is None else o for n, o in zip(spatial, out, strict=False))
        axes = _pad_axes([_adaptive_axis(n, o) for n, o in zip(spatial, out, strict=False)])
        return _Op("window", layer, axes, partial(_adaptive_avg, out))
    raise ValueError(tr(
        "layer {name!r} ({layer}) is not supported by the receptive-field calculator; it knows "
        "Conv1d/2d, Max/Avg/LP/adaptive pooling, zero padding, activations, BatchNorm, Dropout, Flatten "
        "and Linear", name=name, layer=layer))


def _bind(args, kwargs, names, defaults) -> dict:
    """Name the positional arguments of a functional call (many have no inspectable signature)."""
    bound = dict(zip(names, args, strict=False))
    for key, default in defaults.items():
        bound.setdefault(key, kwargs.get(key, default))
    return bound


_POOL_SIGNATURES = {  # the positional parameters of each functional pooling
    F.max_pool1d: ("input", "kernel_size", "stride", "padding", "dilation", "ceil_mode"),
    F.max_pool2d: ("input", "kernel_size", "stride", "padding", "dilation", "ceil_mode"),
    F.avg_pool1d: ("input", "kernel_size", "stride", "padding", "ceil_mode"),
    F.avg_pool2d: ("input", "kernel_size", "stride", "padding", "ceil_mode"),
    F.lp_pool1d: ("input", "norm_type", "kernel_size", "stride", "ceil_mode"),
    F.lp_pool2d: ("input", "norm_type", "kernel_size", "stride", "ceil_mode"),
}
_POOL_DEFAULTS = {"kernel_size": None, "stride": None, "padding": 0, "dilation": 1, "ceil_mode": False}
_POINTWISE_FUNCTIONS = {
    torch.relu, F.relu, F.relu6, F.leaky_relu, F.elu, F.selu, F.gelu, F.silu, F.mish, torch.sigmoid,
    F.sigmoid, torch.tanh, F.tanh, F.hardtanh, F.hardswish, F.softplus, F.dropout, F.dropout1d, F.dropout2d,
}
_MERGE_FUNCTIONS = {operator.add, operator.iadd, operator.mul, torch.add, torch.mul}
# x - y and x / y: the same union; the copy adds/multiplies instead, so x - x cannot cancel
_MERGE_FUNCTIONS_FLIPPED = {operator.sub: operator.add, torch.sub: operator.add, operator.truediv: operator.mul}
_POINTWISE_METHODS = {"relu", "relu_", "sigmoid", "tanh", "contiguous", "clone", "float", "double"}
_MERGE_METHODS = {"add": None, "add_": None, "mul": None, "mul_": None, "sub": operator.add, "div": operator.mul}
_FLATTEN_METHODS = {"view", "reshape", "flatten"}
_QUERY_METHODS = {"size", "dim"}


def _function_name(target) -> str:
    return getattr(target, "__name__", None) or str(target)


def _classify_function(target, args, kwargs, name: str, n_spatial: int) -> _Op:
    layer = _function_name(target)
    if target in _POINTWISE_FUNCTIONS:
        return _Op("pointwise", layer, faithful=_identity)
    if target in _MERGE_FUNCTIONS:
        return _Op("pointwise", layer)
    if target in _MERGE_FUNCTIONS_FLIPPED:
        return _Op("pointwise", layer, faithful=partial(_flipped, _MERGE_FUNCTIONS_FLIPPED[target]))
    if target is torch.cat:
        dim = _bind(args, kwargs, ("tensors", "dim"), {"dim": 0})["dim"]
        ndim = args[0][0].dim()
        if dim % ndim != 1:
            raise ValueError(tr("layer {name!r}: torch.cat along dim {dim} joins feature maps side by side; the "
                                "receptive-field calculator supports concatenation along channels (dim=1)",
                                name=name, dim=dim))
        return _Op("pointwise", layer)
    if target is torch.flatten:
        return _Op("reshape", layer)
    if target is F.linear:
        return _Op("mix", layer, faithful=lambda a, k: _positive_linear(a[1], a, k))
    if target in _POOL_SIGNATURES:
        b = _bind(args, kwargs, _POOL_SIGNATURES[target], _POOL_DEFAULTS)
        axes = _window_axes(tuple(args[0].shape[2:]), b["kernel_size"], b["stride"], b["padding"],
                            b["dilation"], b["ceil_mode"], name)
        return _Op("window", layer, axes, partial(_sum_pool, axes))
    if target in (F.conv1d, F.conv2d):
        b = _bind(args, kwargs, ("input", "weight", "bias", "stride", "padding", "dilation", "groups"),
                  {"stride": 1, "padding": 0, "dilation": 1, "groups": 1})
        kernel = tuple(b["weight"].shape[2:])
        axes = _window_axes(tuple(args[0].shape[2:]), kernel, b["stride"], b["padding"], b["dilation"],
                            False, name)
        faithful = partial(_positive_conv, b["weight"], b["stride"], b["padding"], b["dilation"], b["groups"])
        return _Op("window", layer, axes, faithful)
    if target in (F.adaptive_avg_pool1d, F.adaptive_avg_pool2d, F.adaptive_max_pool1d, F.adaptive_max_pool2d):
        spatial = tuple(args[0].shape[2:])
        out = _per_axis(_bind(args, kwargs, ("input", "output_size"), {})["output_size"], len(spatial))
        out = tuple(n if o is None else o for n, o in zip(spatial, out, strict=False))
        axes = _pad_axes([_adaptive_axis(n, o) for n, o in zip(spatial, out, strict=True)])
        return _Op("window", layer, axes, partial(_adaptive_avg, out))
    if target in (torch.mean, torch.sum):
        return _reduction(layer, args, kwargs, n_spatial)
    if target is getattr:
        return _Op("query", layer)
    raise ValueError(tr("layer {name!r}: the function {layer} is not supported by the receptive-field "
                        "calculator; use a layer it knows (conv, pooling, activation, add, cat, flatten)",
                        name=name, layer=layer))


def _reduction(layer, args, kwargs, n_spatial) -> _Op:
    """mean/sum over channels keeps the grid; over a spatial dimension it ends it."""
    dims = _bind(args, kwargs, ("input", "dim"), {"dim": None})["dim"]
    ndim = args[0].dim()
    dims = range(ndim) if dims is None else _per_axis(dims, 1) if isinstance(dims, int) else dims
    spatial = {ndim - 1 - a for a in range(n_spatial)}
    return _Op("mix" if any(d % ndim in spatial for d in dims) else "pointwise", layer)


def _flipped(combine, args, kwargs):
    return combine(args[0], args[1])


def _classify_method(method: str, args, kwargs, name: str, n_spatial: int) -> _Op:
    if method in _POINTWISE_METHODS:  # the copy keeps float64 and drops the activation
        return _Op("pointwise", method, faithful=_identity)
    if method in _MERGE_METHODS:
        flip = _MERGE_METHODS[method]
        return _Op("pointwise", method, faithful=flip and partial(_flipped, flip))
    if method in _FLATTEN_METHODS:
        return _Op("reshape", method)
    if method in ("mean", "sum"):
        return _reduction(method, args, kwargs, n_spatial)
    if method in _QUERY_METHODS:
        return _Op("query", method)
    raise ValueError(tr("layer {name!r}: the tensor method .{method}() is not supported by the "
                        "receptive-field calculator", name=name, method=method))

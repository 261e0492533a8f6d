"""Receptive fields (感受野) of real PyTorch models: the formula, the measurement, the effective map.

Vocabulary (the same in code, plots and prose), after Araujo, Norris & Sim, "Computing
Receptive Fields of Convolutional Neural Networks", Distill 2019. Along one axis, going
forward from the input (rf_size r_0 = 1, effective_stride j_0 = 1, effective_padding P_0 = 0),
a layer with kernel k, stride s, left padding p and dilation d (effective kernel
k' = d*(k - 1) + 1) gives

    r_l = r_{l-1} + (k' - 1) * j_{l-1}      j_l = j_{l-1} * s      P_l = P_{l-1} + p * j_{l-1}

and output unit u of layer l sees the input positions u*j_l - P_l ... u*j_l - P_l + r_l - 1
(inclusive; positions below 0 or past the edge are padding). This is ``region``.

``input_region`` is what a unit really reaches: only the pixels of the image joined to it by
a path through real (not padding) units. It equals the measurement of
:func:`empirical_receptive_field` exactly, and lies inside ``region`` clipped to the image;
the two differ only at edges, e.g. where a layer drops the last pixels (floor in the
output-size formula) or a window sees nothing but padding.

The calculator traces the model with torch.fx, so it follows every path: where paths meet
(a residual addition, a concatenation) a unit sees the union of what they see (its bounding
box); paths with different effective strides are flagged "not aligned". A flattened map
keeps each unit's region; after Linear (or a mean over space) every unit sees the whole input.

Example:
    >>> from torch import nn
    >>> model = nn.Sequential(nn.Conv2d(1, 16, 5, 1, 2), nn.ReLU(), nn.MaxPool2d(2),
    ...                       nn.Conv2d(16, 32, 5, 1, 2), nn.ReLU(), nn.MaxPool2d(2))
    >>> rf = receptive_field(model, (1, 28, 28))
    >>> rf[-1].rf_size, rf[-1].effective_stride, rf[-1].effective_padding
    ((16, 16), (4, 4), (6, 6))
    >>> rf[-1].region(0, 0)
    ((-6, 9), (-6, 9))
    >>> empirical_receptive_field(model, (1, 28, 28), (0, 0))
    ((0, 9), (0, 9))
"""

from __future__ import annotations

import html
import math
import operator
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import partial

import numpy as np
import torch
import torch.nn.functional as F
from torch import fx, nn

from ._validation import check_int, to_pair

__all__ = [
    "conv_output_size",
    "rf_top_down",
    "receptive_field",
    "ReceptiveField",
    "ReceptiveFieldRow",
    "empirical_receptive_field",
    "effective_receptive_field",
]

Pair = tuple[int, int]
Region = tuple[Pair, Pair]


# --- output size --------------------------------------------------------------------------


def conv_output_size(size, kernel_size, stride=1, padding=0, dilation=1, ceil_mode=False):
    """Output size of a convolution or pooling layer, with PyTorch's formula.

    ``out = floor((size + 2*padding - dilation*(kernel_size - 1) - 1) / stride) + 1``.
    With ``ceil_mode=True`` (pooling) ``ceil`` replaces ``floor``, so the last window may
    hang over the end, and, as in PyTorch, it is dropped when it would start in the right
    padding, i.e. when ``(out - 1) * stride >= size + padding``.

    Args:
        size: input size, an int or an (h, w) pair.
        kernel_size, stride, padding, dilation: ints or (h, w) pairs, as in ``nn.Conv2d``.
        ceil_mode: round up instead of down, as in ``nn.MaxPool2d(ceil_mode=True)``.

    Returns:
        An int when every argument is an int, else an (h, w) pair.

    Raises:
        ValueError: a value out of range (naming the argument), or a kernel that does not
            fit in the padded input (with the fix).
        TypeError: a value that is not an int or a pair of ints.

    Example:
        >>> conv_output_size(28, kernel_size=5, padding=2)
        28
        >>> conv_output_size((28, 28), 2, stride=2)
        (14, 14)
        >>> conv_output_size(5, 2, stride=2, ceil_mode=True)
        3
        >>> conv_output_size(5, 7)
        Traceback (most recent call last):
        ...
        ValueError: kernel_size 7 does not fit in the padded input of size 5; increase padding or use a smaller kernel
    """
    values = (size, kernel_size, stride, padding, dilation)
    names = ("size", "kernel_size", "stride", "padding", "dilation")
    minimums = (1, 1, 1, 0, 1)
    pairs = [to_pair(v, name, m) for v, name, m in zip(values, names, minimums, strict=False)]
    if not isinstance(ceil_mode, bool):
        raise TypeError(f"ceil_mode must be True or False, got {ceil_mode!r}")
    is_pair = any(isinstance(v, (tuple, list)) for v in values)
    out = tuple(
        _axis_output_size(*axis, ceil_mode, axis_name if is_pair else "")
        for *axis, axis_name in zip(*pairs, ("height", "width"), strict=False)
    )
    return out if is_pair else out[0]


def _axis_output_size(n, k, s, p, d, ceil_mode, axis_name="") -> int:
    """``conv_output_size`` along one axis, for checked ints."""
    span = d * (k - 1) + 1  # the effective kernel: how many input positions one window spans
    # ceil_mode lets the last window hang over the end, so only a window longer than padded
    # input + stride leaves no output at all
    if span > n + 2 * p + (s - 1 if ceil_mode else 0):
        what = f"kernel_size {k}" + (f" with dilation {d} spans {span} positions and" if d > 1 else "")
        where = f" ({axis_name})" if axis_name else ""
        fix = "increase padding or use a smaller kernel" + (" or dilation" if d > 1 else "")
        raise ValueError(f"{what} does not fit in the padded input of size {n + 2 * p}{where}; {fix}")
    if not ceil_mode:
        return (n + 2 * p - span) // s + 1
    out = -(-(n + 2 * p - span) // s) + 1
    if (out - 1) * s >= n + p:  # the last window would start in the right padding
        out -= 1
    return out


# --- the course's top-down recursion ------------------------------------------------------


def rf_top_down(layers) -> list[int]:
    """Receptive-field sizes by the course's top-down recursion RF_i = (RF_{i+1} - 1)*stride_i + k_i.

    Start at one unit of the last layer's output (RF_{L+1} = 1) and walk down to the input.

    Args:
        layers: the layers from the input upwards, each a ``(kernel_size, stride)`` pair of
            ints (one axis; call once per axis for non-square layers).

    Returns:
        ``[RF_1, ..., RF_L]``: RF_i is how many positions of layer i's *input* one unit of
        the last layer sees, so RF_1 is its receptive field in the image.

    Raises:
        ValueError: an empty list, a layer that is not a pair, or a value below 1.

    Example:
        >>> rf_top_down([(3, 1), (3, 1)])  # two 3x3 stride-1 convs: RF_1 = 5, RF_2 = 3
        [5, 3]
        >>> rf_top_down([(5, 1), (2, 2), (5, 1), (2, 2)])[0]  # the course model
        16
    """
    if isinstance(layers, (str, bytes)) or not isinstance(layers, Sequence) or not layers:
        raise ValueError(f"layers must be a non-empty list of (kernel_size, stride) pairs, got {layers!r}")
    rf = [1]  # RF_{L+1}: the output unit itself
    for index in reversed(range(len(layers))):
        layer = layers[index]
        if not isinstance(layer, (tuple, list)) or len(layer) != 2:
            raise ValueError(f"layers[{index}] must be a (kernel_size, stride) pair, got {layer!r}")
        k = check_int(layer[0], f"layers[{index}] kernel_size", 1)
        s = check_int(layer[1], f"layers[{index}] stride", 1)
        rf.insert(0, (rf[0] - 1) * s + k)
    return rf[:-1]


# --- geometry along one axis --------------------------------------------------------------


@dataclass(frozen=True)
class _Affine:
    """One path's view along one axis: unit u sees positions u*jump - pad ... u*jump - pad + rf - 1."""

    rf: int
    jump: int
    pad: int

    def lo(self, u: int) -> int:
        return u * self.jump - self.pad

    def hi(self, u: int) -> int:
        return u * self.jump - self.pad + self.rf - 1


def _union_affine(pieces) -> tuple[_Affine, ...]:
    """Join paths with the same jump into one piece (their bounding interval); keep the others."""
    by_jump: dict[int, _Affine] = {}
    for a in pieces:
        b = by_jump.get(a.jump)
        if b is not None:
            pad = max(a.pad, b.pad)
            end = max(a.rf - 1 - a.pad, b.rf - 1 - b.pad)  # last position seen by unit 0
            a = _Affine(end + pad + 1, a.jump, pad)
        by_jump[a.jump] = a
    return tuple(by_jump[j] for j in sorted(by_jump))


@dataclass(frozen=True)
class _AxisWindow:
    """A sliding window along one axis: output unit u reads input units u*stride - padding + m*dilation."""

    kernel_size: int
    stride: int
    padding: int  # on the left; PyTorch pads the right as much (or as needed, with ceil_mode)
    dilation: int
    out: int  # number of output units

    def through(self, a: _Affine) -> _Affine:
        span = self.dilation * (self.kernel_size - 1) + 1
        return _Affine(a.rf + (span - 1) * a.jump, a.jump * self.stride, a.pad + self.padding * a.jump)

    def positions(self, n_in: int) -> np.ndarray:
        """(out, kernel_size) input units each output unit reads; -1 where that is padding."""
        pos = np.arange(self.out)[:, None] * self.stride - self.padding
        pos = pos + np.arange(self.kernel_size)[None, :] * self.dilation
        return np.where((pos >= 0) & (pos < n_in), pos, -1)


_NO_WINDOW = _AxisWindow(1, 1, 0, 1, 1)  # the missing height axis of 1-D layers


@dataclass(frozen=True)
class _AdaptiveAxis:
    """Adaptive pooling along one axis: unit u reads floor(u*n/out) ... ceil((u+1)*n/out) - 1."""

    n_in: int
    out: int

    def through(self, a: _Affine) -> None:
        return None  # windows of unequal size: no single rf_size (regular ones use _AxisWindow)

    def positions(self, n_in: int) -> np.ndarray:
        starts = [u * n_in // self.out for u in range(self.out)]
        ends = [-(-(u + 1) * n_in // self.out) for u in range(self.out)]
        width = max(e - s for s, e in zip(starts, ends, strict=False))
        pos = np.full((self.out, width), -1)
        for u, (s, e) in enumerate(zip(starts, ends, strict=False)):
            pos[u, : e - s] = np.arange(s, e)
        return pos


def _adaptive_axis(n_in: int, out: int):
    """A regular window when ``out`` divides ``n_in`` (PyTorch's windows are then k = s = n/out)."""
    if n_in % out == 0:
        k = n_in // out
        return _AxisWindow(k, k, 0, 1, out)
    return _AdaptiveAxis(n_in, out)


# --- what the units of one node see -------------------------------------------------------

_FAR = np.iinfo(np.int64).max // 4  # lo of a unit that reaches no pixel (and -_FAR its hi)


@dataclass(frozen=True)
class _Geometry:
    """What the units of one node of the traced model see.

    affine: per axis (h, w), the formula pieces, one per effective stride (one when the
        paths are aligned); None when every unit is taken to see the whole input.
    exact: the pixels really reached, as pieces (lo_h, hi_h, lo_w, hi_w) of arrays over the
        node's grid (empty where lo > hi); None when there is no grid.
    flat: for a flattened grid, (the grid's geometry, its (C, H, W)): unit f is unit (i, j)
        of that grid, where f = c*H*W + i*W + j.
    whole: when units mix the whole grid (Linear after Flatten), the box of all pixels reached.
    """

    affine: tuple | None
    exact: tuple | None
    flat: tuple | None = None
    whole: Region | None = None


def _start_geometry(h: int, w: int) -> _Geometry:
    one = (_Affine(1, 1, 0),)
    return _Geometry((one, one), ((np.arange(h), np.arange(h), np.arange(w), np.arange(w)),))


def _exact_through(lo: np.ndarray, hi: np.ndarray, positions: np.ndarray):
    valid = positions >= 0
    index = np.where(valid, positions, 0)
    return np.where(valid, lo[index], _FAR).min(1), np.where(valid, hi[index], -_FAR).max(1)


def _through_window(g: _Geometry, axes) -> _Geometry:
    """The geometry after a sliding-window layer with one window per axis (h, w)."""
    if g.exact is None:
        return _flatten([g])
    affine = None
    if g.affine is not None and all(isinstance(ax, _AxisWindow) for ax in axes):
        affine = tuple(tuple(ax.through(a) for a in pieces) for ax, pieces in zip(axes, g.affine, strict=True))
    exact = []
    for lo_h, hi_h, lo_w, hi_w in g.exact:
        exact.append((*_exact_through(lo_h, hi_h, axes[0].positions(len(lo_h))),
                      *_exact_through(lo_w, hi_w, axes[1].positions(len(lo_w)))))
    return _Geometry(affine, _union_exact(exact))


def _union_exact(pieces) -> tuple:
    """Join pieces reaching pixels at the same units; there the union's box is a product of per-axis boxes."""
    joined: dict[bytes, tuple] = {}
    for piece in pieces:
        key = (piece[0] <= piece[1]).tobytes() + b"|" + (piece[2] <= piece[3]).tobytes()
        old = joined.get(key)
        if old is not None:
            piece = (np.minimum(old[0], piece[0]), np.maximum(old[1], piece[1]),
                     np.minimum(old[2], piece[2]), np.maximum(old[3], piece[3]))
        joined[key] = piece
    return tuple(joined.values())


def _hull(boxes) -> Region | None:
    boxes = [b for b in boxes if b is not None]
    if not boxes:
        return None
    return ((min(b[0][0] for b in boxes), max(b[0][1] for b in boxes)),
            (min(b[1][0] for b in boxes), max(b[1][1] for b in boxes)))


def _all_reached(g: _Geometry) -> Region | None:
    """Bounding box of every pixel any unit of the node reaches."""
    if g.flat is not None:
        return _all_reached(g.flat[0])
    if g.exact is None:
        return g.whole
    boxes = []
    for lo_h, hi_h, lo_w, hi_w in g.exact:
        rows, cols = lo_h <= hi_h, lo_w <= hi_w
        if rows.any() and cols.any():
            boxes.append(((int(lo_h[rows].min()), int(hi_h[rows].max())),
                          (int(lo_w[cols].min()), int(hi_w[cols].max()))))
    return _hull(boxes)


def _broadcast(g: _Geometry, grid: Pair) -> _Geometry:
    """A map with a size-1 axis broadcast to ``grid`` (squeeze-and-excitation): all units alike there."""
    if g.exact is None or (len(g.exact[0][0]), len(g.exact[0][2])) == grid:
        return g
    spread = [len(g.exact[0][0]) == 1 < grid[0], len(g.exact[0][2]) == 1 < grid[1]]
    affine = None if g.affine is None else tuple(
        tuple(_Affine(a.rf, 0, a.pad) for a in pieces) if wide else pieces  # jump 0: one region for all
        for pieces, wide in zip(g.affine, spread, strict=True))
    exact = tuple(tuple(np.repeat(a, grid[axis // 2]) if spread[axis // 2] else a for axis, a in enumerate(piece))
                  for piece in g.exact)
    return _Geometry(affine, exact)


def _merge(geometries) -> _Geometry:
    """Where paths meet (addition, concatenation): each unit sees the union of what they see."""
    if len(geometries) == 1:
        return geometries[0]
    if any(g.exact is None for g in geometries):
        return _flatten(geometries)
    affine = None
    if all(g.affine is not None for g in geometries):
        affine = tuple(_union_affine(p for g in geometries for p in g.affine[axis]) for axis in (0, 1))
    return _Geometry(affine, _union_exact([piece for g in geometries for piece in g.exact]))


def _flatten(geometries) -> _Geometry:
    """After Linear or a global reduction: every unit sees everything its input saw."""
    return _Geometry(None, None, whole=_hull([_all_reached(g) for g in geometries]))


def _reshape(g: _Geometry, shape: tuple, result: torch.Tensor) -> _Geometry:
    """Flatten/view/reshape: a grid flattened to (N, C*H*W) keeps each unit's region."""
    if result.dim() == 2 and result.shape[1] == math.prod(shape):
        if g.flat is not None:  # flattening what is already flat changes nothing
            return g
        if g.exact is not None:
            return _Geometry(g.affine, None, flat=(g, shape))
    return _flatten([g])  # any other reshape mixes up the grid: an upper bound


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
                raise ValueError(f"layer {name!r}: {error}") from None
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
            raise ValueError(f"layer {name!r}: nn.Linear on a (N, C, H, W) feature map mixes only the last "
                             "dimension; flatten it first with nn.Flatten()")
        return _Op("mix", layer, faithful=partial(_positive_linear, module.weight))
    if spatial is None and isinstance(module, (*_CONV_MODULES, *_POOL_MODULES, *_ADAPTIVE_MODULES, *_PAD_MODULES)):
        raise ValueError(f"layer {name!r} ({layer}) gets input of shape {tuple(x.shape)}, not a "
                         f"{n_spatial}-D feature map (N, C, ...); check input_size")
    if isinstance(module, _CONV_MODULES):
        if module.padding_mode != "zeros":
            raise ValueError(f"layer {name!r}: padding_mode {module.padding_mode!r} fills the padding with "
                             "copies of pixels, which the receptive-field calculator does not model; use 'zeros'")
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
    raise ValueError(
        f"layer {name!r} ({layer}) is not supported by the receptive-field calculator; it knows "
        "Conv1d/2d, Max/Avg/LP/adaptive pooling, zero padding, activations, BatchNorm, Dropout, Flatten "
        "and Linear"
    )


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
            raise ValueError(f"layer {name!r}: torch.cat along dim {dim} joins feature maps side by side; "
                             "the receptive-field calculator supports concatenation along channels (dim=1)")
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
    raise ValueError(f"layer {name!r}: the function {layer} is not supported by the receptive-field "
                     "calculator; use a layer it knows (conv, pooling, activation, add, cat, flatten)")


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
    raise ValueError(f"layer {name!r}: the tensor method .{method}() is not supported by the "
                     "receptive-field calculator")


# --- running the traced model -------------------------------------------------------------

_CALLS = ("call_module", "call_function", "call_method")


def _node_names(graph: fx.Graph) -> dict:
    """Row names: a module's qualified name (``conv1.0``), else the fx node name (``add_1``)."""
    names, used = {}, set()
    for n in graph.nodes:
        name = n.target if n.op == "call_module" and n.target not in used else n.name
        names[n] = name
        used.add(name)
    return names


def _ancestors(node: fx.Node) -> set:
    seen, todo = set(), [node]
    while todo:
        n = todo.pop()
        if n not in seen:
            seen.add(n)
            todo.extend(n.all_input_nodes)
    return seen


class _Run(fx.Interpreter):
    """Runs a traced model once, following the geometry of every node on the way to ``target``.

    With ``faithful=True`` it runs the RF-faithful copy instead: weights 1/fan_in and no
    bias, pooling as averaging over the same windows, activations/BatchNorm/Dropout removed,
    so every input pixel a unit reaches gets a positive gradient.
    """

    def __init__(self, gm: fx.GraphModule, target: fx.Node, faithful: bool = False):
        super().__init__(gm)
        # errors pass through unchanged: fx would append a graph dump (and import the compiler, seconds)
        self.extra_traceback = False
        self.faithful = faithful
        self.target = target
        self.needed = _ancestors(target)
        self.names = _node_names(gm.graph)
        self.n_spatial = 0
        self.shape = ()  # of the input
        self.ops: dict = {}
        self.geometry: dict = {}
        self.value = None  # the target's output

    def run_node(self, n: fx.Node):
        parents = [p for p in n.all_input_nodes if p in self.geometry]
        if n not in self.needed and (self.faithful or self.value is not None):
            return None  # not on the way to the target (the copy runs only what it needs)
        if n.op not in _CALLS or not parents or n not in self.needed:
            result = self._call(n)
            if n.op == "placeholder":
                self.shape = tuple(result.shape)
                self.n_spatial = result.dim() - 2
                grid = tuple(result.shape[2:])
                self.geometry[n] = _start_geometry(*((1, *grid) if len(grid) == 1 else grid))
        else:
            result = self._run_layer(n, parents)
        if n is self.target:
            self.value = result
        return result

    def _run_layer(self, n: fx.Node, parents: list):
        name = self.names[n]
        args, kwargs = self.fetch_args_kwargs_from_env(n)
        op = self._classify(n, args, kwargs, name)
        result = op.faithful(args, kwargs) if self.faithful and op.faithful else self._call(n, op.layer)
        if op.kind != "query" and isinstance(result, torch.Tensor):
            self.ops[n] = op
            self.geometry[n] = self._geometry(op, [self.geometry[p] for p in parents], args, result, name)
        return result

    def _call(self, n: fx.Node, layer: str | None = None):
        """Run node ``n`` as the model does; its errors name the layer, without fx's trace dump."""
        try:
            return super().run_node(n)
        except (RuntimeError, ValueError) as error:
            where = f"layer {self.names[n]!r}" + (f" ({layer})" if layer else "")
            raise ValueError(f"the model fails at {where} on an input of shape {self.shape}: {error}") from None

    def _classify(self, n: fx.Node, args, kwargs, name: str) -> _Op:
        if n.op == "call_module":
            return _classify_module(self.module.get_submodule(n.target), name, args[0], self.n_spatial)
        if n.op == "call_function":
            return _classify_function(n.target, args, kwargs, name, self.n_spatial)
        return _classify_method(n.target, args, kwargs, name, self.n_spatial)

    def _geometry(self, op: _Op, parents: list, args, result: torch.Tensor, name: str) -> _Geometry:
        if op.kind == "mix":
            return _flatten(parents)
        if op.kind == "reshape":
            return _reshape(parents[0], tuple(args[0].shape[1:]), result)
        shape = tuple(result.shape[-self.n_spatial:]) if result.dim() >= self.n_spatial + 1 else ()
        grid = (1, *shape) if self.n_spatial == 1 else shape
        if op.kind == "window":
            g = _through_window(parents[0], op.axes)
            if g.exact is not None and (len(g.exact[0][0]), len(g.exact[0][2])) != grid:
                # our output-size formula disagrees with PyTorch's: a bug in this module
                raise RuntimeError(f"internal error: layer {name!r} gives {shape}, the calculator {grid}")
            return g
        return _merge([_broadcast(p, grid) for p in parents])


def _check_model(model) -> nn.Module:
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    return model


def _trace(model) -> fx.GraphModule:
    try:
        return fx.symbolic_trace(model)
    except Exception as error:  # fx raises several types; all mean the same to a student
        raise ValueError(f"torch.fx cannot trace {type(model).__name__} ({error}); the receptive-field "
                         "calculator needs a forward without Python control flow on tensor values") from None


def _output_node(gm: fx.GraphModule, layer, single: bool = True) -> fx.Node:
    """The node whose units are asked about: the model output, or the row named ``layer``.

    With ``single=False`` a model may return several values (the output node itself).
    """
    if layer is None:
        output = next(n for n in gm.graph.nodes if n.op == "output")
        if isinstance(output.args[0], fx.Node):
            return output.args[0]
        if single:
            raise ValueError("the model returns several values; pass layer=<a row name> to choose one")
        return output
    names = _node_names(gm.graph)
    for n, name in names.items():
        if name == layer and n.op in _CALLS:
            return n
    known = ", ".join(repr(names[n]) for n in gm.graph.nodes if n.op in _CALLS)
    raise ValueError(f"layer {layer!r} is not a layer of the model; the layers are {known}")


def _check_input_size(input_size) -> tuple:
    if (not isinstance(input_size, (tuple, list, torch.Size)) or len(input_size) not in (2, 3)):
        raise ValueError(f"input_size must be (C, H, W) for a 2-D model or (C, L) for a 1-D model, "
                         f"got {input_size!r}")
    return tuple(check_int(v, f"input_size[{i}]", 1) for i, v in enumerate(input_size))


class _EvalMode:
    """Puts every submodule in eval mode (BatchNorm with running statistics) and restores it."""

    def __init__(self, model: nn.Module):
        self.modes = [(m, m.training) for m in model.modules()]

    def __enter__(self):
        for m, _ in self.modes:
            m.training = False

    def __exit__(self, *exc):
        for m, mode in self.modes:
            m.training = mode


def _first_parameter(model: nn.Module) -> torch.Tensor:
    """Where and in which dtype the model computes (float32 on the CPU without parameters)."""
    return next(iter(_check_model(model).parameters()), torch.zeros(()))


def _run(model: nn.Module, layer, x: torch.Tensor, faithful: bool, single: bool = True) -> _Run:
    """Trace ``model`` and run it (or its RF-faithful copy) on ``x``; returns the finished run."""
    gm = _trace(model)
    run = _Run(gm, _output_node(gm, layer, single), faithful)
    with _EvalMode(model):
        run.run(x)
    return run


# --- the table ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ReceptiveFieldRow:
    """One layer of a :class:`ReceptiveField` table; every size is an (h, w) pair.

    A 1-D model (``Conv1d``) is treated as an image of height 1: its pairs are (1, w) and
    ``region(j)`` takes one index. Fields are None where they do not apply: the window
    fields after a layer that has none (Flatten, Linear, uneven adaptive pooling), the
    receptive-field fields where units do not share one receptive field (after Flatten or
    Linear; after uneven adaptive pooling; where paths with different effective strides
    meet). ``note`` says which.

    Attributes:
        name: the module's qualified name (``conv1.0``) or the traced function (``add``).
        layer: the layer type (``Conv2d``, ``relu``, ``add``, ``cat``, ...).
        output_size: the output's (h, w) grid; None when flattened.
        kernel_size, stride, padding, dilation: the layer's own window (1, 1, 0, 1 for a
            layer that keeps the geometry); padding is the left/top padding.
        rf_size: how many input positions one unit sees (its receptive field size).
        effective_stride: how far apart, in input pixels, neighbouring units look (jump).
        effective_padding: how far left of/above the image unit 0 starts looking.
        note: a plain-words remark (whole input, not aligned, ...), or "".

    Example:
        >>> from torch import nn
        >>> row = receptive_field(nn.Sequential(nn.Conv2d(1, 1, 3, padding=1)), (1, 8, 8))[0]
        >>> row.region(0, 0)  # the formula: one pixel of padding on each side
        ((-1, 1), (-1, 1))
        >>> row.input_region(0, 0)  # the image pixels it really reaches
        ((0, 1), (0, 1))
    """

    name: str
    layer: str
    output_size: Pair | None
    kernel_size: Pair | None
    stride: Pair | None
    padding: Pair | None
    dilation: Pair | None
    rf_size: Pair | None
    effective_stride: Pair | None
    effective_padding: Pair | None
    note: str
    _geometry: _Geometry = field(repr=False, compare=False)
    _input_hw: Pair = field(repr=False)

    @property
    def sees_whole_input(self) -> bool:
        """True when every unit is taken to see the whole input (after Flatten, Linear, ...)."""
        return self._geometry.affine is None

    @property
    def aligned(self) -> bool:
        """False where paths with different effective strides meet (rf_size is then None)."""
        return self.sees_whole_input or all(len(p) == 1 for p in self._geometry.affine)

    def region(self, i: int, j: int | None = None) -> Region:
        """The input rows and columns ((top, bottom), (left, right)) unit (i, j) sees, inclusive.

        By the formula, so it may reach into the padding (negative, or past the edge); where
        paths meet, the bounding box of their regions; the whole input when units see all.
        For a 1-D model call ``region(j)``; for a flattened layer ``region(f)``.

        Raises:
            ValueError: an index outside the layer's output.
        """
        g, i, j = self._grid_unit(i, j)
        if g.affine is None:
            h, w = self._input_hw
            return ((0, h - 1), (0, w - 1))
        return tuple((min(a.lo(u) for a in pieces), max(a.hi(u) for a in pieces))
                     for u, pieces in zip((i, j), g.affine, strict=True))

    def input_region(self, i: int, j: int | None = None) -> Region | None:
        """The image pixels unit (i, j) really reaches (bounding box), or None if only padding.

        Counts only paths through real units, never padding, so it lies inside ``region``
        clipped to the image and equals :func:`empirical_receptive_field` exactly.
        """
        g, i, j = self._grid_unit(i, j)
        if g.exact is None:
            return g.whole
        boxes = [((int(lo_h[i]), int(hi_h[i])), (int(lo_w[j]), int(hi_w[j])))
                 for lo_h, hi_h, lo_w, hi_w in g.exact if lo_h[i] <= hi_h[i] and lo_w[j] <= hi_w[j]]
        return _hull(boxes)

    def _grid_unit(self, i, j) -> tuple[_Geometry, int, int]:
        """The grid a unit belongs to and its (i, j) there, after checking the indices."""
        g = self._geometry
        if g.flat is not None or g.exact is None:  # a vector: unit f
            f = check_int(i, "f", 0)
            if j is not None:
                raise ValueError(f"layer {self.name!r} is flat: give one index, region(f)")
            if g.flat is None:
                return g, 0, 0  # every unit alike
            grid, shape = g.flat  # (C, H, W), or (C, L) for a 1-D model
            h, w = (1, shape[1]) if len(shape) == 2 else shape[1:]
            if f >= math.prod(shape):
                raise ValueError(f"f must be in 0..{math.prod(shape) - 1} for layer {self.name!r}, got {f}")
            return (grid, *divmod(f % (h * w), w))  # f = c*H*W + i*W + j
        if j is None:
            if self.output_size[0] != 1:
                raise ValueError(f"layer {self.name!r} needs a row and a column: region(i, j)")
            i, j = 0, i
        for value, axis, size in zip((i, j), "ij", self.output_size, strict=True):
            if check_int(value, axis, 0) >= size:
                raise ValueError(f"{axis} must be in 0..{size - 1} for layer {self.name!r} with output "
                                 f"size {self.output_size}, got {value}")
        return g, i, j


def _window_fields(op: _Op) -> tuple:
    if op.kind == "pointwise":
        return (1, 1), (1, 1), (0, 0), (1, 1)
    if op.kind == "window" and all(isinstance(ax, _AxisWindow) for ax in op.axes):
        return tuple(tuple(getattr(ax, f) for ax in op.axes)
                     for f in ("kernel_size", "stride", "padding", "dilation"))
    return None, None, None, None


def _rf_fields(g: _Geometry) -> tuple:
    """(rf_size, effective_stride, effective_padding, note) of a node."""
    if g.flat is not None:
        *fields, note = _rf_fields(g.flat[0])
        shape = "c*L + j" if len(g.flat[1]) == 2 else "c*H*W + i*W + j"
        return (*fields, f"flattened: unit f = {shape} sees what unit (i, j) of the grid before sees"
                + (f"; {note}" if note else ""))
    if g.exact is None:
        return None, None, None, "every unit sees the whole input"
    if g.affine is None:
        return None, None, None, ("uneven adaptive pooling windows: no single rf_size; region() is the "
                                  "whole input, input_region() exact")
    split = [(axis, " and ".join(str(p.jump) for p in pieces))
             for axis, pieces in zip(("rows", "columns"), g.affine, strict=True) if len(pieces) > 1]
    if split:
        one_d = g.affine[0] == (_Affine(1, 1, 0),)  # rows of a 1-D model: nothing to say
        same = one_d or (len(split) == 2 and split[0][1] == split[1][1])
        strides = split[-1][1] if same else ", ".join(f"{s} ({axis})" for axis, s in split)
        note = f"not aligned: paths with effective_stride {strides} meet here; region() is their union"
        if any(p.jump == 0 for pieces in g.affine for p in pieces):
            note += " (0: a map of one unit broadcast to all, as in squeeze-and-excitation)"
        return None, None, None, note
    (h,), (w,) = g.affine
    return (h.rf, w.rf), (h.jump, w.jump), (h.pad, w.pad), ""


def _make_row(name: str, op: _Op, g: _Geometry, input_hw: Pair) -> ReceptiveFieldRow:
    output_size = None if g.exact is None else (len(g.exact[0][0]), len(g.exact[0][2]))
    return ReceptiveFieldRow(name, op.layer, output_size, *_window_fields(op), *_rf_fields(g), g, input_hw)


_COLUMNS = ("name", "layer", "output_size", "kernel_size", "stride", "padding", "dilation",
            "rf_size", "effective_stride", "effective_padding")


class ReceptiveField(Sequence):
    """The receptive field of every layer of a model: a sequence of :class:`ReceptiveFieldRow`.

    Rows are in execution order, the last is the model's output; ``rf["conv1.0"]`` finds a
    row by name. Prints as a table (``repr``, and HTML in Jupyter).

    Example:
        >>> from torch import nn
        >>> rf = receptive_field(nn.Sequential(nn.Conv2d(1, 1, 3), nn.MaxPool2d(2)), (1, 8, 8))
        >>> rf.names, len(rf)
        (['0', '1'], 2)
        >>> rf["1"].rf_size, rf["1"].effective_stride, rf["1"].region(0, 0)
        ((4, 4), (2, 2), ((0, 3), (0, 3)))
    """

    def __init__(self, rows: list, input_size: tuple):
        self._rows = list(rows)
        self.input_size = input_size

    def __getitem__(self, key):
        if isinstance(key, str):
            for row in self._rows:
                if row.name == key:
                    return row
            raise KeyError(f"no layer named {key!r}; the layers are {', '.join(self.names)}")
        return self._rows[key]

    def __len__(self) -> int:
        return len(self._rows)

    @property
    def names(self) -> list[str]:
        return [row.name for row in self._rows]

    def _cells(self) -> list[list[str]]:
        one_d = len(self.input_size) == 2

        def show(value) -> str:
            if value is None:
                return "-"
            if isinstance(value, tuple):
                if one_d:
                    return str(value[1])
                return str(value[0]) if value[0] == value[1] else f"{value[0]}x{value[1]}"
            return str(value)

        return [[show(getattr(row, c)) for c in _COLUMNS] + [row.note] for row in self._rows]

    def __repr__(self) -> str:
        header = [*_COLUMNS, "note"]
        cells = self._cells()
        widths = [max(len(r[c]) for r in [header, *cells]) for c in range(len(header))]
        lines = [f"Receptive field of each layer, input size {self.input_size}:"]
        for r in [header, *cells]:
            lines.append("  ".join(v.ljust(w) for v, w in zip(r, widths, strict=False)).rstrip())
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        head = "".join(f"<th>{c}</th>" for c in [*_COLUMNS, "note"])
        body = "".join("<tr>" + "".join(f"<td>{html.escape(v)}</td>" for v in r) + "</tr>" for r in self._cells())
        caption = f"Receptive field of each layer, input size {self.input_size}"
        return (f'<table class="cnn-receptive-field"><caption>{html.escape(caption)}</caption>'
                f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")


# --- the public entry points --------------------------------------------------------------


def receptive_field(model: nn.Module, input_size) -> ReceptiveField:
    """The receptive field of every layer of a real model, by tracing it with torch.fx.

    Follows every path (residual additions, concatenation), so it works for any model made
    of Conv1d/Conv2d, Max/Avg/LP/adaptive pooling, activations, BatchNorm, Dropout,
    Flatten and Linear, in modules, nested containers or functional calls. The model runs
    once on zeros, in eval mode (restored afterwards).

    Args:
        model: a torch ``nn.Module`` that torch.fx can trace.
        input_size: (C, H, W) for a 2-D model, (C, L) for a 1-D one (no batch dimension).

    Returns:
        A :class:`ReceptiveField`: one row per layer in execution order, the last being the
        model's output.

    Raises:
        TypeError: ``model`` is not an ``nn.Module``.
        ValueError: a bad ``input_size``; a layer the calculator does not know; a kernel
            that does not fit (naming the layer); a model torch.fx cannot trace.

    Shape:
        The model is run on one input of shape (1, *input_size).

    Example:
        >>> from torch import nn
        >>> rf = receptive_field(nn.Sequential(nn.Conv2d(3, 4, 3), nn.Conv2d(4, 4, 3)), (3, 8, 8))
        >>> rf[-1].rf_size, rf[-1].output_size, rf[-1].region(0, 0)
        ((5, 5), (4, 4), ((0, 4), (0, 4)))
    """
    input_size = _check_input_size(input_size)
    p = _first_parameter(model)
    with torch.no_grad():
        run = _run(model, None, torch.zeros(1, *input_size, dtype=p.dtype, device=p.device), False, False)
    hw = (1, input_size[1]) if len(input_size) == 2 else input_size[1:]
    rows = [_make_row(run.names[n], run.ops[n], run.geometry[n], hw)
            for n in run.module.graph.nodes if n in run.ops]
    return ReceptiveField(rows, input_size)


def _check_units(unit) -> tuple[list, bool]:
    """A list of units (measured together), or one unit; each a tuple of ints or an int."""
    many = isinstance(unit, list)
    units = unit if many else [unit]
    if not units:
        raise ValueError("unit must be (i, j), an index, or a non-empty list of them, got []")
    return [tuple(u) if isinstance(u, (tuple, list)) else (u,) for u in units], many


def _pick(y: torch.Tensor, units: list, n_spatial: int, name: str) -> torch.Tensor:
    """Sum over channels of y[b, :, *unit_b] for every b (or y[b, *unit_b] for a flat output)."""
    grid = tuple(y.shape[2:]) if y.dim() == n_spatial + 2 else tuple(y.shape[1:])
    if len(grid) == 1:  # a 1-D map or a vector: (0, j) as in the rows' (1, w) pairs is j
        units = [u[1:] if len(u) == 2 and u[0] == 0 else u for u in units]
    for u in units:
        if len(u) != len(grid):
            raise ValueError(f"unit {u} does not match the output of {name!r} of size {grid}; give "
                             f"{len(grid)} index(es), e.g. {tuple(0 for _ in grid)}")
        for axis, (value, size) in enumerate(zip(u, grid, strict=False)):
            if check_int(value, f"unit[{axis}]", 0) >= size:
                raise ValueError(f"unit {u} is outside the output of {name!r} of size {grid}; "
                                 f"unit[{axis}] must be in 0..{size - 1}")
    index = (torch.arange(len(units)), *torch.tensor(units).T)  # one gather, one cheap backward
    index = tuple(i.to(y.device) for i in index)
    if y.dim() == n_spatial + 2:
        return y.movedim(1, -1)[index].sum(-1)  # (B, *grid, C) -> (B,)
    return y[index]  # (B,)


def _bounding_box(reached: torch.Tensor) -> Region | None:
    """((top, bottom), (left, right)) of the True entries of an (H, W) mask, or None."""
    rows = torch.nonzero(reached.any(1)).flatten()
    cols = torch.nonzero(reached.any(0)).flatten()
    if len(rows) == 0:
        return None
    return ((int(rows[0]), int(rows[-1])), (int(cols[0]), int(cols[-1])))


def _input_gradient(model, units: list, layer, x: torch.Tensor, faithful: bool) -> torch.Tensor:
    """d(unit_b summed over channels)/d(x_b) for every input x_b of the batch: (B, C, *spatial)."""
    x.requires_grad_(True)
    run = _run(model, layer, x, faithful)
    name = run.names[run.target]
    picked = _pick(run.value, units, x.dim() - 2, name)  # (B,)
    (grad,) = torch.autograd.grad(picked.sum(), x)
    return grad


def empirical_receptive_field(model: nn.Module, input_size, unit, layer: str | None = None):
    """Measure the input pixels one unit reaches, with autograd on an RF-faithful copy of the model.

    The copy has every weight 1/fan_in and no bias; max, average and LP pooling become
    averages over the same windows; activations, BatchNorm and Dropout are removed. Its
    input is all ones (float64). Every pixel with a path to the unit then gets a positive
    gradient and every other pixel zero, so the bounding box of the non-zero gradient is
    the unit's region in the image: the trusted reference for :func:`receptive_field`.
    With dilation, or strides larger than kernels, the region has holes; the box spans them.

    Args:
        model: a torch ``nn.Module`` that torch.fx can trace (left unchanged).
        input_size: (C, H, W), or (C, L) for a 1-D model.
        unit: the output unit: (i, j) on a 2-D feature map (all channels together), (j,)
            or j on a 1-D one, (f,) or f for a flat output (after Flatten/Linear). A *list*
            of units measures them all in one backward pass.
        layer: the name of a row of ``receptive_field(model, input_size)``; default the
            model's output.

    Returns:
        ((top, bottom), (left, right)), inclusive and inside the image, or None when the unit
        sees only padding; a list of these for a list of units. A 1-D model gives
        ((0, 0), (left, right)).

    Raises:
        ValueError: a bad input_size, unit or layer name, or an unsupported layer.

    Shape:
        The copy runs on ones of shape (B, *input_size), B the number of units.

    Example:
        >>> from torch import nn
        >>> model = nn.Sequential(nn.Conv2d(1, 2, 3, padding=1), nn.MaxPool2d(2))
        >>> empirical_receptive_field(model, (1, 8, 8), (1, 2))
        ((1, 4), (3, 6))
        >>> empirical_receptive_field(model, (1, 8, 8), [(0, 0), (3, 3)])
        [((0, 2), (0, 2)), ((5, 7), (5, 7))]
    """
    input_size = _check_input_size(input_size)
    units, many = _check_units(unit)
    p = _first_parameter(model)
    x = torch.ones(len(units), *input_size, dtype=torch.float64, device=p.device)
    grad = _input_gradient(model, units, layer, x, faithful=True)
    reached = grad.abs().sum(1) > 0  # (B, H, W) or (B, L)
    if reached.dim() == 2:
        reached = reached[:, None, :]  # a 1-D model is an image of height 1
    regions = [_bounding_box(r) for r in reached]
    return regions if many else regions[0]


def effective_receptive_field(model: nn.Module, input_size, unit, layer: str | None = None,
                              inputs: torch.Tensor | None = None, n_samples: int = 16,
                              seed: int = 0) -> torch.Tensor:
    """The effective receptive field of one unit (Luo et al. 2016): how much each pixel matters.

    The mean over inputs of |d unit / d input|, summed over input channels and scaled to a
    maximum of 1, on the real model (its weights, activations and max-pooling, in eval
    mode). It is zero outside the unit's region and usually concentrated near its centre,
    roughly Gaussian.

    Args:
        model: a torch ``nn.Module`` that torch.fx can trace.
        input_size: (C, H, W), or (C, L) for a 1-D model.
        unit: (i, j) of the chosen layer's output (as in :func:`empirical_receptive_field`).
        layer: a row name of ``receptive_field(model, input_size)``; default the output.
        inputs: the images to average over, (N, *input_size); default ``n_samples`` draws of
            standard normal noise from a generator seeded with ``seed`` (reproducible).
        n_samples: how many noise images when ``inputs`` is None.
        seed: seed of those noise images.

    Returns:
        A float tensor of shape input_size[1:] ((H, W), or (L,)) with values in [0, 1].

    Raises:
        ValueError: a bad input_size, unit, layer or inputs shape.

    Shape:
        inputs: (N, *input_size); output: input_size[1:].

    Example:
        >>> from torch import nn
        >>> _ = torch.manual_seed(0)
        >>> model = nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(), nn.Conv2d(4, 4, 3))
        >>> erf = effective_receptive_field(model, (1, 9, 9), (2, 2))
        >>> tuple(erf.shape), erf.max().item()
        ((9, 9), 1.0)
        >>> bool((erf[:, :2] == 0).all())  # outside the 5x5 region of unit (2, 2)
        True
    """
    input_size = _check_input_size(input_size)
    units, many = _check_units(unit)
    if many:
        raise ValueError("effective_receptive_field takes one unit, not a list")
    p = _first_parameter(model)
    if inputs is None:
        generator = torch.Generator().manual_seed(check_int(seed, "seed"))
        inputs = torch.randn(check_int(n_samples, "n_samples", 1), *input_size, generator=generator)
    elif not isinstance(inputs, torch.Tensor) or tuple(inputs.shape[1:]) != input_size:
        got = tuple(inputs.shape) if isinstance(inputs, torch.Tensor) else type(inputs).__name__
        raise ValueError(f"inputs must be a tensor of shape (N, {', '.join(map(str, input_size))}), got {got}")
    x = inputs.detach().to(dtype=p.dtype, device=p.device).clone()
    grad = _input_gradient(model, units * len(x), layer, x, faithful=False)
    magnitude = grad.abs().sum(1).mean(0).detach().cpu()  # (H, W) or (L,)
    peak = magnitude.max()
    return magnitude / peak if peak > 0 else magnitude

"""What the units of a feature map see: the geometry the calculator carries from node to node.

Along one axis, a path's formula (``_Affine``: rf_size, jump, padding) and the windows that
change it (``_AxisWindow``, ``_AdaptiveAxis``); per node, ``_Geometry``: those formulas plus
the pixels each unit really reaches, and how they combine where paths meet, broadcast,
flatten or mix.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch

Pair = tuple[int, int]
Region = tuple[Pair, Pair]


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

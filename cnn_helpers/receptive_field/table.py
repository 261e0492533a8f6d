"""The table: ``ReceptiveFieldRow``, ``ReceptiveField``, and ``receptive_field``, which fills it.

``receptive_field`` traces a model once and makes one row per layer, by the formula
(``region``) and by the pixels really reached (``input_region``).
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import reduce

import torch
from torch import nn

from .._validation import check_int
from ..language import columns, tr
from .geometry import Pair, Region, _Affine, _AxisWindow, _Geometry, _hull
from .layers import _Op
from .tracing import _check_input_size, _first_parameter, _run

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
                raise ValueError(tr("layer {name!r} is flat: give one index, region(f)", name=self.name))
            if g.flat is None:
                return g, 0, 0  # every unit alike
            grid, shape = g.flat  # (C, H, W), or (C, L) for a 1-D model
            h, w = (1, shape[1]) if len(shape) == 2 else shape[1:]
            if f >= math.prod(shape):
                raise ValueError(tr("f must be in 0..{last} for layer {name!r}, got {value}",
                                    last=math.prod(shape) - 1, name=self.name, value=f))
            return (grid, *divmod(f % (h * w), w))  # f = c*H*W + i*W + j
        if j is None:
            if self.output_size[0] != 1:
                raise ValueError(tr("layer {name!r} needs a row and a column: region(i, j)", name=self.name))
            i, j = 0, i
        for value, axis, size in zip((i, j), "ij", self.output_size, strict=True):
            if check_int(value, axis, 0) >= size:
                raise ValueError(tr("{axis} must be in 0..{last} for layer {name!r} with output size "
                                    "{output_size}, got {value}", axis=axis, last=size - 1, name=self.name,
                                    output_size=self.output_size, value=value))
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
        formula = "c*L + j" if len(g.flat[1]) == 2 else "c*H*W + i*W + j"
        if note:
            return (*fields, tr("flattened: unit f = {formula} sees what unit (i, j) of the grid before sees; {note}",
                                formula=formula, note=note))
        return (*fields, tr("flattened: unit f = {formula} sees what unit (i, j) of the grid before sees",
                            formula=formula))
    if g.exact is None:
        return None, None, None, tr("every unit sees the whole input")
    if g.affine is None:
        return None, None, None, tr("uneven adaptive pooling windows: no single rf_size; region() is the "
                                    "whole input, input_region() exact")
    jumps = {axis: [str(p.jump) for p in pieces]
             for axis, pieces in zip(("rows", "columns"), g.affine, strict=True) if len(pieces) > 1}
    if jumps:
        one_d = g.affine[0] == (_Affine(1, 1, 0),)  # rows of a 1-D model: nothing to say
        listed = {axis: reduce(lambda a, b: tr("{strides} and {stride}", strides=a, stride=b), values)
                  for axis, values in jumps.items()}
        if one_d or jumps.get("rows") == jumps.get("columns"):
            strides = list(listed.values())[-1]
        elif len(listed) == 2:
            strides = tr("{rows} (rows), {columns} (columns)", rows=listed["rows"], columns=listed["columns"])
        elif "rows" in listed:
            strides = tr("{strides} (rows)", strides=listed["rows"])
        else:
            strides = tr("{strides} (columns)", strides=listed["columns"])
        note = tr("not aligned: paths with effective_stride {strides} meet here; region() is their union",
                  strides=strides)
        if any(p.jump == 0 for pieces in g.affine for p in pieces):
            note += tr(" (0: a map of one unit broadcast to all, as in squeeze-and-excitation)")
        return None, None, None, note
    (h,), (w,) = g.affine
    return (h.rf, w.rf), (h.jump, w.jump), (h.pad, w.pad), ""


def _make_row(name: str, op: _Op, g: _Geometry, input_hw: Pair) -> ReceptiveFieldRow:
    output_size = None if g.exact is None else (len(g.exact[0][0]), len(g.exact[0][2]))
    return ReceptiveFieldRow(name, op.layer, output_size, *_window_fields(op), *_rf_fields(g), g, input_hw)


_COLUMNS = ("name", "layer", "output_size", "kernel_size", "stride", "padding", "dilation",
            "rf_size", "effective_stride", "effective_padding")


def _header() -> list[str]:
    """The column titles: the attribute names, with the three plain words in the current language."""
    words = {"name": tr("name"), "layer": tr("layer")}
    return [words.get(c, c) for c in _COLUMNS] + [tr("note")]


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
            raise KeyError(tr("no layer named {key!r}; the layers are {known}", key=key, known=", ".join(self.names)))
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
        header = _header()
        cells = self._cells()
        widths = [max(columns(r[c]) for r in [header, *cells]) for c in range(len(header))]
        lines = [tr("Receptive field of each layer, input size {input_size}:", input_size=self.input_size)]
        for r in [header, *cells]:
            lines.append("  ".join(v + " " * (w - columns(v)) for v, w in zip(r, widths, strict=False)).rstrip())
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        head = "".join(f"<th>{html.escape(c)}</th>" for c in _header())
        body = "".join("<tr>" + "".join(f"<td>{html.escape(v)}</td>" for v in r) + "</tr>" for r in self._cells())
        caption = tr("Receptive field of each layer, input size {input_size}", input_size=self.input_size)
        return (f'<table class="cnn-receptive-field"><caption>{html.escape(caption)}</caption>'
                f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")


# --- the public entry point: filling the table --------------------------------------------


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

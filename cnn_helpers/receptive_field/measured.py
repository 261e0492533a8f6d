"""Receptive fields measured with autograd: the reach of a unit, and how much each pixel matters.

``empirical_receptive_field`` runs an RF-faithful copy of the model (the trusted reference
for :func:`receptive_field`); ``effective_receptive_field`` averages gradients of the real
model (Luo et al. 2016).
"""

from __future__ import annotations

import torch
from torch import nn

from .._validation import check_int
from ..language import tr
from .geometry import Region
from .tracing import _check_input_size, _first_parameter, _run


def _check_units(unit) -> tuple[list, bool]:
    """A list of units (measured together), or one unit; each a tuple of ints or an int."""
    many = isinstance(unit, list)
    units = unit if many else [unit]
    if not units:
        raise ValueError(tr("unit must be (i, j), an index, or a non-empty list of them, got []"))
    return [tuple(u) if isinstance(u, (tuple, list)) else (u,) for u in units], many


def _pick(y: torch.Tensor, units: list, n_spatial: int, name: str) -> torch.Tensor:
    """Sum over channels of y[b, :, *unit_b] for every b (or y[b, *unit_b] for a flat output)."""
    grid = tuple(y.shape[2:]) if y.dim() == n_spatial + 2 else tuple(y.shape[1:])
    if len(grid) == 1:  # a 1-D map or a vector: (0, j) as in the rows' (1, w) pairs is j
        units = [u[1:] if len(u) == 2 and u[0] == 0 else u for u in units]
    for u in units:
        if len(u) != len(grid):
            raise ValueError(tr("unit {unit} does not match the output of {name!r} of size {grid}; give {count} "
                                "index(es), e.g. {example}", unit=u, name=name, grid=grid, count=len(grid),
                                example=tuple(0 for _ in grid)))
        for axis, (value, size) in enumerate(zip(u, grid, strict=False)):
            if check_int(value, f"unit[{axis}]", 0) >= size:
                raise ValueError(tr("unit {unit} is outside the output of {name!r} of size {grid}; "
                                    "unit[{axis}] must be in 0..{last}", unit=u, name=name, grid=grid, axis=axis,
                                    last=size - 1))
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
        raise ValueError(tr("effective_receptive_field takes one unit, not a list"))
    p = _first_parameter(model)
    if inputs is None:
        generator = torch.Generator().manual_seed(check_int(seed, "seed"))
        inputs = torch.randn(check_int(n_samples, "n_samples", 1), *input_size, generator=generator)
    elif not isinstance(inputs, torch.Tensor) or tuple(inputs.shape[1:]) != input_size:
        got = tuple(inputs.shape) if isinstance(inputs, torch.Tensor) else type(inputs).__name__
        raise ValueError(tr("inputs must be a tensor of shape (N, {sizes}), got {got}",
                            sizes=", ".join(map(str, input_size)), got=got))
    x = inputs.detach().to(dtype=p.dtype, device=p.device).clone()
    grad = _input_gradient(model, units * len(x), layer, x, faithful=False)
    magnitude = grad.abs().sum(1).mean(0).detach().cpu()  # (H, W) or (L,)
    peak = magnitude.max()
    return magnitude / peak if peak > 0 else magnitude

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

Submodules, each importing only from those above it:

- ``output_size``: ``conv_output_size`` and the course's top-down recursion ``rf_top_down``.
- ``geometry``: what the units of one node see, along one axis and in the image.
- ``layers``: what each layer does to the geometry (the modules and functions it knows).
- ``tracing``: running the model traced with torch.fx, node by node.
- ``table``: ``ReceptiveFieldRow``, ``ReceptiveField`` and ``receptive_field``.
- ``measured``: ``empirical_receptive_field`` and ``effective_receptive_field``, by autograd.

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

from .geometry import Pair as Pair  # the type aliases, importable from here as before
from .geometry import Region as Region
from .measured import effective_receptive_field, empirical_receptive_field
from .output_size import conv_output_size, rf_top_down
from .table import ReceptiveField, ReceptiveFieldRow, receptive_field

__all__ = [
    "conv_output_size",
    "rf_top_down",
    "receptive_field",
    "ReceptiveField",
    "ReceptiveFieldRow",
    "empirical_receptive_field",
    "effective_receptive_field",
]

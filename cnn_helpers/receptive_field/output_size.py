"""Output sizes and the course's top-down recursion: the formulas, for one layer and for a chain.

``conv_output_size`` is PyTorch's output-size formula (floor, or ceil for pooling);
``rf_top_down`` is the receptive-field recursion the course derives by hand,
RF_i = (RF_{i+1} - 1)*stride_i + k_i.
"""

from __future__ import annotations

from collections.abc import Sequence

from .._validation import check_int, to_pair
from ..language import tr

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
        raise TypeError(tr("ceil_mode must be True or False, got {value!r}", value=ceil_mode))
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
        where = {"height": tr(" (height)"), "width": tr(" (width)")}.get(axis_name, "")
        if d > 1:
            raise ValueError(tr("kernel_size {k} with dilation {d} spans {span} positions and does not fit in the "
                                "padded input of size {size}{where}; increase padding or use a smaller kernel or "
                                "dilation", k=k, d=d, span=span, size=n + 2 * p, where=where))
        raise ValueError(tr("kernel_size {k} does not fit in the padded input of size {size}{where}; increase "
                            "padding or use a smaller kernel", k=k, size=n + 2 * p, where=where))
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
        raise ValueError(tr("layers must be a non-empty list of (kernel_size, stride) pairs, got {value!r}",
                            value=layers))
    rf = [1]  # RF_{L+1}: the output unit itself
    for index in reversed(range(len(layers))):
        layer = layers[index]
        if not isinstance(layer, (tuple, list)) or len(layer) != 2:
            raise ValueError(tr("layers[{index}] must be a (kernel_size, stride) pair, got {value!r}",
                                index=index, value=layer))
        k = check_int(layer[0], f"layers[{index}] kernel_size", 1)
        s = check_int(layer[1], f"layers[{index}] stride", 1)
        rf.insert(0, (rf[0] - 1) * s + k)
    return rf[:-1]

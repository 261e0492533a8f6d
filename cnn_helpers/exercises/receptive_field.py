"""Checkers for notebook 03, receptive field: the rf_size of conv stacks, a unit's region, 7×7 vs three 3×3."""

from __future__ import annotations

from ._common import correct, hint


def _rf_stack_size(layers, input_size: int = 64) -> int:
    """rf_size (one side) of a stack of 1-channel Conv2d layers given as (kernel_size, stride) pairs.

    Computed by the package's calculator on real ``nn.Conv2d`` layers, not hard-coded.
    """
    from torch import nn

    from ..receptive_field import receptive_field

    stack = nn.Sequential(*[nn.Conv2d(1, 1, k, s) for k, s in layers])
    return receptive_field(stack, (1, input_size, input_size))[-1].rf_size[0]


def _check_rf_int(value, name: str) -> int:
    """The student's receptive-field size as an int, or a hint naming the expected type."""
    from numbers import Integral

    if isinstance(value, (tuple, list)) and len(value) == 2 and value[0] == value[1]:
        raise hint(f"`{name}` should be one int (the side of the square region), got the pair {value!r}; "
                   f"use {name} = {value[0]!r}")
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise hint(f"`{name}` should be an int (a number of input pixels), got {value!r} "
                   f"of type {type(value).__name__}")
    return int(value)


THREE_CONVS = [(3, 1), (3, 1), (3, 1)]  # ex03-1: three 3x3 stride-1 convs, as (kernel_size, stride)


def check_three_convs_rf(rf_size) -> str:
    """Check exercise 03-1: the receptive field of three stacked 3×3 stride-1 convolutions.

    Args:
        rf_size: the student's answer, one side of the square region, in input pixels.

    Returns:
        The confirmation text (also printed).

    Raises:
        WrongAnswer: with a hint naming the likely mistake.

    Example:
        >>> check_three_convs_rf(7)
        Correct! Each 3×3 layer adds 3 − 1 = 2 pixels: 1 + 2 + 2 + 2 = 7.
        'Correct! Each 3×3 layer adds 3 − 1 = 2 pixels: 1 + 2 + 2 + 2 = 7.'
    """
    answer = _check_rf_int(rf_size, "rf_size")
    expected = _rf_stack_size(THREE_CONVS)
    if answer == expected:
        return correct(f"Each 3×3 layer adds 3 − 1 = 2 pixels: 1 + 2 + 2 + 2 = {expected}.")
    if answer == 3 * 3:
        raise hint("You added the kernel sizes (3 + 3 + 3). Neighbouring windows overlap: each layer after "
                   "the first adds only k − 1 = 2 new pixels.")
    if answer == 3 ** 3:
        raise hint("You multiplied the kernel sizes. With stride 1 the growth is additive: each layer adds "
                   "k − 1 pixels, RF_i = (RF_{i+1} − 1)·1 + 3.")
    if answer == expected - 2:
        raise hint("That is the receptive field of two 3×3 layers (the course's worked example); "
                   "this stack has three.")
    if abs(answer - expected) == 1:
        raise hint("Off by one: start from RF = 1 (the output unit itself) and apply "
                   "RF_i = (RF_{i+1} − 1)·stride_i + k_i once per layer.")
    raise hint("Start from RF = 1 at the output unit and apply RF_i = (RF_{i+1} − 1)·stride_i + k_i "
               "once for each of the three layers, from the top layer down.")


STRIDED_CONVS = [(3, 2), (3, 1), (3, 1)]  # ex03-2: a stride-2 3x3 conv, then two 3x3 stride-1 convs


def check_strided_rf(rf_size) -> str:
    """Check exercise 03-2: the receptive field of Conv(3, stride 2) → Conv(3) → Conv(3).

    Args:
        rf_size: the student's answer, one side of the square region, in input pixels.

    Returns:
        The confirmation text (also printed).

    Raises:
        WrongAnswer: with a hint naming the likely mistake.

    Example:
        >>> check_strided_rf(11)
        Correct! After the stride-2 layer each 3×3 layer adds (3 − 1)·2 = 4 pixels: 3 + 4 + 4 = 11.
        'Correct! After the stride-2 layer each 3×3 layer adds (3 − 1)·2 = 4 pixels: 3 + 4 + 4 = 11.'
    """
    answer = _check_rf_int(rf_size, "rf_size")
    expected = _rf_stack_size(STRIDED_CONVS)
    if answer == expected:
        return correct(f"After the stride-2 layer each 3×3 layer adds (3 − 1)·2 = 4 pixels: 3 + 4 + 4 = {expected}.")
    if answer == _rf_stack_size([(3, 1)] * 3):
        raise hint("That is the answer without the stride. A stride-2 layer makes neighbouring units of its "
                   "output 2 input pixels apart, so every later 3×3 layer adds (3 − 1)·2 pixels, not 2.")
    if answer == _rf_stack_size([(3, 1), (3, 2), (3, 1)]):
        raise hint("The stride multiplies the growth of every layer above it, not only the next one: "
                   "both later layers add (3 − 1)·2 pixels.")
    if answer == 2 * expected or answer == 2 * _rf_stack_size([(3, 1)] * 3):
        raise hint("The stride does not double the whole receptive field; it doubles the step (the "
                   "effective stride) that later layers' kernels are multiplied by.")
    raise hint("Go top-down: RF = 1, then RF_i = (RF_{i+1} − 1)·stride_i + k_i for layer 3, 2 and 1 "
               "(stride 2 belongs to layer 1, the first one).")


def _course_region(unit):
    """Region of ``unit`` of the course model's last feature map, from the calculator."""
    from torch import nn

    from ..model import SeedCNN
    from ..receptive_field import receptive_field

    model = SeedCNN()
    table = receptive_field(nn.Sequential(model.conv1, model.conv2), (1, 28, 28))
    return table[-1].region(*unit), table[-1]


REGION_UNIT = (2, 5)  # ex03-3: the unit of the course model's last (7 x 7) feature map


def _as_region(value):
    """The student's region as ((top, bottom), (left, right)) of ints, or a hint on its shape."""
    from numbers import Integral

    shape_hint = ("`region` should be ((top, bottom), (left, right)): two pairs of ints, rows first, "
                  f"got {value!r}")
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        raise hint(shape_hint)
    if not all(isinstance(p, (tuple, list)) and len(p) == 2 for p in value):
        raise hint(shape_hint)
    numbers = [v for p in value for v in p]
    if any(isinstance(v, bool) or not isinstance(v, Integral) for v in numbers):
        raise hint(shape_hint)
    return ((int(value[0][0]), int(value[0][1])), (int(value[1][0]), int(value[1][1])))


def check_unit_region(region) -> str:
    """Check exercise 03-3: the input region seen by unit (2, 5) of the course model's last feature map.

    Args:
        region: the student's ``((top, bottom), (left, right))``, inclusive, unclipped.

    Returns:
        The confirmation text (also printed).

    Raises:
        WrongAnswer: with a hint naming the likely mistake.

    Example:
        >>> check_unit_region(((2, 17), (14, 29)))
        Correct! Rows 2·4 − 6 = 2 … 2 + 15 = 17, columns 5·4 − 6 = 14 … 29; columns 28 and 29 are padding.
        'Correct! Rows 2·4 − 6 = 2 … 2 + 15 = 17, columns 5·4 − 6 = 14 … 29; columns 28 and 29 are padding.'
    """
    answer = _as_region(region)
    expected, row = _course_region(REGION_UNIT)
    (top, bottom), (left, right) = expected
    (jump, _), (pad, _), (rf, _) = row.effective_stride, row.effective_padding, row.rf_size
    if answer == expected:
        return correct(f"Rows {REGION_UNIT[0]}·{jump} − {pad} = {top} … {top} + {rf - 1} = {bottom}, columns "
                       f"{REGION_UNIT[1]}·{jump} − {pad} = {left} … {right}; columns 28 and 29 are padding.")
    if answer == (expected[1], expected[0]):
        raise hint("Rows and columns are swapped: unit (2, 5) is row 2, column 5; give rows first.")
    if answer == ((top + pad, bottom + pad), (left + pad, right + pad)):
        raise hint(f"You forgot the effective padding: the region starts at i·jump − effective_padding = "
                   f"i·{jump} − {pad}.")
    if answer == ((top, bottom + 1), (left, right + 1)):
        raise hint(f"The region is inclusive: the last row is top + rf_size − 1 = top + {rf - 1}, "
                   "not top + rf_size.")
    if answer == ((top, bottom), (left, min(right, 27))) or answer == ((max(top, 0), bottom), (left, min(right, 27))):
        raise hint("Do not clip to the image: give the region the formula gives, even where it reaches "
                   "into the padding (columns 28 and 29 here).")
    if answer[0][1] - answer[0][0] + 1 == rf and answer[0][0] != top:
        raise hint(f"The size is right (rf_size {rf}) but the start is not. The effective stride is the "
                   f"product of all strides, 1·2·1·2 = {jump}: start at i·{jump} − {pad}.")
    raise hint(f"Use the last row of the table: unit (i, j) sees rows i·{jump} − {pad} … i·{jump} − {pad} + "
               f"{rf} − 1, and the same for columns with j.")


FACTORISED_CHANNELS = 64  # ex03-4: in and out channels of the 7x7 conv and of each 3x3 conv


def check_factorised_weights(weights_7x7, weights_three_3x3) -> str:
    """Check exercise 03-4: weights of one 7×7 conv vs three 3×3 convs, 64 → 64 channels, no bias.

    Args:
        weights_7x7: the student's weight count of ``Conv2d(64, 64, 7, bias=False)``.
        weights_three_3x3: the student's weight count of three ``Conv2d(64, 64, 3, bias=False)``.

    Returns:
        The confirmation text (also printed).

    Raises:
        WrongAnswer: with a hint naming the likely mistake.

    Example:
        >>> check_factorised_weights(200704, 110592)
        Correct! 49·64·64 = 200,704 vs 3·9·64·64 = 110,592: the three 3×3 layers use 45% fewer weights.
        'Correct! 49·64·64 = 200,704 vs 3·9·64·64 = 110,592: the three 3×3 layers use 45% fewer weights.'
    """
    from numbers import Integral

    from torch import nn

    for name, value in (("weights_7x7", weights_7x7), ("weights_three_3x3", weights_three_3x3)):
        if isinstance(value, bool) or not isinstance(value, Integral):
            raise hint(f"`{name}` should be an int (a number of weights), got {value!r} of type "
                       f"{type(value).__name__}")
    c = FACTORISED_CHANNELS
    big = nn.Conv2d(c, c, 7, bias=False).weight.numel()
    one_small = nn.Conv2d(c, c, 3, bias=False).weight.numel()
    small = 3 * one_small
    if (weights_7x7, weights_three_3x3) == (big, small):
        return correct(f"49·{c}·{c} = {big:,} vs 3·9·{c}·{c} = {small:,}: the three 3×3 layers use "
                       f"{round(100 * (1 - small / big))}% fewer weights.")
    if weights_7x7 == big + c or weights_three_3x3 == small + 3 * c:
        raise hint("Count weights only: these layers have bias=False, so there is no bias per output channel.")
    if weights_three_3x3 in (one_small, 2 * one_small):
        raise hint("Three 3×3 layers are needed for a 7×7 receptive field (1 + 2 + 2 + 2 = 7); "
                   "count the weights of all three.")
    if weights_7x7 in (49, 49 * c) or weights_three_3x3 in (27, 27 * c):
        raise hint(f"A conv layer has one k×k kernel per (input channel, output channel) pair: "
                   f"C_out·C_in·k·k with C_in = C_out = {c}.")
    if weights_7x7 != big:
        raise hint(f"weights_7x7 is not right: Conv2d({c}, {c}, 7) has C_out·C_in·7·7 weights.")
    raise hint(f"weights_three_3x3 is not right: each Conv2d({c}, {c}, 3) has C_out·C_in·3·3 weights, "
               "and there are three.")

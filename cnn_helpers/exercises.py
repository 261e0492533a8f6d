"""Checkers for the notebooks' exercises: specific feedback, not just right or wrong.

Every checker takes the student's answer, returns a short confirmation when it is right,
and raises :class:`WrongAnswer` (an ``AssertionError``, so nbgrader scores the test cell 0)
with a hint that names the likely mistake when it is not.

Example:
    >>> from cnn_helpers.exercises import WrongAnswer
    >>> issubclass(WrongAnswer, AssertionError)
    True
"""

from __future__ import annotations


class WrongAnswer(AssertionError):
    """A wrong answer to an exercise; the message is the hint shown to the student."""


class Feedback(str):
    """A checker's confirmation: printed once by :func:`correct`, so Jupyter does not echo it again."""

    def _ipython_display_(self) -> None:
        # The message was printed already (a check call is not always a cell's last line,
        # e.g. when hidden tests follow it); showing the return value too would say it twice.
        pass


def correct(message: str) -> Feedback:
    """Print and return the confirmation for a right answer.

    Example:
        >>> text = correct("1 + 1 = 2.")
        Correct! 1 + 1 = 2.
        >>> text.startswith("Correct!")
        True
    """
    text = Feedback(f"Correct! {message}")
    print(text)
    return text


def hint(message: str) -> WrongAnswer:
    """Build the exception a checker raises for a wrong answer: ``raise hint("...")``."""
    return WrongAnswer(message)


# --- 03 receptive field ---


def _rf_stack_size(layers, input_size: int = 64) -> int:
    """rf_size (one side) of a stack of 1-channel Conv2d layers given as (kernel_size, stride) pairs.

    Computed by the package's calculator on real ``nn.Conv2d`` layers, not hard-coded.
    """
    from torch import nn

    from .receptive_field import receptive_field

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

    from .model import SeedCNN
    from .receptive_field import receptive_field

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


# --- 02 convolution ---

RESNET_STEM = {"size": 224, "kernel_size": 7, "stride": 2, "padding": 3}  # ex02-1: ResNet's first conv


def check_conv_output_size(output_size) -> str:
    """Exercise 02-1: output height of ``nn.Conv2d(3, 64, kernel_size=7, stride=2, padding=3)`` on 224 × 224.

    Args:
        output_size: the student's answer, the output height (= width), an int.

    Returns:
        The confirmation, when right.

    Raises:
        WrongAnswer: with a hint naming the likely mistake.

    Example:
        >>> check_conv_output_size(112)
        Correct! ...
        'Correct! ...'
    """
    import torch
    from torch import nn

    from .receptive_field import conv_output_size

    if isinstance(output_size, (tuple, list, torch.Size)):
        raise hint(f"give one int, the output height (the output is square), got {output_size!r}")
    answer = _as_count(output_size, "output_size")
    n, k, s, p = (RESNET_STEM[key] for key in ("size", "kernel_size", "stride", "padding"))
    layer = nn.Conv2d(3, 64, k, s, p, device="meta")  # shapes only, no memory
    expected = layer(torch.empty(1, 3, n, n, device="meta")).shape[-1]  # PyTorch's answer
    if answer == expected:
        return correct(f"⌊({n} + 2·{p} − {k}) / {s}⌋ + 1 = {expected}: stride 2 halves the image.")
    if answer == expected - 1:
        raise hint("off by one: did you forget the + 1 in the output-size formula (or add the padding "
                   "on one side only)?")
    if answer == conv_output_size(n, k, s, 0):
        raise hint(f"you left out the padding: {p} zeros are added on each side, so the padded input "
                   f"is {n} + 2·{p} pixels wide.")
    if answer == conv_output_size(n, k, 1, p):
        raise hint(f"that is the output with stride 1; with stride {s} the window jumps {s} pixels, "
                   f"so divide by {s} before adding 1.")
    if answer == expected + 1:
        raise hint("you rounded up; a window that would not fit is dropped, so round down (floor, //).")
    raise hint("use H_out = ⌊(H + 2·padding − kernel_size) / stride⌋ + 1.")


def check_conv_parameters(parameters) -> str:
    """Exercise 02-2: parameters of ``nn.Conv2d(3, 16, kernel_size=5)``, weights and biases together.

    Args:
        parameters: the student's count.

    Returns:
        The confirmation, when right.

    Raises:
        WrongAnswer: with a hint naming the likely mistake.

    Example:
        >>> check_conv_parameters(16 * (3 * 5 * 5 + 1))
        Correct! ...
        'Correct! ...'
    """
    from torch import nn

    answer = _as_count(parameters, "parameters")
    c_in, c_out, k = 3, 16, 5
    expected = sum(p.numel() for p in nn.Conv2d(c_in, c_out, k, device="meta").parameters())
    weights = c_out * c_in * k * k
    if answer == expected:
        return correct(f"{c_out} kernels × (3·5·5 weights + 1 bias) = {expected:,}.")
    if answer == weights:
        raise hint("you counted the weights only; each kernel also has one bias.")
    if answer in (c_out * (k * k + 1), c_out * k * k):
        raise hint("a kernel spans every input channel: each of the 16 kernels has 3 × 5 × 5 weights, "
                   "not 5 × 5.")
    if answer == c_out * c_in * (k * k + 1):
        raise hint("one bias per kernel (per output channel), not one per input channel.")
    if answer in (c_in * k * k + 1, c_in * k * k):
        raise hint("that is one kernel; the layer has 16 of them, one per output channel.")
    raise hint("count per kernel: C_in × k × k weights + 1 bias; then multiply by the number of kernels.")


def check_same_padding(padding) -> str:
    """Exercise 02-3: the padding that keeps a 28 × 28 input 28 × 28 under a 5 × 5 kernel with stride 1.

    Args:
        padding: the student's answer, zeros added on each side, an int.

    Returns:
        The confirmation, when right.

    Raises:
        WrongAnswer: with a hint naming the likely mistake.

    Example:
        >>> check_same_padding(2)
        Correct! ...
        'Correct! ...'
    """
    import torch
    from torch import nn

    answer = _as_count(padding, "padding")
    n, k = 28, 5
    if answer < 0:
        raise hint(f"padding adds zeros around the image, so it is >= 0; got {answer}")
    out = nn.Conv2d(1, 1, k, padding=answer, device="meta")(torch.empty(1, 1, n, n, device="meta")).shape[-1]
    if out == n:
        return correct(f"padding (k − 1) / 2 = {answer}: ({n} + 2·{answer} − {k}) + 1 = {n}.")
    if answer == k - 1:
        raise hint(f"{k - 1} is the total the kernel needs; padding counts the zeros on each side, so "
                   "split it between the two sides.")
    if answer == k:
        raise hint("the padding is not the kernel size: the output shrinks by k − 1 pixels, and padding "
                   "on both sides has to make that up.")
    if answer == 0:
        raise hint(f"without padding a 5 × 5 kernel fits only {n - k + 1} times across a row of {n}.")
    raise hint(f"with padding {answer} the output is {out} × {out}; solve {n} + 2·p − {k} + 1 = {n} for p.")


COURSE_CONV1 = {"size": 28, "in_channels": 1, "out_channels": 16, "kernel_size": 5, "padding": 2}  # ex02-4


def check_locally_connected_parameters(parameters) -> str:
    """Exercise 02-4: parameters of the course model's conv1 without weight sharing (locally connected).

    conv1 is ``nn.Conv2d(1, 16, kernel_size=5, padding=2)`` on a 28 × 28 digit. A locally
    connected layer of the same geometry gives every output position of every slice its own
    5 × 5 weights and its own bias.

    Args:
        parameters: the student's count.

    Returns:
        The confirmation, when right.

    Raises:
        WrongAnswer: with a hint naming the likely mistake.

    Example:
        >>> check_locally_connected_parameters(28 * 28 * 16 * (5 * 5 + 1))
        Correct! ...
        'Correct! ...'
    """
    from torch import nn

    from .receptive_field import conv_output_size

    answer = _as_count(parameters, "parameters")
    n, c_in, c_out, k, p = (COURSE_CONV1[key] for key in
                            ("size", "in_channels", "out_channels", "kernel_size", "padding"))
    shared = sum(q.numel() for q in nn.Conv2d(c_in, c_out, k, padding=p, device="meta").parameters())
    positions = conv_output_size(n, k, 1, p) ** 2
    expected = positions * shared  # no sharing: every position has its own copy of all of conv1's parameters
    if answer == expected:
        return correct(f"{positions} positions × {shared} parameters = {expected:,}, "
                       f"{expected // shared} times as many as conv1 with sharing ({shared}).")
    if answer == shared:
        raise hint(f"{shared} is conv1 itself, with sharing; without it every one of the "
                   f"{positions} output positions has its own kernels.")
    if answer == positions * c_out * c_in * k * k:
        raise hint("you left out the biases: without sharing each position of each slice has its own bias.")
    if answer == positions * c_out * c_in * k * k + c_out:
        raise hint("in this locally connected layer nothing is shared, the bias neither: one bias per "
                   "position of each slice.")
    if answer == conv_output_size(n, k, 1, 0) ** 2 * shared:
        raise hint(f"padding {p} keeps the output {n} × {n}, so there are {positions} positions, "
                   f"not {conv_output_size(n, k, 1, 0) ** 2}.")
    raise hint(f"multiply the number of output positions ({n} × {n}) by the parameters one position needs "
               f"(16 kernels × (5·5 weights + 1 bias)).")


# --- 00 introduction ---

LAYER_KINDS = ("input", "convolution", "relu", "pooling", "fully connected")


def _as_count(value, what: str) -> int:
    """The student's count as an int, or a hint naming the expected type."""
    from numbers import Integral

    if isinstance(value, bool) or not isinstance(value, Integral):
        raise hint(f"{what} should be a whole number (an int), got {value!r} of type {type(value).__name__}")
    return int(value)


def check_batch_numel(numel) -> str:
    """Exercise 00-1: how many numbers a batch of 32 RGB images of 224 × 224 pixels holds.

    Args:
        numel: the student's count.

    Returns:
        The confirmation, when right.

    Raises:
        WrongAnswer: with a hint naming the likely mistake.

    Example:
        >>> check_batch_numel(32 * 3 * 224 * 224)
        Correct! ...
        'Correct! ...'
    """
    import torch

    numel = _as_count(numel, "numel")
    n, c, h, w = 32, 3, 224, 224
    expected = torch.empty(n, c, h, w, device="meta").numel()  # shape only, no memory
    if numel == expected:
        return correct(f"a batch of shape ({n}, {c}, {h}, {w}) holds {expected:,} numbers.")
    if numel == expected // n:
        raise hint(f"{numel:,} is one image; the batch holds {n} of them.")
    if numel == expected // c:
        raise hint("you counted one number per pixel; an RGB pixel has 3 numbers, one per channel.")
    if numel == expected * 4:
        raise hint("that is the size in bytes (4 bytes per float32); the question asks for numbers.")
    raise hint("multiply the four sizes of the batch's shape N × C × H × W.")


def check_layers_with_weights(kinds) -> str:
    """Exercise 00-2: which of the five kinds of layer have weights to learn.

    Args:
        kinds: a set (or list) of names from ``LAYER_KINDS``.

    Returns:
        The confirmation, when right.

    Raises:
        WrongAnswer: with a hint naming the likely mistake.

    Example:
        >>> check_layers_with_weights({"convolution", "fully connected"})
        Correct! ...
        'Correct! ...'
    """
    from torch import nn

    if isinstance(kinds, str) or not hasattr(kinds, "__iter__"):
        raise hint(f"give a set of layer names such as {{'input', 'pooling'}}, got {kinds!r}")
    chosen = {str(k).strip().lower() for k in kinds}
    unknown = chosen - set(LAYER_KINDS)
    if unknown:
        raise hint(f"unknown layer kind(s) {sorted(unknown)}; use names from {list(LAYER_KINDS)}")
    examples = {"convolution": nn.Conv2d(3, 4, 3), "relu": nn.ReLU(), "pooling": nn.MaxPool2d(2),
                "fully connected": nn.Linear(8, 2)}
    expected = {kind for kind, layer in examples.items() if sum(p.numel() for p in layer.parameters())}
    if chosen == expected:
        return correct("only convolution and fully connected layers learn weights (and biases).")
    if "relu" in chosen:
        raise hint("ReLU is a fixed function, max(0, x): there is nothing in it to learn.")
    if "pooling" in chosen:
        raise hint("pooling takes the max (or mean) of each window: a fixed rule, no weights.")
    if "input" in chosen:
        raise hint("the input layer only holds the data; it computes nothing and learns nothing.")
    missing = sorted(expected - chosen)
    raise hint(f"{missing[0]} is missing: it multiplies its input by weights that training adjusts.")


def check_dense_parameters(parameters) -> str:
    """Exercise 00-3: parameters of a fully connected layer from a 64 × 64 RGB image to 100 units.

    Args:
        parameters: the student's count, weights and biases together.

    Returns:
        The confirmation, when right.

    Raises:
        WrongAnswer: with a hint naming the likely mistake.

    Example:
        >>> check_dense_parameters(3 * 64 * 64 * 100 + 100)
        Correct! ...
        'Correct! ...'
    """
    from torch import nn

    parameters = _as_count(parameters, "parameters")
    inputs, units = 3 * 64 * 64, 100
    layer = nn.Linear(inputs, units, device="meta")  # shapes only, no memory
    expected = sum(p.numel() for p in layer.parameters())
    if parameters == expected:
        return correct(f"{expected:,} parameters for one layer of 100 units: every unit sees every number.")
    if parameters == inputs * units:
        raise hint("you counted the weights; each of the 100 units also has a bias.")
    if parameters == (64 * 64) * units + units:
        raise hint("an RGB image has 3 numbers per pixel, so the layer has 3 × 64 × 64 inputs.")
    if parameters in (inputs, inputs + units):
        raise hint("every one of the 100 units has its own weight for each input number.")
    raise hint("weights: inputs × units; biases: one per unit; add them.")


# --- 01 input layer ---


def _as_shape(value, what: str) -> tuple[int, ...]:
    """The student's shape as a tuple of ints, or a hint naming the expected type."""
    from numbers import Integral

    if isinstance(value, (str, bytes)) or not hasattr(value, "__iter__"):
        raise hint(f"{what} should be a tuple of ints such as (1, 2, 3), got {value!r}")
    shape = tuple(value)
    if not all(isinstance(s, Integral) and not isinstance(s, bool) for s in shape):
        raise hint(f"{what} should be a tuple of ints such as (1, 2, 3), got {value!r}")
    return tuple(int(s) for s in shape)


def check_chw_to_hwc(hwc, chw) -> str:
    """Exercise 01-1: turn a C × H × W tensor into the H × W × C that matplotlib shows.

    Args:
        hwc: the student's tensor.
        chw: the C × H × W tensor the student started from.

    Returns:
        The confirmation, when right.

    Raises:
        WrongAnswer: with a hint naming the likely mistake.

    Shape:
        chw: (C, H, W); hwc should be (H, W, C).

    Example:
        >>> import torch
        >>> chw = torch.rand(3, 4, 5)
        >>> check_chw_to_hwc(chw.permute(1, 2, 0), chw)
        Correct! ...
        'Correct! ...'
    """
    import torch

    if not isinstance(hwc, torch.Tensor):
        raise hint(f"the answer should be a torch.Tensor, got {type(hwc).__name__}")
    c, h, w = chw.shape
    shape = tuple(hwc.shape)
    if shape == (c, h, w) and c != h:
        raise hint(f"the tensor still has shape {(c, h, w)}: C × H × W. Move the channels last.")
    if shape == (w, h, c) and h != w:
        raise hint("you swapped height and width: permute(2, 1, 0) reverses all axes; keep H before W.")
    if shape != (h, w, c):
        raise hint(f"the answer should have shape (H, W, C) = {(h, w, c)}, got {shape}")
    if torch.equal(hwc, chw.reshape(h, w, c)) and c > 1:
        raise hint("the shape is right but the numbers are scrambled: reshape/view keep the memory "
                   "order, they do not move channels. Use permute(1, 2, 0).")
    if not torch.equal(hwc, chw.permute(1, 2, 0)):
        raise hint("the shape is right but the values are not the image's: permute the tensor you were given.")
    return correct(f"{(c, h, w)} -> {shape}: channels last, pixels unchanged.")


def check_last_batch_size(last_batch_size) -> str:
    """Exercise 01-2: the size of the last batch when 1,000 images go in batches of 64.

    Args:
        last_batch_size: the student's answer.

    Returns:
        The confirmation, when right.

    Raises:
        WrongAnswer: with a hint naming the likely mistake.

    Example:
        >>> check_last_batch_size(1000 % 64)
        Correct! ...
        'Correct! ...'
    """
    import torch
    from torch.utils.data import DataLoader

    last_batch_size = _as_count(last_batch_size, "last_batch_size")
    images, batch_size = 1000, 64
    sizes = [len(b) for b in DataLoader(torch.arange(images), batch_size=batch_size)]
    if last_batch_size == sizes[-1]:
        return correct(f"{len(sizes) - 1} full batches of {batch_size}, then one of {sizes[-1]}.")
    if last_batch_size == batch_size:
        raise hint(f"{images:,} is not a multiple of {batch_size}: the last batch gets only what is left.")
    if last_batch_size in (len(sizes), len(sizes) - 1):
        raise hint("that is how many batches there are; the question asks how many images the last one has.")
    if last_batch_size == batch_size - sizes[-1]:
        raise hint("that is how many images the last batch lacks; how many does it hold?")
    raise hint("take away as many full batches of 64 as fit in 1,000; what remains is the last batch.")


def check_spectrogram_shape(shape) -> str:
    """Exercise 01-3: the shape of ``torch.stft(x, n_fft=256, hop_length=64, ...).abs()``.

    ``x`` holds 0.5 s of sound sampled at 8,000 Hz (4,000 samples); ``center=True``,
    ``return_complex=True``, a Hann window of 256 samples.

    Args:
        shape: the student's (frequency bins, frames).

    Returns:
        The confirmation, when right.

    Raises:
        WrongAnswer: with a hint naming the likely mistake.

    Example:
        >>> check_spectrogram_shape((256 // 2 + 1, 1 + 4000 // 64))
        Correct! ...
        'Correct! ...'
    """
    import torch

    shape = _as_shape(shape, "shape")
    n_fft, hop = 256, 64
    expected = tuple(torch.stft(torch.zeros(4000), n_fft=n_fft, hop_length=hop, window=torch.hann_window(n_fft),
                                return_complex=True).shape)
    bins, frames = expected
    if shape == expected:
        return correct(f"{bins} frequency bins (0 Hz to 4,000 Hz) × {frames} frames.")
    if shape == (frames, bins):
        raise hint("torch.stft puts frequency first: (frequency bins, frames).")
    if len(shape) != 2:
        raise hint(f"one signal gives a 2-D spectrogram (frequency bins, frames), got {len(shape)} numbers")
    if shape[0] in (n_fft, n_fft // 2):
        raise hint("a real signal gives n_fft // 2 + 1 frequency bins (0 Hz up to half the sampling rate).")
    if shape[1] == 1 + (4000 - n_fft) // hop:
        raise hint("center=True pads n_fft // 2 samples at both ends, so frames = 1 + samples // hop_length.")
    if shape[1] in (frames - 1, frames + 1):
        raise hint("off by one frames: count 1 + samples // hop_length.")
    raise hint("bins = n_fft // 2 + 1; frames = 1 + samples // hop_length (center=True).")


def check_conv1d_output_shape(shape) -> str:
    """Exercise 01-4: the output shape of ``nn.Conv1d(50, 8, kernel_size=3)`` on a 12-word sentence.

    The sentence is a batch of one: 12 word vectors of 50 numbers, shape (1, 50, 12).

    Args:
        shape: the student's (N, C_out, L_out).

    Returns:
        The confirmation, when right.

    Raises:
        WrongAnswer: with a hint naming the likely mistake.

    Example:
        >>> check_conv1d_output_shape((1, 8, 10))
        Correct! ...
        'Correct! ...'
    """
    import torch
    from torch import nn

    shape = _as_shape(shape, "shape")
    words, embedding, out_channels, kernel_size = 12, 50, 8, 3
    with torch.no_grad():
        expected = tuple(nn.Conv1d(embedding, out_channels, kernel_size)(torch.zeros(1, embedding, words)).shape)
    n, c, length = expected
    if shape == expected:
        return correct(f"{length} = {words} - {kernel_size} + 1 windows of 3 words, each giving {c} numbers.")
    if len(shape) != 3:
        raise hint(f"Conv1d keeps three dimensions (N, C_out, L_out), got {len(shape)} numbers")
    if shape == (n, length, c):
        raise hint("PyTorch puts channels before length: (N, C_out, L_out).")
    if shape[1] == embedding:
        raise hint("the output has one channel per kernel: out_channels = 8.")
    if shape[2] == words:
        raise hint("without padding a window of 3 words fits only 12 - 3 + 1 times.")
    if shape[2] in (length - 1, length + 1):
        raise hint("off by one: L_out = L - kernel_size + 1.")
    raise hint("L_out = (L + 2·padding - kernel_size) // stride + 1; N and C_out follow from the layer.")


# --- 04 pooling ---

POOL_SIZE_EXERCISE = {"size": 28, "kernel_size": 3}  # ex04-1: nn.MaxPool2d(3) on a 28 × 28 feature map

# ex04-2: pool this 4 × 4 feature map by hand with a 2 × 2 window, stride 2
POOL_EXERCISE_MAP = ((1.0, 3.0, 2.0, 0.0),
                     (4.0, 6.0, 5.0, 1.0),
                     (0.0, 2.0, 9.0, 7.0),
                     (1.0, 8.0, 3.0, 4.0))


def check_pool_output_size(output_size) -> str:
    """Exercise 04-1: output height of ``nn.MaxPool2d(3)`` on a 28 × 28 feature map.

    Args:
        output_size: the student's answer, the output height (= width), an int.

    Returns:
        The confirmation, when right.

    Raises:
        WrongAnswer: with a hint naming the likely mistake.

    Example:
        >>> check_pool_output_size(9)
        Correct! ...
        'Correct! ...'
    """
    import torch
    from torch import nn

    from .receptive_field import conv_output_size

    n, k = POOL_SIZE_EXERCISE["size"], POOL_SIZE_EXERCISE["kernel_size"]
    if isinstance(output_size, float) and not output_size.is_integer():
        raise hint(f"an output size is a whole number of windows: {n} / {k} = {output_size:.4g} is not. "
                   "A window that does not fit is dropped, so round down (//).")
    answer = _as_count(output_size, "output_size")
    expected = nn.MaxPool2d(k)(torch.zeros(1, 1, n, n)).shape[-1]  # PyTorch's answer
    if answer == expected:
        return correct(f"stride defaults to kernel_size, so ⌊({n} − {k}) / {k}⌋ + 1 = {expected}; "
                       f"{n - expected * k} row(s) and column(s) at the far edge fall in no window.")
    if answer == conv_output_size(n, k, 1):
        raise hint(f"that is the answer for stride 1. nn.MaxPool2d's stride defaults to kernel_size, "
                   f"so the {k} × {k} windows do not overlap: stride {k}.")
    if answer == expected - 1:
        raise hint("off by one: did you forget the + 1 in the output-size formula?")
    if answer == conv_output_size(n, k, k, ceil_mode=True):
        raise hint("you rounded up; PyTorch drops a window that does not fit (round down, //) "
                   "unless ceil_mode=True.")
    if answer == n // 2:
        raise hint("a 2 × 2 window halves the map; this one is 3 × 3 with stride 3.")
    raise hint("use H_out = ⌊(H + 2·padding − kernel_size) / stride⌋ + 1 with stride = kernel_size, "
               "padding = 0.")


def _as_map(value, name: str):
    """The student's pooled map as a float NumPy array, or a hint naming the expected type."""
    import numpy as np

    if hasattr(value, "detach"):
        value = value.detach().cpu().numpy()
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise hint(f"{name} should be a 2-D array of numbers (a nested list, NumPy array or tensor), "
                   f"got {type(value).__name__}") from None
    return array


def check_max_pool_by_hand(pooled) -> str:
    """Exercise 04-2: 2 × 2 max pooling, stride 2, of ``POOL_EXERCISE_MAP``, worked out by hand.

    Args:
        pooled: the student's 2 × 2 result (nested list, NumPy array or tensor).

    Returns:
        The confirmation, when right.

    Raises:
        WrongAnswer: with a hint naming the likely mistake.

    Example:
        >>> check_max_pool_by_hand([[6, 5], [8, 9]])
        Correct! ...
        'Correct! ...'
    """
    import numpy as np
    import torch
    import torch.nn.functional as F

    x = torch.tensor(POOL_EXERCISE_MAP)[None, None]  # (1, 1, 4, 4)
    answer = _as_map(pooled, "pooled")
    if answer.shape == (3, 3):
        raise hint("a 3 × 3 result means stride 1 (overlapping windows); stride 2 moves each window "
                   "2 columns on, so the four windows do not overlap and the result is 2 × 2.")
    if answer.shape != (2, 2):
        raise hint(f"pooled should be 2 × 2 (a 4 × 4 map, 2 × 2 windows, stride 2), got shape {answer.shape}")
    expected = F.max_pool2d(x, 2)[0, 0].numpy()
    if np.allclose(answer, expected):
        return correct("each window keeps only its largest value.")
    if np.allclose(answer, expected.T):
        raise hint("rows and columns are swapped: the first row of the result comes from the first two "
                   "rows of the map.")
    if np.allclose(answer, F.avg_pool2d(x, 2)[0, 0].numpy()):
        raise hint("that is average pooling; max pooling keeps the largest value of each window.")
    if np.allclose(answer, 4 * F.avg_pool2d(x, 2)[0, 0].numpy()):
        raise hint("that is sum pooling; max pooling keeps the largest value of each window.")
    if np.allclose(answer, -F.max_pool2d(-x, 2)[0, 0].numpy()):
        raise hint("you took the smallest value of each window; max pooling keeps the largest.")
    wrong = int((~np.isclose(answer, expected)).sum())
    raise hint(f"{wrong} of the 4 values are wrong. The windows are rows 0-1 / 2-3 by columns 0-1 / 2-3; "
               "take the largest value of each.")


def check_sum_pool(sum_pool) -> str:
    """Exercise 04-3: ``sum_pool(x, kernel_size)`` built from ``F.avg_pool2d``, checked against ``nn.LPPool2d``.

    The student's function is called on random (N, C, H, W) batches with kernel sizes 2 and 3
    (stride = kernel_size, no padding) and compared with ``nn.LPPool2d(norm_type=1, ...)``.

    Args:
        sum_pool: the student's function ``sum_pool(x, kernel_size) -> tensor``.

    Returns:
        The confirmation, when right.

    Raises:
        WrongAnswer: with a hint naming the likely mistake.

    Example:
        >>> import torch.nn.functional as F
        >>> check_sum_pool(lambda x, kernel_size: F.avg_pool2d(x, kernel_size) * kernel_size**2)
        Correct! ...
        'Correct! ...'
    """
    import torch
    import torch.nn.functional as F
    from torch import nn

    if not callable(sum_pool):
        raise hint(f"sum_pool should be a function sum_pool(x, kernel_size), got {type(sum_pool).__name__}")
    generator = torch.Generator().manual_seed(4)
    for k in (2, 3):
        x = torch.randn(2, 3, 12, 9, generator=generator)  # (N, C, H, W), negative values too
        expected = nn.LPPool2d(norm_type=1, kernel_size=k)(x)
        answer = sum_pool(x, k)
        if not isinstance(answer, torch.Tensor):
            raise hint(f"sum_pool should return a tensor, got {type(answer).__name__}")
        if answer.shape != expected.shape:
            raise hint(f"for kernel_size {k} the result should have shape {tuple(expected.shape)}, got "
                       f"{tuple(answer.shape)}; keep the default stride (= kernel_size) and no padding.")
        average = F.avg_pool2d(x, k)
        if torch.allclose(answer, average, atol=1e-5):
            raise hint("that is the average; the sum of a window is its average times the number of "
                       "values in it, kernel_size · kernel_size.")
        if torch.allclose(answer, average * k, atol=1e-5):
            raise hint(f"you multiplied by kernel_size; a {k} × {k} window holds {k}·{k} = {k * k} values.")
        if not torch.allclose(answer, expected, atol=1e-5):
            raise hint(f"for kernel_size {k} the result differs from nn.LPPool2d(1, {k}) (the sum of each "
                       "window); compute F.avg_pool2d(x, kernel_size) times the window's area.")
    return correct("sum pooling = average pooling × window area, which is nn.LPPool2d with p = 1.")


def _linear_after(blocks: int) -> int:
    """Parameters of the Linear(…, 10) after the course model's convs with ``blocks`` max-pooling layers."""
    import torch
    from torch import nn

    layers = [nn.Conv2d(1, 16, 5, 1, 2), nn.ReLU(), nn.Conv2d(16, 32, 5, 1, 2), nn.ReLU()]
    for index in range(blocks):
        layers.insert(2 + 3 * index, nn.MaxPool2d(2))  # after each ReLU, as in the course model
    in_features = nn.Sequential(*layers)(torch.zeros(1, 1, 28, 28)).numel()
    return sum(p.numel() for p in nn.Linear(in_features, 10).parameters())


def _conv_parameters() -> int:
    """Parameters of the course model's two convolutions (pooling adds none)."""
    from torch import nn

    return sum(p.numel() for conv in (nn.Conv2d(1, 16, 5), nn.Conv2d(16, 32, 5)) for p in conv.parameters())


def check_linear_params_without_pooling(parameters) -> str:
    """Exercise 04-4: parameters of the course model's Linear(…, 10) if both pooling layers were removed.

    Args:
        parameters: the student's count, weights and biases of that Linear layer.

    Returns:
        The confirmation, when right.

    Raises:
        WrongAnswer: with a hint naming the likely mistake.

    Example:
        >>> check_linear_params_without_pooling(32 * 28 * 28 * 10 + 10)
        Correct! ...
        'Correct! ...'
    """
    answer = _as_count(parameters, "parameters")
    expected, pooled = _linear_after(0), _linear_after(2)
    if answer == expected:
        return correct(f"{expected:,} instead of {pooled:,}: {expected / pooled:.0f} times as many, "
                       "because the Linear sees 28·28 positions instead of 7·7.")
    if answer == expected - 10:
        raise hint("the Linear layer also has a bias: one per output, 10 more.")
    if answer == pooled:
        raise hint("that is the course model's Linear, after two poolings (7 × 7 maps). Without pooling "
                   "the maps stay 28 × 28.")
    if answer == _linear_after(1):
        raise hint("that is with one pooling layer (14 × 14 maps); remove both.")
    if answer == expected + _conv_parameters():
        raise hint("that is the whole model without pooling; the question asks for the Linear layer only.")
    if answer == 32 * 28 * 28:
        raise hint("that is the number of inputs of the Linear (in_features); each of the 10 outputs "
                   "has a weight for each input, plus a bias.")
    raise hint("without pooling conv2 outputs (32, 28, 28); the Linear has 32·28·28 inputs, "
               "10 outputs, a weight per input and output and a bias per output.")


# --- 06 full implementation ---

STEPS_EXERCISE = {"images": 4000, "batch_size": 128}  # ex06-1: steps in one epoch of the bundled set


def check_steps_per_epoch(steps) -> str:
    """Exercise 06-1: optimisation steps in one epoch of 4,000 images with ``batch_size=128``.

    Args:
        steps: the student's count.

    Returns:
        The confirmation, when right.

    Raises:
        WrongAnswer: with a hint naming the likely mistake.

    Example:
        >>> check_steps_per_epoch(32)
        Correct! ...
        'Correct! ...'
    """
    import math

    n, b = STEPS_EXERCISE["images"], STEPS_EXERCISE["batch_size"]
    if isinstance(steps, float) and not steps.is_integer():
        raise hint(f"a step uses one whole batch, so the count is a whole number; {n} / {b} = {steps:.4g} "
                   "batches means some full batches plus one smaller last batch.")
    answer = _as_count(int(steps) if isinstance(steps, float) else steps, "steps")
    expected = math.ceil(n / b)
    if answer == expected:
        return correct(f"{n // b} full batches of {b} and a last one of {n - (n // b) * b} images: "
                       f"{expected} steps (fit keeps the smaller last batch).")
    if answer == n // b:
        raise hint(f"{n} // {b} counts the full batches only; the {n % b} images left over make one "
                   "more, smaller batch (fit does not drop it). Round up.")
    if answer == n:
        raise hint("that is one step per image; a step takes a whole batch of images.")
    if answer == b:
        raise hint(f"that is the batch size; how many batches of {b} does it take to cover {n} images?")
    raise hint(f"count the batches: ⌈{n} / {b}⌉, the last batch may be smaller.")


def _as_confusion(confusion):
    import numpy as np

    matrix = np.asarray(confusion.detach().cpu() if hasattr(confusion, "detach") else confusion)
    if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1]:
        raise ValueError(f"confusion must be a square (classes, classes) matrix, got shape {matrix.shape}")
    return matrix


def _as_number(value, what: str) -> float:
    from numbers import Real

    if hasattr(value, "item") and getattr(value, "ndim", 0) == 0:
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, Real):
        raise hint(f"{what} should be a number (a float), got {value!r} of type {type(value).__name__}")
    return float(value)


def check_accuracy_from_confusion(accuracy, confusion) -> str:
    """Exercise 06-2: the accuracy read off a confusion matrix.

    Args:
        accuracy: the student's accuracy, a fraction in [0, 1].
        confusion: the (classes, classes) confusion matrix it was computed from
            (row = true class, column = predicted class).

    Returns:
        The confirmation, when right.

    Raises:
        WrongAnswer: with a hint naming the likely mistake.
        ValueError: ``confusion`` is not a square matrix (a bug in the notebook, not the answer).

    Example:
        >>> check_accuracy_from_confusion(0.9, [[5, 1], [0, 4]])
        Correct! ...
        'Correct! ...'
    """
    import numpy as np

    matrix = _as_confusion(confusion)
    answer = _as_number(accuracy, "accuracy")
    right, total = int(np.trace(matrix)), int(matrix.sum())
    expected = right / total

    def near(value):
        return abs(answer - value) <= 1e-6 * max(1.0, abs(value))

    if near(expected):
        return correct(f"the diagonal holds the right answers: {right} of {total} = {expected:.3f}.")
    if near(100 * expected):
        raise hint("that is a percentage; give the accuracy as a fraction between 0 and 1.")
    if near(right):
        raise hint(f"{right} is the number of right answers (the diagonal); divide by the number of images.")
    if near(1 - expected):
        raise hint("that is the error rate: the off-diagonal cells are the mistakes, the diagonal the "
                   "right answers.")
    if near(matrix[0, 0] / matrix[0].sum()):
        raise hint("that is the accuracy on class 0 only (row 0); use the whole diagonal over all images.")
    raise hint("accuracy = (sum of the diagonal) / (sum of all cells); torch.trace or np.trace sums "
               "the diagonal.")


def _as_pair(value) -> tuple[int, int]:
    from numbers import Integral

    if isinstance(value, (str, bytes)) or not hasattr(value, "__len__") or len(value) != 2 or not all(
            isinstance(v, Integral) and not isinstance(v, bool) for v in value):
        raise hint(f"give the pair as (true digit, predicted digit), two ints, got {value!r}")
    return int(value[0]), int(value[1])


def check_most_confused(pair, confusion) -> str:
    """Exercise 06-3: the (true, predicted) pair of different digits the model mixes up most often.

    Args:
        pair: the student's ``(true digit, predicted digit)``.
        confusion: the confusion matrix (row = true class, column = predicted class).

    Returns:
        The confirmation, when right (any of several tied pairs is right).

    Raises:
        WrongAnswer: with a hint naming the likely mistake.
        ValueError: ``confusion`` is not a square matrix.

    Example:
        >>> check_most_confused((1, 0), [[5, 1], [3, 4]])
        Correct! ...
        'Correct! ...'
    """
    import numpy as np

    matrix = _as_confusion(confusion).astype(np.int64)
    true, predicted = _as_pair(pair)
    n = matrix.shape[0]
    if not (0 <= true < n and 0 <= predicted < n):
        raise hint(f"digits go from 0 to {n - 1}, got {pair!r}")
    mistakes = matrix.copy()
    np.fill_diagonal(mistakes, -1)
    most = mistakes.max()
    if true == predicted:
        raise hint("the diagonal counts right answers; look for the largest count off the diagonal.")
    if mistakes[true, predicted] == most:
        return correct(f"{most} images of a {true} were called {predicted}: the largest count off the diagonal.")
    if mistakes[predicted, true] == most:
        raise hint("swapped: rows are the true digit, columns the prediction; give (row, column).")
    raise hint(f"cell [{true}, {predicted}] holds {mistakes[true, predicted]}; find the largest count off the "
               "diagonal (set the diagonal to -1 first, then argmax).")


def check_embedding_input_size(size) -> str:
    """Exercise 06-4: how many numbers per image the 2-D embedding starts from (conv2's output, flattened).

    Args:
        size: the student's count.

    Returns:
        The confirmation, when right.

    Raises:
        WrongAnswer: with a hint naming the likely mistake.

    Example:
        >>> check_embedding_input_size(1568)
        Correct! ...
        'Correct! ...'
    """
    import torch

    from .model import SeedCNN

    answer = _as_count(size, "size")
    expected = SeedCNN().features(torch.zeros(1, 1, 28, 28)).shape[1]  # the model's answer
    if answer == expected:
        return correct(f"conv2 hands 32 maps of 7 × 7 to the classifier: 32·7·7 = {expected} numbers per image.")
    if answer == 32 * 14 * 14:
        raise hint("that is conv2's output before its pooling; the 2 × 2 max pooling halves 14 × 14 to 7 × 7.")
    if answer == 28 * 28:
        raise hint("784 is the raw image (28·28 pixels), or 16·7·7; the embedding starts from conv2's "
                   "output, 32 maps.")
    if answer == 16 * 14 * 14:
        raise hint("that is conv1's output (16 maps of 14 × 14); the embedding uses conv2's, 32 maps.")
    if answer == 10:
        raise hint("10 is the output of the last Linear (the logits); the embedding uses what goes into it.")
    raise hint("trace the shapes: (1, 28, 28) → conv1 → (16, 14, 14) → conv2 → (32, 7, 7), then flatten.")


# --- 05 fully connected ---

FLATTEN_EXERCISE = {"shape": (32, 7, 7), "index": (3, 2, 5)}  # ex05-1: where (c, h, w) lands after flatten


def check_flatten_index(position) -> str:
    """Exercise 05-1: the position of element (c, h, w) = (3, 2, 5) of a (32, 7, 7) map after flattening.

    Args:
        position: the student's answer, an index into the flattened 1,568 values (from 0).

    Returns:
        The confirmation, when right.

    Raises:
        WrongAnswer: with a hint naming the likely mistake.

    Example:
        >>> check_flatten_index(166)
        Correct! ...
        'Correct! ...'
    """
    import torch

    (channels, height, width), (c, h, w) = FLATTEN_EXERCISE["shape"], FLATTEN_EXERCISE["index"]
    answer = _as_count(position, "position")
    positions = torch.arange(channels * height * width).reshape(1, channels, height, width)  # value = index
    expected = positions.flatten(1)[0].tolist().index(positions[0, c, h, w].item())  # where flatten puts it
    if answer == expected:
        return correct(f"flatten keeps the row-major order of PyTorch: c·(7·7) + h·7 + w = {c}·49 + {h}·7 + {w} "
                       f"= {expected}.")
    if answer == c * height * width + w * width + h:
        raise hint("rows and columns are swapped: h (the row) is multiplied by the width 7, w is added.")
    if answer == (h * width + w) * channels + c:
        raise hint("that is the channels-last order (H, W, C) of an image file; PyTorch tensors are "
                   "(C, H, W), so the channel is the slowest index: c·49 + h·7 + w.")
    if answer == expected + 1:
        raise hint("off by one: indices start at 0, so element (0, 0, 0) is at position 0.")
    if answer == c * 7 + h * 7 + w:
        raise hint("each channel holds 7·7 = 49 values, so moving one channel on moves 49 positions, not 7.")
    raise hint("count how many values come before it: c whole channels of 7·7, then h whole rows of 7, "
               "then w values.")


def _in_features(input_size: int, pools: int = 2, channels: int = 32) -> int:
    """in_features of the course model's Linear for square inputs of ``input_size`` (real layers)."""
    import torch
    from torch import nn

    layers = [nn.Conv2d(1, 16, 5, 1, 2), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(16, channels, 5, 1, 2), nn.ReLU(),
              nn.MaxPool2d(2)]
    if pools < 2:
        layers = [layer for layer in layers if not isinstance(layer, nn.MaxPool2d)][:4] + [nn.MaxPool2d(2)] * pools
    with torch.no_grad():
        return nn.Sequential(*layers)(torch.zeros(1, 1, input_size, input_size)).numel()


IN_FEATURES_EXERCISE = {"input_size": 32}  # ex05-2: the course model on 32 x 32 images


def check_in_features(in_features) -> str:
    """Exercise 05-2: in_features of the course model's Linear layer for 32 × 32 grayscale images.

    Args:
        in_features: the student's answer.

    Returns:
        The confirmation, when right.

    Raises:
        WrongAnswer: with a hint naming the likely mistake.

    Example:
        >>> check_in_features(32 * 8 * 8)
        Correct! ...
        'Correct! ...'
    """
    size = IN_FEATURES_EXERCISE["input_size"]
    answer = _as_count(in_features, "in_features")
    expected = _in_features(size)
    side = size // 4
    if answer == expected:
        return correct(f"the convolutions keep {size} × {size}, the two poolings make it {size // 2} and then "
                       f"{side}: 32·{side}·{side} = {expected}.")
    if answer == _in_features(28):
        raise hint("that is the answer for 28 × 28 digits (32·7·7); follow a 32 × 32 image through the layers.")
    if answer == _in_features(size, pools=0):
        raise hint("you left out the pooling: each MaxPool2d(2) halves the height and the width.")
    if answer == _in_features(size, pools=1):
        raise hint("there are two MaxPool2d(2) layers, one after each convolution: halve twice.")
    if answer == _in_features(size, channels=16):
        raise hint("the last convolution (conv2) has 32 output channels, not 16.")
    if answer == side * side:
        raise hint("multiply by the number of channels too: the Linear layer sees all 32 maps.")
    raise hint("in_features = channels × height × width of conv2's output; the 5 × 5 convs with padding 2 keep "
               "the size, each MaxPool2d(2) halves it.")


def check_linear_parameters(parameters) -> str:
    """Exercise 05-3: parameters (weights and biases) of the course model's ``nn.Linear(32 * 7 * 7, 10)``.

    Args:
        parameters: the student's count.

    Returns:
        The confirmation, when right.

    Raises:
        WrongAnswer: with a hint naming the likely mistake.

    Example:
        >>> check_linear_parameters(15_690)
        Correct! ...
        'Correct! ...'
    """
    from torch import nn

    layer = nn.Linear(32 * 7 * 7, 10)
    answer = _as_count(parameters, "parameters")
    expected = sum(p.numel() for p in layer.parameters())
    weights, (outputs, inputs) = layer.weight.numel(), layer.weight.shape
    if answer == expected:
        return correct(f"{inputs:,}·{outputs} weights + {outputs} biases = {expected:,}: over half of the "
                       "28,938 parameters of the course model.")
    if answer == weights:
        raise hint(f"the weights alone; each of the {outputs} outputs also has a bias.")
    if answer == weights + inputs:
        raise hint(f"one bias per output ({outputs}), not per input.")
    if answer == inputs + outputs:
        raise hint("every output is connected to every input: the weights number inputs × outputs.")
    if answer == 28_938:
        raise hint("that is the whole course model; count the Linear layer only.")
    raise hint(f"a Linear layer has in_features × out_features weights and out_features biases; here "
               f"in_features = 32·7·7 = {inputs:,} and out_features = {outputs}.")


def check_probabilities(probabilities, logits) -> str:
    """Exercise 05-4: turn a batch of logits (N, 10) into class probabilities, one row per example.

    Args:
        probabilities: the student's (N, 10) tensor (or array).
        logits: the (N, 10) logits it was computed from.

    Returns:
        The confirmation, when right.

    Raises:
        WrongAnswer: with a hint naming the likely mistake.

    Example:
        >>> import torch
        >>> logits = torch.tensor([[2.0, 1.0, 0.1], [0.0, 0.0, 3.0]])
        >>> check_probabilities(torch.softmax(logits, dim=1), logits)
        Correct! ...
        'Correct! ...'
    """
    import torch

    logits = torch.as_tensor(logits, dtype=torch.float32)
    if isinstance(probabilities, torch.Tensor):
        answer = probabilities.detach().float()
    else:
        try:
            answer = torch.as_tensor(probabilities, dtype=torch.float32)
        except (TypeError, ValueError, RuntimeError):
            raise hint(f"probabilities should be a tensor of shape {tuple(logits.shape)}, got "
                       f"{type(probabilities).__name__}") from None
    if answer.shape != logits.shape:
        raise hint(f"probabilities should have the shape of the logits, {tuple(logits.shape)}: one row per "
                   f"example, one column per class; got {tuple(answer.shape)}")
    expected = torch.softmax(logits, dim=1)

    def same(other):
        return torch.allclose(answer, other, atol=1e-5)

    if same(expected):
        return correct("softmax over dim=1 (the classes): every row is positive and sums to 1, and its largest "
                       "entry is where the largest logit was.")
    if same(torch.softmax(logits, dim=0)):
        raise hint("softmax over dim=0 makes each column (class) sum to 1 across the batch. The batch is the "
                   "high dimension (0), the classes the low one (1): use dim=1.")
    if same(torch.exp(logits)):
        raise hint("exp makes the values positive; divide each row by its sum so that it sums to 1.")
    if same(logits / logits.sum(dim=1, keepdim=True)):
        raise hint("dividing the logits by their sum does not give probabilities (logits can be negative); "
                   "take exp first: softmax = exp(z) / sum(exp(z)).")
    if same(torch.sigmoid(logits)):
        raise hint("sigmoid scores each class on its own and the rows do not sum to 1; use softmax over dim=1.")
    if same(torch.log_softmax(logits, dim=1)):
        raise hint("that is log_softmax (log-probabilities, all negative); take softmax instead.")
    raise hint("softmax(z)_j = exp(z_j) / Σ_k exp(z_k), over the classes of each row: torch.softmax(logits, dim=1).")

"""Checkers for notebook 02, convolution: output size, parameter counts, same padding, no weight sharing."""

from __future__ import annotations

from ._common import _as_count, correct, hint

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
    import torch.nn.functional as F

    from ..receptive_field import conv_output_size

    if isinstance(output_size, (tuple, list, torch.Size)):
        raise hint(f"give one int, the output height (the output is square), got {output_size!r}")
    answer = _as_count(output_size, "output_size")
    n, k, s, p = (RESNET_STEM[key] for key in ("size", "kernel_size", "stride", "padding"))
    # PyTorch's answer, from an empty batch: the output shape without arithmetic
    expected = F.conv2d(torch.empty(0, 3, n, n), torch.empty(64, 3, k, k), stride=s, padding=p).shape[-1]
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
    import torch.nn.functional as F

    answer = _as_count(padding, "padding")
    n, k = 28, 5
    if answer < 0:
        raise hint(f"padding adds zeros around the image, so it is >= 0; got {answer}")
    if answer > n:  # PyTorch's ints are 64-bit: the formula alone, for an answer like 10**100
        raise hint(f"with padding {answer} the output is {n + 2 * answer - k + 1} pixels wide; solve "
                   f"{n} + 2·p − {k} + 1 = {n} for p.")
    out = F.conv2d(torch.empty(0, 1, n, n), torch.empty(1, 1, k, k), padding=answer).shape[-1]  # empty batch
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

    from ..receptive_field import conv_output_size

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

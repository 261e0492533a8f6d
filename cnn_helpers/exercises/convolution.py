"""Checkers for notebook 02, convolution: conv2d from scratch, the explorer predicted, no weight sharing."""

from __future__ import annotations

from ._common import _as_count, _as_float_tensor, _call, _first_difference, correct, hint

# ex02-1: the cases conv2d runs on, each adding one thing to the one before it, so the first that
# fails names what is missing: (what it adds, N, C_in, C_out, H, W, kernel_size, stride, padding, bias)
CONV2D_CASES = (
    ("one channel, stride 1, no padding", 1, 1, 1, 5, 6, 3, 1, 0, False),
    ("a bias", 1, 1, 1, 5, 6, 3, 1, 0, True),
    ("3 input and 3 output channels", 1, 3, 3, 5, 6, 3, 1, 0, True),
    ("a batch of 2, 2 input and 4 output channels", 2, 2, 4, 6, 5, 3, 1, 0, True),
    ("stride 2", 2, 2, 3, 9, 8, 3, 2, 0, True),
    ("padding 1", 2, 2, 3, 6, 7, 3, 1, 1, True),
    ("a 5 × 5 kernel, stride 2 and padding 2", 2, 3, 2, 11, 8, 5, 2, 2, True),
    ("a 2 × 2 kernel, stride 3 and padding 1", 1, 2, 2, 10, 7, 2, 3, 1, True),
)


def _conv_shape_hint(shape, case, expected_shape) -> str | None:
    """The mistake a wrong output shape points to, or None."""
    from ..receptive_field import conv_output_size

    n, c_in, c_out, h, w, k, s, p = case[1:9]
    ho, wo = expected_shape[-2:]
    if len(shape) != 4:
        if len(shape) == 3 and tuple(shape) in ((c_out, ho, wo), (n * c_out, ho, wo)):
            return "keep the batch dimension: the output is (N, C_out, H_out, W_out), one feature map stack per image"
        if len(shape) == 5:
            return ("you kept one map per input channel: a kernel's dot product runs over the window in every "
                    "input channel at once, so sum over the input channels")
        return f"the output should have 4 dimensions (N, C_out, H_out, W_out), got shape {tuple(shape)}"
    if tuple(shape[:2]) == (n, c_in) and c_in != c_out:
        return (f"the output has {c_in} channels, one per input channel; it needs one per kernel: "
                f"C_out = weight.shape[0] = {c_out}, each summing over all {c_in} input channels")
    if tuple(shape[:2]) == (c_out, n) and n != c_out:
        return "batch and channels are swapped: the output is (N, C_out, H_out, W_out)"
    if tuple(shape[:2]) != (n, c_out):
        return f"the output should start with (N, C_out) = {(n, c_out)}, got {tuple(shape[:2])}"
    size = tuple(shape[-2:])
    if size == (wo, ho):
        return "height and width are swapped: the output is (..., H_out, W_out), rows first"
    if s > 1 and size == conv_output_size((h, w), k, 1, p):
        return (f"stride ignored: with stride {s} the window jumps {s} pixels, so the output is "
                f"⌊(H + 2·padding − kernel_size) / stride⌋ + 1 = {ho} rows, not {size[0]}")
    if p > 0 and size == conv_output_size((h, w), k, s, 0):
        return (f"missing padding: pad the input with {p} rows and columns of zeros on every side first "
                "(F.pad(x, (p, p, p, p)) or a bigger torch.zeros), then slide the window over the padded input")
    if p > 0 and size == tuple((m + p - k) // s + 1 for m in (h, w)):
        return f"padding on one side only: add {p} zeros on both sides, top and bottom, left and right"
    if size in ((ho - 1, wo - 1), (ho + 1, wo + 1)):
        return ("off by one in the output size: H_out = ⌊(H + 2·padding − kernel_size) / stride⌋ + 1; "
                "the window's last position starts at H + 2·padding − kernel_size")
    return f"the output should have shape {tuple(expected_shape)}, got {tuple(shape)}"


def _conv_value_hint(answer, x, weight, bias, s, p) -> str | None:
    """The mistake a right-shaped but wrong output points to, or None."""
    import torch
    import torch.nn.functional as F

    c_in = x.shape[1]
    expected = F.conv2d(x, weight, bias, s, p)
    no_bias = F.conv2d(x, weight, None, s, p)
    ho, wo = expected.shape[-2:]
    candidates = [
        (F.conv2d(x, weight.flip(-2, -1), bias, s, p),
         "flipped kernel: you computed the mathematicians' convolution. PyTorch's conv2d (and this exercise) "
         "is cross-correlation: multiply window[a, b] by weight[a, b], without flipping the kernel"),
        (no_bias, "bias forgotten: add bias[o] to every value of output channel o"),
        (F.conv2d(x, weight, None, 1, p)[..., :ho, :wo] + bias[:, None, None],
         f"stride ignored in the window's position: output (i, j) reads the window that starts at row "
         f"i·stride, column j·stride (here stride {s}), not at (i, j)"),
    ]
    if c_in > 1:
        candidates += [
            (no_bias + c_in * bias[:, None, None],
             "the bias is added once per input channel; add it once per output value, after summing the channels"),
            (no_bias / c_in + bias[:, None, None],
             "channels averaged: a kernel's dot product sums over the input channels, it does not average them"),
            (F.conv2d(x[:, :1], weight[:, :1], bias, s, p),
             "only the first input channel is used: the dot product runs over all input channels, "
             "x[n, :, rows, cols] * weight[o] summed"),
        ]
        if weight.shape[0] == c_in:
            own = torch.eye(c_in, dtype=weight.dtype)[:, :, None, None]  # weight[o, c] kept only where c == o
            candidates.append((F.conv2d(x, weight * own, bias, s, p),
                               "output channel o used input channel o only: kernel o spans all input channels, "
                               "so its dot product sums x[n, c] * weight[o, c] over every c"))
            candidates.append((F.conv2d(x, weight.transpose(0, 1), bias, s, p),
                               "channels summed on the wrong axis: weight is (C_out, C_in, kH, kW); kernel o is "
                               "weight[o], whose axis 0 runs over the input channels"))
    if x.shape[0] > 1:
        candidates.append((expected[:1].expand_as(expected),
                           "every image of the batch got image 0's output: loop over the batch, x[n]"))
        candidates.append((no_bias.sum(dim=0, keepdim=True).expand_as(expected) + bias[:, None, None],
                           "the batch is summed: each image n has its own output, out[n]"))
    for candidate, message in candidates:
        if torch.allclose(answer, candidate, rtol=1e-4, atol=1e-4):
            return message
    return None


def check_conv2d(conv2d) -> str:
    """Exercise 02-1: ``conv2d(x, weight, bias, stride, padding)`` from scratch, against ``F.conv2d``.

    Runs the student's function on the seeded random cases of ``CONV2D_CASES``, each adding
    one thing (a bias, channels, a batch, stride, padding) to the ones before, and explains
    the first difference from PyTorch's ``F.conv2d``: a wrong shape (stride ignored, missing
    padding, off by one, ...), a flipped kernel, channels summed on the wrong axis, the bias
    forgotten, ...

    Args:
        conv2d: the student's function; ``x`` (N, C_in, H, W), ``weight`` (C_out, C_in, k, k),
            ``bias`` (C_out,), ``stride`` and ``padding`` ints; returns (N, C_out, H_out, W_out).

    Returns:
        The confirmation, when right.

    Raises:
        WrongAnswer: with a hint naming the first mistake found.
        NotImplementedError: the student's own, from the unfilled stub.

    Example:
        >>> import torch.nn.functional as F
        >>> check_conv2d(lambda x, weight, bias, stride, padding: F.conv2d(x, weight, bias, stride, padding))
        Correct! ...
        '...'
    """
    import torch
    import torch.nn.functional as F

    generator = torch.Generator().manual_seed(2)
    for case in CONV2D_CASES:
        what, n, c_in, c_out, h, w, k, s, p, with_bias = case
        x = torch.randn(n, c_in, h, w, generator=generator)  # (N, C_in, H, W)
        weight = torch.randn(c_out, c_in, k, k, generator=generator)  # (C_out, C_in, k, k)
        bias = torch.randn(c_out, generator=generator) if with_bias else torch.zeros(c_out)
        where = (f"x of shape {tuple(x.shape)}, weight {tuple(weight.shape)}, bias {tuple(bias.shape)}, "
                 f"stride {s}, padding {p} (the case with {what})")
        answer = _as_float_tensor(_call(conv2d, "conv2d", (x.clone(), weight.clone(), bias.clone(), s, p), where),
                                  "conv2d")
        x, weight, bias = x.double(), weight.double(), bias.double()
        expected = F.conv2d(x, weight, bias, s, p)  # (N, C_out, H_out, W_out)
        if answer.shape != expected.shape:
            raise hint(f"{where}: {_conv_shape_hint(answer.shape, case, expected.shape)}.")
        if not torch.isfinite(answer).all():
            index = tuple((~torch.isfinite(answer)).nonzero()[0].tolist())
            raise hint(f"{where}: the output holds {answer[index].item()} at {index}; was that value ever "
                       "written? Start from torch.zeros, not torch.empty.")
        if not torch.allclose(answer, expected, rtol=1e-4, atol=1e-4):
            message = _conv_value_hint(answer, x, weight, bias, s, p)
            if message is None:
                message = (f"{_first_difference(answer, expected)}. Output (n, o, i, j) is the sum of "
                           "x_padded[n, :, i·stride : i·stride + k, j·stride : j·stride + k] * weight[o], plus bias[o]")
            raise hint(f"{where}: {message}.")
    return correct(f"your conv2d matches F.conv2d on all {len(CONV2D_CASES)} cases: batches, several input and "
                   "output channels, bias, stride and padding.")


# ex02-2: predict what the conv explorer shows for this setting, then set its sliders and look
CONV_PREDICTION = {"kernel_size": 5, "stride": 2, "padding": 2, "dilation": 2, "out_channels": 4}


def _explorer_image_size() -> tuple[int, int]:
    """(H, W) of the photo the conv explorer convolves (its default image)."""
    from ..data import sample_image
    from ..widgets.convolution import CONV_IMAGE_SIZE

    return tuple(sample_image(size=CONV_IMAGE_SIZE).shape[-2:])


def _as_size_pair(value, name: str) -> tuple[int, int]:
    """The student's (H_out, W_out) as two ints, or a hint naming the expected form."""
    from ._common import _as_items

    items = _as_items(value, f"{name} should be (H_out, W_out), two ints")
    if len(items) != 2:
        raise hint(f"{name} should be (H_out, W_out), two ints, got {value!r}")
    return tuple(_as_count(item, name) for item in items)


def check_conv_prediction(output_size, multiply_adds) -> str:
    """Exercise 02-2: predict the conv explorer's output size and multiply-adds for ``CONV_PREDICTION``.

    The right answer is what the explorer itself computes (``widgets.conv_numbers`` on the
    explorer's photo); every message ends by sending the student to the sliders.

    Args:
        output_size: the student's (H_out, W_out).
        multiply_adds: the student's count of multiply-adds of the whole layer.

    Returns:
        The confirmation, when right.

    Raises:
        WrongAnswer: with a hint naming the likely mistake.

    Example:
        >>> check_conv_prediction((14, 12), 16800)
        Correct! ...
        "..."
    """
    from ..receptive_field import conv_output_size
    from ..widgets.convolution import conv_numbers

    size = _explorer_image_size()
    k, s, p, d, c = (CONV_PREDICTION[key] for key in ("kernel_size", "stride", "padding", "dilation", "out_channels"))
    look = (f" Set the explorer's sliders (section 5) to kernel_size {k}, stride {s}, padding {p}, dilation {d}, "
            f"out_channels {c} and compare with its table.")
    answer = _as_size_pair(output_size, "output_size")
    numbers = conv_numbers(size, k, s, p, d, c)
    expected = numbers["output_size"]
    if answer != expected:
        if answer == expected[::-1]:
            message = "height and width are swapped: the photo is H × W = {} × {}, rows first".format(*size)
        elif answer == conv_output_size(size, k, s, p, 1):
            message = (f"dilation forgotten: with dilation {d} the window spans d·(k − 1) + 1 = {d * (k - 1) + 1} "
                       "pixels, not k")
        elif answer == conv_output_size(size, k, s, 0, d):
            message = f"missing padding: the padded input is H + 2·{p} pixels high"
        elif answer == conv_output_size(size, k, 1, p, d):
            message = f"stride ignored: divide by the stride {s} before adding 1"
        elif answer in (tuple(m - 1 for m in expected), tuple(m + 1 for m in expected)):
            message = ("off by one: H_out = ⌊(H + 2p − d(k − 1) − 1) / s⌋ + 1; check the − 1 inside, the + 1 "
                       "outside and the floor")
        else:
            message = "use H_out = ⌊(H + 2p − d(k − 1) − 1) / s⌋ + 1, and the same for W"
        raise hint(f"output_size: {message}.{look}")
    answer_ops = _as_count(multiply_adds, "multiply_adds")
    oh, ow = expected
    if answer_ops != numbers["multiply_adds"]:
        span = d * (k - 1) + 1
        if answer_ops == c * oh * ow * span * span:
            message = (f"dilation spreads the {k}·{k} taps over {span}·{span} pixels but adds none: each output "
                       f"still costs C_in·k·k = {k * k} multiply-adds")
        elif answer_ops == oh * ow * k * k:
            message = f"that is one kernel; the layer has out_channels = {c} of them, each making its own map"
        elif answer_ops in (numbers["parameters"], c * k * k):
            message = "that counts the weights; count one multiply-add per weight for every output value"
        else:
            message = "each output value costs C_in·k·k multiply-adds, and there are out_channels·H_out·W_out of them"
        raise hint(f"multiply_adds: {message}.{look}")
    return correct(f"the explorer shows ({c}, {oh}, {ow}) outputs and {numbers['multiply_adds']:,} "
                   f"multiply-adds.{look}")


COURSE_CONV1 = {"size": 28, "in_channels": 1, "out_channels": 16, "kernel_size": 5, "padding": 2}  # ex02-3


def check_locally_connected_parameters(parameters) -> str:
    """Exercise 02-3: parameters of the course model's conv1 without weight sharing (locally connected).

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
    shared = sum(q.numel() for q in nn.Conv2d(c_in, c_out, k, padding=p).parameters())  # a tiny real layer
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

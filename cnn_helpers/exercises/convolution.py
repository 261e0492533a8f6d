"""Checkers for notebook 02, convolution: conv2d from scratch, the explorer predicted, no weight sharing."""

from __future__ import annotations

from ..language import tr
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


def _case_name(what: str) -> str:
    """What a case of ``CONV2D_CASES`` adds, in the current language (the tuple keeps the English as data)."""
    return {
        "one channel, stride 1, no padding": tr("one channel, stride 1, no padding"),
        "a bias": tr("a bias"),
        "3 input and 3 output channels": tr("3 input and 3 output channels"),
        "a batch of 2, 2 input and 4 output channels": tr("a batch of 2, 2 input and 4 output channels"),
        "stride 2": tr("stride 2"),
        "padding 1": tr("padding 1"),
        "a 5 × 5 kernel, stride 2 and padding 2": tr("a 5 × 5 kernel, stride 2 and padding 2"),
        "a 2 × 2 kernel, stride 3 and padding 1": tr("a 2 × 2 kernel, stride 3 and padding 1"),
    }.get(what, what)


def _conv_shape_hint(shape, case, expected_shape) -> str | None:
    """The mistake a wrong output shape points to, or None."""
    from ..receptive_field import conv_output_size

    n, c_in, c_out, h, w, k, s, p = case[1:9]
    ho, wo = expected_shape[-2:]
    if len(shape) != 4:
        if len(shape) == 3 and tuple(shape) in ((c_out, ho, wo), (n * c_out, ho, wo)):
            return tr("keep the batch dimension: the output is (N, C_out, H_out, W_out), one feature map stack "
                      "per image")
        if len(shape) == 5:
            return tr("you kept one map per input channel: a kernel's dot product runs over the window in every "
                      "input channel at once, so sum over the input channels")
        return tr("the output should have 4 dimensions (N, C_out, H_out, W_out), got shape {shape}",
                  shape=tuple(shape))
    if tuple(shape[:2]) == (n, c_in) and c_in != c_out:
        return tr("the output has {c_in} channels, one per input channel; it needs one per kernel: "
                  "C_out = weight.shape[0] = {c_out}, each summing over all {c_in} input channels",
                  c_in=c_in, c_out=c_out)
    if tuple(shape[:2]) == (c_out, n) and n != c_out:
        return tr("batch and channels are swapped: the output is (N, C_out, H_out, W_out)")
    if tuple(shape[:2]) != (n, c_out):
        return tr("the output should start with (N, C_out) = {expected}, got {got}", expected=(n, c_out),
                  got=tuple(shape[:2]))
    size = tuple(shape[-2:])
    if size == (wo, ho):
        return tr("height and width are swapped: the output is (..., H_out, W_out), rows first")
    if s > 1 and size == conv_output_size((h, w), k, 1, p):
        return tr("stride ignored: with stride {s} the window jumps {s} pixels, so the output is "
                  "⌊(H + 2·padding − kernel_size) / stride⌋ + 1 = {rows} rows, not {got}", s=s, rows=ho, got=size[0])
    if p > 0 and size == conv_output_size((h, w), k, s, 0):
        return tr("missing padding: pad the input with {p} rows and columns of zeros on every side first "
                  "(F.pad(x, (p, p, p, p)) or a bigger torch.zeros), then slide the window over the padded input",
                  p=p)
    if p > 0 and size == tuple((m + p - k) // s + 1 for m in (h, w)):
        return tr("padding on one side only: add {p} zeros on both sides, top and bottom, left and right", p=p)
    if size in ((ho - 1, wo - 1), (ho + 1, wo + 1)):
        return tr("off by one in the output size: H_out = ⌊(H + 2·padding − kernel_size) / stride⌋ + 1; "
                  "the window's last position starts at H + 2·padding − kernel_size")
    return tr("the output should have shape {expected}, got {got}", expected=tuple(expected_shape), got=tuple(shape))


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
         tr("flipped kernel: you computed the mathematicians' convolution. PyTorch's conv2d (and this exercise) "
            "is cross-correlation: multiply window[a, b] by weight[a, b], without flipping the kernel")),
        (no_bias, tr("bias forgotten: add bias[o] to every value of output channel o")),
        (F.conv2d(x, weight, None, 1, p)[..., :ho, :wo] + bias[:, None, None],
         tr("stride ignored in the window's position: output (i, j) reads the window that starts at row "
            "i·stride, column j·stride (here stride {s}), not at (i, j)", s=s)),
    ]
    if c_in > 1:
        candidates += [
            (no_bias + c_in * bias[:, None, None],
             tr("the bias is added once per input channel; add it once per output value, after summing the "
                "channels")),
            (no_bias / c_in + bias[:, None, None],
             tr("channels averaged: a kernel's dot product sums over the input channels, it does not average "
                "them")),
            (F.conv2d(x[:, :1], weight[:, :1], bias, s, p),
             tr("only the first input channel is used: the dot product runs over all input channels, "
                "x[n, :, rows, cols] * weight[o] summed")),
        ]
        if weight.shape[0] == c_in:
            own = torch.eye(c_in, dtype=weight.dtype)[:, :, None, None]  # weight[o, c] kept only where c == o
            candidates.append((F.conv2d(x, weight * own, bias, s, p),
                               tr("output channel o used input channel o only: kernel o spans all input "
                                  "channels, so its dot product sums x[n, c] * weight[o, c] over every c")))
            candidates.append((F.conv2d(x, weight.transpose(0, 1), bias, s, p),
                               tr("channels summed on the wrong axis: weight is (C_out, C_in, kH, kW); kernel o "
                                  "is weight[o], whose axis 0 runs over the input channels")))
    if x.shape[0] > 1:
        candidates.append((expected[:1].expand_as(expected),
                           tr("every image of the batch got image 0's output: loop over the batch, x[n]")))
        candidates.append((no_bias.sum(dim=0, keepdim=True).expand_as(expected) + bias[:, None, None],
                           tr("the batch is summed: each image n has its own output, out[n]")))
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
        where = tr("x of shape {x}, weight {weight}, bias {bias}, stride {s}, padding {p} (the case with {what})",
                   x=tuple(x.shape), weight=tuple(weight.shape), bias=tuple(bias.shape), s=s, p=p,
                   what=_case_name(what))
        answer = _as_float_tensor(_call(conv2d, "conv2d", (x.clone(), weight.clone(), bias.clone(), s, p), where),
                                  "conv2d")
        x, weight, bias = x.double(), weight.double(), bias.double()
        expected = F.conv2d(x, weight, bias, s, p)  # (N, C_out, H_out, W_out)
        if answer.shape != expected.shape:
            raise hint(tr("{where}: {message}.", where=where,
                          message=_conv_shape_hint(answer.shape, case, expected.shape)))
        if not torch.isfinite(answer).all():
            index = tuple((~torch.isfinite(answer)).nonzero()[0].tolist())
            raise hint(tr("{where}: the output holds {value} at {index}; was that value ever written? Start "
                          "from torch.zeros, not torch.empty.", where=where, value=answer[index].item(),
                          index=index))
        if not torch.allclose(answer, expected, rtol=1e-4, atol=1e-4):
            message = _conv_value_hint(answer, x, weight, bias, s, p)
            if message is None:
                message = tr("{difference}. Output (n, o, i, j) is the sum of x_padded[n, :, i·stride : "
                             "i·stride + k, j·stride : j·stride + k] * weight[o], plus bias[o]",
                             difference=_first_difference(answer, expected))
            raise hint(tr("{where}: {message}.", where=where, message=message))
    return correct(tr("your conv2d matches F.conv2d on all {count} cases: batches, several input and "
                      "output channels, bias, stride and padding.", count=len(CONV2D_CASES)))


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

    items = _as_items(value, tr("{name} should be (H_out, W_out), two ints", name=name))
    if len(items) != 2:
        raise hint(tr("{name} should be (H_out, W_out), two ints, got {value!r}", name=name, value=value))
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
    # the sliders' own labels, in the current language
    look = tr(" Set the explorer's sliders (section 5) to {kernel_size} {k}, {stride} {s}, {padding} {p}, "
              "{dilation} {d}, {out_channels} {c} and compare with its table.", kernel_size=tr("kernel_size"),
              stride=tr("stride"), padding=tr("padding"), dilation=tr("dilation"), out_channels=tr("out_channels"),
              k=k, s=s, p=p, d=d, c=c)
    answer = _as_size_pair(output_size, "output_size")
    numbers = conv_numbers(size, k, s, p, d, c)
    expected = numbers["output_size"]
    if answer != expected:
        if answer == expected[::-1]:
            message = tr("height and width are swapped: the photo is H × W = {h} × {w}, rows first",
                         h=size[0], w=size[1])
        elif answer == conv_output_size(size, k, s, p, 1):
            message = tr("dilation forgotten: with dilation {d} the window spans d·(k − 1) + 1 = {span} pixels, "
                         "not k", d=d, span=d * (k - 1) + 1)
        elif answer == conv_output_size(size, k, s, 0, d):
            message = tr("missing padding: the padded input is H + 2·{p} pixels high", p=p)
        elif answer == conv_output_size(size, k, 1, p, d):
            message = tr("stride ignored: divide by the stride {s} before adding 1", s=s)
        elif answer in (tuple(m - 1 for m in expected), tuple(m + 1 for m in expected)):
            message = tr("off by one: H_out = ⌊(H + 2p − d(k − 1) − 1) / s⌋ + 1; check the − 1 inside, the + 1 "
                         "outside and the floor")
        else:
            message = tr("use H_out = ⌊(H + 2p − d(k − 1) − 1) / s⌋ + 1, and the same for W")
        raise hint(tr("output_size: {message}.{look}", message=message, look=look))
    answer_ops = _as_count(multiply_adds, "multiply_adds")
    oh, ow = expected
    if answer_ops != numbers["multiply_adds"]:
        span = d * (k - 1) + 1
        if answer_ops == c * oh * ow * span * span:
            message = tr("dilation spreads the {k}·{k} taps over {span}·{span} pixels but adds none: each output "
                         "still costs C_in·k·k = {taps} multiply-adds", k=k, span=span, taps=k * k)
        elif answer_ops == oh * ow * k * k:
            message = tr("that is one kernel; the layer has out_channels = {c} of them, each making its own map", c=c)
        elif answer_ops in (numbers["parameters"], c * k * k):
            message = tr("that counts the weights; count one multiply-add per weight for every output value")
        else:
            message = tr("each output value costs C_in·k·k multiply-adds, and there are out_channels·H_out·W_out "
                         "of them")
        raise hint(tr("multiply_adds: {message}.{look}", message=message, look=look))
    return correct(tr("the explorer shows ({c}, {oh}, {ow}) outputs and {multiply_adds:,} multiply-adds.{look}",
                      c=c, oh=oh, ow=ow, multiply_adds=numbers["multiply_adds"], look=look))


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
        return correct(tr("{positions} positions × {shared} parameters = {expected:,}, {times} times as many as "
                          "conv1 with sharing ({shared}).", positions=positions, shared=shared, expected=expected,
                          times=expected // shared))
    if answer == shared:
        raise hint(tr("{shared} is conv1 itself, with sharing; without it every one of the {positions} output "
                      "positions has its own kernels.", shared=shared, positions=positions))
    if answer == positions * c_out * c_in * k * k:
        raise hint(tr("you left out the biases: without sharing each position of each slice has its own bias."))
    if answer == positions * c_out * c_in * k * k + c_out:
        raise hint(tr("in this locally connected layer nothing is shared, the bias neither: one bias per "
                      "position of each slice."))
    if answer == conv_output_size(n, k, 1, 0) ** 2 * shared:
        raise hint(tr("padding {p} keeps the output {n} × {n}, so there are {positions} positions, not {valid}.",
                      p=p, n=n, positions=positions, valid=conv_output_size(n, k, 1, 0) ** 2))
    raise hint(tr("multiply the number of output positions ({n} × {n}) by the parameters one position needs "
                  "(16 kernels × (5·5 weights + 1 bias)).", n=n))

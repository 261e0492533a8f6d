"""Checkers for notebook 04, pooling: the explorer predicted, max pooling's forward and backward from scratch."""

from __future__ import annotations

from ..language import tr
from ._common import _as_count, _as_float_tensor, _as_items, _call, _first_difference, correct, hint

# ex04-1: predict what the pooling explorer shows for this setting, then set its controls and look
POOL_PREDICTION = {"feature": "photo: edges", "mode": "max", "kernel_size": 3, "stride": 2, "padding": 1}


def _prediction_map_size() -> tuple[int, int]:
    """(H, W) of the explorer's map named in ``POOL_PREDICTION``."""
    from ..widgets.pooling import default_feature_maps

    return tuple(default_feature_maps()[POOL_PREDICTION["feature"]].shape)


def check_pooling_prediction(output_size, max_windows) -> str:
    """Exercise 04-1: predict the pooling explorer's output size and overlap for ``POOL_PREDICTION``.

    The right answer is what the explorer itself computes (``widgets.pooling_numbers``);
    every message ends by sending the student to the explorer's controls.

    Args:
        output_size: the student's (H_out, W_out).
        max_windows: the most windows one input value falls in.

    Returns:
        The confirmation, when right.

    Raises:
        WrongAnswer: with a hint naming the likely mistake.

    Example:
        >>> check_pooling_prediction((20, 17), 4)
        Correct! ...
        "..."
    """
    from ..receptive_field import conv_output_size
    from ..widgets.pooling import pooling_numbers

    k, s, p = (POOL_PREDICTION[key] for key in ("kernel_size", "stride", "padding"))
    size = _prediction_map_size()
    feature, mode = POOL_PREDICTION["feature"], POOL_PREDICTION["mode"]
    # the explorer's own labels, in the current language (the keys are data, as in widgets.pooling)
    feature = {"photo: edges": tr("photo: edges")}.get(feature, feature)
    mode = {"max": tr("max"), "avg": tr("avg")}.get(mode, mode)
    look = tr(" In the explorer (section 6) pick the feature map '{feature}', {mode} pooling, {kernel_size} {k}, "
              "{stride} {s}, {padding} {p}, and read its numbers.", feature=feature, mode=mode,
              kernel_size=tr("kernel_size"), stride=tr("stride"), padding=tr("padding"), k=k, s=s, p=p)
    items = _as_items(output_size, tr("output_size should be (H_out, W_out), two ints"))
    if len(items) != 2:
        raise hint(tr("output_size should be (H_out, W_out), two ints, got {value!r}", value=output_size))
    answer = tuple(_as_count(item, "output_size") for item in items)
    numbers = pooling_numbers(size, k, s, p)
    expected = tuple(numbers["output_size"])
    if answer != expected:
        if answer == expected[::-1]:
            message = tr("height and width are swapped: the map is H × W = {h} × {w}, rows first",
                         h=size[0], w=size[1])
        elif answer == tuple(conv_output_size(size, k, k, p)):
            message = tr("the stride here is {s}, set explicitly; it defaults to kernel_size only when not given",
                         s=s)
        elif answer == tuple(conv_output_size(size, k, 1, p)):
            message = tr("stride ignored: divide by the stride {s} before adding 1", s=s)
        elif answer == tuple(conv_output_size(size, k, s, 0)):
            message = tr("missing padding: the padded map is H + 2·{p} high", p=p)
        elif answer in (tuple(m - 1 for m in expected), tuple(m + 1 for m in expected)):
            message = tr("off by one: H_out = ⌊(H + 2·padding − kernel_size) / stride⌋ + 1 (round down, then + 1)")
        else:
            message = tr("use H_out = ⌊(H + 2·padding − kernel_size) / stride⌋ + 1, and the same for W")
        raise hint(tr("output_size: {message}.{look}", message=message, look=look))
    windows = _as_count(max_windows, "max_windows")
    if windows != numbers["max_windows"]:
        per_side = -(-k // s)
        if windows == per_side:
            message = tr("that is along one direction; a value is in up to {per_side} windows along the rows "
                         "and {per_side} along the columns, so {per_side}·{per_side} in all", per_side=per_side)
        elif windows == 1:
            message = tr("stride {s} < kernel_size {k}: the windows overlap, so some values are in several", s=s, k=k)
        else:
            message = tr("along one direction a value is in up to ⌈k / s⌉ = ⌈{k} / {s}⌉ windows; square it", k=k, s=s)
        raise hint(tr("max_windows: {message}.{look}", message=message, look=look))
    return correct(tr("{h} × {w} → {oh} × {ow}, and overlapping windows (stride {s} < kernel_size {k}): a value "
                      "is in up to {windows} of them.{look}", h=size[0], w=size[1], oh=expected[0], ow=expected[1],
                      s=s, k=k, windows=windows, look=look))


# ex04-2: the forward cases, each adding one thing: (what it adds, shape (N, C, H, W), kernel, stride, padding)
MAX_POOL_CASES = (
    ("one 4 × 4 map, 2 × 2 windows", (1, 1, 4, 4), 2, 2, 0),
    ("a batch of 2 with 3 channels", (2, 3, 6, 8), 2, 2, 0),
    ("3 × 3 windows with stride 2 (overlapping)", (2, 2, 7, 9), 3, 2, 0),
    ("stride 3 larger than the 2 × 2 window", (1, 2, 8, 7), 2, 3, 0),
    ("padding 1, all values negative", (2, 2, 6, 7), 3, 2, 1),
    ("a 4 × 4 window, stride 1, padding 2", (1, 2, 6, 5), 4, 1, 2),
)


def _case_name(what: str) -> str:
    """What a case of ``MAX_POOL_CASES`` or ``MAX_POOL_BACKWARD_CASES`` adds, in the current language."""
    return {
        "one 4 × 4 map, 2 × 2 windows": tr("one 4 × 4 map, 2 × 2 windows"),
        "a batch of 2 with 3 channels": tr("a batch of 2 with 3 channels"),
        "3 × 3 windows with stride 2 (overlapping)": tr("3 × 3 windows with stride 2 (overlapping)"),
        "stride 3 larger than the 2 × 2 window": tr("stride 3 larger than the 2 × 2 window"),
        "padding 1, all values negative": tr("padding 1, all values negative"),
        "a 4 × 4 window, stride 1, padding 2": tr("a 4 × 4 window, stride 1, padding 2"),
        "a batch of 2 with 3 channels, a 3 × 3 window": tr("a batch of 2 with 3 channels, a 3 × 3 window"),
        "2 × 2 windows with stride 1 (each value in up to 4 windows)":
            tr("2 × 2 windows with stride 1 (each value in up to 4 windows)"),
        "ties: several equal largest values in a window": tr("ties: several equal largest values in a window"),
    }.get(what, what)


def _pool_shape_hint(shape, x_shape, k, s, p, expected_shape) -> str:
    from ..receptive_field import conv_output_size

    n, c, h, w = x_shape
    size = tuple(shape[-2:])
    if len(shape) != 4:
        return tr("the output should be (N, C, H_out, W_out) = {expected}, got shape {got}",
                  expected=tuple(expected_shape), got=tuple(shape))
    if tuple(shape[:2]) != (n, c):
        return tr("pooling keeps the batch and every channel, each pooled on its own: the output starts with "
                  "(N, C) = {expected}, got {got}", expected=(n, c), got=tuple(shape[:2]))
    if size == tuple(expected_shape[-2:])[::-1] and size != tuple(expected_shape[-2:]):
        return tr("height and width are swapped: the output is (..., H_out, W_out), rows first")
    if p > 0 and size == tuple(conv_output_size((h, w), k, s, 0)):
        return tr("missing padding: pad the map with {p} rows and columns on every side first", p=p)
    if s != k and size == tuple(conv_output_size((h, w), k, k, p)):
        return tr("you used stride = kernel_size; this call asks for stride {s}", s=s)
    if s > 1 and size == tuple(conv_output_size((h, w), k, 1, p)):
        return tr("stride ignored: with stride {s} the window jumps {s} pixels", s=s)
    ho, wo = expected_shape[-2:]
    if size in ((ho - 1, wo - 1), (ho + 1, wo + 1)):
        return tr("off by one in the output size: H_out = ⌊(H + 2·padding − kernel_size) / stride⌋ + 1")
    return tr("the output should have shape {expected}, got {got}", expected=tuple(expected_shape), got=tuple(shape))


def _pool_value_hint(answer, x, k, s, p) -> str | None:
    import torch
    import torch.nn.functional as F

    expected = F.max_pool2d(x, k, s, p)
    ho, wo = expected.shape[-2:]
    candidates = [
        (F.avg_pool2d(x, k, s, p),
         tr("that is average pooling; max pooling keeps the largest value of each window")),
        (F.avg_pool2d(x, k, s, p) * k * k,
         tr("that is sum pooling; max pooling keeps the largest value of each window")),
        (-F.max_pool2d(-x, k, s, p),
         tr("you took the smallest value of each window; max pooling keeps the largest")),
        (F.max_pool2d(x, k, 1, p)[..., :ho, :wo],
         tr("stride ignored in the window's position: output (i, j) reads the window starting at row i·stride, "
            "column j·stride (stride {s})", s=s)),
        (expected.transpose(-2, -1) if ho == wo else expected + 1,
         tr("height and width are swapped: output (i, j) is row i, column j of the pooled map")),
        (expected.amax(dim=1, keepdim=True).expand_as(expected),
         tr("channels mixed: pool every channel on its own, the max runs over a window of one channel")),
    ]
    if p:
        candidates.insert(0, (F.max_pool2d(F.pad(x, (p, p, p, p)), k, s, 0),
                              tr("zero padding: max pooling pads with −∞ (PyTorch ignores the padding), not 0; "
                                 "with all values negative a 0 from the padding wins. Pad with float('-inf') or "
                                 "skip positions outside the map")))
    for candidate, message in candidates:
        if torch.allclose(answer, candidate, rtol=1e-5, atol=1e-6):
            return message
    return None


def check_max_pool_forward(max_pool2d) -> str:
    """Exercise 04-2: ``max_pool2d(x, kernel_size, stride, padding)`` from scratch, against ``F.max_pool2d``.

    Runs the student's function on the seeded random cases of ``MAX_POOL_CASES``, each adding one
    thing (a batch, channels, overlap, stride, padding), and explains the first difference.

    Args:
        max_pool2d: the student's function; ``x`` (N, C, H, W), three ints; returns (N, C, H_out, W_out).

    Returns:
        The confirmation, when right.

    Raises:
        WrongAnswer: with a hint naming the first mistake found.
        NotImplementedError: the student's own, from the unfilled stub.

    Example:
        >>> import torch.nn.functional as F
        >>> check_max_pool_forward(lambda x, kernel_size, stride, padding: F.max_pool2d(x, kernel_size, stride,
        ...                                                                             padding))
        Correct! ...
        '...'
    """
    import torch
    import torch.nn.functional as F

    generator = torch.Generator().manual_seed(4)
    for what, shape, k, s, p in MAX_POOL_CASES:
        x = torch.randn(*shape, generator=generator)  # (N, C, H, W), distinct values: no ties
        if p:
            x = -x.abs() - 0.1  # all negative: a zero from the padding would win
        where = tr("x of shape {shape}, kernel_size {k}, stride {s}, padding {p} (the case with {what})",
                   shape=tuple(shape), k=k, s=s, p=p, what=_case_name(what))
        answer = _as_float_tensor(_call(max_pool2d, "max_pool2d", (x.clone(), k, s, p), where), "max_pool2d")
        x = x.double()
        expected = F.max_pool2d(x, k, s, p)  # (N, C, H_out, W_out)
        if answer.shape != expected.shape:
            raise hint(tr("{where}: {message}.", where=where,
                          message=_pool_shape_hint(answer.shape, shape, k, s, p, expected.shape)))
        if not torch.isfinite(answer).all():
            index = tuple((~torch.isfinite(answer)).nonzero()[0].tolist())
            raise hint(tr("{where}: the output holds {value} at {index}: a window of padding only, or a value "
                          "never written (start from torch.zeros, not torch.empty)?", where=where,
                          value=answer[index].item(), index=index))
        if not torch.allclose(answer, expected, rtol=1e-5, atol=1e-6):
            message = _pool_value_hint(answer, x, k, s, p) or tr(
                "{difference}. Output (n, c, i, j) is the largest value of "
                "x_padded[n, c, i·stride : i·stride + k, j·stride : j·stride + k]",
                difference=_first_difference(answer, expected, atol=1e-6))
            raise hint(tr("{where}: {message}.", where=where, message=message))
    return correct(tr("your max_pool2d matches F.max_pool2d on all {count} cases, padding and "
                      "overlapping windows included.", count=len(MAX_POOL_CASES)))


# ex04-3: the backward cases: (what it adds, shape (N, C, H, W), kernel, stride, values: "distinct" or "ties")
MAX_POOL_BACKWARD_CASES = (
    ("one 4 × 4 map, 2 × 2 windows", (1, 1, 4, 4), 2, 2, "distinct"),
    ("a batch of 2 with 3 channels, a 3 × 3 window", (2, 3, 6, 7), 3, 3, "distinct"),
    ("3 × 3 windows with stride 2 (overlapping)", (2, 2, 7, 7), 3, 2, "distinct"),
    ("2 × 2 windows with stride 1 (each value in up to 4 windows)", (1, 2, 5, 6), 2, 1, "distinct"),
    ("ties: several equal largest values in a window", (2, 2, 6, 6), 2, 2, "ties"),
)


def _loop_backward(x, grad_output, k, s, rule: str):
    """The gradient as a typical mistake routes it, window by window (x, grad_output float64 tensors)."""
    import torch

    grad = torch.zeros_like(x)
    n, c = x.shape[:2]
    for b in range(n):
        for ch in range(c):
            for i in range(grad_output.shape[2]):
                for j in range(grad_output.shape[3]):
                    window = x[b, ch, i * s:i * s + k, j * s:j * s + k]
                    g = grad_output[b, ch, i, j]
                    target = grad[b, ch, i * s:i * s + k, j * s:j * s + k]
                    top = window == window.max()
                    if rule == "assigned":  # = instead of +=: a later window overwrites an earlier one
                        flat = int(window.flatten().argmax())
                        target[flat // k, flat % k] = g
                    elif rule == "all ties":
                        target += top * g
                    elif rule == "ties split":
                        target += top * g / top.sum()
                    elif rule == "last tie":
                        flat = int(top.flatten().nonzero()[-1])
                        target[flat // k, flat % k] += g
    return grad


def _backward_hint(answer, x, grad_output, k, s) -> str | None:
    import torch
    import torch.nn.functional as F

    def through(pool, upstream):
        leaf = x.clone().requires_grad_(True)
        pool(leaf).backward(upstream)
        return leaf.grad

    ones = torch.ones_like(grad_output)
    candidates = [
        (through(lambda t: F.avg_pool2d(t, k, s) * k * k, grad_output),
         tr("gradient sent to every element of the window; only the largest value (the argmax) gets it, the "
            "others did not change the output")),
        (through(lambda t: F.avg_pool2d(t, k, s), grad_output),
         tr("gradient averaged over the window: that is average pooling's gradient; max pooling sends all of it "
            "to the argmax")),
        (through(lambda t: -F.max_pool2d(-t, k, s), grad_output),
         tr("gradient sent to the smallest value; it goes to the largest (the argmax)")),
        (through(lambda t: F.max_pool2d(t, k, s), ones),
         tr("grad_output ignored: the argmax gets grad_output[n, c, i, j], the gradient of that output, not 1")),
        (_loop_backward(x, grad_output, k, s, "assigned"),
         tr("overlapping windows: a value that is the max of several windows gets the sum of their gradients; "
            "use += , not =")),
        (_loop_backward(x, grad_output, k, s, "all ties"),
         tr("ties: where several values share the max, PyTorch sends the gradient to the first of them only "
            "(reading the window row by row), not to each")),
        (_loop_backward(x, grad_output, k, s, "ties split"),
         tr("ties: PyTorch does not split the gradient between equal maxima; the first of them (row by row) gets "
            "all of it")),
        (_loop_backward(x, grad_output, k, s, "last tie"),
         tr("ties: the gradient goes to the first of the equal maxima (reading the window row by row), not the "
            "last")),
    ]
    for candidate, message in candidates:
        if torch.allclose(answer, candidate, rtol=1e-5, atol=1e-6):
            return message
    return None


def check_max_pool_backward(max_pool2d_backward) -> str:
    """Exercise 04-3: ``max_pool2d_backward(x, grad_output, kernel_size, stride)`` against autograd.

    The expected gradient is what autograd computes through ``F.max_pool2d`` (no padding) for
    the upstream gradient ``grad_output``. Runs the seeded cases of ``MAX_POOL_BACKWARD_CASES``
    (overlapping windows and ties included) and explains the first difference.

    Args:
        max_pool2d_backward: the student's function; returns the gradient with x's shape.

    Returns:
        The confirmation, when right.

    Raises:
        WrongAnswer: with a hint naming the first mistake found.
        NotImplementedError: the student's own, from the unfilled stub.

    Example:
        >>> import torch
        >>> import torch.nn.functional as F
        >>> def backward(x, grad_output, kernel_size, stride):
        ...     x = x.clone().requires_grad_(True)
        ...     F.max_pool2d(x, kernel_size, stride).backward(grad_output)
        ...     return x.grad
        >>> check_max_pool_backward(backward)
        Correct! ...
        "..."
    """
    import torch
    import torch.nn.functional as F

    generator = torch.Generator().manual_seed(5)
    for what, shape, k, s, values in MAX_POOL_BACKWARD_CASES:
        if values == "ties":
            x = torch.randint(0, 3, shape, generator=generator).float()  # few values: many ties
        else:
            x = torch.randn(*shape, generator=generator)
        leaf = x.double().requires_grad_(True)
        out = F.max_pool2d(leaf, k, s)  # (N, C, H_out, W_out)
        grad_output = torch.randn(out.shape, generator=generator, dtype=torch.float64)
        out.backward(grad_output)
        expected = leaf.grad  # autograd's answer
        where = tr("x of shape {shape}, grad_output {grad_shape}, kernel_size {k}, stride {s} (the case with {what})",
                   shape=tuple(shape), grad_shape=tuple(out.shape), k=k, s=s, what=_case_name(what))
        args = (x.clone(), grad_output.float(), k, s)
        answer = _as_float_tensor(_call(max_pool2d_backward, "max_pool2d_backward", args, where),
                                  "max_pool2d_backward")
        if answer.shape != expected.shape:
            if answer.shape == out.shape:
                raise hint(tr("{where}: the gradient should have x's shape {shape}, got {got} (that is "
                              "grad_output's shape; the gradient has one value per input value).", where=where,
                              shape=tuple(shape), got=tuple(answer.shape)))
            raise hint(tr("{where}: the gradient should have x's shape {shape}, got {got}.", where=where,
                          shape=tuple(shape), got=tuple(answer.shape)))
        if not torch.isfinite(answer).all():
            index = tuple((~torch.isfinite(answer)).nonzero()[0].tolist())
            raise hint(tr("{where}: the gradient holds {value} at {index}; start from torch.zeros_like(x).",
                          where=where, value=answer[index].item(), index=index))
        if not torch.allclose(answer, expected, rtol=1e-5, atol=1e-6):
            message = _backward_hint(answer, leaf.detach(), grad_output, k, s) or tr(
                "{difference}. Each output (n, c, i, j) adds grad_output[n, c, i, j] to the position of its "
                "window's largest value (the first one, row by row, if tied)",
                difference=_first_difference(answer, expected, atol=1e-6))
            raise hint(tr("{where}: {message}.", where=where, message=message))
    return correct(tr("your max_pool2d_backward matches autograd on all {count} cases: each window's gradient "
                      "goes to its argmax, overlapping windows add up, ties go to the first.",
                      count=len(MAX_POOL_BACKWARD_CASES)))

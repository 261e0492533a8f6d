"""Checkers for notebook 03, receptive field: a receptive-field function, the explorer predicted, 7×7 vs three 3×3."""

from __future__ import annotations

import functools

from ..language import tr
from ._common import _as_items, _call, correct, hint

# ex03-1: the first stacks, each adding one thing (as (kernel_size, stride, padding) per layer);
# then RF_RANDOM_STACKS random ones. Every prefix of a stack is a case of its own.
RF_STACKS = (
    ((3, 1, 0), (3, 1, 0), (3, 1, 0)),  # growth: + (k − 1) per layer
    ((3, 2, 0), (3, 1, 0), (5, 1, 0)),  # a stride multiplies the growth of every later layer
    ((3, 1, 1), (5, 1, 2)),  # padding moves the region
    ((3, 2, 1), (3, 2, 1), (3, 1, 1)),  # padding after a stride counts in input pixels
    ((2, 2, 0), (5, 3, 2), (1, 1, 0), (4, 2, 1)),  # even and 1 × 1 kernels, stride 3
)
RF_RANDOM_STACKS = 6


def _random_stacks() -> tuple:
    """RF_RANDOM_STACKS seeded random stacks of 1-4 layers: kernel 1-7, stride 1-3, padding 0 … k // 2."""
    import random

    generator = random.Random(3)
    stacks = []
    for _ in range(RF_RANDOM_STACKS):
        layers = []
        for _ in range(generator.randint(1, 4)):
            k = generator.randint(1, 7)
            layers.append((k, generator.randint(1, 3), generator.randint(0, k // 2)))
        stacks.append(tuple(layers))
    return tuple(stacks)


@functools.lru_cache(maxsize=32)
def _package_rows(stack: tuple) -> tuple:
    """(rf_size, effective_stride, effective_padding) after each layer of ``stack``, from ``receptive_field``."""
    from torch import nn

    from ..receptive_field import receptive_field

    model = nn.Sequential(*[nn.Conv2d(1, 1, k, s, p) for k, s, p in stack])
    size = 1
    for k, s, _ in reversed(stack):  # the smallest input with an output even without padding: keeps it fast
        size = (size - 1) * s + k
    table = receptive_field(model, (1, size, size))
    return tuple((row.rf_size[0], row.effective_stride[0], row.effective_padding[0]) for row in table)


def _mistaken(layers, mistake: str) -> tuple:
    """(rf_size, effective_stride, effective_padding) as a typical mistake computes it."""
    r, j, p_eff = 1, 1, 0
    for k, s, p in layers:
        if mistake == "kernel sizes added":
            r = r + k if r > 1 else k
        elif mistake == "stride ignored":
            r = r + (k - 1)
        elif mistake == "jump updated first":
            r = r + (k - 1) * j * s
        else:
            r = r + (k - 1) * j
        p_eff = {"padding ignored": 0, "padding not scaled": p_eff + p,
                 "padding after jump": p_eff + p * j * s}.get(mistake, p_eff + p * j)
        j = j + s - 1 if mistake == "strides added" else j * s
    return r, j, p_eff


def _rf_mistakes() -> tuple:
    """(name of a typical mistake in _mistaken, which value it breaks, the hint in the current language)."""
    return (
        ("kernel sizes added", 0, tr("you added the kernel sizes. Neighbouring windows overlap: a layer adds only "
                                     "(k − 1)·j_{{l−1}} pixels, r_l = r_{{l−1}} + (k_l − 1)·j_{{l−1}}")),
        ("stride ignored", 0, tr("stride ignored: after a layer with stride s neighbouring units are s pixels "
                                 "apart, so every later layer adds (k − 1)·j_{{l−1}}, with j the product of the "
                                 "strides so far")),
        ("jump updated first", 0, tr("you updated the effective stride before using it: layer l grows by "
                                     "(k_l − 1)·j_{{l−1}}, the jump of the layers *below* it, so update j after r")),
        ("strides added", 1, tr("the effective stride is the product of the strides, j_l = j_{{l−1}}·s_l, not "
                                "their sum")),
        ("padding ignored", 2, tr("effective padding ignored: padding moves the region, "
                                  "P_l = P_{{l−1}} + p_l·j_{{l−1}}")),
        ("padding not scaled", 2, tr("padding is counted in the layer's own input units: multiply it by the jump "
                                     "below it, P_l = P_{{l−1}} + p_l·j_{{l−1}}")),
        ("padding after jump", 2, tr("multiply the padding by the jump of the layers below, j_{{l−1}}, not j_l")),
    )


RF_NAMES = ("rf_size", "effective_stride", "effective_padding")


def _as_rf_triple(value, where: str) -> tuple:
    """The student's (rf_size, effective_stride, effective_padding) as three ints, or a hint on its form."""
    from numbers import Integral

    if value is None:
        raise hint(tr("receptive_field_of returned None for {where}: did you forget the `return`?", where=where))
    items = _as_items(value, tr("receptive_field_of should return (rf_size, effective_stride, effective_padding), "
                                "three ints (for {where})", where=where))
    if len(items) != 3:
        raise hint(tr("receptive_field_of should return (rf_size, effective_stride, effective_padding), three ints, "
                      "got {value!r} for {where}", value=value, where=where))
    if any(isinstance(item, (tuple, list)) for item in items):
        raise hint(tr("receptive_field_of should return (rf_size, effective_stride, effective_padding), three ints: "
                      "one int each (the region is square), got {value!r} for {where}", value=value, where=where))
    if any(isinstance(item, float) and item.is_integer() for item in items):
        items = [int(item) if isinstance(item, float) and item.is_integer() else item for item in items]
    if any(isinstance(item, bool) or not isinstance(item, Integral) for item in items):
        raise hint(tr("receptive_field_of should return (rf_size, effective_stride, effective_padding), three ints, "
                      "got {value!r} for {where}", value=value, where=where))
    return tuple(int(item) for item in items)


def check_receptive_field_function(receptive_field_of) -> str:
    """Exercise 03-1: ``receptive_field_of(layers)`` against the package's ``receptive_field`` on random stacks.

    ``layers`` is a list of (kernel_size, stride, padding), from the input up; the function
    returns (rf_size, effective_stride, effective_padding) of a unit of the last layer. It runs on
    every prefix of ``RF_STACKS`` (each adds one idea) and of seeded random stacks; the first wrong
    value is explained, naming the typical mistake it matches.

    Args:
        receptive_field_of: the student's function.

    Returns:
        The confirmation, when right.

    Raises:
        WrongAnswer: with a hint naming the first mistake found.
        NotImplementedError: the student's own, from the unfilled stub.

    Example:
        >>> def receptive_field_of(layers):
        ...     r, j, p_eff = 1, 1, 0
        ...     for k, s, p in layers:
        ...         r, p_eff, j = r + (k - 1) * j, p_eff + p * j, j * s
        ...     return r, j, p_eff
        >>> check_receptive_field_function(receptive_field_of)
        Correct! ...
        "..."
    """
    cases = 0
    for stack in RF_STACKS + _random_stacks():
        for depth, expected in enumerate(_package_rows(stack), start=1):
            layers = [tuple(layer) for layer in stack[:depth]]
            where = f"layers = {layers}"  # code: the same in every language
            answer = _as_rf_triple(_call(receptive_field_of, "receptive_field_of", ([*layers],), where), where)
            cases += 1
            if answer == expected:
                continue
            wrong = next(i for i in range(3) if answer[i] != expected[i])
            message = next((text for name, broken, text in _rf_mistakes()
                            if broken == wrong and _mistaken(layers, name)[wrong] == answer[wrong]), None)
            if message is None and wrong == 0 and abs(answer[0] - expected[0]) == 1:
                message = tr("off by one: start from r_0 = 1 (one input pixel), not 0")
            if message is None:
                message = tr("go up from r_0 = 1, j_0 = 1, P_0 = 0: r_l = r_{{l−1}} + (k_l − 1)·j_{{l−1}}, "
                             "P_l = P_{{l−1}} + p_l·j_{{l−1}}, j_l = j_{{l−1}}·s_l")
            raise hint(tr("for {where}: {name} should be {expected}, got {got}; {message}.", where=where,
                          name=RF_NAMES[wrong], expected=expected[wrong], got=answer[wrong], message=message))
    return correct(tr("your receptive_field_of agrees with the package's receptive_field on {cases} stacks.",
                      cases=cases))


# ex03-2: predict the region the RF explorer draws for this setting, then set its controls and look
RF_PREDICTION = {"kernels": (5, 3, 3), "strides": (1, 2, 1), "padding": "half", "image": "digit", "unit": (3, 0)}


def _predicted_row():
    """The last row of the table the RF explorer computes for ``RF_PREDICTION`` (on the 28 × 28 digit)."""
    from ..widgets.receptive_field import rf_stack_table

    layers = tuple(zip(RF_PREDICTION["kernels"], RF_PREDICTION["strides"], strict=True))
    return rf_stack_table("custom stack", layers, RF_PREDICTION["padding"], (28, 28))[-1]


def _as_region(value):
    """The student's region as ((top, bottom), (left, right)) of ints, or a hint on its shape."""
    from numbers import Integral

    shape_hint = tr("`region` should be ((top, bottom), (left, right)): two pairs of ints, rows first, got {value!r}",
                    value=value)
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        raise hint(shape_hint)
    if not all(isinstance(p, (tuple, list)) and len(p) == 2 for p in value):
        raise hint(shape_hint)
    numbers = [v for p in value for v in p]
    if any(isinstance(v, bool) or not isinstance(v, Integral) for v in numbers):
        raise hint(shape_hint)
    return ((int(value[0][0]), int(value[0][1])), (int(value[1][0]), int(value[1][1])))


def check_rf_prediction(region) -> str:
    """Exercise 03-2: predict the region the RF explorer draws for ``RF_PREDICTION``.

    The right answer is the region of the explorer's own table (``widgets.rf_stack_table``);
    every message ends by sending the student to the explorer's controls.

    Args:
        region: the student's ``((top, bottom), (left, right))``, inclusive, not clipped to the image.

    Returns:
        The confirmation, when right.

    Raises:
        WrongAnswer: with a hint naming the likely mistake.

    Example:
        >>> check_rf_prediction(((1, 11), (-5, 5)))
        Correct! ...
        '...'
    """
    kernels, strides, unit = RF_PREDICTION["kernels"], RF_PREDICTION["strides"], RF_PREDICTION["unit"]
    # the explorer's own labels, in the current language
    sliders = "".join(tr(", {kernel} = {k}, {stride} = {s}", kernel=tr("kernel {n}", n=n), stride=tr("stride {n}", n=n),
                         k=k, s=s) for n, (k, s) in enumerate(zip(kernels, strides, strict=True), start=1))
    look = tr(" In the explorer (section 7) choose the {stack}, {layers} {count}, {padding} k // 2{sliders}, "
              "{unit_row} {row}, {unit_column} {column}, and look at the drawn region and the table.",
              stack=tr("custom stack"), layers=tr("layers"), count=len(kernels), padding=tr("padding"),
              sliders=sliders, unit_row=tr("unit row"), row=unit[0], unit_column=tr("unit column"), column=unit[1])
    answer = _as_region(region)
    row = _predicted_row()
    expected = row.region(*unit)
    (top, bottom), (left, right) = expected
    rf, jump, pad = row.rf_size[0], row.effective_stride[0], row.effective_padding[0]
    if answer == expected:
        return correct(tr("rf_size {rf}, effective stride {jump}, effective padding {pad}: rows "
                          "{row}·{jump} − {pad} = {top} … {bottom}, columns {left} … {right} "
                          "(below 0: padding).{look}", rf=rf, jump=jump, pad=pad, row=unit[0], top=top,
                          bottom=bottom, left=left, right=right, look=look))
    layers = list(zip(kernels, strides, (k // 2 for k in kernels), strict=True))
    _, _, unscaled = _mistaken(layers, "padding not scaled")

    def shifted(padding_used):
        return tuple((i * jump - padding_used, i * jump - padding_used + rf - 1) for i in unit)

    if answer == (expected[1], expected[0]):
        message = tr("rows and columns are swapped: unit {unit} is row {row}, column {column}; give rows first",
                     unit=unit, row=unit[0], column=unit[1])
    elif answer == shifted(0):
        message = tr("effective padding forgotten: with padding k // 2 the region starts at "
                     "i·effective_stride − effective_padding, P = {pad} here", pad=pad)
    elif answer == shifted(unscaled):
        message = tr("the padding of a layer above a stride counts in that layer's input units: "
                     "P_l = P_{{l−1}} + p_l·j_{{l−1}} = {pad}, not {unscaled}", pad=pad, unscaled=unscaled)
    elif answer == ((top, bottom + 1), (left, right + 1)):
        message = tr("the region is inclusive: it ends at start + rf_size − 1 = start + {last}", last=rf - 1)
    elif answer == ((max(top, 0), min(bottom, 27)), (max(left, 0), min(right, 27))):
        message = tr("do not clip to the image: give the region the formula gives, padding included")
    elif answer[0][1] - answer[0][0] + 1 != rf:
        message = tr("the region should be rf_size = {rf} rows high; r_l = r_{{l−1}} + (k_l − 1)·j_{{l−1}}", rf=rf)
    else:
        message = tr("the size is right (rf_size {rf}) but not the start: unit (i, j) starts at row "
                     "i·effective_stride − effective_padding, with effective stride {jump} = 1·2·1", rf=rf, jump=jump)
    raise hint(tr("{message}.{look}", message=message, look=look))


FACTORISED_CHANNELS = 64  # ex03-3: in and out channels of the 7x7 conv and of each 3x3 conv


def check_factorised_weights(weights_7x7, weights_three_3x3) -> str:
    """Exercise 03-3: weights of one 7×7 conv vs three 3×3 convs, 64 → 64 channels, no bias.

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
            raise hint(tr("`{name}` should be an int (a number of weights), got {value!r} of type {kind}",
                          name=name, value=value, kind=type(value).__name__))
    c = FACTORISED_CHANNELS
    big = nn.Conv2d(c, c, 7, bias=False).weight.numel()
    one_small = nn.Conv2d(c, c, 3, bias=False).weight.numel()
    small = 3 * one_small
    if (weights_7x7, weights_three_3x3) == (big, small):
        return correct(tr("49·{c}·{c} = {big:,} vs 3·9·{c}·{c} = {small:,}: the three 3×3 layers use "
                          "{percent}% fewer weights.", c=c, big=big, small=small,
                          percent=round(100 * (1 - small / big))))
    if weights_7x7 == big + c or weights_three_3x3 == small + 3 * c:
        raise hint(tr("Count weights only: these layers have bias=False, so there is no bias per output channel."))
    if weights_three_3x3 in (one_small, 2 * one_small):
        raise hint(tr("Three 3×3 layers are needed for a 7×7 receptive field (1 + 2 + 2 + 2 = 7); "
                      "count the weights of all three."))
    if weights_7x7 in (49, 49 * c) or weights_three_3x3 in (27, 27 * c):
        raise hint(tr("A conv layer has one k×k kernel per (input channel, output channel) pair: "
                      "C_out·C_in·k·k with C_in = C_out = {c}.", c=c))
    if weights_7x7 != big:
        raise hint(tr("weights_7x7 is not right: Conv2d({c}, {c}, 7) has C_out·C_in·7·7 weights.", c=c))
    raise hint(tr("weights_three_3x3 is not right: each Conv2d({c}, {c}, 3) has C_out·C_in·3·3 weights, "
                  "and there are three.", c=c))

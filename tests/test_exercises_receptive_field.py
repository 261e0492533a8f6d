"""Notebook 03's checkers: a receptive-field function, the explorer predicted, 7×7 vs three 3×3.

Each typical mistake is a deliberately wrong implementation (or answer) whose hint is pinned.
"""

import time

import numpy as np
import pytest
import torch
from torch import nn

from cnn_helpers.exercises import (
    RF_PREDICTION,
    RF_STACKS,
    WrongAnswer,
    check_factorised_weights,
    check_receptive_field_function,
    check_rf_prediction,
)
from cnn_helpers.receptive_field import receptive_field
from cnn_helpers.widgets import render_rf


def rf_with(mistake=None):
    """A receptive-field function as a student writes it, with a switch for each typical mistake."""
    def receptive_field_of(layers):
        r, j, p_eff = (0 if mistake == "start at 0" else 1), 1, 0
        for k, s, p in layers:
            if mistake == "kernel sizes added":
                r = k if r == 1 else r + k
            elif mistake == "stride ignored":
                r += k - 1
            elif mistake == "jump updated first":
                j *= s
                r += (k - 1) * j
            else:
                r += (k - 1) * j
            if mistake == "padding not scaled":
                p_eff += p
            elif mistake == "padding after jump":
                p_eff += p * j * s
            elif mistake != "padding ignored":
                p_eff += p * j
            if mistake == "strides added":
                j += s - 1
            elif mistake != "jump updated first":
                j *= s
        return r, j, p_eff
    return receptive_field_of


def test_the_forward_formulas_pass(capsys):
    assert check_receptive_field_function(rf_with()).startswith("Correct!")


def test_numpy_ints_a_list_and_whole_floats_count_as_ints(capsys):
    right = rf_with()
    assert check_receptive_field_function(lambda layers: [np.int64(v) for v in right(layers)]).startswith("Correct!")
    assert check_receptive_field_function(lambda layers: tuple(float(v) for v in right(layers))).startswith("Correct")


def test_the_stacks_are_checked_against_the_package():
    for stack in RF_STACKS:
        table = receptive_field(nn.Sequential(*[nn.Conv2d(1, 1, k, s, p) for k, s, p in stack]), (1, 200, 200))
        assert (table[-1].rf_size[0], table[-1].effective_stride[0], table[-1].effective_padding[0]) == \
            rf_with()(list(stack))


MISTAKES = {
    "kernel sizes added": (rf_with("kernel sizes added"), r"layers = \[\(3, 1, 0\), \(3, 1, 0\)\]: rf_size should "
                                                          r"be 5, got 6; you added the kernel sizes"),
    "start at 0": (rf_with("start at 0"), r"layers = \[\(3, 1, 0\)\]: rf_size should be 3, got 2; off by one"),
    "stride ignored": (rf_with("stride ignored"), r"rf_size should be 7, got 5; stride ignored"),
    "jump updated first": (rf_with("jump updated first"), r"rf_size should be 3, got 5; you updated the effective "
                                                          r"stride before using it"),
    "strides added": (rf_with("strides added"), r"effective_stride should be 4, got 3; .*product of the strides"),
    "padding ignored": (rf_with("padding ignored"), r"effective_padding should be 1, got 0; effective padding ignored"),
    "padding not scaled": (rf_with("padding not scaled"), r"layers = \[\(3, 2, 1\), \(3, 2, 1\)\]: effective_padding "
                                                          r"should be 3, got 2; .*multiply it by the jump below"),
    "padding after jump": (rf_with("padding after jump"), r"effective_padding should be 1, got 2; multiply the "
                                                          r"padding by the jump of the layers below"),
    "returns the size only": (lambda layers: 3, r"should return \(rf_size, effective_stride, effective_padding\), "
                                                r"three ints .*got 3"),
    "returns pairs": (lambda layers: ((3, 3), (1, 1), (0, 0)), r"one int each \(the region is square\)"),
    "returns None": (lambda layers: None, r"returned None for layers = \[\(3, 1, 0\)\]: did you forget the `return`"),
    "returns a string": (lambda layers: "3, 1, 0", r"three ints"),
    "returns NaN": (lambda layers: (float("nan"), 1, 0), r"three ints, got \(nan, 1, 0\)"),
    "own error": (lambda layers: layers[0][3], r"receptive_field_of raised IndexError: .*called with layers = "),
    "not a function": (5, r"receptive_field_of should be the function you defined, got 5"),
}


@pytest.mark.parametrize("function, message", MISTAKES.values(), ids=MISTAKES.keys())
def test_each_typical_mistake_gets_its_hint(function, message):
    with pytest.raises(WrongAnswer, match=message):
        check_receptive_field_function(function)


def test_an_unfilled_stub_raises_its_own_not_implemented_error():
    def receptive_field_of(layers):
        raise NotImplementedError()

    with pytest.raises(NotImplementedError):
        check_receptive_field_function(receptive_field_of)


def test_the_checker_runs_well_within_nbgrader_s_timeout(capsys):
    torch.zeros(1)  # torch imported, as in the notebook
    start = time.perf_counter()
    check_receptive_field_function(rf_with())
    assert time.perf_counter() - start < 2.0


# --- ex03-2: predict, then move the slider ---


def explorer_region():
    """The region the explorer itself reports for RF_PREDICTION's setting, read from its HTML numbers."""
    import re

    kernels, strides = RF_PREDICTION["kernels"], RF_PREDICTION["strides"]
    per_layer = {f"{kind}_{n}": value for n, (k, s) in enumerate(zip(kernels, strides, strict=True), start=1)
                 for kind, value in (("kernel", k), ("stride", s))}
    html = render_rf(None, {"digit": torch.zeros(1, 28, 28)}, "custom stack", "digit", len(kernels),
                     RF_PREDICTION["padding"], *RF_PREDICTION["unit"], **per_layer)
    rows = re.search(r'class="region-rows">(-?\d+) … (-?\d+)<', html).groups()
    cols = re.search(r'class="region-cols">(-?\d+) … (-?\d+)<', html).groups()
    return tuple(map(int, rows)), tuple(map(int, cols))


def test_prediction_is_the_region_the_explorer_shows(capsys):
    region = explorer_region()
    assert region == ((1, 11), (-5, 5))
    message = check_rf_prediction(region)
    assert message.startswith("Correct!") and "In the explorer (section 7) choose the custom stack" in message
    assert check_rf_prediction([[1, 11], [-5, 5]]).startswith("Correct!")


@pytest.mark.parametrize("region, message", [
    (((-5, 5), (1, 11)), r"rows and columns are swapped"),
    (((6, 16), (0, 10)), r"effective padding forgotten: .*P = 5 here"),
    (((2, 12), (-4, 6)), r"P_l = P_\{l−1\} \+ p_l·j_\{l−1\} = 5, not 4"),
    (((1, 12), (-5, 6)), r"the region is inclusive"),
    (((1, 11), (0, 5)), r"do not clip to the image"),
    (((1, 7), (-5, 1)), r"the region should be rf_size = 11 rows high"),
    (((3, 13), (-5, 5)), r"the size is right \(rf_size 11\) but not the start"),
    ((1, 11), r"should be \(\(top, bottom\), \(left, right\)\)"),
    (None, r"should be \(\(top, bottom\), \(left, right\)\)"),
])
def test_prediction_mistakes_get_hints_that_send_to_the_explorer(region, message):
    with pytest.raises(WrongAnswer, match=message) as error:
        check_rf_prediction(region)
    if "top, bottom" not in message:
        assert "In the explorer (section 7) choose the custom stack, layers 3, padding k // 2" in str(error.value)


# --- ex03-3: one 7×7 or three 3×3 ---


def test_factorised_weights(capsys):
    assert "45% fewer" in check_factorised_weights(200704, 110592)
    with pytest.raises(WrongAnswer, match="Count weights only"):
        check_factorised_weights(200704 + 64, 110592)
    with pytest.raises(WrongAnswer, match="Three 3×3 layers are needed"):
        check_factorised_weights(200704, 36864)
    with pytest.raises(WrongAnswer, match="one k×k kernel per"):
        check_factorised_weights(49, 27)

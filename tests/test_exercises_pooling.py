"""Notebook 04's checkers: the explorer predicted, max pooling's forward and backward from scratch.

Each typical mistake is a deliberately wrong implementation (or answer) whose hint is pinned.
"""

import time

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from cnn_helpers.exercises import (
    POOL_PREDICTION,
    WrongAnswer,
    check_max_pool_backward,
    check_max_pool_forward,
    check_pooling_prediction,
)
from cnn_helpers.widgets import default_feature_maps, pooling_numbers

# --- ex04-1: predict, then move the slider ---


def test_prediction_is_what_the_explorer_computes(capsys):
    size = tuple(default_feature_maps()[POOL_PREDICTION["feature"]].shape)
    numbers = pooling_numbers(size, POOL_PREDICTION["kernel_size"], POOL_PREDICTION["stride"],
                              POOL_PREDICTION["padding"])
    assert (numbers["output_size"], numbers["max_windows"]) == ((20, 17), 4)
    message = check_pooling_prediction(numbers["output_size"], numbers["max_windows"])
    assert message.startswith("Correct!")
    assert "In the explorer (section 6) pick the feature map 'photo: edges'" in message
    assert check_pooling_prediction([np.int64(20), torch.tensor(17)], 4).startswith("Correct!")


@pytest.mark.parametrize("size, windows, message", [
    ((17, 20), 4, r"height and width are swapped"),
    ((14, 12), 4, r"the stride here is 2, set explicitly"),
    ((40, 34), 4, r"stride ignored"),
    ((19, 16), 4, r"missing padding"),
    ((21, 18), 4, r"off by one"),
    ((5, 5), 4, r"use H_out"),
    ((20, 17), 2, r"that is along one direction"),
    ((20, 17), 1, r"the windows overlap"),
    ((20, 17), 9, r"⌈k / s⌉ = ⌈3 / 2⌉ windows; square it"),
    (20, 4, r"output_size should be \(H_out, W_out\), two ints, got 20"),
    ((20, 17), None, r"max_windows should be a whole number"),
])
def test_prediction_mistakes_get_hints_that_send_to_the_explorer(size, windows, message):
    with pytest.raises(WrongAnswer, match=message) as error:
        check_pooling_prediction(size, windows)
    if "whole number" not in message and "two ints" not in message:
        setting = "pick the feature map 'photo: edges', max pooling, kernel_size 3, stride 2, padding 1"
        assert setting in str(error.value)


# --- ex04-2: max pooling forward ---


def max_pool_with(mistake=None):
    """max_pool2d with loops as a student writes it, with a switch for each typical mistake."""
    def max_pool2d(x, kernel_size, stride, padding):
        k = kernel_size
        s = {"stride ignored": 1, "stride = kernel_size": k}.get(mistake, stride)
        p = 0 if mistake == "no padding" else padding
        fill = 0.0 if mistake == "zero padding" else float("-inf")
        xp = F.pad(x, (p, p, p, p), value=fill)
        n, c, h, w = xp.shape
        ho, wo = (h - k) // s + 1, (w - k) // s + 1
        if mistake == "off by one":
            ho, wo = ho - 1, wo - 1
        out = torch.zeros(n, c, ho, wo)
        for i in range(ho):
            for j in range(wo):
                top, left = (i, j) if mistake == "window start" else (i * s, j * s)
                window = xp[:, :, top:top + k, left:left + k]  # (N, C, k, k)
                if mistake == "average":
                    out[:, :, i, j] = window.mean(dim=(2, 3))
                elif mistake == "minimum":
                    out[:, :, i, j] = window.amin(dim=(2, 3))
                elif mistake == "channels mixed":
                    out[:, :, i, j] = window.amax(dim=(1, 2, 3))[:, None]
                else:
                    out[:, :, i, j] = window.amax(dim=(2, 3))
        return out.transpose(-2, -1) if mistake == "transposed" else out
    return max_pool2d


def test_a_loop_implementation_passes(capsys):
    assert check_max_pool_forward(max_pool_with()).startswith("Correct!")
    assert check_max_pool_forward(lambda x, k, s, p: F.max_pool2d(x, k, s, p).numpy()).startswith("Correct!")


FORWARD_MISTAKES = {
    "average": (max_pool_with("average"), r"that is average pooling"),
    "minimum": (max_pool_with("minimum"), r"you took the smallest value"),
    "channels mixed": (max_pool_with("channels mixed"), r"channels mixed"),
    "stride ignored": (max_pool_with("stride ignored"), r"stride ignored: with stride 2"),
    "stride = kernel_size": (max_pool_with("stride = kernel_size"), r"you used stride = kernel_size"),
    "window start": (max_pool_with("window start"), r"stride ignored in the window's position"),
    "no padding": (max_pool_with("no padding"), r"missing padding"),
    "zero padding": (max_pool_with("zero padding"), r"zero padding: max pooling pads with −∞"),
    "off by one": (max_pool_with("off by one"), r"off by one in the output size"),
    "height and width swapped": (max_pool_with("transposed"), r"height and width are swapped"),
    "channels dropped": (lambda x, k, s, p: F.max_pool2d(x, k, s, p)[:, 0], r"should be \(N, C, H_out, W_out\)"),
    "None": (lambda x, k, s, p: None, r"max_pool2d returned None"),
    "integers": (lambda x, k, s, p: F.max_pool2d(x, k, s, p).long(), r"dtype torch.int64"),
    "NaN": (lambda x, k, s, p: F.max_pool2d(x, k, s, p) * float("nan"), r"the output holds nan at \(0, 0, 0, 0\)"),
    "own error": (lambda x, k, s, p: x[9], r"max_pool2d raised IndexError"),
    "scaled": (lambda x, k, s, p: F.max_pool2d(x, k, s, p) * 2, r"values differ; the first at index \(0, 0, 0, 0\)"),
}


@pytest.mark.parametrize("function, message", FORWARD_MISTAKES.values(), ids=FORWARD_MISTAKES.keys())
def test_each_forward_mistake_gets_its_hint(function, message):
    with pytest.raises(WrongAnswer, match=message):
        check_max_pool_forward(function)


# --- ex04-3: max pooling backward ---


def backward_with(mistake=None):
    """max_pool2d_backward with loops as a student writes it, with a switch for each typical mistake."""
    def max_pool2d_backward(x, grad_output, kernel_size, stride):
        k, s = kernel_size, stride
        grad = torch.zeros_like(x)
        n, c, ho, wo = grad_output.shape
        for b in range(n):
            for ch in range(c):
                for i in range(ho):
                    for j in range(wo):
                        window = x[b, ch, i * s:i * s + k, j * s:j * s + k]
                        target = grad[b, ch, i * s:i * s + k, j * s:j * s + k]  # a view into grad
                        g = 1.0 if mistake == "grad_output ignored" else grad_output[b, ch, i, j]
                        top = window == window.max()
                        if mistake == "every element":
                            target += g
                        elif mistake == "averaged":
                            target += g / (k * k)
                        elif mistake == "all ties":
                            target += top * g
                        elif mistake == "ties split":
                            target += top * g / top.sum()
                        else:
                            flat = int(top.flatten().nonzero()[-1 if mistake == "last tie" else 0])
                            if mistake == "assigned":
                                target[flat // k, flat % k] = g
                            else:
                                target[flat // k, flat % k] += g
        return grad
    return max_pool2d_backward


def autograd_backward(x, grad_output, kernel_size, stride):
    x = x.clone().requires_grad_(True)
    F.max_pool2d(x, kernel_size, stride).backward(grad_output)
    return x.grad


def test_a_loop_implementation_and_autograd_pass(capsys):
    assert check_max_pool_backward(backward_with()).startswith("Correct!")
    assert check_max_pool_backward(autograd_backward).startswith("Correct!")


BACKWARD_MISTAKES = {
    "every element": (backward_with("every element"), r"gradient sent to every element of the window"),
    "averaged": (backward_with("averaged"), r"gradient averaged over the window"),
    "grad_output ignored": (backward_with("grad_output ignored"), r"grad_output ignored"),
    "= instead of +=": (backward_with("assigned"), r"overlapping windows: .*use \+= , not ="),
    "all ties": (backward_with("all ties"), r"ties: .*to the first of them only"),
    "ties split": (backward_with("ties split"), r"ties: PyTorch does not split the gradient"),
    "last tie": (backward_with("last tie"), r"ties: the gradient goes to the first of the equal maxima"),
    "to the minimum": (lambda x, g, k, s: autograd_backward(-x, g, k, s), r"to the smallest value"),
    "grad_output's shape": (lambda x, g, k, s: g, r"should have x's shape \(1, 1, 4, 4\), got \(1, 1, 2, 2\) "
                                                  r"\(that is grad_output's shape"),
    "None": (lambda x, g, k, s: None, r"max_pool2d_backward returned None"),
    "NumPy object array": (lambda x, g, k, s: np.array([None]), r"NumPy array of dtype object"),
    "NaN": (lambda x, g, k, s: autograd_backward(x, g, k, s) / 0 * 0, r"the gradient holds nan"),
    "own error": (lambda x, g, k, s: x.grad.clone(), r"max_pool2d_backward raised AttributeError"),
}


@pytest.mark.parametrize("function, message", BACKWARD_MISTAKES.values(), ids=BACKWARD_MISTAKES.keys())
def test_each_backward_mistake_gets_its_hint(function, message):
    with pytest.raises(WrongAnswer, match=message):
        check_max_pool_backward(function)


@pytest.mark.parametrize("checker", [check_max_pool_forward, check_max_pool_backward])
def test_an_unfilled_stub_raises_its_own_not_implemented_error(checker):
    def stub(*args):
        raise NotImplementedError()

    with pytest.raises(NotImplementedError):
        checker(stub)


def test_the_coding_checkers_run_well_within_nbgrader_s_timeout(capsys):
    start = time.perf_counter()
    check_max_pool_forward(max_pool_with())
    check_max_pool_backward(backward_with())  # Python loops over every window, the slowest honest kind
    assert time.perf_counter() - start < 2.0

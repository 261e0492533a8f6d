"""Notebook 02's checkers: conv2d from scratch, the explorer predicted, no weight sharing.

Each typical mistake is a deliberately wrong implementation (or answer) whose hint is pinned.
"""

import time

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from cnn_helpers.exercises import (
    CONV_PREDICTION,
    WrongAnswer,
    check_conv2d,
    check_conv_prediction,
    check_locally_connected_parameters,
)
from cnn_helpers.widgets import conv_numbers


def reference_conv2d(x, weight, bias, stride, padding, *, flip=False, use_bias=True, one_side=False,
                     stride_in_window=True, reduce="sum", batch=True, extra=None):
    """conv2d with loops as a student writes it, with switches that make the typical mistakes."""
    n, c_in, h, w = x.shape
    c_out, _, k, _ = weight.shape
    left, right = (padding, 0) if one_side else (padding, padding)
    xp = F.pad(x, (left, right, left, right))
    ho = (h + left + right - k) // stride + 1
    wo = (w + left + right - k) // stride + 1
    kernel = weight.flip(-2, -1) if flip else weight
    out = torch.zeros(n, c_out, ho, wo)
    for b in range(n):
        for o in range(c_out):
            for i in range(ho):
                for j in range(wo):
                    top, lft = (i * stride, j * stride) if stride_in_window else (i, j)
                    window = xp[b if batch else 0, :, top:top + k, lft:lft + k]  # (C_in, k, k)
                    if reduce == "own channel":
                        value = (window[o % c_in] * kernel[o, o % c_in]).sum()
                    elif reduce == "mean":
                        value = (window * kernel[o]).sum() / c_in
                    elif reduce == "first":
                        value = (window[0] * kernel[o, 0]).sum()
                    elif reduce == "transposed":
                        value = (window * kernel[:, o]).sum()
                    else:
                        value = (window * kernel[o]).sum()
                    copies = c_in if extra == "bias per channel" else 1
                    out[b, o, i, j] = value + (bias[o] * copies if use_bias else 0)
    return out


def conv2d_with(**mistake):
    def conv2d(x, weight, bias, stride=1, padding=0):
        return reference_conv2d(x, weight, bias, stride, padding, **mistake)
    return conv2d


def test_a_loop_implementation_passes(capsys):
    assert check_conv2d(conv2d_with()).startswith("Correct!")


def test_pytorchs_own_conv2d_passes_and_numpy_results_count(capsys):
    assert check_conv2d(lambda x, w, b, s, p: F.conv2d(x, w, b, s, p)).startswith("Correct!")
    assert check_conv2d(lambda x, w, b, s, p: F.conv2d(x, w, b, s, p).numpy()).startswith("Correct!")
    assert check_conv2d(lambda x, w, b, s, p: F.conv2d(x.double(), w.double(), b.double(), s, p)).startswith("Correct")


def no_padding(x, weight, bias, stride=1, padding=0):
    return F.conv2d(x, weight, bias, stride, 0)


def stride_ignored(x, weight, bias, stride=1, padding=0):
    return F.conv2d(x, weight, bias, 1, padding)


def no_plus_one(x, weight, bias, stride=1, padding=0):
    return F.conv2d(x, weight, bias, stride, padding)[..., :-1, :-1]


def channels_kept(x, weight, bias, stride=1, padding=0):
    return F.conv2d(x, weight, None, stride, padding)[:, :, None].expand(-1, -1, x.shape[1], -1, -1)


def batch_dropped(x, weight, bias, stride=1, padding=0):
    return F.conv2d(x, weight, bias, stride, padding)[0]


def height_width_swapped(x, weight, bias, stride=1, padding=0):
    return F.conv2d(x, weight, bias, stride, padding).transpose(-2, -1).contiguous()


MISTAKES = {
    "flipped kernel": (conv2d_with(flip=True), r"flipped kernel: .*cross-correlation"),
    "bias forgotten": (conv2d_with(use_bias=False), r"bias forgotten: add bias\[o\]"),
    "bias per input channel": (conv2d_with(extra="bias per channel"), r"the bias is added once per input channel"),
    "channels averaged": (conv2d_with(reduce="mean"), r"channels averaged"),
    "first channel only": (conv2d_with(reduce="first"), r"only the first input channel is used"),
    "weight axes swapped": (conv2d_with(reduce="transposed"), r"channels summed on the wrong axis"),
    "output channel o reads input channel o only": (conv2d_with(reduce="own channel"),
                                                    r"output channel o used input channel o only"),
    "one output per input channel": (lambda x, w, b, s, p: F.conv2d(x, w[:x.shape[1]], b[:x.shape[1]], s, p),
                                     r"the output has 2 channels, one per input channel"),
    "every image gets image 0's output": (conv2d_with(batch=False), r"every image of the batch got image 0's"),
    "stride ignored": (stride_ignored, r"stride ignored: with stride 2 the window jumps 2 pixels"),
    "stride ignored in the window's position": (conv2d_with(stride_in_window=False),
                                                r"stride ignored in the window's position"),
    "missing padding": (no_padding, r"missing padding: pad the input with 1 rows"),
    "padding on one side": (conv2d_with(one_side=True), r"padding on one side only"),
    "off by one": (no_plus_one, r"off by one in the output size"),
    "channels kept": (channels_kept, r"you kept one map per input channel"),
    "batch dropped": (batch_dropped, r"keep the batch dimension"),
    "height and width swapped": (height_width_swapped, r"height and width are swapped"),
    "None": (lambda x, w, b, s, p: None, r"conv2d returned None: did you forget the `return`"),
    "a list": (lambda x, w, b, s, p: F.conv2d(x, w, b, s, p).tolist(), r"should return a tensor .*got list"),
    "integers": (lambda x, w, b, s, p: F.conv2d(x, w, b, s, p).long(), r"dtype torch.int64; .*torch.zeros"),
    "NaN (torch.empty)": (lambda x, w, b, s, p: F.conv2d(x, w, b, s, p) * torch.tensor(float("nan")),
                          r"the output holds nan at \(0, 0, 0, 0\); .*torch.empty"),
    "own error": (lambda x, w, b, s, p: x @ w, r"conv2d raised RuntimeError: .*called with x of shape \(1, 1, 5, 6\)"),
    "wrong signature": (lambda x, w: x, r"conv2d raised TypeError"),
    "scaled": (lambda x, w, b, s, p: 2 * F.conv2d(x, w, b, s, p), r"values differ; the first at index \(0, 0, 0, 0\)"),
}


@pytest.mark.parametrize("conv2d, message", MISTAKES.values(), ids=MISTAKES.keys())
def test_each_typical_mistake_gets_its_hint(conv2d, message):
    with pytest.raises(WrongAnswer, match=message):
        check_conv2d(conv2d)


def test_the_hint_names_the_case_it_failed_on():
    with pytest.raises(WrongAnswer, match=r"^x of shape \(2, 2, 6, 7\), weight \(3, 2, 3, 3\), bias \(3,\), "
                                          r"stride 1, padding 1 \(the case with padding 1\): missing padding"):
        check_conv2d(no_padding)


def test_an_unfilled_stub_raises_its_own_not_implemented_error():
    def conv2d(x, weight, bias, stride=1, padding=0):
        raise NotImplementedError()

    with pytest.raises(NotImplementedError):
        check_conv2d(conv2d)


def test_not_a_function_gets_a_hint():
    with pytest.raises(WrongAnswer, match=r"conv2d should be the function you defined, got None"):
        check_conv2d(None)


def test_the_checker_runs_well_within_nbgrader_s_timeout(capsys):
    start = time.perf_counter()
    check_conv2d(conv2d_with())  # the slowest honest kind: one Python-level dot product per output value
    assert time.perf_counter() - start < 2.0


# --- ex02-2: predict, then move the slider ---


def test_prediction_is_what_the_explorer_computes(capsys):
    from cnn_helpers.data import sample_image
    from cnn_helpers.widgets import CONV_IMAGE_SIZE

    size = tuple(sample_image(size=CONV_IMAGE_SIZE).shape[-2:])
    numbers = conv_numbers(size, **CONV_PREDICTION)
    message = check_conv_prediction(numbers["output_size"], numbers["multiply_adds"])
    assert message.startswith("Correct!") and "Set the explorer's sliders (section 5) to kernel_size 5" in message
    assert check_conv_prediction([np.int64(14), torch.tensor(12)], 16_800).startswith("Correct!")


@pytest.mark.parametrize("size, ops, message", [
    ((12, 14), 16_800, r"height and width are swapped"),
    ((16, 14), 16_800, r"dilation forgotten: .*spans d·\(k − 1\) \+ 1 = 9"),
    ((12, 10), 16_800, r"missing padding"),
    ((28, 23), 16_800, r"stride ignored"),
    ((13, 11), 16_800, r"off by one"),
    ((20, 20), 16_800, r"use H_out = "),
    ((14, 12), 4 * 14 * 12 * 81, r"dilation spreads the 5·5 taps over 9·9 pixels but adds none"),
    ((14, 12), 14 * 12 * 25, r"that is one kernel"),
    ((14, 12), 104, r"that counts the weights"),
    ((14, 12), 1, r"each output value costs"),
    (14, 16_800, r"output_size should be \(H_out, W_out\), two ints, got 14"),
    ((14, 12, 4), 16_800, r"two ints, got \(14, 12, 4\)"),
    ((14.0, 12), 16_800, r"should be a whole number"),
    ((14, 12), None, r"multiply_adds should be a whole number"),
])
def test_prediction_mistakes_get_hints_that_send_to_the_sliders(size, ops, message):
    with pytest.raises(WrongAnswer, match=message) as error:
        check_conv_prediction(size, ops)
    if "whole number" not in message and "two ints" not in message:
        assert "Set the explorer's sliders (section 5) to kernel_size 5, stride 2, padding 2, dilation 2" in str(
            error.value)


# --- ex02-3: no weight sharing ---


def test_locally_connected_parameters(capsys):
    assert check_locally_connected_parameters(28 * 28 * 16 * 26).startswith("Correct!")
    with pytest.raises(WrongAnswer, match="conv1 itself, with sharing"):
        check_locally_connected_parameters(416)
    with pytest.raises(WrongAnswer, match="you left out the biases"):
        check_locally_connected_parameters(28 * 28 * 16 * 25)
    with pytest.raises(WrongAnswer, match="should be a whole number"):
        check_locally_connected_parameters(None)

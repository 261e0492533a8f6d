"""Tests of cnn_helpers.from_scratch: NumPy convolution and pooling against torch.nn.functional."""

import sys

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from cnn_helpers import from_scratch
from cnn_helpers.from_scratch import (
    avg_pool2d,
    conv2d,
    conv2d_loop,
    im2col,
    max_pool2d,
    sum_pool2d,
)

TOL = {"rtol": 1e-5, "atol": 1e-5}
RNG = np.random.default_rng(0)


def _torch_conv(x, weight, bias, **geometry):
    t = torch.from_numpy
    return F.conv2d(t(x), t(weight), None if bias is None else t(bias), **geometry).numpy()


# --- a seeded grid of shapes and options ---------------------------------------------------------

CONV_GRID = [
    # (N, C_in, H, W), (C_out, kH, kW), stride, padding, dilation
    ((2, 1, 28, 28), (16, 5, 5), 1, 2, 1),
    ((1, 3, 9, 7), (4, 3, 3), 2, 1, 1),
    ((3, 2, 10, 11), (5, 2, 3), (1, 2), (0, 1), (2, 1)),
    ((1, 4, 6, 6), (2, 1, 1), 1, 0, 1),
    ((2, 2, 8, 5), (3, 3, 2), 3, (2, 0), (1, 2)),
    ((1, 1, 5, 5), (1, 5, 5), 1, 0, 1),
]


@pytest.mark.parametrize("with_bias", [True, False])
@pytest.mark.parametrize("x_shape, w_shape, stride, padding, dilation", CONV_GRID)
def test_conv2d_both_versions_agree_with_torch_on_a_grid(x_shape, w_shape, stride, padding, dilation, with_bias):
    x = RNG.standard_normal(x_shape)
    c_out, kh, kw = w_shape
    weight = RNG.standard_normal((c_out, x_shape[1], kh, kw))
    bias = RNG.standard_normal(c_out) if with_bias else None
    geometry = {"stride": stride, "padding": padding, "dilation": dilation}
    expected = _torch_conv(x, weight, bias, **geometry)
    np.testing.assert_allclose(conv2d(x, weight, bias, **geometry), expected, **TOL)
    np.testing.assert_allclose(conv2d_loop(x, weight, bias, **geometry), expected, **TOL)


@st.composite
def conv_cases(draw):
    """Random shapes and options where the (dilated) kernel fits the padded input."""
    kh, kw = draw(st.integers(1, 5)), draw(st.integers(1, 5))
    dh, dw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    ph, pw = draw(st.integers(0, 3)), draw(st.integers(0, 3))
    span_h, span_w = dh * (kh - 1) + 1, dw * (kw - 1) + 1
    h = draw(st.integers(max(1, span_h - 2 * ph), span_h + 6))
    w = draw(st.integers(max(1, span_w - 2 * pw), span_w + 6))
    n, c_in, c_out = draw(st.integers(1, 3)), draw(st.integers(1, 3)), draw(st.integers(1, 4))
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    seed = draw(st.integers(0, 2**31))
    return (n, c_in, h, w), (c_out, c_in, kh, kw), stride, (ph, pw), (dh, dw), seed


@settings(max_examples=150, deadline=None)
@given(conv_cases())
def test_conv2d_agrees_with_torch_on_random_shapes(case):
    x_shape, w_shape, stride, padding, dilation, seed = case
    rng = np.random.default_rng(seed)
    x, weight, bias = rng.standard_normal(x_shape), rng.standard_normal(w_shape), rng.standard_normal(w_shape[0])
    geometry = {"stride": stride, "padding": padding, "dilation": dilation}
    expected = _torch_conv(x, weight, bias, **geometry)
    np.testing.assert_allclose(conv2d(x, weight, bias, **geometry), expected, **TOL)
    np.testing.assert_allclose(
        im2col(x, w_shape[2:], **geometry),
        F.unfold(torch.from_numpy(x), w_shape[2:], **geometry).numpy(),
        **TOL,
    )


@settings(max_examples=40, deadline=None)
@given(conv_cases())
def test_conv2d_loop_agrees_with_torch_on_random_shapes(case):
    x_shape, w_shape, stride, padding, dilation, seed = case
    rng = np.random.default_rng(seed)
    x, weight = rng.standard_normal(x_shape), rng.standard_normal(w_shape)
    geometry = {"stride": stride, "padding": padding, "dilation": dilation}
    np.testing.assert_allclose(conv2d_loop(x, weight, **geometry), _torch_conv(x, weight, None, **geometry), **TOL)


def test_im2col_layout_is_torch_unfold_and_conv_is_one_matmul():
    x = RNG.standard_normal((2, 3, 7, 6))
    weight = RNG.standard_normal((4, 3, 3, 2))
    columns = im2col(x, (3, 2), stride=(2, 1), padding=1)
    expected = F.unfold(torch.from_numpy(x), (3, 2), stride=(2, 1), padding=1).numpy()
    np.testing.assert_allclose(columns, expected, **TOL)
    assert columns.shape == (2, 3 * 3 * 2, 4 * 7)
    # The lesson of notebook 02: convolution = kernels as rows times windows as columns.
    by_matmul = (weight.reshape(4, -1) @ columns).reshape(2, 4, 4, 7)
    np.testing.assert_allclose(by_matmul, conv2d(x, weight, stride=(2, 1), padding=1), **TOL)
    columns[:] = 0  # a copy: changing it leaves x alone
    assert np.abs(x).sum() > 0


def test_conv2d_keeps_float32_and_accepts_torch_tensors():
    x = torch.rand(2, 3, 8, 8)
    weight = torch.rand(4, 3, 3, 3, requires_grad=True)
    out = conv2d(x, weight, padding=1)
    assert isinstance(out, np.ndarray) and out.dtype == np.float32
    np.testing.assert_allclose(out, F.conv2d(x, weight, padding=1).detach().numpy(), rtol=1e-5, atol=1e-5)
    assert conv2d(np.ones((1, 1, 3, 3), dtype=np.int64), np.ones((1, 1, 3, 3), dtype=np.int64)).item() == 9.0


def _line_events(function, *args, **kwargs):
    """How many Python lines of from_scratch run during one call."""
    count = 0

    def tracer(frame, event, arg):
        nonlocal count
        if frame.f_code.co_filename == from_scratch.__file__:
            if event == "line":
                count += 1
            return tracer
        return None

    sys.settrace(tracer)
    try:
        function(*args, **kwargs)
    finally:
        sys.settrace(None)
    return count


@pytest.mark.parametrize("function", [conv2d, im2col, max_pool2d, avg_pool2d, sum_pool2d])
def test_vectorised_versions_have_no_python_loop_over_pixels(function):
    weight = np.ones((2, 3, 3, 3))
    small, large = np.ones((1, 3, 6, 6)), np.ones((4, 3, 60, 60))
    args = (weight,) if function is conv2d else (3,)
    assert _line_events(function, small, *args) == _line_events(function, large, *args)
    # ...whereas the teaching version runs its loop body once per output pixel.
    assert _line_events(conv2d_loop, large, weight) > 100 * _line_events(conv2d_loop, small, weight)


# --- pooling -------------------------------------------------------------------------------------

POOL_GRID = [
    # kernel_size, stride, padding
    (2, None, 0),
    (3, 1, 1),
    (3, 2, 1),
    ((2, 3), (1, 2), (1, 0)),
    (1, None, 0),
    (4, 3, 2),
]


@pytest.mark.parametrize("kernel_size, stride, padding", POOL_GRID)
def test_pooling_agrees_with_torch_on_a_grid(kernel_size, stride, padding):
    x = RNG.standard_normal((2, 3, 9, 8))
    t = torch.from_numpy(x)
    area = np.prod(from_scratch.to_pair(kernel_size, "k"))
    args = (kernel_size, stride, padding)
    np.testing.assert_allclose(max_pool2d(x, *args), F.max_pool2d(t, *args).numpy(), **TOL)
    np.testing.assert_allclose(avg_pool2d(x, *args), F.avg_pool2d(t, *args).numpy(), **TOL)
    np.testing.assert_allclose(sum_pool2d(x, *args), F.avg_pool2d(t, *args).numpy() * area, **TOL)


@st.composite
def pool_cases(draw):
    kh, kw = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    ph, pw = draw(st.integers(0, kh // 2)), draw(st.integers(0, kw // 2))
    h, w = draw(st.integers(max(1, kh - 2 * ph), 11)), draw(st.integers(max(1, kw - 2 * pw), 11))
    stride = draw(st.one_of(st.none(), st.tuples(st.integers(1, 3), st.integers(1, 3))))
    seed = draw(st.integers(0, 2**31))
    return (draw(st.integers(1, 2)), draw(st.integers(1, 3)), h, w), (kh, kw), stride, (ph, pw), seed


@settings(max_examples=150, deadline=None)
@given(pool_cases())
def test_pooling_agrees_with_torch_on_random_shapes(case):
    shape, kernel, stride, padding, seed = case
    x = np.random.default_rng(seed).standard_normal(shape)
    t = torch.from_numpy(x)
    args = (kernel, stride, padding)
    np.testing.assert_allclose(max_pool2d(x, *args), F.max_pool2d(t, *args).numpy(), **TOL)
    np.testing.assert_allclose(avg_pool2d(x, *args), F.avg_pool2d(t, *args).numpy(), **TOL)
    np.testing.assert_allclose(
        sum_pool2d(x, *args), F.avg_pool2d(t, *args).numpy() * kernel[0] * kernel[1], **TOL
    )


def test_sum_pooling_is_lp_pooling_with_p_1():
    x = RNG.standard_normal((2, 3, 8, 8))
    expected = torch.nn.LPPool2d(norm_type=1, kernel_size=2)(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(sum_pool2d(x, 2), expected, **TOL)


def test_max_pool_pads_with_minus_infinity_so_padding_never_wins():
    x = -1.0 - RNG.random((1, 1, 4, 4))  # all negative: a zero padding would win every border window
    out = max_pool2d(x, 3, stride=1, padding=1)
    assert (out < 0).all()
    np.testing.assert_allclose(out, F.max_pool2d(torch.from_numpy(x), 3, 1, 1).numpy(), **TOL)


def test_avg_pool_counts_padding_like_torch_default():
    x = np.ones((1, 1, 4, 4))
    out = avg_pool2d(x, 3, stride=1, padding=1)
    assert out[0, 0, 0, 0] == pytest.approx(4 / 9)  # corner window: 4 real ones, 5 padding zeros
    assert out[0, 0, 1, 1] == pytest.approx(1.0)
    np.testing.assert_allclose(out, F.avg_pool2d(torch.from_numpy(x), 3, 1, 1, count_include_pad=True).numpy())


def test_pooling_stride_defaults_to_kernel_size():
    x = np.arange(36.0).reshape(1, 1, 6, 6)
    assert max_pool2d(x, 3).shape == (1, 1, 2, 2)
    assert max_pool2d(x, 3, stride=1).shape == (1, 1, 4, 4)


# --- errors -----------------------------------------------------------------------------------------


def test_kernel_that_does_not_fit_says_so_and_suggests_a_fix():
    with pytest.raises(
        ValueError,
        match=r"kernel_size 7 does not fit in the padded input of size 5 \(height\); "
        r"increase padding or use a smaller kernel",
    ):
        conv2d(np.ones((1, 1, 5, 9)), np.ones((1, 1, 7, 7)))
    spans = r"kernel_size 3 with dilation 2 spans 5 positions and does not fit in the padded input of size 4 \(width\)"
    with pytest.raises(ValueError, match=spans):
        conv2d(np.ones((1, 1, 9, 4)), np.ones((1, 1, 3, 3)), dilation=2)
    with pytest.raises(ValueError, match=r"kernel_size 4 does not fit in the padded input of size 3"):
        max_pool2d(np.ones((1, 1, 3, 3)), 4)


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: conv2d(np.ones((5, 5)), np.ones((1, 1, 3, 3))), ValueError,
         r"x must have shape \(N, C, H, W\), got shape \(5, 5\); add batch and channel dims with x\[None, None\]"),
        (lambda: conv2d(np.ones((1, 5, 5)), np.ones((1, 1, 3, 3))), ValueError, r"add a batch dim with x\[None\]"),
        (lambda: conv2d(np.ones((1, 1, 5, 5)), np.ones((3, 3))), ValueError,
         r"weight must have shape \(C_out, C_in, kH, kW\), got shape \(3, 3\); "
         r"for a single kernel use weight\[None, None\]"),
        (lambda: conv2d(np.ones((1, 3, 5, 5)), np.ones((2, 1, 3, 3))), ValueError,
         r"weight has 1 input channels \(weight.shape\[1\]\) but x has 3 .* weight of shape \(2, 3, 3, 3\)"),
        (lambda: conv2d(np.ones((1, 1, 5, 5)), np.ones((2, 1, 3, 3)), bias=np.ones(3)), ValueError,
         r"bias must have shape \(C_out,\) = \(2,\), one number per output channel, got shape \(3,\)"),
        (lambda: conv2d(np.ones((1, 1, 5, 5)), np.ones((1, 1, 3, 3)), stride=0), ValueError,
         r"stride must be an integer >= 1, got 0"),
        (lambda: conv2d(np.ones((1, 1, 5, 5)), np.ones((1, 1, 3, 3)), padding=-1), ValueError,
         r"padding must be an integer >= 0, got -1"),
        (lambda: conv2d(np.ones((1, 1, 5, 5)), np.ones((1, 1, 3, 3)), stride=1.5), TypeError,
         r"stride must be an integer, got 1.5 of type float"),
        (lambda: conv2d(np.ones((1, 1, 5, 5)), np.ones((1, 1, 3, 3)), dilation=(1, 2, 3)), ValueError,
         r"dilation must be an int or an \(h, w\) pair"),
        (lambda: conv2d(np.array([[["a"]]]), np.ones((1, 1, 1, 1))), TypeError, r"x must be an array of numbers"),
        (lambda: max_pool2d(np.ones((1, 1, 6, 6)), 2, padding=2), ValueError,
         r"padding 2 is more than half of kernel_size 2; .* Use padding <= 1"),
        (lambda: avg_pool2d(np.ones((6, 6)), 2), ValueError, r"x must have shape \(N, C, H, W\)"),
        (lambda: sum_pool2d(np.ones((1, 1, 6, 6)), 0), ValueError, r"kernel_size must be an integer >= 1, got 0"),
    ],
)
def test_bad_arguments_give_clear_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()

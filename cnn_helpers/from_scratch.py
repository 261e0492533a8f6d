"""Convolution and pooling written from scratch in NumPy, with PyTorch's semantics.

Two convolutions compute the same numbers:

- ``conv2d_loop``: the definition, one output pixel at a time (slow, for reading);
- ``conv2d``: the same sum as one matrix multiplication, after ``im2col`` has copied
  every receptive window into a column (fast; how libraries do it).

Pooling (``max_pool2d``, ``avg_pool2d``, ``sum_pool2d``) reads the same windows and reduces
each one. Everything takes ``(N, C, H, W)`` arrays and PyTorch's argument names; each
``int`` argument may also be an ``(h, w)`` pair. Torch tensors are accepted (converted with
``.detach().cpu().numpy()``); results are NumPy arrays.

Output size, per spatial dimension (PyTorch's formula, ``ceil_mode=False``; computed by
:func:`cnn_helpers.receptive_field.conv_output_size`)::

    out = floor((size + 2 * padding - dilation * (kernel_size - 1) - 1) / stride) + 1

Example:
    >>> x = np.arange(16.0).reshape(1, 1, 4, 4)
    >>> conv2d(x, np.ones((1, 1, 2, 2)))[0, 0]
    array([[10., 14., 18.],
           [26., 30., 34.],
           [42., 46., 50.]])
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ._validation import Pair, to_pair
from .language import tr
from .receptive_field import conv_output_size

__all__ = ["conv2d", "conv2d_loop", "im2col", "max_pool2d", "avg_pool2d", "sum_pool2d"]


# --- checks ---------------------------------------------------------------------------------


def _as_array(x, name: str) -> np.ndarray:
    """``x`` as a NumPy array; torch tensors are detached and moved to the CPU first."""
    if hasattr(x, "detach") and hasattr(x, "cpu"):  # a torch.Tensor, without importing torch
        x = x.detach().cpu().numpy()
    array = np.asarray(x)
    if not (np.issubdtype(array.dtype, np.number) or array.dtype == np.bool_):
        raise TypeError(tr("{name} must be an array of numbers, got dtype {dtype}", name=name, dtype=array.dtype))
    return array


def _check_images(x, name: str = "x") -> np.ndarray:
    """``x`` as a float (N, C, H, W) array, or a ValueError with the fix for its shape."""
    x = _as_array(x, name)
    if x.ndim != 4:
        if x.ndim == 2:
            fix = tr("add batch and channel dims with x[None, None]")
        elif x.ndim == 3:
            fix = tr("add a batch dim with x[None]")
        else:
            fix = tr("reshape it to (N, C, H, W)")
        raise ValueError(tr("{name} must have shape (N, C, H, W), got shape {shape}; {fix}", name=name, shape=x.shape,
                            fix=fix))
    return x if np.issubdtype(x.dtype, np.floating) else x.astype(np.float64)


def _geometry(kernel_size, stride, padding, dilation) -> tuple[Pair, Pair, Pair, Pair]:
    """Normalise the four window arguments to checked (h, w) pairs."""
    return (
        to_pair(kernel_size, "kernel_size", minimum=1),
        to_pair(stride, "stride", minimum=1),
        to_pair(padding, "padding", minimum=0),
        to_pair(dilation, "dilation", minimum=1),
    )


# --- windows --------------------------------------------------------------------------------


def _windows(x: np.ndarray, kernel: Pair, stride: Pair, padding: Pair, dilation: Pair,
             pad_value: float = 0.0) -> np.ndarray:
    """Every window of ``x`` as a strided view, without copying the pixels.

    Shape:
        (N, C, H, W) -> (N, C, H_out, W_out, kH, kW); entry [n, c, i, j] is the kH x kW
        window whose top-left corner is at (i * stride, j * stride) of the padded input.
    """
    (kh, kw), (sh, sw), (ph, pw), (dh, dw) = kernel, stride, padding, dilation
    n, c, h, w = x.shape
    h_out, w_out = conv_output_size((h, w), kernel, stride, padding, dilation)
    padded = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)), constant_values=pad_value)
    span = (dh * (kh - 1) + 1, dw * (kw - 1) + 1)
    view = sliding_window_view(padded, span, axis=(2, 3))  # (N, C, H', W', span_h, span_w)
    view = view[:, :, ::sh, ::sw, ::dh, ::dw]  # stride picks the windows, dilation their pixels
    return view[:, :, :h_out, :w_out]  # (N, C, H_out, W_out, kH, kW)


def im2col(x, kernel_size, stride=1, padding=0, dilation=1) -> np.ndarray:
    """Copy every receptive window of ``x`` into a column, so convolution becomes one matmul.

    The layout is PyTorch's ``torch.nn.functional.unfold``: row ``c * kH * kW + a * kW + b``
    holds pixel (a, b) of channel c's window; column ``i * W_out + j`` is output pixel (i, j).

    Args:
        x: input images.
        kernel_size, stride, padding, dilation: int or (h, w) pair, as in ``nn.Conv2d``.

    Returns:
        The columns, a new array (a copy, not a view).

    Raises:
        ValueError: ``x`` is not 4-D, a bad geometry argument, or a kernel that does not fit.

    Shape:
        (N, C, H, W) -> (N, C * kH * kW, H_out * W_out).

    Example:
        >>> x = np.arange(9.0).reshape(1, 1, 3, 3)
        >>> im2col(x, kernel_size=2)[0]
        array([[0., 1., 3., 4.],
               [1., 2., 4., 5.],
               [3., 4., 6., 7.],
               [4., 5., 7., 8.]])
    """
    x = _check_images(x)
    windows = _windows(x, *_geometry(kernel_size, stride, padding, dilation))  # (N, C, Ho, Wo, kH, kW)
    n, c, h_out, w_out, kh, kw = windows.shape
    columns = windows.transpose(0, 1, 4, 5, 2, 3)  # (N, C, kH, kW, Ho, Wo)
    return columns.reshape(n, c * kh * kw, h_out * w_out)  # reshape copies the strided view


# --- convolution ------------------------------------------------------------------------------


def _check_conv_args(x, weight, bias) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Check shapes of input, weight and bias against each other; return float arrays."""
    x = _check_images(x)
    weight = _as_array(weight, "weight")
    if weight.ndim != 4:
        fix = tr("for a single kernel use weight[None, None]") if weight.ndim == 2 else tr("reshape it")
        raise ValueError(tr("weight must have shape (C_out, C_in, kH, kW), got shape {shape}; {fix}",
                            shape=weight.shape, fix=fix))
    if weight.shape[1] != x.shape[1]:
        c_out, c_in, kh, kw = weight.shape
        raise ValueError(tr(
            "weight has {c_in} input channels (weight.shape[1]) but x has {x_channels} "
            "(x.shape[1]); they must match, e.g. weight of shape ({c_out}, {x_channels}, {kh}, {kw})",
            c_in=c_in, x_channels=x.shape[1], c_out=c_out, kh=kh, kw=kw,
        ))
    if bias is not None:
        bias = _as_array(bias, "bias")
        if bias.shape != (weight.shape[0],):
            raise ValueError(tr(
                "bias must have shape (C_out,) = ({c_out},), one number per output channel, got shape {shape}",
                c_out=weight.shape[0], shape=bias.shape,
            ))
    dtype = np.result_type(x, weight, np.float32)  # float32 stays float32; anything else -> float64
    bias = None if bias is None else bias.astype(dtype, copy=False)
    return x.astype(dtype, copy=False), weight.astype(dtype, copy=False), bias


def conv2d(x, weight, bias=None, stride=1, padding=0, dilation=1) -> np.ndarray:
    """2-D convolution (PyTorch's cross-correlation) as ``im2col`` plus one matrix product.

    ``out[n, o, i, j] = bias[o] + sum over c, a, b of
    weight[o, c, a, b] * x_padded[n, c, i * stride + a * dilation, j * stride + b * dilation]``.

    Args:
        x: input images.
        weight: the kernels, one (C_in, kH, kW) stack per output channel.
        bias: optional, one number per output channel.
        stride, padding, dilation: int or (h, w) pair, as in ``nn.Conv2d`` (zero padding).

    Returns:
        The output feature maps (float; float32 in gives float32 out).

    Raises:
        ValueError: wrong shapes (the message gives the expected one), bad geometry values,
            or a kernel that does not fit in the padded input.
        TypeError: non-integer geometry values or non-numeric arrays.

    Shape:
        x (N, C_in, H, W), weight (C_out, C_in, kH, kW), bias (C_out,) -> (N, C_out, H_out, W_out),
        with ``H_out = floor((H + 2 * padding - dilation * (kH - 1) - 1) / stride) + 1`` (W alike).

    Example:
        >>> x = np.zeros((2, 3, 28, 28), dtype=np.float32)
        >>> weight = np.zeros((16, 3, 5, 5), dtype=np.float32)
        >>> conv2d(x, weight, stride=2, padding=2).shape
        (2, 16, 14, 14)
    """
    x, weight, bias = _check_conv_args(x, weight, bias)
    c_out, _, kh, kw = weight.shape
    _, stride, padding, dilation = _geometry((kh, kw), stride, padding, dilation)
    n, _, h, w = x.shape
    h_out, w_out = conv_output_size((h, w), (kh, kw), stride, padding, dilation)
    columns = im2col(x, (kh, kw), stride, padding, dilation)  # (N, C_in * kH * kW, H_out * W_out)
    rows = weight.reshape(c_out, -1)  # (C_out, C_in * kH * kW)
    out = rows @ columns  # (N, C_out, H_out * W_out): one matmul per image, no loop over pixels
    if bias is not None:
        out += bias[:, None]
    return out.reshape(n, c_out, h_out, w_out)


def conv2d_loop(x, weight, bias=None, stride=1, padding=0, dilation=1) -> np.ndarray:
    """2-D convolution written as the definition: one output pixel at a time (slow; for reading).

    Same arguments, result and errors as :func:`conv2d`.

    Shape:
        x (N, C_in, H, W), weight (C_out, C_in, kH, kW), bias (C_out,) -> (N, C_out, H_out, W_out).

    Example:
        >>> x = np.arange(16.0).reshape(1, 1, 4, 4)
        >>> weight = np.array([[[[1.0, -1.0]]]])  # (1, 1, 1, 2): left pixel minus right pixel
        >>> conv2d_loop(x, weight)[0, 0]
        array([[-1., -1., -1.],
               [-1., -1., -1.],
               [-1., -1., -1.],
               [-1., -1., -1.]])
    """
    x, weight, bias = _check_conv_args(x, weight, bias)
    c_out, _, kh, kw = weight.shape
    _, (sh, sw), (ph, pw), (dh, dw) = _geometry((kh, kw), stride, padding, dilation)
    n, _, h, w = x.shape
    h_out, w_out = conv_output_size((h, w), (kh, kw), (sh, sw), (ph, pw), (dh, dw))
    padded = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))  # zero padding
    out = np.zeros((n, c_out, h_out, w_out), dtype=x.dtype)
    for image in range(n):
        for o in range(c_out):
            for i in range(h_out):
                for j in range(w_out):
                    top, left = i * sh, j * sw
                    # The window under the kernel: every dilation-th pixel, kh rows and kw columns.
                    window = padded[image, :, top : top + dh * (kh - 1) + 1 : dh, left : left + dw * (kw - 1) + 1 : dw]
                    out[image, o, i, j] = np.sum(window * weight[o])  # sum over C_in, kH, kW
            if bias is not None:
                out[image, o] += bias[o]
    return out


# --- pooling ---------------------------------------------------------------------------------


def _pool_windows(x, kernel_size, stride, padding, pad_value: float) -> tuple[np.ndarray, Pair]:
    """Windows for pooling with PyTorch's rules: stride defaults to kernel_size, padding <= k / 2."""
    x = _check_images(x)
    kernel = to_pair(kernel_size, "kernel_size", minimum=1)
    stride = kernel if stride is None else to_pair(stride, "stride", minimum=1)
    padding = to_pair(padding, "padding", minimum=0)
    for k, p in zip(kernel, padding, strict=True):
        if 2 * p > k:
            raise ValueError(tr(
                "padding {padding} is more than half of kernel_size {kernel_size}; a window could then hold only "
                "padding. Use padding <= {largest}",
                padding=p, kernel_size=k, largest=k // 2,
            ))
    return _windows(x, kernel, stride, padding, (1, 1), pad_value), kernel  # (N, C, Ho, Wo, kH, kW)


def _reduce_windows(windows: np.ndarray, combine: np.ufunc) -> np.ndarray:
    """Combine the kH * kW pixels of every window with ``combine`` (e.g. ``np.maximum``).

    Loops over the kH * kW offsets inside a window, never over pixels: each step combines
    one whole (N, C, H_out, W_out) slice, which is far faster than ``windows.max(axis=...)``
    on the strided view.
    """
    kh, kw = windows.shape[-2:]
    out = windows[..., 0, 0].copy()  # (N, C, H_out, W_out)
    for a in range(kh):
        for b in range(kw):
            if (a, b) != (0, 0):
                combine(out, windows[..., a, b], out=out)
    return out


def max_pool2d(x, kernel_size, stride=None, padding=0) -> np.ndarray:
    """Max pooling: the largest value of each window; padding is -inf, so it is never picked.

    Matches ``torch.nn.functional.max_pool2d`` (dilation 1, ``ceil_mode=False``).

    Args:
        x: input feature maps.
        kernel_size: window size, int or (h, w) pair.
        stride: step between windows; ``None`` (default) means ``kernel_size``, as in PyTorch.
        padding: added on every side, at most half the window, as in PyTorch.

    Returns:
        The pooled maps (float).

    Raises:
        ValueError: ``x`` is not 4-D, padding over half the window, bad sizes, or a window
            larger than the padded input.

    Shape:
        (N, C, H, W) -> (N, C, H_out, W_out), with
        ``H_out = floor((H + 2 * padding - kernel_size) / stride) + 1`` (W alike).

    Example:
        >>> x = np.arange(16.0).reshape(1, 1, 4, 4)
        >>> max_pool2d(x, 2)[0, 0]
        array([[ 5.,  7.],
               [13., 15.]])
    """
    windows, _ = _pool_windows(x, kernel_size, stride, padding, pad_value=-np.inf)  # (N, C, Ho, Wo, kH, kW)
    return _reduce_windows(windows, np.maximum)


def avg_pool2d(x, kernel_size, stride=None, padding=0) -> np.ndarray:
    """Average pooling: the mean of each window, padding counted as zeros.

    Like PyTorch's default ``count_include_pad=True``: a window that overlaps the padding
    is still divided by the full ``kH * kW``, so border outputs are pulled towards 0.
    Matches ``torch.nn.functional.avg_pool2d`` (``ceil_mode=False``).

    Args:
        x: input feature maps.
        kernel_size: window size, int or (h, w) pair.
        stride: step between windows; ``None`` (default) means ``kernel_size``, as in PyTorch.
        padding: added on every side, at most half the window, as in PyTorch.

    Returns:
        The pooled maps (float).

    Raises:
        ValueError: ``x`` is not 4-D, padding over half the window, bad sizes, or a window
            larger than the padded input.

    Shape:
        (N, C, H, W) -> (N, C, H_out, W_out), with
        ``H_out = floor((H + 2 * padding - kernel_size) / stride) + 1`` (W alike).

    Example:
        >>> x = np.arange(16.0).reshape(1, 1, 4, 4)
        >>> avg_pool2d(x, 2)[0, 0]
        array([[ 2.5,  4.5],
               [10.5, 12.5]])
    """
    windows, (kh, kw) = _pool_windows(x, kernel_size, stride, padding, pad_value=0.0)  # (N, C, Ho, Wo, kH, kW)
    return _reduce_windows(windows, np.add) / (kh * kw)


def sum_pool2d(x, kernel_size, stride=None, padding=0) -> np.ndarray:
    """Sum pooling: the sum of each window (zero padding); average pooling times ``kH * kW``.

    PyTorch has no ``sum_pool2d``; it equals ``avg_pool2d(x, ...) * kH * kW`` and, without
    padding, ``nn.LPPool2d(norm_type=1, ...)`` (the p = 1 norm of a window is its sum).

    Args:
        x: input feature maps.
        kernel_size: window size, int or (h, w) pair.
        stride: step between windows; ``None`` (default) means ``kernel_size``, as in PyTorch.
        padding: added on every side, at most half the window, as in PyTorch.

    Returns:
        The pooled maps (float).

    Raises:
        ValueError: ``x`` is not 4-D, padding over half the window, bad sizes, or a window
            larger than the padded input.

    Shape:
        (N, C, H, W) -> (N, C, H_out, W_out), with
        ``H_out = floor((H + 2 * padding - kernel_size) / stride) + 1`` (W alike).

    Example:
        >>> x = np.arange(16.0).reshape(1, 1, 4, 4)
        >>> sum_pool2d(x, 2)[0, 0]
        array([[10., 18.],
               [42., 50.]])
    """
    windows, _ = _pool_windows(x, kernel_size, stride, padding, pad_value=0.0)  # (N, C, Ho, Wo, kH, kW)
    return _reduce_windows(windows, np.add)

"""Checkers for notebook 01, input layer: CHW to HWC, the explorer's strides, a spectrogram's and a Conv1d's shapes."""

from __future__ import annotations

from ..language import tr
from ._common import _as_items, correct, hint


def _as_shape(value, what: str) -> tuple[int, ...]:
    """The student's shape as a tuple of ints, or a hint naming the expected type."""
    from numbers import Integral

    shape = tuple(_as_items(value, tr("{what} should be a tuple of ints such as (1, 2, 3)", what=what)))
    if not all(isinstance(s, Integral) and not isinstance(s, bool) for s in shape):
        raise hint(tr("{what} should be a tuple of ints such as (1, 2, 3), got {value!r}", what=what, value=value))
    return tuple(int(s) for s in shape)


def check_chw_to_hwc(hwc, chw) -> str:
    """Exercise 01-1: turn a C × H × W tensor into the H × W × C that matplotlib shows.

    Args:
        hwc: the student's tensor.
        chw: the C × H × W tensor the student started from.

    Returns:
        The confirmation, when right.

    Raises:
        WrongAnswer: with a hint naming the likely mistake.

    Shape:
        chw: (C, H, W); hwc should be (H, W, C).

    Example:
        >>> import torch
        >>> chw = torch.rand(3, 4, 5)
        >>> check_chw_to_hwc(chw.permute(1, 2, 0), chw)
        Correct! ...
        'Correct! ...'
    """
    import torch

    if not isinstance(hwc, torch.Tensor):
        raise hint(tr("the answer should be a torch.Tensor, got {kind}", kind=type(hwc).__name__))
    c, h, w = chw.shape
    shape = tuple(hwc.shape)
    if shape == (c, h, w) and c != h:
        raise hint(tr("the tensor still has shape {shape}: C × H × W. Move the channels last.", shape=(c, h, w)))
    if shape == (w, h, c) and h != w:
        raise hint(tr("you swapped height and width: permute(2, 1, 0) reverses all axes; keep H before W."))
    if shape != (h, w, c):
        raise hint(tr("the answer should have shape (H, W, C) = {expected}, got {shape}", expected=(h, w, c),
                      shape=shape))
    if torch.equal(hwc, chw.reshape(h, w, c)) and c > 1:
        raise hint(tr("the shape is right but the numbers are scrambled: reshape/view keep the memory "
                      "order, they do not move channels. Use permute(1, 2, 0)."))
    if not torch.equal(hwc, chw.permute(1, 2, 0)):
        raise hint(tr("the shape is right but the values are not the image's: permute the tensor you were "
                      "given."))
    return correct(tr("{before} -> {after}: channels last, pixels unchanged.", before=(c, h, w), after=shape))


STRIDES_SETTING = {"view": "RGB", "batch_size": 4, "layout": "NHWC"}  # ex01-2: the input explorer's sliders


def check_explorer_strides(strides) -> str:
    """Exercise 01-2: predict the strides the input explorer shows for ``STRIDES_SETTING``.

    Args:
        strides: the student's strides in the explorer's order for N×H×W×C: (N, H, W, C).

    Returns:
        The confirmation, when right; it tells the student to set the explorer and look.

    Raises:
        WrongAnswer: with a hint naming the likely mistake.

    Example:
        >>> check_explorer_strides((72 * 72 * 3, 72 * 3, 3, 1))
        Correct! ...
        'Correct! ...'
    """
    from .. import viz
    from ..widgets import _photo_crops

    answer = _as_shape(strides, "strides")
    setting = STRIDES_SETTING
    numbers = viz.input_layout_numbers(_photo_crops(8), **setting)  # what the explorer computes
    expected = numbers["strides"]
    n, h, w, c = numbers["shape"]
    # the explorer's own labels, in the current language
    look = tr("Now set the input explorer of section 3 to {channels} RGB, {batch} 4, {layout} N×H×W×C, and "
              "read its strides.", channels=tr("channels"), batch=tr("batch N"), layout=tr("layout"))
    if answer == expected:
        return correct(tr("{expected}: the 3 values of a pixel are neighbours, a row is {w}·{c} = {row} numbers, "
                          "an image {h}·{w}·{c} = {image:,}. {look}", expected=expected, w=w, c=c, h=h,
                          row=w * c, image=h * w * c, look=look))
    nchw = viz.input_layout_numbers(_photo_crops(8), setting["view"], setting["batch_size"], "NCHW")["strides"]
    if len(answer) != 4:
        raise hint(tr("a batch has four dimensions, so four strides (N, H, W, C), got {count}. {look}",
                      count=len(answer), look=look))
    if answer == nchw:
        raise hint(tr("those are the N×C×H×W strides; in N×H×W×C the channel is last, so its stride is 1. {look}",
                      look=look))
    if answer == tuple(reversed(expected)):
        raise hint(tr("give them in the layout's order, N, H, W, C: the batch's stride is the largest. {look}",
                      look=look))
    if answer[1:3] == (w, 1):
        raise hint(tr("a pixel holds {c} numbers, so one step along W skips {c} and a row skips {w}·{c}. {look}",
                      c=c, w=w, look=look))
    if answer[0] == n * h * w * c:
        raise hint(tr("the next image starts after one image, {h}·{w}·{c} numbers, not after the whole batch. "
                      "{look}", h=h, w=w, c=c, look=look))
    raise hint(tr("the stride of a dimension is the product of the sizes after it: C 1, W {c}, H {w}·{c}, "
                  "N {h}·{w}·{c}. {look}", c=c, w=w, h=h, look=look))


def check_spectrogram_shape(shape) -> str:
    """Exercise 01-3: the shape of ``torch.stft(x, n_fft=256, hop_length=64, ...).abs()``.

    ``x`` holds 0.5 s of sound sampled at 8,000 Hz (4,000 samples); ``center=True``,
    ``return_complex=True``, a Hann window of 256 samples.

    Args:
        shape: the student's (frequency bins, frames).

    Returns:
        The confirmation, when right.

    Raises:
        WrongAnswer: with a hint naming the likely mistake.

    Example:
        >>> check_spectrogram_shape((256 // 2 + 1, 1 + 4000 // 64))
        Correct! ...
        'Correct! ...'
    """
    import torch

    shape = _as_shape(shape, "shape")
    n_fft, hop = 256, 64
    expected = tuple(torch.stft(torch.zeros(4000), n_fft=n_fft, hop_length=hop, window=torch.hann_window(n_fft),
                                return_complex=True).shape)
    bins, frames = expected
    if shape == expected:
        return correct(tr("{bins} frequency bins (0 Hz to 4,000 Hz) × {frames} frames.", bins=bins, frames=frames))
    if shape == (frames, bins):
        raise hint(tr("torch.stft puts frequency first: (frequency bins, frames)."))
    if len(shape) != 2:
        raise hint(tr("one signal gives a 2-D spectrogram (frequency bins, frames), got {count} numbers",
                      count=len(shape)))
    if shape[0] in (n_fft, n_fft // 2):
        raise hint(tr("a real signal gives n_fft // 2 + 1 frequency bins (0 Hz up to half the sampling rate)."))
    if shape[1] == 1 + (4000 - n_fft) // hop:
        raise hint(tr("center=True pads n_fft // 2 samples at both ends, so frames = 1 + samples // hop_length."))
    if shape[1] in (frames - 1, frames + 1):
        raise hint(tr("off by one frames: count 1 + samples // hop_length."))
    raise hint(tr("bins = n_fft // 2 + 1; frames = 1 + samples // hop_length (center=True)."))


def check_conv1d_output_shape(shape) -> str:
    """Exercise 01-4: the output shape of ``nn.Conv1d(50, 8, kernel_size=3)`` on a 12-word sentence.

    The sentence is a batch of one: 12 word vectors of 50 numbers, shape (1, 50, 12).

    Args:
        shape: the student's (N, C_out, L_out).

    Returns:
        The confirmation, when right.

    Raises:
        WrongAnswer: with a hint naming the likely mistake.

    Example:
        >>> check_conv1d_output_shape((1, 8, 10))
        Correct! ...
        'Correct! ...'
    """
    import torch
    from torch import nn

    shape = _as_shape(shape, "shape")
    words, embedding, out_channels, kernel_size = 12, 50, 8, 3
    with torch.no_grad():
        expected = tuple(nn.Conv1d(embedding, out_channels, kernel_size)(torch.zeros(1, embedding, words)).shape)
    n, c, length = expected
    if shape == expected:
        return correct(tr("{length} = {words} - {kernel_size} + 1 windows of 3 words, each giving {c} numbers.",
                          length=length, words=words, kernel_size=kernel_size, c=c))
    if len(shape) != 3:
        raise hint(tr("Conv1d keeps three dimensions (N, C_out, L_out), got {count} numbers", count=len(shape)))
    if shape == (n, length, c):
        raise hint(tr("PyTorch puts channels before length: (N, C_out, L_out)."))
    if shape[1] == embedding:
        raise hint(tr("the output has one channel per kernel: out_channels = 8."))
    if shape[2] == words:
        raise hint(tr("without padding a window of 3 words fits only 12 - 3 + 1 times."))
    if shape[2] in (length - 1, length + 1):
        raise hint(tr("off by one: L_out = L - kernel_size + 1."))
    raise hint(tr("L_out = (L + 2·padding - kernel_size) // stride + 1; N and C_out follow from the layer."))

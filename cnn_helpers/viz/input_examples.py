"""Inputs beyond digits (notebook 01): a photo's channels, audio, a sentence.

An RGB photo split into its channels, audio as a spectrogram, and a sentence as a
sequence of word vectors under a Conv1d.
"""

from __future__ import annotations

from .. import _validation as rule
from ..language import tr
from ._common import INPUT_CMAP, KERNEL_COLOR, OUTPUT_CMAP, describe, new_axes


@rule.checked(image=rule.array(3, "(3, H, W)"))
def plot_channels(image, fig=None):
    """An RGB image and its three channels side by side, each channel as grey levels.

    Args:
        image: an RGB image in [0, 1], PyTorch order.
        fig: a figure to draw on, or ``None`` for a new one.

    Returns:
        The matplotlib figure.

    Raises:
        ValueError: ``image`` is not (3, H, W).

    Shape:
        image: (3, H, W).

    Example:
        >>> import torch
        >>> [ax.get_title() for ax in plot_channels(torch.rand(3, 4, 4)).axes]
        ['RGB photo (3, 4, 4)', 'channel 0: R', 'channel 1: G', 'channel 2: B']
    """
    if getattr(image, "ndim", None) != 3 or image.shape[0] != 3:
        raise ValueError(tr("image must have shape (3, H, W), got {shape}", shape=tuple(getattr(image, "shape", ()))))
    if fig is None:
        from matplotlib.figure import Figure

        fig = Figure(figsize=(10.0, 3.2), layout="constrained")
    axes = fig.subplots(1, 4)
    axes[0].imshow(image.permute(1, 2, 0).numpy())  # imshow wants (H, W, 3)
    axes[0].set_title(tr("RGB photo {shape}", shape=tuple(image.shape)))
    for c, ax in enumerate(axes[1:]):
        ax.imshow(image[c].numpy(), cmap=INPUT_CMAP, vmin=0.0, vmax=1.0)
        ax.set_title(tr("channel {index}: {name}", index=c, name="RGB"[c]))
    for ax in axes:
        ax.set(xlabel=tr("column (W)"), ylabel=tr("row (H)"))
    return describe(fig, tr("A colour photo {shape} and its three channels side by side, "
                            "red, green and blue, each drawn as a grey-level image.", shape=tuple(image.shape)))


@rule.checked(
    magnitude=rule.array(2, lambda: tr("(frequency bins, frames)")),
    sample_rate=rule.number(minimum=1e-9),
    hop_length=rule.integer(1),
    title=rule.text(),
)
def plot_spectrogram(magnitude, sample_rate: float, hop_length: int, title: str, ax=None):
    """A spectrogram in decibels: time across, frequency up.

    Args:
        magnitude: |STFT| as returned by ``torch.stft(...).abs()``.
        sample_rate: samples per second of the signal.
        hop_length: samples between two frames.
        title: the figure's title.
        ax: an axes to draw on, or ``None`` for a new figure.

    Returns:
        The matplotlib figure.

    Shape:
        magnitude: (F, T): F = n_fft // 2 + 1 frequency bins, T frames.

    Example:
        >>> import torch
        >>> fig = plot_spectrogram(torch.ones(129, 20), 8000, 64, "tones")
        >>> fig.axes[0].get_ylabel()
        'frequency (Hz)'
    """
    import torch

    fig, ax = new_axes(ax, figsize=(6.0, 3.2))
    frames = magnitude.shape[1]
    decibels = 20 * torch.log10(magnitude.clamp_min(1e-6))  # (F, T)
    image = ax.imshow(decibels.numpy(), origin="lower", aspect="auto", cmap=OUTPUT_CMAP,
                      extent=(0, frames * hop_length / sample_rate, 0, sample_rate / 2))
    fig.colorbar(image, ax=ax, label=tr("magnitude (dB)"))
    ax.set(title=title, xlabel=tr("time (s)"), ylabel=tr("frequency (Hz)"))
    return describe(ax, tr("Spectrogram: {title}. Frequency (y, Hz) against time (x, seconds), brightness "
                           "is the magnitude in dB.", title=title))


@rule.checked(
    vectors=rule.array(2, lambda: tr("(embedding, words)")),
    words=rule.sequence(rule.text(), 1),
    output=rule.array(2, lambda: tr("(channels, positions)")),
    kernel_size=rule.integer(1),
)
def plot_sequence_conv(vectors, words, output, kernel_size: int, fig=None):
    """A sentence as word vectors (columns) and a Conv1d's output, first window outlined.

    Args:
        vectors: one column per word, one row per embedding dimension.
        words: the words, one per column.
        output: the Conv1d output, one column per window position.
        kernel_size: words per window.
        fig: a figure to draw on, or ``None`` for a new one.

    Returns:
        The matplotlib figure.

    Shape:
        vectors: (E, L); output: (C_out, L_out).

    Example:
        >>> import torch
        >>> fig = plot_sequence_conv(torch.rand(4, 5), list("abcde"), torch.rand(2, 3), 3)
        >>> [ax.get_title() for ax in fig.axes]
        ['input: 5 word vectors (4, 5)', 'Conv1d output (2, 3)']
    """
    from matplotlib.patches import Rectangle

    if fig is None:
        from matplotlib.figure import Figure

        fig = Figure(figsize=(8.0, 3.0), layout="constrained")
    ax_in, ax_out = fig.subplots(1, 2, width_ratios=[vectors.shape[1], output.shape[1]])
    ax_in.imshow(vectors.numpy(), cmap=INPUT_CMAP, aspect="auto")
    ax_in.add_patch(Rectangle((-0.5, -0.5), kernel_size, vectors.shape[0], fill=False, ec=KERNEL_COLOR, lw=2.5))
    ax_in.set_xticks(range(len(words)), words, rotation=45)
    ax_in.set(title=tr("input: {count} word vectors {shape}", count=len(words), shape=tuple(vectors.shape)),
              xlabel=tr("word (position)"), ylabel=tr("embedding dimension (channel)"))
    ax_out.imshow(output.numpy(), cmap=OUTPUT_CMAP, aspect="auto")
    ax_out.add_patch(Rectangle((-0.5, -0.5), 1, output.shape[0], fill=False, ec=KERNEL_COLOR, lw=2.5))
    ax_out.set(title=tr("Conv1d output {shape}", shape=tuple(output.shape)), xlabel=tr("window position"),
               ylabel=tr("output channel"))
    return describe(fig, tr("Left: {count} word vectors as columns ({words}), a window of {kernel_size} words "
                            "outlined. Right: the Conv1d output {shape}, one column per window position.",
                            count=len(words), words=" ".join(map(str, words)), kernel_size=kernel_size,
                            shape=tuple(output.shape)))


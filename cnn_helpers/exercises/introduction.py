"""Checkers for notebook 00, introduction: numbers in a batch, correlation down the rows, a dense layer's parameters."""

from __future__ import annotations

from ..language import foreign, tr
from ._common import _as_count, correct, hint


def check_batch_numel(numel) -> str:
    """Exercise 00-1: how many numbers a batch of 32 RGB images of 224 × 224 pixels holds.

    Args:
        numel: the student's count.

    Returns:
        The confirmation, when right.

    Raises:
        WrongAnswer: with a hint naming the likely mistake.

    Example:
        >>> check_batch_numel(32 * 3 * 224 * 224)
        Correct! ...
        'Correct! ...'
    """
    import torch

    numel = _as_count(numel, "numel")
    n, c, h, w = 32, 3, 224, 224
    expected = torch.empty(n, c, h, w, device="meta").numel()  # shape only, no memory
    if numel == expected:
        return correct(tr("a batch of shape ({n}, {c}, {h}, {w}) holds {expected:,} numbers.",
                          n=n, c=c, h=h, w=w, expected=expected))
    if numel == expected // n:
        raise hint(tr("{numel:,} is one image; the batch holds {n} of them.", numel=numel, n=n))
    if numel == expected // c:
        raise hint(tr("you counted one number per pixel; an RGB pixel has 3 numbers, one per channel."))
    if numel == expected * 4:
        raise hint(tr("that is the size in bytes (4 bytes per float32); the question asks for numbers."))
    raise hint(tr("multiply the four sizes of the batch's shape N × C × H × W."))


CORRELATION_CASES = ((1, 0), (3, 1), (8, 2))  # ex00-2: (d, seed of a random smooth image)


def _smooth_image(seed: int):
    """A random 30 × 24 image whose neighbouring pixels are alike (noise, blurred), different along rows and columns."""
    import torch
    import torch.nn.functional as F

    generator = torch.Generator().manual_seed(seed)
    noise = torch.rand(1, 1, 36, 30, generator=generator)
    kernel = torch.rand(1, 1, 5, 7, generator=generator)  # wider than tall: rows and columns differ
    return F.conv2d(noise, kernel / kernel.sum())[0, 0]  # (32, 24)


def _correlation(a, b) -> float:
    import torch

    return torch.corrcoef(torch.stack([a.flatten(), b.flatten()]))[0, 1].item()


def check_correlation_down(correlation_down) -> str:
    """Exercise 00-2: ``correlation_down(image, d)``, the correlation of each pixel with the pixel d rows below it.

    Args:
        correlation_down: the student's function of a 2-D tensor (H, W) and a distance ``d``,
            returning the correlation as a number.

    Returns:
        The confirmation, when right.

    Raises:
        WrongAnswer: with a hint naming the likely mistake.
        NotImplementedError: the unfilled stub, passed through.

    Example:
        >>> import torch
        >>> def correlation_down(image, d):
        ...     return torch.corrcoef(torch.stack([image[:-d].flatten(), image[d:].flatten()]))[0, 1].item()
        >>> check_correlation_down(correlation_down)
        Correct! ...
        'Correct! ...'
    """
    import math

    from ._common import _plain_answer

    if not callable(correlation_down):
        raise hint(tr("correlation_down should be a function, got {function!r} of type {kind}",
                      function=correlation_down, kind=type(correlation_down).__name__))
    for d, seed in CORRELATION_CASES:
        image = _smooth_image(seed)
        call = tr("correlation_down(image, {d}) on a random {shape} image", d=d, shape=tuple(image.shape))
        try:
            value = correlation_down(image.clone(), d)
        except NotImplementedError:
            raise
        except Exception as error:
            raise hint(tr("{call} raised {kind}: {error}", call=call, kind=type(error).__name__,
                          error=foreign(error))) from error
        if getattr(value, "shape", None) == (2, 2):
            raise hint(tr("that is the whole 2 × 2 correlation matrix; its entry [0, 1] is the correlation"))
        value = _plain_answer(value)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise hint(tr("{call} should return the correlation as a number, got {value!r}", call=call,
                          value=value))
        expected = _correlation(image[:-d], image[d:])

        def near(other, value=value):
            return abs(value - other) <= 1e-4

        if near(expected):
            continue
        if near(_correlation(image[:, :-d], image[:, d:])):
            raise hint(tr("that compares each pixel with the one d columns to its right; 'below' means the "
                          "next rows, the first index: image[:-d] and image[d:]"))
        if d > 1 and near(_correlation(image[:-(d - 1)], image[d - 1:])) or near(
                _correlation(image[:-(d + 1)], image[d + 1:])):
            raise hint(tr("off by one row: for d = {d} pair row y with row y + {d}: image[:-d] and image[d:]",
                          d=d))
        raise hint(tr("{call} gave {value:.4f}, expected {expected:.4f}: pair every pixel with the pixel d rows "
                      "below it, flatten both, and take torch.corrcoef of the two rows",
                      call=call, value=value, expected=expected))
    return correct(tr("each pixel paired with the one d rows below, flattened and correlated. Try it on the "
                      "photo: correlation_down(gray, 1)."))


def check_dense_parameters(parameters) -> str:
    """Exercise 00-3: parameters of a fully connected layer from a 64 × 64 RGB image to 100 units.

    Args:
        parameters: the student's count, weights and biases together.

    Returns:
        The confirmation, when right.

    Raises:
        WrongAnswer: with a hint naming the likely mistake.

    Example:
        >>> check_dense_parameters(3 * 64 * 64 * 100 + 100)
        Correct! ...
        'Correct! ...'
    """
    from torch import nn

    parameters = _as_count(parameters, "parameters")
    inputs, units = 3 * 64 * 64, 100
    layer = nn.Linear(inputs, units, device="meta")  # shapes only, no memory
    expected = sum(p.numel() for p in layer.parameters())
    if parameters == expected:
        return correct(tr("{expected:,} parameters for one layer of 100 units: every unit sees every number.",
                          expected=expected))
    if parameters == inputs * units:
        raise hint(tr("you counted the weights; each of the 100 units also has a bias."))
    if parameters == (64 * 64) * units + units:
        raise hint(tr("an RGB image has 3 numbers per pixel, so the layer has 3 × 64 × 64 inputs."))
    if parameters in (inputs, inputs + units):
        raise hint(tr("every one of the 100 units has its own weight for each input number."))
    raise hint(tr("weights: inputs × units; biases: one per unit; add them."))

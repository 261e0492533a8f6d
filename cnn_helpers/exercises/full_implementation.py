"""Checkers for notebook 06, full implementation: steps per epoch, a confusion matrix, the embedding's input."""

from __future__ import annotations

from ._common import _as_count, _as_items, correct, hint

STEPS_EXERCISE = {"images": 4000, "batch_size": 128}  # ex06-1: steps in one epoch of the bundled set


def check_steps_per_epoch(steps) -> str:
    """Exercise 06-1: optimisation steps in one epoch of 4,000 images with ``batch_size=128``.

    Args:
        steps: the student's count.

    Returns:
        The confirmation, when right.

    Raises:
        WrongAnswer: with a hint naming the likely mistake.

    Example:
        >>> check_steps_per_epoch(32)
        Correct! ...
        'Correct! ...'
    """
    import math

    n, b = STEPS_EXERCISE["images"], STEPS_EXERCISE["batch_size"]
    if isinstance(steps, float) and not steps.is_integer():
        raise hint(f"a step uses one whole batch, so the count is a whole number; {n} / {b} = {steps:.4g} "
                   "batches means some full batches plus one smaller last batch.")
    answer = _as_count(int(steps) if isinstance(steps, float) else steps, "steps")
    expected = math.ceil(n / b)
    if answer == expected:
        return correct(f"{n // b} full batches of {b} and a last one of {n - (n // b) * b} images: "
                       f"{expected} steps (fit keeps the smaller last batch).")
    if answer == n // b:
        raise hint(f"{n} // {b} counts the full batches only; the {n % b} images left over make one "
                   "more, smaller batch (fit does not drop it). Round up.")
    if answer == n:
        raise hint("that is one step per image; a step takes a whole batch of images.")
    if answer == b:
        raise hint(f"that is the batch size; how many batches of {b} does it take to cover {n} images?")
    raise hint(f"count the batches: ⌈{n} / {b}⌉, the last batch may be smaller.")


def _as_confusion(confusion):
    import numpy as np

    matrix = np.asarray(confusion.detach().cpu() if hasattr(confusion, "detach") else confusion)
    if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1]:
        raise ValueError(f"confusion must be a square (classes, classes) matrix, got shape {matrix.shape}")
    return matrix


def _as_number(value, what: str) -> float:
    from numbers import Real

    if hasattr(value, "item") and getattr(value, "ndim", 0) == 0:
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, Real):
        raise hint(f"{what} should be a number (a float), got {value!r} of type {type(value).__name__}")
    return float(value)


def check_accuracy_from_confusion(accuracy, confusion) -> str:
    """Exercise 06-2: the accuracy read off a confusion matrix.

    Args:
        accuracy: the student's accuracy, a fraction in [0, 1].
        confusion: the (classes, classes) confusion matrix it was computed from
            (row = true class, column = predicted class).

    Returns:
        The confirmation, when right.

    Raises:
        WrongAnswer: with a hint naming the likely mistake.
        ValueError: ``confusion`` is not a square matrix (a bug in the notebook, not the answer).

    Example:
        >>> check_accuracy_from_confusion(0.9, [[5, 1], [0, 4]])
        Correct! ...
        'Correct! ...'
    """
    import numpy as np

    matrix = _as_confusion(confusion)
    answer = _as_number(accuracy, "accuracy")
    right, total = int(np.trace(matrix)), int(matrix.sum())
    expected = right / total

    def near(value):
        return abs(answer - value) <= 1e-6 * max(1.0, abs(value))

    if near(expected):
        return correct(f"the diagonal holds the right answers: {right} of {total} = {expected:.3f}.")
    if near(100 * expected):
        raise hint("that is a percentage; give the accuracy as a fraction between 0 and 1.")
    if near(right):
        raise hint(f"{right} is the number of right answers (the diagonal); divide by the number of images.")
    if near(1 - expected):
        raise hint("that is the error rate: the off-diagonal cells are the mistakes, the diagonal the "
                   "right answers.")
    if near(matrix[0, 0] / matrix[0].sum()):
        raise hint("that is the accuracy on class 0 only (row 0); use the whole diagonal over all images.")
    raise hint("accuracy = (sum of the diagonal) / (sum of all cells); torch.trace or np.trace sums "
               "the diagonal.")


def _as_pair(value) -> tuple[int, int]:
    from numbers import Integral

    value = _as_items(value, "give the pair as (true digit, predicted digit), two ints")
    if len(value) != 2 or not all(isinstance(v, Integral) and not isinstance(v, bool) for v in value):
        raise hint(f"give the pair as (true digit, predicted digit), two ints, got {value!r}")
    return int(value[0]), int(value[1])


def check_most_confused(pair, confusion) -> str:
    """Exercise 06-3: the (true, predicted) pair of different digits the model mixes up most often.

    Args:
        pair: the student's ``(true digit, predicted digit)``.
        confusion: the confusion matrix (row = true class, column = predicted class).

    Returns:
        The confirmation, when right (any of several tied pairs is right).

    Raises:
        WrongAnswer: with a hint naming the likely mistake.
        ValueError: ``confusion`` is not a square matrix.

    Example:
        >>> check_most_confused((1, 0), [[5, 1], [3, 4]])
        Correct! ...
        'Correct! ...'
    """
    import numpy as np

    matrix = _as_confusion(confusion).astype(np.int64)
    true, predicted = _as_pair(pair)
    n = matrix.shape[0]
    if not (0 <= true < n and 0 <= predicted < n):
        raise hint(f"digits go from 0 to {n - 1}, got {pair!r}")
    mistakes = matrix.copy()
    np.fill_diagonal(mistakes, -1)
    most = mistakes.max()
    if true == predicted:
        raise hint("the diagonal counts right answers; look for the largest count off the diagonal.")
    if mistakes[true, predicted] == most:
        return correct(f"{most} images of a {true} were called {predicted}: the largest count off the diagonal.")
    if mistakes[predicted, true] == most:
        raise hint("swapped: rows are the true digit, columns the prediction; give (row, column).")
    raise hint(f"cell [{true}, {predicted}] holds {mistakes[true, predicted]}; find the largest count off the "
               "diagonal (set the diagonal to -1 first, then argmax).")


def check_embedding_input_size(size) -> str:
    """Exercise 06-4: how many numbers per image the 2-D embedding starts from (conv2's output, flattened).

    Args:
        size: the student's count.

    Returns:
        The confirmation, when right.

    Raises:
        WrongAnswer: with a hint naming the likely mistake.

    Example:
        >>> check_embedding_input_size(1568)
        Correct! ...
        'Correct! ...'
    """
    import torch

    from ..model import SeedCNN

    answer = _as_count(size, "size")
    expected = SeedCNN().features(torch.zeros(1, 1, 28, 28)).shape[1]  # the model's answer
    if answer == expected:
        return correct(f"conv2 hands 32 maps of 7 × 7 to the classifier: 32·7·7 = {expected} numbers per image.")
    if answer == 32 * 14 * 14:
        raise hint("that is conv2's output before its pooling; the 2 × 2 max pooling halves 14 × 14 to 7 × 7.")
    if answer == 28 * 28:
        raise hint("784 is the raw image (28·28 pixels), or 16·7·7; the embedding starts from conv2's "
                   "output, 32 maps.")
    if answer == 16 * 14 * 14:
        raise hint("that is conv1's output (16 maps of 14 × 14); the embedding uses conv2's, 32 maps.")
    if answer == 10:
        raise hint("10 is the output of the last Linear (the logits); the embedding uses what goes into it.")
    raise hint("trace the shapes: (1, 28, 28) → conv1 → (16, 14, 14) → conv2 → (32, 7, 7), then flatten.")

"""The feedback every checker gives, and the answer check that several notebooks' checkers share.

A checker returns :func:`correct`'s confirmation for a right answer and raises
``hint("...")``, a :class:`WrongAnswer`, for a wrong one; ``_as_count`` turns a student's
count into an int or raises the hint that names the expected type.
"""

from __future__ import annotations

from ..language import foreign, tr


class WrongAnswer(AssertionError):
    """A wrong answer to an exercise; the message is the hint shown to the student."""


class Feedback(str):
    """A checker's confirmation: printed once by :func:`correct`, so Jupyter does not echo it again."""

    def _ipython_display_(self) -> None:
        # The message was printed already (a check call is not always a cell's last line,
        # e.g. when hidden tests follow it); showing the return value too would say it twice.
        pass


def correct(message: str) -> Feedback:
    """Print and return the confirmation for a right answer.

    Example:
        >>> text = correct("1 + 1 = 2.")
        Correct! 1 + 1 = 2.
        >>> text.startswith("Correct!")
        True
    """
    text = Feedback(tr("Correct! {message}", message=message))
    print(text)
    return text


def hint(message: str) -> WrongAnswer:
    """Build the exception a checker raises for a wrong answer: ``raise hint("...")``."""
    return WrongAnswer(message)


def _plain_answer(value):
    """A 0-d tensor or NumPy array or a NumPy scalar as the Python number it holds; anything else as it is.

    Students get these from ``x.sum()``, ``np.argmax`` and ``.shape[0]`` arithmetic, so they
    count as the number they hold.
    """
    if getattr(value, "ndim", None) == 0 and hasattr(value, "item"):
        return value.item()
    return value


def _as_items(value, expected: str) -> list:
    """The student's collection (set, list, tuple, array, tensor) as a list, or the hint ``expected + ", got ..."``."""
    if getattr(value, "ndim", None) == 0:
        raise hint(tr("{expected}, got a single value {value!r}", expected=expected, value=value))
    if hasattr(value, "tolist") and not isinstance(value, (str, bytes)):
        value = value.tolist()  # an array or tensor: its entries as Python numbers
    if isinstance(value, (str, bytes, dict)) or not hasattr(value, "__iter__"):
        raise hint(tr("{expected}, got {value!r}", expected=expected, value=value))
    try:
        return [_plain_answer(item) for item in value]
    except TypeError:
        raise hint(tr("{expected}, got {value!r}", expected=expected, value=value)) from None


def _as_count(value, what: str) -> int:
    """The student's count as an int, or a hint naming the expected type."""
    from numbers import Integral

    value = _plain_answer(value)
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise hint(tr("{what} should be a whole number (an int), got {value!r} of type {kind}",
                      what=what, value=value, kind=type(value).__name__))
    return int(value)


# --- the coding exercises: run the student's function, read what it returns ---


def _call(function, name: str, args: tuple, where: str):
    """``function(*args)``; its errors become a hint naming the call, except an unfilled stub's NotImplementedError.

    ``where`` describes the arguments ("x of shape (1, 1, 5, 5), ..."), so the student can
    repeat the call; the original error stays attached as the hint's cause.
    """
    if not callable(function):
        raise hint(tr("{name} should be the function you defined, got {function!r} of type {kind}",
                      name=name, function=function, kind=type(function).__name__))
    try:
        return function(*args)
    except NotImplementedError:
        raise  # the stub `raise NotImplementedError()`: the exercise is not done yet
    except Exception as error:
        raise hint(tr("{name} raised {kind}: {error}; it was called with {where} "
                      "(the traceback above this message shows where).",
                      name=name, kind=type(error).__name__, error=foreign(error), where=where)) from error


def _as_float_tensor(value, name: str):
    """What the student's function returned as a float64 tensor, or a hint saying what came back instead."""
    import numpy as np
    import torch

    if value is None:
        raise hint(tr("{name} returned None: did you forget the `return` at the end?", name=name))
    if isinstance(value, np.ndarray):
        if value.dtype.kind not in "biuf":
            raise hint(tr("{name} returned a NumPy array of dtype {dtype}; return a tensor of numbers",
                          name=name, dtype=value.dtype))
        value = torch.from_numpy(value)
    if not isinstance(value, torch.Tensor):
        raise hint(tr("{name} should return a tensor (or a NumPy array), got {kind}",
                      name=name, kind=type(value).__name__))
    if not value.is_floating_point():
        raise hint(tr("{name} returned a tensor of dtype {dtype}; results that are not whole numbers "
                      "need floats: create the output with torch.zeros(..., dtype=x.dtype)",
                      name=name, dtype=value.dtype))
    return value.detach().cpu().to(torch.float64)


def _first_difference(answer, expected, atol: float = 1e-4) -> str:
    """How many values differ and the first of them (in reading order): index, the student's value, the right one."""
    import torch

    wrong = ~torch.isclose(answer, expected, rtol=1e-4, atol=atol)
    index = tuple(wrong.nonzero()[0].tolist())
    return tr("{count} of {total} values differ; the first at index {index}: yours {yours:.5g}, expected "
              "{expected:.5g}", count=int(wrong.sum()), total=wrong.numel(), index=index,
              yours=answer[index].item(), expected=expected[index].item())

"""The feedback every checker gives, and the answer check that several notebooks' checkers share.

A checker returns :func:`correct`'s confirmation for a right answer and raises
``hint("...")``, a :class:`WrongAnswer`, for a wrong one; ``_as_count`` turns a student's
count into an int or raises the hint that names the expected type.
"""

from __future__ import annotations


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
    text = Feedback(f"Correct! {message}")
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
        raise hint(f"{expected}, got a single value {value!r}")
    if hasattr(value, "tolist") and not isinstance(value, (str, bytes)):
        value = value.tolist()  # an array or tensor: its entries as Python numbers
    if isinstance(value, (str, bytes, dict)) or not hasattr(value, "__iter__"):
        raise hint(f"{expected}, got {value!r}")
    try:
        return [_plain_answer(item) for item in value]
    except TypeError:
        raise hint(f"{expected}, got {value!r}") from None


def _as_count(value, what: str) -> int:
    """The student's count as an int, or a hint naming the expected type."""
    from numbers import Integral

    value = _plain_answer(value)
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise hint(f"{what} should be a whole number (an int), got {value!r} of type {type(value).__name__}")
    return int(value)

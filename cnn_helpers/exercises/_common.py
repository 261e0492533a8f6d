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


def _as_count(value, what: str) -> int:
    """The student's count as an int, or a hint naming the expected type."""
    from numbers import Integral

    if isinstance(value, bool) or not isinstance(value, Integral):
        raise hint(f"{what} should be a whole number (an int), got {value!r} of type {type(value).__name__}")
    return int(value)

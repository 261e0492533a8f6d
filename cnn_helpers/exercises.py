"""Checkers for the notebooks' exercises: specific feedback, not just right or wrong.

Every checker takes the student's answer, returns a short confirmation when it is right,
and raises :class:`WrongAnswer` (an ``AssertionError``, so nbgrader scores the test cell 0)
with a hint that names the likely mistake when it is not.

Example:
    >>> from cnn_helpers.exercises import WrongAnswer
    >>> issubclass(WrongAnswer, AssertionError)
    True
"""

from __future__ import annotations


class WrongAnswer(AssertionError):
    """A wrong answer to an exercise; the message is the hint shown to the student."""


def correct(message: str) -> str:
    """The confirmation a checker returns (and prints) for a right answer."""
    text = f"Correct! {message}"
    print(text)
    return text


def hint(message: str) -> WrongAnswer:
    """Build the exception a checker raises for a wrong answer: ``raise hint("...")``."""
    return WrongAnswer(message)

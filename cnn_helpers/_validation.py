"""Small shared checks that raise ValueError/TypeError naming the argument, value and fix."""

from __future__ import annotations

from numbers import Integral

Pair = tuple[int, int]


def check_int(value, name: str, minimum: int | None = None) -> int:
    """Return ``value`` as an int, or raise naming ``name`` when it is not an integer >= minimum.

    Example:
        >>> check_int(3, "stride", minimum=1)
        3
        >>> check_int(0, "stride", minimum=1)
        Traceback (most recent call last):
        ...
        ValueError: stride must be an integer >= 1, got 0
    """
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise TypeError(f"{name} must be an integer, got {value!r} of type {type(value).__name__}")
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def to_pair(value, name: str, minimum: int | None = None) -> Pair:
    """Normalise an int or an (h, w) pair to an (h, w) tuple of checked ints.

    Example:
        >>> to_pair(3, "kernel_size", minimum=1)
        (3, 3)
        >>> to_pair((3, 5), "kernel_size", minimum=1)
        (3, 5)
    """
    if isinstance(value, (tuple, list)):
        if len(value) != 2:
            raise ValueError(f"{name} must be an int or an (h, w) pair, got {value!r} with {len(value)} entries")
        return (check_int(value[0], f"{name}[0]", minimum), check_int(value[1], f"{name}[1]", minimum))
    v = check_int(value, name, minimum)
    return (v, v)


def check_choice(value, name: str, choices) -> str:
    """Return ``value`` when it is one of ``choices``, else raise a ValueError listing them.

    Example:
        >>> check_choice("max", "mode", ("max", "avg"))
        'max'
    """
    if value not in choices:
        allowed = ", ".join(repr(c) for c in choices)
        raise ValueError(f"{name} must be one of {allowed}, got {value!r}")
    return value

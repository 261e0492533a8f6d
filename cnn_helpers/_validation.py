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
    allowed = ", ".join(repr(c) for c in choices)
    try:
        known = value in choices
    except (TypeError, ValueError):  # an array or tensor: its == gives no single truth value
        known = False
    if not known:
        raise ValueError(f"{name} must be one of {allowed}, got {value!r}")
    return value


def check_number(value, name: str, minimum: float | None = None, maximum: float | None = None) -> float:
    """Return ``value`` as a finite float (Python or NumPy number), or raise naming ``name``.

    Example:
        >>> check_number(0.5, "probability", minimum=0, maximum=1)
        0.5
        >>> check_number(float("nan"), "sample_rate")
        Traceback (most recent call last):
        ...
        ValueError: sample_rate must be a finite number, got nan
    """
    from numbers import Real

    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"{name} must be a number, got {value!r} of type {type(value).__name__}")
    number = float(value)
    if number != number or number in (float("inf"), float("-inf")):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    if (minimum is not None and number < minimum) or (maximum is not None and number > maximum):
        low = "" if minimum is None else f" >= {minimum}"
        high = "" if maximum is None else f" <= {maximum}"
        raise ValueError(f"{name} must be a number{low}{' and' if low and high else ''}{high}, got {value!r}")
    return number


def check_text(value, name: str) -> str:
    """Return ``value`` when it is a string (a title, a label), else raise a TypeError naming ``name``.

    Example:
        >>> check_text("loss", "title")
        'loss'
    """
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a string, got {value!r} of type {type(value).__name__}")
    return value


def check_array(value, name: str, ndim: int | tuple[int, ...] | None = None, shape: str = "", fix: str = "",
                finite: bool = True, allow_empty: bool = False):
    """Return ``value`` (a tensor, NumPy array or nested list of numbers) as a NumPy array, or raise naming ``name``.

    Args:
        value: the argument to check.
        name: its name, for the message.
        ndim: the number of dimensions allowed (an int or a tuple of them); None: any.
        shape: the expected shape in words, e.g. ``"(H, W)"``, for the message.
        fix: a hint appended to a wrong-dimension message, e.g. ``"pick one channel, e.g. photo[0]"``.
        finite: refuse NaN and infinite values.
        allow_empty: accept an array with no elements.

    Returns:
        The values as a NumPy array (a tensor is detached and copied to the CPU).

    Raises:
        TypeError: not numbers (a string, None, an object, a ragged list).
        ValueError: the wrong number of dimensions, no elements, or NaN/infinite values.

    Example:
        >>> check_array([[1, 2], [3, 4]], "image", ndim=2).shape
        (2, 2)
        >>> check_array([1, 2], "image", ndim=2, shape="(H, W)")
        Traceback (most recent call last):
        ...
        ValueError: image must be a 2-D (H, W) tensor, got shape (2,)
    """
    import numpy as np

    array = value
    if hasattr(value, "detach") and hasattr(value, "cpu"):  # a torch tensor, without importing torch here
        array = value.detach().cpu()
        if str(getattr(array, "dtype", "")) == "torch.bfloat16":
            array = array.float()
        array = array.numpy()
    if value is None or isinstance(value, (str, bytes, dict, set)):
        raise TypeError(f"{name} must be an array of numbers (a tensor or NumPy array), got {type(value).__name__}")
    try:
        array = np.asarray(array)
    except (ValueError, TypeError) as error:  # a ragged nested list
        raise TypeError(f"{name} must be an array of numbers (a tensor or NumPy array), got a "
                        f"{type(value).__name__} that is not one ({error})") from None
    if array.dtype == object or not (np.issubdtype(array.dtype, np.number) or array.dtype == bool):
        raise TypeError(f"{name} must be an array of numbers (a tensor or NumPy array), got {type(value).__name__} "
                        f"of dtype {array.dtype}")
    if np.iscomplexobj(array):
        raise TypeError(f"{name} must hold real numbers, got complex values")
    allowed = (ndim,) if isinstance(ndim, int) else ndim
    if allowed is not None and array.ndim not in allowed:
        dims = " or ".join(str(d) for d in allowed)
        raise ValueError(f"{name} must be a {dims}-D{' ' + shape if shape else ''} tensor, got shape "
                         f"{array.shape}"
                         + (f"; {fix}" if fix else ""))
    if array.size == 0 and not allow_empty:
        raise ValueError(f"{name} is empty (shape {array.shape}); give at least one value")
    if finite and array.size and not np.isfinite(array.astype(float, copy=False)).all():
        raise ValueError(f"{name} holds NaN or infinite values; replace them first, e.g. with np.nan_to_num")
    return array


# --- rules for ``checked``: each is ``rule(value, name) -> value`` and raises naming ``name`` ---


def array(ndim=None, shape: str = "", fix: str = "", finite: bool = True, allow_empty: bool = False):
    """A rule: an array of numbers with ``ndim`` dimensions (see :func:`check_array`); the value is kept as given."""
    def rule(value, name):
        check_array(value, name, ndim, shape, fix, finite, allow_empty)
        return value
    return rule


def integer(minimum: int | None = None, maximum: int | None = None):
    """A rule: an integer (NumPy integers too) in ``minimum .. maximum``, returned as an int."""
    def rule(value, name):
        value = check_int(value, name, minimum)
        if maximum is not None and value > maximum:
            raise ValueError(f"{name} must be an integer <= {maximum}, got {value}")
        return value
    return rule


def pair(minimum: int | None = None):
    """A rule: an int or an (h, w) pair of ints >= ``minimum``, returned as an (h, w) tuple."""
    return lambda value, name: to_pair(value, name, minimum)


def number(minimum: float | None = None, maximum: float | None = None):
    """A rule: a finite number in ``minimum .. maximum``, returned as a float."""
    return lambda value, name: check_number(value, name, minimum, maximum)


def text():
    """A rule: a string (a title, a label)."""
    return lambda value, name: check_text(value, name)


def choice(choices):
    """A rule: one of ``choices``."""
    def rule(value, name):
        if not isinstance(value, str):
            allowed = ", ".join(repr(c) for c in choices)
            raise TypeError(f"{name} must be one of {allowed}, got {value!r} of type {type(value).__name__}")
        return check_choice(value, name, tuple(choices))
    return rule


def optional(inner):
    """A rule: None, or what ``inner`` accepts."""
    return lambda value, name: None if value is None else inner(value, name)


def sequence(item, minimum_length: int = 0, length: int | None = None, example: str = ""):
    """A rule: a list, tuple or other sequence (or 1-D array) whose items each pass ``item``; kept as given."""
    def rule(value, name):
        from collections.abc import Sequence

        items = value.tolist() if hasattr(value, "tolist") and getattr(value, "ndim", None) == 1 else value
        if isinstance(items, (str, bytes)) or not isinstance(items, Sequence):
            raise TypeError(f"{name} must be a list{', e.g. ' + example if example else ''}, got {value!r} of type "
                            f"{type(value).__name__}")
        if len(items) == 0 and minimum_length:
            raise ValueError(f"{name} is empty; give at least {minimum_length}{', e.g. ' + example if example else ''}")
        if len(items) < minimum_length or (length is not None and len(items) != length):
            wanted = f"{length}" if length is not None else f"at least {minimum_length}"
            raise ValueError(f"{name} must have {wanted} entries, got {len(items)}")
        for i, v in enumerate(items):
            item(v, f"{name}[{i}]")
        return value
    return rule


def tuple_of(*rules, example: str = ""):
    """A rule: a tuple (or list) with one entry per rule, each passing its rule; kept as given."""
    def rule(value, name):
        if not isinstance(value, (tuple, list)) or len(value) != len(rules):
            raise TypeError(f"{name} must be a tuple of {len(rules)}{', e.g. ' + example if example else ''}, "
                            f"got {value!r}")
        for i, (inner, v) in enumerate(zip(rules, value, strict=True)):
            inner(v, f"{name}[{i}]")
        return value
    return rule


def attributes(*names: str, example: str = ""):
    """A rule: an object with every one of ``names`` as an attribute (a History, a trace row)."""
    def rule(value, name):
        missing = [n for n in names if not hasattr(value, n)]
        if missing:
            raise TypeError(f"{name} must have {', '.join(names)}{' (' + example + ')' if example else ''}; got "
                            f"{type(value).__name__}, which has no {', '.join(missing)}")
        return value
    return rule


def figure():
    """A rule: a matplotlib figure (anything with ``savefig``)."""
    def rule(value, name):
        if not hasattr(value, "savefig") or isinstance(value, type):
            raise TypeError(f"{name} must be a matplotlib Figure, e.g. from new_axes(), got {type(value).__name__}")
        return value
    return rule


def axes(figure_too: bool = False):
    """A rule: a matplotlib Axes (anything with ``get_xlim`` and ``figure``), or a Figure too if ``figure_too``."""
    def rule(value, name):
        if figure_too and hasattr(value, "savefig") and not isinstance(value, type):
            return value
        if not (hasattr(value, "get_xlim") and hasattr(value, "figure")) or isinstance(value, type):
            allowed = "a matplotlib Axes or Figure" if figure_too else "a matplotlib Axes"
            raise TypeError(f"{name} must be {allowed}, e.g. from new_axes(), got {type(value).__name__}")
        return value
    return rule


def size_pair():
    """A rule: a (width, height) pair of positive numbers in inches."""
    return sequence(number(minimum=0.01, maximum=100), length=2, example="(4.0, 3.0)")


def mapping(value_rule, minimum_length: int = 1, example: str = ""):
    """A rule: a dict of name (str) -> value passing ``value_rule``."""
    def rule(value, name):
        from collections.abc import Mapping

        if not isinstance(value, Mapping):
            raise TypeError(f"{name} must be a dict of name -> value{', e.g. ' + example if example else ''}, got "
                            f"{value!r} of type {type(value).__name__}")
        if len(value) < minimum_length:
            raise ValueError(f"{name} is empty; give at least {minimum_length} entry")
        for key, item in value.items():
            check_text(key, f"{name} key")
            value_rule(item, f"{name}[{key!r}]")
        return value
    return rule


def region():
    """A rule: a region ``((top, bottom), (left, right))`` of ints with top <= bottom, left <= right."""
    def rule(value, name):
        if not isinstance(value, (tuple, list)) or len(value) != 2:
            raise TypeError(f"{name} must be a region ((top, bottom), (left, right)), got {value!r}")
        (top, bottom), (left, right) = (to_pair(tuple(axis) if isinstance(axis, (list, tuple)) else axis,
                                                f"{name}[{i}]") for i, axis in enumerate(value))
        if bottom < top or right < left:
            raise ValueError(f"{name} must have top <= bottom and left <= right, got {value!r}")
        return ((top, bottom), (left, right))
    return rule


def any_of(*rules):
    """A rule: what the first of ``rules`` that accepts it returns; else the first rule's error."""
    def rule(value, name):
        first = None
        for inner in rules:
            try:
                return inner(value, name)
            except (TypeError, ValueError) as error:
                first = first or error
        raise first
    return rule


def checked(**rules):
    """Decorate a function so that the named arguments pass their rules before it runs.

    The boundary check of the plotting functions: each argument's rule raises a
    ValueError/TypeError naming it, so nothing inside the function fails on a bad argument.

    Example:
        >>> @checked(size=integer(minimum=1))
        ... def double(size):
        ...     return 2 * size
        >>> double(0)
        Traceback (most recent call last):
        ...
        ValueError: size must be an integer >= 1, got 0
    """
    import functools
    import inspect

    def decorate(function):
        signature = inspect.signature(function)
        unknown = set(rules) - set(signature.parameters)
        if unknown:
            raise TypeError(f"checked() names {sorted(unknown)}, which {function.__name__} does not take")

        @functools.wraps(function)
        def wrapper(*args, **kwargs):
            bound = signature.bind(*args, **kwargs)
            for name, rule in rules.items():
                if name in bound.arguments:
                    bound.arguments[name] = rule(bound.arguments[name], name)
            return function(*bound.args, **bound.kwargs)

        return wrapper

    return decorate

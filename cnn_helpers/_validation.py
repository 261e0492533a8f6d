"""Small shared checks that raise ValueError/TypeError naming the argument, value and fix.

Every message is built with :func:`~cnn_helpers.language.tr` when it is raised, so it follows
``set_language``. The texts a caller hands in (``shape``, ``fix``, ``example``) may be a string or,
where they hold words and are given at import time (a ``@checked`` rule), a function returning
one, e.g. ``fix=lambda: tr("add a batch dimension with images[None]")``: it is called only when a
message is shown, so it is in the language of that moment.
"""

from __future__ import annotations

from numbers import Integral

from .language import tr

Pair = tuple[int, int]


def _shown(text) -> str:
    """A caller's ``shape``/``fix``/``example`` text: a string, or a function giving one (translated late)."""
    return text() if callable(text) else text


def _e_g(example) -> str:
    """``", e.g. <example>"``, or ``""`` without an example."""
    example = _shown(example)
    return tr(", e.g. {example}", example=example) if example else ""


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
        raise TypeError(tr("{name} must be an integer, got {value!r} of type {type_name}",
                           name=name, value=value, type_name=type(value).__name__))
    if minimum is not None and value < minimum:
        raise ValueError(tr("{name} must be an integer >= {minimum}, got {value!r}",
                            name=name, minimum=minimum, value=value))
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
            raise ValueError(tr("{name} must be an int or an (h, w) pair, got {value!r} with {count} entries",
                                name=name, value=value, count=len(value)))
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
        raise ValueError(tr("{name} must be one of {allowed}, got {value!r}", name=name, allowed=allowed, value=value))
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
        raise TypeError(tr("{name} must be a number, got {value!r} of type {type_name}",
                           name=name, value=value, type_name=type(value).__name__))
    number = float(value)
    if number != number or number in (float("inf"), float("-inf")):
        raise ValueError(tr("{name} must be a finite number, got {value!r}", name=name, value=value))
    if (minimum is not None and number < minimum) or (maximum is not None and number > maximum):
        if maximum is None:
            message = tr("{name} must be a number >= {minimum}, got {value!r}", name=name, minimum=minimum, value=value)
        elif minimum is None:
            message = tr("{name} must be a number <= {maximum}, got {value!r}", name=name, maximum=maximum, value=value)
        else:
            message = tr("{name} must be a number >= {minimum} and <= {maximum}, got {value!r}",
                         name=name, minimum=minimum, maximum=maximum, value=value)
        raise ValueError(message)
    return number


def check_text(value, name: str) -> str:
    """Return ``value`` when it is a string (a title, a label), else raise a TypeError naming ``name``.

    Example:
        >>> check_text("loss", "title")
        'loss'
    """
    if not isinstance(value, str):
        raise TypeError(tr("{name} must be a string, got {value!r} of type {type_name}",
                           name=name, value=value, type_name=type(value).__name__))
    return value


def check_array(value, name: str, ndim: int | tuple[int, ...] | None = None, shape: str = "", fix: str = "",
                finite: bool = True, allow_empty: bool = False):
    """Return ``value`` (a tensor, NumPy array or nested list of numbers) as a NumPy array, or raise naming ``name``.

    Args:
        value: the argument to check.
        name: its name, for the message.
        ndim: the number of dimensions allowed (an int or a tuple of them); None: any.
        shape: the expected shape in words, e.g. ``"(H, W)"``, for the message (or a function
            returning it, called when the message is built: see the module docstring).
        fix: a hint appended to a wrong-dimension message, e.g. ``"pick one channel, e.g. photo[0]"``
            (or a function returning it).
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
        raise TypeError(tr("{name} must be an array of numbers (a tensor or NumPy array), got {type_name}",
                           name=name, type_name=type(value).__name__))
    try:
        array = np.asarray(array)
    except (ValueError, TypeError) as error:  # a ragged nested list
        raise TypeError(tr("{name} must be an array of numbers (a tensor or NumPy array), got a "
                           "{type_name} that is not one ({error})", name=name, type_name=type(value).__name__,
                           error=error)) from None
    if array.dtype == object or not (np.issubdtype(array.dtype, np.number) or array.dtype == bool):
        raise TypeError(tr("{name} must be an array of numbers (a tensor or NumPy array), got {type_name} "
                           "of dtype {dtype}", name=name, type_name=type(value).__name__, dtype=array.dtype))
    if np.iscomplexobj(array):
        raise TypeError(tr("{name} must hold real numbers, got complex values", name=name))
    allowed = (ndim,) if isinstance(ndim, int) else ndim
    if allowed is not None and array.ndim not in allowed:
        dims = tr(" or ").join(str(d) for d in allowed)
        shape, fix = _shown(shape), _shown(fix)
        if shape:
            message = tr("{name} must be a {dims}-D {shape} tensor, got shape {actual}",
                         name=name, dims=dims, shape=shape, actual=array.shape)
        else:
            message = tr("{name} must be a {dims}-D tensor, got shape {actual}", name=name, dims=dims,
                         actual=array.shape)
        raise ValueError(tr("{message}; {fix}", message=message, fix=fix) if fix else message)
    if array.size == 0 and not allow_empty:
        raise ValueError(tr("{name} is empty (shape {shape}); give at least one value", name=name, shape=array.shape))
    if finite and array.size and not np.isfinite(array.astype(float, copy=False)).all():
        raise ValueError(tr("{name} holds NaN or infinite values; replace them first, e.g. with np.nan_to_num",
                            name=name))
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
            raise ValueError(tr("{name} must be an integer <= {maximum}, got {value}", name=name, maximum=maximum,
                                value=value))
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
            raise TypeError(tr("{name} must be one of {allowed}, got {value!r} of type {type_name}",
                               name=name, allowed=allowed, value=value, type_name=type(value).__name__))
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
            raise TypeError(tr("{name} must be a list{e_g}, got {value!r} of type {type_name}",
                               name=name, e_g=_e_g(example), value=value, type_name=type(value).__name__))
        if len(items) == 0 and minimum_length:
            raise ValueError(tr("{name} is empty; give at least {minimum}{e_g}",
                                name=name, minimum=minimum_length, e_g=_e_g(example)))
        if len(items) < minimum_length or (length is not None and len(items) != length):
            if length is not None:
                raise ValueError(tr("{name} must have {length} entries, got {count}", name=name, length=length,
                                    count=len(items)))
            raise ValueError(tr("{name} must have at least {minimum} entries, got {count}", name=name,
                                minimum=minimum_length, count=len(items)))
        for i, v in enumerate(items):
            item(v, f"{name}[{i}]")
        return value
    return rule


def tuple_of(*rules, example: str = ""):
    """A rule: a tuple (or list) with one entry per rule, each passing its rule; kept as given."""
    def rule(value, name):
        if not isinstance(value, (tuple, list)) or len(value) != len(rules):
            raise TypeError(tr("{name} must be a tuple of {count}{e_g}, got {value!r}",
                               name=name, count=len(rules), e_g=_e_g(example), value=value))
        for i, (inner, v) in enumerate(zip(rules, value, strict=True)):
            inner(v, f"{name}[{i}]")
        return value
    return rule


def attributes(*names: str, example: str = ""):
    """A rule: an object with every one of ``names`` as an attribute (a History, a trace row)."""
    def rule(value, name):
        missing = [n for n in names if not hasattr(value, n)]
        if missing:
            wanted, absent, shown = ", ".join(names), ", ".join(missing), _shown(example)
            if shown:
                message = tr("{name} must have {wanted} ({example}); got {type_name}, which has no {missing}",
                             name=name, wanted=wanted, example=shown, type_name=type(value).__name__, missing=absent)
            else:
                message = tr("{name} must have {wanted}; got {type_name}, which has no {missing}",
                             name=name, wanted=wanted, type_name=type(value).__name__, missing=absent)
            raise TypeError(message)
        return value
    return rule


def figure():
    """A rule: a matplotlib figure (anything with ``savefig``)."""
    def rule(value, name):
        if not hasattr(value, "savefig") or isinstance(value, type):
            raise TypeError(tr("{name} must be a matplotlib Figure, e.g. from new_axes(), got {type_name}",
                               name=name, type_name=type(value).__name__))
        return value
    return rule


def axes(figure_too: bool = False):
    """A rule: a matplotlib Axes (anything with ``get_xlim`` and ``figure``), or a Figure too if ``figure_too``."""
    def rule(value, name):
        if figure_too and hasattr(value, "savefig") and not isinstance(value, type):
            return value
        if not (hasattr(value, "get_xlim") and hasattr(value, "figure")) or isinstance(value, type):
            if figure_too:
                message = tr("{name} must be a matplotlib Axes or Figure, e.g. from new_axes(), got {type_name}",
                             name=name, type_name=type(value).__name__)
            else:
                message = tr("{name} must be a matplotlib Axes, e.g. from new_axes(), got {type_name}",
                             name=name, type_name=type(value).__name__)
            raise TypeError(message)
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
            raise TypeError(tr("{name} must be a dict of name -> value{e_g}, got {value!r} of type {type_name}",
                               name=name, e_g=_e_g(example), value=value, type_name=type(value).__name__))
        if len(value) < minimum_length:
            raise ValueError(tr("{name} is empty; give at least {minimum} entry", name=name, minimum=minimum_length))
        for key, item in value.items():
            check_text(key, tr("{name} key", name=name))
            value_rule(item, f"{name}[{key!r}]")
        return value
    return rule


def region():
    """A rule: a region ``((top, bottom), (left, right))`` of ints with top <= bottom, left <= right."""
    def rule(value, name):
        if not isinstance(value, (tuple, list)) or len(value) != 2:
            raise TypeError(tr("{name} must be a region ((top, bottom), (left, right)), got {value!r}",
                               name=name, value=value))
        (top, bottom), (left, right) = (to_pair(tuple(axis) if isinstance(axis, (list, tuple)) else axis,
                                                f"{name}[{i}]") for i, axis in enumerate(value))
        if bottom < top or right < left:
            raise ValueError(tr("{name} must have top <= bottom and left <= right, got {value!r}",
                                name=name, value=value))
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
            raise TypeError(tr("checked() names {unknown}, which {function} does not take",
                               unknown=sorted(unknown), function=function.__name__))

        @functools.wraps(function)
        def wrapper(*args, **kwargs):
            bound = signature.bind(*args, **kwargs)
            for name, rule in rules.items():
                if name in bound.arguments:
                    bound.arguments[name] = rule(bound.arguments[name], name)
            return function(*bound.args, **bound.kwargs)

        return wrapper

    return decorate

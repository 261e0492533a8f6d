import pytest

from cnn_helpers._validation import check_choice, check_int, to_pair


def test_to_pair_accepts_int_and_pairs():
    assert to_pair(3, "kernel_size") == (3, 3)
    assert to_pair((2, 5), "kernel_size") == (2, 5)
    assert to_pair([1, 4], "stride", minimum=1) == (1, 4)


@pytest.mark.parametrize(
    ("value", "error", "match"),
    [
        (0, ValueError, r"stride must be an integer >= 1, got 0"),
        ((1, 0), ValueError, r"stride\[1\] must be an integer >= 1, got 0"),
        ((1, 2, 3), ValueError, r"stride must be an int or an \(h, w\) pair, got \(1, 2, 3\) with 3 entries"),
        (1.5, TypeError, r"stride must be an integer, got 1.5 of type float"),
        (True, TypeError, r"stride must be an integer, got True"),
    ],
)
def test_bad_values_name_the_argument(value, error, match):
    with pytest.raises(error, match=match):
        to_pair(value, "stride", minimum=1)


def test_check_int_and_choice():
    assert check_int(0, "padding", minimum=0) == 0
    with pytest.raises(ValueError, match=r"mode must be one of 'max', 'avg', got 'sum'"):
        check_choice("sum", "mode", ("max", "avg"))


def test_check_array_names_the_argument_and_the_fix():
    import numpy as np
    import torch

    from cnn_helpers._validation import check_array

    assert check_array(torch.ones(2, 3), "image", 2).shape == (2, 3)
    with pytest.raises(TypeError, match=r"image must be an array of numbers \(a tensor or NumPy array\), got str"):
        check_array("photo", "image", 2)
    with pytest.raises(TypeError, match="image must be an array of numbers .* got list of dtype <U1"):
        check_array([["a"]], "image", 2)
    with pytest.raises(ValueError, match=r"image must be a 2-D \(H, W\) tensor, got shape \(3, 4, 4\); pick one"):
        check_array(np.zeros((3, 4, 4)), "image", 2, "(H, W)", "pick one channel")
    with pytest.raises(ValueError, match=r"image is empty \(shape \(0, 4\)\)"):
        check_array(np.zeros((0, 4)), "image", 2)
    with pytest.raises(ValueError, match="image holds NaN or infinite values"):
        check_array(np.full((2, 2), np.inf), "image", 2)


def test_checked_applies_each_rule_at_the_boundary():
    import numpy as np

    from cnn_helpers._validation import checked, choice, integer, number, optional, pair, region, sequence, text

    @checked(k=pair(1), n=integer(0, 5), x=number(0, 1), mode=choice(("max", "avg")), title=optional(text()),
             sizes=sequence(integer(1), minimum_length=1), box=region())
    def f(k, n, x, mode="max", title=None, sizes=(1,), box=((0, 1), (0, 1))):
        return k, n, x, box

    assert f(3, np.int64(2), np.float32(0.5)) == ((3, 3), 2, 0.5, ((0, 1), (0, 1)))
    for kwargs, error, match in [
        ({"k": "3"}, TypeError, "k must be an integer, got '3'"),
        ({"n": 6}, ValueError, "n must be an integer <= 5, got 6"),
        ({"x": float("nan")}, ValueError, "x must be a finite number, got nan"),
        ({"x": 2}, ValueError, "x must be a number >= 0 and <= 1, got 2"),
        ({"mode": ["max"]}, TypeError, r"mode must be one of 'max', 'avg', got \['max'\] of type list"),
        ({"title": 3}, TypeError, "title must be a string, got 3 of type int"),
        ({"sizes": []}, ValueError, "sizes is empty; give at least 1"),
        ({"sizes": [1, 0]}, ValueError, r"sizes\[1\] must be an integer >= 1, got 0"),
        ({"box": ((2, 1), (0, 1))}, ValueError, "box must have top <= bottom and left <= right"),
    ]:
        with pytest.raises(error, match=match):
            f(**{"k": 3, "n": 1, "x": 0.5, **kwargs})

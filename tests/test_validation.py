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

"""Notebook 01's explorer prediction (the strides) and notebook 00's correlation function."""

import pytest
import torch

from cnn_helpers.exercises import WrongAnswer, check_correlation_down, check_explorer_strides


def test_the_strides_are_what_the_explorer_shows(capsys):
    from cnn_helpers import viz
    from cnn_helpers.widgets import _photo_crops

    html = viz.render_input_explorer(viz.plot_input_batch(_photo_crops(8), max_batch=8), _photo_crops(8), "RGB", 4,
                                     "NHWC")
    assert "(15552, 216, 3, 1)" in html
    assert "set the input explorer of section 3" in check_explorer_strides((15552, 216, 3, 1))


@pytest.mark.parametrize(("answer", "match"), [
    ((15552, 5184, 72, 1), r"those are the N×C×H×W strides"),
    ((1, 3, 216, 15552), r"in the layout's order, N, H, W, C"),
    ((5184, 72, 1, 1), r"a pixel holds 3 numbers"),
    ((4 * 15552, 216, 3, 1), r"not after the whole batch"),
    ((216, 3, 1), r"four strides \(N, H, W, C\), got 3"),
    ((1, 2, 3, 4), r"the product of the sizes after it"),
    (torch.tensor(3), r"got a single value"),
])
def test_each_strides_mistake_gets_its_hint(answer, match):
    with pytest.raises(WrongAnswer, match=match):
        check_explorer_strides(answer)


def correlation_down(image, d):
    return torch.corrcoef(torch.stack([image[:-d].flatten(), image[d:].flatten()]))[0, 1].item()


def test_correlation_down_against_torch(capsys):
    assert check_correlation_down(correlation_down).startswith("Correct!")
    assert check_correlation_down(lambda image, d: torch.tensor(correlation_down(image, d))).startswith("Correct!")


@pytest.mark.parametrize(("function", "match"), [
    (lambda image, d: correlation_down(image.T, d), r"d columns to its right"),
    (lambda image, d: correlation_down(image, d + 1), r"off by one row"),
    (lambda image, d: torch.corrcoef(torch.stack([image[:-d].flatten(), image[d:].flatten()])),
     r"the whole 2 × 2 correlation matrix"),
    (lambda image, d: None, r"should return the correlation as a number, got None"),
    (lambda image, d: float("nan"), r"should return the correlation as a number, got nan"),
    (lambda image, d: 0.5, r"expected"),
    (lambda image, d: image[0, 0] / 0 + 1, r"as a number"),
    (lambda image: 0.5, r"raised TypeError"),
])
def test_each_correlation_mistake_gets_its_hint(function, match):
    with pytest.raises(WrongAnswer, match=match):
        check_correlation_down(function)


def test_a_correlation_stub_passes_through():
    def stub(image, d):
        raise NotImplementedError()

    with pytest.raises(NotImplementedError):
        check_correlation_down(stub)

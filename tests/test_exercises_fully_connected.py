"""Notebook 05's new checkers: sizing the Linear layer of a changed model, and the shape explorer's prediction."""

import math

import pytest
from torch import nn

from cnn_helpers.exercises import BUILD_MODEL_CASES, WrongAnswer, check_build_model, check_explorer_in_features


def _right(s, k, p):
    for _ in range(2):
        s = (s + 2 * p - k + 1) // 2
    return 32 * s * s


def builder(in_features_of):
    def build_model(input_size, kernel_size, padding):
        return nn.Sequential(
            nn.Conv2d(1, 16, kernel_size, padding=padding), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(16, 32, kernel_size, padding=padding), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(in_features_of(input_size, kernel_size, padding), 10))

    return build_model


def test_the_right_sizing_passes_and_each_case_runs_in_pytorch(capsys):
    assert check_build_model(builder(_right)).startswith("Correct!")
    for case in BUILD_MODEL_CASES:  # the cases are real models: the formula agrees with PyTorch
        features = nn.Sequential(*list(builder(_right)(*case))[:-1])
        import torch
        assert features(torch.zeros(1, 1, case[0], case[0])).shape[1] == _right(*case)


@pytest.mark.parametrize(("in_features_of", "match"), [
    (lambda s, k, p: 1568, r"1,568 for every input size, kernel_size and padding"),
    (lambda s, k, p: 32 * ((s + 2 * p - k + 1) // 2 + 2 * p - k + 1) ** 2, r"you forgot a pooling"),
    (lambda s, k, p: 32 * (s + 2 * (2 * p - k + 1)) ** 2, r"you forgot the poolings"),
    (lambda s, k, p: 32 * (s // 4) ** 2, r"padding ignored: a convolution keeps the size only when"),
    (lambda s, k, p: 32 * (((s - k + 1) // 2 - k + 1) // 2) ** 2, r"padding ignored: the convolution's output is"),
    (lambda s, k, p: 32 * (((s + 2 * p - k) // 2 + 2 * p - k) // 2) ** 2, r"off by one"),
    (lambda s, k, p: 32 * math.ceil((math.ceil((s + 2 * p - k + 1) / 2) + 2 * p - k + 1) / 2) ** 2,
     r"MaxPool2d\(2\) rounds down"),
    (lambda s, k, p: _right(s, k, p) // 32, r"multiply by the number of channels"),
    (lambda s, k, p: _right(s, k, p) // 2, r"conv2 has 32 output channels, not 16"),
    (lambda s, k, p: 32 * ((s + 2 * p - k + 1) / 4) ** 2, r"use // \(floor division\), not /"),
    (lambda s, k, p: _right(s, k, p) + 1, r"follow the size through conv, pool, conv, pool"),
])
def test_each_sizing_mistake_gets_its_hint(in_features_of, match):
    with pytest.raises(WrongAnswer, match=match):
        check_build_model(builder(in_features_of))


def test_odd_returns_get_a_hint_and_a_stub_passes_through():
    with pytest.raises(WrongAnswer, match="build_model should be a function"):
        check_build_model(None)
    with pytest.raises(WrongAnswer, match=r"should return the model \(an nn.Module\), got NoneType"):
        check_build_model(lambda *args: None)
    with pytest.raises(WrongAnswer, match="has no nn.Linear layer"):
        check_build_model(lambda *args: nn.Sequential(nn.Flatten()))

    def stub(input_size, kernel_size, padding):
        raise NotImplementedError()

    with pytest.raises(NotImplementedError):
        check_build_model(stub)


def test_the_prediction_is_what_the_explorer_shows(capsys):
    from cnn_helpers.widgets import render_shapes

    html = render_shapes(None, 36, 3, 3, 0, "max")
    assert "= 64·2·2 = 256" in html
    text = check_explorer_in_features(256)
    assert "set the shape explorer of section 7 to input size 36" in text


@pytest.mark.parametrize(("answer", "match"), [
    (1024, r"padding 0: a 3 × 3 convolution shrinks the map"),
    (576, r"MaxPool2d\(2\) rounds down"),
    (57_600, r"each block ends with a 2 × 2 pooling"),
    (1600, r"follow the side through three blocks"),
    (64 * 7 * 7, r"there are three blocks, not two"),
    (128, r"the third block has 64 channels"),
    (4, r"multiply by the channels"),
])
def test_each_prediction_mistake_gets_its_hint_and_says_where_to_look(answer, match):
    with pytest.raises(WrongAnswer, match=match) as raised:
        check_explorer_in_features(answer)
    assert "set the shape explorer" in str(raised.value)


def test_a_prediction_that_is_not_a_count_gets_a_hint():
    with pytest.raises(WrongAnswer, match=r"in_features should be a whole number \(an int\), got 256.5"):
        check_explorer_in_features(256.5)

"""Exercise feedback in Chinese (issue 17): what every checker prints or raises, after set_language("zh").

- every checker, given a right answer, a wrong one and a wrong-shaped or missing one, shows Chinese
  with no English word but identifiers, names and numbers (tests/english_words.py); a right answer
  is printed once and returned;
- every typical mistake the checkers' own tests pin (tests/test_exercises_*.py) gets its hint in Chinese;
- a hint that sends the student to an explorer names its controls by the explorer's own labels;
- the English feedback stays as it was, word for word.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from english_words import english_words
from test_exercises_convolution import MISTAKES as CONV2D_MISTAKES
from test_exercises_full_implementation import loop
from test_exercises_pooling import BACKWARD_MISTAKES, FORWARD_MISTAKES, autograd_backward
from test_exercises_receptive_field import MISTAKES as RF_MISTAKES
from torch import nn

import cnn_helpers.exercises as ex
from cnn_helpers.exercises import WrongAnswer
from cnn_helpers.language import set_language, tr

HAN = re.compile(r"[\u4e00-\u9fff]")
# Names the feedback quotes as code: the checkers' arguments and the names in their formulas and snippets
# (correlation_down(image, 1), model(images), exp(z), weight[o], region's ((top, bottom), (left, right)), ...).
IDENTIFIERS = {
    "image", "gray", "images", "labels", "logits", "model", "optimizer", "batches", "loss", "layers", "region",
    "top", "bottom", "left", "right", "permute", "reshape", "view", "exp", "dim", "center", "reduction",
    "probabilities", "confusion", "parameters", "numel", "strides", "shape", "position", "weight", "bias",
    "window", "out", "object", "list",
}
FORMULAS = {"stride", "padding"}  # in ⌊(H + 2·padding − kernel_size) / stride⌋ + 1 and i·stride
# A student's own error, quoted in a hint ("conv2d 抛出了 IndexError：index 9 is out of bounds ..."), is Python's
# or PyTorch's message, not the course's: it is left out of the check.
OWN_ERROR = re.compile(r"(抛出了 \w+：).*?(?=[。；]|$)", re.S)


def _shown(checker, *args, capsys) -> str:
    """What the student sees from ``checker(*args)`` in Chinese: the printed confirmation or the raised hint."""
    set_language("zh")
    try:
        try:
            returned = checker(*args)
        except (WrongAnswer, TypeError, ValueError) as error:
            shown = str(error)
            assert not capsys.readouterr().out  # a hint is raised, nothing is printed
        else:
            shown = capsys.readouterr().out
            assert shown == returned + "\n" and returned.startswith("正确！"), shown
    finally:
        set_language("en")
    return shown


def _assert_chinese(text: str, identifiers=frozenset()) -> None:
    assert HAN.search(text), text
    words = english_words(re.sub(r"`[^`]*`", " ", OWN_ERROR.sub(r"\1", text)), IDENTIFIERS | set(identifiers))
    assert not words, f"English {words} in {text!r}"


def _conv2d(x, weight, bias, stride, padding):
    return F.conv2d(x, weight, bias, stride, padding)


def _receptive_field_of(layers):
    r, j, p_eff = 1, 1, 0
    for k, s, p in layers:
        r, p_eff, j = r + (k - 1) * j, p_eff + p * j, j * s
    return r, j, p_eff


def _correlation_down(image, d):
    return torch.corrcoef(torch.stack([image[:-d].flatten(), image[d:].flatten()]))[0, 1].item()


def _build_model(in_features_of):
    def build_model(s, k, p):
        return nn.Sequential(nn.Conv2d(1, 16, k, padding=p), nn.ReLU(), nn.MaxPool2d(2),
                             nn.Conv2d(16, 32, k, padding=p), nn.ReLU(), nn.MaxPool2d(2),
                             nn.Flatten(), nn.Linear(in_features_of(s, k, p), 10))
    return build_model


def _in_features(s, k, p):
    for _ in range(2):
        s = (s + 2 * p - k + 1) // 2
    return 32 * s * s


CHW = torch.arange(60.0).reshape(3, 4, 5)
LOGITS = torch.tensor([[2.0, 1.0, 0.1], [0.0, 0.0, 3.0]])
CONFUSION = [[5, 1], [3, 4]]
THIRD_BLOCK = {"parameters": 37_514, "rf_size": 28, "accuracy_guess": 0.97}

# checker: (right answer, wrong answer, wrong-shaped or missing answer), each a tuple of arguments
CASES = {
    "check_batch_numel": ((32 * 3 * 224 * 224,), (3 * 224 * 224,), (None,)),
    "check_correlation_down": ((_correlation_down,), (lambda image, d: _correlation_down(image.T, d),),
                               (lambda image, d: None,)),
    "check_dense_parameters": ((3 * 64 * 64 * 100 + 100,), (3 * 64 * 64 * 100,), (2.5,)),
    "check_chw_to_hwc": ((CHW.permute(1, 2, 0), CHW), (CHW.reshape(4, 5, 3), CHW), (CHW.numpy(), CHW)),
    "check_explorer_strides": (((72 * 72 * 3, 72 * 3, 3, 1),), ((72 * 72 * 3, 72 * 72, 72, 1),), ((1, 2),)),
    "check_spectrogram_shape": (((129, 63),), ((63, 129),), (torch.tensor(3),)),
    "check_conv1d_output_shape": (((1, 8, 10),), ((1, 8, 12),), ((1, 8),)),
    "check_conv2d": ((_conv2d,), (lambda x, w, b, s, p: F.conv2d(x, w.flip(-2, -1), b, s, p),),
                     (lambda x, w, b, s, p: None,)),
    "check_conv_prediction": (((14, 12), 16_800), ((12, 10), 16_800), (5, 16_800)),
    "check_locally_connected_parameters": ((28 * 28 * 16 * 26,), (416,), (None,)),
    "check_receptive_field_function": ((_receptive_field_of,), (RF_MISTAKES["kernel sizes added"][0],),
                                       (lambda layers: (1, 2),)),
    "check_rf_prediction": ((((1, 11), (-5, 5)),), (((-5, 5), (1, 11)),), (((1, 11),),)),
    "check_factorised_weights": ((200_704, 110_592), (200_768, 110_592), (2.5, 110_592)),
    "check_pooling_prediction": (((20, 17), 4), ((19, 16), 4), ((20, 17), None)),
    "check_max_pool_forward": ((lambda x, k, s, p: F.max_pool2d(x, k, s, p),), (FORWARD_MISTAKES["average"][0],),
                               (lambda x, k, s, p: F.max_pool2d(x, k, s, p)[0],)),
    "check_max_pool_backward": ((autograd_backward,), (BACKWARD_MISTAKES["grad_output ignored"][0],),
                                (lambda x, g, k, s: g,)),
    "check_flatten_index": ((166,), (167,), (None,)),
    "check_build_model": ((_build_model(_in_features),), (_build_model(lambda s, k, p: 32 * 7 * 7),),
                          (lambda s, k, p: None,)),
    "check_explorer_in_features": ((256,), (4,), (2.5,)),
    "check_probabilities": ((torch.softmax(LOGITS, dim=1), LOGITS), (torch.softmax(LOGITS, dim=0), LOGITS),
                            (torch.zeros(3), LOGITS)),
    "check_most_confused": (((1, 0), CONFUSION), ((0, 1), CONFUSION), ((1,), CONFUSION)),
    "check_third_block_shape": (((64, 3, 3),), ((64, 7, 7),), ((64, 3),)),
    "check_third_block_numbers": ((THIRD_BLOCK,), ({**THIRD_BLOCK, "rf_size": 24},), ({"parameters": 1},)),
    "check_training_loop": ((loop(),), (loop(zero_grad=False),), (loop(returns="none"),)),
}
FORMULA_CHECKERS = {"check_conv2d", "check_pooling_prediction", "check_max_pool_forward", "check_max_pool_backward",
                    "check_build_model", "check_explorer_in_features", "check_conv1d_output_shape"}


def test_every_checker_has_its_cases():
    assert set(CASES) == {name for name in ex.__all__ if name.startswith("check_")}


@pytest.mark.parametrize("kind", range(3), ids=["right", "wrong", "wrong shape or missing"])
@pytest.mark.parametrize("name", sorted(CASES))
def test_every_checker_speaks_chinese(name, kind, capsys):
    checker = getattr(ex, name)
    shown = _shown(checker, *CASES[name][kind], capsys=capsys)
    if kind:
        with pytest.raises(WrongAnswer):  # in English too: the same answer is wrong
            checker(*CASES[name][kind])
    _assert_chinese(shown, FORMULAS if name in FORMULA_CHECKERS else ())


MISTAKES = [
    *[("check_conv2d", name, f) for name, (f, _) in CONV2D_MISTAKES.items()],
    *[("check_max_pool_forward", name, f) for name, (f, _) in FORWARD_MISTAKES.items()],
    *[("check_max_pool_backward", name, f) for name, (f, _) in BACKWARD_MISTAKES.items()],
    *[("check_receptive_field_function", name, f) for name, (f, _) in RF_MISTAKES.items()],
]


@pytest.mark.parametrize(("name", "function"), [(name, f) for name, _, f in MISTAKES],
                         ids=[f"{name}: {mistake}" for name, mistake, _ in MISTAKES])
def test_every_typical_mistake_of_the_coding_exercises_is_hinted_in_chinese(name, function, capsys):
    _assert_chinese(_shown(getattr(ex, name), function, capsys=capsys), FORMULAS)


WRONG_ANSWERS = [  # answers that reach the other hints of the answer checkers
    ("check_batch_numel", (32 * 224 * 224,)), ("check_batch_numel", (32 * 3 * 224 * 224 * 4,)),
    ("check_batch_numel", (7,)), ("check_dense_parameters", (64 * 64 * 100 + 100,)),
    ("check_dense_parameters", (3 * 64 * 64,)), ("check_dense_parameters", (5,)),
    ("check_chw_to_hwc", (CHW, CHW)), ("check_chw_to_hwc", (CHW.permute(2, 1, 0), CHW)),
    ("check_chw_to_hwc", (torch.zeros(4, 5, 3), CHW)), ("check_chw_to_hwc", (torch.zeros(2, 2), CHW)),
    ("check_explorer_strides", ((1, 3, 216, 15552),)), ("check_explorer_strides", ((9, 72, 1, 1),)),
    ("check_explorer_strides", ((4 * 72 * 72 * 3, 216, 3, 1),)), ("check_explorer_strides", ((5, 5, 5, 5),)),
    ("check_spectrogram_shape", ((1, 2, 3),)), ("check_spectrogram_shape", ((256, 63),)),
    ("check_spectrogram_shape", ((129, 59),)), ("check_spectrogram_shape", ((129, 62),)),
    ("check_spectrogram_shape", ((5, 5),)), ("check_conv1d_output_shape", ((1, 10, 8),)),
    ("check_conv1d_output_shape", ((1, 50, 10),)), ("check_conv1d_output_shape", ((1, 8, 9),)),
    ("check_conv1d_output_shape", ((2, 3, 4),)),
    ("check_correlation_down", (lambda image, d: torch.corrcoef(torch.stack([image[:-d].flatten(),
                                                                              image[d:].flatten()])),)),
    ("check_correlation_down", (lambda image, d: 0.1,)), ("check_correlation_down", (3,)),
    ("check_correlation_down", (lambda image, d: _correlation_down(image, d + 1),)),
    ("check_conv_prediction", ((12, 14), 1)), ("check_conv_prediction", ((15, 13), 1)),
    ("check_conv_prediction", ((27, 23), 1)), ("check_conv_prediction", ((14, 12), 4200)),
    ("check_conv_prediction", ((14, 12), 54_432)), ("check_conv_prediction", ((14, 12), 104)),
    ("check_conv_prediction", ((14, 12), 7)), ("check_conv_prediction", ((1, 2, 3), 1)),
    ("check_locally_connected_parameters", (313_600,)), ("check_locally_connected_parameters", (313_616,)),
    ("check_locally_connected_parameters", (239_616,)), ("check_locally_connected_parameters", (3,)),
    ("check_rf_prediction", (((6, 16), (0, 10)),)), ("check_rf_prediction", (((1, 12), (-5, 6)),)),
    ("check_rf_prediction", (((1, 11), (0, 5)),)), ("check_rf_prediction", (((1, 5), (-5, 5)),)),
    ("check_rf_prediction", (((2, 12), (-4, 6)),)), ("check_rf_prediction", (((0, 10), (-6, 4)),)),
    ("check_factorised_weights", (200_704, 36_864)), ("check_factorised_weights", (49 * 64, 110_592)),
    ("check_factorised_weights", (1, 110_592)), ("check_factorised_weights", (200_704, 5)),
    ("check_pooling_prediction", ((17, 20), 4)), ("check_pooling_prediction", ((38, 33), 4)),
    ("check_pooling_prediction", ((21, 18), 4)), ("check_pooling_prediction", ((20, 17), 2)),
    ("check_pooling_prediction", ((20, 17), 1)), ("check_pooling_prediction", ((20, 17), 9)),
    ("check_flatten_index", (184,)), ("check_flatten_index", (611,)), ("check_flatten_index", (40,)),
    ("check_flatten_index", (9,)),
    *[("check_build_model", (_build_model(in_features_of),)) for in_features_of in (
        lambda s, k, p: 32 * ((s + 2 * p - k + 1) // 2 + 2 * p - k + 1) ** 2,
        lambda s, k, p: 32 * (s + 2 * (2 * p - k + 1)) ** 2,
        lambda s, k, p: 32 * (s // 4) ** 2,
        lambda s, k, p: 32 * (((s - k + 1) // 2 - k + 1) // 2) ** 2,
        lambda s, k, p: 32 * (((s + 2 * p - k) // 2 + 2 * p - k) // 2) ** 2,
        lambda s, k, p: 32 * math.ceil((math.ceil((s + 2 * p - k + 1) / 2) + 2 * p - k + 1) / 2) ** 2,
        lambda s, k, p: _in_features(s, k, p) // 32,
        lambda s, k, p: _in_features(s, k, p) // 2,
        lambda s, k, p: 32 * ((s + 2 * p - k + 1) / 4) ** 2,
        lambda s, k, p: _in_features(s, k, p) + 1)],
    ("check_build_model", (lambda s, k, p: nn.Sequential(nn.Flatten()),)),
    ("check_build_model", (lambda s, k, p: 3,)),
    *[("check_explorer_in_features", (answer,)) for answer in (1024, 576, 57_600, 1600, 64 * 7 * 7, 128, 1)],
    ("check_probabilities", (torch.exp(LOGITS), LOGITS)), ("check_probabilities", (LOGITS / LOGITS.sum(1, True),
                                                                                  LOGITS)),
    ("check_probabilities", (torch.sigmoid(LOGITS), LOGITS)), ("check_probabilities", (LOGITS.log_softmax(1),
                                                                                      LOGITS)),
    ("check_probabilities", (torch.zeros(2, 3), LOGITS)), ("check_probabilities", (torch.zeros(3), torch.zeros(3))),
    ("check_probabilities", ("12", "34")),
    ("check_most_confused", ((0, 0), CONFUSION)), ("check_most_confused", ((5, 0), CONFUSION)),
    ("check_most_confused", ((1, 0), [[98, 0, 2], [1, 95, 4], [0, 7, 93]])),
    ("check_most_confused", ((1, 0), [[1, 2, 3]])),
    ("check_third_block_shape", ((64, 4, 4),)), ("check_third_block_shape", ((64, 2, 2),)),
    ("check_third_block_shape", ((32, 3, 3),)), ("check_third_block_shape", ((64, 5, 5),)),
    *[("check_third_block_numbers", ({**THIRD_BLOCK, **change},)) for change in (
        {"accuracy_guess": 2}, {"parameters": 37_514 - (16 + 32 + 64 + 10)}, {"parameters": 37_514 - 5_770 + 31_370},
        {"parameters": 37_514 - 5_770 + 10_250}, {"parameters": 37_514 - 5_770 + 15_690},
        {"parameters": 18_496 + 5_770}, {"parameters": 28_938}, {"parameters": 1}, {"rf_size": 16},
        {"rf_size": 32}, {"rf_size": 19}, {"rf_size": 14}, {"rf_size": 99})],
    *[("check_training_loop", (loop(**mistake),)) for mistake in (
        {"eval_inside": True}, {"train": False}, {"softmax": True}, {"step_first": True}, {"backward": False},
        {"zero_after_backward": True}, {"reduction": "sum"}, {"returns": "last"}, {"returns": "sum"},
        {"returns": "nan"})],
]


@pytest.mark.parametrize(("name", "args"), WRONG_ANSWERS, ids=[name for name, _ in WRONG_ANSWERS])
def test_every_hint_of_the_answer_checkers_is_in_chinese(name, args, capsys):
    _assert_chinese(_shown(getattr(ex, name), *args, capsys=capsys), FORMULAS if name in FORMULA_CHECKERS else ())


def test_a_hint_that_sends_to_an_explorer_names_its_controls_by_their_labels(capsys):
    set_language("zh")
    try:
        labels = [tr("custom stack"), tr("layers"), tr("kernel {n}", n=1), tr("stride {n}", n=3), tr("unit row"),
                  tr("unit column")]
        with pytest.raises(WrongAnswer) as rf:
            ex.check_rf_prediction(((-5, 5), (1, 11)))
        pooling = [tr("photo: edges"), tr("max"), tr("kernel_size"), tr("stride"), tr("padding")]
        with pytest.raises(WrongAnswer) as pool:
            ex.check_pooling_prediction((17, 20), 4)
    finally:
        set_language("en")
    for label in labels:
        assert label in str(rf.value)
    for label in pooling:
        assert label in str(pool.value)


def test_the_english_feedback_is_unchanged(capsys):
    confirmation = "Correct! a batch of shape (32, 3, 224, 224) holds 4,816,896 numbers."
    assert ex.check_batch_numel(32 * 3 * 224 * 224) == confirmation
    assert capsys.readouterr().out == confirmation + "\n"
    with pytest.raises(WrongAnswer) as error:
        ex.check_rf_prediction(((-5, 5), (1, 11)))
    assert str(error.value) == (
        "rows and columns are swapped: unit (3, 0) is row 3, column 0; give rows first. In the explorer (section 7) "
        "choose the custom stack, layers 3, padding k // 2, kernel 1 = 5, stride 1 = 1, kernel 2 = 3, stride 2 = 2, "
        "kernel 3 = 3, stride 3 = 1, unit row 3, unit column 0, and look at the drawn region and the table.")
    with pytest.raises(WrongAnswer) as error:
        ex.check_conv2d(lambda x, w, b, s, p: F.conv2d(x, w, None, s, p))
    assert str(error.value) == ("x of shape (1, 1, 5, 6), weight (1, 1, 3, 3), bias (1,), stride 1, padding 0 "
                                "(the case with a bias): bias forgotten: add bias[o] to every value of output "
                                "channel o.")
    with pytest.raises(WrongAnswer) as error:
        ex.check_receptive_field_function(RF_MISTAKES["padding ignored"][0])
    assert str(error.value) == ("for layers = [(3, 1, 1)]: effective_padding should be 1, got 0; effective padding "
                                "ignored: padding moves the region, P_l = P_{l−1} + p_l·j_{l−1}.")
    with pytest.raises(ValueError, match=r"^logits must be a \(N, classes\) tensor, got shape \(3,\)$"):
        ex.check_probabilities(np.zeros(3), np.zeros(3))

"""The receptive-field calculator and training (fit, evaluate, predict, checkpoints) in Chinese.

After ``set_language("zh")`` what these modules show a student (the receptive-field table with
its notes, the errors they raise, fit's progress bar) holds no English but identifiers and
numbers; in English (the default) every text is what it was before the language switch.
"""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
import torch
from english_words import english_words
from torch import nn
from torch.utils.data import TensorDataset

from cnn_helpers.language import columns
from cnn_helpers.receptive_field import (
    conv_output_size,
    effective_receptive_field,
    empirical_receptive_field,
    receptive_field,
    rf_top_down,
)
from cnn_helpers.train import evaluate, fit, load_checkpoint, predict, save_checkpoint
from cnn_helpers.train.batches import random_shift
from cnn_helpers.train.fitting import _check_finite
from cnn_helpers.train.live_plot import _BarView, _progress_bar, finished_bar_text

# Argument and attribute names the Chinese messages keep as they are (``model 必须是 ...``), and the
# names of the types and values the tests pass in.
ARGUMENTS = {"model", "layer", "layers", "unit", "inputs", "train", "validation", "dataset", "data", "images",
             "labels", "path", "device", "progress", "stride", "padding", "dilation", "region", "dim"}
GIVEN = {"conv9", "yes", "tpu", "list", "object", "Upsample", "Sequential", "ModuleList", "UnpicklingError",
         "weight", "bias"}
CJK = re.compile(r"[\u4e00-\u9fff]")



def course_model() -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(1, 16, 5, 1, 2), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(16, 32, 5, 1, 2), nn.ReLU(),
                         nn.MaxPool2d(2), nn.Flatten(), nn.Linear(32 * 7 * 7, 10))


class TwoPaths(nn.Module):
    """Two convs to the same grid with different effective strides: their sum is not aligned."""

    def __init__(self, strided=(2, 2), wide=(5, 5), extra: bool = False):
        super().__init__()
        self.strided = nn.Conv2d(1, 1, strided, stride=strided)
        self.wide = nn.Conv2d(1, 1, wide)
        self.coarse = nn.Conv2d(1, 1, 4, stride=4, padding=4) if extra else None

    def forward(self, x):
        y = self.strided(x) + self.wide(x)
        return y + self.coarse(x) if self.coarse is not None else y


class SqueezeExcite(nn.Module):
    def __init__(self, c=2):
        super().__init__()
        self.conv = nn.Conv2d(1, c, 3, padding=1)
        self.gate = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Conv2d(c, c, 1), nn.Sigmoid())

    def forward(self, x):
        x = self.conv(x)
        return x * self.gate(x)


def _no_english(text: str, identifiers=frozenset()) -> None:
    assert CJK.search(text), text
    assert not english_words(text, ARGUMENTS | GIVEN | set(identifiers)), text


# --- the table ----------------------------------------------------------------------------


def test_the_table_and_its_notes_speak_chinese_and_stay_aligned(chinese):
    rf = receptive_field(course_model(), (1, 28, 28))
    lines = repr(rf).splitlines()
    assert lines[0] == "各层的感受野，输入尺寸 (1, 28, 28)："
    assert lines[1].startswith("名称  层  ") and lines[1].endswith("说明")
    _no_english(repr(rf))
    # a Chinese character takes two columns: the notes start where the header's 说明 does
    note_column = columns(lines[1][: lines[1].index("说明")])
    assert columns(lines[-1][: lines[-1].index("每个单元")]) == note_column
    page = rf._repr_html_()
    assert "<caption>各层的感受野，输入尺寸 (1, 28, 28)</caption>" in page and "<th>说明</th>" in page
    _no_english(re.sub(r"<[^>]+>", " ", page))


@pytest.mark.parametrize(("model", "input_size"), [
    (TwoPaths(), (1, 8, 8)),
    (TwoPaths((2, 1), (5, 1)), (1, 8, 8)),  # rows not aligned, columns aligned
    (TwoPaths((2, 3), (5, 7)), (1, 8, 9)),  # both, with different strides
    (TwoPaths(extra=True), (1, 8, 8)),  # three paths
    (SqueezeExcite(), (1, 9, 9)),  # a map of one unit broadcast
    (nn.Sequential(nn.Conv2d(1, 1, 3), nn.AdaptiveAvgPool2d(4), nn.Flatten()), (1, 9, 9)),
    (nn.Sequential(nn.Conv1d(1, 1, 3), nn.Flatten()), (1, 8)),
], ids=["not-aligned", "rows", "rows-and-columns", "three-paths", "broadcast", "uneven-pooling", "1-d"])
def test_every_kind_of_note_speaks_chinese(chinese, model, input_size):
    notes = [row.note for row in receptive_field(model, input_size) if row.note]
    assert notes
    for note in notes:
        _no_english(note)


def test_rows_and_columns_are_named_in_chinese(chinese):
    note = receptive_field(TwoPaths((2, 3), (5, 7)), (1, 8, 9))[-1].note
    assert note == "未对齐：effective_stride 为 1 和 2（行），1 和 3（列） 的几条路径在这里汇合；region() 是它们的并集"


# --- errors a student can trigger ---------------------------------------------------------

DATA = TensorDataset(torch.rand(4, 1, 28, 28), torch.arange(4))


def tiny() -> nn.Module:
    return nn.Sequential(nn.Flatten(), nn.Linear(784, 10))


def _with_labels(labels) -> TensorDataset:
    return TensorDataset(torch.rand(len(labels), 1, 28, 28), labels)


RECEPTIVE_FIELD_ERRORS = {
    "kernel-too-large": lambda: conv_output_size(5, 7),
    "dilated-kernel-too-large": lambda: conv_output_size((5, 5), 3, dilation=3),
    "ceil-mode": lambda: conv_output_size(5, 3, ceil_mode=1),
    "empty-stack": lambda: rf_top_down([]),
    "not-a-pair": lambda: rf_top_down([(1, 2, 3)]),
    "layer-too-large": lambda: receptive_field(nn.Sequential(nn.Conv2d(1, 1, 9)), (1, 5, 5)),
    "unknown-row": lambda: receptive_field(course_model(), (1, 28, 28))["conv9"],
    "unit-outside": lambda: receptive_field(course_model(), (1, 28, 28))[0].region(99, 0),
    "flat-needs-one-index": lambda: receptive_field(course_model(), (1, 28, 28))[-1].region(1, 2),
    "flat-index-outside": lambda: receptive_field(course_model(), (1, 28, 28))[-2].region(99999),
    "grid-needs-two-indices": lambda: receptive_field(course_model(), (1, 28, 28))[0].region(3),
    "unit-shape": lambda: empirical_receptive_field(course_model(), (1, 28, 28), (0, 0, 0)),
    "no-units": lambda: empirical_receptive_field(course_model(), (1, 28, 28), []),
    "unit-outside-layer": lambda: empirical_receptive_field(course_model(), (1, 28, 28), (9, 0), layer="5"),
    "unknown-layer": lambda: empirical_receptive_field(course_model(), (1, 28, 28), (0, 0), layer="conv9"),
    "effective-one-unit": lambda: effective_receptive_field(course_model(), (1, 28, 28), [(0, 0)]),
    "effective-inputs": lambda: effective_receptive_field(course_model(), (1, 28, 28), (0, 0), inputs=3),
    "unsupported-module": lambda: receptive_field(nn.Sequential(nn.Upsample(scale_factor=2)), (1, 8, 8)),
    "linear-on-a-map": lambda: receptive_field(nn.Sequential(nn.Linear(8, 3)), (1, 8, 8)),
    "conv-after-flatten": lambda: receptive_field(nn.Sequential(nn.Flatten(), nn.Conv2d(1, 1, 3)), (1, 8, 8)),
    "padding-mode": lambda: receptive_field(nn.Sequential(nn.Conv2d(1, 1, 3, padding=1, padding_mode="reflect")),
                                            (1, 8, 8)),
    "not-a-model": lambda: receptive_field(3, (1, 8, 8)),
    "input-size": lambda: receptive_field(course_model(), (8,)),
}
TRAIN_ERRORS = {
    "lr": lambda: fit(tiny(), DATA, lr=100),
    "epochs": lambda: fit(tiny(), DATA, epochs=10**6),
    "label-smoothing": lambda: fit(tiny(), DATA, label_smoothing=1),
    "not-a-model": lambda: fit(3, DATA),
    "not-a-dataset": lambda: fit(tiny(), [1]),
    "empty": lambda: fit(tiny(), _with_labels(torch.zeros(0).long())),
    "float-labels": lambda: evaluate(nn.Linear(1, 1), _with_labels(torch.tensor([0.0, 1.0]))),
    "labels-too-large": lambda: fit(tiny(), _with_labels(torch.tensor([0, 12]))),
    "negative-labels": lambda: evaluate(nn.Linear(1, 1), _with_labels(torch.tensor([0, -1]))),
    "column-labels": lambda: evaluate(nn.Linear(1, 1), _with_labels(torch.tensor([[0], [1]]))),
    "one-hot-labels": lambda: evaluate(nn.Linear(1, 1), _with_labels(torch.eye(2).long())),
    "unknown-device": lambda: fit(tiny(), DATA, device="tpu"),
    "device-type": lambda: fit(tiny(), DATA, device=3),
    "not-logits": lambda: evaluate(nn.Conv2d(1, 2, 3), DATA),
    "0-d-data": lambda: predict(nn.Linear(1, 1), torch.tensor(1.0)),
    "integer-images": lambda: predict(nn.Linear(1, 1), torch.zeros(2, 1, 28, 28).long()),
    "nan-images": lambda: predict(nn.Linear(1, 1), torch.full((2, 1, 28, 28), float("nan"))),
    "progress": lambda: fit(tiny(), DATA, progress="yes"),
    "live-plot": lambda: fit(tiny(), DATA, live_plot=3),
    "shift-images": lambda: random_shift(torch.zeros(3, 3), 1),
    "shift-too-large": lambda: random_shift(torch.zeros(1, 1, 3, 3), 3),
    "diverged": lambda: _check_finite(nn.Linear(1, 1), float("nan"), 3, 0.5),
}


@pytest.mark.parametrize("call", [*RECEPTIVE_FIELD_ERRORS.values(), *TRAIN_ERRORS.values()],
                         ids=[*RECEPTIVE_FIELD_ERRORS, *TRAIN_ERRORS])
def test_errors_speak_chinese(chinese, call):
    with pytest.raises((ValueError, TypeError, KeyError)) as excinfo:
        call()
    _no_english(str(excinfo.value))


def test_checkpoint_errors_speak_chinese(chinese, tmp_path):
    linear = save_checkpoint(nn.Linear(3, 2), tmp_path / "linear.pt")
    conv = save_checkpoint(nn.Sequential(nn.Conv2d(1, 2, 3, padding=1)), tmp_path / "conv.pt")
    torch.save(nn.Linear(3, 2).state_dict(), tmp_path / "plain.pt")
    torch.save([1, 2], tmp_path / "list.pt")
    (tmp_path / "junk.pt").write_bytes(b"not a checkpoint")
    damaged = torch.load(linear, weights_only=True)
    damaged["metadata"] = {"epochs": 3}
    torch.save(damaged, tmp_path / "damaged.pt")
    calls = [
        lambda: load_checkpoint(linear, nn.Sequential(nn.Linear(3, 2))),  # names differ
        lambda: load_checkpoint(linear, nn.Linear(4, 5)),  # shapes differ
        lambda: load_checkpoint(conv, nn.Sequential(nn.Conv2d(1, 2, 3))),  # a setting differs
        lambda: load_checkpoint(conv, nn.Sequential(nn.Conv2d(1, 2, 3, padding=1), nn.ReLU())),  # a layer more
        lambda: load_checkpoint(conv, nn.ModuleList([nn.Conv2d(1, 2, 3, padding=1)])),  # another class
        lambda: load_checkpoint(tmp_path / "plain.pt", nn.Sequential(nn.Linear(3, 2))),
        lambda: load_checkpoint(tmp_path / "missing.pt", nn.Linear(3, 2)),
        lambda: load_checkpoint(tmp_path, nn.Linear(3, 2)),
        lambda: load_checkpoint(tmp_path / "list.pt", nn.Linear(3, 2)),
        lambda: load_checkpoint(tmp_path / "junk.pt", nn.Linear(3, 2)),
        lambda: load_checkpoint(tmp_path / "damaged.pt", nn.Linear(3, 2)),
        lambda: load_checkpoint(3, nn.Linear(3, 2)),
        lambda: save_checkpoint(nn.Linear(3, 2), tmp_path / "no" / "model.pt"),
        lambda: save_checkpoint(nn.Linear(3, 2), tmp_path),
        lambda: save_checkpoint(nn.Linear(3, 2), tmp_path / "model.pt", train_time=object()),
        lambda: save_checkpoint(3, tmp_path / "model.pt"),
    ]
    for call in calls:
        with pytest.raises((ValueError, TypeError, OSError)) as excinfo:
            call()
        text = str(excinfo.value).replace(str(tmp_path), "/tmp/folder")  # the path's words are not ours
        _no_english(text, identifiers={"tmp", "folder", "no", "junk", "plain", "damaged", "missing"})


# --- the progress bar ---------------------------------------------------------------------


def _finished_bar():
    with _progress_bar(7, True) as bar:
        bar.update(7)
    bar.container = SimpleNamespace(_repr_mimebundle_=lambda **kwargs: {})  # as the notebook bar has
    return bar


def test_the_progress_bar_speaks_chinese(chinese, capsys):
    bar = _finished_bar()
    assert capsys.readouterr().err.count("批/s") >= 1
    assert finished_bar_text(bar).startswith("训练: 100%|") and finished_bar_text(bar).endswith("| 7/7")
    assert 'aria-label="训练：已完成 7 / 7 批"' in _BarView(bar)._repr_mimebundle_()["text/html"]


# --- English is unchanged -----------------------------------------------------------------


def test_english_texts_are_unchanged(tmp_path, capsys):
    lines = repr(receptive_field(course_model(), (1, 28, 28))).splitlines()
    assert lines[:2] == ["Receptive field of each layer, input size (1, 28, 28):",
                         "name  layer      output_size  kernel_size  stride  padding  dilation  rf_size  "
                         "effective_stride  effective_padding  note"]
    assert receptive_field(TwoPaths((2, 3), (5, 7)), (1, 8, 9))[-1].note == (
        "not aligned: paths with effective_stride 1 and 2 (rows), 1 and 3 (columns) meet here; region() is their union")
    assert receptive_field(TwoPaths(extra=True), (1, 8, 8))[-1].note == (
        "not aligned: paths with effective_stride 1 and 2 and 4 meet here; region() is their union")
    with pytest.raises(ValueError) as excinfo:
        receptive_field(nn.Sequential(nn.Conv2d(1, 1, 3, dilation=4)), (1, 5, 5))
    assert str(excinfo.value) == ("layer '0': kernel_size 3 with dilation 4 spans 9 positions and does not fit in "
                                  "the padded input of size 5 (height); increase padding or use a smaller kernel or "
                                  "dilation")
    conv = save_checkpoint(nn.Sequential(nn.Conv2d(1, 2, 3, padding=1)), tmp_path / "conv.pt")
    with pytest.raises(ValueError) as excinfo:
        load_checkpoint(conv, nn.ModuleList([nn.Conv2d(1, 2, 3, padding=1)]))
    assert str(excinfo.value).endswith(
        "it holds the weights of a Sequential, the model is a ModuleList; every weight has a matching name and shape, "
        "but another class can compute something else with them. Build the model the checkpoint was saved from, "
        "then load into it (or pass check_architecture=False when the two classes compute the same)")
    with pytest.raises(ValueError) as excinfo:
        load_checkpoint(save_checkpoint(nn.Linear(3, 2), tmp_path / "linear.pt"), nn.Linear(4, 5))
    assert str(excinfo.value).endswith("the model is a Linear; weight has shape (2, 3) in the checkpoint but (5, 4) "
                                       "in the model (and 1 more). Build the model the checkpoint was saved from, "
                                       "then load into it")
    bar = _finished_bar()
    assert "batch/s" in capsys.readouterr().err
    assert finished_bar_text(bar) == "training: 100%|" + "█" * 40 + "| 7/7"
    assert 'aria-label="training: 7 of 7 batches"' in _BarView(bar)._repr_mimebundle_()["text/html"]

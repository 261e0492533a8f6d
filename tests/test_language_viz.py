"""The plots in Chinese (cnn_helpers/viz, issue 17): after set_language("zh"), no English is left.

Every plot function the notebooks and explorers call is drawn in Chinese with typical arguments
(the texts a notebook hands in, such as titles, are Chinese too, as a Chinese notebook's are), and
- every text of the figure (titles, axis and colour-bar labels, legends, tick labels, in-figure
  numbers) and its alt text hold no English word but identifiers and units;
- drawing it raises no warning (a "Glyph ... missing from font" is a UserWarning) and logs no
  font warning (the CJK subset has no bold face);
- the explorers' numbers tables (HTML) and the errors a student can trigger are in Chinese.
The language is read when a figure is drawn, not when the package is imported, and English
outputs stay as they were.
"""

from __future__ import annotations

import logging
import re
import warnings
from types import SimpleNamespace

import matplotlib
import matplotlib.text
import numpy as np
import pytest
import torch
from english_words import english_words
from torch import nn

from cnn_helpers import viz
from cnn_helpers.language import set_language

matplotlib.use("Agg")

# Argument and function names a Chinese message names as they are, and log(1 + count)'s log.
IDENTIFIERS = {"x", "image", "images", "titles", "responses", "labels", "matrix", "points", "predictions",
               "weight", "history", "changes", "rows", "magnitude", "log"}


def _digit(seed: int = 0):
    """A 28 × 28 image in [0, 1] with a bright stroke, like an MNIST digit."""
    image = np.zeros((28, 28))
    image[6:22, 12:16] = 1.0
    return image * np.random.default_rng(seed).uniform(0.7, 1.0, (28, 28))


def _shape_rows():
    from cnn_helpers.model import trace_shapes

    model = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                          nn.Linear(4 * 14 * 14, 10))
    return trace_shapes(model, (1, 28, 28))


def _history(epochs: int):
    return SimpleNamespace(train_loss=[0.9, 0.4, 0.2][:epochs], validation_loss=[0.5, 0.3, 0.25][:epochs],
                           validation_accuracy=[0.9, 0.95, 0.97][:epochs])


def _sliding():
    x, kernel = np.arange(36.0).reshape(6, 6), np.ones((3, 3))
    so_far = np.full((4, 4), np.nan)
    so_far[0, :2] = [(x[:3, j:j + 3] * kernel).sum() for j in range(2)]
    return viz.plot_sliding_window(x, kernel, so_far, unit=(0, 1))


def _conv_explorer():
    fig = viz.plot_conv_window(_digit(), np.array([[1.0, 0, -1]] * 3), np.ones((14, 14)), stride=(2, 2),
                               padding=(1, 1), unit=(3, 4))
    return viz.plot_conv_window(_digit(1), np.ones((3, 3)), np.ones((28, 28)), padding=(1, 1), dilation=(1, 1),
                                unit=(0, 0), fig=fig)  # a redraw, as the explorer does


def _pooling(mode):
    feature_map = np.arange(36.0).reshape(6, 6)
    return lambda: viz.plot_pooling(feature_map, np.ones((4, 4)), (2, 2), (2, 2), padding=(1, 1), unit=(1, 2),
                                    mode=mode)


def _training(epochs: int):
    fig = viz.training_curves_figure(3)
    viz.plot_training_curves(_history(epochs), fig=fig)
    assert viz.training_curves_png(fig)[:4] == b"\x89PNG"  # the live plot's cached drawing
    return fig


FIGURES = {
    # 00 introduction
    "plot_neighbour_correlation": lambda: viz.plot_neighbour_correlation(
        [1, 2, 4, 8], {"照片": [0.95, 0.9, 0.8, 0.6], "打乱像素后": [0.02, 0.0, 0.01, 0.0]}, "相邻像素很像"),
    "plot_layer_stages": lambda: viz.plot_layer_stages(
        [("输入", np.random.default_rng(0).random((3, 32, 32))), ("卷积：竖直边缘", np.ones((30, 30))),
         ("ReLU", np.ones((30, 30))), ("全连接：3 个得分", np.array([1.5, -0.3, 0.2]))]),
    # 01 input layer
    "plot_channels": lambda: viz.plot_channels(torch.rand(3, 16, 20)),
    "plot_spectrogram": lambda: viz.plot_spectrogram(torch.rand(129, 60) + 0.01, 8000, 64, "两个纯音和一段上升的音"),
    "plot_sequence_conv": lambda: viz.plot_sequence_conv(torch.rand(8, 5), ["这部", "电影", "真的", "很", "好看"],
                                                         torch.rand(4, 3), kernel_size=3),
    "plot_input_batch": lambda: viz.plot_input_batch(torch.rand(6, 3, 8, 8), view="grayscale", batch_size=5,
                                                     layout="NHWC"),
    "plot_input_batch one image": lambda: viz.plot_input_batch(torch.rand(2, 3, 8, 8), view="R", batch_size=1),
    # 02 convolution
    "plot_sliding_window": _sliding,
    "plot_conv_window": _conv_explorer,
    "plot_filter_responses": lambda: viz.plot_filter_responses(
        _digit(), [np.ones((26, 26)), -np.ones((26, 26)), np.zeros((26, 26))],
        ["G_x：竖直边缘", "G_y：水平边缘", "边缘强度"]),
    "plot_parameter_counts": lambda: viz.plot_parameter_counts(
        {"全连接": 283_024, "局部连接": 36_100, "卷积": 100}, "28 × 28 的数字，361 个隐藏神经元，10 × 10 的块"),
    # 03 receptive field
    "plot_receptive_field": lambda: viz.plot_receptive_field(
        _digit(), [((-6, 9), (-6, 9)), ((6, 21), (10, 25))], labels=["(0, 0)", "(3, 4)"]),
    "plot_receptive_field titled": lambda: viz.plot_receptive_field(_digit(), ((-2, 2), (-2, 2)), title="填充 2"),
    "plot_rf_growth": lambda: viz.plot_rf_growth([1, 2, 3, 4], {"3×3 卷积": [3, 5, 7, 9], "先步长 2": [3, 7, 11, 15]}),
    "plot_effective_receptive_field": lambda: viz.plot_effective_receptive_field(
        np.outer(np.hanning(11), np.hanning(11)), ((1, 9), (1, 9))),
    "plot_rf_explorer": lambda: viz.plot_rf_explorer(_digit(), ((-6, 9), (2, 17)), (7, 7), (0, 2)),
    # 04 pooling
    "plot_pooling max": _pooling("max"),
    "plot_pooling avg": _pooling("avg"),
    "plot_pooling sum": _pooling("sum"),
    "plot_shift_tolerance": lambda: viz.plot_shift_tolerance([0, 1, 2, 3], {"不池化": [0, 0.7, 0.9, 1.0],
                                                                         "max 2×2": [0, 0.4, 0.6, 0.7]}),
    # 05 fully connected
    "plot_shape_trace": lambda: viz.plot_shape_trace(_shape_rows()),
    # 06 full implementation
    "plot_training_curves": lambda: _training(2),
    "plot_training_curves before training": lambda: _training(0),
    "plot_confusion_matrix": lambda: viz.plot_confusion_matrix(np.diag([98, 97, 99]) + 1),
    "plot_misclassified": lambda: viz.plot_misclassified(np.zeros((6, 1, 28, 28)), [1, 2, 3, 4, 5, 6],
                                                         [1, 7, 3, 9, 5, 0]),
    "plot_filters": lambda: viz.plot_filters(np.random.default_rng(0).normal(size=(16, 1, 5, 5))),
    "plot_embedding": lambda: viz.plot_embedding(np.random.default_rng(0).normal(size=(60, 2)), np.arange(60) % 10,
                                                 "测试数字：1,568 个特征的主成分分析"),
    "plot_feature_maps": lambda: viz.plot_feature_maps(
        _digit(), np.random.default_rng(0).random((16, 28, 28)), "测试图像 0：数字 7",
        "ReLU 之后的 conv1：16 张 28 × 28 的特征图"),
}


def _texts(fig) -> list[str]:
    """Every text of ``fig``, mathtext commands (a log axis's ``$\\mathdefault{10^{2}}$``) left out."""
    return [re.sub(r"\\[A-Za-z]+", "", t.get_text()) for t in fig.findobj(matplotlib.text.Text) if t.get_text()]


def _english(texts) -> list[tuple[str, list[str]]]:
    return [(text, words) for text in texts if (words := english_words(text, IDENTIFIERS))]


@pytest.mark.parametrize("name", FIGURES)
def test_a_figure_drawn_in_chinese_has_no_english_and_every_glyph(name, caplog):
    set_language("zh")
    try:
        with warnings.catch_warnings(), caplog.at_level(logging.WARNING, logger="matplotlib"):
            warnings.simplefilter("error")  # "Glyph ... missing from font(s)" is a UserWarning
            fig = FIGURES[name]()
            assert viz.figure_to_png(fig)[:4] == b"\x89PNG"  # drawn: tick labels are set, every glyph looked up
        assert not [r.getMessage() for r in caplog.records if "findfont" in r.getMessage()]
        texts = _texts(fig)
        alt = viz.figure_alt(fig)
        assert any(re.search(r"[\u4e00-\u9fff]", t) for t in texts) and re.search(r"[\u4e00-\u9fff]", alt)
        assert not _english([*texts, alt])
    finally:
        set_language("en")


def _strip_tags(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", html)


def test_the_explorers_numbers_tables_are_in_chinese():
    from cnn_helpers.receptive_field import receptive_field

    images = torch.rand(4, 3, 8, 8)
    table = receptive_field(nn.Sequential(nn.Conv2d(1, 1, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                                          nn.Conv2d(1, 1, 3, stride=2)), (1, 28, 28))
    set_language("zh")
    try:
        tables = [viz.render_input_explorer(viz.plot_input_batch(images), images, view, 3, layout)
                  for view in ("RGB", "grayscale") for layout in viz.LAYOUTS]
        tables.append(viz.rf_numbers_html(table, (2, 3)))
        for html in tables:
            text = _strip_tags(html)
            assert re.search(r"[\u4e00-\u9fff]", text) and not _english([text]), text
        assert "灰度[0,0]" in tables[2]  # the grey channel's name is shown in Chinese
    finally:
        set_language("en")


def _raises(function, *args, **kwargs) -> str:
    with pytest.raises((ValueError, TypeError)) as caught:
        function(*args, **kwargs)
    return str(caught.value)


ERRORS = {
    "unit outside the output": lambda: _raises(viz.plot_sliding_window, np.ones((4, 4)), np.ones((3, 3)),
                                               np.ones((2, 2)), unit=(2, 0)),
    "one title too few": lambda: _raises(viz.plot_filter_responses, np.eye(4), [np.eye(4), np.eye(4)], ["甲"]),
    "batch too large": lambda: _raises(viz.plot_input_batch, torch.rand(3, 3, 4, 4), batch_size=4),
    "not a tensor": lambda: _raises(viz.channel_view, np.zeros((1, 3, 2, 2)), "RGB"),
    "no batch dimension": lambda: _raises(viz.channel_view, torch.zeros(3, 2, 2), "RGB"),
    "four channels": lambda: _raises(viz.channel_view, torch.zeros(1, 4, 2, 2), "RGB"),
    "shifts and changes differ": lambda: _raises(viz.plot_shift_tolerance, [0, 1, 2], {"最大池化": [0.0, 0.5]}),
    "one label too few": lambda: _raises(viz.plot_receptive_field, np.zeros((8, 8)),
                                         [((0, 2), (0, 2)), ((1, 3), (1, 3))], labels=["甲"]),
    "four-channel image": lambda: _raises(viz.plot_receptive_field, np.zeros((4, 8, 8)), ((0, 2), (0, 2))),
    "matrix not square": lambda: _raises(viz.plot_confusion_matrix, np.ones((2, 3))),
    "lengths differ": lambda: _raises(viz.plot_misclassified, np.zeros((3, 28, 28)), [1, 2], [1, 2, 3]),
    "points not pairs": lambda: _raises(viz.plot_embedding, np.ones((3, 2)), [0, 1], "演示"),
    "history too long": lambda: _raises(viz.plot_training_curves, _history(3), fig=viz.training_curves_figure(2)),
    "spectrogram of one dimension": lambda: _raises(viz.plot_spectrogram, torch.ones(8), 8000, 64, "音"),
}


@pytest.mark.parametrize("name", ERRORS)
def test_an_error_a_student_can_trigger_is_in_chinese(name):
    set_language("zh")
    try:
        message = ERRORS[name]()
        assert re.search(r"[\u4e00-\u9fff]", message) and not _english([message]), message
    finally:
        set_language("en")


def test_the_language_is_read_when_a_figure_is_drawn_and_english_stays_as_it_was():
    feature_map = np.arange(36.0).reshape(6, 6)
    out = feature_map.reshape(3, 2, 3, 2).max(axis=(1, 3))
    english = ["input 6 × 6 (padding 0)", "window (1, 2): max = 23", "output 3 × 3"]
    fig = viz.plot_pooling(feature_map, out, (2, 2), (2, 2), unit=(1, 2))
    assert [ax.get_title() for ax in fig.axes] == english
    set_language("zh")
    try:
        chinese = viz.plot_pooling(feature_map, out, (2, 2), (2, 2), unit=(1, 2))
        assert [ax.get_title() for ax in chinese.axes] == ["输入 6 × 6（填充 0）", "窗口 (1, 2)：最大值 = 23",
                                                           "输出 3 × 3"]
    finally:
        set_language("en")
    again = viz.plot_pooling(feature_map, out, (2, 2), (2, 2), unit=(1, 2))
    assert [ax.get_title() for ax in again.axes] == english
    assert viz.figure_alt(_training(2)) == (
        "Left: training loss (circles) and validation loss (squares) per epoch, log scale. Right: validation "
        "accuracy per epoch. After epoch 2: train loss 0.4, validation loss 0.3, validation accuracy 95.0%.")
    images = torch.rand(2, 3, 4, 4)
    html = viz.render_input_explorer(viz.plot_input_batch(images, max_batch=2), images, "grayscale", 2, "NCHW")
    assert "<tr><td>first in memory</td><td><code>gray[0,0], gray[0,1], gray[0,2]" in html
    assert "<p>With one channel, both layouts keep the numbers in the same order.</p>" in html

"""The explorers in Chinese (issue 17): after ``set_language("zh")`` a student sees no English.

Every explorer is built in Chinese and its sliders moved through a few settings, one of them
impossible; at each step every text a student can see (control descriptions and option labels,
the numbers and the message with their tags stripped, the screen-reader description, the alt
text, the saved view's text/plain and text/html) holds no English word (tests/english_words.py).
The errors the explorers raise are Chinese too, and the English outputs are pinned, byte for byte.
"""

from __future__ import annotations

import functools
import html
import re

import pytest
from english_words import english_words

from cnn_helpers import widgets
from cnn_helpers.language import set_language

CJK = re.compile(r"[\u4e00-\u9fff]")


@functools.cache
def _argument_names() -> frozenset[str]:
    """Code a Chinese message names as it is: the arguments of the explorers, the calculators they call and
    PyTorch's layers ("请增大 padding"), the choices a student writes ("pool='none'"), and the notebooks'
    variables in examples ("例如 maps[0]")."""
    import inspect

    from torch import nn

    from cnn_helpers import model, receptive_field

    functions = [getattr(module, name) for module in (widgets, receptive_field) for name in module.__all__]
    functions += [model.build_cnn, nn.Conv2d, nn.MaxPool2d, nn.AvgPool2d]
    names = {"none", "half", "maps"}
    for function in filter(callable, functions):
        names |= set(inspect.signature(function).parameters)
    return frozenset(names)



def _text(markup: str) -> str:
    """What a reader sees of some HTML: H<sub>out</sub> is the symbol H_out; tags go, entities are decoded."""
    markup = re.sub(r"<sub>(.*?)</sub>", r"_\1", markup)
    return html.unescape(re.sub(r"<[^>]+>", " ", markup))


def _seen(explorer) -> dict[str, str]:
    """Every text of ``explorer`` a student can see or hear, by where it is."""
    data, metadata = explorer._repr_mimebundle_()
    seen = {
        "numbers": _text(explorer.numbers.value),
        "message": _text(explorer.message.value),
        "picture description": _text(explorer.description.value),
        "text/plain": data["text/plain"],
        "text/html": _text(data["text/html"].replace(explorer.message.value, "")),  # the message: above
        "alt": metadata.get("image/png", {}).get("alt", ""),
        "img alt": " ".join(html.unescape(a) for a in re.findall(r' alt="([^"]*)"', data["text/html"])),
    }
    for name, control in explorer.controls.items():
        seen[f"{name} description"] = control.description
        seen[f"{name} options"] = " ".join(getattr(control, "_options_labels", ()))
    return seen


def _assert_chinese(explorer, step: str, identifiers=frozenset()) -> None:
    """Labels, numbers and descriptions hold no English word; a message may name arguments, as code."""
    for where, text in _seen(explorer).items():
        allowed = set(identifiers) | (_argument_names() if where == "message" else set())
        assert not english_words(text, allowed), f"{step}: English in {where}: {text!r}"
    assert CJK.search(explorer.numbers.value + explorer.message.value), f"{step}: no Chinese shown"


def _walk(explorer, moves, impossible, identifiers=frozenset()) -> None:
    """Move the controls one by one; after each move everything shown is Chinese; ``impossible`` shows a message."""
    _assert_chinese(explorer, "start", identifiers)
    messages = 0
    for name, value in moves:
        control = explorer.controls[name]
        control.value = min(value, control.max) if hasattr(control, "max") else value
        step = f"{name}={value}"
        _assert_chinese(explorer, step, identifiers)
        if (name, value) in impossible:
            assert CJK.search(explorer.message.value), f"{step} should show a message"
            assert "explorer-stale" in explorer.numbers.value
            messages += 1
        else:
            assert explorer.message.value == "", f"{step}: {explorer.message.value}"
    assert messages == len(impossible)


def test_input_explorer_speaks_chinese(chinese):
    explorer = widgets.input_explorer()
    assert explorer.controls["view"].label == "RGB" and explorer.controls["batch_size"].description == "批大小 N"
    _walk(explorer, [("view", "grayscale"), ("batch_size", 3), ("layout", "NHWC"), ("view", "R")], [])
    assert explorer.controls["view"].value == "R"  # the values stay the code's


def test_conv_explorer_speaks_chinese_also_when_the_kernel_does_not_fit(chinese):
    explorer = widgets.conv_explorer()
    moves = [("kernel_size", 3), ("dilation", 3), ("position", 40), ("padding", 0), ("dilation", 1),
             ("kernel_size", 11), ("dilation", 4), ("dilation", 1), ("stride", 3)]
    _walk(explorer, moves, [("dilation", 4)])  # a window 41 pixels wide on a 27-pixel-wide photo
    explorer.controls["kernel_size"].value, explorer.controls["dilation"].value = 3, 3
    assert "相隔 3 个像素" in explorer.numbers.value  # the dilated window's sentence


def test_rf_explorer_speaks_chinese_also_when_the_stack_leaves_no_output(chinese):
    explorer = widgets.rf_explorer()
    moves = [("unit_row", 3), ("layers", 4), ("stride_1", 3), ("stride_2", 3), ("kernel_3", 7), ("padding", "half"),
             ("preset", "two 3×3 convs"), ("preset", widgets.RF_COURSE_MODEL), ("image", "photo"), ("unit_col", 5)]
    _walk(explorer, moves, [("stride_2", 3), ("kernel_3", 7)])  # 28 → 9 → 3 pixels, then a 3×3 and a 7×7 kernel
    assert explorer.controls["preset"].value == widgets.RF_COURSE_MODEL


def test_pooling_explorer_speaks_chinese_in_every_mode_and_with_too_much_padding(chinese):
    explorer = widgets.pooling_explorer()
    moves = [("kernel_size", 3), ("mode", "avg"), ("padding", 2), ("padding", 1), ("position", 0), ("mode", "sum"),
             ("stride", 5), ("mode", "max"), ("feature", "photo: edges"), ("stride", 1)]
    _walk(explorer, moves, [("padding", 2)])
    explorer.controls["padding"].value, explorer.controls["position"].value = 1, 0
    assert "个填充位置" in explorer.numbers.value  # a window over the padding says so


def test_shape_explorer_speaks_chinese_also_when_the_map_vanishes(chinese):
    explorer = widgets.shape_explorer()
    layer_names = {row.name for row in widgets.trace_course_style_model(28, 4, 5, 2, "max")}  # e.g. "out"
    moves = [("pool", "none"), ("batch_size", 3), ("pool", "avg"), ("input_size", 8), ("blocks", 4),
             ("input_size", 64), ("kernel_size", 7), ("padding", 3)]
    _walk(explorer, moves, [("blocks", 4)], identifiers=layer_names)


def _tiny_model_and_digits():
    import torch
    from torch.utils.data import TensorDataset

    from cnn_helpers.model import SeedCNN

    torch.manual_seed(0)
    g = torch.Generator().manual_seed(0)
    return SeedCNN(), TensorDataset(torch.rand(6, 1, 28, 28, generator=g), torch.arange(6) % 10)


def test_feature_map_explorer_speaks_chinese(chinese):
    explorer = widgets.feature_map_explorer(*_tiny_model_and_digits())
    _walk(explorer, [("index", 2), ("block", "conv2"), ("layer", "MaxPool2d"), ("layer", "Conv2d")], [])


def test_a_bug_while_drawing_and_the_stale_numbers_are_told_in_chinese(chinese):
    from ipywidgets import IntSlider
    from matplotlib.figure import Figure

    def render(fig, size):
        if size == 2:
            raise RuntimeError("坏了")
        fig.clf()
        return f"<b>{size}</b>"

    explorer = widgets.Explorer({"size": IntSlider(value=1, min=1, max=3, description="大小")}, render, Figure(),
                                "toy-explorer", title="玩具")
    explorer.controls["size"].value = 2
    assert explorer.message.value and not english_words(_text(explorer.message.value), {"RuntimeError"})
    assert not english_words(_text(explorer.numbers.value))
    assert explorer._repr_mimebundle_()[0]["text/plain"].startswith("玩具，设置为 大小 2")


class _Pairs:
    """A torch Dataset of the given (image, label) pairs."""

    def __init__(self, pairs):
        self.pairs = pairs

    def __len__(self):
        return len(self.pairs)

    def __getitem__(self, index):
        return self.pairs[index]


def _errors():
    """name -> a call that raises an error a student can trigger in the explorers' functions."""
    import torch
    from torch.utils.data import Dataset

    from cnn_helpers.model import SeedCNN
    from cnn_helpers.widgets.receptive_field import _check_picture

    model = SeedCNN()
    digits = torch.zeros(2, 1, 28, 28)

    class Pairs(_Pairs, Dataset):
        pass

    return {
        "max_batch": lambda: widgets.input_explorer(9),
        "conv image": lambda: widgets.conv_explorer(torch.zeros(2, 3, 3)),
        "blocks": lambda: widgets.trace_course_style_model(28, 5, 5, 2, "max"),
        "pool padding": lambda: widgets.pooling_numbers((28, 28), 2, 2, 2),
        "pool feature": lambda: widgets.render_pooling(None, {"a": torch.zeros(4, 4)}, "b", "max", 2, 2, 0),
        "pool maps type": lambda: widgets.pooling_explorer("x"),
        "pool maps empty": lambda: widgets.pooling_explorer({}),
        "pool maps key": lambda: widgets.pooling_explorer({1: torch.zeros(3, 3)}),
        "pool map shape": lambda: widgets.pooling_explorer({"a": torch.zeros(3)}),
        "rf kernel_sizes": lambda: widgets.build_rf_stack(3, [1]),
        "rf strides": lambda: widgets.build_rf_stack([3], [1, 1]),
        "rf no output": lambda: widgets.rf_stack_table("custom stack", ((7, 3),) * 4, "none", (28, 28)),
        "rf images": lambda: widgets.render_rf(None, "x", "custom stack", "a", 1, "none", 0, 0),
        "rf image": lambda: widgets.render_rf(None, {"z": torch.zeros(1, 8, 8)}, "custom stack", "a", 1, "none", 0, 0),
        "rf layers": lambda: widgets.render_rf(None, {"z": torch.zeros(1, 8, 8)}, "custom stack", "z", 5, "none", 0, 0),
        "rf missing": lambda: widgets.render_rf(None, {"z": torch.zeros(1, 8, 8)}, "custom stack", "z", 2, "none",
                                                0, 0, kernel_1=3),
        "rf unit": lambda: widgets.render_rf(None, {"z": torch.zeros(1, 8, 8)}, "custom stack", "z", 1, "none",
                                             9, 0, kernel_1=3, stride_1=1),
        "rf channels": lambda: _check_picture(torch.zeros(2, 4, 4), "photo"),
        "rf picture": lambda: _check_picture(torch.zeros(4), "photo"),
        "fm model": lambda: widgets.feature_map_stages("m", torch.zeros(1, 28, 28)),
        "fm blocks": lambda: widgets.feature_map_stages(torch.nn.Conv2d(1, 1, 1), torch.zeros(1, 28, 28)),
        "fm image": lambda: widgets.feature_map_stages(model, torch.zeros(28, 28)),
        "fm images": lambda: widgets.render_feature_maps(None, model, torch.zeros(2, 28, 28), torch.zeros(2), 0,
                                                         "conv1", "ReLU"),
        "fm labels": lambda: widgets.render_feature_maps(None, model, digits, torch.zeros(3), 0, "conv1", "ReLU"),
        "fm index": lambda: widgets.render_feature_maps(None, model, digits, torch.zeros(2), 5, "conv1", "ReLU"),
        "fm block": lambda: widgets.render_feature_maps(None, model, digits, torch.zeros(2), 0, "conv9", "ReLU"),
        "fm layer": lambda: widgets.render_feature_maps(None, model, digits, torch.zeros(2), 0, "conv1", "Sigmoid"),
        "fm pairs": lambda: widgets.feature_map_explorer(model, Pairs([digits[0]])),
        "fm shapes": lambda: widgets.feature_map_explorer(model, Pairs([(digits[0], 1), (torch.zeros(1, 9, 9), 1)])),
        "fm label": lambda: widgets.feature_map_explorer(model, Pairs([(digits[0], torch.zeros(2))])),
        "fm dataset image": lambda: widgets.feature_map_explorer(model, Pairs([(torch.zeros(28, 28), 1)])),
        "numbers_only": lambda: widgets.Explorer({}, lambda fig: "", None, "x", numbers_only=("a",)),
    }


@pytest.mark.parametrize("name", sorted(_errors()))
def test_errors_a_student_can_trigger_are_chinese(chinese, name):
    with pytest.raises((ValueError, TypeError)) as excinfo:
        _errors()[name]()
    message = str(excinfo.value)
    assert CJK.search(message) and not english_words(message, _argument_names()), message


def test_the_english_outputs_are_unchanged():
    """Pinned from the explorers before they spoke through tr(): not one byte differs."""
    conv = widgets.conv_explorer()
    conv.controls["kernel_size"].value = 3
    assert conv._repr_mimebundle_()[0]["text/plain"] == (
        "conv explorer at kernel_size 3, stride 1, padding 2, dilation 1, out_channels 16, position 0 "
        "(a saved view: run the notebook to move its controls)")
    assert conv.numbers.value == (
        '<table class="conv-numbers"><tr class="output-height"><th style="text-align:left">output height</th>'
        "<td>H<sub>out</sub> = ⌊(H + 2·p − d·(k − 1) − 1) / s⌋ + 1 = ⌊(32 + 2·2 − 1·(3 − 1) − 1) / 1⌋ + 1 = 34</td>"
        '</tr><tr class="output-width"><th style="text-align:left">output width</th><td>W<sub>out</sub> = '
        "⌊(W + 2·p − d·(k − 1) − 1) / s⌋ + 1 = ⌊(27 + 2·2 − 1·(3 − 1) − 1) / 1⌋ + 1 = 29</td></tr>"
        '<tr class="output-shape"><th style="text-align:left">output shape</th><td>(16, 34, 29) = '
        "(kernels, H<sub>out</sub>, W<sub>out</sub>)</td></tr><tr class=\"parameters\"><th style=\"text-align:left\">"
        "parameters</th><td>16 kernels × (1·3·3 weights + 1 bias) = 160</td></tr><tr class=\"multiply-adds\">"
        '<th style="text-align:left">multiply-adds</th><td>16·34·29 outputs × 9 each = 141,984</td></tr>'
        '<tr class="window"><th style="text-align:left">window</th><td>output unit (0, 0) sees input rows -2…0, '
        "columns -2…0 (negative or past the edge: padding)</td></tr></table>")
    assert [c.description for c in conv.controls.values()] == [
        "kernel_size", "stride", "padding", "dilation", "out_channels", "window position"]

    pooling = widgets.pooling_explorer()
    for name, value in (("kernel_size", 3), ("mode", "avg"), ("padding", 2)):  # the last is impossible
        pooling.controls[name].value = value
    stale = (
        '<div class="explorer-stale"><div style="color:#a00">The sliders\' setting has no result; these numbers are '
        'from the last setting that worked:</div><div style="opacity:0.45"><table class="pooling-numbers">'
        '<tr class="output-height"><th style="text-align:left">output height</th><td>H<sub>out</sub> = '
        "⌊(H + 2·p − k) / s⌋ + 1 = ⌊(28 + 2·0 − 3) / 2⌋ + 1 = 13</td></tr><tr class=\"output-width\">"
        '<th style="text-align:left">output width</th><td>W<sub>out</sub> = ⌊(28 + 2·0 − 3) / 2⌋ + 1 = 13</td></tr>'
        '<tr class="values"><th style="text-align:left">values kept</th><td>28·28 = 784 → 13·13 = 169 (21.6%)</td>'
        '</tr><tr class="overlap"><th style="text-align:left">windows</th><td>windows overlap (stride 2 < '
        "kernel_size 3): a value is in up to 4 windows</td></tr><tr class=\"window\"><th style=\"text-align:left\">"
        "this window</th><td>output (6, 6) = the sum / 9 of 9 values = 0.1647</td></tr><tr class=\"parameters\">"
        '<th style="text-align:left">parameters</th><td>0: pooling has no weights to learn</td></tr></table></div>'
        "</div>")
    assert pooling._repr_mimebundle_()[0]["text/html"] == (
        '<div class="cnn-explorer-static pooling-explorer"><p><em>A saved view of an interactive explorer: run the '
        "notebook to move its controls.</em> Setting: feature digit 3: vertical edges, mode avg, kernel_size 3, "
        'stride 2, padding 2, position 84.</p><div class="explorer-message" style="color:#a00">padding 2 is more '
        "than half of kernel_size 3: a window could then hold only padding, and PyTorch refuses it; use padding "
        f'&lt;= 1 or a larger kernel_size</div><div class="cnn-explorer-numbers">{stale}</div></div>')
    assert pooling.controls["mode"]._options_labels == ("max", "avg", "sum")  # as before: the values themselves


def test_an_explorer_built_in_english_stays_english_and_the_next_one_is_chinese():
    """tr runs when an explorer is built or updated, never at import: the switch reaches explorers built after it."""
    english = widgets.shape_explorer()
    set_language("zh")
    try:
        chinese = widgets.shape_explorer()
        assert chinese.controls["pool"].label == "最大" and chinese.title == "形状探索器"
        assert english.controls["pool"].label == "max" and english.title == "shape explorer"
    finally:
        set_language("en")

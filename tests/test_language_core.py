"""The core modules in Chinese (issue 17): _validation, data, env, model and from_scratch.

With ``set_language("zh")`` every message these modules show a student (argument checks, data and
download errors, the environment report, the model's input checks and shape table, the from-scratch
convolution's checks) holds no English but identifiers, names and numbers; in English they are
unchanged, byte for byte; and no text is translated at import time, so the switch reaches them all.
"""

from __future__ import annotations

import ast
import re
import urllib.request
from pathlib import Path

import numpy as np
import pytest
import torch
from english_words import english_words
from torch import nn

import cnn_helpers
from cnn_helpers import _validation as rule
from cnn_helpers import data, env, from_scratch, model
from cnn_helpers.language import set_language, tr

# Names a message writes as they are: argument and attribute names, classes, formats, a checksum.
IDENTIFIERS = {
    "stride", "mode", "lr", "title", "image", "size", "figsize", "fig", "ax", "counts", "history", "table",
    "source", "path", "seed", "threads", "version", "requirement", "channels", "model", "dropout", "weight",
    "bias", "padding", "out", "Figure", "Axes", "Path", "SHA", "idx", "History",
    # values the calls below pass, which a message quotes back
    "list", "conv", "bundled", "full", "tiny", "abc", "no", "yes", "pool", "none", "dim", "keepdim",
}
CORE_MODULES = ["_validation.py", "data.py", "env.py", "model.py", "from_scratch.py"]


def _message(call) -> str:
    with pytest.raises((TypeError, ValueError, ConnectionError)) as excinfo:
        call()
    return str(excinfo.value)


def _english(text: str) -> list[str]:
    """English words of ``text``, code spans in backticks (commands such as `pip install -e .`) left out."""
    return english_words(re.sub(r"`[^`]*`", " ", text), IDENTIFIERS)


ERRORS = {
    "check_int type": lambda: rule.check_int(1.5, "stride"),
    "check_int minimum": lambda: rule.check_int(0, "stride", minimum=1),
    "to_pair length": lambda: rule.to_pair((1, 2, 3), "stride"),
    "check_choice": lambda: rule.check_choice("sum", "mode", ("max", "avg")),
    "check_number type": lambda: rule.check_number("a", "lr"),
    "check_number finite": lambda: rule.check_number(float("nan"), "lr"),
    "check_number range": lambda: rule.check_number(2, "lr", 0, 1),
    "check_number minimum": lambda: rule.check_number(-1, "lr", minimum=0),
    "check_number maximum": lambda: rule.check_number(2, "lr", maximum=1),
    "check_text": lambda: rule.check_text(3, "title"),
    "check_array type": lambda: rule.check_array(None, "image"),
    "check_array dtype": lambda: rule.check_array(["a"], "image"),
    "check_array complex": lambda: rule.check_array(np.ones(2) * 1j, "image"),
    "check_array ndim": lambda: rule.check_array(np.ones(2), "image", (2, 3), "(H, W)"),
    "check_array empty": lambda: rule.check_array(np.ones((0, 2)), "image"),
    "check_array nan": lambda: rule.check_array(np.array([np.nan]), "image"),
    "integer maximum": lambda: rule.integer(0, 5)(7, "size"),
    "choice type": lambda: rule.choice(("max", "avg"))(3, "mode"),
    "sequence type": lambda: rule.sequence(rule.integer(), example="[3, 3]")(3, "size"),
    "sequence empty": lambda: rule.sequence(rule.integer(), 1, example="[3, 3]")([], "size"),
    "sequence short": lambda: rule.sequence(rule.integer(), 2)([1], "size"),
    "sequence length": lambda: rule.size_pair()((1.0, 2.0, 3.0), "figsize"),
    "tuple_of": lambda: rule.tuple_of(rule.integer(), rule.integer(), example="(3, 1)")(3, "size"),
    "attributes": lambda: rule.attributes("train_loss", "validation_loss")(3, "history"),
    "figure": lambda: rule.figure()(3, "fig"),
    "axes": lambda: rule.axes()(3, "ax"),
    "axes or figure": lambda: rule.axes(figure_too=True)(3, "ax"),
    "mapping type": lambda: rule.mapping(rule.integer(), example="{'conv': 416}")(3, "counts"),
    "mapping empty": lambda: rule.mapping(rule.integer())({}, "counts"),
    "mapping key": lambda: rule.mapping(rule.integer())({1: 2}, "counts"),
    "region type": lambda: rule.region()(3, "table"),
    "region order": lambda: rule.region()(((3, 1), (0, 1)), "table"),
    "cache_dir": lambda: data.mnist_cache_dir(3),
    "load_mnist source": lambda: data.load_mnist("tiny"),
    "read_idx type": lambda: data.read_idx(3),
    "sample_image size": lambda: data.sample_image(10_000),
    "set_seed": lambda: env.set_seed(2**33),
    "set_seed threads": lambda: env.set_seed(0, 5000),
    "version_satisfies type": lambda: env.version_satisfies(1, ">=1"),
    "version_satisfies version": lambda: env.version_satisfies("abc", ">=1"),
    "version_satisfies operator": lambda: env.version_satisfies("1.0", "1.0"),
    "version_satisfies number": lambda: env.version_satisfies("1.0", ">="),
    "SeedCNN type": lambda: model.SeedCNN()(np.zeros((1, 1, 28, 28))),
    "SeedCNN dtype": lambda: model.SeedCNN()(torch.zeros(1, 1, 28, 28, dtype=torch.int64)),
    "build_cnn channels": lambda: model.build_cnn(channels=3),
    "build_cnn batch_norm": lambda: model.build_cnn(batch_norm="no"),
    "build_cnn dropout": lambda: model.build_cnn(dropout=1.5),
    "build_cnn pool": lambda: model.build_cnn(channels=(4, 4, 4, 4, 4, 4)),
    "count_parameters": lambda: model.count_parameters(3),
    "count_parameters trainable_only": lambda: model.count_parameters(nn.Linear(1, 1), "yes"),
    "trace_shapes input_size": lambda: model.trace_shapes(model.SeedCNN(), "a"),
    "conv2d dtype": lambda: from_scratch.conv2d(np.array([["a"]]), np.ones((1, 1, 1, 1))),
    "conv2d weight": lambda: from_scratch.conv2d(np.ones((1, 1, 4, 4)), np.ones((1, 2, 2))),
    "conv2d channels": lambda: from_scratch.conv2d(np.ones((1, 2, 4, 4)), np.ones((1, 1, 2, 2))),
    "conv2d bias": lambda: from_scratch.conv2d(np.ones((1, 1, 4, 4)), np.ones((3, 1, 2, 2)), np.ones(2)),
    "max_pool2d padding": lambda: from_scratch.max_pool2d(np.ones((1, 1, 4, 4)), 2, padding=2),
}
# Every fix the model's input check can suggest, one input shape each.
for shape in [(784,), (28, 28), (1, 28, 28), (5, 28, 28), (2, 28, 28, 1), (2, 3, 28, 28), (2, 2, 28, 28),
              (2, 1, 20, 20), (1, 2, 3, 4, 5)]:
    ERRORS[f"SeedCNN shape {shape}"] = lambda shape=shape: model.SeedCNN()(torch.zeros(shape))
for shape in [(4, 4), (1, 4, 4), (1, 1, 1, 4, 4)]:
    ERRORS[f"im2col shape {shape}"] = lambda shape=shape: from_scratch.im2col(np.ones(shape), 2)
ERRORS["conv2d weight 2-D"] = lambda: from_scratch.conv2d(np.ones((1, 1, 4, 4)), np.ones((2, 2)))


@pytest.mark.parametrize("call", ERRORS.values(), ids=ERRORS.keys())
def test_every_core_error_speaks_chinese(call):
    set_language("zh")
    try:
        message = _message(call)
    finally:
        set_language("en")
    assert re.search(r"[\u4e00-\u9fff]", message), message
    assert not _english(message), message


def test_the_mnist_file_errors_speak_chinese(tmp_path, monkeypatch):
    bad, truncated, folder_file = tmp_path / "f1", tmp_path / "f2", tmp_path / "f3"
    bad.write_bytes(b"\x01\x02\x03\x04")
    truncated.write_bytes(b"\x00\x00\x08\x01" + (5).to_bytes(4, "big") + bytes([1, 2]))
    folder_file.write_text("x")

    def offline(*args, **kwargs):
        raise OSError("x")

    monkeypatch.setattr(urllib.request, "urlopen", offline)
    set_language("zh")
    try:
        messages = [_message(lambda: data.read_idx(bad)), _message(lambda: data.read_idx(truncated)),
                    _message(lambda: data.download_mnist(folder_file)),
                    _message(lambda: data.download_mnist(tmp_path / "c1", progress=False))]
        with pytest.raises(data.MnistFileError) as corrupt:
            data._check_cached(folder_file, "0" * 64, 100)
        messages.append(str(corrupt.value))
    finally:
        set_language("en")
    for message in messages:
        without_paths = re.sub(r"https://\S+|[\w-]+\.gz", " ", message.replace(str(tmp_path), " "))
        assert not _english(without_paths), message


def test_texts_given_as_functions_are_translated_when_the_message_is_built():
    check = rule.array(2, "(H, W)", fix=lambda: tr("reshape it"))  # made once, as a @checked rule is at import
    with pytest.raises(ValueError, match=r"image must be a 2-D \(H, W\) tensor, got shape \(3,\); reshape it$"):
        check(np.ones(3), "image")
    set_language("zh")
    try:
        with pytest.raises(ValueError, match="请改变它的形状"):
            check(np.ones(3), "image")
        with pytest.raises(TypeError, match="，例如 "):
            rule.sequence(rule.integer(), example=lambda: "[3, 3]")(3, "size")
    finally:
        set_language("en")


from cnn_helpers.language import columns as _columns  # noqa: E402  (monospaced width: a Chinese character is 2)


def test_the_environment_report_in_chinese_is_a_table_without_english():
    report = env.EnvironmentReport((env.PackageCheck("torch", ">=2.4,<3", None),
                                    env.PackageCheck("numpy", ">=1.26,<3", "1.25.0"),
                                    env.PackageCheck("matplotlib", ">=3.8,<4", "3.9.0")), "cpu")
    set_language("zh")
    try:
        text, missing = str(report), str(env.environment_report())
    finally:
        set_language("en")
    assert not _english(text), text
    assert not _english(missing), missing
    table = text.splitlines()[1:4]
    # the requirement column starts at the same screen column in every row, Chinese characters being two wide
    assert {_columns(row.split(">=")[0]) for row in table} == {26}, text


def test_the_shape_table_in_chinese_is_aligned_and_without_english():
    trace = model.trace_shapes(model.SeedCNN(), (1, 28, 28))  # made in English, shown in Chinese
    set_language("zh")
    try:
        text, page = repr(trace), trace._repr_html_()
    finally:
        set_language("en")
    assert trace[-2].name == "(no module)" and trace[-2].layer_type == "flatten"  # code reads the rows' words
    assert text.startswith("一个样本经过 SeedCNN 各层后的形状\n")
    identifiers = {"conv1", "conv2", "out", "Conv2d", "ReLU", "MaxPool2d", "Linear", "SeedCNN"}
    for shown in (text, re.sub(r"<[^>]+>", " ", page)):
        assert not english_words(shown, identifiers), shown
    lines = text.splitlines()[1:]
    assert len({_columns(line.rstrip()) for line in lines if not line.startswith(("（", "合计"))}) == 1, text


def test_english_is_unchanged():
    assert _message(lambda: rule.check_number(2, "p", 0, 1)) == "p must be a number >= 0 and <= 1, got 2"
    assert _message(lambda: rule.sequence(rule.integer(), 2, example="[1, 2]")([], "xs")) == \
        "xs is empty; give at least 2, e.g. [1, 2]"
    assert _message(lambda: rule.check_array(np.ones(2), "img", (2, 3), "(H, W)", "pick one")) == \
        "img must be a 2 or 3-D (H, W) tensor, got shape (2,); pick one"
    assert _message(lambda: model.SeedCNN()(torch.zeros(28, 28))) == \
        "SeedCNN expects input of shape (N, 1, 28, 28), got (28, 28); add batch and channel dims with x[None, None]"
    report = env.EnvironmentReport((env.PackageCheck("torch", ">=2", None),
                                    env.PackageCheck("numpy", ">=1", "1.5")), "cpu")
    assert str(report) == (
        "            found         needed\n"
        "torch       missing       >=2         PROBLEM\n"
        "numpy       1.5           >=1         ok\n"
        "device      cpu\n"
        "Not ready yet:\n"
        "- torch is missing; the course needs torch >=2: run `pip install -e .` in the course folder "
        "(or `make setup`), then restart the kernel."
    )
    assert repr(model.trace_shapes(nn.Sequential(nn.Flatten(), nn.Linear(4, 2)), (1, 2, 2))) == (
        "Shapes of one example through Sequential\n"
        "layer  type     output shape  parameters\n"
        "-----  -------  ------------  ----------\n"
        "input  input    (1, 2, 2)              0\n"
        "0      Flatten  (4,)                   0\n"
        "1      Linear   (2,)                  10\n"
        "-----  -------  ------------  ----------\n"
        "total                                 10"
    )


def test_no_core_text_is_translated_at_import_time():
    """A tr() call outside any function runs once, at import, and would ignore a later set_language."""
    package = Path(cnn_helpers.__file__).parent
    at_import = []
    for name in CORE_MODULES:
        tree = ast.parse((package / name).read_text())
        inside = set()
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                inside |= {id(child) for child in ast.walk(node) if child is not node}
        at_import += [f"{name}:{node.lineno}" for node in ast.walk(tree)
                      if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "tr" and id(node) not in inside]
    assert not at_import, f"tr() called at import time: {at_import}"

"""The language switch (cnn_helpers/language.py): catalogue, font, and that every student-visible text goes through it.

- every ``tr("...")`` template in the package has a Chinese translation with the same placeholders,
  and the catalogue holds no template the package no longer uses;
- every error the package raises with a message, and every plot title, axis label and figure text,
  passes through ``tr`` (an English literal there would stay English in the Chinese edition);
- the shipped font covers every Chinese character of the catalogue, and matplotlib draws every
  catalogue text without a "missing from font" warning;
- English stays the default, and ``set_language`` rejects what it does not know, naming the fix.
"""

from __future__ import annotations

import ast
import warnings
from pathlib import Path

import matplotlib
import pytest

import cnn_helpers.language as lang

matplotlib.use("Agg")

PACKAGE = Path(lang.__file__).parent
SOURCES = sorted(p for p in PACKAGE.rglob("*.py") if p.name != "language.py")
TEXT_CALLS = {"set_title", "set_xlabel", "set_ylabel", "suptitle", "text", "annotate", "set_label", "title",
              "xlabel", "ylabel", "supxlabel", "supylabel", "figtext"}


def _calls(tree):
    return [node for node in ast.walk(tree) if isinstance(node, ast.Call)]


def _name(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def _is_english_literal(node) -> bool:
    """A string literal or f-string with a word of letters in it (not a tr call, a name or a number format)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        text = node.value
    elif isinstance(node, ast.JoinedStr):
        text = "".join(v.value for v in node.values if isinstance(v, ast.Constant))
    else:
        return False
    return any(word.isalpha() and len(word) > 1 for word in text.replace("_", " ").split())


def templates() -> dict[str, list[str]]:
    """Every literal template passed to tr() in the package, with where it is."""
    found: dict[str, list[str]] = {}
    for path in SOURCES:
        for call in _calls(ast.parse(path.read_text())):
            if _name(call) == "tr" and call.args and isinstance(call.args[0], ast.Constant):
                found.setdefault(call.args[0].value, []).append(f"{path.relative_to(PACKAGE)}:{call.lineno}")
    return found


def test_every_template_has_a_chinese_translation_with_the_same_placeholders():
    catalogue = lang.catalogue("zh")
    missing = {t: where for t, where in templates().items() if t not in catalogue}
    assert not missing, f"add these to cnn_helpers/translations/zh/*.json: {missing}"
    for english, chinese in catalogue.items():
        assert lang.placeholders(english) == lang.placeholders(chinese), english


def test_the_catalogue_holds_only_templates_the_package_uses():
    unused = sorted(set(lang.catalogue("zh")) - set(templates()))
    assert not unused, f"no tr() call uses these any more; drop them from the catalogue: {unused}"


def test_tr_is_only_called_with_a_literal_template():
    dynamic = [f"{p.relative_to(PACKAGE)}:{c.lineno}" for p in SOURCES for c in _calls(ast.parse(p.read_text()))
               if _name(c) == "tr" and not (c.args and isinstance(c.args[0], ast.Constant))]
    assert not dynamic, f"tr() needs the English template as a literal, so the catalogue test can see it: {dynamic}"


def test_raised_messages_and_figure_texts_go_through_tr():
    untranslated = []
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
                arguments = node.exc.args
            elif isinstance(node, ast.Call) and _name(node) in TEXT_CALLS:
                arguments = [*node.args, *(k.value for k in node.keywords if k.arg in ("label", "s", "t"))]
            else:
                continue
            if any(_is_english_literal(a) for a in arguments):
                untranslated.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
    assert not untranslated, f"wrap these texts in tr() (cnn_helpers/language.py): {untranslated}"


def test_english_is_the_default_and_tr_formats_like_an_f_string():
    assert lang.current_language() == "en"
    value, size = 7, 5
    assert lang.tr("kernel_size={value} > {size:.1f} {{px}}", value=value, size=size) == \
        f"kernel_size={value} > {size:.1f} {{px}}"


def test_set_language_switches_and_rejects_unknown_codes_naming_the_fix():
    try:
        lang.set_language("zh")
        assert lang.current_language() == "zh"
    finally:
        lang.set_language("en")
    with pytest.raises(ValueError, match=r"set_language\(code='fr'\).*set_language\('zh'\)"):
        lang.set_language("fr")
    assert lang.current_language() == "en"


def test_the_font_covers_every_chinese_character_of_the_catalogue():
    from matplotlib import font_manager
    from matplotlib.ft2font import FT2Font

    subset = set(FT2Font(str(lang.FONT_FILE)).get_charmap())
    dejavu = set(FT2Font(font_manager.findfont("DejaVu Sans")).get_charmap())
    text = "".join(lang.catalogue("zh").values())
    # and the Chinese notebooks' own strings (plot titles, legends) and prose
    translations = PACKAGE.parent / "notebooks" / "zh" / "translations"
    text += "".join(p.read_text(encoding="utf-8") for p in translations.glob("*.md"))
    covered = subset | dejavu
    missing = sorted({c for c in set(text) if ord(c) > 0x7E and ord(c) not in covered})
    assert not missing, f"not in the shipped font: {''.join(missing)}; run python tools/subset_font.py (make font)"


def test_matplotlib_lays_out_every_catalogue_text_without_a_missing_glyph():
    import matplotlib.pyplot as plt

    lang.set_language("zh")
    try:
        figure = plt.figure(figsize=(4, 4))
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # "Glyph ... missing from font(s)" is a UserWarning
            texts = [chinese.replace("$", r"\$") for chinese in lang.catalogue("zh").values()]
            for start in range(0, len(texts), 25):  # every label, 25 lines to a text
                label = figure.text(0, 0, "\n".join(texts[start:start + 25]))
                # laying the text out looks up every glyph (and warns on a missing one); rasterising adds nothing
                label.get_window_extent(figure.canvas.get_renderer())
                label.remove()
        plt.close(figure)
    finally:
        lang.set_language("en")


def test_pytorch_messages_students_meet_are_translated_and_others_kept():
    import torch
    from torch import nn

    cases = [(lambda: nn.Linear(3, 4)(torch.zeros(2, 5)), "矩阵 mat1 与 mat2 的形状无法相乘（2x5 与 3x4）"),
             (lambda: nn.Conv2d(3, 8, 3)(torch.zeros(1, 1, 8, 8)), "要求输入 [1, 1, 8, 8] 有 3 个通道"),
             (lambda: nn.Conv2d(1, 8, 5)(torch.zeros(1, 1, 3, 3)), "卷积核尺寸为 (5 x 5)：卷积核不能大于实际输入"),
             (lambda: nn.MaxPool2d(4)(torch.zeros(1, 1, 2, 2)), "算出的输出尺寸为 (1x0x0)：输出尺寸太小"),
             (lambda: torch.zeros(2, 3).view(4, 4), "形状 [4, 4] 与有 6 个元素的输入不符"),
             (lambda: nn.Conv2d(1, 2, 3)(torch.zeros(8, 8, 8, 8, 8)), "输入的尺寸是 [8, 8, 8, 8, 8]")]
    for make_error, chinese in cases:
        with pytest.raises(RuntimeError) as caught:
            make_error()
        english = str(caught.value)
        assert lang.foreign(english) == english
        lang.set_language("zh")
        try:
            assert chinese in lang.foreign(english), english  # fails when PyTorch rewords its message
        finally:
            lang.set_language("en")
    lang.set_language("zh")
    try:
        assert lang.foreign("some other message") == "some other message"
    finally:
        lang.set_language("en")

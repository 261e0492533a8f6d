"""The course's one language switch: English by default, Chinese after ``set_language("zh")``.

Every text the package shows a student (explorer labels and messages, numbers tables, exercise
feedback, plot titles and axis labels, errors a student can trigger) goes through :func:`tr`:

    tr("kernel_size={value} is larger than the input ({size} pixels)", value=k, size=n)

The English template is the key. In English ``tr`` formats it as written, so the English outputs
are exactly what an f-string gave. In Chinese it looks the template up in the catalogue
``cnn_helpers/translations/zh/*.json`` (English template -> Chinese template, with the same
``{placeholders}``) and formats that. A template missing from the catalogue is shown in English;
tests/test_language.py fails on any ``tr`` call whose template has no translation.

Chinese text needs a CJK font, which matplotlib does not bundle: ``set_language("zh")`` registers
the subset of Noto Sans CJK SC shipped in ``cnn_helpers/fonts/`` and puts it behind DejaVu Sans in
matplotlib's ``font.family``, so Latin letters and digits keep their look and every Chinese label the
package can show has its glyphs, on a machine without any system CJK font (Colab, CI, Docker).

Importing this module is cheap: the catalogue is read, and matplotlib imported, only on first need.
"""

from __future__ import annotations

import json
import string
from functools import cache
from pathlib import Path

LANGUAGES = ("en", "zh")
_CATALOGUES = Path(__file__).parent / "translations"
FONT_FILE = Path(__file__).parent / "fonts" / "CnnCourseSansSC-Regular.otf"
FONT_FAMILY = "CNN Course Sans SC"  # the subset's own name (OFL: a modified font is renamed)

_current = "en"


def set_language(code: str) -> None:
    """Show the package's texts in ``code``: ``"en"`` (the default) or ``"zh"`` (简体中文).

    Call it once, in a notebook's first cell; it changes every later output of the package.
    """
    global _current
    if not isinstance(code, str) or code.strip().lower() not in LANGUAGES:
        raise ValueError(f"set_language(code={code!r}): the course speaks {' and '.join(map(repr, LANGUAGES))}; "
                         "write set_language('en') for English or set_language('zh') for 简体中文")
    code = code.strip().lower()
    if code == "zh":
        catalogue()  # a broken catalogue fails here, not in the middle of an explorer
        use_cjk_font()
    _current = code


def current_language() -> str:
    """The current language code: ``"en"`` or ``"zh"``."""
    return _current


def tr(template: str, /, **values) -> str:
    """``template`` in the current language, with ``values`` filled in (``str.format`` rules).

    ``template`` is the English text with ``{name}`` placeholders (``{{``/``}}`` for literal
    braces, as in an f-string); ``values`` gives each placeholder's value.
    """
    if _current != "en":
        template = catalogue(_current).get(template, template)
    return template.format(**values)


# PyTorch's own messages that students meet most in this course (a shape that does not fit a layer), as
# a pattern of PyTorch 2.x's English -> Chinese with the pattern's groups in order. The package puts
# PyTorch's message into its own ("... fails at layer '7': <PyTorch's message>"); in Chinese it goes
# through foreign(), so the student reads it in Chinese too. Another message stays as PyTorch wrote it.
_PYTORCH_MESSAGES = {
    r"mat1 and mat2 shapes cannot be multiplied \((\S+) and (\S+)\)":
        "矩阵 mat1 与 mat2 的形状无法相乘（{0} 与 {1}）",
    r"Given groups=(\d+), weight of size \[([^\]]*)\], expected input\[([^\]]*)\] to have (\d+) channels, "
    r"but got (\d+) channels instead":
        "groups={0}、权重尺寸为 [{1}] 的卷积要求输入 [{2}] 有 {3} 个通道，但输入有 {4} 个通道",
    r"Calculated padded input size per channel: \(([^)]*)\)\. Kernel size: \(([^)]*)\)\. "
    r"Kernel size can't be greater than actual input size":
        "每个通道填充后的输入尺寸为 ({0})，卷积核尺寸为 ({1})：卷积核不能大于实际输入",
    r"Given input size: \(([^)]*)\)\. Calculated output size: \(([^)]*)\)\. Output size is too small":
        "输入尺寸为 ({0})，算出的输出尺寸为 ({1})：输出尺寸太小",
    r"shape '\[([^\]]*)\]' is invalid for input of size (\d+)":
        "形状 [{0}] 与有 {1} 个元素的输入不符",
    r"Expected 3D \(unbatched\) or 4D \(batched\) input to conv2d, but got input of size: \[([^\]]*)\]":
        "conv2d 需要三维（不带批量）或四维（带批量）的输入，但输入的尺寸是 [{0}]",
}


def foreign(message: object) -> str:
    """Another library's error message (PyTorch's), in the current language where the course knows it.

    Example:
        >>> foreign("mat1 and mat2 shapes cannot be multiplied (1x2048 and 1568x10)")  # English: unchanged
        'mat1 and mat2 shapes cannot be multiplied (1x2048 and 1568x10)'
    """
    import re

    text = str(message)
    if _current == "zh":
        for pattern, chinese in _PYTORCH_MESSAGES.items():
            found = re.fullmatch(pattern, text.strip())
            if found:
                return chinese.format(*found.groups())
    return text


def columns(text: str) -> int:
    """How many columns ``text`` takes in a monospaced font: a Chinese (wide) character takes two.

    Example:
        >>> columns("stride"), columns("步长")
        (6, 4)
    """
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, width: int) -> str:
    """``text`` left-aligned in ``width`` monospaced columns (``str.ljust``, counting a Chinese character as two)."""
    return text + " " * max(0, width - columns(text))


def placeholders(template: str) -> set[str]:
    """The placeholder fields of a template, e.g. ``{"value", "size"}``: a translation keeps them all."""
    return {field for _, field, _, _ in string.Formatter().parse(template) if field is not None}


@cache
def catalogue(code: str = "zh") -> dict[str, str]:
    """English template -> template in ``code``, merged from ``translations/<code>/*.json``.

    Raises ValueError naming the file when two files translate one template differently or a
    translation drops or adds a placeholder.
    """
    merged: dict[str, str] = {}
    origin: dict[str, str] = {}
    for path in sorted((_CATALOGUES / code).glob("*.json")):
        for english, translated in json.loads(path.read_text(encoding="utf-8")).items():
            if english in merged and merged[english] != translated:
                raise ValueError(f"{path.name} and {origin[english]} translate {english!r} differently: "
                                 "keep one translation")
            if placeholders(english) != placeholders(translated):
                raise ValueError(f"{path.name}: the translation of {english!r} has the placeholders "
                                 f"{sorted(placeholders(translated))}, the English {sorted(placeholders(english))}")
            merged[english], origin[english] = translated, path.name
    return merged


@cache
def use_cjk_font() -> None:
    """Register the shipped CJK font with matplotlib, behind DejaVu Sans in ``font.family``."""
    import matplotlib as mpl
    from matplotlib import font_manager

    font_manager.fontManager.addfont(str(FONT_FILE))
    # matplotlib falls back glyph by glyph only along font.family's own list (a generic name such
    # as "sans-serif" stands for its first installed font alone), so name both fonts there.
    families = [f for f in mpl.rcParams["font.family"] if f != FONT_FAMILY]
    if families == ["sans-serif"]:
        families = mpl.rcParams["font.sans-serif"][:1]
    mpl.rcParams["font.family"] = [*families, FONT_FAMILY]

"""Write cnn_helpers/fonts/CnnCourseSansSC-Regular.otf: the Chinese glyphs the course can show.

Usage: python tools/subset_font.py [NotoSansCJK-Regular.ttc]     (make font)

matplotlib bundles DejaVu Sans only, which has no CJK glyph: a Chinese label comes out as boxes
on a machine without a system CJK font (Colab, CI, a slim Docker image). The package ships a
subset of Noto Sans CJK SC (SIL Open Font License 1.1, cnn_helpers/fonts/LICENSE-OFL.txt), renamed
"CNN Course Sans SC" as the OFL asks of a modified font. The source is Debian's fonts-noto-cjk
(``apt-get download fonts-noto-cjk && dpkg-deb -x fonts-noto-cjk_*.deb x``; the file is
x/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc, face 2 = SC). Only a maintainer runs this;
the tests and the notebooks read the committed subset.

The subset holds
- every non-ASCII character of the package's catalogue (cnn_helpers/translations/zh/*.json), of
  the Chinese notebooks (notebooks/zh/translations/*.md: code strings students may plot) and of
  GLOSSARY.md;
- the 3,755 first-level characters of GB 2312 (the commonest Hanzi) and CJK punctuation, so a
  student's own Chinese label almost always renders too.
tests/test_language.py fails when a catalogue character is missing from the committed font:
rerun this after adding translations.
"""

from __future__ import annotations

import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "cnn_helpers" / "fonts" / "CnnCourseSansSC-Regular.otf"
SOURCE = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
SC_FACE = 2  # Noto Sans CJK SC in the collection
FAMILY, STYLE = "CNN Course Sans SC", "Regular"


def gb2312_level_one() -> str:
    """The 3,755 commonest Hanzi: GB 2312 rows 16-55 (lead bytes 0xB0-0xD7)."""
    chars = []
    for lead in range(0xB0, 0xD8):
        for trail in range(0xA1, 0xFF):
            try:
                chars.append(bytes([lead, trail]).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    return "".join(chars)


def course_text() -> str:
    """Every text of the course that may hold Chinese."""
    paths = [*sorted((ROOT / "cnn_helpers" / "translations").rglob("*.json")),
             *sorted((ROOT / "notebooks" / "zh" / "translations").glob("*.md")), ROOT / "GLOSSARY.md"]
    return "".join(path.read_text(encoding="utf-8") for path in paths if path.exists())


def wanted_characters() -> set[str]:
    punctuation = "，。、；：？！“”‘’（）《》【】〈〉…—～·「」『』〔〕％＋－＝×÷≈≤≥→←↑↓"
    return {c for c in course_text() + gb2312_level_one() + punctuation if ord(c) > 0x7E}


def main(source: Path = SOURCE) -> None:
    font = TTCollection(str(source)).fonts[SC_FACE]
    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    options.hinting = False
    subsetter = subset.Subsetter(options)
    wanted = wanted_characters()
    subsetter.populate(unicodes=[ord(c) for c in wanted])
    subsetter.subset(font)
    names = font["name"]
    names.setName(FAMILY, 1, 3, 1, 0x409)
    names.setName(STYLE, 2, 3, 1, 0x409)
    names.setName(f"{FAMILY} {STYLE}", 4, 3, 1, 0x409)
    names.setName(FAMILY.replace(" ", "") + "-" + STYLE, 6, 3, 1, 0x409)
    names.setName(f"{FAMILY}; subset of Noto Sans CJK SC for the CNN course", 3, 3, 1, 0x409)
    names.names = [n for n in names.names if n.nameID not in (16, 17) and (n.platformID, n.langID) == (3, 0x409)
                   or n.nameID in (0, 7, 11, 13, 14)]  # drop the other languages' old names, keep the licence
    font["CFF "].cff.fontNames = [FAMILY.replace(" ", "") + "-" + STYLE]
    OUT.parent.mkdir(parents=True, exist_ok=True)
    font.save(str(OUT))
    covered = {chr(code) for code in font.getBestCmap()}
    missing = sorted(wanted - covered)
    print(f"wrote {OUT.relative_to(ROOT)}: {len(covered)} characters, {OUT.stat().st_size / 1e6:.2f} MB"
          + (f"; not in Noto Sans CJK SC: {''.join(missing)}" if missing else ""))


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else SOURCE)

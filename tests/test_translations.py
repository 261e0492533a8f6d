"""The Chinese edition (notebooks/zh/) follows the English one and speaks Chinese (issue 17).

- one source of code: notebooks/zh/ is exactly what tools/translate_notebooks.py builds from
  notebooks/ and notebooks/zh/translations/; every markdown cell is translated; a translated code
  cell differs from the English only in comments and string text;
- a changed English cell makes the check fail until its translation is updated and stamped;
- every Chinese notebook calls set_language("zh") first, and its stored outputs hold no English
  beyond code identifiers, names and numbers.
"""

from __future__ import annotations

import io
import re
import shutil
import sys
import tokenize
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
sys.path.insert(0, str(Path(__file__).parent))
import translate_notebooks as tn  # noqa: E402
from english_words import course_identifiers, english_words, visible_text  # noqa: E402
from first_cell import first_cell  # noqa: E402

ENGLISH = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
CHINESE = [ROOT / "notebooks" / "zh" / path.name for path in ENGLISH]
HAN = re.compile(r"[\u4e00-\u9fff]")


def test_the_chinese_edition_follows_the_english():
    problems = tn.check()
    assert not problems, "\n".join(problems)


@pytest.fixture
def copied(tmp_path, monkeypatch):
    """notebooks/ and its translations copied to tmp_path, with the tool pointed at the copy."""
    english = tmp_path / "notebooks"
    shutil.copytree(ROOT / "notebooks" / "zh" / "translations", english / "zh" / "translations")
    for path in ENGLISH:
        shutil.copy(path, english / path.name)
    monkeypatch.setattr(tn, "ENGLISH", english)
    monkeypatch.setattr(tn, "CHINESE", english / "zh")
    monkeypatch.setattr(tn, "TRANSLATIONS", english / "zh" / "translations")
    monkeypatch.setattr(tn, "ROOT", tmp_path)
    return english


def _first(path: Path, cell_type: str, translated: bool):
    notebook = nbformat.read(path, as_version=4)
    entries = tn.read_entries(path.parent / "zh" / "translations" / f"{path.stem}.md")
    cell = next(c for c in notebook.cells[1:] if c.cell_type == cell_type and (c.id in entries) == translated)
    return notebook, cell


def test_an_english_change_makes_its_translation_stale_until_stamped(copied):
    path = copied / ENGLISH[2].name
    notebook, cell = _first(path, "markdown", translated=True)
    assert tn.problems(path) == []
    cell.source += "\n\nA sentence added in English."
    nbformat.write(notebook, path)
    found = tn.problems(path)
    assert len(found) == 1 and f"cell {cell.id} changed in English" in found[0] and "stamp 02" in found[0]
    tn.stamp("02", [cell.id])
    assert tn.problems(path) == []


def test_a_new_english_markdown_cell_needs_a_translation(copied):
    path = copied / ENGLISH[3].name
    notebook = nbformat.read(path, as_version=4)
    notebook.cells.insert(2, nbformat.v4.new_markdown_cell("A new paragraph."))
    nbformat.write(notebook, path)
    assert any(f"markdown cell {notebook.cells[2].id} has no translation" in p for p in tn.problems(path))


def test_a_translated_code_cell_may_change_only_comments_and_string_text():
    english = 'x = f"{acc:.3f} correct"  # share\nprint("done", x)'
    assert tn.code_skeleton('x = f"{acc:.3f} 正确"  # 比例\nprint("完成", x)') == tn.code_skeleton(english)
    for changed in ('x = f"{acc:.2f} 正确"\nprint("完成", x)',   # another format
                    'x = f"{loss:.3f} 正确"\nprint("完成", x)',  # another expression
                    'x = f"{acc:.3f} 正确"\nprint("完成", x, 1)',  # another argument
                    'x = f"{acc:.3f} 正确"\nprint(x)'):
        assert tn.code_skeleton(changed) != tn.code_skeleton(english), changed


def test_a_code_entry_that_changes_the_code_is_refused(copied):
    path = copied / ENGLISH[0].name
    file = copied / "zh" / "translations" / f"{path.stem}.md"
    english = nbformat.read(path, as_version=4)
    code = next(c for c in english.cells[1:] if c.cell_type == "code" and c.source.strip())
    entry = tn.Entry(code.id, tn.english_sha(code.source), True, code.source + "\nprint(1)")
    entries = tn.read_entries(file)
    entries[code.id] = entry
    file.write_text("\n".join(tn.write_entry(e) for e in entries.values()), encoding="utf-8")
    assert any(f"cell {code.id}'s code differs" in p for p in tn.problems(path))


@pytest.mark.parametrize("path", CHINESE, ids=lambda p: p.name)
def test_each_chinese_notebook_starts_in_chinese_and_is_written_in_chinese(path):
    notebook = nbformat.read(path, as_version=4)
    first = next(cell for cell in notebook.cells if cell.cell_type == "code")
    assert first.source == first_cell("../..", "zh")
    prose = "".join(cell.source for cell in notebook.cells if cell.cell_type == "markdown")
    assert len(HAN.findall(prose)) > 0.4 * len(re.findall(r"[A-Za-z]+", prose)), "the prose is mostly English"


def _identifiers(notebook) -> set[str]:
    """Every name the notebook's code uses, and its one-word string literals (dict keys, settings: "bundled")."""
    names = course_identifiers()
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        source = "\n".join(line for line in cell.source.splitlines() if not line.lstrip().startswith(("%", "!")))
        try:
            tokens = list(tokenize.generate_tokens(io.StringIO(source + "\n").readline))
        except (tokenize.TokenError, SyntaxError):
            continue
        names |= {t.string for t in tokens if t.type == tokenize.NAME}
        names |= {m for t in tokens if t.type == tokenize.STRING
                  for m in re.findall(r"""^[rbuRBU]?["']([A-Za-z_]\w*)["']$""", t.string)}
    return names


def _shown(output) -> list[str]:
    """The texts a reader sees of one output: stream text, plain text, HTML without tags, alt text."""
    texts = []
    if output.output_type == "stream":
        texts.append(output.text)
    elif output.output_type == "error":
        texts.append(f"{output.ename}: {output.evalue}")
    data = output.get("data", {})
    for mime, value in data.items():
        value = "".join(value) if isinstance(value, list) else value
        if mime == "text/plain" and len(data) > 1:
            continue  # a picture's or a widget's fallback text; the reader sees the richer output
        if mime == "text/html":
            texts += re.findall(r'alt="([^"]*)"', value)
            texts.append(visible_text(value))
        elif mime in ("text/plain", "text/markdown"):
            texts.append(value)
    return texts


@pytest.mark.parametrize("path", CHINESE, ids=lambda p: p.name)
def test_stored_outputs_of_a_chinese_notebook_hold_no_english(path):
    notebook = nbformat.read(path, as_version=4)
    identifiers = _identifiers(notebook)
    found = {}
    for index, cell in enumerate(notebook.cells):
        for output in cell.get("outputs", []):
            for text in _shown(output):
                text = re.sub(r"<(?:Figure|matplotlib)[^>]*>|tensor\(.*?\)", " ", text, flags=re.S)
                words = english_words(text, identifiers)
                if words:
                    found.setdefault(f"cell {index} ({cell.id})", []).extend(words)
    assert not found, f"English in the outputs of {path.name}: {found}"

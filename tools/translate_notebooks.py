"""The Chinese edition: notebooks/zh/NN_name.ipynb built from the English notebook and its translation.

Usage:
  python tools/translate_notebooks.py build [NN ...]   write notebooks/zh/*.ipynb (make translations)
  python tools/translate_notebooks.py check            what is stale, missing or hand-edited (exit 1 if any)
  python tools/translate_notebooks.py stale            each stale cell: the English now, and the translation
  python tools/translate_notebooks.py stamp NN CELL..  record that these cells' translations follow the English now
  python tools/translate_notebooks.py draft NN         start a translation: every markdown cell, and each code cell
                                                       with a comment or string, in English to be translated

One source of code. ``notebooks/NN_name.ipynb`` is the source of every cell's code, metadata and
order; ``notebooks/zh/translations/NN_name.md`` holds only the Chinese: one entry per markdown cell,
and one per code cell whose comments or displayed strings are translated::

    <!-- cell 086c7252 · en 3f9a1c2b7d10 -->
    中文的 markdown ……

    <!-- cell 6f225862 · en 1234abcd5678 · code -->
    ```python
    print("测试集准确率:", accuracy)
    ```

``en`` is the first 12 hex digits of the SHA-256 of the English cell's source when the entry was
translated. A translated code cell must be the English code token for token: only comments and
the text of string literals may differ (an f-string keeps its ``{expressions}``). Code cells without
an entry are copied as they are; the first code cell becomes the Chinese set-up cell, which calls
``set_language("zh")``. tests/test_translations.py fails when an English cell changed after its
translation (the hash differs), a markdown cell has no translation, a code entry changed the code,
or notebooks/zh/ differs from what ``build`` writes.

A maintainer who changed English cells: run ``make translations``; it stops on the stale cells and
``stale`` shows them; update each translation, ``stamp`` the cells, ``make translations`` and
``make execute`` (docs/translating.md).
"""

from __future__ import annotations

import ast
import copy
import hashlib
import io
import re
import sys
import tokenize
from dataclasses import dataclass
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).parent))
from first_cell import FIRST_CELL, first_cell  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
ENGLISH = ROOT / "notebooks"
CHINESE = ENGLISH / "zh"
TRANSLATIONS = CHINESE / "translations"
HEADER = re.compile(r"^<!-- cell (?P<cell>\S+) · en (?P<sha>[0-9a-f]{12})(?P<code> · code)? -->$", re.M)
FENCE = re.compile(r"\A```python\n(?P<code>.*)\n```\Z", re.S)
LANGUAGE = "zh"


def english_sha(source: str) -> str:
    return hashlib.sha256(source.encode("utf-8")).hexdigest()[:12]


@dataclass
class Entry:
    cell: str
    sha: str
    code: bool
    text: str


def read_entries(path: Path) -> dict[str, Entry]:
    """The entries of one translation file, by English cell id."""
    text = path.read_text(encoding="utf-8")
    heads = list(HEADER.finditer(text))
    entries = {}
    for head, after in zip(heads, [*heads[1:], None], strict=True):
        body = text[head.end():after.start() if after else len(text)].strip("\n")
        code = bool(head["code"])
        if code:
            fenced = FENCE.match(body)
            if not fenced:
                raise ValueError(f"{path.name}, cell {head['cell']}: a code entry is one ```python block")
            body = fenced["code"]
        if head["cell"] in entries:
            raise ValueError(f"{path.name}: cell {head['cell']} is translated twice")
        entries[head["cell"]] = Entry(head["cell"], head["sha"], code, body)
    return entries


def write_entry(entry: Entry) -> str:
    body = f"```python\n{entry.text}\n```" if entry.code else entry.text
    return f"<!-- cell {entry.cell} · en {entry.sha}{' · code' if entry.code else ''} -->\n{body}\n"


def code_skeleton(source: str) -> list:
    """What must not change in a translation: every token but comments, and string literals without their text.

    An f-string keeps its prefix and the source of each ``{expression}`` (with conversion and format spec).
    """
    lines = [line for line in source.splitlines() if not line.lstrip().startswith(("%", "!"))]  # IPython magics
    skeleton = []
    for token in tokenize.generate_tokens(io.StringIO("\n".join(lines) + "\n").readline):
        if token.type in (tokenize.COMMENT, tokenize.NL):
            continue
        if token.type == tokenize.STRING:
            prefix = re.match(r"[A-Za-z]*", token.string)[0].lower()
            node = ast.parse(token.string, mode="eval").body
            fields = [ast.unparse(value) for value in ast.walk(node) if isinstance(value, ast.FormattedValue)]
            skeleton.append(("STRING", prefix, tuple(fields)))
        else:
            skeleton.append((tokenize.tok_name[token.type], token.string))
    return skeleton


def magics(source: str) -> list[str]:
    return [line.strip() for line in source.splitlines() if line.lstrip().startswith(("%", "!"))]


def problems(english_path: Path) -> list[str]:
    """Why the translation of one notebook cannot be built as it stands (empty: it can)."""
    path = TRANSLATIONS / f"{english_path.stem}.md"
    if not path.exists():
        return [f"{path.relative_to(ROOT)} is missing"]
    english = nbformat.read(english_path, as_version=4)
    cells = {cell.id: cell for cell in english.cells}
    entries = read_entries(path)
    found = []
    for entry in entries.values():
        cell = cells.get(entry.cell)
        if cell is None:
            found.append(f"{path.name}: cell {entry.cell} is not in {english_path.name} any more; drop its entry")
            continue
        if english_sha(cell.source) != entry.sha:
            found.append(f"{path.name}: cell {entry.cell} changed in English after it was translated "
                         f"(en {entry.sha} -> {english_sha(cell.source)}); update the translation, then "
                         f"python tools/translate_notebooks.py stamp {english_path.stem[:2]} {entry.cell}")
        if entry.code != (cell.cell_type == "code"):
            found.append(f"{path.name}: cell {entry.cell} is a {cell.cell_type} cell in English")
        elif entry.code:
            try:
                same = code_skeleton(entry.text) == code_skeleton(cell.source) and magics(entry.text) == magics(
                    cell.source)
            except (SyntaxError, tokenize.TokenError) as error:
                same, error_text = False, f" ({error})"
            else:
                error_text = ""
            if not same:
                found.append(f"{path.name}: cell {entry.cell}'s code differs from the English beyond comments and "
                             f"string text{error_text}")
    for cell in english.cells:
        if cell.cell_type != "code" and cell.id not in entries:
            found.append(f"{path.name}: {cell.cell_type} cell {cell.id} has no translation")
    return found


def chinese(english_path: Path):
    """The Chinese notebook of one English notebook (outputs cleared; make execute fills them)."""
    english = nbformat.read(english_path, as_version=4)
    entries = read_entries(TRANSLATIONS / f"{english_path.stem}.md")
    notebook = copy.deepcopy(english)
    notebook.metadata["cnn_course"] = {"language": LANGUAGE, "english": english_path.name}
    for cell in notebook.cells:
        if cell.id in entries:
            cell.source = entries[cell.id].text
        elif cell.cell_type == "code" and cell.source == FIRST_CELL:
            cell.source = first_cell("../..", LANGUAGE)
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    return notebook


def english_notebooks(numbers: list[str] | None = None) -> list[Path]:
    paths = sorted(ENGLISH.glob("[0-9][0-9]_*.ipynb"))
    return [p for p in paths if not numbers or p.name[:2] in numbers]


def build(numbers: list[str]) -> None:
    """Write notebooks/zh/ from the English notebooks and the translations; keep outputs of unchanged cells."""
    found = [problem for path in english_notebooks(numbers) for problem in problems(path)]
    if found:
        sys.exit("the translation cannot be built:\n  " + "\n  ".join(found))
    for path in english_notebooks(numbers):
        out = CHINESE / path.name
        built = chinese(path)
        if out.exists():
            old = {cell.id: cell for cell in nbformat.read(out, as_version=4).cells}
            for cell in built.cells:
                kept = old.get(cell.id)
                if cell.cell_type == "code" and kept is not None and kept.source == cell.source:
                    cell.outputs, cell.execution_count = kept.outputs, kept.execution_count
        text = nbformat.writes(built) + "\n"
        if not out.exists() or out.read_text(encoding="utf-8") != text:
            out.write_text(text, encoding="utf-8")
            print("wrote", out.relative_to(ROOT))


def sources(notebook) -> list[tuple[str, str, str]]:
    return [(cell.id, cell.cell_type, cell.source) for cell in notebook.cells]


def check() -> list[str]:
    """Every problem of the Chinese edition: stale or missing translations, and hand edits of notebooks/zh/."""
    found = []
    for path in english_notebooks():
        trouble = problems(path)
        found += trouble
        out = CHINESE / path.name
        if not trouble and (not out.exists() or sources(nbformat.read(out, as_version=4)) != sources(chinese(path))):
            found.append(f"{out.relative_to(ROOT)} is not what the translation builds: edit "
                         f"{TRANSLATIONS.relative_to(ROOT)}/{path.stem}.md, not the notebook, then make translations")
    return found


def stale() -> None:
    for path in english_notebooks():
        english = {cell.id: cell for cell in nbformat.read(path, as_version=4).cells}
        for entry in read_entries(TRANSLATIONS / f"{path.stem}.md").values():
            cell = english.get(entry.cell)
            if cell is not None and english_sha(cell.source) != entry.sha:
                print(f"=== {path.stem} cell {entry.cell}: the English now ===\n{cell.source}\n"
                      f"=== its translation (of an older English; `git log -p {path.relative_to(ROOT)}` shows "
                      f"what changed) ===\n{entry.text}\n")


def stamp(number: str, cells: list[str]) -> None:
    path = english_notebooks([number])[0]
    english = {cell.id: cell for cell in nbformat.read(path, as_version=4).cells}
    file = TRANSLATIONS / f"{path.stem}.md"
    entries = read_entries(file)
    for cell in cells:
        entries[cell].sha = english_sha(english[cell].source)
    order = [cell.id for cell in english.values() if cell.id in entries]
    file.write_text("\n".join(write_entry(entries[c]) for c in order), encoding="utf-8")


def draft(number: str) -> None:
    path = english_notebooks([number])[0]
    file = TRANSLATIONS / f"{path.stem}.md"
    if file.exists():
        sys.exit(f"{file.relative_to(ROOT)} exists already")
    entries = []
    for cell in nbformat.read(path, as_version=4).cells:
        if cell.cell_type == "code" and (cell.source == FIRST_CELL or not re.search(r"#|[\"']", cell.source)):
            continue
        entries.append(Entry(cell.id, english_sha(cell.source), cell.cell_type == "code", cell.source))
    TRANSLATIONS.mkdir(parents=True, exist_ok=True)
    file.write_text("\n".join(map(write_entry, entries)), encoding="utf-8")
    print("wrote", file.relative_to(ROOT))


def main(argv: list[str]) -> None:
    command, *rest = argv or ["check"]
    if command == "build":
        build(rest)
    elif command == "check":
        found = check()
        print("\n".join(found) or "the Chinese edition follows the English")
        sys.exit(1 if found else 0)
    elif command == "stale":
        stale()
    elif command == "draft" and len(rest) == 1:
        draft(rest[0])
    elif command == "stamp" and len(rest) >= 2:
        stamp(rest[0], rest[1:])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])

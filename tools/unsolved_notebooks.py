"""Write the notebooks students open: notebooks/unsolved/, every exercise unsolved, its solution one click away.

Usage: python tools/unsolved_notebooks.py notebooks/*.ipynb notebooks/zh/*.ipynb   (``make execute`` runs it)

``notebooks/NN_name.ipynb`` is the one source: the complete course with every solution, which
nbval executes strictly and nbgrader releases from. From each, this writes
``notebooks/unsolved/NN_name.ipynb``, which ``make lab`` opens:

- each answer cell holds nbgrader's stub instead of the solution (``# YOUR CODE HERE`` /
  ``raise NotImplementedError()``, indented like the solution it replaces, so inside a function
  the stub is the body), with no output;
- each check cell stays visible, without its hidden tests and its output;
- both are tagged ``raises-exception``, so Run All goes on past an unsolved exercise in JupyterLab;
- right after the check, a collapsed "Reference solution" (an HTML ``<details>`` block in a
  markdown cell): one deliberate click shows it, and running the notebook never runs it;
- no nbgrader metadata or markers anywhere; every other cell keeps its source and stored output,
  so the notebook reads well before it is run;
- the first cell's install command points at ``../..``, the course folder seen from there.

The Chinese edition's ``notebooks/zh/NN_name.ipynb`` gives ``notebooks/zh/unsolved/NN_name.ipynb`` the
same way, its solution note in Chinese.

tests/test_unsolved_notebooks.py fails when a file here is stale, and runs each notebook as a
student first opens it: only the exercises' own cells may fail.
"""

from __future__ import annotations

import copy
import sys
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))
from first_cell import FIRST_CELL, first_cell  # noqa: E402

BEGIN_SOLUTION, END_SOLUTION = "### BEGIN SOLUTION", "### END SOLUTION"
BEGIN_HIDDEN, END_HIDDEN = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"
STUB = ("# YOUR CODE HERE", "raise NotImplementedError()")  # exactly what nbgrader writes
FOLDER = "unsolved"
RAISES = "raises-exception"  # JupyterLab's and nbclient's tag: an error here does not stop Run All
SOLUTION_NOTE = {
    "en": ("Reference solution: open it after you have tried; the check above tells you what is wrong "
           "with your own answer"),
    "zh": "参考答案：先自己动手试过再打开；上面的检查会告诉你自己的答案错在哪里",
}
# The set-up cell of a complete notebook, and of its unsolved version one folder deeper, by language.
SETUP_CELLS = {"en": (FIRST_CELL, first_cell("../..")), "zh": (first_cell("../..", "zh"), first_cell("../../..", "zh"))}


def notebook_language(notebook) -> str:
    """``"zh"`` for the Chinese edition (tools/translate_notebooks.py marks it), else ``"en"``."""
    return notebook.metadata.get("cnn_course", {}).get("language", "en")


def _role(cell) -> str | None:
    grading = cell.get("metadata", {}).get("nbgrader", {})
    if grading.get("solution"):
        return "answer"
    if grading.get("grade"):
        return "check"
    return None


def stub_solutions(source: str) -> str:
    """The answer cell with each solution region replaced by the stub, indented like its first marker."""
    lines, inside = [], False
    for line in source.splitlines():
        marker = line.strip()
        if marker == BEGIN_SOLUTION:
            indent = line[: len(line) - len(line.lstrip())]
            lines += [indent + STUB[0], indent + STUB[1]]
            inside = True
        elif marker == END_SOLUTION:
            inside = False
        elif not inside:
            lines.append(line)
    return "\n".join(lines)


def without_markers(source: str, begin: str, end: str, keep_inside: bool) -> str:
    """``source`` without the marker lines; what lies between them kept or dropped."""
    lines, inside = [], False
    for line in source.splitlines():
        if line.strip() in (begin, end):
            inside = line.strip() == begin
        elif keep_inside or not inside:
            lines.append(line)
    return "\n".join(lines).rstrip("\n")


def solution_cell(exercise: str, answer_source: str, language: str = "en"):
    """The collapsed reference solution of ``exercise`` (e.g. ``ex02-1``), as a markdown cell."""
    code = without_markers(answer_source, BEGIN_SOLUTION, END_SOLUTION, keep_inside=True)
    text = f"<details>\n<summary>{SOLUTION_NOTE[language]}</summary>\n\n```python\n{code}\n```\n\n</details>"
    cell = nbformat.v4.new_markdown_cell(text)
    cell.id = f"{exercise}-solution"  # stable: the generated file must not change from run to run
    return cell


def _plain(cell):
    """An exercise cell without nbgrader's metadata, output or execution count, tagged ``raises-exception``.

    Unsolved, the cell raises; the tag tells JupyterLab's Run All (and nbclient) to go on to the next
    cell instead of stopping there, so an unsolved exercise never keeps the rest of the notebook from running.
    """
    cell = copy.deepcopy(cell)
    cell.metadata.pop("nbgrader", None)
    tags = cell.metadata.setdefault("tags", [])
    if RAISES not in tags:
        tags.append(RAISES)
    cell.outputs, cell.execution_count = [], None
    return cell


def unsolved(notebook):
    """The student-facing version of a complete notebook (a new notebook; the argument is not changed)."""
    result = copy.deepcopy(notebook)
    cells, answers = [], {}
    language = notebook_language(notebook)
    setup, deeper_setup = SETUP_CELLS[language]
    for cell in notebook.cells:
        role = _role(cell)
        if role is None:
            kept = copy.deepcopy(cell)
            kept.metadata.pop("nbgrader", None)
            if kept.cell_type == "code" and kept.source == setup:
                kept.source = deeper_setup
            cells.append(kept)
        elif role == "answer":
            plain = _plain(cell)
            plain.source = stub_solutions(cell.source)
            answers[cell.metadata["nbgrader"]["grade_id"].removesuffix("-answer")] = cell.source
            cells.append(plain)
        else:
            plain = _plain(cell)
            plain.source = without_markers(cell.source, BEGIN_HIDDEN, END_HIDDEN, keep_inside=False)
            cells.append(plain)
            exercise = cell.metadata["nbgrader"]["grade_id"].removesuffix("-check")
            if exercise in answers:
                cells.append(solution_cell(exercise, answers.pop(exercise), language))
    result.cells = cells
    return result


def target(path: Path) -> Path:
    return path.parent / FOLDER / path.name


def main(paths: list[str]) -> None:
    if not paths:
        sys.exit(__doc__)
    for path in map(Path, paths):
        out = target(path)
        out.parent.mkdir(exist_ok=True)
        text = nbformat.writes(unsolved(nbformat.read(path, as_version=4))) + "\n"
        if not out.exists() or out.read_text() != text:
            out.write_text(text)
            print("wrote", out)


if __name__ == "__main__":
    main(sys.argv[1:])

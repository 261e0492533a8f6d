"""The instructor cycle with nbgrader 0.9.6, on every notebook in notebooks/ (issue 5).

- Structure (fast, no nbgrader): every exercise is an nbgrader triple of read-only question,
  answer cell with solution markers and locked test cell worth points, checked by a function
  of ``cnn_helpers.exercises``.
- The cycle (marker ``instructor``, needs ``.venv-instructor`` from ``make instructor-setup``):
  the source notebooks validate; their student versions fail validation on every test cell
  (``--invert``); a submission with every solution filled in autogrades to full marks; one with
  typical mistakes gets partial marks and a feedback page showing the checkers' hints; the
  grades export to CSV; the exchange commands of INSTRUCTORS.md hand out and collect; and
  ``nbgrader validate`` fails a solution that is wrong (on a small synthetic notebook).

Each test class works in its own course folder under a tmp folder and runs each nbgrader step
once, in a module-scoped fixture that only this class uses, so ``pytest -n 2 --dist loadscope``
runs the classes in parallel. Nothing is written into notebooks/.
"""

from __future__ import annotations

import ast
import copy
import csv
import html
import importlib.util
import os
import pwd
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

import cnn_helpers.exercises as exercises

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
IDS = [path.stem for path in NOTEBOOKS]

_spec = importlib.util.spec_from_file_location("student_versions", ROOT / "tools" / "student_versions.py")
student_versions = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(student_versions)
INSTRUCTOR_PYTHON = student_versions.INSTRUCTOR_PYTHON

BEGIN_SOLUTION, END_SOLUTION = "### BEGIN SOLUTION", "### END SOLUTION"
BEGIN_HIDDEN, END_HIDDEN = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"
STUB = ("# YOUR CODE HERE", "raise NotImplementedError()")  # what nbgrader puts in place of a solution
ROLES = ("question", "answer", "check")
ROLE_CELLS = {  # role -> (cell type, nbgrader flags)
    "question": ("markdown", {"grade": False, "solution": False, "locked": True}),
    "answer": ("code", {"grade": False, "solution": True, "locked": False}),
    "check": ("code", {"grade": True, "solution": False, "locked": True}),
}
GRADE_ID = re.compile(r"ex(?P<nb>\d\d)-(?P<k>\d+)-(?P<role>question|answer|check)")
MIN_EXERCISES = 3

# A typical mistake for each notebook: answer cell -> (the mistaken code a student writes in place
# of the solution, a regex of the hint its checker in cnn_helpers.exercises must give). Taken from
# the checkers' own lists of typical mistakes; test_every_notebook_has_a_typical_mistake keeps the
# table in step with notebooks/.
MISTAKES = {
    "ex00-1-answer": ("batch_numel = 3 * 224 * 224", r"is one image; the batch holds 32 of them"),
    "ex01-1-answer": ("patch_hwc = patch.reshape(64, 48, 3)", r"the shape is right but the numbers are scrambled"),
    "ex02-1-answer": ("return F.conv2d(x, torch.flip(weight, dims=(2, 3)), bias, stride, padding)",
                      r"flipped kernel: you computed the mathematicians' convolution"),
    "ex03-1-answer": ("r, j, p_eff = 1, 1, 0\nfor k, s, p in layers:\n"
                      "    r, j, p_eff = r + (k - 1), j * s, p_eff + p * j\nreturn r, j, p_eff",
                      r"stride ignored: after a layer with stride s"),
    "ex04-3-answer": ("grad = torch.zeros_like(x)\nfor i in range(grad_output.shape[2]):\n"
                      "    for j in range(grad_output.shape[3]):\n"
                      "        grad[:, :, i * stride:i * stride + kernel_size, j * stride:j * stride + kernel_size] += "
                      "grad_output[:, :, i:i + 1, j:j + 1]\nreturn grad",
                      r"gradient sent to every element of the window"),
    "ex05-2-answer": ("size = input_size // 4  # as if the convolutions kept the size\nin_features = 32 * size * size",
                      r"padding ignored: a convolution keeps the size only when"),
    "ex06-1-answer": ("model.train()\ntotal = 0.0\nfor images, labels in batches:\n"
                      "    loss = F.cross_entropy(model(images), labels)\n    loss.backward()\n    optimizer.step()\n"
                      "    total += loss.item()\nreturn total / len(batches)", r"no zero_grad: backward adds to the"),
}


# --- structure of the exercises (no nbgrader needed) ---


def _lines(source: str) -> list[str]:
    return [line.strip() for line in source.splitlines()]


def _region_problems(source: str, begin: str, end: str, where: str) -> list[str]:
    """Problems with the ``begin``/``end`` marker pairs of a cell: order, pairing, empty regions."""
    problems, inside, body = [], False, 0
    for line in _lines(source):
        if line in (begin, end):
            if (line == begin) == inside:
                problems.append(f"{where}: '{line}' out of order")
            elif line == end and body == 0:
                problems.append(f"{where}: nothing between '{begin}' and '{end}'")
            inside, body = line == begin, 0
        elif line:
            body += 1
    if inside:
        problems.append(f"{where}: '{begin}' without '{end}'")
    return problems


def _without_hidden_tests(source: str) -> str:
    kept, hidden = [], False
    for line in source.splitlines():
        if line.strip() in (BEGIN_HIDDEN, END_HIDDEN):
            hidden = line.strip() == BEGIN_HIDDEN
        elif not hidden:
            kept.append(line)
    return "\n".join(kept)


def _check_cell_problems(source: str, where: str) -> list[str]:
    """A check cell imports its checkers from cnn_helpers.exercises and calls one of them."""
    problems = _region_problems(source, BEGIN_HIDDEN, END_HIDDEN, where)
    try:
        ast.parse(source)  # hidden tests included (their markers are comments)
        tree = ast.parse(_without_hidden_tests(source))
    except SyntaxError as error:
        return [*problems, f"{where}: not plain Python ({error.msg}, line {error.lineno})"]
    imported = {alias.asname or alias.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
                and node.module == "cnn_helpers.exercises" for alias in node.names}
    if not imported:
        return [*problems, f"{where}: the check imports nothing from cnn_helpers.exercises"]
    problems += [f"{where}: {name} is not in cnn_helpers.exercises" for name in sorted(imported)
                 if not hasattr(exercises, name)]
    called = {node.func.id for node in ast.walk(tree) if isinstance(node, ast.Call)
              and isinstance(node.func, ast.Name)}
    if not imported & called:
        problems.append(f"{where}: the visible check calls none of {sorted(imported)}")
    return problems


def _cell_problems(cell, role: str, where: str) -> list[str]:
    meta = cell.metadata["nbgrader"]
    cell_type, flags = ROLE_CELLS[role]
    problems = [] if cell.cell_type == cell_type else [f"{where}: a {role} must be a {cell_type} cell"]
    problems += [f"{where}: {key} should be {value}, is {meta.get(key)!r}" for key, value in flags.items()
                 if meta.get(key) is not value]
    markers = set(_lines(cell.source))
    if role != "answer" and markers & {BEGIN_SOLUTION, END_SOLUTION}:
        problems.append(f"{where}: solution markers outside an answer cell")
    if role != "check" and markers & {BEGIN_HIDDEN, END_HIDDEN}:
        problems.append(f"{where}: hidden-test markers outside a check cell")
    if role == "answer":
        if BEGIN_SOLUTION not in markers:
            problems.append(f"{where}: no '{BEGIN_SOLUTION}' in the answer cell")
        problems += _region_problems(cell.source, BEGIN_SOLUTION, END_SOLUTION, where)
    if role == "check":
        points = meta.get("points")
        if isinstance(points, bool) or not isinstance(points, (int, float)) or points <= 0:
            problems.append(f"{where}: points should be a positive number, is {points!r}")
        problems += _check_cell_problems(cell.source, where)
    if role == "question" and not cell.source.strip():
        problems.append(f"{where}: the question is empty")
    return problems


def _triple_problems(nb, positions: dict[int, dict[str, int]]) -> list[str]:
    """Exercises numbered 1..n (n >= 3), each a question, then its answer, then right after it its check.

    Cells without nbgrader metadata may stand between question and answer (say, one that shows
    the data of the exercise); nothing stands between the answer and the check that grades it.
    """
    numbers = sorted(positions)
    problems = [] if numbers == list(range(1, len(numbers) + 1)) else [f"exercises numbered {numbers}, not 1..n"]
    if len(numbers) < MIN_EXERCISES:
        problems.append(f"{len(numbers)} exercises, the course asks for at least {MIN_EXERCISES}")
    for k in numbers:
        roles = positions[k]
        missing = [role for role in ROLES if role not in roles]
        if missing:
            problems.append(f"exercise {k} has no {' or '.join(missing)} cell")
        elif not roles["question"] < roles["answer"] == roles["check"] - 1 or any(
                "nbgrader" in cell.metadata for cell in nb.cells[roles["question"] + 1:roles["answer"]]):
            problems.append(f"exercise {k}: not question, answer, check in this order with the check "
                            "right after the answer")
    return problems


def exercise_problems(nb, number: str) -> list[str]:
    """Everything that keeps notebook ``number``'s exercises from being proper nbgrader triples."""
    problems, seen, positions = [], set(), {}
    for index, cell in enumerate(nb.cells):
        meta = cell.metadata.get("nbgrader")
        if meta is None:
            if set(_lines(cell.source)) & {BEGIN_SOLUTION, END_SOLUTION, BEGIN_HIDDEN, END_HIDDEN}:
                problems.append(f"cell {index}: solution or hidden-test markers in a cell without nbgrader metadata")
            continue
        grade_id = meta.get("grade_id")
        where = f"cell {index} ({grade_id})"
        if meta.get("schema_version") != 3:
            problems.append(f"{where}: schema_version {meta.get('schema_version')!r}, expected 3")
        if grade_id in seen:
            problems.append(f"{where}: duplicate grade_id")
        seen.add(grade_id)
        match = GRADE_ID.fullmatch(str(grade_id))
        if not match or match["nb"] != number:
            problems.append(f"{where}: grade_id should read ex{number}-<k>-question|answer|check")
            continue
        positions.setdefault(int(match["k"]), {})[match["role"]] = index
        problems += _cell_problems(cell, match["role"], where)
    return problems + _triple_problems(nb, positions)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_exercises_are_nbgrader_triples(path):
    problems = exercise_problems(nbformat.read(path, as_version=4), path.name[:2])
    assert not problems, "\n".join(problems)


# A small course notebook of the same shape, to test the structure test and the exchange.
def _meta(role: str, grade_id: str, points: int = 1) -> dict:
    _, flags = ROLE_CELLS[role]
    meta = {**flags, "grade_id": grade_id, "schema_version": 3}
    return {"nbgrader": {**meta, "points": points} if role == "check" else meta}


def synthetic_notebook(number: str = "99", count: int = 3):
    """A notebook with ``count`` exercises: assign k * 10 to ``answer_k``; checked with a hint."""
    setup = "import random\nrandom.seed(0)"  # a set-up cell, without torch: each kernel starts a second sooner
    cells = [new_markdown_cell("# A synthetic notebook"), new_code_cell(setup)]
    for k in range(1, count + 1):
        grade_id = f"ex{number}-{k}"
        task = f"Assign {k} * 10 to `answer_{k}`."
        answer = f"# {task}\n{BEGIN_SOLUTION}\nanswer_{k} = {k} * 10\n{END_SOLUTION}"
        check = (f"from cnn_helpers.exercises import hint\n\nif answer_{k} == {k}:\n"
                 f"    raise hint('you forgot to multiply by 10')\n"
                 f"{BEGIN_HIDDEN}\nassert answer_{k} == {k * 10}, 'not {k} * 10'\n{END_HIDDEN}")
        cells += [
            new_markdown_cell(f"**Exercise {k}.** {task}", metadata=_meta("question", f"{grade_id}-question")),
            new_code_cell(answer, metadata=_meta("answer", f"{grade_id}-answer")),
            new_code_cell(check, metadata=_meta("check", f"{grade_id}-check", points=k)),
        ]
    kernelspec = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return new_notebook(cells=cells, metadata={"kernelspec": kernelspec})


def test_synthetic_notebook_is_well_formed():
    assert exercise_problems(synthetic_notebook(), "99") == []


def test_a_cell_may_show_the_data_between_question_and_answer():
    nb = synthetic_notebook()
    nb.cells.insert(3, new_code_cell("print([[1, 2], [3, 4]])"))
    assert exercise_problems(nb, "99") == []


def _set(index, key, value):
    def mutate(nb):
        nb.cells[index].metadata["nbgrader"][key] = value
    return mutate


def _source(index, old, new):
    def mutate(nb):
        assert old in nb.cells[index].source
        nb.cells[index].source = nb.cells[index].source.replace(old, new)
    return mutate


def _swap(i, j):
    def mutate(nb):
        nb.cells[i], nb.cells[j] = nb.cells[j], nb.cells[i]
    return mutate


def _insert(index, cell):
    def mutate(nb):
        nb.cells.insert(index, cell)
    return mutate


def _drop(index):
    def mutate(nb):
        del nb.cells[index]
    return mutate


# Cells of the synthetic notebook: 2 question 1, 3 answer 1, 4 check 1, 5 question 2, 6 answer 2, ...
BROKEN = {
    "editable question": (_set(2, "locked", False), r"cell 2 \(ex99-1-question\): locked should be True"),
    "ungraded check": (_set(4, "grade", False), r"cell 4 .*grade should be True"),
    "no points": (_set(4, "points", 0), r"points should be a positive number, is 0"),
    "old schema": (_set(3, "schema_version", 1), r"schema_version 1, expected 3"),
    "duplicate id": (_set(6, "grade_id", "ex99-1-answer"), r"duplicate grade_id"),
    "other notebook's id": (_set(2, "grade_id", "ex98-1-question"), r"grade_id should read ex99-"),
    "no end marker": (_source(3, END_SOLUTION, ""), r"'### BEGIN SOLUTION' without '### END SOLUTION'"),
    "no solution markers": (_source(3, BEGIN_SOLUTION, ""), r"no '### BEGIN SOLUTION' in the answer cell"),
    "empty solution": (_source(3, "answer_1 = 1 * 10", ""), r"nothing between"),
    "hidden tests unclosed": (_source(4, END_HIDDEN, ""), r"'### BEGIN HIDDEN TESTS' without"),
    "solution in a plain cell": (_source(1, "random.seed(0)", f"{BEGIN_SOLUTION}\nx = 1\n{END_SOLUTION}"),
                                 r"markers in a cell without nbgrader metadata"),
    "check not from exercises": (_source(4, "from cnn_helpers.exercises import hint", "from math import hypot as hint"),
                                 r"imports nothing from cnn_helpers.exercises"),
    "unknown checker": (_source(4, "import hint", "import hint, check_nothing"), r"check_nothing is not in"),
    "checker not called": (_source(4, "raise hint('you forgot to multiply by 10')", "pass"), r"calls none of"),
    "answer after check": (_swap(3, 4), r"exercise 1: not question, answer, check in this order"),
    "cell between answer and check": (_insert(4, new_code_cell("answer_1 = 10")), r"exercise 1: not question,"),
    "exercises interleaved": (_swap(3, 5), r"exercise 1: not question, answer, check in this order"),
    "no check cell": (_drop(4), r"exercise 1 has no check cell"),
}


@pytest.mark.parametrize("mutate, message", BROKEN.values(), ids=BROKEN.keys())
def test_structure_test_finds_broken_exercises(mutate, message):
    nb = synthetic_notebook()
    mutate(nb)
    problems = exercise_problems(nb, "99")
    assert any(re.search(message, problem) for problem in problems), problems


def test_structure_test_asks_for_three_exercises():
    problems = exercise_problems(synthetic_notebook(count=2), "99")
    assert problems == ["2 exercises, the course asks for at least 3"]


def test_every_notebook_has_a_typical_mistake():
    """MISTAKES names an answer cell of every notebook, and only answer cells that exist."""
    answers = {path.name[:2]: {cell.metadata["nbgrader"]["grade_id"] for cell in nbformat.read(path, 4).cells
                               if cell.metadata.get("nbgrader", {}).get("solution")} for path in NOTEBOOKS}
    stale = [grade_id for grade_id in MISTAKES if grade_id not in set().union(*answers.values())]
    uncovered = [number for number, ids in answers.items() if not ids & MISTAKES.keys()]
    assert stale == [], f"MISTAKES names answer cells that no notebook has: {stale}"
    assert uncovered == [], f"add a typical mistake of notebooks {uncovered} to MISTAKES"


def test_students_environment_has_no_nbgrader():
    """nbgrader stays out of the environment the tests (and students' JupyterLab) run in: no grading panels."""
    assert importlib.util.find_spec("nbgrader") is None
    assert not (Path(sys.prefix) / "share" / "jupyter" / "labextensions" / "@jupyter" / "nbgrader").exists()


def test_a_typical_mistake_takes_the_place_of_an_indented_stub():
    stub = "def f(x):\n    \"\"\"Twice x.\"\"\"\n    # YOUR CODE HERE\n    raise NotImplementedError()\nf(1)"
    assert with_mistake(stub, "y = x\nreturn y") == "def f(x):\n    \"\"\"Twice x.\"\"\"\n    y = x\n    return y\nf(1)"
    with pytest.raises(AssertionError, match="no stub"):
        with_mistake("x = 1", "x = 2")


def test_generated_folders_are_ignored_by_git():
    """make student writes into student/ and build/course, which are never committed."""
    result = subprocess.run(["git", "check-ignore", "student/00_introduction.ipynb", "build/course/gradebook.db",
                             ".venv-instructor/bin/nbgrader"], cwd=ROOT, capture_output=True, text=True)
    assert result.stdout.split() == ["student/00_introduction.ipynb", "build/course/gradebook.db",
                                     ".venv-instructor/bin/nbgrader"]


# --- the cycle with nbgrader (instructor environment) ---

HAVE_NBGRADER = any((ROOT / ".venv-instructor" / "lib").glob("python3*/site-packages/nbgrader/__init__.py"))
needs_nbgrader = [
    pytest.mark.instructor,
    pytest.mark.skipif(not HAVE_NBGRADER, reason="the instructor environment .venv-instructor with nbgrader "
                                                 "is missing; create it with `make instructor-setup`"),
    pytest.mark.skipif(not NOTEBOOKS, reason="no notebooks in notebooks/"),
]
VALIDATES = "Success! Your notebook passes all the tests."
FAILS_EVERYWHERE = "Success! The notebook does not pass any tests."


def run_nbgrader(course: Path, *args: str) -> str:
    """Run nbgrader in the course folder with the instructor environment; return its log."""
    result = student_versions.nbgrader(course, *args, python=INSTRUCTOR_PYTHON)
    assert result.returncode == 0, f"nbgrader {' '.join(args)} failed:\n{result.stdout}"
    return result.stdout


def validation_reports(course: Path, paths: list[Path], *flags: str) -> dict[str, str]:
    """``nbgrader validate`` on all paths in one run; the report of each, by notebook name."""
    log = run_nbgrader(course, "validate", *flags, *map(str, paths))
    parts = re.split(r"^\[ValidateApp \| INFO\] Validating '(.+)'$", log, flags=re.M)
    return {Path(path).stem: report for path, report in zip(parts[1::2], parts[2::2], strict=True)}


def grade_cells(nb) -> dict[str, float]:
    return {cell.metadata.nbgrader["grade_id"]: float(cell.metadata.nbgrader["points"])
            for cell in nb.cells if cell.metadata.get("nbgrader", {}).get("grade")}


def filled_in(answer: str) -> str:
    """The source answer cell as a student who wrote the solution in place of the stub leaves it."""
    return "\n".join(line for line in answer.splitlines() if line.strip() not in (BEGIN_SOLUTION, END_SOLUTION))


def _stub_line(source: str) -> int | None:
    """Index of the first line of nbgrader's stub (indented like the solution it replaced), or None."""
    lines = [line.strip() for line in source.splitlines()]
    return next((i for i in range(len(lines) - 1) if tuple(lines[i:i + 2]) == STUB), None)


def with_mistake(stub_cell: str, code: str) -> str:
    """The released answer cell with ``code`` written in place of its (first) stub."""
    lines, i = stub_cell.splitlines(), _stub_line(stub_cell)
    assert i is not None, f"no stub {STUB} in the student's answer cell:\n{stub_cell}"
    indent = lines[i][: len(lines[i]) - len(lines[i].lstrip())]
    return "\n".join([*lines[:i], *(indent + line for line in code.splitlines()), *lines[i + 2:]])


def submission(released, source, mistakes: dict[str, str]):
    """The student version with every solution filled in, except ``mistakes`` (answer grade_id -> code)."""
    solutions = {cell.metadata.nbgrader["grade_id"]: cell.source for cell in source.cells
                 if cell.metadata.get("nbgrader", {}).get("solution")}
    nb = copy.deepcopy(released)
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id not in solutions:
            continue
        if grade_id in mistakes:
            cell.source = with_mistake(cell.source, mistakes[grade_id])
        else:
            cell.source = filled_in(solutions[grade_id])
    return nb


def bobs_mistakes(source) -> dict[str, str]:
    """The typical mistakes of MISTAKES in this notebook: answer grade_id -> the mistaken code."""
    return {cell.metadata.nbgrader["grade_id"]: MISTAKES[cell.metadata.nbgrader["grade_id"]][0]
            for cell in source.cells if cell.metadata.get("nbgrader", {}).get("grade_id") in MISTAKES}


def _check_of(answer_id: str) -> str:
    return answer_id.removesuffix("-answer") + "-check"


def make_student_versions(course: Path, out: Path, notebooks: list[Path]) -> list[Path]:
    """Run tools/student_versions.py (what ``make student`` runs); return the student notebooks."""
    result = subprocess.run([str(INSTRUCTOR_PYTHON), str(ROOT / "tools" / "student_versions.py"),
                             "--course", str(course), "--out", str(out), *map(str, notebooks)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    return [Path(line) for line in result.stdout.split()]


@pytest.fixture(scope="module")
def source_reports(tmp_path_factory):
    """``nbgrader validate source/*/*.ipynb`` in a course folder, as INSTRUCTORS.md says (its config included)."""
    course = tmp_path_factory.mktemp("validate") / "course"
    names = student_versions.write_course(course, NOTEBOOKS)
    return validation_reports(course, [course / "source" / name / f"{name}.ipynb" for name in names])


class TestSourceNotebooksValidate:
    """``nbgrader validate`` on each source notebook: the solutions pass their own tests."""

    pytestmark = needs_nbgrader

    @pytest.mark.parametrize("name", IDS)
    def test_source_notebook_validates(self, source_reports, name):
        assert VALIDATES in source_reports[name], source_reports[name]


@pytest.fixture(scope="module")
def student_made(tmp_path_factory):
    """The student versions that tools/student_versions.py writes, and ``nbgrader validate --invert`` of them."""
    folder = tmp_path_factory.mktemp("student-versions")
    written = make_student_versions(folder / "course", folder / "student", NOTEBOOKS)
    return written, validation_reports(folder / "course", written, "--invert")


class TestStudentVersions:
    """tools/student_versions.py (``make student``): stubs, no hidden tests, nothing passes."""

    pytestmark = needs_nbgrader

    def test_one_student_version_per_notebook(self, student_made):
        written, _ = student_made
        assert [path.name for path in written] == [path.name for path in NOTEBOOKS]
        assert all(path.parent.name == "student" for path in written)

    @pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
    def test_student_version_has_stubs_and_no_hidden_tests(self, student_made, path):
        written, _ = student_made
        source = nbformat.read(path, as_version=4)
        student = nbformat.read(written[NOTEBOOKS.index(path)], as_version=4)
        assert [cell.cell_type for cell in student.cells] == [cell.cell_type for cell in source.cells]
        for mine, theirs in zip(student.cells, source.cells, strict=True):
            meta = theirs.metadata.get("nbgrader", {})
            assert mine.get("outputs", []) == []
            if meta.get("solution"):
                assert _stub_line(mine.source) is not None and BEGIN_SOLUTION not in mine.source
            elif meta.get("grade"):
                assert mine.source.strip() == _without_hidden_tests(theirs.source).strip()
            else:
                assert mine.source == theirs.source

    @pytest.mark.parametrize("name", IDS)
    def test_student_version_fails_every_check(self, student_made, name):
        _, reports = student_made
        assert FAILS_EVERYWHERE in reports[name], reports[name]


ZH_NOTEBOOKS = sorted((ROOT / "notebooks" / "zh").glob("*.ipynb"))
ZH_RUN = "CNN_COURSE_TEST_ZH"  # make test-zh (CI): also run nbgrader validate on the Chinese edition


@pytest.fixture(scope="module")
def chinese_made(tmp_path_factory):
    """``make student`` over both languages: one course folder, assignments NN_name and NN_name_zh."""
    folder = tmp_path_factory.mktemp("student-versions-zh")
    written = make_student_versions(folder / "course", folder / "student", NOTEBOOKS + ZH_NOTEBOOKS)
    return folder / "course", written


class TestChineseStudentVersions:
    """The Chinese edition's student versions: the English exercises, the same grade cells, Chinese prose."""

    pytestmark = needs_nbgrader

    def test_both_languages_release_from_one_course_folder(self, chinese_made):
        _, written = chinese_made
        assert [p.name for p in written] == [p.name for p in NOTEBOOKS] + [f"{p.stem}_zh.ipynb" for p in ZH_NOTEBOOKS]

    @pytest.mark.parametrize("path", ZH_NOTEBOOKS, ids=lambda p: f"zh/{p.stem}")
    def test_a_chinese_student_version_has_the_english_grade_cells_and_stubs(self, chinese_made, path):
        _, written = chinese_made
        student = nbformat.read(next(p for p in written if p.name == f"{path.stem}_zh.ipynb"), as_version=4)
        english = nbformat.read(ROOT / "notebooks" / path.name, as_version=4)
        assert grade_cells(student) == grade_cells(english)
        for mine in student.cells:
            if mine.metadata.get("nbgrader", {}).get("solution") and mine.cell_type == "code":
                assert _stub_line(mine.source) is not None and BEGIN_SOLUTION not in mine.source
        assert re.search(r"[\u4e00-\u9fff]", "".join(c.source for c in student.cells if c.cell_type == "markdown"))

    @pytest.mark.skipif(os.environ.get(ZH_RUN) != "1", reason=f"{ZH_RUN}=1 (make test-zh, CI) executes them")
    def test_chinese_sources_validate_and_their_student_versions_fail_every_check(self, chinese_made):
        course, written = chinese_made
        names = [student_versions.assignment_name(p) for p in ZH_NOTEBOOKS]
        sources = validation_reports(course, [course / "source" / n / f"{n}.ipynb" for n in names])
        students = validation_reports(course, [p for p in written if p.stem in names], "--invert")
        for name in names:
            assert VALIDATES in sources[name], sources[name]
            assert FAILS_EVERYWHERE in students[name], students[name]


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """A course folder where ada (every solution) and bob (MISTAKES) submitted every notebook, cy nothing.

    Autograded, fed back and exported: returns the folder.
    """
    course = tmp_path_factory.mktemp("grading") / "course"
    make_student_versions(course, course.parent / "student", NOTEBOOKS)
    for path in NOTEBOOKS:
        source = nbformat.read(path, as_version=4)
        released = nbformat.read(course / "release" / path.stem / path.name, as_version=4)
        for student, mistakes in [("ada", {}), ("bob", bobs_mistakes(source))]:
            folder = course / "submitted" / student / path.stem
            folder.mkdir(parents=True)
            nbformat.write(submission(released, source, mistakes), folder / path.name)
    run_nbgrader(course, "autograde", "*")
    run_nbgrader(course, "generate_feedback", "*")
    # cy is in the class but submitted nothing
    run_nbgrader(course, "db", "student", "add", "cy", "--first-name", "Cy", "--last-name", "Young",
                 "--email", "cy@example.org")
    run_nbgrader(course, "export", "--to", "grades.csv")
    return course


@pytest.fixture(scope="module")
def grades(graded):
    with open(graded / "grades.csv", newline="") as file:
        return {(row["student_id"], row["assignment"]): row for row in csv.DictReader(file)}


class TestGrading:
    """Two submissions of every notebook, autograded, fed back and exported.

    ada fills in every solution; bob makes the typical mistakes of MISTAKES.
    """

    pytestmark = needs_nbgrader

    def test_grades_export_one_row_per_student_and_notebook(self, grades):
        assert sorted(grades) == sorted((student, name) for student in ("ada", "bob", "cy") for name in IDS)

    @pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
    def test_no_submission_exports_zero(self, grades, path):
        row = grades["cy", path.stem]
        total = sum(grade_cells(nbformat.read(path, as_version=4)).values())
        assert (row["first_name"], row["last_name"], row["email"]) == ("Cy", "Young", "cy@example.org")
        assert (float(row["score"]), float(row["max_score"])) == (0.0, total)

    @pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
    def test_all_solutions_get_full_marks(self, grades, path):
        total = sum(grade_cells(nbformat.read(path, as_version=4)).values())
        row = grades["ada", path.stem]
        assert (float(row["score"]), float(row["max_score"])) == (total, total)

    @pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
    def test_typical_mistakes_get_partial_marks(self, grades, path):
        source = nbformat.read(path, as_version=4)
        points = grade_cells(source)
        lost = sum(points[_check_of(grade_id)] for grade_id in bobs_mistakes(source))
        row = grades["bob", path.stem]
        assert (float(row["score"]), float(row["max_score"])) == (sum(points.values()) - lost, sum(points.values()))
        assert 0 < float(row["score"]) < float(row["max_score"])

    @pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
    def test_solutions_run_without_errors_or_displayed_results(self, graded, path):
        """No error anywhere in ada's graded notebook, and no check cell displays a value.

        nbgrader reads a value a test cell displays as a partial-credit score (a string only
        earns a warning in 0.9.6, "future releases may treat as error").
        """
        notebook = nbformat.read(graded / "autograded" / "ada" / path.stem / path.name, as_version=4)
        errors = [cell.source for cell in notebook.cells for output in cell.get("outputs", [])
                  if output.output_type == "error"]
        displayed = [cell.metadata.nbgrader["grade_id"] for cell in notebook.cells
                     if cell.metadata.get("nbgrader", {}).get("grade")
                     for output in cell.outputs if output.output_type == "execute_result"]
        assert errors == []
        assert displayed == [], ("these check cells display a value, which nbgrader reads as a partial-credit "
                                 "score: end them with a statement, not with an expression")

    @pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
    def test_feedback_page_shows_the_hints(self, graded, path):
        mistakes = bobs_mistakes(nbformat.read(path, as_version=4))
        notebook = nbformat.read(graded / "autograded" / "bob" / path.stem / path.name, as_version=4)
        errors = {cell.metadata.nbgrader["grade_id"]: output for cell in notebook.cells
                  if cell.metadata.get("nbgrader", {}).get("grade")
                  for output in cell.outputs if output.output_type == "error"}
        page = (graded / "feedback" / "bob" / path.stem / f"{path.stem}.html").read_text()
        assert set(errors) == {_check_of(answer_id) for answer_id in mistakes}
        for answer_id in mistakes:
            error = errors[_check_of(answer_id)]
            assert error.ename == "WrongAnswer"
            assert re.search(MISTAKES[answer_id][1], error.evalue), error.evalue
            assert error.evalue in html.unescape(page)
        points = grade_cells(notebook)
        total, lost = sum(points.values()), sum(points[grade_id] for grade_id in errors)
        assert f"Score: {float(total - lost)} / {float(total)}" in page

    @pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
    def test_full_marks_feedback_page(self, graded, path):
        page = (graded / "feedback" / "ada" / path.stem / f"{path.stem}.html").read_text()
        total = float(sum(grade_cells(nbformat.read(path, as_version=4)).values()))
        assert f"Score: {total} / {total}" in page


SYNTHETIC = "99_synthetic"


@pytest.fixture(scope="module")
def synthetic_course(tmp_path_factory) -> Path:
    """A course folder with the student version of the synthetic notebook generated (``make student``).

    Made once; each test works on its own copy (``copy_of``): generating takes seconds.
    """
    folder = tmp_path_factory.mktemp("synthetic")
    nbformat.write(synthetic_notebook(), folder / f"{SYNTHETIC}.ipynb")
    make_student_versions(folder / "course", folder / "student", [folder / f"{SYNTHETIC}.ipynb"])
    return folder / "course"


def copy_of(course: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(course, tmp_path / "course"))


class TestExchange:
    """The validate command, and the hand-out and collect commands of INSTRUCTORS.md through an exchange folder.

    On a synthetic notebook (the real ones are graded above): validate; release_assignment, then
    fetch_assignment and submit as the student, collect, autograde, generate_feedback,
    release_feedback, and fetch_feedback as the student.
    """

    pytestmark = needs_nbgrader

    def test_validate_passes_the_source_and_fails_the_student_version(self, synthetic_course, tmp_path):
        """``nbgrader validate`` as INSTRUCTORS.md runs it: on the source, with --invert on the release."""
        course, name, wrong = copy_of(synthetic_course, tmp_path), SYNTHETIC, synthetic_notebook()
        _source(3, "answer_1 = 1 * 10", "answer_1 = 1")(wrong)  # a solution that fails its own test
        nbformat.write(wrong, tmp_path / "wrong.ipynb")
        reports = validation_reports(course, [course / "source" / name / f"{name}.ipynb", tmp_path / "wrong.ipynb"])
        assert VALIDATES in reports[name], reports[name]
        wrong_report = reports["wrong"]
        assert VALIDATES not in wrong_report and "you forgot to multiply by 10" in wrong_report, wrong_report
        released = course / "release" / name / f"{name}.ipynb"
        assert FAILS_EVERYWHERE in validation_reports(course, [released], "--invert")[name]

    def test_release_fetch_submit_collect_and_return_feedback(self, synthetic_course, tmp_path):
        course, home, exchange = copy_of(synthetic_course, tmp_path), tmp_path / "home", tmp_path / "exchange"
        home.mkdir()
        exchange.mkdir()
        exchange.chmod(0o777)  # as on a hub: every student writes into inbound/
        name = SYNTHETIC
        where = f"--Exchange.root={exchange}"
        run_nbgrader(course, "release_assignment", name, where)
        run_nbgrader(home, "fetch_assignment", name, "--course", student_versions.COURSE_ID, where)
        fetched = home / name / f"{name}.ipynb"
        nb = nbformat.read(fetched, as_version=4)
        for cell in nb.cells:  # the student answers exercise 1 and 2, and 2 wrongly
            if cell.metadata.get("nbgrader", {}).get("grade_id") == "ex99-1-answer":
                cell.source = with_mistake(cell.source, "answer_1 = 10")
            if cell.metadata.get("nbgrader", {}).get("grade_id") == "ex99-2-answer":
                cell.source = with_mistake(cell.source, "answer_2 = 2")
        nbformat.write(nb, fetched)
        run_nbgrader(home, "submit", name, "--course", student_versions.COURSE_ID, where)
        run_nbgrader(course, "collect", name, where)
        student = pwd.getpwuid(os.getuid()).pw_name  # nbgrader names a submission after its OS user
        collected = nbformat.read(course / "submitted" / student / name / f"{name}.ipynb", as_version=4)
        assert [cell.source for cell in collected.cells] == [cell.source for cell in nb.cells]
        for step in ("autograde", "generate_feedback", "release_feedback"):
            run_nbgrader(course, step, name, where)
        run_nbgrader(home, "fetch_feedback", name, "--course", student_versions.COURSE_ID, where)
        pages = list((home / name / "feedback").glob(f"*/{name}.html"))
        assert len(pages) == 1
        # exercise 1 (1 point) right, 2 (2 points) wrong, 3 (3 points) unanswered
        assert "Score: 1.0 / 6.0" in pages[0].read_text()
        graded = nbformat.read(course / "autograded" / student / name / f"{name}.ipynb", as_version=4)
        errors = {cell.metadata.nbgrader["grade_id"]: (output.ename, output.evalue) for cell in graded.cells
                  for output in cell.get("outputs", []) if output.output_type == "error"}
        assert errors == {"ex99-2-check": ("WrongAnswer", "you forgot to multiply by 10"),
                          "ex99-3-answer": ("NotImplementedError", ""),
                          "ex99-3-check": ("NameError", "name 'answer_3' is not defined")}

    def test_zip_collect_files_downloaded_from_a_learning_management_system(self, synthetic_course, tmp_path):
        """The zip_collect settings of INSTRUCTORS.md file each download under submitted/<student>/."""
        course, name = copy_of(synthetic_course, tmp_path), SYNTHETIC
        settings = [block for block in re.findall(r"```python\n(.*?)```", (ROOT / "INSTRUCTORS.md").read_text(), re.S)
                    if "FileNameCollectorPlugin" in block]
        assert len(settings) == 1
        with open(course / "nbgrader_config.py", "a") as config:
            config.write(settings[0])
        archive = course / "downloaded" / name / "archive"
        archive.mkdir(parents=True)
        released = course / "release" / name / f"{name}.ipynb"
        shutil.copy(released, archive / f"ada_{name}.ipynb")
        with zipfile.ZipFile(archive / "more.zip", "w") as more:  # a system may hand out an archive
            more.write(released, f"b.smith_{name}.ipynb")
            more.writestr("notes.txt", "not a submission")
        run_nbgrader(course, "zip_collect", name)
        submitted = sorted(path.relative_to(course / "submitted") for path in (course / "submitted").rglob("*.ipynb"))
        assert submitted == [Path("ada", name, f"{name}.ipynb"), Path("b.smith", name, f"{name}.ipynb")]

"""Autograde every submission of an assignment without one damaged notebook stopping the class's batch.

Usage, in the course folder, with the instructor environment (INSTRUCTORS.md, "On the class hub"):
    python /path/to/course/deploy/autograde.py ASSIGNMENT [--course .]

``nbgrader autograde ASSIGNMENT`` stops the whole batch at the first notebook in which a grade
id appears twice (JupyterLab's copy and paste of an answer cell does that), with a misleading
"old version of the nbgrader metadata format" error, and it gives 0 points to a notebook whose
editor stripped the cell metadata. So this command first repairs, in each
``submitted/<student>/ASSIGNMENT/*.ipynb``, what a student's editor can do to a notebook
(the untouched file is kept in ``original_submissions/<student>/ASSIGNMENT/``):

- a notebook of an older nbformat 4 minor version is upgraded to 4.5 (cell ids added);
- cell ids that appear twice are renewed;
- a grade id that appears twice keeps its nbgrader metadata on its first cell only (the copy
  still runs, as a plain cell, before the check that follows it);
- nbgrader metadata that was stripped is put back from the released notebook: a locked cell
  gets it back when its text is unchanged, an answer cell when it is the one code cell between
  its (recognised) question and check.

Then it runs ``nbgrader autograde ASSIGNMENT`` once for everyone, and, if that run stopped
early, once more for each student it left ungraded. It prints one line per student, graded or
not (with the reason), and exits with 1 when a submission could not be graded.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import nbformat


def _meta(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def _fresh_id() -> str:
    return uuid.uuid4().hex[:8]


def upgrade(nb) -> list[str]:
    """Bring an nbformat 4.x notebook to 4.5, giving every cell an id; return what changed."""
    if nb.nbformat == 4 and nb.nbformat_minor < 5:
        old = nb.nbformat_minor
        nb.nbformat_minor = 5
        for cell in nb.cells:
            cell.setdefault("id", _fresh_id())
        return [f"nbformat 4.{old} upgraded to 4.5"]
    return []


def renew_duplicate_cell_ids(nb) -> list[str]:
    seen, fixed = set(), []
    for cell in nb.cells:
        if cell.get("id") in seen:
            fixed.append(cell["id"])
            cell["id"] = _fresh_id()
        seen.add(cell.get("id"))
    return [f"duplicate cell id {i} renewed" for i in fixed]


def drop_duplicate_grade_ids(nb) -> list[str]:
    seen, dropped = set(), []
    for cell in nb.cells:
        grade_id = _meta(cell).get("grade_id")
        if grade_id is None:
            continue
        if grade_id in seen:
            del cell.metadata["nbgrader"]
            dropped.append(grade_id)
        seen.add(grade_id)
    return [f"second copy of {g} graded as a plain cell" for g in dropped]


def restore_stripped_metadata(nb, released) -> list[str]:
    """Put back the nbgrader metadata of released cells whose grade id the submission lacks."""
    present = {_meta(cell).get("grade_id") for cell in nb.cells} - {None}
    position: dict[int, int] = {}  # released cell index -> submission cell index
    used: set[int] = set()
    for j, cell in enumerate(nb.cells):  # cells that kept their metadata anchor the others
        grade_id = _meta(cell).get("grade_id")
        for i, rel in enumerate(released.cells):
            if grade_id is not None and _meta(rel).get("grade_id") == grade_id:
                position[i] = j
                used.add(j)
    restored = []
    for i, rel in enumerate(released.cells):  # locked cells whose text is unchanged
        meta = _meta(rel)
        if meta and meta.get("grade_id") not in present and not meta.get("solution"):
            for j, cell in enumerate(nb.cells):
                if j not in used and not _meta(cell) and cell.cell_type == rel.cell_type and cell.source == rel.source:
                    cell.metadata["nbgrader"] = dict(meta)
                    position[i], restored = j, [*restored, meta["grade_id"]]
                    used.add(j)
                    break
    for i, rel in enumerate(released.cells):  # answer cells: the one code cell between their neighbours
        meta = _meta(rel)
        if meta.get("solution") and meta.get("grade_id") not in present and i - 1 in position and i + 1 in position:
            between = [j for j in range(position[i - 1] + 1, position[i + 1])
                       if j not in used and nb.cells[j].cell_type == "code" and not _meta(nb.cells[j])]
            if len(between) == 1:
                nb.cells[between[0]].metadata["nbgrader"] = dict(meta)
                used.add(between[0])
                restored.append(meta["grade_id"])
    return [f"nbgrader metadata of {g} restored" for g in restored]


def repair(path: Path, released: Path | None) -> list[str]:
    """Repair one submitted notebook in place; return what was changed (nothing: the file is untouched)."""
    try:
        nb = nbformat.reads(path.read_text(encoding="utf-8"), as_version=4)
    except (json.JSONDecodeError, UnicodeDecodeError, nbformat.reader.NotJSONError) as error:
        return [f"not a notebook ({type(error).__name__}); nbgrader will refuse it"]
    changes = upgrade(nb) + renew_duplicate_cell_ids(nb) + drop_duplicate_grade_ids(nb)
    if released is not None and released.exists():
        changes += restore_stripped_metadata(nb, nbformat.read(released, as_version=4))
    if changes:
        nbformat.write(nb, path)
    return changes


def nbgrader(course: Path, *args: str) -> subprocess.CompletedProcess:
    bindir = str(Path(sys.executable).parent)  # nbgrader starts alembic by name
    env = dict(os.environ, PATH=f"{bindir}{os.pathsep}{os.environ.get('PATH', '')}")
    return subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course, env=env, text=True,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, check=False)


def graded(course: Path, student: str, assignment: str) -> bool:
    return any((course / "autograded" / student / assignment).glob("*.ipynb"))


def autograde(course: Path, assignment: str) -> dict[str, str]:
    """Repair, then autograde every submission; return {student: 'graded' or the reason it is not}."""
    course = Path(course).resolve()
    students = sorted(p.parent.name for p in (course / "submitted").glob(f"*/{assignment}") if p.is_dir())
    for student in students:
        folder = course / "submitted" / student / assignment
        for path in sorted(folder.glob("*.ipynb")):
            changes = repair_with_backup(course, student, assignment, path)
            for change in changes:
                print(f"{student}: {path.name}: {change}")
    log = nbgrader(course, "autograde", assignment).stdout
    outcome = {}
    for student in students:
        if not graded(course, student, assignment):  # the batch stopped early, or this notebook failed
            log = nbgrader(course, "autograde", assignment, "--student", student).stdout
        outcome[student] = "graded" if graded(course, student, assignment) else _reason(log)
    return outcome


def repair_with_backup(course: Path, student: str, assignment: str, path: Path) -> list[str]:
    original = course / "original_submissions" / student / assignment / path.name
    before = path.read_bytes()
    changes = repair(path, course / "release" / assignment / path.name)
    if path.read_bytes() != before:
        original.parent.mkdir(parents=True, exist_ok=True)
        original.write_bytes(before)
    return changes


def _reason(log: str) -> str:
    errors = [line for line in log.splitlines() if "ERROR" in line or "Error" in line]
    return "not graded: " + (errors[-1].strip() if errors else "nbgrader wrote no autograded notebook")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("assignment")
    parser.add_argument("--course", type=Path, default=Path.cwd(), help="the course folder (default: here)")
    args = parser.parse_args(argv)
    outcome = autograde(args.course, args.assignment)
    for student, result in outcome.items():
        print(f"{student}\t{result}")
    return 0 if all(result == "graded" for result in outcome.values()) else 1


if __name__ == "__main__":
    sys.exit(main())

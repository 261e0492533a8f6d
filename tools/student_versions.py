"""Write the student versions of the course's notebooks with nbgrader; notebooks/ is the single source.

Usage (`make student` runs it with the instructor environment, see INSTRUCTORS.md):
    .venv-instructor/bin/python tools/student_versions.py --course build/course --out student \\
        notebooks/*.ipynb notebooks/zh/*.ipynb

For each notebook ``notebooks/NN_name.ipynb`` this
1. copies it into the nbgrader course folder as the assignment ``NN_name``
   (``COURSE/source/NN_name/NN_name.ipynb``), writing ``COURSE/nbgrader_config.py`` if it is missing;
2. runs ``nbgrader generate_assignment NN_name --force`` there (``"*"`` when it is all of them):
   solutions replaced by stubs, hidden tests and outputs removed, checksums and points recorded
   in ``COURSE/gradebook.db``;
3. copies the result, ``COURSE/release/NN_name/NN_name.ipynb``, to ``OUT/NN_name.ipynb``.

The Chinese edition's ``notebooks/zh/NN_name.ipynb`` becomes the assignment ``NN_name_zh``
(``OUT/NN_name_zh.ipynb``).

The script itself needs only the standard library (the tests import it from the students'
environment); nbgrader runs as ``PYTHON -m nbgrader`` with the instructor environment's Python.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
INSTRUCTOR_PYTHON = ROOT / ".venv-instructor" / "bin" / "python"
COURSE_ID = "cnn-course"

CONFIG = f'''\
# nbgrader settings of this course folder, written by tools/student_versions.py when missing.
# Edit freely: the script never overwrites this file.
c = get_config()  # noqa: F821 (nbgrader provides get_config)

# The course id names the course in nbgrader's exchange (release_assignment, fetch, submit, collect).
c.CourseDirectory.course_id = "{COURSE_ID}"

# nbgrader stops a cell after 30 s by default; notebook 06 trains a model in one cell.
c.Execute.timeout = 300
'''


def assignment_name(notebook: Path) -> str:
    """The nbgrader assignment id of a course notebook: its file name without ``.ipynb``.

    The Chinese edition's notebooks (``notebooks/zh/``) get ``_zh`` after it, so one course folder
    can release both languages: ``02_convolution`` and ``02_convolution_zh``.
    """
    notebook = Path(notebook)
    return f"{notebook.stem}_zh" if notebook.parent.name == "zh" else notebook.stem


def write_course(course: Path, notebooks: list[Path]) -> list[str]:
    """Copy notebooks into ``course/source/<name>/`` and write the config if missing; return the names."""
    course = Path(course)
    course.mkdir(parents=True, exist_ok=True)
    config = course / "nbgrader_config.py"
    if not config.exists():
        config.write_text(CONFIG)
    names = []
    for notebook in map(Path, notebooks):
        name = assignment_name(notebook)
        folder = course / "source" / name
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(notebook, folder / f"{name}.ipynb")
        names.append(name)
    return names


def nbgrader(course: Path, *args: str, python: Path | str | None = None) -> subprocess.CompletedProcess:
    """Run ``nbgrader ARGS`` in the course folder; return the finished process.

    Its log and its results come back in order in ``stdout`` (stderr is merged into it).

    nbgrader starts the ``alembic`` program of its own environment by name, so that
    environment's ``bin`` folder goes first on PATH even when the venv is not activated.
    """
    python = Path(python or sys.executable)
    env = dict(os.environ, PATH=f"{python.parent}{os.pathsep}{os.environ.get('PATH', '')}",
               PYTHONUNBUFFERED="1")
    return subprocess.run([str(python), "-m", "nbgrader", *args], cwd=course, env=env, text=True,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, check=False)


def generate(course: Path, names: list[str], python: Path | str | None = None) -> list[Path]:
    """Run ``nbgrader generate_assignment NAME --force`` for each name; return the student notebooks.

    When the names are all the assignments of the course folder, one run does them all
    (``generate_assignment "*"``): nbgrader takes seconds to start.

    Raises:
        RuntimeError: nbgrader failed; the message holds its log.
    """
    course = Path(course)
    if not names:
        return []
    everything = sorted(names) == sorted(folder.name for folder in (course / "source").iterdir())
    for pattern in ["*"] if everything else names:
        result = nbgrader(course, "generate_assignment", pattern, "--force", python=python)
        if result.returncode != 0:
            raise RuntimeError(f"nbgrader generate_assignment {pattern} failed:\n{result.stdout}")
    released = [course / "release" / name / f"{name}.ipynb" for name in names]
    missing = [str(path) for path in released if not path.exists()]
    if missing:
        raise RuntimeError(f"nbgrader generate_assignment wrote no {', '.join(missing)}:\n{result.stdout}")
    return released


def student_versions(notebooks: list[Path], course: Path, out: Path,
                     python: Path | str | None = None) -> list[Path]:
    """Generate the student version of each notebook and copy it to ``out``; return the copies."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for released in generate(course, write_course(course, notebooks), python):
        written.append(Path(shutil.copyfile(released, out / released.name)))
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="+", type=Path, help="source notebooks (notebooks/*.ipynb)")
    parser.add_argument("--course", type=Path, default=ROOT / "build" / "course",
                        help="nbgrader course folder (created if missing; default build/course)")
    parser.add_argument("--out", type=Path, default=ROOT / "student",
                        help="folder for the student notebooks (default student/)")
    args = parser.parse_args(argv)
    missing = [str(p) for p in args.notebooks if not p.is_file()]
    if missing:
        parser.error(f"no such notebook: {', '.join(missing)}")
    for path in student_versions(args.notebooks, args.course, args.out):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Load: 30 simulated students submit one short exercise set within a minute; collect and autograde them all.

Usage (``make bench`` runs it after the course's own benchmarks):
    .venv/bin/python deploy/load_bench.py [--students 30]

Through a real nbgrader exchange in a temporary folder: the instructor releases the exercise set
of tests/test_nbgrader.py (three exercises), each simulated student fetches it and solves a share
of it, then all submit (``nbgrader submit --student``, 4 at a time; the bench asks for one minute), then the
instructor collects and runs ``deploy/autograde.py`` with the class's grading settings.
Prints the throughput in notebooks per minute, and exits with 1 unless every submission arrived
within the minute and every one was graded with its expected score: nothing may be lost.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
import nbformat  # noqa: E402
from test_nbgrader import INSTRUCTOR_PYTHON, SYNTHETIC, make_student_versions, synthetic_notebook  # noqa: E402

COURSE_ID = "cnn-course"


def nbgrader(cwd: Path, env: dict, *args: str) -> str:
    result = subprocess.run([str(INSTRUCTOR_PYTHON), "-m", "nbgrader", *args], cwd=cwd, env=env,
                            capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"nbgrader {' '.join(args)} failed:\n{result.stdout}{result.stderr}")
    return result.stdout + result.stderr


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=30)
    count = parser.parse_args(argv).students
    with tempfile.TemporaryDirectory(prefix="cnn-load-") as folder:
        base = Path(folder)
        exchange, course = base / "exchange", base / "course"
        exchange.mkdir()
        env = dict(os.environ, PATH=f"{INSTRUCTOR_PYTHON.parent}{os.pathsep}{os.environ['PATH']}",
                   JUPYTER_CONFIG_PATH=str(ROOT / "deploy" / "jupyter" / "instructor"), CNN_COURSE_ID=COURSE_ID,
                   CNN_COURSE_EXCHANGE=str(exchange), CNN_COURSE_FOLDER=str(course))
        nbformat.write(synthetic_notebook(), base / f"{SYNTHETIC}.ipynb")
        make_student_versions(course, base / "student", [base / f"{SYNTHETIC}.ipynb"])
        nbgrader(course, env, "release_assignment", SYNTHETIC)
        students = [f"s{i:02d}" for i in range(count)]
        expected = {s: float(sum(range(1, i % 4 + 1))) for i, s in enumerate(students)}  # 0, 1, 3 or 6 points

        def fetch_and_solve(i_student):
            i, student = i_student
            home = base / "homes" / student
            home.mkdir(parents=True)
            nbgrader(home, env, "fetch_assignment", SYNTHETIC)
            path = home / SYNTHETIC / f"{SYNTHETIC}.ipynb"
            nb = json.loads(path.read_text())
            for cell in nb["cells"]:
                grade_id = cell["metadata"].get("nbgrader", {}).get("grade_id", "")
                k = int(grade_id.split("-")[1]) if grade_id.endswith("-answer") else 0
                if k and k <= i % 4:
                    cell["source"] = f"answer_{k} = {k} * 10"
            path.write_text(json.dumps(nb))

        def submit(student):
            nbgrader(base / "homes" / student, env, "submit", SYNTHETIC, "--student", student)

        with ThreadPoolExecutor(4) as pool:
            list(pool.map(fetch_and_solve, enumerate(students)))
            start = time.monotonic()
            list(pool.map(submit, students))
        submitting = time.monotonic() - start
        inbound = len(list((exchange / COURSE_ID / "inbound").iterdir()))
        start = time.monotonic()
        nbgrader(course, env, "collect", SYNTHETIC)
        collecting = time.monotonic() - start
        start = time.monotonic()
        graded = subprocess.run([str(INSTRUCTOR_PYTHON), str(ROOT / "deploy" / "autograde.py"), SYNTHETIC],
                                cwd=course, env=env, capture_output=True, text=True)
        grading = time.monotonic() - start
        nbgrader(course, env, "export", "--to", "grades.csv")
        with open(course / "grades.csv", newline="") as f:
            scores = {row["student_id"]: float(row["score"]) for row in csv.DictReader(f)}
    wrong = {s: (scores.get(s), expected[s]) for s in students if scores.get(s) != expected[s]}
    print(f"{count} students submitted in {submitting:.1f} s ({inbound} submissions in the exchange)")
    print(f"collect: {collecting:.1f} s; autograde: {grading:.1f} s for {count} notebooks "
          f"= {count / grading * 60:.1f} notebooks per minute on {os.cpu_count()} cores")
    print(f"graded with the expected score: {count - len(wrong)} of {count}")
    problems = []
    if submitting > 60:
        problems.append(f"the submissions took {submitting:.0f} s, more than a minute")
    if inbound != count or graded.returncode != 0 or wrong:
        problems.append(f"lost or misgraded: {inbound} in the exchange, autograde exit {graded.returncode}, "
                        f"wrong {wrong}\n{graded.stdout[-2000:]}")
    for problem in problems:
        print("FAILED:", problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

"""A whole class on a real JupyterHub, and the submissions that hurt classes (issue 16).

- ``TestDeployment`` (fast, no hub): the Zero to JupyterHub values file says what the one-server
  configuration (``deploy/jupyterhub_config.py``) says: course id, exchange, students' settings.
- ``TestHostileSubmissions``: one batch of damaged, tampered, slow, late and old-format
  submissions of a small exercise set, autograded with ``deploy/autograde.py`` and the class's
  grading settings (``deploy/jupyter/instructor``); each case has its own test of the outcome
  INSTRUCTORS.md documents, and the batch grades everyone else.
- ``TestClassOnHub``: the end-to-end run on a real JupyterHub (PAM login, the npm proxy, real Unix
  users, one single-user server per user) on loopback, step by step as INSTRUCTORS.md walks
  through it: the instructor releases, three students fetch through their own server's nbgrader
  API, solve (full, partly, untouched) and submit, the instructor collects, autogrades, returns
  feedback, students fetch it, grades are exported and checked; no student reads another's
  work or the instructor's course folder, through the file system or through the hub.

The hub run needs root (real users) and takes a minute or two, so ``make test`` skips this file
and ``make test-hub`` (which CI runs) runs it, the way ``make test-elsewhere`` is wired.
"""

from __future__ import annotations

import copy
import csv
import json
import os
import subprocess
import time
from pathlib import Path

import nbformat
import pytest
import yaml
from test_nbgrader import INSTRUCTOR_PYTHON, SYNTHETIC, make_student_versions, synthetic_notebook

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
ENABLE = "CNN_COURSE_TEST_HUB"
PROXY = DEPLOY / "node_modules" / ".bin" / "configurable-http-proxy"
COURSE_ID = "cnn-course"

enabled = pytest.mark.skipif(
    os.environ.get(ENABLE) != "1",
    reason="starts a JupyterHub with real Unix users and grades a batch of hostile submissions (2-3 minutes, "
           "needs root): `make test-hub` runs it, and CI does",
)
needs_nbgrader = pytest.mark.skipif(not INSTRUCTOR_PYTHON.exists(),
                                    reason="the instructor environment is missing: `make instructor-setup`")


def answer(nb, k: int, code: str):
    """Write ``code`` into exercise k's answer cell of the synthetic notebook (in place); return nb."""
    cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == f"ex99-{k}-answer")
    cell.source = code
    return nb


def solved(released, right=(1, 2, 3)):
    """The released notebook with the exercises in ``right`` solved (the others keep their stub)."""
    nb = copy.deepcopy(released)
    for k in right:
        answer(nb, k, f"answer_{k} = {k} * 10")
    return nb


def index_of(nb, grade_id: str) -> int:
    return next(i for i, c in enumerate(nb.cells) if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


def grades_csv(path: Path) -> dict[str, dict]:
    with open(path, newline="") as f:
        return {row["student_id"]: row for row in csv.DictReader(f)}


# --- the values file for Zero to JupyterHub says what the one-server configuration says ---


def _load_hub_config() -> dict:
    """The settings deploy/jupyterhub_config.py exports for the values file test (no hub started)."""
    namespace = {"__file__": str(DEPLOY / "jupyterhub_config.py"), "__name__": "hub_config"}
    source = (DEPLOY / "jupyterhub_config.py").read_text()
    exec(compile(source.split("# --- JupyterHub ---")[0], "jupyterhub_config.py", "exec"), namespace)
    return namespace


class TestDeployment:
    def test_values_file_matches_the_one_server_configuration(self):
        settings = _load_hub_config()
        values = yaml.safe_load((DEPLOY / "z2jh-values.yaml").read_text())
        single = values["singleuser"]
        env = single["extraEnv"]
        assert env["CNN_COURSE_ID"] == settings["COURSE_ID"] == COURSE_ID
        assert env["CNN_COURSE_EXCHANGE"] == settings["EXCHANGE_DEFAULT"]
        assert env["JUPYTER_CONFIG_PATH"] == settings["Z2JH_CONFIG"] + "/student"
        mounts = {m["name"]: m["mountPath"] for m in single["storage"]["extraVolumeMounts"]}
        assert mounts["exchange"] == settings["EXCHANGE_DEFAULT"]
        assert single["defaultUrl"] == settings["DEFAULT_URL"]
        assert single["cmd"] == "jupyterhub-singleuser"
        # Every file of deploy/jupyter/ is in the image's config, with the same content.
        files = {f["mountPath"]: f for f in single["extraFiles"].values()}
        for path in sorted((DEPLOY / "jupyter").rglob("*")):
            if path.is_file():
                mounted = files[f"{settings['Z2JH_CONFIG']}/{path.relative_to(DEPLOY / 'jupyter')}"]
                if path.suffix == ".json":
                    assert mounted["data"] == json.loads(path.read_text()), path
                else:
                    assert mounted["stringData"] == path.read_text(), path
        late = files[f"{settings['Z2JH_CONFIG']}/late_penalty.py"]
        assert late["stringData"] == (DEPLOY / "late_penalty.py").read_text()
        # The hub's own settings: the same groups decide who is an instructor.
        extra = values["hub"]["extraConfig"]["cnn-course"]
        assert settings["INSTRUCTOR_GROUP_DEFAULT"] in extra and settings["STUDENT_GROUP_DEFAULT"] in extra
        assert values["hub"]["config"]["JupyterHub"]["authenticator_class"]


# --- hostile and unlucky submissions, one autograde batch ---

DUE = "2030-01-01 12:00:00 UTC"
ON_TIME = "2030-01-01 11:00:00.000000 UTC"


def _late_by(hours: float) -> str:
    return f"2030-01-0{1 + int((12 + hours) // 24)} {int((12 + hours) % 24):02d}:00:00.000000 UTC"


def hostile_cases(released) -> dict[str, tuple[object, str, float, float]]:
    """student -> (notebook or raw text, timestamp, expected score, expected late penalty).

    Exercises are worth 1, 2 and 3 points: cell 2 question 1, 3 answer 1, 4 check 1, 5 question 2, ...
    """
    cases = {}
    cases["ontime"] = (solved(released), ON_TIME, 6.0, 0.0)
    nb = solved(released)
    del nb.cells[index_of(nb, "ex99-1-check")]
    cases["deletedcheck"] = (nb, ON_TIME, 5.0, 0.0)  # a deleted check earns nothing
    nb = solved(released)
    del nb.cells[index_of(nb, "ex99-2-answer")]
    cases["deletedanswer"] = (nb, ON_TIME, 4.0, 0.0)
    nb = solved(released, right=(1, 3))  # answer 2 copied and pasted in JupyterLab, solved in the copy
    copy_cell = copy.deepcopy(nb.cells[index_of(nb, "ex99-2-answer")])
    copy_cell["id"], copy_cell.source = "pasted01", "answer_2 = 2 * 10"
    nb.cells.insert(index_of(nb, "ex99-2-answer") + 1, copy_cell)
    cases["duplicated"] = (nb, ON_TIME, 6.0, 0.0)
    nb = solved(released)  # a cell duplicated with its cell id too (edited as JSON)
    nb.cells.insert(index_of(nb, "ex99-3-answer") + 1, copy.deepcopy(nb.cells[index_of(nb, "ex99-3-answer")]))
    cases["sameid"] = (nb, ON_TIME, 6.0, 0.0)
    nb = answer(solved(released), 1, "answer_1 = 1")  # wrong, and the locked check edited to let it pass
    nb.cells[index_of(nb, "ex99-1-check")].source = "pass"
    cases["editedcheck"] = (nb, ON_TIME, 5.0, 0.0)
    nb = answer(solved(released), 1, "answer_1 = 1")  # metadata stripped by an editor, exercise 1 wrong
    for cell in nb.cells:
        cell.metadata.pop("nbgrader", None)
    cases["stripped"] = (nb, ON_TIME, 5.0, 0.0)
    cases["timeout"] = (answer(solved(released), 1, "import time\ntime.sleep(600)\nanswer_1 = 10"), ON_TIME, 5.0, 0.0)
    loop = "def twenty():\n    n = 0\n    while n >= 0:\n        n += 1\n    return 20\n\nanswer_2 = twenty()"
    cases["loop"] = (answer(solved(released), 2, loop), ON_TIME, 4.0, 0.0)
    for minor in (0, 4):  # older JupyterLab / Classic Notebook / Colab save 4.x without cell ids
        raw = json.loads(json.dumps(solved(released)))
        raw["nbformat_minor"] = minor
        for cell in raw["cells"]:
            cell.pop("id", None)
        cases[f"nbformat4{minor}"] = (json.dumps(raw, indent=1), ON_TIME, 6.0, 0.0)
    cases["late"] = (solved(released), _late_by(36), 6.0, 1.2)  # 2 started days: a fifth of 6 points
    cases["grace"] = (solved(released), _late_by(0.1), 6.0, 0.0)  # 6 minutes: within the 15 minutes' grace
    text = json.dumps(solved(released), indent=1)
    cases["truncated"] = (text[: len(text) // 2], ON_TIME, None, None)  # a broken upload: not JSON
    return cases


TIMEOUT = 5  # seconds per cell for this batch (the class uses 300: notebook 06 trains in one cell)


@pytest.fixture(scope="module")
def hostile_batch(tmp_path_factory):
    """Autograde all hostile cases in one run of deploy/autograde.py; export the grades."""
    folder = tmp_path_factory.mktemp("hostile")
    nbformat.write(synthetic_notebook(), folder / f"{SYNTHETIC}.ipynb")
    course = folder / "course"
    make_student_versions(course, folder / "student", [folder / f"{SYNTHETIC}.ipynb"])
    with open(course / "nbgrader_config.py", "a") as config:
        config.write(f"\nc.Execute.timeout = {TIMEOUT}\n")
    released = nbformat.read(course / "release" / SYNTHETIC / f"{SYNTHETIC}.ipynb", as_version=4)
    cases = hostile_cases(released)
    for student, (nb, stamp, _, _) in cases.items():
        where = course / "submitted" / student / SYNTHETIC
        where.mkdir(parents=True)
        # json, not nbformat.writes: nbformat would repair the duplicate cell id before autograde sees it
        (where / f"{SYNTHETIC}.ipynb").write_text(nb if isinstance(nb, str) else json.dumps(nb, indent=1))
        (where / "timestamp.txt").write_text(stamp)
    env = instructor_env(CNN_COURSE_FOLDER=str(course))
    run([INSTRUCTOR_PYTHON, "-m", "nbgrader", "db", "assignment", "add", SYNTHETIC, f"--duedate={DUE}"], course, env)
    start = time.monotonic()
    result = subprocess.run([INSTRUCTOR_PYTHON, DEPLOY / "autograde.py", SYNTHETIC], cwd=course, env=env,
                            capture_output=True, text=True)
    seconds = time.monotonic() - start
    run([INSTRUCTOR_PYTHON, "-m", "nbgrader", "export", "--to", "grades.csv"], course, env)
    return {"course": course, "cases": cases, "result": result, "seconds": seconds,
            "grades": grades_csv(course / "grades.csv")}


def instructor_env(**extra) -> dict:
    """The environment of the instructor's server on the hub: the class's grading settings first."""
    return dict(os.environ, PATH=f"{INSTRUCTOR_PYTHON.parent}{os.pathsep}{os.environ['PATH']}",
                JUPYTER_CONFIG_PATH=str(DEPLOY / "jupyter" / "instructor"), CNN_COURSE_ID=COURSE_ID, **extra)


def run(command, cwd, env, user: str | None = None) -> str:
    command = [str(part) for part in command]
    if user:
        command = ["runuser", "-u", user, "--", "env", *(f"{k}={v}" for k, v in env.items() if k in PASSED), *command]
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    assert result.returncode == 0, f"{' '.join(command)} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout + result.stderr


PASSED = ("PATH", "JUPYTER_CONFIG_PATH", "CNN_COURSE_ID", "CNN_COURSE_EXCHANGE", "CNN_COURSE_FOLDER", "HOME")
HOSTILE = ["ontime", "deletedcheck", "deletedanswer", "duplicated", "sameid", "editedcheck", "stripped",
           "timeout", "loop", "nbformat40", "nbformat44", "late", "grace"]


@enabled
@needs_nbgrader
class TestHostileSubmissions:
    @pytest.mark.parametrize("student", HOSTILE)
    def test_documented_score(self, hostile_batch, student):
        _, _, score, penalty = hostile_batch["cases"][student]
        row = hostile_batch["grades"][student]
        assert float(row["raw_score"]) == score, (row, hostile_batch["result"].stdout[-3000:])
        assert float(row["late_submission_penalty"]) == pytest.approx(penalty)
        assert float(row["score"]) == pytest.approx(score - penalty)
        assert float(row["max_score"]) == 6.0

    def test_a_broken_file_is_reported_and_the_batch_goes_on(self, hostile_batch):
        result = hostile_batch["result"]
        lines = dict(line.split("\t") for line in result.stdout.splitlines() if "\t" in line)
        assert result.returncode == 1
        assert lines["truncated"].startswith("not graded"), result.stdout
        assert {student: lines[student] for student in HOSTILE} == dict.fromkeys(HOSTILE, "graded"), result.stdout
        assert "truncated" not in {s for s, row in hostile_batch["grades"].items() if float(row["raw_score"]) > 0}

    def test_repairs_are_reported_and_the_originals_kept(self, hostile_batch):
        out, course = hostile_batch["result"].stdout, hostile_batch["course"]
        assert "stripped: 99_synthetic.ipynb: nbgrader metadata of ex99-1-answer restored" in out
        assert "duplicated: 99_synthetic.ipynb: second copy of ex99-2-answer graded as a plain cell" in out
        assert "nbformat40: 99_synthetic.ipynb: nbformat 4.0 upgraded to 4.5" in out
        original = course / "original_submissions" / "stripped" / SYNTHETIC / f"{SYNTHETIC}.ipynb"
        assert "nbgrader" not in json.dumps([c["metadata"] for c in json.loads(original.read_text())["cells"]])

    def test_timeouts_score_zero_for_that_exercise_only(self, hostile_batch):
        graded = nbformat.read(hostile_batch["course"] / "autograded" / "timeout" / SYNTHETIC / f"{SYNTHETIC}.ipynb",
                               as_version=4)
        errors = {c.metadata.get("nbgrader", {}).get("grade_id"): o.get("ename") for c in graded.cells
                  for o in c.get("outputs", []) if o.output_type == "error"}
        assert set(errors) == {"ex99-1-answer", "ex99-1-check"}, errors
        assert hostile_batch["seconds"] < 30 * TIMEOUT, "a stuck cell held the batch past its timeout"

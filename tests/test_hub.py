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
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import nbformat
import pytest
import requests
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
        late = files[f"{Path(settings['Z2JH_CONFIG']).parent}/late_penalty.py"]  # beside jupyter/, as in deploy/
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


# --- a whole class on a real JupyterHub, on loopback ---

HUB = INSTRUCTOR_PYTHON.parent / "jupyterhub"
STUDENTS = {"ada": (1, 2, 3), "bob": (1,), "cy": ()}  # exercises each solves: full marks, partly, untouched
EXPECTED = {"ada": 6.0, "bob": 1.0, "cy": 0.0}


def _hub_missing() -> str | None:
    if not PROXY.exists():
        return f"the proxy is missing ({PROXY.relative_to(ROOT)}): `make hub-setup` installs it from npm"
    if not HUB.exists():
        return "JupyterHub is missing from .venv-instructor: `make hub-setup`"
    if os.geteuid() != 0 or not shutil.which("useradd"):
        return "needs root and useradd: the hub runs each user's server as a real Unix user"
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _opened_for_others(*paths: Path) -> list[tuple[Path, int]]:
    """Give every folder above these paths o+x (traverse only); return the old modes to put back.

    Users' servers run the clone's .venv-instructor, whose Python may live under /root (pyenv, as
    on CI): on a real server, clone into /srv and make the venv with a Python every user can run.
    """
    changed = []
    for folder in dict.fromkeys(f for path in paths for f in [path, *path.parents]):
        mode = folder.stat().st_mode & 0o7777
        if not mode & 0o001:
            os.chmod(folder, mode | 0o001)
            changed.append((folder, mode))
    return changed


class Browser:
    """One user's browser session: PAM login on the hub, then their own server, as JupyterLab calls it."""

    def __init__(self, hub_url: str, name: str, password: str):
        self.hub, self.name = hub_url, name
        self.session = requests.Session()
        self.session.get(f"{hub_url}/hub/login").raise_for_status()
        page = self.session.post(f"{hub_url}/hub/login", allow_redirects=False,
                                 data={"username": name, "password": password, "_xsrf": self._xsrf("/hub/")})
        assert page.status_code == 302, (page.status_code, page.text[:500])

    def _xsrf(self, path: str) -> str:
        cookies = self.session.cookies
        return next(c.value for c in cookies if c.name == "_xsrf" and c.path.rstrip("/") == path.rstrip("/"))

    def start_server(self, timeout: float = 120) -> None:
        response = self.session.post(f"{self.hub}/hub/api/users/{self.name}/server",
                                     headers={"X-XSRFToken": self._xsrf("/hub/")})
        assert response.status_code in (201, 202), (response.status_code, response.text)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            model = self.session.get(f"{self.hub}/hub/api/users/{self.name}").json()
            if model.get("servers", {}).get("", {}).get("ready"):
                break
            time.sleep(0.5)
        else:
            raise AssertionError(f"{self.name}'s server did not start: {model}")
        lab = self.session.get(f"{self.hub}/user/{self.name}/lab")  # the OAuth dance of a first visit
        assert lab.status_code == 200, lab.status_code
        self.lab_page = lab.text

    def get(self, path: str, user: str | None = None, follow: bool = False) -> requests.Response:
        return self.session.get(f"{self.hub}/user/{user or self.name}/{path}", allow_redirects=follow)

    def post(self, path: str, **kwargs) -> requests.Response:
        headers = {"X-XSRFToken": self._xsrf(f"/user/{self.name}/")}
        return self.session.post(f"{self.hub}/user/{self.name}/{path}", headers=headers, **kwargs)

    def assignments(self, action: str) -> dict:
        """What the Assignments panel sends: POST /assignments/<action> with the course and assignment id."""
        response = self.post(f"assignments/{action}", data={"course_id": COURSE_ID, "assignment_id": SYNTHETIC})
        assert response.status_code == 200, (response.status_code, response.text[:500])
        return response.json()

    def formgrader(self, path: str) -> dict:
        response = self.post(f"formgrader/api/{path}")
        assert response.status_code == 200, (response.status_code, response.text[:500])
        result = response.json()
        assert result.get("success", True), result
        return result


@pytest.fixture(scope="class")
def class_hub(tmp_path_factory):
    """A JupyterHub on loopback (free ports) with one instructor and three students as real Unix users.

    Everything lives in a temporary folder (homes, exchange, hub state); users and groups are
    removed afterwards.
    """
    missing = _hub_missing()
    if missing:
        pytest.skip(missing)
    tag = secrets.token_hex(3)
    base = Path(tempfile.mkdtemp(prefix="cnn-hub-"))
    os.chmod(base, 0o755)
    groups = {"student": f"cnns{tag}", "instructor": f"cnni{tag}"}
    users = {"instructor": f"teach{tag}", **{name: f"{name}{tag}" for name in STUDENTS}}
    passwords = {name: secrets.token_urlsafe(12) for name in users.values()}
    opened = _opened_for_others(ROOT, INSTRUCTOR_PYTHON.resolve().parent)
    process, log = None, base / "hub.log"
    try:
        for group in groups.values():
            subprocess.run(["groupadd", group], check=True)
        for key, name in users.items():
            group = groups["instructor" if key == "instructor" else "student"]
            # useradd's default home mode here is 0755: the hub must make it private itself.
            subprocess.run(["useradd", "--create-home", "--home-dir", str(base / "home" / name), "--shell", "/bin/bash",
                            "--groups", group, "-K", "HOME_MODE=0755", name], check=True)
        (base / "home").chmod(0o755)
        subprocess.run(["chpasswd"], input="".join(f"{u}:{p}\n" for u, p in passwords.items()), text=True, check=True)
        port = free_port()
        env = dict(os.environ, CNN_HUB_IP="127.0.0.1", CNN_HUB_PORT=str(port), CNN_HUB_API_PORT=str(free_port()),
                   CNN_HUB_PROXY_API_PORT=str(free_port()), CNN_HUB_STATE=str(base / "state"),
                   CNN_COURSE_EXCHANGE=str(base / "exchange"), CNN_HUB_STUDENT_GROUP=groups["student"],
                   CNN_HUB_INSTRUCTOR_GROUP=groups["instructor"], CNN_COURSE_ID=COURSE_ID)
        started = time.monotonic()
        with open(log, "w") as out:
            process = subprocess.Popen([str(HUB), "-f", str(DEPLOY / "jupyterhub_config.py")], cwd=base, env=env,
                                       stdout=out, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        for _ in range(240):
            try:
                if requests.get(f"{url}/hub/api", timeout=2).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            assert process.poll() is None, log.read_text()
            time.sleep(0.25)
        yield {"url": url, "base": base, "users": users, "passwords": passwords, "log": log, "env": env,
               "exchange": base / "exchange", "started": started}
    finally:
        if log.exists():  # kept for a look after a failure
            shutil.copy(log, tmp_path_factory.getbasetemp() / "hub.log")
        if process is not None:
            process.terminate()  # the hub stops the users' servers on its way out
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
        for name in users.values():
            subprocess.run(["userdel", "--remove", name], capture_output=True)
        for group in groups.values():
            subprocess.run(["groupdel", group], capture_output=True)
        for folder, mode in reversed(opened):
            os.chmod(folder, mode)
        shutil.rmtree(base, ignore_errors=True)


def as_user(user: str, *command, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run a command as a Unix user, with a login's HOME: what a terminal on their server does."""
    home = Path(subprocess.run(["getent", "passwd", user], capture_output=True, text=True).stdout.split(":")[5])
    settings = {"HOME": str(home), "PATH": f"{INSTRUCTOR_PYTHON.parent}:/usr/bin:/bin", **(env or {})}
    return subprocess.run(["runuser", "-u", user, "--", "env", *(f"{k}={v}" for k, v in settings.items()),
                           *map(str, command)], cwd=cwd, capture_output=True, text=True)


@pytest.fixture(scope="class")
def cycle(class_hub, tmp_path_factory):
    """Release, fetch, solve, submit, collect, autograde, feedback, return, fetch feedback, export: once."""
    hub, users = class_hub, class_hub["users"]
    teacher = users["instructor"]
    steps = {}

    def step(name, started):
        steps[name] = round(time.monotonic() - started, 1)

    t = time.monotonic()
    browsers = {key: Browser(hub["url"], name, hub["passwords"][name]) for key, name in users.items()}
    for browser in browsers.values():
        browser.start_server()
    step("log in and start 4 servers", t)

    # 1. The instructor writes the course folder (make student) and releases through the formgrader.
    t = time.monotonic()
    source = hub["base"] / f"{SYNTHETIC}.ipynb"
    nbformat.write(synthetic_notebook(), source)
    source.chmod(0o644)
    home = hub["base"] / "home" / teacher
    course = home / "cnn-course"
    made = as_user(teacher, INSTRUCTOR_PYTHON, ROOT / "tools" / "student_versions.py", "--course", course,
                   "--out", home / "student", source, cwd=home)
    assert made.returncode == 0, made.stdout + made.stderr
    browsers["instructor"].formgrader(f"assignment/{SYNTHETIC}/release")
    step("1 release", t)

    # 2-3. Each student fetches through their own server's nbgrader API, solves, saves and submits.
    t = time.monotonic()
    listed = {}
    for key in STUDENTS:
        browser = browsers[key]
        listed[key] = browser.assignments("fetch")
        path = f"api/contents/{SYNTHETIC}/{SYNTHETIC}.ipynb"
        model = browser.get(path).json()
        nb = nbformat.from_dict(model["content"])
        for k in STUDENTS[key]:
            answer(nb, k, f"answer_{k} = {k} * 10")
        saved = browser.session.put(f"{hub['url']}/user/{browser.name}/{path}",
                                    headers={"X-XSRFToken": browser._xsrf(f"/user/{browser.name}/")},
                                    json={"type": "notebook", "format": "json", "content": nb})
        assert saved.status_code == 200, saved.text[:500]
        submitted = browser.assignments("submit")
        assert "value" in submitted and submitted.get("success") is not False, submitted
    step("2-3 fetch, solve, submit (3 students)", t)

    # 4. Collect through the formgrader, autograde with deploy/autograde.py, feedback, return it.
    t = time.monotonic()
    browsers["instructor"].formgrader(f"assignment/{SYNTHETIC}/collect")
    graded = as_user(teacher, INSTRUCTOR_PYTHON, DEPLOY / "autograde.py", SYNTHETIC, cwd=course,
                     env=_server_env(hub, "instructor"))
    browsers["instructor"].formgrader(f"assignment/{SYNTHETIC}/generate_feedback")
    browsers["instructor"].formgrader(f"assignment/{SYNTHETIC}/release_feedback")
    step("4 collect, autograde, feedback, return", t)

    # 5. Each student fetches their own feedback.
    t = time.monotonic()
    feedback = {key: browsers[key].assignments("fetch_feedback") for key in STUDENTS}
    step("5 fetch feedback", t)

    # 6. The grades are exported.
    t = time.monotonic()
    exported = as_user(teacher, INSTRUCTOR_PYTHON, "-m", "nbgrader", "export", "--to", "grades.csv", cwd=course,
                       env=_server_env(hub, "instructor"))
    assert exported.returncode == 0, exported.stdout + exported.stderr
    step("6 export", t)
    return {"browsers": browsers, "course": course, "graded": graded, "listed": listed, "feedback": feedback,
            "grades": grades_csv(course / "grades.csv"), "steps": steps, "hub": hub}


def _server_env(hub: dict, kind: str) -> dict:
    """The variables deploy/jupyterhub_config.py gives a server of this kind (what its terminal sees)."""
    return {"JUPYTER_CONFIG_PATH": str(DEPLOY / "jupyter" / kind), "CNN_COURSE_ID": COURSE_ID,
            "CNN_COURSE_EXCHANGE": str(hub["exchange"]), "CNN_COURSE_FOLDER": "~/cnn-course"}


@enabled
@needs_nbgrader
class TestClassOnHub:
    def test_students_have_no_grading_panels_and_the_instructor_has_the_formgrader(self, cycle):
        browsers = cycle["browsers"]
        formgrader = browsers["instructor"].get("formgrader", follow=True)
        assert formgrader.status_code == 200 and "/formgrader" in formgrader.url, formgrader.url
        assert "@jupyter/nbgrader:formgrader" not in _disabled(browsers["instructor"].lab_page)
        for key in STUDENTS:
            assert browsers[key].get("formgrader", follow=True).status_code == 404
            assert {"@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:create-assignment",
                    "@jupyter/nbgrader:course-list"} <= _disabled(browsers[key].lab_page)
            assert browsers[key].get("assignments?course_id=" + COURSE_ID).status_code == 200

    def test_each_student_fetched_the_release_through_their_server(self, cycle):
        for key in STUDENTS:
            fetched = [a for a in cycle["listed"][key]["value"] if a["assignment_id"] == SYNTHETIC]
            assert [a["status"] for a in fetched] == ["fetched"], cycle["listed"][key]
            assert fetched[0]["course_id"] == COURSE_ID

    def test_grades_export_has_the_expected_scores(self, cycle):
        users, grades = cycle["hub"]["users"], cycle["grades"]
        assert cycle["graded"].returncode == 0, cycle["graded"].stdout + cycle["graded"].stderr
        assert {key: float(grades[users[key]]["score"]) for key in STUDENTS} == EXPECTED
        assert {float(grades[users[key]]["max_score"]) for key in STUDENTS} == {6.0}

    def test_each_student_fetched_their_own_feedback(self, cycle):
        users, base = cycle["hub"]["users"], cycle["hub"]["base"]
        for key in STUDENTS:
            pages = list((base / "home" / users[key] / SYNTHETIC / "feedback").glob(f"*/{SYNTHETIC}.html"))
            assert len(pages) == 1, (key, cycle["feedback"][key])
            assert f"Score: {EXPECTED[key]} / 6.0" in pages[0].read_text()

    def test_students_cannot_read_each_other_or_the_instructor_on_disk(self, cycle):
        users, base, exchange = cycle["hub"]["users"], cycle["hub"]["base"], cycle["hub"]["exchange"]
        bob, ada, teacher = users["bob"], users["ada"], users["instructor"]
        attempts = {
            "another's home": ["ls", base / "home" / ada],
            "another's notebook": ["cat", base / "home" / ada / SYNTHETIC / f"{SYNTHETIC}.ipynb"],
            "the submissions": ["ls", exchange / COURSE_ID / "inbound"],
            "the course folder": ["ls", base / "home" / teacher / "cnn-course"],
            "the source notebooks": ["cat", cycle["course"] / "source" / SYNTHETIC / f"{SYNTHETIC}.ipynb"],
            "a forged release": ["mkdir", exchange / COURSE_ID / "outbound" / "fake"],
            "the course's name": ["mv", exchange / COURSE_ID, exchange / "taken"],
        }
        for what, command in attempts.items():
            result = as_user(bob, *command, cwd=base)
            refused = "ermission denied" in result.stderr or "not permitted" in result.stderr  # the sticky bit says so
            assert result.returncode != 0 and refused, (what, result)
        assert as_user(bob, "ls", base / "home" / bob / SYNTHETIC, cwd=base).returncode == 0  # their own: yes

    def test_students_cannot_read_each_other_or_the_instructor_through_the_hub(self, cycle):
        bob, users = cycle["browsers"]["bob"], cycle["hub"]["users"]
        path = f"api/contents/{SYNTHETIC}/{SYNTHETIC}.ipynb"
        assert bob.get(path).status_code == 200  # their own
        for other in (users["ada"], users["instructor"]):
            response = bob.get(path, user=other)
            assert response.status_code in (302, 403, 404) and "content" not in response.text, response.status_code
            assert bob.get("formgrader/api/assignments", user=other).status_code in (302, 403, 404)
        outside = bob.get(f"api/contents/../{users['ada']}/{SYNTHETIC}")
        assert outside.status_code in (400, 403, 404), outside.status_code
        api = bob.session.get(f"{cycle['hub']['url']}/hub/api/users/{users['ada']}")
        assert api.status_code in (403, 404), api.status_code

    def test_hub_run_time(self, cycle):
        print("hub steps (s):", cycle["steps"])  # shown with -s; INSTRUCTORS.md quotes them
        assert sum(cycle["steps"].values()) < 600


def _disabled(lab_page: str) -> set[str]:
    """The lab extensions JupyterLab's page config turns off, as the page sends them to the browser."""
    start = lab_page.index('id="jupyter-config-data"')
    config = json.loads(lab_page[lab_page.index(">", start) + 1:lab_page.index("</script>", start)])
    disabled = config.get("disabledExtensions", [])
    return set(disabled if isinstance(disabled, list) else [k for k, v in disabled.items() if v])

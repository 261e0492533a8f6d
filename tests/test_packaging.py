"""The repository's set-up files agree with each other: pyproject is the one dependency list."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import tomllib
import yaml

ROOT = Path(__file__).resolve().parents[1]


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def _environment() -> dict:
    return yaml.safe_load((ROOT / "environment.yml").read_text())


def _name(requirement: str) -> str:
    return re.split(r"[\s<>=!~\[;]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def _pins(requirements) -> dict[str, str]:
    return {_name(r): r.replace(" ", "") for r in requirements}


def _requirements() -> list[str]:
    """Every requirement pyproject states: the dependencies and both extras."""
    project = _pyproject()["project"]
    return project["dependencies"] + [r for extra in project["optional-dependencies"].values() for r in extra]


def _lock() -> dict[str, str]:
    """constraints.txt as {name: exact version}."""
    pins = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, version = line.partition("==")
            assert version, f"constraints.txt line {line!r} is not an exact name==version pin"
            pins[_name(name)] = version.strip()
    return pins


def test_metadata_states_ranges_so_other_environments_keep_their_versions():
    """An exact pin in the metadata would make pip replace Colab's or a hub's torch and numpy."""
    for requirement in _requirements():
        assert "==" not in requirement, f"{requirement!r}: exact pins belong in constraints.txt, not pyproject.toml"
    pins = _pins(_pyproject()["project"]["dependencies"])
    for name in ("torch", "numpy", "matplotlib"):
        assert ">=" in pins[name] and "<" in pins[name].replace("<=", ""), f"{pins[name]}: give a lower and upper bound"


def test_lock_pins_every_requirement_within_its_range():
    """The metadata and the lock cannot drift apart: each stated range holds its locked version."""
    from packaging.requirements import Requirement

    lock = _lock()
    for text in _requirements():
        requirement = Requirement(text)
        name = _name(requirement.name)
        assert name in lock, f"{name} is required by pyproject.toml but not pinned in constraints.txt (make lock)"
        assert requirement.specifier.contains(lock[name], prereleases=True), (
            f"constraints.txt pins {name}=={lock[name]}, outside pyproject's {text!r}: widen the range or re-lock"
        )
    assert lock["torch"] == "2.13.0" and lock["numpy"] == "2.4.6" and lock["matplotlib"] == "3.11.2"


def test_this_environment_is_the_locked_one():
    """What wrote the stored outputs is what is installed: every locked package here has its locked version."""
    from importlib import metadata

    installed = {_name(d.metadata["Name"]): d.version.split("+")[0] for d in metadata.distributions()}
    wrong = {name: (installed[name], version) for name, version in _lock().items()
             if name in installed and installed[name] != version}
    assert not wrong, f"installed vs locked: {wrong}; run make setup (it installs with -c constraints.txt)"


def test_every_install_command_goes_through_the_lock():
    makefile = (ROOT / "Makefile").read_text()
    installs = [line.strip() for line in makefile.splitlines() if "pip install" in line]
    # three environments: .venv (students), .venv-instructor (nbgrader, hub), .venv-site (Jupyter Book)
    assert len(installs) == 3 and all("-c constraints.txt" in line for line in installs), installs
    assert "$(STAMP): pyproject.toml constraints.txt" in makefile
    assert "$(ISTAMP): pyproject.toml constraints.txt" in makefile
    assert "$(SSTAMP): pyproject.toml constraints.txt" in makefile
    site_install = next(line for line in installs if "$(SPY)" in line)
    site_names = {_name(r) for r in _pyproject()["project"]["optional-dependencies"]["site"]}
    assert set(site_install.split()[-len(site_names):]) == site_names, "make site installs pyproject's site extra"
    pip = next(d["pip"] for d in _environment()["dependencies"] if isinstance(d, dict))
    assert "-c constraints.txt" in [line.strip() for line in pip], "environment.yml must install through the lock"
    assert "make test" in (ROOT / ".ci" / "run").read_text()


def test_environment_yml_installs_the_package_from_pyproject():
    env = _environment()
    deps = env["dependencies"]
    pip_sections = [d["pip"] for d in deps if isinstance(d, dict) and "pip" in d]
    assert len(pip_sections) == 1, "environment.yml needs exactly one pip section"
    assert any(re.fullmatch(r"-e \.(\[[\w,]+\])?", line.strip()) for line in pip_sections[0]), (
        "environment.yml's pip section must install the package from pyproject with '-e .'"
    )


def test_environment_yml_lists_nothing_pyproject_does_not():
    env = _environment()
    pyproject = _pyproject()["project"]
    known = _pins(pyproject["dependencies"])
    conda = [d for d in env["dependencies"] if isinstance(d, str)]
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    for entry in conda + [p for p in pip if not p.startswith("-")]:  # -c constraints.txt, -e .
        name = _name(entry.replace("=", "==", 1) if "==" not in entry else entry)
        if name in ("python", "pip"):
            continue
        assert name in known, f"environment.yml lists {entry!r}, which pyproject.toml does not: add it there"
        if "=" in entry:
            version = entry.split("=")[-1]
            assert version in known[name], f"environment.yml pins {entry!r} but pyproject has {known[name]!r}"


def test_python_versions_agree():
    env = _environment()
    python = next(d for d in env["dependencies"] if isinstance(d, str) and d.startswith("python"))
    env_version = tuple(int(x) for x in python.split("=")[-1].split("."))
    minimum = _pyproject()["project"]["requires-python"].removeprefix(">=")
    assert env_version >= tuple(int(x) for x in minimum.split(".")), (
        f"environment.yml's {python} is older than pyproject's requires-python {minimum}"
    )


def test_a_second_setup_reinstalls_nothing(tmp_path):
    """make installs into .venv once, again only after pyproject.toml or the lock changes (a fake Python)."""
    import os
    import shutil
    import subprocess
    import time

    for name in ("Makefile", "pyproject.toml", "constraints.txt"):
        shutil.copy(ROOT / name, tmp_path / name)
    log = tmp_path / "calls.log"
    fake = tmp_path / "fake-python"
    # Stands in for python3: `-m venv DIR` creates DIR/bin/python, which only logs what it is asked to do.
    fake.write_text(f"""#!/bin/sh
echo "$@" >> {log}
if [ "$1 $2" = "-m venv" ]; then
    mkdir -p "$3/bin" && cp "$0" "$3/bin/python"
fi
""")
    fake.chmod(0o755)

    def setup() -> list[str]:
        before = log.read_text().splitlines() if log.exists() else []
        subprocess.run(["make", "setup", f"PYTHON={fake}"], cwd=tmp_path, check=True, capture_output=True)
        return log.read_text().splitlines()[len(before):]

    first = setup()
    assert any("venv" in call for call in first) and any("pip install" in call for call in first)
    assert setup() == [], "a second `make setup` with nothing changed must install nothing"
    later = time.time() + 10  # pyproject.toml edited after the last install
    os.utime(tmp_path / "pyproject.toml", (later, later))
    again = setup()
    assert any("pip install" in call and "-c constraints.txt" in call for call in again)
    assert not any("venv" in call for call in again)
    later += 10  # the lock edited after the last install
    os.utime(tmp_path / "constraints.txt", (later, later))
    assert any("pip install" in call and "-c constraints.txt" in call for call in setup())


def test_importing_nbformat_compiles_no_grammar():
    """The jsonschema pin of pyproject.toml holds: importing nbformat stays cheap.

    jsonschema 4.25+ imports rfc3987-syntax when it is installed (jupyter-events asks for it
    through ``jsonschema[format-nongpl]``), and that module builds an Earley parser for one
    second at import. Every nbgrader command, the Jupyter server and each test worker import
    nbformat, and ``make test`` starts dozens of them.
    """
    code = "import sys, nbformat; print('rfc3987_syntax' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False", "jsonschema imported rfc3987_syntax: keep jsonschema<4.25"


def _without_make_rows(readme_name: str = "README.md") -> dict[str, tuple[str, str]]:
    """A README's one-line equivalents: {make target: (posix line, windows line)}."""
    readme = (ROOT / readme_name).read_text(encoding="utf-8")
    block = readme[readme.index("<!-- without-make:start -->"):readme.index("<!-- without-make:end -->")]
    rows = {}
    for line in block.splitlines():
        cells = [c.strip().strip("`") for c in line.strip().strip("|").split("|")]
        if len(cells) == 3 and cells[0].startswith("make "):
            rows[cells[0].removeprefix("make ")] = (cells[1], cells[2])
    return rows


def _make_commands(target: str) -> list[str]:
    """What `make TARGET` runs, from scratch (make -n -B), without the stamp bookkeeping."""
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MAKELEVEL", "MFLAGS")}  # under make test
    out = subprocess.run(["make", "--no-print-directory", "-n", "-B", target, "PYTHON=python3"], cwd=ROOT, env=env,
                         capture_output=True, text=True, check=True).stdout
    commands = []
    for line in out.splitlines():
        if line.startswith("touch "):
            continue
        commands.append(line.split(" || ", 1)[-1].replace(" --quiet", "").replace("'", '"'))
    return commands


@pytest.mark.parametrize(("readme", "target"), [("README.md", "lab"), ("README.md", "test"),
                                                ("README.zh.md", "lab-zh"), ("README.zh.md", "test")])
def test_readme_one_liners_without_make_run_what_make_runs(readme, target):
    rows = _without_make_rows(readme)
    assert target in rows, f"{readme}'s table of commands without make has no `make {target}` row"
    posix, windows = rows[target]
    assert posix.split(" && ") == _make_commands(target)
    as_posix = windows.replace("py -m venv", "python3 -m venv").replace(".venv\\Scripts\\", ".venv/bin/")
    assert as_posix == posix, "the Windows line must be the Linux one with Windows paths"


def test_the_english_and_chinese_readmes_link_each_other_and_the_chinese_one_starts_the_chinese_edition():
    english = (ROOT / "README.md").read_text(encoding="utf-8")
    chinese = (ROOT / "README.zh.md").read_text(encoding="utf-8")
    assert "](README.zh.md)" in english, "README.md must link the Chinese README"
    assert "](README.md)" in chinese, "README.zh.md must link back to the English README"
    first_block = re.search(r"^```[^\n]*\n(.*?)^```", chinese, flags=re.S | re.M).group(1)
    commands = [line.split("#")[0].strip() for line in first_block.splitlines()]
    assert "make lab-zh" in commands and "make test" in commands, (
        f"README.zh.md's first code block must start the Chinese edition with make lab-zh and make test: {commands}"
    )


# What .gitignore may hide: build outputs, environments and caches, never a file the course or CI reads.
GENERATED = {".hypothesis", ".pytest_cache", ".ruff_cache", ".venv", ".venv-instructor", ".venv-site",
             "cnn_helpers.egg-info", "deploy/node_modules", "site/node_modules", "test-artifacts", "student",
             "build", "dist", ".bench", "site/_build"}


def test_gitignore_hides_only_generated_files():
    """A clean clone (CI, a student's) has every file this tree has, except generated ones.

    An unanchored ``student/`` pattern once hid ``deploy/jupyter/student/``: the hub test passed
    here and failed on CI's clone, whose students' servers had no nbgrader settings.
    """
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    listed = subprocess.run(["git", "ls-files", "--others", "--ignored", "--exclude-standard", "--directory"],
                            cwd=ROOT, capture_output=True, text=True, check=True).stdout.split("\n")
    hidden = [path.rstrip("/") for path in listed if path and "__pycache__" not in path and not path.endswith(".pyc")]
    unexpected = [path for path in hidden if not any(path == g or path.startswith(g + "/") for g in GENERATED)]
    assert not unexpected, f"ignored by .gitignore but not generated: {unexpected}; anchor the pattern or commit them"

"""The course installs into an environment that already has other numpy and matplotlib, and runs there.

A student on Colab, a conda environment or a hub image already has torch, numpy and matplotlib.
``pip install`` of the course must keep them (pyproject.toml states ranges; the exact pins are
in constraints.txt, which only the project's own commands use), and every notebook must still
execute. This test builds such an environment from the registry: a new venv with the lowest
numpy and matplotlib that pyproject.toml allows, plus the torch on this machine's disk, then
installs the course package into it without the lock, checks that no version changed, and
executes every notebook in that venv's kernel.

It downloads and installs about 150 packages and runs the course once (3 to 4 minutes), so
``make test`` skips it and ``make test-elsewhere`` (which CI runs) runs it; it skips itself
with the reason when the package registry cannot be reached.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# The lowest numpy and matplotlib pyproject.toml admits, so that its lower bounds are tested, not only
# claimed; with the mlxtend of that time, as on Colab, which ships mlxtend. (mlxtend 0.25 itself needs
# numpy >= 2.3.5 and matplotlib >= 3.10.8, so an environment without mlxtend gets those.)
EXISTING = {"numpy": "1.26.4", "matplotlib": "3.8.4", "mlxtend": "0.23.4"}
TORCH = "2.13.0"  # the CPU wheel on this machine's disk; another torch would be a several-GB download
ENABLE = "CNN_COURSE_TEST_ELSEWHERE"

pytestmark = pytest.mark.skipif(
    os.environ.get(ENABLE) != "1",
    reason=f"installs numpy {EXISTING['numpy']}, matplotlib {EXISTING['matplotlib']} and mlxtend {EXISTING['mlxtend']} "
           "from the registry into a new venv and runs every notebook there (3-4 minutes): `make test-elsewhere` "
           "runs it, and CI does",
)


def _pip(python: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(python), "-m", "pip", *args], capture_output=True, text=True)


def _registry_reachable(python: Path, tmp: Path) -> bool:
    """pip can fetch one small file from the package registry (false offline)."""
    probe = _pip(python, "download", "--no-deps", "--dest", str(tmp / "probe"), "--timeout", "15", "six")
    return probe.returncode == 0


def _versions(python: Path) -> dict[str, str]:
    code = ("from importlib.metadata import version; "
            "print(*(version(n) for n in ('numpy', 'matplotlib', 'mlxtend', 'torch')))")
    out = subprocess.run([str(python), "-c", code], capture_output=True, text=True, check=True).stdout.split()
    return {"numpy": out[0], "matplotlib": out[1], "mlxtend": out[2], "torch": out[3].split("+")[0]}


EXECUTE = textwrap.dedent("""
    import sys
    from pathlib import Path

    import nbformat
    from nbclient import NotebookClient

    for path in sys.argv[1:]:
        notebook = nbformat.read(path, as_version=4)
        NotebookClient(notebook, timeout=300, kernel_name="python3",
                       resources={"metadata": {"path": str(Path(path).parent)}}).execute()
        print("executed", Path(path).name, flush=True)
""")


def test_installs_beside_other_numpy_and_matplotlib_and_every_notebook_runs(tmp_path):
    venv = tmp_path / "existing"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    if not _registry_reachable(python, tmp_path):
        pytest.skip("the package registry cannot be reached (offline): nothing to install from")

    existing = [f"{name}=={version}" for name, version in EXISTING.items()]
    result = _pip(python, "install", "--quiet", f"torch=={TORCH}", *existing)
    assert result.returncode == 0, result.stderr[-3000:]
    before = _versions(python)
    assert before == {**EXISTING, "torch": TORCH}

    # A copy of the course as a user gets it; pip builds and installs it (not editable, no lock).
    source = tmp_path / "course"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(".git", ".venv*", "build", "student", "*.egg-info",
                                                                "__pycache__", ".pytest_cache", ".hypothesis"))
    result = _pip(python, "install", "--quiet", str(source))
    assert result.returncode == 0, result.stderr[-3000:]
    assert _versions(python) == before, "installing the course replaced a version the environment already had"

    notebooks = sorted(str(p) for p in (source / "notebooks").glob("*.ipynb"))
    assert len(notebooks) >= 7
    run = subprocess.run([str(python), "-c", EXECUTE, *notebooks], capture_output=True, text=True,
                         cwd=tmp_path, env={**os.environ, "PYTHONPATH": ""})
    assert run.returncode == 0, f"{run.stdout[-2000:]}\n{run.stderr[-6000:]}"
    assert run.stdout.count("executed ") == len(notebooks)

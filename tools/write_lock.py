"""Write constraints.txt: the exact versions of .venv and .venv-instructor, the ones that made the stored outputs.

Usage: python tools/write_lock.py .venv .venv-instructor .venv-site   (``make lock``)

pyproject.toml states compatible ranges, so the package installs into environments that
already hold other versions (Colab, a hub image, conda). The project's own commands (make,
CI, environment.yml) install through this file with ``pip install -c constraints.txt``,
which reproduces the environment that wrote the notebooks' stored outputs. A local version
label (torch's ``+cpu``) is dropped: ``torch==2.13.0`` matches the CPU wheel here and the
platform's own wheel elsewhere. tests/test_packaging.py fails when the two files drift apart.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEADER = """\
# The exact versions that reproduce the stored notebook outputs (written by `make lock`, i.e.
# tools/write_lock.py, from .venv, .venv-instructor and .venv-site). make, CI and environment.yml install with
# `pip install -c constraints.txt ...`; pyproject.toml keeps compatible ranges for other environments.
# jsonschema stays below 4.25 here: 4.25+ compiles a grammar for a second in every process that
# imports nbformat (tests/test_packaging.py::test_importing_nbformat_compiles_no_grammar).
"""


def frozen(venv: Path) -> dict[str, str]:
    python = venv / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python")
    out = subprocess.run([str(python), "-m", "pip", "freeze", "--exclude-editable"], capture_output=True,
                         text=True, check=True).stdout
    pins = {}
    for line in out.splitlines():
        name, _, version = line.partition("==")
        if version:
            pins[name.lower().replace("_", "-")] = version.split("+")[0]
    return pins


def main(venvs: list[str]) -> None:
    if not venvs:
        sys.exit(__doc__)
    lock: dict[str, str] = {}
    for venv in map(Path, venvs):
        for name, version in frozen(venv).items():
            if lock.setdefault(name, version) != version:
                sys.exit(f"{name} is {lock[name]} in one environment and {version} in {venv}; make them agree")
    lines = [f"{name}=={version}" for name, version in sorted(lock.items())]
    (ROOT / "constraints.txt").write_text(HEADER + "\n".join(lines) + "\n")
    print(f"constraints.txt: {len(lines)} packages")


if __name__ == "__main__":
    main(sys.argv[1:])

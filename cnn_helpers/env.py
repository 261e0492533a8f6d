"""Reproducible notebook set-up and an environment check for students."""

from __future__ import annotations

import importlib.metadata
import itertools
import os
import platform
import random
from dataclasses import dataclass

from .language import pad, tr

NOTEBOOK_SEED = 0
# One thread: the notebooks' models are small, and on a 2-core machine that is also running
# something else (nbval runs two kernels at once, a student has a browser open) two OpenMP
# threads made training 15x slower here (306 vs 21 ms per batch of the course model).
NOTEBOOK_THREADS = 1


def set_seed(seed: int = NOTEBOOK_SEED, threads: int = NOTEBOOK_THREADS) -> None:
    """Seed random, NumPy and PyTorch and fix PyTorch's thread count.

    The same seed and thread count give bit-identical results on one machine; another
    thread count changes the 6th-7th significant digit, so the notebooks fix both.

    Args:
        seed: seed for ``random``, ``numpy.random`` and ``torch``.
        threads: number of intra-op threads PyTorch uses.

    Raises:
        TypeError: ``seed`` or ``threads`` is not an integer (NumPy integers are fine).
        ValueError: ``seed`` outside 0 .. 2**32 - 1 (NumPy's range), or ``threads`` < 1.

    Example:
        >>> set_seed(0)
    """
    import numpy as np
    import torch

    from ._validation import check_int

    seed = check_int(seed, "seed", minimum=0)
    if seed >= 2**32:
        raise ValueError(tr("seed must be an integer from 0 to 2**32 - 1 (NumPy's range), got {seed}", seed=seed))
    threads = check_int(threads, "threads", minimum=1)
    if threads > 1024:
        raise ValueError(tr("threads must be an integer from 1 to 1024, got {threads}; os.cpu_count() is a good choice",
                            threads=threads))

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.set_num_threads(threads)
    os.environ.setdefault("PYTHONHASHSEED", str(seed))


def default_device() -> str:
    """The best available device: ``"cuda"``, then ``"mps"``, else ``"cpu"``.

    Example:
        >>> default_device() in {"cuda", "mps", "cpu"}
        True
    """
    import torch

    if torch.cuda.is_available():
        return "cuda"
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        return "mps"
    return "cpu"


# --- 00 introduction: environment check ---

# What the course needs: the same ranges as pyproject.toml (tests/test_env.py checks they agree). The
# exact versions that wrote the stored outputs are in constraints.txt; any version in range runs the course.
REQUIREMENTS = {
    "Python": ">=3.10",
    "torch": ">=2.4,<3",
    "numpy": ">=1.26,<3",
    "matplotlib": ">=3.8,<4",
    "ipywidgets": ">=8.1,<9",
}


def _fix() -> str:
    """How to install what is missing, in the current language."""
    return tr("run `pip install -e .` in the course folder (or `make setup`), then restart the kernel")


def _release(version: str) -> tuple[int, ...]:
    """The numeric release of a version string: ``"2.13.0+cpu"`` -> ``(2, 13, 0)``."""
    numbers = []
    for part in version.split("+")[0].split("."):
        digits = "".join(itertools.takewhile(str.isdigit, part))
        if not digits:
            break
        numbers.append(int(digits))
    return tuple(numbers)


def _compare(a: tuple[int, ...], b: tuple[int, ...]) -> int:
    width = max(len(a), len(b))
    a, b = a + (0,) * (width - len(a)), b + (0,) * (width - len(b))
    return (a > b) - (a < b)


_OPERATORS = {
    "==": lambda c: c == 0, "!=": lambda c: c != 0, ">=": lambda c: c >= 0,
    "<=": lambda c: c <= 0, ">": lambda c: c > 0, "<": lambda c: c < 0,
}


def version_satisfies(version: str, requirement: str) -> bool:
    """Whether ``version`` meets every clause of ``requirement`` (e.g. ``">=8.1,<9"``).

    Only the numeric release counts: local labels such as ``+cpu`` are ignored.

    Args:
        version: an installed version, e.g. ``"2.13.0+cpu"``.
        requirement: comma-separated clauses, each an operator (``== != >= <= > <``)
            followed by a version.

    Returns:
        True when all clauses hold.

    Raises:
        TypeError: ``version`` or ``requirement`` is not a string.
        ValueError: a clause without an operator this function knows or without a version
            number after it, or a ``version`` without a number.

    Example:
        >>> version_satisfies("2.13.0+cpu", "==2.13.0")
        True
        >>> version_satisfies("9.0.1", ">=8.1,<9")
        False
    """
    for name, value in (("version", version), ("requirement", requirement)):
        if not isinstance(value, str):
            raise TypeError(tr("{name} must be a string like '2.13.0' or '>=8.1,<9', got {value!r}", name=name,
                               value=value))
    if not _release(version):
        raise ValueError(tr("version {version!r} has no version number; give one like '2.13.0'", version=version))
    for clause in requirement.replace(" ", "").split(","):
        operator = next((op for op in ("==", "!=", ">=", "<=", ">", "<") if clause.startswith(op)), None)
        if operator is None:
            raise ValueError(
                tr("requirement clause {clause!r} has no operator; start it with one of == != >= <= > <", clause=clause)
            )
        if not _release(clause[len(operator):]):
            raise ValueError(tr("requirement clause {clause!r} has no version number after {operator}; "
                                "write it like '{operator}2.13'", clause=clause, operator=operator))
        if not _OPERATORS[operator](_compare(_release(version), _release(clause[len(operator):]))):
            return False
    return True


@dataclass(frozen=True)
class PackageCheck:
    """One line of the environment check: what is needed and what was found.

    Attributes:
        name: ``"Python"`` or a package's distribution name.
        required: the version requirement, e.g. ``"==2.13.0"``.
        found: the installed version, or None when the package is missing.
    """

    name: str
    required: str
    found: str | None

    @property
    def ok(self) -> bool:
        return self.found is not None and version_satisfies(self.found, self.required)

    @property
    def problem(self) -> str | None:
        """A plain sentence saying what is wrong and how to fix it; None when all is well."""
        if self.found is None:
            return tr("{name} is missing; the course needs {name} {required}: {fix}.", name=self.name,
                      required=self.required, fix=_fix())
        if not self.ok:
            return tr("{name} {found} is installed but the course needs {name} {required}: {fix}.", name=self.name,
                      found=self.found, required=self.required, fix=_fix())
        return None


@dataclass(frozen=True)
class EnvironmentReport:
    """The result of :func:`environment_report`; ``print(report)`` shows the full table.

    Attributes:
        checks: one :class:`PackageCheck` per requirement, Python first.
        device: where PyTorch computes (``"cuda"``, ``"mps"`` or ``"cpu"``), or a note
            when PyTorch is missing.
    """

    checks: tuple[PackageCheck, ...]
    device: str

    @property
    def ok(self) -> bool:
        return all(check.ok for check in self.checks)

    @property
    def problems(self) -> list[str]:
        return [check.problem for check in self.checks if check.problem is not None]

    @property
    def summary(self) -> str:
        """One stable line when all is well (it shows requirements, not machine details)."""
        if not self.ok:
            return tr("Not ready yet:\n{problems}", problems="\n".join(f"- {p}" for p in self.problems))
        needed = ", ".join(f"{c.name} {c.required}" for c in self.checks)
        return tr("All good: {needed}.", needed=needed)

    def __str__(self) -> str:
        rows = [pad("", 12) + pad(tr("found"), 14) + tr("needed")]
        for c in self.checks:
            status = tr("ok") if c.ok else tr("PROBLEM")
            rows.append(pad(c.name, 12) + pad(c.found or tr("missing"), 14) + pad(c.required, 12) + status)
        rows.append(pad(tr("device"), 12) + self.device)
        return "\n".join(rows + [self.summary])


def _installed_version(name: str) -> str | None:
    if name == "Python":
        return platform.python_version()
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


def environment_report() -> EnvironmentReport:
    """Check Python and the packages the course needs, and where PyTorch will compute.

    Returns:
        An :class:`EnvironmentReport`: ``report.ok`` is True when everything is installed at
        the right version; ``report.problems`` lists plain sentences saying what is missing
        or the wrong version and how to fix it; ``print(report)`` shows the full table.

    Example:
        >>> report = environment_report()
        >>> [check.name for check in report.checks]
        ['Python', 'torch', 'numpy', 'matplotlib', 'ipywidgets']
        >>> report.ok == (report.problems == [])
        True
    """
    checks = tuple(PackageCheck(name, required, _installed_version(name))
                   for name, required in REQUIREMENTS.items())
    torch_check = next(c for c in checks if c.name == "torch")
    device = default_device() if torch_check.found is not None else tr("unknown (PyTorch is missing)")
    return EnvironmentReport(checks, device)

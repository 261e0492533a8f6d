import importlib.metadata
from pathlib import Path

import numpy as np
import pytest
import tomllib
import torch

from cnn_helpers import env
from cnn_helpers.env import REQUIREMENTS, default_device, environment_report, set_seed, version_satisfies


def test_set_seed_makes_numpy_and_torch_reproducible():
    set_seed(3, threads=1)
    a = (np.random.rand(3), torch.rand(3))
    set_seed(3, threads=1)
    b = (np.random.rand(3), torch.rand(3))
    assert np.array_equal(a[0], b[0]) and torch.equal(a[1], b[1])
    assert torch.get_num_threads() == 1


def test_default_device_falls_back_to_cpu(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: False)
    assert default_device() == "cpu"
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert default_device() == "cuda"


# --- 00 introduction: environment_report ---



def test_requirements_match_pyproject():
    pyproject = tomllib.loads((Path(__file__).resolve().parents[1] / "pyproject.toml").read_text())
    deps = {d.split("=")[0].split(">")[0].split("<")[0]: d for d in pyproject["project"]["dependencies"]}
    for name, required in REQUIREMENTS.items():
        if name == "Python":
            assert pyproject["project"]["requires-python"] == required
        else:
            assert sorted(deps[name][len(name):].split(",")) == sorted(required.split(","))


@pytest.mark.parametrize(
    ("version", "requirement", "expected"),
    [
        ("2.13.0+cpu", "==2.13.0", True),
        ("2.13.1", "==2.13.0", False),
        ("2.13", "==2.13.0", True),
        ("8.1.9", ">=8.1,<9", True),
        ("8.0.6", ">=8.1,<9", False),
        ("9.0.0", ">=8.1,<9", False),
        ("3.10.2", ">=3.10", True),
        ("3.9.18", ">=3.10", False),
        ("1.2rc1", "!=1.3", True),
    ],
)
def test_version_satisfies(version, requirement, expected):
    assert version_satisfies(version, requirement) is expected


def test_version_satisfies_rejects_a_clause_without_operator():
    with pytest.raises(ValueError, match=r"clause '2.13.0' has no operator; start it with one of"):
        version_satisfies("2.13.0", "2.13.0")


def test_report_on_this_environment_is_all_good():
    report = environment_report()
    assert report.ok and report.problems == []
    assert [c.name for c in report.checks] == list(REQUIREMENTS)
    assert report.device == default_device()
    # The summary shows requirements only, so nbval sees the same line on every good machine.
    assert report.summary == (
        "All good: Python >=3.10, torch >=2.4,<3, numpy >=1.26,<3, matplotlib >=3.8,<4, ipywidgets >=8.1,<9."
    )
    assert f"torch       {importlib.metadata.version('torch')}" in str(report)


def _fake_versions(monkeypatch, **versions):
    real = env._installed_version
    monkeypatch.setattr(env, "_installed_version", lambda name: versions.get(name, real(name)))


def test_report_names_a_missing_package_and_the_fix(monkeypatch):
    _fake_versions(monkeypatch, ipywidgets=None)
    report = environment_report()
    assert not report.ok
    assert report.problems == [
        "ipywidgets is missing; the course needs ipywidgets >=8.1,<9: run `pip install -e .` in the course "
        "folder (or `make setup`), then restart the kernel."
    ]
    assert report.summary.startswith("Not ready yet:\n- ipywidgets is missing")
    assert "ipywidgets  missing" in str(report) and "PROBLEM" in str(report)


def test_report_names_a_wrong_version(monkeypatch):
    _fake_versions(monkeypatch, numpy="1.25.2", Python="3.9.1")
    report = environment_report()
    assert report.problems[0].startswith("Python 3.9.1 is installed but the course needs Python >=3.10")
    assert report.problems[1].startswith("numpy 1.25.2 is installed but the course needs numpy >=1.26,<3")
    assert len(report.problems) == 2


def test_report_without_torch_does_not_ask_torch_for_the_device(monkeypatch):
    _fake_versions(monkeypatch, torch=None)
    monkeypatch.setattr(env, "default_device", lambda: pytest.fail("torch is missing; must not be asked"))
    report = environment_report()
    assert report.device == "unknown (PyTorch is missing)"
    assert report.problems[0].startswith("torch is missing")


def test_installed_version_of_an_absent_package_is_none():
    assert env._installed_version("no-such-package-for-the-course") is None
    assert env._installed_version("numpy") == importlib.metadata.version("numpy")


@pytest.mark.parametrize(("args", "error", "match"), [
    ((0, 0), ValueError, "threads must be an integer >= 1, got 0"),
    ((-1,), ValueError, "seed must be an integer >= 0, got -1"),
    ((2**32,), ValueError, r"seed must be an integer from 0 to 2\*\*32 - 1 \(NumPy's range\), got 4294967296"),
    (("0",), TypeError, "seed must be an integer, got '0'"),
    ((0, 1.5), TypeError, "threads must be an integer, got 1.5"),
])
def test_set_seed_names_a_bad_seed_or_thread_count(args, error, match):
    import torch

    threads = torch.get_num_threads()
    with pytest.raises(error, match=match):
        set_seed(*args)
    assert torch.get_num_threads() == threads  # refused before anything changed


def test_set_seed_takes_numpy_ints():
    import numpy as np
    import torch

    threads = torch.get_num_threads()
    set_seed(np.int64(3), np.int64(threads))
    first = torch.rand(2)
    set_seed(3, threads)
    assert torch.equal(first, torch.rand(2))


@pytest.mark.parametrize(("version", "requirement", "error", "match"), [
    ("2.13.0", ">=abc", ValueError, r"requirement clause '>=abc' has no version number after >=; write it like "
                                    r"'>=2.13'"),
    ("2.13.0", "==", ValueError, "requirement clause '==' has no version number"),
    ("abc", ">=1.0", ValueError, "version 'abc' has no version number; give one like '2.13.0'"),
    (2.13, ">=1.0", TypeError, "version must be a string like '2.13.0'"),
    ("2.13.0", None, TypeError, "requirement must be a string like"),
])
def test_version_satisfies_refuses_what_it_cannot_compare(version, requirement, error, match):
    with pytest.raises(error, match=match):
        version_satisfies(version, requirement)

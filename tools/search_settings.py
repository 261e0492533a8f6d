"""The training-settings search behind ``COURSE_SETTINGS["bundled"]``, measured on validation data.

Usage:
    python tools/search_settings.py search   # candidate settings x seeds; writes docs/settings_search.md
    python tools/search_settings.py band     # the chosen settings x seeds x CPU kernel paths; same file

Every run trains the course model (``SeedCNN``) on the 3,500 bundled training digits and
reads its accuracy on the 500 validation digits; the 1,000 test digits are never looked at
here (notebook 06 measures them once, at the end). ``search`` compares candidate settings
over seeds 0, 1, 2; ``band`` repeats the chosen settings over more seeds and under each
``ATEN_CPU_CAPABILITY`` kernel path, which is the band notebook 06 asserts its live run in.
Each kernel path needs its own process (PyTorch reads the variable once, at import).

With 500 validation digits, one accuracy has a standard error of about
sqrt(0.98 * 0.02 / 500) = 0.6 points: differences smaller than that between settings are noise.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REPORT = ROOT / "docs" / "settings_search.md"
EPOCHS = 8
SEEDS = (0, 1, 2)
BAND_SEEDS = (0, 1, 2, 3, 4)
CPU_PATHS = ("default", "avx2", "avx512")

# One change at a time from the chosen settings, plus MorvanZhou's 401_CNN.py loop (Adam 1e-3,
# batch 50, constant rate, no shifts) run for the same 8 epochs as the baseline.
CANDIDATES = {
    "plain loop (401_CNN.py: batch 50, lr 1e-3, constant, no shift)":
        {"batch_size": 50, "lr": 1e-3, "max_shift": 0, "schedule": "constant"},
    "chosen: batch 64, lr 4e-3, one cycle, shift 1":
        {"batch_size": 64, "lr": 4e-3, "max_shift": 1, "schedule": "onecycle"},
    "lr 2e-3": {"batch_size": 64, "lr": 2e-3, "max_shift": 1, "schedule": "onecycle"},
    "lr 8e-3": {"batch_size": 64, "lr": 8e-3, "max_shift": 1, "schedule": "onecycle"},
    "batch 128": {"batch_size": 128, "lr": 4e-3, "max_shift": 1, "schedule": "onecycle"},
    "no shift": {"batch_size": 64, "lr": 4e-3, "max_shift": 0, "schedule": "onecycle"},
    "shift 2": {"batch_size": 64, "lr": 4e-3, "max_shift": 2, "schedule": "onecycle"},
    "constant rate": {"batch_size": 64, "lr": 4e-3, "max_shift": 1, "schedule": "constant"},
}


def run_jobs(jobs: list[dict]) -> list[float]:
    """Train once per job ({"settings", "seed"}) in this process; the final validation accuracies."""
    from cnn_helpers.data import load_mnist
    from cnn_helpers.env import set_seed
    from cnn_helpers.model import SeedCNN
    from cnn_helpers.train import fit

    train, validation, _ = load_mnist()
    accuracies = []
    for job in jobs:
        set_seed(job["seed"])
        model = SeedCNN()
        history = fit(model, train, validation, epochs=EPOCHS, device="cpu", progress=False, live_plot=False,
                      **job["settings"])
        accuracies.append(history.validation_accuracy[-1])
    return accuracies


def in_subprocess(jobs: list[dict], cpu_path: str | None = None) -> list[float]:
    env = dict(os.environ)
    if cpu_path is not None:
        env["ATEN_CPU_CAPABILITY"] = cpu_path
    out = subprocess.run([sys.executable, __file__, "worker"], input=json.dumps(jobs), env=env, cwd=ROOT,
                         capture_output=True, text=True, check=True).stdout
    return json.loads(out.splitlines()[-1])


def _cell(values: list[float]) -> str:
    mean = statistics.mean(values)
    return (f"{100 * mean:.1f}% | {100 * min(values):.1f}-{100 * max(values):.1f}% | "
            + ", ".join(f"{100 * v:.1f}" for v in values))


def search() -> str:
    rows = ["| settings (8 epochs) | mean | range | per seed 0, 1, 2 |", "|---|---|---|---|"]
    for name, settings in CANDIDATES.items():
        accuracies = in_subprocess([{"settings": settings, "seed": s} for s in SEEDS])
        rows.append(f"| {name} | {_cell(accuracies)} |")
        print(rows[-1], flush=True)
    return "\n".join(rows)


def band() -> str:
    from cnn_helpers.train import COURSE_SETTINGS

    settings = {k: v for k, v in COURSE_SETTINGS["bundled"].items() if k != "epochs"}
    rows = [f"| kernel path | mean | range | per seed {', '.join(map(str, BAND_SEEDS))} |", "|---|---|---|---|"]
    every = []
    for path in CPU_PATHS:
        accuracies = in_subprocess([{"settings": settings, "seed": s} for s in BAND_SEEDS], path)
        every += accuracies
        rows.append(f"| `ATEN_CPU_CAPABILITY={path}` | {_cell(accuracies)} |")
        print(rows[-1], flush=True)
    rows.append(f"| all {len(every)} runs | {_cell(every)[: _cell(every).rindex('|')]}| |")
    return "\n".join(rows)


def write_section(name: str, table: str) -> None:
    import platform

    import torch

    REPORT.parent.mkdir(exist_ok=True)
    text = REPORT.read_text() if REPORT.exists() else (
        "# Training settings of the bundled set, chosen on validation data\n\n"
        "Written by `python tools/search_settings.py search` and `... band`. The course model, trained "
        "on the 3,500 bundled training digits; the accuracy is on the 500 validation digits (standard "
        "error of one run about 0.6 points). The test digits are not used here.\n")
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor()) if Path("/proc/cpuinfo").exists() else ""
    block = (f"{start}\nMeasured on {cpu}, torch {torch.__version__}, 1 thread, "
             f"native kernel path {torch.backends.cpu.get_cpu_capability()}.\n\n{table}\n{end}")
    if start in text:
        text = text[: text.index(start)] + block + text[text.index(end) + len(end):]
    else:
        text = text.rstrip("\n") + f"\n\n## {name}\n\n{block}\n"
    REPORT.write_text(text)


def main() -> None:
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    if command == "worker":
        print(json.dumps(run_jobs(json.loads(sys.stdin.read()))))
    elif command in ("search", "band"):
        write_section(command, search() if command == "search" else band())
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()

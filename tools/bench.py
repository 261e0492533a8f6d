"""`make bench`: one table of medians and ratios, all measured in this one run.

Usage: python tools/bench.py [--repeats N] [--quick] [--update-readme]

Rows: each notebook's execution time in a fresh kernel and the whole course's; each
explorer's update latency server-side (slider value set -> figure and numbers updated) and
in the browser (key press -> picture changed); `fit` throughput against a bare PyTorch loop
of the same model and batches; the im2col convolution against F.conv2d and the loop
convolution against im2col; `import cnn_helpers` on top of `import torch`. Each row shows
its floor and whether it holds; the exit status is 1 when a floor fails. Times are medians
over repeats (this machine is shared and noisy: compare ratios measured side by side).
"""

from __future__ import annotations

import argparse
import inspect
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
sys.path.insert(0, str(ROOT / "tests"))


@dataclass
class Row:
    what: str
    value: float
    unit: str
    floor: str = ""
    ok: bool | None = None

    def cells(self) -> list[str]:
        shown = f"{self.value:.3g}" if self.unit != "s" or self.value < 10 else f"{self.value:.1f}"
        verdict = {True: "ok", False: "FAILS", None: ""}[self.ok]
        return [self.what, f"{shown} {self.unit}".strip(), self.floor, verdict]


def median_time(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


# --- notebooks -------------------------------------------------------------------------


def bench_notebooks(repeats: int) -> list[Row]:
    from execute_notebooks import execute

    notebooks = sorted((ROOT / "notebooks").glob("*.ipynb"))
    per_notebook = {nb.name: [] for nb in notebooks}
    totals = []
    for _ in range(repeats):
        with tempfile.TemporaryDirectory() as tmp:  # never touch the committed notebooks
            copies = []
            for nb in notebooks:
                shutil.copy(nb, Path(tmp) / nb.name)
                copies.append(Path(tmp) / nb.name)
            total = 0.0
            for copy in copies:
                seconds = execute(copy)
                per_notebook[copy.name].append(seconds)
                total += seconds
            totals.append(total)
    rows = []
    for name, times in per_notebook.items():
        floor = 60 if name.startswith("06") else 20
        rows.append(Row(f"notebook {name}", statistics.median(times), "s", f"<= {floor} s",
                        statistics.median(times) <= floor))
    rows.append(Row("whole course, fresh kernels", statistics.median(totals), "s", "<= 120 s",
                    statistics.median(totals) <= 120))
    return rows


# --- explorers -------------------------------------------------------------------------


def make_explorers() -> dict:
    """Every `*_explorer` factory of cnn_helpers.widgets, built as a student would build it."""
    from cnn_helpers import widgets

    explorers = {}
    for name, factory in inspect.getmembers(widgets, inspect.isfunction):
        # The explorers live in the submodules of cnn_helpers.widgets (one per notebook).
        if not name.endswith("_explorer") or not factory.__module__.startswith(widgets.__name__ + "."):
            continue
        required = [p for p in inspect.signature(factory).parameters.values()
                    if p.default is inspect.Parameter.empty and p.kind is p.POSITIONAL_OR_KEYWORD]
        if {p.name for p in required} <= {"model", "dataset"}:
            kwargs = {}
            if required:
                from cnn_helpers.data import load_mnist
                from cnn_helpers.model import SeedCNN

                kwargs = {"model": SeedCNN(), "dataset": load_mnist().test}
                kwargs = {p.name: kwargs[p.name] for p in required}
            explorers[name] = lambda factory=factory, kwargs=kwargs: factory(**kwargs)
    return explorers


def slider_values(control) -> list:
    """Up to 6 values across a control's range, ending where it started."""
    start = control.value
    if hasattr(control, "options") and control.options:
        options = [o[1] if isinstance(o, tuple) else o for o in control.options]
        values = options[:: max(1, len(options) // 6)]
    elif hasattr(control, "min") and hasattr(control, "max"):
        step = getattr(control, "step", 1) or 1
        n = int(round((control.max - control.min) / step))
        values = [control.min + step * round(k * n / 5) for k in range(6)]
    else:
        return []
    return [v for v in values if v != start] + [start]


def bench_explorers_server(explorers: dict) -> list[Row]:
    rows = []
    for name, build in explorers.items():
        explorer = build()
        times = []
        for control in explorer.controls.values():
            for value in slider_values(control):
                start = time.perf_counter()
                control.value = value  # observers run synchronously: this includes the redraw
                times.append((time.perf_counter() - start) * 1e3)
        median = statistics.median(times)
        rows.append(Row(f"{name}: slider move -> figure updated (server, {len(times)} moves)", median, "ms",
                        "<= 50 ms", median <= 50))
    return rows


BROWSER_MOVE_JS = """
async ([explorer, index]) => {
    const handle = explorer.querySelectorAll('.noUi-handle')[index];
    const pictures = () => [...explorer.querySelectorAll('img')].map(i => i.src).join('|');
    const before = pictures();
    const atMax = handle.getAttribute('aria-valuenow') === handle.getAttribute('aria-valuemax');
    const changed = new Promise(resolve => {
        const observer = new MutationObserver(() => {
            if (pictures() !== before) { observer.disconnect(); resolve(performance.now()); }
        });
        observer.observe(explorer, {subtree: true, attributes: true, attributeFilter: ['src']});
        setTimeout(() => { observer.disconnect(); resolve(null); }, 10000);
    });
    const start = performance.now();
    handle.dispatchEvent(new KeyboardEvent('keydown', {key: atMax ? 'ArrowLeft' : 'ArrowRight', bubbles: true}));
    const end = await changed;
    return end === null ? null : end - start;
}
"""


def bench_explorers_browser(explorer_names: list[str], moves: int) -> list[Row]:
    from browser_lab import CHROMIUM, CHROMIUM_ARGS, Lab, open_notebook, run_all

    if not Path(CHROMIUM).exists():
        return [Row(f"browser latency skipped: {CHROMIUM} missing (apt-get install chromium)", float("nan"), "")]
    import nbformat
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        book = nbformat.v4.new_notebook()
        book.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        book.cells = [nbformat.v4.new_code_cell("from bench import make_explorers\nexplorers = make_explorers()")]
        book.cells += [nbformat.v4.new_code_cell(f"explorers[{name!r}]()") for name in explorer_names]
        work = Path(tmp) / "work"
        shutil.copytree(ROOT / "notebooks", work / "notebooks")
        nbformat.write(book, work / "notebooks" / "bench_explorers.ipynb")
        os.environ["PYTHONPATH"] = os.pathsep.join([str(ROOT / "tools"), os.environ.get("PYTHONPATH", "")])
        lab = Lab(Path(tmp), notebooks=work / "notebooks")
        rows = []
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
                page = open_notebook(lab, browser, "bench_explorers.ipynb")
                run_all(page)
                page.wait_for_timeout(1000)
                explorers = page.locator(".cnn-explorer")
                for index, name in enumerate(explorer_names):
                    element = explorers.nth(index).element_handle()
                    times = []
                    for _ in range(moves):
                        ms = page.evaluate(BROWSER_MOVE_JS, [element, 0])
                        if ms is not None:
                            times.append(ms)
                        page.wait_for_timeout(150)
                    median = statistics.median(times) if times else float("inf")
                    rows.append(Row(f"{name}: key press -> picture changed (browser, {len(times)}/{moves} moves)",
                                    median, "ms", "<= 150 ms", median <= 150))
                browser.close()
        finally:
            lab.stop()
    return rows


# --- training and convolution ----------------------------------------------------------


def bench_fit(repeats: int) -> list[Row]:
    from cnn_helpers.data import load_mnist
    from cnn_helpers.env import set_seed
    from cnn_helpers.model import SeedCNN
    from cnn_helpers.train import COURSE_SETTINGS, compare_fit_throughput, fit

    result = compare_fit_throughput()
    train, validation, _ = load_mnist()

    def notebook_training() -> None:  # notebook 06's training cell, without the bar and the plot
        set_seed()
        fit(SeedCNN(), train, validation, progress=False, live_plot=False, **COURSE_SETTINGS["bundled"])

    seconds = median_time(notebook_training, repeats)
    return [
        Row("fit throughput / bare PyTorch loop (same model and batches)", result.ratio, "x", ">= 0.95",
            result.ratio >= 0.95),
        Row("notebook 06's training: 8 epochs of 3,500 digits, validation after each", seconds, "s", "<= 30 s",
            seconds <= 30),
    ]


def bench_convolution(repeats: int) -> list[Row]:
    import numpy as np
    import torch
    import torch.nn.functional as F
    from threadpoolctl import threadpool_limits

    from cnn_helpers.from_scratch import conv2d, conv2d_loop

    rng = np.random.default_rng(0)
    x = rng.standard_normal((8, 16, 28, 28)).astype(np.float32)  # (N, C_in, H, W)
    w = rng.standard_normal((32, 16, 5, 5)).astype(np.float32)  # (C_out, C_in, kH, kW)
    xt, wt = torch.from_numpy(x), torch.from_numpy(w)
    # Both on one thread (PyTorch's and NumPy's BLAS): a fair ratio on a shared machine.
    with threadpool_limits(1):
        t_torch = median_time(lambda: F.conv2d(xt, wt, padding=2), repeats * 10)
        t_im2col = median_time(lambda: conv2d(x, w, padding=2), repeats * 10)
        small_x, small_w = x[:1, :4, :14, :14], w[:8, :4]
        t_loop = median_time(lambda: conv2d_loop(small_x, small_w, padding=2), repeats)
        t_im2col_small = median_time(lambda: conv2d(small_x, small_w, padding=2), repeats * 10)
    return [
        Row("im2col conv2d / F.conv2d, (8,16,28,28) * (32,16,5,5)", t_im2col / t_torch, "x", "<= 5",
            t_im2col / t_torch <= 5),
        Row("loop conv2d / im2col conv2d, (1,4,14,14) * (8,4,5,5)", t_loop / t_im2col_small, "x"),
    ]


def bench_import(repeats: int) -> list[Row]:
    """Both imports timed inside one fresh interpreter each run: torch, then the core modules.

    Timing the second import after the first in the same process measures exactly what
    cnn_helpers adds on top of torch, without the interpreter's start-up noise (timing two
    separate processes and subtracting gave negative numbers on a busy machine).
    """
    core = ("cnn_helpers", "cnn_helpers.receptive_field", "cnn_helpers.model", "cnn_helpers.data",
            "cnn_helpers.from_scratch", "cnn_helpers.train", "cnn_helpers.exercises")
    code = ("import time; t0 = time.perf_counter(); import torch; t1 = time.perf_counter(); "
            f"import {', '.join(core)}; t2 = time.perf_counter(); print(t1 - t0, t2 - t1)")

    def once() -> tuple[float, float]:
        out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
        torch_s, added_s = map(float, out.split())
        return torch_s, added_s

    once()  # warms the file cache
    runs = [once() for _ in range(2 * repeats + 1)]
    t_torch = statistics.median(a for a, _ in runs)
    added = statistics.median(b for _, b in runs)
    return [
        Row("import torch", t_torch, "s"),
        Row("import cnn_helpers (core modules) on top of torch", added, "s", "<= 0.3 s", added <= 0.3),
    ]


# --- report ----------------------------------------------------------------------------


def bench_site(repeats: int) -> list[Row]:
    """make site from scratch (tools/build_site.py in .venv-site); left out where make site was never set up."""
    python = ROOT / ".venv-site" / "bin" / "python"
    if not python.exists():
        print("site: .venv-site is missing (make site sets it up); not measured", file=sys.stderr)
        return []
    times = []
    with tempfile.TemporaryDirectory() as out:
        for _ in range(repeats):
            start = time.perf_counter()
            subprocess.run([str(python), str(ROOT / "tools" / "build_site.py"), "--out", out], check=True,
                           capture_output=True)
            times.append(time.perf_counter() - start)
    median = statistics.median(times)
    return [Row("make site: the whole website from stored outputs", median, "s", "<= 60 s", median <= 60)]


def table(rows: list[Row]) -> str:
    header = ["measurement (median)", "value", "floor", ""]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(r.cells()) + " |" for r in rows]
    return "\n".join(lines)


def machine() -> str:
    import torch

    cpu = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    model = re.search(r"model name\s*:\s*(.*)", cpuinfo.read_text()) if cpuinfo.exists() else None
    return (f"{model.group(1) if model else cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, "
            f"torch {torch.__version__}, {torch.get_num_threads()} torch threads, {time.strftime('%Y-%m-%d')}")


def update_readme(text: str) -> None:
    readme = ROOT / "README.md"
    content = readme.read_text()
    start, end = "<!-- bench:start -->", "<!-- bench:end -->"
    block = f"{start}\n{text}\n{end}"
    if start in content:
        content = re.sub(re.escape(start) + ".*?" + re.escape(end), lambda _: block, content, flags=re.S)
    else:
        content += f"\n## Benchmarks (`make bench`)\n\n{block}\n"
    readme.write_text(content)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="repeats per measurement (median reported)")
    parser.add_argument("--quick", action="store_true", help="notebooks once, no browser")
    parser.add_argument("--update-readme", action="store_true", help="write the table into README.md")
    args = parser.parse_args(argv)
    from cnn_helpers.env import set_seed

    set_seed()
    rows = bench_notebooks(1 if args.quick else args.repeats)
    explorers = make_explorers()
    rows += bench_explorers_server(explorers)
    if not args.quick:
        rows += bench_explorers_browser(list(explorers), moves=5 * args.repeats)
    rows += bench_fit(args.repeats)
    rows += bench_convolution(args.repeats)
    rows += bench_import(args.repeats)
    rows += bench_site(args.repeats)
    text = f"Measured on {machine()}.\n\n{table(rows)}"
    print(text)
    if args.update_readme:
        update_readme(text)
    return 1 if any(r.ok is False for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())

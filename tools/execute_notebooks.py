"""Re-execute notebooks in place, deterministically, so stored outputs are what nbval produces.

Usage: python tools/execute_notebooks.py notebooks/*.ipynb

Each notebook runs top to bottom in a fresh kernel of the current environment, from the
notebooks/ folder, with timing metadata off, widget state stripped, printed text joined into
one output per stream and widget ids numbered (:func:`stable_outputs`): a second run writes the
same files. The notebooks' own
set-up cell seeds random, NumPy and PyTorch and fixes the thread count (cnn_helpers.env).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def stable_outputs(cell, index: int) -> None:
    """Make a cell's stored outputs independent of timing and of random ids, in place.

    The kernel flushes printed text in chunks that depend on timing: consecutive chunks of one
    stream are joined (nbval joins them too when it compares). A widget's model id is a random
    uuid, and its state is not stored: it is replaced by one numbered by cell and output.
    """
    outputs = []
    for output in cell.get("outputs", []):
        previous = outputs[-1] if outputs else None
        if (output.output_type == "stream" and previous is not None and previous.output_type == "stream"
                and previous.name == output.name):
            previous.text += output.text
            continue
        view = output.get("data", {}).get(WIDGET_VIEW)
        if view is not None:
            view["model_id"] = f"cell{index}-output{len(outputs)}"
        outputs.append(output)
    if "outputs" in cell:
        cell.outputs = outputs


def execute(path: Path) -> float:
    """Execute one notebook in place; return the seconds it took."""
    nb = nbformat.read(path, as_version=4)
    nb.metadata.pop("widgets", None)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    start = time.perf_counter()
    client = NotebookClient(
        nb,
        timeout=600,
        kernel_name="python3",
        record_timing=False,
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute()
    nb.metadata.pop("widgets", None)
    for index, cell in enumerate(nb.cells):
        cell.metadata.pop("execution", None)
        stable_outputs(cell, index)
    nbformat.write(nb, path)
    return time.perf_counter() - start


def main(paths: list[str]) -> int:
    os.environ["PYTHONHASHSEED"] = "0"
    os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    for p in paths:
        seconds = execute(Path(p))
        print(f"{p}: {seconds:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

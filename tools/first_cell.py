"""The set-up cell every notebook starts with (STYLE.md: the same short set-up cell at the top of each).

Usage: python tools/first_cell.py notebooks/*.ipynb   (rewrites the first code cell of each to FIRST_CELL)

Opened where the course package is not installed (Colab, a hub image, a copied notebook), the
cell stops at once with one message: the command that installs the package. Without it the
student met a ModuleNotFoundError a few cells later. tests/test_notebook_setup.py checks both.
"""

from __future__ import annotations

import sys

import nbformat


def first_cell(course_folder: str = "..") -> str:
    """The set-up cell of a notebook whose course folder (the one holding pyproject.toml) is ``course_folder``."""
    indent = " " * 30
    return "\n".join([
        "%matplotlib inline",
        "try:",
        "    from cnn_helpers.env import set_seed",
        "except ModuleNotFoundError:  # opened outside the course's environment: Colab, a hub image, a copied notebook",
        "    raise ModuleNotFoundError(\"the course package cnn_helpers is not installed in this kernel's "
        "environment. \"",
        f"{indent}\"Install it with this one command in a cell, then restart the kernel:  "
        f"%pip install -e {course_folder}\"",
        f"{indent}\"  ({course_folder} is the course folder, the one holding pyproject.toml)\") from None",
        "set_seed()  # seeds random, NumPy and PyTorch and fixes the thread count, so outputs reproduce",
    ])


INSTALL_COMMAND = "%pip install -e .."
FIRST_CELL = first_cell("..")  # notebooks/*.ipynb; notebooks/unsolved/ uses first_cell("../..")


def main(paths: list[str]) -> None:
    for path in paths:
        notebook = nbformat.read(path, as_version=4)
        first = next(cell for cell in notebook.cells if cell.cell_type == "code")
        if first.source != FIRST_CELL:
            first.source = FIRST_CELL
            nbformat.write(notebook, path)
            print("rewrote the first cell of", path)


if __name__ == "__main__":
    main(sys.argv[1:])

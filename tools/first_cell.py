"""The set-up cell every notebook starts with (STYLE.md: the same short set-up cell at the top of each).

Usage: python tools/first_cell.py notebooks/*.ipynb   (rewrites the first code cell of each to FIRST_CELL)

Opened where the course package is not installed (Colab, a hub image, a copied notebook), the
cell stops at once with one message: the command that installs the package. Without it the
student met a ModuleNotFoundError a few cells later. tests/test_notebook_setup.py checks both.
"""

from __future__ import annotations

import sys

import nbformat

INSTALL_COMMAND = "%pip install -e .."
FIRST_CELL = f'''%matplotlib inline
try:
    from cnn_helpers.env import set_seed
except ModuleNotFoundError:  # opened outside the course's environment: Colab, a hub image, a copied notebook
    raise ModuleNotFoundError("the course package cnn_helpers is not installed in this kernel's environment. "
                              "Install it with this one command in a cell, then restart the kernel:  {INSTALL_COMMAND}"
                              "  (.. is the course folder, the one holding pyproject.toml)") from None
set_seed()  # seeds random, NumPy and PyTorch and fixes the thread count, so outputs reproduce'''


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

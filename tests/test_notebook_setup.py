"""Every notebook starts with the same set-up cell, which stops with one clear message where the package is missing."""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
from first_cell import FIRST_CELL, INSTALL_COMMAND  # noqa: E402

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_first_code_cell_is_the_shared_set_up_cell(path):
    notebook = nbformat.read(path, as_version=4)
    first = next(cell for cell in notebook.cells if cell.cell_type == "code")
    assert first.source == FIRST_CELL, f"run: python tools/first_cell.py {path.relative_to(ROOT)}"


def test_without_the_package_the_first_cell_stops_with_the_install_command():
    """As on Colab or a hub image without the course: the import fails in cell 1, and nothing later runs."""
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    hide_package = "import sys; sys.modules['cnn_helpers'] = None  # import cnn_helpers now fails as if not installed"
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(hide_package),
                                               nbformat.v4.new_code_cell(FIRST_CELL),
                                               nbformat.v4.new_code_cell("print('a later cell ran')")])
    with pytest.raises(CellExecutionError):
        NotebookClient(notebook, timeout=60, kernel_name="python3").execute()
    errors = [output for output in notebook.cells[1].outputs if output.output_type == "error"]
    assert len(errors) == 1 and errors[0].ename == "ModuleNotFoundError"
    expected = f"Install it with this one command in a cell, then restart the kernel:  {INSTALL_COMMAND}"
    assert expected in errors[0].evalue
    assert notebook.cells[2].outputs == [], "execution must stop at the first cell"


def test_the_chinese_set_up_cell_stops_with_the_install_command_in_chinese():
    """The Chinese edition's first cell (notebooks/zh/, one folder deeper): the same stop, its message in Chinese."""
    from first_cell import first_cell
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    hide_package = "import sys; sys.modules['cnn_helpers'] = None"
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(hide_package),
                                               nbformat.v4.new_code_cell(first_cell("../..", "zh")),
                                               nbformat.v4.new_code_cell("print('a later cell ran')")])
    with pytest.raises(CellExecutionError):
        NotebookClient(notebook, timeout=60, kernel_name="python3").execute()
    errors = [output for output in notebook.cells[1].outputs if output.output_type == "error"]
    assert len(errors) == 1 and errors[0].ename == "ModuleNotFoundError"
    assert "请在一个单元格里运行下面这条命令安装，然后重启内核：  %pip install -e ../.." in errors[0].evalue
    assert notebook.cells[2].outputs == []

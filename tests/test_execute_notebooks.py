"""tools/execute_notebooks.py (`make execute`): stored outputs that a second run writes again unchanged."""

from __future__ import annotations

import sys
from pathlib import Path

from nbformat.v4 import new_code_cell, new_markdown_cell, new_output

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import execute_notebooks  # noqa: E402

VIEW = execute_notebooks.WIDGET_VIEW


def test_printed_text_is_one_output_per_stream_however_the_kernel_flushed_it():
    cell = new_code_cell("...", outputs=[
        new_output("stream", name="stdout", text="row 1\n"),
        new_output("stream", name="stdout", text="row 2\n"),
        new_output("stream", name="stderr", text="a warning\n"),
        new_output("stream", name="stdout", text="row 3\n"),
        new_output("stream", name="stdout", text="row 4\n"),
    ])
    execute_notebooks.stable_outputs(cell, 3)
    assert [(o.name, o.text) for o in cell.outputs] == [
        ("stdout", "row 1\nrow 2\n"), ("stderr", "a warning\n"), ("stdout", "row 3\nrow 4\n")]


def test_widget_ids_are_numbered_by_cell_and_output_and_other_outputs_stay():
    def cell():
        return new_code_cell("...", outputs=[
            new_output("stream", name="stdout", text="before\n"),
            new_output("display_data", data={VIEW: {"model_id": "9cd7b379f39340b8", "version_major": 2},
                                             "text/plain": "Explorer(...)"}),
            new_output("execute_result", data={"text/plain": "3"}, execution_count=1),
        ])

    first, second = cell(), cell()
    first.outputs[1].data[VIEW]["model_id"] = "d6fb279848b64d60"  # another run, another random id
    for c in (first, second):
        execute_notebooks.stable_outputs(c, 7)
    assert first.outputs == second.outputs
    assert first.outputs[1].data[VIEW] == {"model_id": "cell7-output1", "version_major": 2}
    assert first.outputs[2].data == {"text/plain": "3"}


def test_a_markdown_cell_is_left_alone():
    cell = new_markdown_cell("# title")
    before = dict(cell)
    execute_notebooks.stable_outputs(cell, 0)
    assert cell == before and "outputs" not in cell

"""tools/bench.py (`make bench`): what it measures and how it reports, without timing anything long."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import bench  # noqa: E402


def test_every_explorer_of_widgets_is_benchmarked():
    """The explorers live in cnn_helpers.widgets' submodules; a new one must not slip out of the table."""
    from cnn_helpers import widgets

    expected = {name for name in widgets.__all__ if name.endswith("_explorer")}
    assert len(expected) == 6
    assert set(bench.make_explorers()) == expected


def test_slider_values_span_the_range_and_end_where_they_started():
    import ipywidgets

    slider = ipywidgets.IntSlider(value=5, min=1, max=7)
    values = bench.slider_values(slider)
    assert values[-1] == 5 and values.count(5) == 1 and {1, 7} <= set(values)
    buttons = ipywidgets.ToggleButtons(options=["max", "avg", "none"], value="avg")
    assert bench.slider_values(buttons) == ["max", "none", "avg"]


def test_a_failing_floor_shows_in_the_table():
    rows = [bench.Row("fast", 12.0, "ms", "<= 50 ms", True), bench.Row("slow", 60.4, "ms", "<= 50 ms", False),
            bench.Row("course", 63.4, "s", "<= 120 s", True)]
    text = bench.table(rows)
    assert "| slow | 60.4 ms | <= 50 ms | FAILS |" in text and "| course | 63.4 s | <= 120 s | ok |" in text


def test_readme_table_is_replaced_between_its_markers(tmp_path, monkeypatch):
    (tmp_path / "README.md").write_text("intro\n<!-- bench:start -->\nold\n<!-- bench:end -->\nafter\n")
    monkeypatch.setattr(bench, "ROOT", tmp_path)
    bench.update_readme("new table")
    assert (tmp_path / "README.md").read_text() == "intro\n<!-- bench:start -->\nnew table\n<!-- bench:end -->\nafter\n"


def test_import_cost_is_measured_on_top_of_torch_in_one_interpreter():
    """Timing the two imports in one process gives a positive cost (subtracting two processes gave -0.16 s)."""
    torch_row, added_row = bench.bench_import(0)  # one run after a warm-up
    assert torch_row.value > 0.1  # torch takes a second or two
    assert 0 < added_row.value < torch_row.value and added_row.floor == "<= 0.3 s"

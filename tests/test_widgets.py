"""Explorers: set slider values programmatically and check what the student sees."""

import ipywidgets as widgets
import pytest

from cnn_helpers import viz
from cnn_helpers.widgets import Explorer

# --- shared Explorer mechanism ---


def _toy_explorer():
    def render(fig, size):
        if size > 3:
            raise ValueError(f"size {size} is too large; pick at most 3")
        if size == 3:
            raise RuntimeError("a bug")
        fig.clear()
        fig.add_subplot().plot(range(size + 1))
        return f"<b>size = {size}</b>"

    fig, _ = viz.new_axes(figsize=(2, 2))
    return Explorer({"size": widgets.IntSlider(value=1, min=0, max=5)}, render, fig, "toy-explorer")


def test_explorer_shows_numbers_and_picture_and_updates():
    explorer = _toy_explorer()
    assert explorer.numbers.value == "<b>size = 1</b>"
    first = explorer.image.value
    assert first[:4] == b"\x89PNG"
    explorer.controls["size"].value = 2
    assert explorer.numbers.value == "<b>size = 2</b>"
    assert explorer.image.value != first
    assert "toy-explorer" in explorer._dom_classes


@pytest.mark.parametrize(("size", "text"), [(4, "size 4 is too large; pick at most 3"), (3, "Please report it")])
def test_explorer_shows_a_message_not_a_traceback(size, text):
    explorer = _toy_explorer()
    explorer.controls["size"].value = size
    assert text in explorer.message.value
    explorer.controls["size"].value = 1
    assert explorer.message.value == ""

"""The :class:`Explorer` widget every explorer is built on.

It wires controls (sliders, buttons) to a pure ``render(fig, **values)`` function that
redraws a persistent matplotlib figure and returns the numbers to show as HTML. A setting
that makes no sense (a ``ValueError`` from the render function) shows a plain message,
never a traceback.
"""

from __future__ import annotations

import html
import time
from collections.abc import Callable

import ipywidgets as widgets

from .. import viz


class Explorer(widgets.VBox):
    """Controls on top, then the picture and the numbers; redraws on every value change.

    Args:
        controls: name -> widget; each value is passed to ``render`` under that name.
        render: ``render(fig, **values) -> str`` redraws ``fig`` and returns HTML numbers;
            raises ``ValueError`` with a student-readable message for impossible settings.
        fig: the persistent matplotlib figure ``render`` draws on.
        css_class: a stable class name for browser tests.

    Attributes:
        image: the ``ipywidgets.Image`` showing the figure as PNG.
        numbers: the ``ipywidgets.HTML`` with the numbers ``render`` returned.
        message: the ``ipywidgets.HTML`` with a plain message when a setting is impossible.
        last_update_ms: how long the last update took (render + PNG), for the benchmark.
    """

    def __init__(self, controls: dict, render: Callable[..., str], fig, css_class: str):
        self.controls = controls
        self.render = render
        self.fig = fig
        self.image = widgets.Image(format="png")
        self.numbers = widgets.HTML()
        self.message = widgets.HTML()
        self.last_update_ms = float("nan")
        for control in controls.values():
            control.observe(self._on_change, names="value")
        super().__init__(
            [widgets.HBox(list(controls.values()), layout=widgets.Layout(flex_flow="row wrap")),
             self.message, widgets.HBox([self.image, self.numbers])]
        )
        self.add_class("cnn-explorer")  # every explorer: found by the browser tests
        self.add_class(css_class)
        self.update()

    @property
    def values(self) -> dict:
        return {name: control.value for name, control in self.controls.items()}

    def _on_change(self, change) -> None:
        self.update()

    def update(self) -> None:
        """Redraw for the current control values; show a message instead of a traceback."""
        start = time.perf_counter()
        try:
            numbers = self.render(self.fig, **self.values)
        except ValueError as error:
            self.message.value = f'<div class="explorer-message" style="color:#a00">{html.escape(str(error))}</div>'
            self.last_update_ms = (time.perf_counter() - start) * 1e3
            return
        except Exception as error:  # a bug must not show a student a traceback either
            self.message.value = (
                '<div class="explorer-message" style="color:#a00">Something went wrong drawing this '
                f"setting ({html.escape(type(error).__name__)}: {html.escape(str(error))}). "
                "Please report it.</div>"
            )
            self.last_update_ms = (time.perf_counter() - start) * 1e3
            return
        self.message.value = ""
        self.numbers.value = numbers
        self.image.value = viz.figure_to_png(self.fig)
        self.last_update_ms = (time.perf_counter() - start) * 1e3

"""The :class:`Explorer` widget every explorer is built on.

It wires controls (sliders, buttons) to a pure ``render(fig, **values)`` function that
redraws a persistent matplotlib figure and returns the numbers to show as HTML. A setting
that makes no sense (a ``ValueError`` from the render function) shows a plain message,
never a traceback.

Readable without a kernel: an Explorer's output also carries its current picture as PNG
(with alt text), its numbers and picture as HTML and its settings as plain text
(:meth:`Explorer._repr_mimebundle_`). JupyterLab with a kernel shows the live widget; a saved
notebook read on GitHub, nbviewer, ``nbconvert --to html``, nbgrader's feedback or the course
website shows the picture and the numbers of the setting it was saved with.
"""

from __future__ import annotations

import base64
import html
import time
from collections.abc import Callable

import ipywidgets as widgets

from .. import viz
from ..language import current_language, tr

STALE_CLASS = "explorer-stale"  # wraps the numbers of the last good setting while a message shows
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
STATIC_CLASS = "cnn-explorer-static"  # the saved picture and numbers, shown where no kernel runs
# Read by screen readers, not shown: the usual "visually hidden" style (display:none would hide it from them too).
VISUALLY_HIDDEN = ("position:absolute;width:1px;height:1px;margin:-1px;padding:0;overflow:hidden;"
                   "clip:rect(0,0,0,0);white-space:nowrap;border:0")


class Explorer(widgets.VBox):
    """Controls on top, then the picture and the numbers; redraws on every value change.

    A control named in ``numbers_only`` recomputes the numbers alone. While a setting shows a
    message, the picture is hidden and the numbers of the last good setting stay, greyed,
    under a note saying so, so they are never read as the sliders' setting.

    Args:
        controls: name -> widget; each value is passed to ``render`` under that name.
        render: ``render(fig, **values) -> str`` redraws ``fig`` and returns HTML numbers;
            an error there or while encoding the PNG shows a message, never a traceback;
            raises ``ValueError`` with a student-readable message for impossible settings.
        fig: the persistent matplotlib figure ``render`` draws on.
        css_class: a stable class name for browser tests.
        numbers_only: names of controls that change the numbers but not the picture (say, a
            batch size): moving one calls ``render(None, **values)``, which must then draw
            nothing, and keeps the picture, saving the redraw and the PNG.
        title: the explorer's name in words, in the current language (``tr("conv explorer")``);
            default: ``css_class`` with spaces for hyphens.

    Raises:
        ValueError: ``numbers_only`` names a control that is not in ``controls``.

    Attributes:
        image: the ``ipywidgets.Image`` showing the figure as PNG.
        numbers: the ``ipywidgets.HTML`` with the numbers ``render`` returned.
        message: the ``ipywidgets.HTML`` with a plain message when a setting is impossible.
        description: a visually hidden ``ipywidgets.HTML`` describing the picture, for screen readers.
        title: the explorer's name in words, as the alt text and the saved view's text name it.
        last_update_ms: how long the last update took (render + PNG), for the benchmark.
    """

    def __init__(self, controls: dict, render: Callable[..., str], fig, css_class: str,
                 numbers_only: tuple[str, ...] = (), title: str | None = None):
        unknown = sorted(set(numbers_only) - controls.keys())
        if unknown:
            raise ValueError(tr("numbers_only names {unknown}, which are not controls; use some of {controls}",
                                unknown=unknown, controls=sorted(controls)))
        self.controls = controls
        self.render = render
        self.fig = fig
        self.image = widgets.Image(format="png")
        self.numbers = widgets.HTML()
        self.message = widgets.HTML()
        # The live picture's description, for screen readers: an Image widget has no alt text, and a tooltip on
        # it (or on its box) breaks it in JupyterLab 4, which the browser tests showed.
        self.description = widgets.HTML()
        self.last_update_ms = float("nan")
        self._good_numbers = ""  # the numbers of the last setting that rendered
        self._picture_current = False  # the image shows the figure for the last good setting
        self._numbers_only = {id(controls[name]) for name in numbers_only}
        for control in controls.values():
            control.observe(self._on_change, names="value")
        super().__init__(
            [widgets.HBox(list(controls.values()), layout=widgets.Layout(flex_flow="row wrap")),
             self.message, widgets.HBox([self.image, self.description, self.numbers])]
        )
        self.add_class("cnn-explorer")  # every explorer: found by the browser tests
        self.add_class(css_class)
        self.css_class = css_class
        self.title = css_class.replace("-", " ") if title is None else title
        self.update()

    @property
    def values(self) -> dict:
        return {name: control.value for name, control in self.controls.items()}

    def _on_change(self, change) -> None:
        self.update(picture=id(change["owner"]) not in self._numbers_only)

    def update(self, picture: bool = True) -> None:
        """Redraw for the current control values; show a message instead of a traceback.

        Args:
            picture: redraw the picture too; ``False`` (a ``numbers_only`` control moved)
                recomputes the numbers alone, unless the picture is out of date.
        """
        start = time.perf_counter()
        picture = picture or not self._picture_current
        try:  # drawing and PNG encoding too: nothing escapes as a traceback
            numbers = self.render(self.fig if picture else None, **self.values)
            png = viz.figure_to_png(self.fig) if picture else None
        except Exception as error:
            self._picture_current = False  # the figure may be half redrawn: redraw it next time
            self._show_message(error)
            self.last_update_ms = (time.perf_counter() - start) * 1e3
            return
        self.message.value = ""
        self.numbers.value = self._good_numbers = numbers
        if picture:
            self.image.value = png
            self._picture_current = True
            self.description.value = (f'<span class="cnn-picture-description" style="{VISUALLY_HIDDEN}">'
                                      + tr("Picture: {description}", description=html.escape(self.alt_text))
                                      + "</span>")
        self.image.layout.visibility = None  # the default: shown
        self.last_update_ms = (time.perf_counter() - start) * 1e3

    def _show_message(self, error: Exception) -> None:
        """The error in words; the picture of the last good setting hidden, its numbers marked as such."""
        if isinstance(error, ValueError):  # an impossible setting, in words for the student
            text = html.escape(str(error))
        else:  # a bug must not show a student a traceback either
            text = tr("Something went wrong drawing this setting ({kind}: {error}). Please report it.",
                      kind=html.escape(type(error).__name__), error=html.escape(str(error)))
        self.message.value = f'<div class="explorer-message" style="color:#a00">{text}</div>'
        self.image.layout.visibility = "hidden"  # keeps its place, so the controls do not jump
        self.description.value = ""
        if self._good_numbers:
            note = tr("The sliders' setting has no result; these numbers are from the last setting that worked:")
            self.numbers.value = (f'<div class="{STALE_CLASS}"><div style="color:#a00">{note}</div>'
                                  f'<div style="opacity:0.45">{self._good_numbers}</div></div>')

    # --- readable without a kernel -------------------------------------------------------------

    def settings_text(self) -> str:
        """The current setting in words: ``"kernel_size 5, stride 1, ..."``.

        In English each control by its name, as the saved English notebooks show it; in another
        language by its translated description and the label of its value (``"步长 1"``), since
        names such as ``stride`` and values such as ``"grayscale"`` are English words.
        """
        if current_language() == "en":
            return ", ".join(f"{name} {value}" for name, value in self.values.items())
        return tr(", ").join(
            f"{control.description or name} {getattr(control, 'label', None) or control.value}"
            for name, control in self.controls.items())

    @property
    def alt_text(self) -> str:
        """What the picture shows, in words: the figure's description and the setting it is drawn for."""
        return tr("{figure} ({title} at {settings}.)", figure=viz.figure_alt(self.fig), title=self.title,
                  settings=self.settings_text())

    def static_html(self) -> str:
        """The picture (an ``<img>`` with alt text) and the numbers as HTML, for pages without a kernel."""
        showing_picture = self._picture_current and not self.message.value and self.image.value
        picture = ""
        if showing_picture:
            data = base64.b64encode(self.image.value).decode("ascii")
            picture = (f'<img src="data:image/png;base64,{data}" alt="{html.escape(self.alt_text)}" '
                       'style="max-width:100%;background:#fff">')
        note = tr("<em>A saved view of an interactive explorer: run the notebook to move its controls.</em> "
                  "Setting: {settings}.", settings=html.escape(self.settings_text()))
        return (f'<div class="{STATIC_CLASS} {self.css_class}"><p>{note}</p>'
                f'{self.message.value}{picture}<div class="cnn-explorer-numbers">{self.numbers.value}</div></div>')

    def _repr_mimebundle_(self, **kwargs):
        """The live widget, plus its picture (PNG with alt text), numbers (HTML) and setting (text).

        A front end with the widget manager and a kernel (JupyterLab) ranks the widget view
        first and shows the live explorer; nbconvert, nbviewer, GitHub, nbgrader's feedback
        and the course website skip a widget whose state was not saved and show the HTML or
        the PNG. nbval compares the text and the HTML (the PNG's bytes are sanitised), which
        depend only on the setting.
        """
        data = super()._repr_mimebundle_(**kwargs) or {}
        data["text/plain"] = tr("{title} at {settings} (a saved view: run the notebook to move its controls)",
                                title=self.title, settings=self.settings_text())
        data["text/html"] = self.static_html()
        metadata = {}
        if self._picture_current and not self.message.value and self.image.value:
            data["image/png"] = base64.b64encode(self.image.value).decode("ascii")
            metadata["image/png"] = {"alt": self.alt_text}
        return data, metadata

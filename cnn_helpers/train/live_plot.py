"""What ``fit`` shows while it trains: the live loss/accuracy figure and the progress bar.

Importing this module imports neither matplotlib nor IPython nor tqdm: each is imported
where it is first needed.
"""

from __future__ import annotations

from collections.abc import Callable

from .._validation import check_int
from ..language import tr
from .results import History


def _notebook_display() -> Callable | None:
    """IPython's ``display`` when running in a Jupyter kernel, else None (plain Python)."""
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    shell = get_ipython()
    if shell is None or not hasattr(shell, "kernel"):
        return None
    from IPython.display import display

    return display


class LivePlot:
    """A loss/accuracy figure that ``fit`` redraws after every epoch.

    The picture is shown once with ``show(picture, display_id=True)`` and then replaced in
    place through the returned handle's ``update(picture)``: the notebook ends up holding
    one picture, the final one, which the browser shows growing epoch by epoch and which
    nbval compares like any stored output (no ``clear_output`` animation, nothing to replay).
    The picture is an ``IPython.display.Image`` of the figure rendered by
    :func:`cnn_helpers.viz.training_curves_png` (a few ms), not the figure itself: IPython
    would redraw the whole figure twice per update (100-200 ms), which is more than 10% of
    an epoch of the bundled set.

    Args:
        epochs: the number of epochs (fixes the x axis, so it does not jump while training).
        show: ``show(picture, display_id=True) -> handle`` with ``handle.update(picture)``;
            default: IPython's ``display`` in a notebook, and nothing outside one.

    Attributes:
        figure: the matplotlib figure (drawn by :func:`cnn_helpers.viz.plot_training_curves`).
        updates: how many times the figure was redrawn.

    Example:
        >>> plot = LivePlot(epochs=3)  # outside a notebook: drawn, not shown
        >>> plot.update(History([0.9], [0.5], [0.8]))
        >>> plot.updates, len(plot.figure.axes)
        (1, 2)
    """

    def __init__(self, epochs: int, show: Callable | None = None):
        from .. import viz  # fit's own figure: matplotlib only once a plot is asked for

        self.epochs = check_int(epochs, "epochs", minimum=1)
        self._viz = viz
        self._show = show if show is not None else _notebook_display()
        self._handle = None
        self.figure = viz.training_curves_figure(self.epochs)
        self.updates = 0

    def update(self, history: History) -> None:
        """Redraw the curves of ``history`` and refresh the displayed figure."""
        self._viz.plot_training_curves(history, epochs=self.epochs, fig=self.figure)
        self.updates += 1
        if self._show is None:
            return
        from IPython.display import Image

        # The alt text travels in the output's metadata: the saved notebook and the site describe the plot.
        picture = Image(data=self._viz.training_curves_png(self.figure), format="png",
                        metadata={"alt": self._viz.figure_alt(self.figure)})
        if self._handle is None:
            self._handle = self._show(picture, display_id=True)
        else:
            self._handle.update(picture)


class _NoPlot:
    def update(self, history: History) -> None:
        pass


def _make_plot(live_plot, epochs: int):
    if isinstance(live_plot, LivePlot):
        return live_plot
    if not isinstance(live_plot, bool):
        raise TypeError(tr("live_plot must be True, False or a LivePlot, got {type_name}",
                           type_name=type(live_plot).__name__))
    return LivePlot(epochs) if live_plot and _notebook_display() is not None else _NoPlot()


def _progress_bar(total: int, enabled: bool):
    """tqdm's bar: in a notebook a widget whose saved output ends finished (:class:`_SavedFinishedBar`)."""
    from tqdm.auto import tqdm

    desc, unit = tr("training"), tr("batch")
    if enabled and _notebook_display() is not None:
        try:
            from tqdm.notebook import tqdm_notebook
        except ImportError:  # tqdm.auto falls back to the text bar too
            tqdm_notebook = None
        if tqdm_notebook is not None and issubclass(tqdm, tqdm_notebook):
            return _saved_finished_bar(tqdm_notebook)(total=total, desc=desc, unit=unit, leave=True)
    return tqdm(total=total, desc=desc, unit=unit, disable=not enabled, leave=True)


def finished_bar_text(bar) -> str:
    """A bar's state without its timings: ``"training: 100%|██████████| 440/440"`` (the same every run)."""
    return bar.format_meter(bar.n, bar.total, 0, prefix=bar.desc, unit=bar.unit,
                            bar_format="{l_bar}{bar}| {n_fmt}/{total_fmt}", ncols=60)


class _BarView:
    """What a notebook saves of a progress bar: the widget, and its final state as text and HTML.

    tqdm's widget is displayed when training starts, so a saved notebook would hold its first
    state, ``0%| | 0/440``. This object is displayed instead and displayed again when the bar
    closes (``display_id``), so the saved output is the finished bar with its count; JupyterLab
    still shows the live widget, and a page without a kernel shows the text or the HTML.
    """

    def __init__(self, bar):
        self.bar = bar

    def _repr_mimebundle_(self, **kwargs):
        import html

        data = self.bar.container._repr_mimebundle_(**kwargs) or {}
        text = finished_bar_text(self.bar)
        data["text/plain"] = text
        # the bar of fit (_progress_bar): its unit is the batch
        label = tr("{desc}: {done} of {total} batches", desc=self.bar.desc, done=self.bar.n, total=self.bar.total)
        data["text/html"] = (f'<div class="cnn-progress"><progress value="{self.bar.n}" max="{self.bar.total}" '
                             f'aria-label="{html.escape(label)}"></progress> <code>{html.escape(text)}</code></div>')
        return data


def _saved_finished_bar(tqdm_notebook):
    """tqdm's notebook bar, displayed through a :class:`_BarView` that is refreshed when it closes."""

    class SavedFinishedBar(tqdm_notebook):
        def __init__(self, *args, **kwargs):
            from IPython.display import display

            super().__init__(*args, display=False, **kwargs)
            self.displayed = True  # tqdm's own delayed display must not show the widget a second time
            self._handle = display(_BarView(self), display_id=True)

        def close(self):
            super().close()
            handle, self._handle = getattr(self, "_handle", None), None
            if handle is not None:
                handle.update(_BarView(self))

    return SavedFinishedBar

"""What ``fit`` shows while it trains: the live loss/accuracy figure and the progress bar.

Importing this module imports neither matplotlib nor IPython nor tqdm: each is imported
where it is first needed.
"""

from __future__ import annotations

from collections.abc import Callable

from .._validation import check_int
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

        picture = Image(data=self._viz.training_curves_png(self.figure), format="png")
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
        raise TypeError(f"live_plot must be True, False or a LivePlot, got {type(live_plot).__name__}")
    return LivePlot(epochs) if live_plot and _notebook_display() is not None else _NoPlot()


def _progress_bar(total: int, enabled: bool):
    from tqdm.auto import tqdm

    return tqdm(total=total, desc="training", unit="batch", disable=not enabled, leave=True)

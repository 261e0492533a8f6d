"""Training (notebook 06): the live loss and accuracy curves, redrawn cheaply after every epoch."""

from __future__ import annotations

import io

from .. import _validation as rule
from ..language import tr
from ._common import INPUT_COLOR, KERNEL_COLOR, OUTPUT_COLOR, _sentences, describe

LOSS_LIMITS = (0.005, 5.0)  # cross-entropy: ln 10 = 2.3 for a guess among 10 classes, ~0.01 when nearly perfect
ACCURACY_LIMITS = (0.1, 0.999)  # chance for 10 classes up to 99.9%
ACCURACY_TICKS = (0.1, 0.5, 0.9, 0.99, 0.999)


class _TrainingArtists:
    """The curves of a training-curves figure, and a cached picture of everything else.

    The axes have fixed limits (log scale for the loss, logit scale for the accuracy), so
    the axes, ticks and labels never change while training: they are drawn once, and each
    update only draws the curves on a copy of them ("blitting"). Text layout is most of
    the cost of a matplotlib redraw; this makes an update about 20 times cheaper.
    """

    def __init__(self, fig, epochs: int):
        from matplotlib.ticker import FixedLocator, FuncFormatter, NullLocator

        self.fig, self.epochs, self.background = fig, epochs, None
        fig.subplots_adjust(left=0.08, right=0.98, bottom=0.17, top=0.89, wspace=0.28)
        self.loss_ax, self.accuracy_ax = fig.subplots(1, 2)
        (self.train,) = self.loss_ax.plot([], [], "o-", color=INPUT_COLOR, label=tr("train"))
        (self.validation,) = self.loss_ax.plot([], [], "s-", color=KERNEL_COLOR, label=tr("validation"))
        (self.accuracy,) = self.accuracy_ax.plot([], [], "s-", color=OUTPUT_COLOR)
        self.last = self.accuracy_ax.annotate("", (1, 0.5), textcoords="offset points", xytext=(0, -14),
                                              ha="center")
        self.loss_ax.set_yscale("log")
        self.loss_ax.set(title=tr("loss"), xlabel=tr("epoch"), ylabel=tr("cross-entropy (log scale)"),
                         ylim=LOSS_LIMITS)
        self.loss_ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
        self.loss_ax.yaxis.set_minor_locator(NullLocator())  # 20-odd minor ticks would double the first draw
        self.loss_ax.legend(loc="upper right")
        self.accuracy_ax.set_yscale("logit", nonpositive="clip")
        self.accuracy_ax.set(title=tr("validation accuracy"), xlabel=tr("epoch"),
                             ylabel=tr("accuracy (90%, 99%: equal steps)"), ylim=ACCURACY_LIMITS)
        self.accuracy_ax.yaxis.set_major_locator(FixedLocator(ACCURACY_TICKS))
        self.accuracy_ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{100 * v:g}%"))
        self.accuracy_ax.yaxis.set_minor_locator(NullLocator())
        for ax in (self.loss_ax, self.accuracy_ax):
            ax.set(xlim=(0.5, epochs + 0.5))
            ax.set_xticks(range(1, epochs + 1))
            ax.grid(alpha=0.3)

    @property
    def dynamic(self):
        return (self.train, self.validation, self.accuracy, self.last)

    def png(self) -> bytes:
        """The figure as PNG: the cached axes with the current curves drawn on top."""
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from PIL import Image

        canvas = self.fig.canvas if isinstance(self.fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(self.fig)
        if self.background is None:
            for artist in self.dynamic:
                artist.set_visible(False)
            canvas.draw()
            self.background = canvas.copy_from_bbox(self.fig.bbox)
            for artist in self.dynamic:
                artist.set_visible(True)
        canvas.restore_region(self.background)
        for artist in self.dynamic:
            artist.axes.draw_artist(artist)
        buffer = io.BytesIO()
        size = canvas.get_width_height()
        Image.frombuffer("RGBA", size, canvas.buffer_rgba(), "raw", "RGBA", 0, 1).save(buffer, "png", compress_level=1)
        return buffer.getvalue()


@rule.checked(epochs=rule.integer(1))
def training_curves_figure(epochs: int):
    """An empty figure for :func:`plot_training_curves` with room for ``epochs`` epochs.

    Loss on the left (log scale), validation accuracy on the right (logit scale: 90%, 99% and
    99.9% are equal steps apart, each step ten times fewer mistakes); fixed limits, so the
    figure does not rescale while training.
    """
    from matplotlib.figure import Figure

    from .._validation import check_int

    epochs = check_int(epochs, "epochs", minimum=1)
    fig = Figure(figsize=(8.0, 2.8), dpi=90)
    fig._training_artists = _TrainingArtists(fig, epochs)
    return fig


@rule.checked(
    history=rule.attributes("train_loss", "validation_loss", "validation_accuracy", example=lambda: tr("a History")),
    epochs=rule.optional(rule.integer(1)),
)
def plot_training_curves(history, epochs: int | None = None, fig=None):
    """Loss per epoch (train and validation) and validation accuracy per epoch, side by side.

    Only the curves change from call to call, so ``fit`` calls it after every epoch on the
    same figure, and :func:`training_curves_png` renders the update cheaply.

    Args:
        history: anything with ``train_loss``, ``validation_loss`` and ``validation_accuracy``
            lists (a :class:`cnn_helpers.train.History`); the validation lists may be empty.
        epochs: the length of the x axis of a new figure (so it stays put while training);
            default: as many epochs as recorded.
        fig: a figure from :func:`training_curves_figure` to update, or ``None`` for a new one.

    Returns:
        The matplotlib figure.

    Raises:
        ValueError: ``history`` has more epochs than ``fig`` has room for.

    Example:
        >>> from types import SimpleNamespace
        >>> h = SimpleNamespace(train_loss=[0.9, 0.4], validation_loss=[0.5, 0.3], validation_accuracy=[0.9, 0.95])
        >>> fig = plot_training_curves(h, epochs=5)
        >>> [ax.get_title() for ax in fig.axes]
        ['loss', 'validation accuracy']
        >>> fig.axes[1].lines[0].get_ydata().tolist()
        [0.9, 0.95]
    """
    done = len(history.train_loss)
    fig = training_curves_figure(max(epochs or done, done, 1)) if fig is None else fig
    art = fig._training_artists
    if done > art.epochs:
        raise ValueError(tr("history has {done} epochs but the figure has room for {room}; "
                            "make one with training_curves_figure(epochs={done})", done=done, room=art.epochs))
    import numpy as np

    x = np.arange(1, done + 1)
    accuracy = np.asarray(history.validation_accuracy, dtype=float)
    art.train.set_data(x, np.asarray(history.train_loss, dtype=float))
    art.validation.set_data(x[: len(history.validation_loss)], np.asarray(history.validation_loss, dtype=float))
    art.accuracy.set_data(x[: len(accuracy)], accuracy)
    art.last.set_text(f"{100 * accuracy[-1]:.1f}%" if len(accuracy) else "")
    art.last.xy = (len(accuracy), accuracy[-1]) if len(accuracy) else (1, 0.5)
    return describe(fig, _sentences(tr("Left: training loss (circles) and validation loss (squares) per epoch, "
                                       "log scale. Right: validation accuracy per epoch."), _latest(history, accuracy)))


def _latest(history, accuracy) -> str:
    """The alt text's last sentence: the losses and accuracy after the last epoch recorded."""
    if len(history.train_loss) == 0:
        return tr("No epoch yet.")
    numbers = {"epoch": len(history.train_loss), "train": history.train_loss[-1]}
    if len(history.validation_loss) and len(accuracy):
        return tr("After epoch {epoch}: train loss {train:.3g}, validation loss {validation:.3g}, "
                  "validation accuracy {accuracy:.1f}%.", **numbers, validation=history.validation_loss[-1],
                  accuracy=100 * accuracy[-1])
    if len(history.validation_loss):
        return tr("After epoch {epoch}: train loss {train:.3g}, validation loss {validation:.3g}.", **numbers,
                  validation=history.validation_loss[-1])
    if len(accuracy):
        return tr("After epoch {epoch}: train loss {train:.3g}, validation accuracy {accuracy:.1f}%.", **numbers,
                  accuracy=100 * accuracy[-1])
    return tr("After epoch {epoch}: train loss {train:.3g}.", **numbers)


@rule.checked(fig=rule.figure())
def training_curves_png(fig) -> bytes:
    """A figure from :func:`training_curves_figure` as PNG bytes, fast (axes drawn once, then cached).

    The picture is the same as a full redraw's; a live plot updated every epoch costs a few
    milliseconds per update instead of the 100-200 ms of a full redraw.

    Example:
        >>> fig = training_curves_figure(epochs=3)
        >>> training_curves_png(fig)[:4] == b"\\x89PNG"
        True
    """
    return fig._training_artists.png()


"""Training the course model: ``fit``, ``evaluate``, ``predict``, a ``History``, checkpoints.

``fit`` trains with Adam under a one-cycle learning-rate schedule (Smith & Topin 2017,
"Super-Convergence"), shows a ``tqdm.auto`` progress bar, and in a notebook a loss/accuracy
figure that is displayed once and updated in place after every epoch (so the stored
notebook keeps the final figure, and nbval compares it like any other output).

Importing this module does not import matplotlib, IPython or ipywidgets; ``fit`` imports
them (and ``tqdm.auto``) when it needs them.

Example:
    >>> import torch
    >>> from torch.utils.data import TensorDataset
    >>> from cnn_helpers.model import SeedCNN
    >>> _ = torch.manual_seed(0)
    >>> data = TensorDataset(torch.rand(20, 1, 28, 28), torch.randint(0, 10, (20,)))
    >>> history = fit(SeedCNN(), data, data, epochs=2, batch_size=10, progress=False, live_plot=False)
    >>> history.epochs, len(history.test_accuracy)
    (2, 2)
"""

from __future__ import annotations

import math
import os
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, Dataset, TensorDataset

from ._validation import check_choice, check_int
from .env import default_device

__all__ = [
    "COURSE_SETTINGS", "History", "Evaluation", "LivePlot", "fit", "evaluate", "predict", "random_shift",
    "save_checkpoint", "load_checkpoint", "compare_fit_throughput",
]

SCHEDULES = ("onecycle", "constant")

# What fit uses for each data source. "bundled" was measured on the course model and the
# bundled split (torch 2.13 CPU, seeds 0, 1, 2): 98.1%, 98.1%, 98.5% test accuracy after 8
# epochs, where a plain loop (Adam 1e-3, batch 50, constant rate, no shifts, 8 epochs) got
# 97.6%, 97.2%, 96.7%; batch 128 / lr 5e-3 got 98.0, 97.9, 98.0 and 2-px shifts 97.8, 97.6,
# 97.3. "full" (one epoch over 60,000 images) uses the same rate and batch; it could not be
# measured here (the full set needs a download).
COURSE_SETTINGS = {
    "bundled": {"epochs": 8, "batch_size": 64, "lr": 4e-3, "max_shift": 1},
    "full": {"epochs": 1, "batch_size": 64, "lr": 4e-3, "max_shift": 1},
}
DEFAULTS = COURSE_SETTINGS["bundled"]


# --- results ---------------------------------------------------------------------------------


def _rounded(values: list[float], digits: int = 4) -> list[float]:
    return [round(v, digits) for v in values]


@dataclass(repr=False)
class History:
    """What ``fit`` measured, one entry per epoch.

    Attributes:
        train_loss: mean cross-entropy over the training batches of each epoch (with the
            augmentation and label smoothing used for training).
        test_loss: mean cross-entropy on the test set after each epoch (empty without a test set).
        test_accuracy: fraction of test images classified correctly after each epoch, in [0, 1].

    Example:
        >>> History([0.51234, 0.2], [0.3, 0.25], [0.9, 0.95])
        History(epochs=2, train_loss=[0.5123, 0.2], test_loss=[0.3, 0.25], test_accuracy=[0.9, 0.95])
    """

    train_loss: list[float] = field(default_factory=list)
    test_loss: list[float] = field(default_factory=list)
    test_accuracy: list[float] = field(default_factory=list)

    @property
    def epochs(self) -> int:
        """How many epochs have been recorded."""
        return len(self.train_loss)

    def __repr__(self) -> str:  # rounded, so a printed History reproduces in a notebook
        return (f"History(epochs={self.epochs}, train_loss={_rounded(self.train_loss)}, "
                f"test_loss={_rounded(self.test_loss)}, test_accuracy={_rounded(self.test_accuracy)})")


class Evaluation(NamedTuple):
    """The loss and accuracy of a model on a dataset (unpacks as ``loss, accuracy``)."""

    loss: float
    accuracy: float


# --- batches and augmentation -------------------------------------------------------------------


def _tensors(dataset) -> tuple[torch.Tensor, torch.Tensor] | None:
    """``(images, labels)`` of a two-tensor TensorDataset, else None."""
    if isinstance(dataset, TensorDataset) and len(dataset.tensors) == 2:
        return dataset.tensors[0], dataset.tensors[1]
    return None


def _check_dataset(dataset, name: str) -> None:
    if not isinstance(dataset, Dataset):
        raise TypeError(f"{name} must be a torch Dataset of (image, label) pairs, e.g. from "
                        f"cnn_helpers.data.load_mnist(), got {type(dataset).__name__}")
    if len(dataset) == 0:
        raise ValueError(f"{name} is empty; give at least one (image, label) pair")


def _batches(dataset, batch_size: int, shuffle: bool, device) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
    """``(images, labels)`` batches on ``device``; the shuffle draws from torch's global RNG.

    A TensorDataset is sliced directly (one index per batch, no per-item collation), which
    is what a hand-written PyTorch loop does; any other dataset goes through a DataLoader.
    """
    tensors = _tensors(dataset)
    if tensors is None:
        for images, labels in DataLoader(dataset, batch_size=batch_size, shuffle=shuffle):
            yield images.to(device), labels.to(device)
        return
    images, labels = tensors
    order = torch.randperm(len(images)) if shuffle else None
    for start in range(0, len(images), batch_size):
        if order is None:
            yield images[start:start + batch_size].to(device), labels[start:start + batch_size].to(device)
        else:
            index = order[start:start + batch_size]
            yield images[index].to(device), labels[index].to(device)


def random_shift(images: torch.Tensor, max_shift: int) -> torch.Tensor:
    """Shift every image by its own random whole number of pixels, filling with zeros.

    Each image moves by ``dy, dx`` drawn uniformly from ``-max_shift .. max_shift`` (torch's
    global RNG). A digit moved by a pixel or two is still the same digit, so training on
    shifted copies teaches the model that (light data augmentation, 数据增强).

    Args:
        images: a batch of images.
        max_shift: the largest shift in pixels, along each axis; 0 returns ``images``.

    Returns:
        The shifted batch, same shape, dtype and device.

    Raises:
        ValueError: ``max_shift`` negative, or not smaller than the image.

    Shape:
        (N, C, H, W) -> (N, C, H, W).

    Example:
        >>> x = torch.zeros(1, 1, 5, 5); x[0, 0, 2, 2] = 1.0
        >>> y = random_shift(x, 1)
        >>> y.sum().item(), y.shape  # the bright pixel moved by at most one pixel
        (1.0, torch.Size([1, 1, 5, 5]))
    """
    max_shift = check_int(max_shift, "max_shift", minimum=0)
    if images.dim() != 4:
        raise ValueError(f"images must be a batch shaped (N, C, H, W), got shape {tuple(images.shape)}")
    n, c, h, w = images.shape
    if max_shift >= min(h, w):
        raise ValueError(f"max_shift {max_shift} must be smaller than the image ({h} x {w}); use 1 or 2")
    if max_shift == 0:
        return images
    m, device = max_shift, images.device
    padded = F.pad(images, (m, m, m, m)).flatten(2)  # (N, C, (H + 2m)(W + 2m))
    top = torch.randint(0, 2 * m + 1, (n, 1, 1), device=device)  # window corner: shift = m - corner
    left = torch.randint(0, 2 * m + 1, (n, 1, 1), device=device)
    rows = top + torch.arange(h, device=device)[:, None]  # (N, H, 1)
    cols = left + torch.arange(w, device=device)  # (N, 1, W)
    index = (rows * (w + 2 * m) + cols).view(n, 1, h * w).expand(n, c, h * w)  # (N, C, H·W) flat positions
    return padded.gather(2, index).view(n, c, h, w)  # (N, C, H, W)


# --- evaluation ------------------------------------------------------------------------------------


def _device(device) -> torch.device:
    """``device`` as a torch.device; None: the best one here (cuda, then mps, else cpu)."""
    try:
        return torch.device(default_device() if device is None else device)
    except (RuntimeError, TypeError) as error:
        raise ValueError(f"device {device!r} is not a torch device; use 'cpu', 'cuda', 'mps' or None "
                         "for the best one available") from error


@torch.no_grad()
def evaluate(model: nn.Module, dataset, batch_size: int = 1000, device=None) -> Evaluation:
    """Mean cross-entropy and accuracy of ``model`` on ``dataset`` (model in eval mode).

    Args:
        model: a classifier returning logits (N, classes).
        dataset: (image, label) pairs, e.g. the test set of ``load_mnist()``.
        batch_size: images per forward pass (memory only; the result does not depend on it).
        device: where to compute; default: where the model's parameters are.

    Returns:
        ``Evaluation(loss, accuracy)``: floats, accuracy in [0, 1].

    Raises:
        TypeError: ``dataset`` is not a torch Dataset.
        ValueError: ``dataset`` is empty or ``batch_size`` < 1.

    Example:
        >>> from cnn_helpers.model import SeedCNN
        >>> data = TensorDataset(torch.zeros(4, 1, 28, 28), torch.tensor([0, 1, 2, 3]))
        >>> loss, accuracy = evaluate(SeedCNN(), data)
        >>> 0.0 <= accuracy <= 1.0
        True
    """
    _check_dataset(dataset, "dataset")
    batch_size = check_int(batch_size, "batch_size", minimum=1)
    device = _model_device(model) if device is None else torch.device(device)
    was_training = model.training
    model.eval()
    total_loss = torch.zeros((), device=device)
    correct = torch.zeros((), dtype=torch.long, device=device)
    for images, labels in _batches(dataset, batch_size, shuffle=False, device=device):
        logits = model(images)  # (B, classes)
        total_loss += F.cross_entropy(logits, labels, reduction="sum")
        correct += (logits.argmax(dim=1) == labels).sum()
    model.train(was_training)
    n = len(dataset)
    return Evaluation(total_loss.item() / n, correct.item() / n)


def _model_device(model: nn.Module) -> torch.device:
    parameter = next(model.parameters(), None)
    return parameter.device if parameter is not None else torch.device("cpu")


@torch.no_grad()
def predict(model: nn.Module, data, batch_size: int = 1000) -> torch.Tensor:
    """The class ``model`` predicts for each image (the argmax of its logits), on the CPU.

    Args:
        model: a classifier returning logits (N, classes).
        data: a batch of images, or a dataset of (image, label) pairs (labels are ignored).
        batch_size: images per forward pass.

    Returns:
        int64 predicted labels.

    Raises:
        TypeError: ``data`` is neither a tensor nor a torch Dataset.

    Shape:
        images (N, C, H, W) or a dataset of N pairs -> (N,).

    Example:
        >>> from cnn_helpers.model import SeedCNN
        >>> predict(SeedCNN(), torch.zeros(3, 1, 28, 28)).shape
        torch.Size([3])
    """
    batch_size = check_int(batch_size, "batch_size", minimum=1)
    if isinstance(data, torch.Tensor):
        data = TensorDataset(data, torch.zeros(len(data), dtype=torch.long))
    _check_dataset(data, "data")
    device = _model_device(model)
    was_training = model.training
    model.eval()
    labels = [model(images).argmax(dim=1).cpu() for images, _ in _batches(data, batch_size, False, device)]
    model.train(was_training)
    return torch.cat(labels)  # (N,)


# --- the live plot -------------------------------------------------------------------------------


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
        from . import viz  # fit's own figure: matplotlib only once a plot is asked for

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


# --- fit -------------------------------------------------------------------------------------------


def _check_fit_arguments(model, train, test, epochs, batch_size, lr, max_shift, label_smoothing, schedule):
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, e.g. SeedCNN(), got {type(model).__name__}")
    _check_dataset(train, "train")
    if test is not None:
        _check_dataset(test, "test")
    check_int(epochs, "epochs", minimum=1)
    check_int(batch_size, "batch_size", minimum=1)
    check_int(max_shift, "max_shift", minimum=0)
    check_choice(schedule, "schedule", SCHEDULES)
    if not isinstance(lr, (int, float)) or isinstance(lr, bool) or not lr > 0:
        raise ValueError(f"lr must be a positive number, got {lr!r}; 1e-3 to 5e-3 work for the course model")
    if not isinstance(label_smoothing, (int, float)) or not 0.0 <= label_smoothing < 1.0:
        raise ValueError(f"label_smoothing must be a number in [0, 1), got {label_smoothing!r}; 0 turns it off")


def _on_device(dataset, device: torch.device):
    """A TensorDataset moved to ``device`` once (not batch by batch); other datasets as they are."""
    tensors = _tensors(dataset)
    if tensors is None or tensors[0].device == device:
        return dataset
    return TensorDataset(tensors[0].to(device), tensors[1].to(device))


def _scheduler(optimizer, schedule: str, lr: float, total_steps: int):
    if schedule == "constant":
        return None
    # One cycle: the rate warms up from lr/25 to lr over the first 30% of the steps, then
    # anneals (cosine) to almost zero (lr / 25 / 10^4): large steps explore, small ones settle.
    return torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=lr, total_steps=total_steps)


def _train_epoch(model, train, optimizer, scheduler, batch_size, max_shift, label_smoothing, device, bar) -> float:
    """One pass over ``train``; returns the mean training loss."""
    model.train()
    total = torch.zeros((), device=device)  # summed on the device: no sync per batch
    for images, labels in _batches(train, batch_size, shuffle=True, device=device):
        images = random_shift(images, max_shift)  # (B, 1, 28, 28)
        loss = F.cross_entropy(model(images), labels, label_smoothing=label_smoothing)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        if scheduler is not None:
            scheduler.step()
        total += loss.detach() * len(labels)
        bar.update(1)
    return total.item() / len(train)


def fit(
    model: nn.Module,
    train,
    test=None,
    *,
    epochs: int = DEFAULTS["epochs"],
    batch_size: int = DEFAULTS["batch_size"],
    lr: float = DEFAULTS["lr"],
    max_shift: int = DEFAULTS["max_shift"],
    label_smoothing: float = 0.0,
    schedule: str = "onecycle",
    device=None,
    progress: bool = True,
    live_plot: bool | LivePlot = True,
) -> History:
    """Train ``model`` on ``train`` with Adam; after each epoch, measure it on ``test``.

    Each epoch shuffles the training set (torch's global RNG, so ``set_seed()`` makes a run
    reproduce exactly), shifts every image by up to ``max_shift`` pixels, and takes one Adam
    step per batch under a one-cycle learning-rate schedule peaking at ``lr``. The model is
    changed in place and left on ``device``.

    Defaults are ``COURSE_SETTINGS["bundled"]``; for the full MNIST set pass
    ``**COURSE_SETTINGS["full"]`` (one epoch; on a GPU when there is one).

    Args:
        model: the network to train, e.g. ``SeedCNN()``; it must return logits (N, classes).
        train: (image, label) pairs to learn from.
        test: optional (image, label) pairs to measure after every epoch.
        epochs: passes over ``train``.
        batch_size: images per optimisation step.
        lr: the peak learning rate (the constant one with ``schedule="constant"``).
        max_shift: random shift of each training image, in pixels (0: no augmentation).
        label_smoothing: weight moved from the true class to all classes in the loss.
        schedule: ``"onecycle"`` or ``"constant"``.
        device: ``"cpu"``, ``"cuda"``, ``"mps"``...; default ``env.default_device()``.
        progress: show a ``tqdm.auto`` progress bar (a widget in a notebook).
        live_plot: ``True``: in a notebook, a loss/accuracy figure updated in place after
            every epoch (nothing outside a notebook); ``False``: none; or a :class:`LivePlot`.

    Returns:
        A :class:`History` of per-epoch train loss, test loss and test accuracy.

    Raises:
        TypeError: ``model`` is not an ``nn.Module``, a dataset is not a torch Dataset, or
            ``live_plot`` is neither a bool nor a :class:`LivePlot`.
        ValueError: an empty dataset, an out-of-range setting or an unknown device (the
            message names it).

    Shape:
        train and test images: (1, 28, 28) each for the course model; labels: int64 scalars.

    Example:
        >>> from cnn_helpers.model import SeedCNN
        >>> data = TensorDataset(torch.rand(8, 1, 28, 28), torch.arange(8) % 10)
        >>> fit(SeedCNN(), data, epochs=1, progress=False, live_plot=False).epochs
        1
        >>> fit(SeedCNN(), data, epochs=0)
        Traceback (most recent call last):
        ...
        ValueError: epochs must be an integer >= 1, got 0
    """
    _check_fit_arguments(model, train, test, epochs, batch_size, lr, max_shift, label_smoothing, schedule)
    device = _device(device)
    model.to(device)
    train, test = _on_device(train, device), test if test is None else _on_device(test, device)
    steps_per_epoch = math.ceil(len(train) / batch_size)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    scheduler = _scheduler(optimizer, schedule, lr, epochs * steps_per_epoch)
    plot = _make_plot(live_plot, epochs)
    history = History()
    with _progress_bar(epochs * steps_per_epoch, progress) as bar:
        for _ in range(epochs):
            loss = _train_epoch(model, train, optimizer, scheduler, batch_size, max_shift, label_smoothing,
                                device, bar)
            history.train_loss.append(loss)
            if test is not None:
                test_loss, accuracy = evaluate(model, test, device=device)
                history.test_loss.append(test_loss)
                history.test_accuracy.append(accuracy)
            plot.update(history)
    return history


# --- checkpoints -----------------------------------------------------------------------------------

CHECKPOINT_FORMAT = "cnn_helpers checkpoint"
CHECKPOINT_VERSION = 1
_METADATA_TYPES = (str, int, float, bool, type(None))


def _check_metadata(metadata: dict) -> dict:
    """Metadata must load under ``weights_only=True``: plain numbers, strings, lists, dicts."""

    def check(value, key):
        if isinstance(value, (list, tuple)):
            return [check(v, key) for v in value]
        if isinstance(value, dict):
            return {str(k): check(v, key) for k, v in value.items()}
        if not isinstance(value, _METADATA_TYPES):
            raise TypeError(f"metadata {key!r} must hold numbers, strings, lists or dicts, got "
                            f"{type(value).__name__}; convert it first (e.g. tensor.tolist())")
        return value

    return {key: check(value, key) for key, value in metadata.items()}


def save_checkpoint(model: nn.Module, path, **metadata) -> Path:
    """Save the weights of ``model`` (and small metadata) to ``path``, atomically.

    The file is first written to a temporary file in the same folder and then renamed over
    ``path`` (``os.replace``), so ``path`` always holds either the old checkpoint or the
    complete new one, never half a file, even if the program stops while saving.

    Args:
        model: the model whose ``state_dict`` to save.
        path: the file to write (its folder must exist), e.g. ``"seed_cnn.pt"``.
        **metadata: plain values to keep with the weights, e.g. ``epochs=8, accuracy=0.975``.

    Returns:
        ``path`` as a ``Path``.

    Raises:
        TypeError: ``model`` is not an ``nn.Module``, or a metadata value is not plain data.
        FileNotFoundError: the folder of ``path`` does not exist.

    Example:
        >>> import tempfile
        >>> from cnn_helpers.model import SeedCNN
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     path = save_checkpoint(SeedCNN(), Path(folder) / "model.pt", epochs=8)
        ...     load_checkpoint(path, SeedCNN())
        {'epochs': 8}
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    path = Path(path)
    if not path.parent.is_dir():
        raise FileNotFoundError(f"cannot save to {path}: folder {path.parent} does not exist; create it first")
    state = {name: tensor.detach().cpu() for name, tensor in model.state_dict().items()}
    checkpoint = {
        "format": CHECKPOINT_FORMAT,
        "version": CHECKPOINT_VERSION,
        "architecture": type(model).__name__,
        "state_dict": state,
        "metadata": _check_metadata(metadata),
    }
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as file:
            torch.save(checkpoint, file)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)  # atomic on POSIX and Windows when both are in one folder
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def _shape(tensor) -> tuple[int, ...]:
    return tuple(tensor.shape)


def _first_names(names: list[str], shown: int = 3) -> str:
    more = f" and {len(names) - shown} more" if len(names) > shown else ""
    return ", ".join(names[:shown]) + more


def _architecture_mismatch(path, saved_name: str, saved: dict, model: nn.Module) -> str | None:
    """A plain explanation of why ``saved`` does not fit ``model``, or None when it fits."""
    expected = model.state_dict()
    missing = [k for k in expected if k not in saved]
    unexpected = [k for k in saved if k not in expected]
    reshaped = [k for k in expected if k in saved and _shape(saved[k]) != _shape(expected[k])]
    if not (missing or unexpected or reshaped):
        return None
    details = []
    if reshaped:
        k = reshaped[0]
        details.append(f"{k} has shape {_shape(saved[k])} in the checkpoint but {_shape(expected[k])} in the model"
                       + (f" (and {len(reshaped) - 1} more)" if len(reshaped) > 1 else ""))
    if missing:
        details.append(f"the checkpoint has no {_first_names(missing)}")
    if unexpected:
        details.append(f"the model has no {_first_names(unexpected)}")
    return (f"checkpoint {path} does not fit this model: it holds the weights of {saved_name}, the model is "
            f"a {type(model).__name__}; {'; '.join(details)}. Build the model the checkpoint was saved from, "
            "then load into it")


def load_checkpoint(path, model: nn.Module) -> dict:
    """Load the weights in ``path`` into ``model`` (in place) and return the saved metadata.

    The file is read with ``torch.load(weights_only=True)``: only tensors and plain data are
    unpickled, never arbitrary code. A plain ``torch.save(model.state_dict(), path)`` file
    loads too (with empty metadata).

    Args:
        path: a file written by :func:`save_checkpoint`.
        model: a model of the same architecture; its parameters are overwritten.

    Returns:
        The metadata given to :func:`save_checkpoint`.

    Raises:
        FileNotFoundError: ``path`` does not exist.
        ValueError: the file is not a checkpoint, or it holds another architecture (the
            message names the first differing layer and its shapes, not a key-mismatch trace).

    Example:
        >>> import tempfile
        >>> from cnn_helpers.model import SeedCNN
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     path = save_checkpoint(nn.Linear(3, 2), Path(folder) / "linear.pt")
        ...     load_checkpoint(path, SeedCNN())  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        ValueError: checkpoint ... does not fit this model: it holds the weights of a Linear, the model is ...
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no checkpoint at {path}; save one first with save_checkpoint(model, {str(path)!r})")
    try:
        checkpoint = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:
        raise ValueError(f"{path} is not a checkpoint that can be loaded safely ({type(error).__name__}); "
                         "write it with save_checkpoint(model, path)") from error
    if isinstance(checkpoint, dict) and checkpoint.get("format") == CHECKPOINT_FORMAT:
        saved_name = f"a {checkpoint['architecture']}"
        state, metadata = checkpoint["state_dict"], checkpoint["metadata"]
    elif isinstance(checkpoint, dict) and checkpoint and all(isinstance(v, torch.Tensor) for v in checkpoint.values()):
        saved_name, state, metadata = "a plain state_dict", checkpoint, {}
    else:
        raise ValueError(f"{path} holds a {type(checkpoint).__name__}, not model weights; "
                         "write checkpoints with save_checkpoint(model, path)")
    problem = _architecture_mismatch(path, saved_name, state, model)
    if problem is not None:
        raise ValueError(problem)
    model.load_state_dict(state)
    return metadata


# --- benchmark: fit against a bare PyTorch loop ---------------------------------------------------


class ThroughputComparison(NamedTuple):
    """Median seconds of ``fit`` and of a bare loop doing the same work, and their ratio."""

    fit_seconds: float
    bare_seconds: float
    ratio: float  # fit throughput / bare-loop throughput: median over ABBA repeats of bare time / fit time
    images_per_run: int
    same_weights: bool  # both runs ended with bit-identical parameters: same model and batches


def _bare_loop(model, images, labels, epochs, batch_size, lr, max_shift) -> None:
    """What a student would write by hand: no progress bar, no plot, no History."""
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    steps = epochs * math.ceil(len(images) / batch_size)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=lr, total_steps=steps)
    model.train()
    for _ in range(epochs):
        order = torch.randperm(len(images))
        for start in range(0, len(images), batch_size):
            index = order[start:start + batch_size]
            x = random_shift(images[index], max_shift)
            loss = F.cross_entropy(model(x), labels[index])
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            scheduler.step()


class _NoDisplay:
    """Stands in for a notebook's display: LivePlot still renders every picture, nothing shows it."""

    def __call__(self, picture, display_id=True):
        return self

    def update(self, picture) -> None:
        pass


def compare_fit_throughput(repeats: int = 3, epochs: int = DEFAULTS["epochs"], model_factory=None,
                           train=None) -> ThroughputComparison:
    """Time ``fit`` against a bare PyTorch loop of the same model and batches, in one run.

    Each run seeds torch, builds a fresh model and trains it, either with a bare loop
    (shuffle, shift, forward, loss, backward, Adam step, one-cycle step: nothing else) or
    with ``fit`` with its progress bar on (output discarded) and its live plot rendered to
    PNG after every epoch as in a notebook. Both therefore see identical batches, which the
    returned ``same_weights`` confirms. Times are wall clock.

    A repeat runs bare, fit, fit, bare (ABBA): a machine that speeds up or slows down
    steadily during the repeat slows both sums alike, so the repeat's ratio (bare seconds
    / fit seconds, summed) is free of that drift; ``ratio`` is the median over repeats.
    On a shared machine single runs vary by 5-10%, back-to-back pairs still by about 5%.

    Args:
        repeats: ABBA repeats (>= 1), four runs each.
        epochs: epochs per run; default the course's run (``COURSE_SETTINGS["bundled"]``), so
            what fit does once per run (building its figure) weighs as much as in notebook 06.
        model_factory: builds the model; default ``SeedCNN``.
        train: the training set; default the bundled MNIST training set.

    Returns:
        A :class:`ThroughputComparison`; ``ratio`` >= 0.95 means fit costs at most ~5% more.

    Example:
        >>> import torch
        >>> data = TensorDataset(torch.rand(16, 1, 28, 28), torch.arange(16) % 10)
        >>> compare_fit_throughput(repeats=1, epochs=1, train=data).same_weights
        True
    """
    import contextlib
    import io

    from .data import load_mnist
    from .model import SeedCNN

    repeats, epochs = check_int(repeats, "repeats", minimum=1), check_int(epochs, "epochs", minimum=1)
    model_factory = SeedCNN if model_factory is None else model_factory
    train = load_mnist()[0] if train is None else train
    images, labels = _tensors(train)
    settings = {k: DEFAULTS[k] for k in ("batch_size", "lr", "max_shift")}

    def run_bare(seed: int):
        torch.manual_seed(seed)
        model = model_factory()
        start = time.perf_counter()
        _bare_loop(model, images, labels, epochs, **settings)
        return time.perf_counter() - start, model

    def run_fit(seed: int):
        torch.manual_seed(seed)
        model = model_factory()
        plot = LivePlot(epochs, show=_NoDisplay())
        start = time.perf_counter()
        with contextlib.redirect_stderr(io.StringIO()):
            fit(model, train, epochs=epochs, device="cpu", live_plot=plot, **settings)
        return time.perf_counter() - start, model

    def same_weights(a: nn.Module, b: nn.Module) -> bool:
        return all(torch.equal(x, y) for x, y in zip(a.state_dict().values(), b.state_dict().values(), strict=True))

    fit_times, bare_times, ratios, same = [], [], [], True
    for repeat in range(repeats):
        (bare_1, bare_model), (fit_1, fit_model) = run_bare(2 * repeat), run_fit(2 * repeat)
        same = same and same_weights(bare_model, fit_model)
        (fit_2, fit_model), (bare_2, bare_model) = run_fit(2 * repeat + 1), run_bare(2 * repeat + 1)
        same = same and same_weights(bare_model, fit_model)
        bare_times += [bare_1, bare_2]
        fit_times += [fit_1, fit_2]
        ratios.append((bare_1 + bare_2) / (fit_1 + fit_2))
    return ThroughputComparison(statistics.median(fit_times), statistics.median(bare_times),
                                statistics.median(ratios), epochs * len(images), same)

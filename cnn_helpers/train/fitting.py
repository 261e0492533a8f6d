"""``fit``: training a model with Adam under a one-cycle schedule, one :class:`History` entry per epoch."""

from __future__ import annotations

import math
from numbers import Real

import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import TensorDataset

from .._validation import check_choice, check_int
from ..language import tr
from .batches import _batches, _check_dataset, _check_labels, _tensors, random_shift
from .evaluation import _device, evaluate
from .live_plot import LivePlot, _make_plot, _progress_bar
from .results import History
from .settings import DEFAULTS, SCHEDULES

MAX_EPOCHS = 10_000
MAX_LR = 10.0  # far above any rate that trains; a larger one overflows float32 inside the optimiser


def _check_fit_arguments(model, train, validation, epochs, batch_size, lr, max_shift, label_smoothing, schedule):
    """The settings as plain Python numbers (NumPy ints and floats are accepted), or a clear error."""
    if not isinstance(model, nn.Module):
        raise TypeError(tr("model must be a torch.nn.Module, e.g. SeedCNN(), got {type_name}",
                           type_name=type(model).__name__))
    _check_dataset(train, "train")
    if validation is not None:
        _check_dataset(validation, "validation")
    check_choice(schedule, "schedule", SCHEDULES)
    if isinstance(lr, bool) or not isinstance(lr, Real) or not 0 < lr <= MAX_LR:
        raise ValueError(tr("lr must be a positive finite number up to {max_lr:g}, got {value!r}; 1e-3 to 5e-3 work "
                            "for the course model", max_lr=MAX_LR, value=lr))
    if isinstance(label_smoothing, bool) or not isinstance(label_smoothing, Real) or not 0.0 <= label_smoothing < 1.0:
        raise ValueError(tr("label_smoothing must be a number in [0, 1), got {value!r}; 0 turns it off",
                            value=label_smoothing))
    epochs = check_int(epochs, "epochs", minimum=1)
    if epochs > MAX_EPOCHS:  # a huge number would train until the machine dies
        raise ValueError(tr("epochs must be at most {max_epochs:,}, got {value!r}; the course model needs 1 to 20",
                            max_epochs=MAX_EPOCHS, value=epochs))
    return (epochs, check_int(batch_size, "batch_size", minimum=1), float(lr),
            check_int(max_shift, "max_shift", minimum=0), float(label_smoothing))


def _check_finite(model: nn.Module, loss: float, epoch: int, lr: float) -> None:
    """Stop with a clear error once training has diverged (a NaN/inf loss or weight)."""
    if math.isfinite(loss) and all(torch.isfinite(p).all() for p in model.parameters()):
        return
    raise ValueError(tr(
        "training diverged in epoch {epoch}: the training loss is {loss} and the weights are no longer all "
        "finite numbers. Check that the images hold no NaN or inf, and lower lr (got {lr:g}; 1e-3 to 5e-3 "
        "work for the course model); then build a fresh model, since this one's weights are lost",
        epoch=epoch, loss=loss, lr=lr))


def _check_datasets_labels(model: nn.Module, datasets: dict, device: torch.device) -> None:
    """Labels must be class indices the model can score: checked once, before the first step.

    The number of classes is what the model returns for one image (in eval mode, so no layer
    changes its running statistics and no RNG is drawn). Datasets that are not TensorDatasets
    are not scanned (that would read every item).
    """
    known = {name: _tensors(data) for name, data in datasets.items() if data is not None}
    known = {name: tensors for name, tensors in known.items() if tensors is not None}
    if not known:
        return
    first = next(iter(known.values()))[0][:1].to(device)  # (1, C, H, W)
    was_training = model.training
    model.eval()
    with torch.no_grad():
        logits = model(first.to(next(model.parameters(), first).dtype))
    model.train(was_training)
    classes = logits.shape[-1] if logits.dim() == 2 else None
    for name, (_, labels) in known.items():
        _check_labels(labels, name, classes=classes)


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
    validation=None,
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
    """Train ``model`` on ``train`` with Adam; after each epoch, measure it on ``validation``.

    Each epoch shuffles the training set (torch's global RNG, so ``set_seed()`` makes a run
    reproduce exactly), shifts every image by up to ``max_shift`` pixels, and takes one Adam
    step per batch under a one-cycle learning-rate schedule peaking at ``lr``. The model is
    changed in place and left on ``device``.

    Defaults are ``COURSE_SETTINGS["bundled"]``; for the full MNIST set pass
    ``**COURSE_SETTINGS["full"]`` (one epoch; on a GPU when there is one).

    Args:
        model: the network to train, e.g. ``SeedCNN()``; it must return logits (N, classes).
        train: (image, label) pairs to learn from.
        validation: optional (image, label) pairs to measure after every epoch (the validation
            set: choose settings on it, and keep the test set for one measurement at the end).
        epochs: passes over ``train``.
        batch_size: images per optimisation step.
        lr: the peak learning rate (the constant one with ``schedule="constant"``).
            NumPy ints and floats are accepted wherever Python ones are.
        max_shift: random shift of each training image, in pixels (0: no augmentation).
        label_smoothing: weight moved from the true class to all classes in the loss.
        schedule: ``"onecycle"`` or ``"constant"``.
        device: ``"cpu"``, ``"cuda"``, ``"mps"``...; default ``env.default_device()``.
        progress: show a ``tqdm.auto`` progress bar (a widget in a notebook).
        live_plot: ``True``: in a notebook, a loss/accuracy figure updated in place after
            every epoch (nothing outside a notebook); ``False``: none; or a :class:`LivePlot`.

    Returns:
        A :class:`History` of per-epoch train loss, validation loss and validation accuracy.

    Raises:
        TypeError: ``model`` is not an ``nn.Module``, a dataset is not a torch Dataset, or
            ``live_plot`` is neither a bool nor a :class:`LivePlot`.
        ValueError: an empty dataset, an out-of-range setting or an unknown device (the
            message names it); or training diverged (a NaN or infinite loss or weight).

    Shape:
        train and validation images: (1, 28, 28) each for the course model; labels: int64 scalars.

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
    if not isinstance(progress, bool):
        raise TypeError(tr("progress must be True or False, got {value!r} of type {type_name}", value=progress,
                           type_name=type(progress).__name__))
    epochs, batch_size, lr, max_shift, label_smoothing = _check_fit_arguments(
        model, train, validation, epochs, batch_size, lr, max_shift, label_smoothing, schedule)
    device = _device(device)
    model.to(device)
    _check_datasets_labels(model, {"train": train, "validation": validation}, device)
    train = _on_device(train, device)
    validation = validation if validation is None else _on_device(validation, device)
    steps_per_epoch = math.ceil(len(train) / batch_size)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    scheduler = _scheduler(optimizer, schedule, lr, epochs * steps_per_epoch)
    plot = _make_plot(live_plot, epochs)
    history = History()
    with _progress_bar(epochs * steps_per_epoch, progress) as bar:
        for epoch in range(1, epochs + 1):
            loss = _train_epoch(model, train, optimizer, scheduler, batch_size, max_shift, label_smoothing,
                                device, bar)
            _check_finite(model, loss, epoch, lr)
            history.train_loss.append(loss)
            if validation is not None:
                validation_loss, accuracy = evaluate(model, validation, device=device)
                history.validation_loss.append(validation_loss)
                history.validation_accuracy.append(accuracy)
            plot.update(history)
    return history

"""Measuring a model: ``evaluate`` (loss and accuracy on a dataset) and ``predict`` (its labels)."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import TensorDataset

from .._validation import check_int
from ..env import default_device
from .batches import _batches, _check_dataset
from .results import Evaluation


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

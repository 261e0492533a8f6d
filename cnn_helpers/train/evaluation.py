"""Measuring a model: ``evaluate`` (loss and accuracy on a dataset) and ``predict`` (its labels).

Also the device helper ``fit`` shares (:func:`_device`): a name PyTorch does not know, or a
device this machine does not have, is refused in words before any tensor moves.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import TensorDataset

from .._validation import check_int
from ..env import default_device
from ..language import tr
from .batches import _batches, _check_dataset, _check_labels
from .results import Evaluation


def _device(device) -> torch.device:
    """``device`` as a torch.device this machine has; None: the best one here (cuda, then mps, else cpu)."""
    if device is None:
        return torch.device(default_device())
    if not isinstance(device, (str, torch.device)):
        raise TypeError(tr("device must be a name such as 'cpu' or 'cuda', a torch.device or None, got {value!r} "
                           "of type {type_name}", value=device, type_name=type(device).__name__))
    try:
        result = torch.device(device)
    except (RuntimeError, TypeError, ValueError) as error:
        raise ValueError(tr("device {value!r} is not a torch device; use 'cpu', 'cuda', 'mps' or None for the best "
                            "one available", value=device)) from error
    if result.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(tr("device {value!r} is not available: PyTorch finds no CUDA GPU on this machine; "
                            "use 'cpu', or None for the best one available", value=device))
    if result.type == "cuda" and result.index is not None and result.index >= torch.cuda.device_count():
        raise ValueError(tr("device {value!r} is not available: this machine has {count} CUDA GPU(s), numbered "
                            "from 0; use 'cuda', or None for the best one available", value=device,
                            count=torch.cuda.device_count()))
    mps = getattr(torch.backends, "mps", None)
    if result.type == "mps" and not (mps is not None and mps.is_available()):
        raise ValueError(tr("device {value!r} is not available: PyTorch finds no Apple GPU (MPS) here; "
                            "use 'cpu', or None for the best one available", value=device))
    if result.type not in ("cpu", "cuda", "mps"):
        raise ValueError(tr("device {value!r} cannot run the course's models; use 'cpu', 'cuda', 'mps' or None for "
                            "the best one available", value=device))
    return result


def _check_model(model) -> None:
    if not isinstance(model, nn.Module):
        raise TypeError(tr("model must be a torch.nn.Module, e.g. SeedCNN(), got {type_name}",
                           type_name=type(model).__name__))


def _model_device(model: nn.Module) -> torch.device:
    parameter = next(model.parameters(), None)
    return parameter.device if parameter is not None else torch.device("cpu")


def _model_dtype(model: nn.Module) -> torch.dtype:
    """The dtype the model computes in: that of its first floating-point parameter (float32 without one)."""
    return next((p.dtype for p in model.parameters() if p.is_floating_point()), torch.float32)


def _as_inputs(images, name: str, dtype: torch.dtype) -> torch.Tensor:
    """A batch of images cast to the model's dtype (float64 -> float32), or a clear error.

    Integer images are refused rather than cast: MNIST pixels as 0..255 bytes would give a
    silently different picture than the 0..1 floats the models learn from.
    """
    if not isinstance(images, torch.Tensor):
        raise TypeError(tr("{name} images must be tensors, got {type_name}", name=name,
                           type_name=type(images).__name__))
    if not images.is_floating_point():
        raise TypeError(tr("{name} images must be floating point, got dtype {dtype}; "
                           "scale bytes to [0, 1] with images.float() / 255", name=name, dtype=images.dtype))
    if not torch.isfinite(images).all():
        raise ValueError(tr("{name} images hold NaN or infinite values; find them with "
                            "(~torch.isfinite(images)).nonzero() and replace them, e.g. torch.nan_to_num(images)",
                            name=name))
    return images.to(dtype)


def _check_logits(logits, count: int) -> None:
    if not isinstance(logits, torch.Tensor):
        raise TypeError(tr("model must return a tensor of logits shaped (N, classes), got {type_name}",
                           type_name=type(logits).__name__))
    if logits.dim() != 2 or logits.shape[0] != count:
        raise ValueError(tr("model must return logits shaped (N, classes), got shape {shape} for N = {count} "
                            "images; end it with nn.Flatten() and an nn.Linear(..., classes)",
                            shape=tuple(logits.shape), count=count))


@torch.no_grad()
def evaluate(model: nn.Module, dataset, batch_size: int = 1000, device=None) -> Evaluation:
    """Mean cross-entropy and accuracy of ``model`` on ``dataset`` (model in eval mode).

    Images are cast to the model's dtype (float64 images for a float32 model, or float32
    images for ``model.double()``).

    Args:
        model: a classifier returning logits (N, classes).
        dataset: (image, label) pairs, e.g. the test set of ``load_mnist()``; labels are
            class indices 0 .. classes - 1.
        batch_size: images per forward pass (memory only; the result does not depend on it).
        device: where to compute (the model is moved there, as ``fit`` does); default:
            where the model's parameters are.

    Returns:
        ``Evaluation(loss, accuracy)``: floats, accuracy in [0, 1].

    Raises:
        TypeError: ``model`` is not an ``nn.Module``, ``dataset`` is not a torch Dataset, or
            its images or labels have the wrong dtype.
        ValueError: ``dataset`` is empty, ``batch_size`` < 1, an unknown or missing device,
            labels that are not class indices of the model's outputs, images holding NaN, or
            a model whose outputs are not (N, classes) logits or are not finite.

    Example:
        >>> from cnn_helpers.model import SeedCNN
        >>> data = TensorDataset(torch.zeros(4, 1, 28, 28), torch.tensor([0, 1, 2, 3]))
        >>> loss, accuracy = evaluate(SeedCNN(), data)
        >>> 0.0 <= accuracy <= 1.0
        True
    """
    _check_model(model)
    _check_dataset(dataset, "dataset")
    batch_size = check_int(batch_size, "batch_size", minimum=1)
    if device is None:
        device = _model_device(model)
    else:
        device = _device(device)
        model.to(device)
    dtype = _model_dtype(model)
    was_training = model.training
    model.eval()
    total_loss = torch.zeros((), device=device)
    correct = torch.zeros((), dtype=torch.long, device=device)
    try:
        for images, labels in _batches(dataset, batch_size, shuffle=False, device=device):
            images = _as_inputs(images, "dataset", dtype)
            _check_labels(labels, "dataset")
            logits = model(images)  # (B, classes)
            _check_logits(logits, len(images))
            _check_labels(labels, "dataset", classes=logits.shape[1])
            total_loss += F.cross_entropy(logits, labels, reduction="sum")
            correct += (logits.argmax(dim=1) == labels).sum()
    finally:
        model.train(was_training)
    n = len(dataset)
    loss = total_loss.item() / n
    if not np.isfinite(loss):
        raise ValueError(tr("the model's loss on dataset is {loss}: its logits are not all finite numbers, so its "
                            "weights have diverged; train a fresh model with a lower lr", loss=loss))
    return Evaluation(loss, correct.item() / n)


@torch.no_grad()
def predict(model: nn.Module, data, batch_size: int = 1000) -> torch.Tensor:
    """The class ``model`` predicts for each image (the argmax of its logits), on the CPU.

    Args:
        model: a classifier returning logits (N, classes).
        data: a batch of images (a tensor or NumPy array), or a dataset of (image, label)
            pairs (labels are ignored). Images are cast to the model's dtype.
        batch_size: images per forward pass.

    Returns:
        int64 predicted labels.

    Raises:
        TypeError: ``model`` is not an ``nn.Module``, ``data`` is neither a tensor nor a
            torch Dataset, or its images are not floating point.
        ValueError: empty ``data``, images holding NaN, or a model whose output is not
            (N, classes) logits (say, a feature map).

    Shape:
        images (N, C, H, W) or a dataset of N pairs -> (N,).

    Example:
        >>> from cnn_helpers.model import SeedCNN
        >>> predict(SeedCNN(), torch.zeros(3, 1, 28, 28)).shape
        torch.Size([3])
    """
    _check_model(model)
    batch_size = check_int(batch_size, "batch_size", minimum=1)
    if isinstance(data, np.ndarray):
        data = torch.from_numpy(data)
    if isinstance(data, torch.Tensor):
        if data.dim() == 0:
            raise ValueError(tr("data must be a batch of images shaped (N, C, H, W), got a 0-d tensor"))
        data = TensorDataset(data, torch.zeros(len(data), dtype=torch.long))
    _check_dataset(data, "data")
    device, dtype = _model_device(model), _model_dtype(model)
    was_training = model.training
    model.eval()
    labels = []
    try:
        for images, _ in _batches(data, batch_size, False, device):
            logits = model(_as_inputs(images, "data", dtype))
            _check_logits(logits, len(images))
            labels.append(logits.argmax(dim=1).cpu())
    finally:
        model.train(was_training)
    return torch.cat(labels)  # (N,)

"""Batches of a dataset on a device, and the random shifts ``fit`` trains on (data augmentation)."""

from __future__ import annotations

from collections.abc import Iterator

import torch
import torch.nn.functional as F
from torch.utils.data import DataLoader, Dataset, TensorDataset

from .._validation import check_int
from ..language import tr


def _tensors(dataset) -> tuple[torch.Tensor, torch.Tensor] | None:
    """``(images, labels)`` of a two-tensor TensorDataset, else None."""
    if isinstance(dataset, TensorDataset) and len(dataset.tensors) == 2:
        return dataset.tensors[0], dataset.tensors[1]
    return None


def _check_dataset(dataset, name: str) -> None:
    if not isinstance(dataset, Dataset):
        raise TypeError(tr("{name} must be a torch Dataset of (image, label) pairs, e.g. from "
                           "cnn_helpers.data.load_mnist(), got {type_name}", name=name,
                           type_name=type(dataset).__name__))
    if len(dataset) == 0:
        raise ValueError(tr("{name} is empty; give at least one (image, label) pair", name=name))


def _check_labels(labels: torch.Tensor, name: str, classes: int | None = None) -> None:
    """Labels must be class indices: a 1-D integer tensor, each in 0 .. classes - 1 when ``classes`` is known.

    Refuses float labels, one-hot rows (N, classes) and a column (N, 1), each with the fix.
    """
    if not isinstance(labels, torch.Tensor):
        raise TypeError(tr("{name} labels must be a tensor of class indices, got {type_name}", name=name,
                           type_name=type(labels).__name__))
    if labels.dtype.is_floating_point or labels.dtype.is_complex or labels.dtype == torch.bool:
        raise TypeError(tr("{name} labels must be integer class indices (int64), got dtype {dtype}; "
                           "convert them with labels.long()", name=name, dtype=labels.dtype))
    if labels.dim() == 2 and labels.shape[1] == 1:
        raise ValueError(tr("{name} labels must be shaped (N,), got a column {shape}; use labels.squeeze(1)",
                            name=name, shape=tuple(labels.shape)))
    if labels.dim() != 1:
        raise ValueError(tr("{name} labels must be class indices shaped (N,), got shape {shape}; "
                            "one-hot rows become indices with labels.argmax(1)", name=name, shape=tuple(labels.shape)))
    if len(labels) and (int(labels.min()) < 0 or (classes is not None and int(labels.max()) >= classes)):
        bad = labels[(labels < 0) | (labels >= (classes if classes is not None else labels.max() + 1))][0]
        if classes is None:
            raise ValueError(tr("{name} labels must be class indices, 0 or more, got {value}", name=name,
                                value=int(bad)))
        raise ValueError(tr("{name} labels must be class indices from 0 to {last}, got {value}", name=name,
                            last=classes - 1, value=int(bad)))


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
    if not isinstance(images, torch.Tensor):
        raise TypeError(tr("images must be a tensor shaped (N, C, H, W), got {type_name}",
                           type_name=type(images).__name__))
    if images.dim() != 4:
        raise ValueError(tr("images must be a batch shaped (N, C, H, W), got shape {shape}",
                            shape=tuple(images.shape)))
    n, c, h, w = images.shape
    if max_shift >= min(h, w):
        raise ValueError(tr("max_shift {max_shift} must be smaller than the image ({h} x {w}); use 1 or 2",
                            max_shift=max_shift, h=h, w=w))
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

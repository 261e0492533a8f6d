"""Batches of a dataset on a device, and the random shifts ``fit`` trains on (data augmentation)."""

from __future__ import annotations

from collections.abc import Iterator

import torch
import torch.nn.functional as F
from torch.utils.data import DataLoader, Dataset, TensorDataset

from .._validation import check_int


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


def _check_labels(labels: torch.Tensor, name: str, classes: int | None = None) -> None:
    """Labels must be class indices: a 1-D integer tensor, each in 0 .. classes - 1 when ``classes`` is known.

    Refuses float labels, one-hot rows (N, classes) and a column (N, 1), each with the fix.
    """
    if not isinstance(labels, torch.Tensor):
        raise TypeError(f"{name} labels must be a tensor of class indices, got {type(labels).__name__}")
    if labels.dtype.is_floating_point or labels.dtype.is_complex or labels.dtype == torch.bool:
        raise TypeError(f"{name} labels must be integer class indices (int64), got dtype {labels.dtype}; "
                        "convert them with labels.long()")
    if labels.dim() == 2 and labels.shape[1] == 1:
        raise ValueError(f"{name} labels must be shaped (N,), got a column {tuple(labels.shape)}; "
                         "use labels.squeeze(1)")
    if labels.dim() != 1:
        raise ValueError(f"{name} labels must be class indices shaped (N,), got shape {tuple(labels.shape)}; "
                         "one-hot rows become indices with labels.argmax(1)")
    if len(labels) and (int(labels.min()) < 0 or (classes is not None and int(labels.max()) >= classes)):
        bad = labels[(labels < 0) | (labels >= (classes if classes is not None else labels.max() + 1))][0]
        allowed = f" from 0 to {classes - 1}" if classes is not None else ", 0 or more"
        raise ValueError(f"{name} labels must be class indices{allowed}, got {int(bad)}")


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
        raise TypeError(f"images must be a tensor shaped (N, C, H, W), got {type(images).__name__}")
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

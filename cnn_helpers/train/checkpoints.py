"""Checkpoints: ``save_checkpoint`` (atomic) and ``load_checkpoint`` (``weights_only=True``, plain errors)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import torch
from torch import nn

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

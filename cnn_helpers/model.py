"""The course model (SeedCNN), a configurable builder, parameter counts and a shape trace.

The course model is the one of the source material, layer for layer::

    Conv2d(1, 16, 5, 1, 2) -> ReLU -> MaxPool2d(2)     # (16, 28, 28) -> (16, 14, 14)
    Conv2d(16, 32, 5, 1, 2) -> ReLU -> MaxPool2d(2)    # (32, 14, 14) -> (32, 7, 7)
    Linear(32 * 7 * 7, 10)

held in submodules named ``conv1``, ``conv2`` and ``out`` (28,938 parameters).

Example:
    >>> model = SeedCNN()
    >>> count_parameters(model)
    28938
"""

from __future__ import annotations

import torch
import torch.fx
from torch import nn

__all__ = ["SeedCNN", "count_parameters"]


# --- input check -------------------------------------------------------------------------


def _shape_hint(shape: tuple, channels: int, size: tuple[int, int]) -> str:
    """How to turn a tensor of ``shape`` into (N, channels, H, W), in one short phrase."""
    h, w = size
    if len(shape) == 1 and shape[0] == channels * h * w:
        return f"reshape a flat image with x.view(-1, {channels}, {h}, {w})"
    if len(shape) == 2 and channels == 1:
        return "add batch and channel dims with x[None, None]"
    if len(shape) == 3 and shape[0] == channels:
        return "add a batch dim with x[None]"
    if len(shape) == 3 and channels == 1:
        return "add a channel dim with x[:, None]"
    if len(shape) == 3 and shape[-1] == channels:
        return "move channels first and add a batch dim with x.permute(2, 0, 1)[None]"
    if len(shape) == 4 and shape[-1] == channels and shape[1] != channels:
        return "this looks channels-last (N, H, W, C); use x.permute(0, 3, 1, 2)"
    if len(shape) == 4 and shape[1] != channels:
        if channels == 1 and shape[1] == 3:
            return "convert RGB to grayscale with x.mean(dim=1, keepdim=True)"
        return f"the model was built for {channels} input channel(s)"
    if len(shape) == 4:
        return f"resize with torch.nn.functional.interpolate(x, size=({h}, {w}))"
    return f"give a batch of images shaped (N, {channels}, {h}, {w})"


def _check_input(x, model_name: str, channels: int, size: tuple[int, int]) -> None:
    """Raise TypeError/ValueError with a fix when ``x`` is not a float (N, channels, *size) tensor."""
    if not isinstance(x, torch.Tensor):
        raise TypeError(
            f"{model_name} expects a torch.Tensor, got {type(x).__name__}; "
            "convert a NumPy array with torch.from_numpy(x).float()"
        )
    shape = tuple(x.shape)
    expected = (channels, *size)
    if x.dim() != 4 or tuple(shape[1:]) != expected:
        raise ValueError(
            f"{model_name} expects input of shape (N, {channels}, {size[0]}, {size[1]}), "
            f"got {shape}; {_shape_hint(shape, channels, size)}"
        )
    if not x.is_floating_point():
        raise TypeError(
            f"{model_name} expects a floating-point tensor, got dtype {x.dtype}; "
            "convert with x.float() (and divide 0-255 pixel values by 255)"
        )


# torch.fx records a call to a wrapped function as one node instead of tracing into it, so
# the data-dependent checks above (which read x.shape) do not break symbolic tracing. The
# node returns None and has no users: it does not change the geometry of the model.
torch.fx.wrap("_check_input")


# --- the course model ---------------------------------------------------------------------


class SeedCNN(nn.Module):
    """The course model: two conv blocks and a linear classifier for 28x28 grayscale digits.

    ``forward`` returns the logits; ``features`` returns the flattened output of ``conv2``
    (the 32 * 7 * 7 = 1568 numbers the classifier sees), e.g. for a 2-D embedding plot.

    Shape:
        - Input: (N, 1, 28, 28), float.
        - Output: (N, 10) logits (``forward``); (N, 1568) features (``features``).

    Raises:
        ValueError: input of another shape; the message gives the expected shape and the fix.
        TypeError: input that is not a floating-point torch.Tensor.

    Example:
        >>> model = SeedCNN()
        >>> model(torch.zeros(2, 1, 28, 28)).shape
        torch.Size([2, 10])
        >>> model.features(torch.zeros(2, 1, 28, 28)).shape
        torch.Size([2, 1568])
        >>> model(torch.zeros(28, 28))  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        ValueError: SeedCNN expects input of shape (N, 1, 28, 28), got (28, 28); add batch and ...
    """

    def __init__(self) -> None:
        super().__init__()
        self.conv1 = nn.Sequential(
            nn.Conv2d(in_channels=1, out_channels=16, kernel_size=5, stride=1, padding=2),
            nn.ReLU(),
            nn.MaxPool2d(kernel_size=2),
        )
        self.conv2 = nn.Sequential(
            nn.Conv2d(in_channels=16, out_channels=32, kernel_size=5, stride=1, padding=2),
            nn.ReLU(),
            nn.MaxPool2d(kernel_size=2),
        )
        self.out = nn.Linear(32 * 7 * 7, 10)

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """The flattened output of ``conv2``: (N, 1, 28, 28) -> (N, 1568)."""
        _check_input(x, "SeedCNN", 1, (28, 28))
        x = self.conv1(x)  # (N, 16, 14, 14)
        x = self.conv2(x)  # (N, 32, 7, 7)
        return x.flatten(1)  # (N, 1568)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits for a batch of digits: (N, 1, 28, 28) -> (N, 10)."""
        return self.out(self.features(x))  # (N, 10)


# --- counting -------------------------------------------------------------------------------


def count_parameters(model: nn.Module, trainable_only: bool = False) -> int:
    """The number of parameters (weights and biases) of ``model``.

    Args:
        model: any ``nn.Module``; shared parameters are counted once.
        trainable_only: count only parameters with ``requires_grad=True``.

    Returns:
        The total number of scalar parameters.

    Raises:
        TypeError: ``model`` is not an ``nn.Module``.

    Example:
        >>> count_parameters(nn.Conv2d(1, 16, 5))  # 16 * 1 * 5 * 5 weights + 16 biases
        416
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    params = model.parameters()
    return sum(p.numel() for p in params if p.requires_grad or not trainable_only)

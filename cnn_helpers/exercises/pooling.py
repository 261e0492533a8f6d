"""Checkers for notebook 04, pooling: output size, max pooling by hand, sum pooling, the Linear without pooling."""

from __future__ import annotations

from ._common import _as_count, correct, hint

POOL_SIZE_EXERCISE = {"size": 28, "kernel_size": 3}  # ex04-1: nn.MaxPool2d(3) on a 28 × 28 feature map

# ex04-2: pool this 4 × 4 feature map by hand with a 2 × 2 window, stride 2
POOL_EXERCISE_MAP = ((1.0, 3.0, 2.0, 0.0),
                     (4.0, 6.0, 5.0, 1.0),
                     (0.0, 2.0, 9.0, 7.0),
                     (1.0, 8.0, 3.0, 4.0))


def check_pool_output_size(output_size) -> str:
    """Exercise 04-1: output height of ``nn.MaxPool2d(3)`` on a 28 × 28 feature map.

    Args:
        output_size: the student's answer, the output height (= width), an int.

    Returns:
        The confirmation, when right.

    Raises:
        WrongAnswer: with a hint naming the likely mistake.

    Example:
        >>> check_pool_output_size(9)
        Correct! ...
        'Correct! ...'
    """
    import torch
    from torch import nn

    from ..receptive_field import conv_output_size

    n, k = POOL_SIZE_EXERCISE["size"], POOL_SIZE_EXERCISE["kernel_size"]
    if isinstance(output_size, float) and not output_size.is_integer():
        raise hint(f"an output size is a whole number of windows: {n} / {k} = {output_size:.4g} is not. "
                   "A window that does not fit is dropped, so round down (//).")
    answer = _as_count(output_size, "output_size")
    expected = nn.MaxPool2d(k)(torch.zeros(1, 1, n, n)).shape[-1]  # PyTorch's answer
    if answer == expected:
        return correct(f"stride defaults to kernel_size, so ⌊({n} − {k}) / {k}⌋ + 1 = {expected}; "
                       f"{n - expected * k} row(s) and column(s) at the far edge fall in no window.")
    if answer == conv_output_size(n, k, 1):
        raise hint(f"that is the answer for stride 1. nn.MaxPool2d's stride defaults to kernel_size, "
                   f"so the {k} × {k} windows do not overlap: stride {k}.")
    if answer == expected - 1:
        raise hint("off by one: did you forget the + 1 in the output-size formula?")
    if answer == conv_output_size(n, k, k, ceil_mode=True):
        raise hint("you rounded up; PyTorch drops a window that does not fit (round down, //) "
                   "unless ceil_mode=True.")
    if answer == n // 2:
        raise hint("a 2 × 2 window halves the map; this one is 3 × 3 with stride 3.")
    raise hint("use H_out = ⌊(H + 2·padding − kernel_size) / stride⌋ + 1 with stride = kernel_size, "
               "padding = 0.")


def _as_map(value, name: str):
    """The student's pooled map as a float NumPy array, or a hint naming the expected type."""
    import numpy as np

    if hasattr(value, "detach"):
        value = value.detach().cpu().numpy()
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise hint(f"{name} should be a 2-D array of numbers (a nested list, NumPy array or tensor), "
                   f"got {type(value).__name__}") from None
    return array


def check_max_pool_by_hand(pooled) -> str:
    """Exercise 04-2: 2 × 2 max pooling, stride 2, of ``POOL_EXERCISE_MAP``, worked out by hand.

    Args:
        pooled: the student's 2 × 2 result (nested list, NumPy array or tensor).

    Returns:
        The confirmation, when right.

    Raises:
        WrongAnswer: with a hint naming the likely mistake.

    Example:
        >>> check_max_pool_by_hand([[6, 5], [8, 9]])
        Correct! ...
        'Correct! ...'
    """
    import numpy as np
    import torch
    import torch.nn.functional as F

    x = torch.tensor(POOL_EXERCISE_MAP)[None, None]  # (1, 1, 4, 4)
    answer = _as_map(pooled, "pooled")
    if answer.shape == (3, 3):
        raise hint("a 3 × 3 result means stride 1 (overlapping windows); stride 2 moves each window "
                   "2 columns on, so the four windows do not overlap and the result is 2 × 2.")
    if answer.shape != (2, 2):
        raise hint(f"pooled should be 2 × 2 (a 4 × 4 map, 2 × 2 windows, stride 2), got shape {answer.shape}")
    expected = F.max_pool2d(x, 2)[0, 0].numpy()
    if np.allclose(answer, expected):
        return correct("each window keeps only its largest value.")
    if np.allclose(answer, expected.T):
        raise hint("rows and columns are swapped: the first row of the result comes from the first two "
                   "rows of the map.")
    if np.allclose(answer, F.avg_pool2d(x, 2)[0, 0].numpy()):
        raise hint("that is average pooling; max pooling keeps the largest value of each window.")
    if np.allclose(answer, 4 * F.avg_pool2d(x, 2)[0, 0].numpy()):
        raise hint("that is sum pooling; max pooling keeps the largest value of each window.")
    if np.allclose(answer, -F.max_pool2d(-x, 2)[0, 0].numpy()):
        raise hint("you took the smallest value of each window; max pooling keeps the largest.")
    wrong = int((~np.isclose(answer, expected)).sum())
    raise hint(f"{wrong} of the 4 values are wrong. The windows are rows 0-1 / 2-3 by columns 0-1 / 2-3; "
               "take the largest value of each.")


def check_sum_pool(sum_pool) -> str:
    """Exercise 04-3: ``sum_pool(x, kernel_size)`` built from ``F.avg_pool2d``, checked against ``nn.LPPool2d``.

    The student's function is called on random (N, C, H, W) batches with kernel sizes 2 and 3
    (stride = kernel_size, no padding) and compared with ``nn.LPPool2d(norm_type=1, ...)``.

    Args:
        sum_pool: the student's function ``sum_pool(x, kernel_size) -> tensor``.

    Returns:
        The confirmation, when right.

    Raises:
        WrongAnswer: with a hint naming the likely mistake.

    Example:
        >>> import torch.nn.functional as F
        >>> check_sum_pool(lambda x, kernel_size: F.avg_pool2d(x, kernel_size) * kernel_size**2)
        Correct! ...
        'Correct! ...'
    """
    import torch
    import torch.nn.functional as F
    from torch import nn

    if not callable(sum_pool):
        raise hint(f"sum_pool should be a function sum_pool(x, kernel_size), got {type(sum_pool).__name__}")
    generator = torch.Generator().manual_seed(4)
    for k in (2, 3):
        x = torch.randn(2, 3, 12, 9, generator=generator)  # (N, C, H, W), negative values too
        expected = nn.LPPool2d(norm_type=1, kernel_size=k)(x)
        answer = sum_pool(x, k)  # the student's own errors (an unsolved stub's NotImplementedError) pass through
        if not isinstance(answer, torch.Tensor):
            raise hint(f"sum_pool should return a tensor, got {type(answer).__name__}")
        if not answer.is_floating_point():
            raise hint(f"sum_pool should return floats like its input, got dtype {answer.dtype}")
        answer = answer.detach().to(expected.dtype)  # a float64 answer is compared as float32
        if answer.shape != expected.shape:
            raise hint(f"for kernel_size {k} the result should have shape {tuple(expected.shape)}, got "
                       f"{tuple(answer.shape)}; keep the default stride (= kernel_size) and no padding.")
        average = F.avg_pool2d(x, k)
        if torch.allclose(answer, average, atol=1e-5):
            raise hint("that is the average; the sum of a window is its average times the number of "
                       "values in it, kernel_size · kernel_size.")
        if torch.allclose(answer, average * k, atol=1e-5):
            raise hint(f"you multiplied by kernel_size; a {k} × {k} window holds {k}·{k} = {k * k} values.")
        if not torch.allclose(answer, expected, atol=1e-5):
            raise hint(f"for kernel_size {k} the result differs from nn.LPPool2d(1, {k}) (the sum of each "
                       "window); compute F.avg_pool2d(x, kernel_size) times the window's area.")
    return correct("sum pooling = average pooling × window area, which is nn.LPPool2d with p = 1.")


def _linear_after(blocks: int) -> int:
    """Parameters of the Linear(…, 10) after the course model's convs with ``blocks`` max-pooling layers."""
    import torch
    from torch import nn

    layers = [nn.Conv2d(1, 16, 5, 1, 2), nn.ReLU(), nn.Conv2d(16, 32, 5, 1, 2), nn.ReLU()]
    for index in range(blocks):
        layers.insert(2 + 3 * index, nn.MaxPool2d(2))  # after each ReLU, as in the course model
    in_features = nn.Sequential(*layers)(torch.zeros(1, 1, 28, 28)).numel()
    return sum(p.numel() for p in nn.Linear(in_features, 10).parameters())


def _conv_parameters() -> int:
    """Parameters of the course model's two convolutions (pooling adds none)."""
    from torch import nn

    return sum(p.numel() for conv in (nn.Conv2d(1, 16, 5), nn.Conv2d(16, 32, 5)) for p in conv.parameters())


def check_linear_params_without_pooling(parameters) -> str:
    """Exercise 04-4: parameters of the course model's Linear(…, 10) if both pooling layers were removed.

    Args:
        parameters: the student's count, weights and biases of that Linear layer.

    Returns:
        The confirmation, when right.

    Raises:
        WrongAnswer: with a hint naming the likely mistake.

    Example:
        >>> check_linear_params_without_pooling(32 * 28 * 28 * 10 + 10)
        Correct! ...
        'Correct! ...'
    """
    answer = _as_count(parameters, "parameters")
    expected, pooled = _linear_after(0), _linear_after(2)
    if answer == expected:
        return correct(f"{expected:,} instead of {pooled:,}: {expected / pooled:.0f} times as many, "
                       "because the Linear sees 28·28 positions instead of 7·7.")
    if answer == expected - 10:
        raise hint("the Linear layer also has a bias: one per output, 10 more.")
    if answer == pooled:
        raise hint("that is the course model's Linear, after two poolings (7 × 7 maps). Without pooling "
                   "the maps stay 28 × 28.")
    if answer == _linear_after(1):
        raise hint("that is with one pooling layer (14 × 14 maps); remove both.")
    if answer == expected + _conv_parameters():
        raise hint("that is the whole model without pooling; the question asks for the Linear layer only.")
    if answer == 32 * 28 * 28:
        raise hint("that is the number of inputs of the Linear (in_features); each of the 10 outputs "
                   "has a weight for each input, plus a bias.")
    raise hint("without pooling conv2 outputs (32, 28, 28); the Linear has 32·28·28 inputs, "
               "10 outputs, a weight per input and output and a bias per output.")

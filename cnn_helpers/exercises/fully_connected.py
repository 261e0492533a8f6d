"""Checkers for notebook 05, fully connected: flatten order, in_features, a Linear's parameters, softmax."""

from __future__ import annotations

from ._common import _as_count, correct, hint

FLATTEN_EXERCISE = {"shape": (32, 7, 7), "index": (3, 2, 5)}  # ex05-1: where (c, h, w) lands after flatten


def check_flatten_index(position) -> str:
    """Exercise 05-1: the position of element (c, h, w) = (3, 2, 5) of a (32, 7, 7) map after flattening.

    Args:
        position: the student's answer, an index into the flattened 1,568 values (from 0).

    Returns:
        The confirmation, when right.

    Raises:
        WrongAnswer: with a hint naming the likely mistake.

    Example:
        >>> check_flatten_index(166)
        Correct! ...
        'Correct! ...'
    """
    import torch

    (channels, height, width), (c, h, w) = FLATTEN_EXERCISE["shape"], FLATTEN_EXERCISE["index"]
    answer = _as_count(position, "position")
    positions = torch.arange(channels * height * width).reshape(1, channels, height, width)  # value = index
    expected = positions.flatten(1)[0].tolist().index(positions[0, c, h, w].item())  # where flatten puts it
    if answer == expected:
        return correct(f"flatten keeps the row-major order of PyTorch: c·(7·7) + h·7 + w = {c}·49 + {h}·7 + {w} "
                       f"= {expected}.")
    if answer == c * height * width + w * width + h:
        raise hint("rows and columns are swapped: h (the row) is multiplied by the width 7, w is added.")
    if answer == (h * width + w) * channels + c:
        raise hint("that is the channels-last order (H, W, C) of an image file; PyTorch tensors are "
                   "(C, H, W), so the channel is the slowest index: c·49 + h·7 + w.")
    if answer == expected + 1:
        raise hint("off by one: indices start at 0, so element (0, 0, 0) is at position 0.")
    if answer == c * 7 + h * 7 + w:
        raise hint("each channel holds 7·7 = 49 values, so moving one channel on moves 49 positions, not 7.")
    raise hint("count how many values come before it: c whole channels of 7·7, then h whole rows of 7, "
               "then w values.")


def _in_features(input_size: int, pools: int = 2, channels: int = 32) -> int:
    """in_features of the course model's Linear for square inputs of ``input_size`` (real layers)."""
    import torch
    from torch import nn

    layers = [nn.Conv2d(1, 16, 5, 1, 2), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(16, channels, 5, 1, 2), nn.ReLU(),
              nn.MaxPool2d(2)]
    if pools < 2:
        layers = [layer for layer in layers if not isinstance(layer, nn.MaxPool2d)][:4] + [nn.MaxPool2d(2)] * pools
    with torch.no_grad():
        return nn.Sequential(*layers)(torch.zeros(1, 1, input_size, input_size)).numel()


IN_FEATURES_EXERCISE = {"input_size": 32}  # ex05-2: the course model on 32 x 32 images


def check_in_features(in_features) -> str:
    """Exercise 05-2: in_features of the course model's Linear layer for 32 × 32 grayscale images.

    Args:
        in_features: the student's answer.

    Returns:
        The confirmation, when right.

    Raises:
        WrongAnswer: with a hint naming the likely mistake.

    Example:
        >>> check_in_features(32 * 8 * 8)
        Correct! ...
        'Correct! ...'
    """
    size = IN_FEATURES_EXERCISE["input_size"]
    answer = _as_count(in_features, "in_features")
    expected = _in_features(size)
    side = size // 4
    if answer == expected:
        return correct(f"the convolutions keep {size} × {size}, the two poolings make it {size // 2} and then "
                       f"{side}: 32·{side}·{side} = {expected}.")
    if answer == _in_features(28):
        raise hint("that is the answer for 28 × 28 digits (32·7·7); follow a 32 × 32 image through the layers.")
    if answer == _in_features(size, pools=0):
        raise hint("you left out the pooling: each MaxPool2d(2) halves the height and the width.")
    if answer == _in_features(size, pools=1):
        raise hint("there are two MaxPool2d(2) layers, one after each convolution: halve twice.")
    if answer == _in_features(size, channels=16):
        raise hint("the last convolution (conv2) has 32 output channels, not 16.")
    if answer == side * side:
        raise hint("multiply by the number of channels too: the Linear layer sees all 32 maps.")
    raise hint("in_features = channels × height × width of conv2's output; the 5 × 5 convs with padding 2 keep "
               "the size, each MaxPool2d(2) halves it.")


def check_linear_parameters(parameters) -> str:
    """Exercise 05-3: parameters (weights and biases) of the course model's ``nn.Linear(32 * 7 * 7, 10)``.

    Args:
        parameters: the student's count.

    Returns:
        The confirmation, when right.

    Raises:
        WrongAnswer: with a hint naming the likely mistake.

    Example:
        >>> check_linear_parameters(15_690)
        Correct! ...
        'Correct! ...'
    """
    from torch import nn

    layer = nn.Linear(32 * 7 * 7, 10)
    answer = _as_count(parameters, "parameters")
    expected = sum(p.numel() for p in layer.parameters())
    weights, (outputs, inputs) = layer.weight.numel(), layer.weight.shape
    if answer == expected:
        return correct(f"{inputs:,}·{outputs} weights + {outputs} biases = {expected:,}: over half of the "
                       "28,938 parameters of the course model.")
    if answer == weights:
        raise hint(f"the weights alone; each of the {outputs} outputs also has a bias.")
    if answer == weights + inputs:
        raise hint(f"one bias per output ({outputs}), not per input.")
    if answer == inputs + outputs:
        raise hint("every output is connected to every input: the weights number inputs × outputs.")
    if answer == 28_938:
        raise hint("that is the whole course model; count the Linear layer only.")
    raise hint(f"a Linear layer has in_features × out_features weights and out_features biases; here "
               f"in_features = 32·7·7 = {inputs:,} and out_features = {outputs}.")


def check_probabilities(probabilities, logits) -> str:
    """Exercise 05-4: turn a batch of logits (N, 10) into class probabilities, one row per example.

    Args:
        probabilities: the student's (N, 10) tensor (or array).
        logits: the (N, 10) logits it was computed from.

    Returns:
        The confirmation, when right.

    Raises:
        WrongAnswer: with a hint naming the likely mistake.
        TypeError, ValueError: ``logits`` is not a (N, classes) tensor.

    Example:
        >>> import torch
        >>> logits = torch.tensor([[2.0, 1.0, 0.1], [0.0, 0.0, 3.0]])
        >>> check_probabilities(torch.softmax(logits, dim=1), logits)
        Correct! ...
        'Correct! ...'
    """
    import torch

    try:
        logits = torch.as_tensor(logits.detach() if isinstance(logits, torch.Tensor) else logits,
                                 dtype=torch.float32)
    except (TypeError, ValueError, RuntimeError):
        raise TypeError(f"logits must be a (N, classes) tensor, got {type(logits).__name__}") from None
    if logits.dim() != 2:
        raise ValueError(f"logits must be a (N, classes) tensor, got shape {tuple(logits.shape)}")
    if isinstance(probabilities, torch.Tensor):
        answer = probabilities.detach().float()
    else:
        try:
            answer = torch.as_tensor(probabilities, dtype=torch.float32)
        except (TypeError, ValueError, RuntimeError):
            raise hint(f"probabilities should be a tensor of shape {tuple(logits.shape)}, got "
                       f"{type(probabilities).__name__}") from None
    if answer.shape != logits.shape:
        raise hint(f"probabilities should have the shape of the logits, {tuple(logits.shape)}: one row per "
                   f"example, one column per class; got {tuple(answer.shape)}")
    expected = torch.softmax(logits, dim=1)

    def same(other):
        return torch.allclose(answer, other, atol=1e-5)

    if same(expected):
        return correct("softmax over dim=1 (the classes): every row is positive and sums to 1, and its largest "
                       "entry is where the largest logit was.")
    if same(torch.softmax(logits, dim=0)):
        raise hint("softmax over dim=0 makes each column (class) sum to 1 across the batch. The batch is the "
                   "first (outer) dimension, 0 (the source text's 高维), and the classes the last (inner) one, 1 "
                   "(its 低位): use dim=1.")
    if same(torch.exp(logits)):
        raise hint("exp makes the values positive; divide each row by its sum so that it sums to 1.")
    if same(logits / logits.sum(dim=1, keepdim=True)):
        raise hint("dividing the logits by their sum does not give probabilities (logits can be negative); "
                   "take exp first: softmax = exp(z) / sum(exp(z)).")
    if same(torch.sigmoid(logits)):
        raise hint("sigmoid scores each class on its own and the rows do not sum to 1; use softmax over dim=1.")
    if same(torch.log_softmax(logits, dim=1)):
        raise hint("that is log_softmax (log-probabilities, all negative); take softmax instead.")
    raise hint("softmax(z)_j = exp(z_j) / Σ_k exp(z_k), over the classes of each row: torch.softmax(logits, dim=1).")

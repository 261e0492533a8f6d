"""Checkers for notebook 00, introduction: numbers in a batch, layers with weights, a dense layer's parameters."""

from __future__ import annotations

from ._common import _as_count, _as_items, correct, hint

LAYER_KINDS = ("input", "convolution", "relu", "pooling", "fully connected")


def check_batch_numel(numel) -> str:
    """Exercise 00-1: how many numbers a batch of 32 RGB images of 224 × 224 pixels holds.

    Args:
        numel: the student's count.

    Returns:
        The confirmation, when right.

    Raises:
        WrongAnswer: with a hint naming the likely mistake.

    Example:
        >>> check_batch_numel(32 * 3 * 224 * 224)
        Correct! ...
        'Correct! ...'
    """
    import torch

    numel = _as_count(numel, "numel")
    n, c, h, w = 32, 3, 224, 224
    expected = torch.empty(n, c, h, w, device="meta").numel()  # shape only, no memory
    if numel == expected:
        return correct(f"a batch of shape ({n}, {c}, {h}, {w}) holds {expected:,} numbers.")
    if numel == expected // n:
        raise hint(f"{numel:,} is one image; the batch holds {n} of them.")
    if numel == expected // c:
        raise hint("you counted one number per pixel; an RGB pixel has 3 numbers, one per channel.")
    if numel == expected * 4:
        raise hint("that is the size in bytes (4 bytes per float32); the question asks for numbers.")
    raise hint("multiply the four sizes of the batch's shape N × C × H × W.")


def check_layers_with_weights(kinds) -> str:
    """Exercise 00-2: which of the five kinds of layer have weights to learn.

    Args:
        kinds: a set (or list) of names from ``LAYER_KINDS``.

    Returns:
        The confirmation, when right.

    Raises:
        WrongAnswer: with a hint naming the likely mistake.

    Example:
        >>> check_layers_with_weights({"convolution", "fully connected"})
        Correct! ...
        'Correct! ...'
    """
    from torch import nn

    chosen = {str(k).strip().lower() for k in _as_items(kinds, "give a set of layer names such as "
                                                               "{'input', 'pooling'}")}
    unknown = chosen - set(LAYER_KINDS)
    if unknown:
        raise hint(f"unknown layer kind(s) {sorted(unknown)}; use names from {list(LAYER_KINDS)}")
    examples = {"convolution": nn.Conv2d(3, 4, 3), "relu": nn.ReLU(), "pooling": nn.MaxPool2d(2),
                "fully connected": nn.Linear(8, 2)}
    expected = {kind for kind, layer in examples.items() if sum(p.numel() for p in layer.parameters())}
    if chosen == expected:
        return correct("only convolution and fully connected layers learn weights (and biases).")
    if "relu" in chosen:
        raise hint("ReLU is a fixed function, max(0, x): there is nothing in it to learn.")
    if "pooling" in chosen:
        raise hint("pooling takes the max (or mean) of each window: a fixed rule, no weights.")
    if "input" in chosen:
        raise hint("the input layer only holds the data; it computes nothing and learns nothing.")
    missing = sorted(expected - chosen)
    raise hint(f"{missing[0]} is missing: it multiplies its input by weights that training adjusts.")


def check_dense_parameters(parameters) -> str:
    """Exercise 00-3: parameters of a fully connected layer from a 64 × 64 RGB image to 100 units.

    Args:
        parameters: the student's count, weights and biases together.

    Returns:
        The confirmation, when right.

    Raises:
        WrongAnswer: with a hint naming the likely mistake.

    Example:
        >>> check_dense_parameters(3 * 64 * 64 * 100 + 100)
        Correct! ...
        'Correct! ...'
    """
    from torch import nn

    parameters = _as_count(parameters, "parameters")
    inputs, units = 3 * 64 * 64, 100
    layer = nn.Linear(inputs, units, device="meta")  # shapes only, no memory
    expected = sum(p.numel() for p in layer.parameters())
    if parameters == expected:
        return correct(f"{expected:,} parameters for one layer of 100 units: every unit sees every number.")
    if parameters == inputs * units:
        raise hint("you counted the weights; each of the 100 units also has a bias.")
    if parameters == (64 * 64) * units + units:
        raise hint("an RGB image has 3 numbers per pixel, so the layer has 3 × 64 × 64 inputs.")
    if parameters in (inputs, inputs + units):
        raise hint("every one of the 100 units has its own weight for each input number.")
    raise hint("weights: inputs × units; biases: one per unit; add them.")

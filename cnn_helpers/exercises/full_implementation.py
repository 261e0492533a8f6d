"""Checkers for notebook 06, full implementation: the training loop, the most common mistake, a third block."""

from __future__ import annotations

from ..language import tr
from ._common import _as_count, _as_items, correct, hint
from ._training_loop import TRAINING_LOOP_EXERCISE, check_training_loop  # noqa: F401  (ex06-1)


def _as_confusion(confusion):
    import numpy as np

    matrix = np.asarray(confusion.detach().cpu() if hasattr(confusion, "detach") else confusion)
    if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1]:
        raise ValueError(tr("confusion must be a square (classes, classes) matrix, got shape {shape}",
                            shape=matrix.shape))
    return matrix


def _as_pair(value) -> tuple[int, int]:
    from numbers import Integral

    value = _as_items(value, tr("give the pair as (true digit, predicted digit), two ints"))
    if len(value) != 2 or not all(isinstance(v, Integral) and not isinstance(v, bool) for v in value):
        raise hint(tr("give the pair as (true digit, predicted digit), two ints, got {value!r}", value=value))
    return int(value[0]), int(value[1])


def check_most_confused(pair, confusion) -> str:
    """Exercise 06-2: the (true, predicted) pair of different digits the model mixes up most often.

    Args:
        pair: the student's ``(true digit, predicted digit)``.
        confusion: the confusion matrix (row = true class, column = predicted class).

    Returns:
        The confirmation, when right (any of several tied pairs is right).

    Raises:
        WrongAnswer: with a hint naming the likely mistake.
        ValueError: ``confusion`` is not a square matrix.

    Example:
        >>> check_most_confused((1, 0), [[5, 1], [3, 4]])
        Correct! ...
        'Correct! ...'
    """
    import numpy as np

    matrix = _as_confusion(confusion).astype(np.int64)
    true, predicted = _as_pair(pair)
    n = matrix.shape[0]
    if not (0 <= true < n and 0 <= predicted < n):
        raise hint(tr("digits go from 0 to {last}, got {pair!r}", last=n - 1, pair=pair))
    mistakes = matrix.copy()
    np.fill_diagonal(mistakes, -1)
    most = mistakes.max()
    if true == predicted:
        raise hint(tr("the diagonal counts right answers; look for the largest count off the diagonal."))
    if mistakes[true, predicted] == most:
        return correct(tr("{count} images of a {true} were called {predicted}: the largest count off the diagonal.",
                          count=most, true=true, predicted=predicted))
    if mistakes[predicted, true] == most:
        raise hint(tr("swapped: rows are the true digit, columns the prediction; give (row, column)."))
    raise hint(tr("cell [{true}, {predicted}] holds {count}; find the largest count off the diagonal (set the "
                  "diagonal to -1 first, then argmax).", true=true, predicted=predicted,
                  count=mistakes[true, predicted]))




THIRD_BLOCK = {"in_channels": 32, "out_channels": 64, "kernel_size": 3, "padding": 1}  # ex06-3, ex06-4


def three_block_cnn():
    """The course model with a third block (``THIRD_BLOCK``: 3 × 3 conv to 64 maps, ReLU, 2 × 2 max pooling).

    The same layers as notebook 06's ``ThreeBlockCNN``, built here so that the checkers do not
    depend on the student's notebook.

    Returns:
        An ``nn.Module`` with children ``conv1``, ``conv2``, ``conv3`` (``nn.Sequential``) and ``out``.

    Shape:
        (N, 1, 28, 28) -> (N, 10).

    Example:
        >>> import torch
        >>> three_block_cnn()(torch.zeros(2, 1, 28, 28)).shape
        torch.Size([2, 10])
    """
    import torch
    from torch import nn

    from ..model import SeedCNN

    class ThreeBlockCNN(nn.Module):
        def __init__(self):
            super().__init__()
            course = SeedCNN()
            self.conv1, self.conv2 = course.conv1, course.conv2
            k, p = THIRD_BLOCK["kernel_size"], THIRD_BLOCK["padding"]
            self.conv3 = nn.Sequential(nn.Conv2d(THIRD_BLOCK["in_channels"], THIRD_BLOCK["out_channels"], k, 1, p),
                                       nn.ReLU(), nn.MaxPool2d(2))
            with torch.no_grad():  # in_features measured on one blank digit
                in_features = self.conv3(self.conv2(self.conv1(torch.zeros(1, 1, 28, 28)))).numel()
            self.out = nn.Linear(in_features, 10)

        def forward(self, x):
            return self.out(self.conv3(self.conv2(self.conv1(x))).flatten(1))

    with torch.random.fork_rng(devices=[]):  # building it leaves the notebook's random state alone
        return ThreeBlockCNN()


def _as_shape(value, what: str) -> tuple[int, ...]:
    from numbers import Integral

    shape = tuple(_as_items(value, tr("{what} should be a tuple of ints such as (16, 14, 14)", what=what)))
    if not all(isinstance(s, Integral) and not isinstance(s, bool) for s in shape):
        raise hint(tr("{what} should be a tuple of ints such as (16, 14, 14), got {value!r}", what=what,
                      value=value))
    return tuple(int(s) for s in shape)


def check_third_block_shape(shape) -> str:
    """Exercise 06-3: predict the shape the feature-map explorer shows for ``conv3`` after its max pooling.

    Args:
        shape: the student's (C, H, W) of one digit's maps after conv3's ``MaxPool2d``.

    Returns:
        The confirmation, when right; it tells the student where to look in the explorer.

    Raises:
        WrongAnswer: with a hint naming the likely mistake.

    Example:
        >>> check_third_block_shape((64, 3, 3))
        Correct! ...
        'Correct! ...'
    """
    import torch

    from ..widgets import feature_map_stages

    answer = _as_shape(shape, "shape")
    stages = feature_map_stages(three_block_cnn(), torch.zeros(1, 28, 28))  # what the explorer computes
    expected = tuple(stages["conv3"]["MaxPool2d"].shape)
    channels, height, width = expected
    before_pool = tuple(stages["conv3"]["Conv2d"].shape)
    # the explorer's own labels, in the current language
    look = tr("Set the explorer below to {block} conv3, {after} MaxPool2d, and look at the shape it shows.",
              block=tr("block"), after=tr("after"))
    if answer == expected:
        return correct(tr("conv3 keeps 7 × 7 (3 × 3 kernel, padding 1) and the pooling rounds 7 / 2 down to "
                          "{height}: {channels} maps of {height} × {width}. {look}", height=height,
                          channels=channels, width=width, look=look))
    if len(answer) != 3:
        raise hint(tr("give one digit's maps as (channels, height, width), three numbers, got {count}. {look}",
                      count=len(answer), look=look))
    if answer[1:] == (height + 1, width + 1):
        raise hint(tr("MaxPool2d(2) rounds down: a 7 × 7 map gives 7 // 2 = {height} rows and columns (the last "
                      "row and column are dropped). {look}", height=height, look=look))
    if answer[1:] == before_pool[1:]:
        raise hint(tr("that is conv3's output before its pooling; the MaxPool2d(2) halves it. {look}", look=look))
    if answer[1:] == (2, 2) or answer[1:] == (1, 1):
        raise hint(tr("padding 1 keeps a 3 × 3 convolution's output at 7 × 7; only the pooling shrinks it. {look}",
                      look=look))
    if answer[0] != channels:
        raise hint(tr("conv3 has {channels} kernels, so it makes {channels} maps (the channels). {look}",
                      channels=channels, look=look))
    raise hint(tr("follow one digit: conv2 hands over (32, 7, 7); conv3 (3 × 3, padding 1) then MaxPool2d(2). "
                  "{look}", look=look))


def _three_block_numbers():
    from torch import nn

    from ..model import count_parameters
    from ..receptive_field import receptive_field

    model = three_block_cnn()
    rows = receptive_field(nn.Sequential(*model.conv1, *model.conv2, *model.conv3), (1, 28, 28))
    return model, count_parameters(model), rows[-1].rf_size[0]


def check_third_block_numbers(answers) -> str:
    """Exercise 06-4: the third-block model's parameter count and receptive field, and a recorded accuracy guess.

    Args:
        answers: a dict with ``"parameters"`` (weights and biases of the whole model),
            ``"rf_size"`` (the receptive field of one unit after conv3's pooling, one side, in
            pixels) and ``"accuracy_guess"`` (a validation accuracy between 0 and 1; not graded).

    Returns:
        The confirmation, when parameters and rf_size are right; it repeats the guess.

    Raises:
        WrongAnswer: with a hint naming the likely mistake.

    Example:
        >>> answers = {"parameters": 37_514, "rf_size": 28, "accuracy_guess": 0.98}
        >>> check_third_block_numbers(answers).startswith("Correct!")
        Correct! ...
        True
    """
    import math

    keys = ("parameters", "rf_size", "accuracy_guess")
    if not isinstance(answers, dict) or set(answers) != set(keys):
        raise hint(tr("give a dict with the keys {keys}, e.g. {{'parameters': 1000, 'rf_size': 10, "
                      "'accuracy_guess': 0.9}}, got {answers!r}", keys=list(keys), answers=answers))
    parameters = _as_count(answers["parameters"], "parameters")
    rf_size = _as_count(answers["rf_size"], "rf_size")
    guess = answers["accuracy_guess"]
    guess = guess.item() if getattr(guess, "ndim", None) == 0 and hasattr(guess, "item") else guess
    if isinstance(guess, bool) or not isinstance(guess, (int, float)) or not math.isfinite(guess) \
            or not 0 <= guess <= 1:
        raise hint(tr("accuracy_guess should be a fraction between 0 and 1 (0.95 for 95%), got {guess!r}; "
                      "any guess is fine, it is not graded", guess=guess))
    model, expected, expected_rf = _three_block_numbers()
    out = model.out
    conv3 = model.conv3[0]
    linear = out.weight.numel() + out.bias.numel()
    course = 28_938
    if parameters != expected:
        if parameters == expected - sum(m.bias.numel() for m in (model.conv1[0], model.conv2[0], conv3, out)):
            raise hint(tr("you counted the weights only; every convolution kernel and every Linear output also has "
                          "a bias"))
        if parameters == expected - linear + (64 * 7 * 7 * 10 + 10):
            raise hint(tr("the Linear layer sees conv3's maps after the pooling: 64 maps of 3 × 3, not 7 × 7"))
        if parameters == expected - linear + (64 * 4 * 4 * 10 + 10):
            raise hint(tr("MaxPool2d(2) rounds 7 / 2 down to 3: the Linear layer has 64·3·3 inputs"))
        if parameters == expected - linear + 15_690:
            raise hint(tr("the Linear layer changes too: it now takes conv3's 64·3·3 outputs, not 32·7·7"))
        if parameters == conv3.weight.numel() + conv3.bias.numel() + linear:
            raise hint(tr("that is conv3 and the new Linear layer only; count the whole model, conv1 and conv2 too"))
        if parameters == course:
            raise hint(tr("that is the two-block course model; add conv3 and resize the Linear layer"))
        raise hint(tr("count each layer: a Conv2d has out·in·k·k weights and out biases, a Linear in·out weights "
                      "and out biases; the new Linear takes 64·3·3 inputs"))
    if rf_size != expected_rf:
        if rf_size == 16:
            raise hint(tr("16 is the course model's receptive field after conv2's pooling; conv3 and its pooling "
                          "add to it"))
        if rf_size == 24:
            raise hint(tr("24 is the receptive field after conv3 itself; its MaxPool2d(2) adds (2 − 1)·4 more"))
        if rf_size == 32:
            raise hint(tr("the pooling's growth uses the jump before it: r = r + (k − 1)·j with j = 4 (the jump of "
                          "conv3's input), not 8"))
        if rf_size == 5 + 2 + 5 + 2 + 3 + 2:
            raise hint(tr("adding the kernel sizes ignores the jump: each layer adds (k − 1)·j, and j doubles after "
                          "every pooling"))
        if rf_size == 1 + 4 + 1 + 4 + 1 + 2 + 1:  # every jump taken as 1
            raise hint(tr("each layer adds (k − 1)·j, where the jump j is the product of the strides before it "
                          "(1, 2, then 4): you used j = 1 throughout"))
        raise hint(tr("go layer by layer from r = 1, j = 1: r = r + (k − 1)·j, then j = j·stride; conv1 5, pool 6, "
                      "conv2 14, pool 16, then conv3 and its pooling"))
    return correct(tr("{expected:,} parameters ({difference:+,} against the course model: conv3 adds {conv3:,}, "
                      "the Linear layer shrinks to {linear:,}); each unit after conv3's pooling sees {rf} × {rf} "
                      "pixels, the whole digit. Your accuracy guess, {guess:.1%}, is recorded: train the model below "
                      "and compare.", expected=expected, difference=expected - course,
                      conv3=conv3.weight.numel() + conv3.bias.numel(), linear=linear, rf=expected_rf, guess=guess))

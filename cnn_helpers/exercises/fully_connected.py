"""Checkers for notebook 05, fully connected: flatten order, sizing the Linear layer, the shape explorer, softmax."""

from __future__ import annotations

from ..language import foreign, tr
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
        return correct(tr("flatten keeps the row-major order of PyTorch: c·(7·7) + h·7 + w = {c}·49 + {h}·7 + {w} "
                          "= {expected}.", c=c, h=h, w=w, expected=expected))
    if answer == c * height * width + w * width + h:
        raise hint(tr("rows and columns are swapped: h (the row) is multiplied by the width 7, w is added."))
    if answer == (h * width + w) * channels + c:
        raise hint(tr("that is the channels-last order (H, W, C) of an image file; PyTorch tensors are "
                      "(C, H, W), so the channel is the slowest index: c·49 + h·7 + w."))
    if answer == expected + 1:
        raise hint(tr("off by one: indices start at 0, so element (0, 0, 0) is at position 0."))
    if answer == c * 7 + h * 7 + w:
        raise hint(tr("each channel holds 7·7 = 49 values, so moving one channel on moves 49 positions, not 7."))
    raise hint(tr("count how many values come before it: c whole channels of 7·7, then h whole rows of 7, "
                  "then w values."))


BUILD_MODEL_CASES = ((28, 5, 2), (32, 3, 0), (30, 5, 1), (36, 3, 1), (20, 5, 0))  # ex05-2: (input_size, k, p)


def _size_after(size: int, kernel_size: int, padding: int, *, pools=(True, True), conv=None, pool=None) -> int:
    """Side of the map after the two blocks; ``conv``/``pool`` replace the output-size formula (for mistakes)."""
    conv = conv or (lambda n: (n + 2 * padding - kernel_size) // 1 + 1)
    pool = pool or (lambda n: (n - 2) // 2 + 1)
    for pooled in pools:
        size = conv(size)
        if pooled:
            size = pool(size)
    return size


def _in_features_mistakes(s: int, k: int, p: int) -> list[tuple[int, str]]:
    """(in_features a typical mistake gives, its hint) for the course-style model on ``s`` × ``s`` inputs."""
    import math

    right = _size_after(s, k, p)
    mistakes = [
        (32 * _size_after(s, k, p, pools=(True, False)) ** 2,
         tr("you forgot a pooling: each block ends with MaxPool2d(2), which halves the size (rounding down)")),
        (32 * _size_after(s, k, p, pools=(False, False)) ** 2,
         tr("you forgot the poolings: each block ends with MaxPool2d(2), which halves the size (rounding down)")),
        (32 * _size_after(s, k, p, conv=lambda n: n) ** 2,
         tr("padding ignored: a convolution keeps the size only when 2·padding = kernel_size − 1; use "
            "H + 2·padding − kernel_size + 1")),
        (32 * _size_after(s, k, p, conv=lambda n: n - k + 1) ** 2,
         tr("padding ignored: the convolution's output is H + 2·padding − kernel_size + 1, the padding adds "
            "2·padding")),
        (32 * _size_after(s, k, p, conv=lambda n: n + 2 * p - k) ** 2,
         tr("off by one: a convolution's output is H + 2·padding − kernel_size + 1 (do not forget the + 1)")),
        (32 * _size_after(s, k, p, pool=lambda n: math.ceil(n / 2)) ** 2,
         tr("MaxPool2d(2) rounds down: an odd size n gives n // 2, not ⌈n / 2⌉")),
        (right ** 2, tr("multiply by the number of channels: the Linear layer sees all 32 maps of conv2")),
        (16 * right ** 2, tr("conv2 has 32 output channels, not 16")),
    ]
    return [(value, text) for value, text in mistakes if value != 32 * right ** 2]


def _linear_of(model):
    from torch import nn

    linears = [m for m in model.modules() if isinstance(m, nn.Linear)]
    return linears[-1] if linears else None


def _all_in_features(build_model) -> set:
    """The Linear layer's in_features of the student's model for every case (those that build)."""
    sizes = set()
    for case in BUILD_MODEL_CASES:
        try:
            sizes.add(_linear_of(build_model(*case)).in_features)
        except Exception:  # noqa: BLE001  (only a diagnosis: a case that fails to build is reported elsewhere)
            sizes.add(None)
    return sizes


def check_build_model(build_model) -> str:
    """Exercise 05-2: ``build_model(input_size, kernel_size, padding)`` sizes the Linear layer of a course-style CNN.

    The checker builds the student's model for several input sizes, kernel sizes and paddings,
    runs a batch of 2 through each, and names the first mistake in ``in_features`` it sees.

    Args:
        build_model: the student's function, returning the course model's layers
            (two blocks of Conv2d → ReLU → MaxPool2d(2), 16 and 32 channels, then Flatten and
            Linear(in_features, 10)) for square inputs of ``input_size``.

    Returns:
        The confirmation, when right.

    Raises:
        WrongAnswer: with a hint naming the likely mistake.
        NotImplementedError: the unfilled stub, passed through.

    Example:
        >>> from torch import nn
        >>> def build_model(input_size, kernel_size, padding):
        ...     size = input_size
        ...     for _ in range(2):
        ...         size = (size + 2 * padding - kernel_size + 1) // 2
        ...     return nn.Sequential(nn.Conv2d(1, 16, kernel_size, padding=padding), nn.ReLU(), nn.MaxPool2d(2),
        ...                          nn.Conv2d(16, 32, kernel_size, padding=padding), nn.ReLU(), nn.MaxPool2d(2),
        ...                          nn.Flatten(), nn.Linear(32 * size * size, 10))
        >>> check_build_model(build_model)
        Correct! ...
        'Correct! ...'
    """
    import torch
    from torch import nn

    if not callable(build_model):
        raise hint(tr("build_model should be a function, got {function!r} of type {kind}", function=build_model,
                      kind=type(build_model).__name__))
    for s, k, p in BUILD_MODEL_CASES:
        case = f"build_model({s}, {k}, {p})"  # code: the same in every language
        try:
            model = build_model(s, k, p)
        except NotImplementedError:
            raise
        except (TypeError, ValueError, RuntimeError) as error:
            if "float" in str(error) or "must be" in str(error):
                raise hint(tr("{call} raised {kind}: {error}. in_features must be a whole number: use // (floor "
                              "division), not /", call=case, kind=type(error).__name__,
                              error=foreign(error))) from error
            raise hint(tr("{call} raised {kind}: {error}", call=case, kind=type(error).__name__,
                          error=foreign(error))) from error
        except Exception as error:
            raise hint(tr("{call} raised {kind}: {error}", call=case, kind=type(error).__name__,
                          error=foreign(error))) from error
        if not isinstance(model, nn.Module):
            raise hint(tr("{call} should return the model (an nn.Module), got {kind}", call=case,
                          kind=type(model).__name__))
        linear = _linear_of(model)
        if linear is None:
            raise hint(tr("the model of {call} has no nn.Linear layer", call=case))
        with torch.no_grad():
            features = nn.Sequential(*list(model.children())[:-1]) if isinstance(model, nn.Sequential) else None
            try:
                expected = features(torch.zeros(2, 1, s, s)).shape[1] if features is not None else None
            except RuntimeError as error:
                raise hint(tr("the layers of {call} fail before the Linear layer: {error}", call=case,
                              error=foreign(error))) from error
            if expected is not None and linear.in_features != expected:
                if len(_all_in_features(build_model)) == 1:
                    raise hint(tr("{call}: in_features {in_features:,} for every input size, kernel_size and "
                                  "padding, but conv2 hands over {expected:,} values per image here; compute it "
                                  "from the arguments (32·7·7 is right only for 28 × 28, 5 × 5, padding 2)",
                                  call=case, in_features=linear.in_features, expected=expected))
                for value, text in _in_features_mistakes(s, k, p):
                    if linear.in_features == value:
                        raise hint(tr("{call}: in_features {in_features:,}, but conv2 hands over {expected:,} "
                                      "values per image. {mistake}", call=case, in_features=linear.in_features,
                                      expected=expected, mistake=text))
                raise hint(tr("{call}: in_features {in_features:,}, but conv2 hands over {expected:,} values "
                              "per image; follow the size through conv, pool, conv, pool with "
                              "⌊(H + 2·padding − kernel_size) / stride⌋ + 1, then multiply by the 32 channels",
                              call=case, in_features=linear.in_features, expected=expected))
            try:
                out = model(torch.zeros(2, 1, s, s))
            except RuntimeError as error:
                raise hint(tr("a batch of 2 images of {s} × {s} fails in the model of {call}: {error}", s=s,
                              call=case, error=foreign(error))) from error
        if tuple(out.shape) != (2, 10):
            raise hint(tr("the model of {call} should give (2, 10) logits for a batch of 2, got {shape}",
                          call=case, shape=tuple(out.shape)))
    return correct(tr("in_features follows the size through both blocks for every case tried ({cases} as "
                      "input/kernel/padding), and a batch runs through each model to its (2, 10) logits.",
                      cases=", ".join(f"{s}/{k}/{p}" for s, k, p in BUILD_MODEL_CASES)))


EXPLORER_SETTING = {"input_size": 36, "blocks": 3, "kernel_size": 3, "padding": 0, "pool": "max"}  # ex05-3


def check_explorer_in_features(in_features) -> str:
    """Exercise 05-3: predict the in_features the shape explorer shows for ``EXPLORER_SETTING``.

    Args:
        in_features: the student's prediction.

    Returns:
        The confirmation, when right; it tells the student to set the sliders and look.

    Raises:
        WrongAnswer: with a hint naming the likely mistake.

    Example:
        >>> check_explorer_in_features(64 * 2 * 2).startswith("Correct!")
        Correct! ...
        True
    """
    import math

    from ..widgets import SHAPE_CHANNELS, trace_course_style_model

    setting = EXPLORER_SETTING
    answer = _as_count(in_features, "in_features")
    trace = trace_course_style_model(**setting)  # what the explorer shows
    flat = next(i for i, row in enumerate(trace) if len(row.output_shape) == 1)
    channels, side, _ = trace[flat - 1].output_shape
    expected = trace[flat].output_shape[0]
    # the explorer's own labels, in the current language
    look = tr("Now set the shape explorer of section 7 to {input_size} {size}, {blocks} {count}, {kernel_size} {k}, "
              "{padding} {p}, {pooling} {pool}, and read the row '{row}'.", input_size=tr("input size"),
              blocks=tr("conv blocks"), kernel_size=tr("kernel_size"), padding=tr("padding"), pooling=tr("pooling"),
              pool={"max": tr("max"), "avg": tr("avg")}.get(setting["pool"], setting["pool"]),
              row=tr("Linear in_features"), size=setting["input_size"], count=setting["blocks"],
              k=setting["kernel_size"], p=setting["padding"])

    def side_after(conv, pool, blocks=3):
        size = setting["input_size"]
        for _ in range(blocks):
            size = pool(conv(size))
        return size

    def valid(n):
        return n - setting["kernel_size"] + 1

    def floor_half(n):
        return n // 2

    if answer == expected:
        return correct(tr("36 → 34 → 17 → 15 → 7 → 5 → 2: the third block has {channels} channels, so "
                          "{channels}·{side}·{side} = {expected}. {look}", channels=channels, side=side,
                          expected=expected, look=look))
    mistakes = [
        (channels * side_after(lambda n: n, floor_half) ** 2,
         tr("padding 0: a 3 × 3 convolution shrinks the map by kernel_size − 1 = 2 each time")),
        (channels * side_after(valid, lambda n: math.ceil(n / 2)) ** 2,
         tr("MaxPool2d(2) rounds down: 17 // 2 = 8... check each odd size: 15 // 2 = 7, 5 // 2 = 2")),
        (channels * side_after(valid, lambda n: n) ** 2,
         tr("each block ends with a 2 × 2 pooling that halves the size")),
        (channels * side_after(valid, floor_half, blocks=2) ** 2, tr("there are three blocks, not two")),
        (SHAPE_CHANNELS[1] * side ** 2,
         tr("the third block has {channels} channels (16, 32, 64, 128 for blocks 1–4)", channels=channels)),
        (side ** 2, tr("multiply by the channels: the Linear layer sees all {channels} maps", channels=channels)),
    ]
    for value, text in mistakes:
        if answer == value:
            raise hint(tr("{mistake}. {look}", mistake=text, look=look))
    raise hint(tr("follow the side through three blocks of conv (3 × 3, padding 0) then MaxPool2d(2): "
                  "⌊(H + 2·padding − kernel_size) / stride⌋ + 1, then multiply by the last block's channels. {look}",
                  look=look))


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
        raise TypeError(tr("logits must be a (N, classes) tensor, got {kind}", kind=type(logits).__name__)) from None
    if logits.dim() != 2:
        raise ValueError(tr("logits must be a (N, classes) tensor, got shape {shape}", shape=tuple(logits.shape)))
    if isinstance(probabilities, torch.Tensor):
        answer = probabilities.detach().float()
    else:
        try:
            answer = torch.as_tensor(probabilities, dtype=torch.float32)
        except (TypeError, ValueError, RuntimeError):
            raise hint(tr("probabilities should be a tensor of shape {shape}, got {kind}", shape=tuple(logits.shape),
                          kind=type(probabilities).__name__)) from None
    if answer.shape != logits.shape:
        raise hint(tr("probabilities should have the shape of the logits, {shape}: one row per example, one column "
                      "per class; got {got}", shape=tuple(logits.shape), got=tuple(answer.shape)))
    expected = torch.softmax(logits, dim=1)

    def same(other):
        return torch.allclose(answer, other, atol=1e-5)

    if same(expected):
        return correct(tr("softmax over dim=1 (the classes): every row is positive and sums to 1, and its largest "
                          "entry is where the largest logit was."))
    if same(torch.softmax(logits, dim=0)):
        raise hint(tr("softmax over dim=0 makes each column (class) sum to 1 across the batch. The batch is the "
                      "first (outer) dimension, 0 (the source text's 高维), and the classes the last (inner) one, 1 "
                      "(its 低位): use dim=1."))
    if same(torch.exp(logits)):
        raise hint(tr("exp makes the values positive; divide each row by its sum so that it sums to 1."))
    if same(logits / logits.sum(dim=1, keepdim=True)):
        raise hint(tr("dividing the logits by their sum does not give probabilities (logits can be negative); "
                      "take exp first: softmax = exp(z) / sum(exp(z))."))
    if same(torch.sigmoid(logits)):
        raise hint(tr("sigmoid scores each class on its own and the rows do not sum to 1; use softmax over dim=1."))
    if same(torch.log_softmax(logits, dim=1)):
        raise hint(tr("that is log_softmax (log-probabilities, all negative); take softmax instead."))
    raise hint(tr("softmax(z)_j = exp(z_j) / Σ_k exp(z_k), over the classes of each row: "
                  "torch.softmax(logits, dim=1)."))

"""The benchmark of ``fit`` against a bare PyTorch loop doing the same work (``make bench``)."""

from __future__ import annotations

import math
import statistics
import time
from typing import NamedTuple

import torch
import torch.nn.functional as F
from torch import nn

from .._validation import check_int
from .batches import _tensors, random_shift
from .fitting import fit
from .live_plot import LivePlot
from .settings import DEFAULTS


class ThroughputComparison(NamedTuple):
    """Median seconds of ``fit`` and of a bare loop doing the same work, and their ratio."""

    fit_seconds: float
    bare_seconds: float
    ratio: float  # fit throughput / bare-loop throughput: median over ABBA repeats of bare time / fit time
    images_per_run: int
    same_weights: bool  # both runs ended with bit-identical parameters: same model and batches


def _bare_loop(model, images, labels, epochs, batch_size, lr, max_shift) -> None:
    """What a student would write by hand: no progress bar, no plot, no History."""
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    steps = epochs * math.ceil(len(images) / batch_size)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=lr, total_steps=steps)
    model.train()
    for _ in range(epochs):
        order = torch.randperm(len(images))
        for start in range(0, len(images), batch_size):
            index = order[start:start + batch_size]
            x = random_shift(images[index], max_shift)
            loss = F.cross_entropy(model(x), labels[index])
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            scheduler.step()


class _NoDisplay:
    """Stands in for a notebook's display: LivePlot still renders every picture, nothing shows it."""

    def __call__(self, picture, display_id=True):
        return self

    def update(self, picture) -> None:
        pass


def compare_fit_throughput(repeats: int = 3, epochs: int = DEFAULTS["epochs"], model_factory=None,
                           train=None) -> ThroughputComparison:
    """Time ``fit`` against a bare PyTorch loop of the same model and batches, in one run.

    Each run seeds torch, builds a fresh model and trains it, either with a bare loop
    (shuffle, shift, forward, loss, backward, Adam step, one-cycle step: nothing else) or
    with ``fit`` with its progress bar on (output discarded) and its live plot rendered to
    PNG after every epoch as in a notebook. Both therefore see identical batches, which the
    returned ``same_weights`` confirms. Times are wall clock.

    A repeat runs bare, fit, fit, bare (ABBA): a machine that speeds up or slows down
    steadily during the repeat slows both sums alike, so the repeat's ratio (bare seconds
    / fit seconds, summed) is free of that drift; ``ratio`` is the median over repeats.
    On a shared machine single runs vary by 5-10%, back-to-back pairs still by about 5%.

    Args:
        repeats: ABBA repeats (>= 1), four runs each.
        epochs: epochs per run; default the course's run (``COURSE_SETTINGS["bundled"]``), so
            what fit does once per run (building its figure) weighs as much as in notebook 06.
        model_factory: builds the model; default ``SeedCNN``.
        train: the training set; default the bundled MNIST training set.

    Returns:
        A :class:`ThroughputComparison`; ``ratio`` >= 0.95 means fit costs at most ~5% more.

    Example:
        >>> import torch
        >>> from torch.utils.data import TensorDataset
        >>> data = TensorDataset(torch.rand(16, 1, 28, 28), torch.arange(16) % 10)
        >>> compare_fit_throughput(repeats=1, epochs=1, train=data).same_weights
        True
    """
    import contextlib
    import io

    from ..data import load_mnist
    from ..model import SeedCNN

    repeats, epochs = check_int(repeats, "repeats", minimum=1), check_int(epochs, "epochs", minimum=1)
    model_factory = SeedCNN if model_factory is None else model_factory
    train = load_mnist().train if train is None else train
    images, labels = _tensors(train)
    settings = {k: DEFAULTS[k] for k in ("batch_size", "lr", "max_shift")}

    def run_bare(seed: int):
        torch.manual_seed(seed)
        model = model_factory()
        start = time.perf_counter()
        _bare_loop(model, images, labels, epochs, **settings)
        return time.perf_counter() - start, model

    def run_fit(seed: int):
        torch.manual_seed(seed)
        model = model_factory()
        plot = LivePlot(epochs, show=_NoDisplay())
        start = time.perf_counter()
        with contextlib.redirect_stderr(io.StringIO()):
            fit(model, train, epochs=epochs, device="cpu", live_plot=plot, **settings)
        return time.perf_counter() - start, model

    def same_weights(a: nn.Module, b: nn.Module) -> bool:
        return all(torch.equal(x, y) for x, y in zip(a.state_dict().values(), b.state_dict().values(), strict=True))

    fit_times, bare_times, ratios, same = [], [], [], True
    for repeat in range(repeats):
        (bare_1, bare_model), (fit_1, fit_model) = run_bare(2 * repeat), run_fit(2 * repeat)
        same = same and same_weights(bare_model, fit_model)
        (fit_2, fit_model), (bare_2, bare_model) = run_fit(2 * repeat + 1), run_bare(2 * repeat + 1)
        same = same and same_weights(bare_model, fit_model)
        bare_times += [bare_1, bare_2]
        fit_times += [fit_1, fit_2]
        ratios.append((bare_1 + bare_2) / (fit_1 + fit_2))
    return ThroughputComparison(statistics.median(fit_times), statistics.median(bare_times),
                                statistics.median(ratios), epochs * len(images), same)

"""Training the course model: ``fit``, ``evaluate``, ``predict``, a ``History``, checkpoints.

``fit`` trains with Adam under a one-cycle learning-rate schedule (Smith & Topin 2017,
"Super-Convergence"), shows a ``tqdm.auto`` progress bar, and in a notebook a loss/accuracy
figure that is displayed once and updated in place after every epoch (so the stored
notebook keeps the final figure, and nbval compares it like any other output).

Importing this module does not import matplotlib, IPython or ipywidgets; ``fit`` imports
them (and ``tqdm.auto``) when it needs them.

Submodules, each importing only from those above it; everything is re-exported here, so
``from cnn_helpers.train import fit`` works:

- ``settings``: ``COURSE_SETTINGS`` for each data source (with the measurements behind them), ``DEFAULTS``.
- ``results``: ``History`` (one entry per epoch) and ``Evaluation`` (loss, accuracy).
- ``batches``: batches of a dataset on a device, and ``random_shift`` (the augmentation).
- ``evaluation``: ``evaluate`` and ``predict``.
- ``live_plot``: ``LivePlot``, the figure redrawn after every epoch, and the progress bar.
- ``fitting``: ``fit``.
- ``checkpoints``: ``save_checkpoint`` and ``load_checkpoint``.
- ``throughput``: ``compare_fit_throughput``, fit against a bare PyTorch loop (``make bench``).
- ``reference``: ``load_reference_model``, the course model trained once and shipped (notebook 06).

Example:
    >>> import torch
    >>> from torch.utils.data import TensorDataset
    >>> from cnn_helpers.model import SeedCNN
    >>> _ = torch.manual_seed(0)
    >>> data = TensorDataset(torch.rand(20, 1, 28, 28), torch.randint(0, 10, (20,)))
    >>> history = fit(SeedCNN(), data, data, epochs=2, batch_size=10, progress=False, live_plot=False)
    >>> history.epochs, len(history.validation_accuracy)
    (2, 2)
"""

from .batches import _batches as _batches  # used by tests/test_train.py
from .batches import random_shift
from .checkpoints import CHECKPOINT_FORMAT, CHECKPOINT_VERSION, load_checkpoint, save_checkpoint
from .evaluation import evaluate, predict
from .fitting import fit
from .live_plot import LivePlot
from .reference import load_reference_model
from .results import Evaluation, History
from .settings import COURSE_SETTINGS, DEFAULTS, SCHEDULES
from .throughput import ThroughputComparison, compare_fit_throughput

__all__ = [
    # settings
    "COURSE_SETTINGS", "DEFAULTS", "SCHEDULES",
    # results
    "History", "Evaluation",
    # batches
    "random_shift",
    # evaluation
    "evaluate", "predict",
    # live_plot
    "LivePlot",
    # fitting
    "fit",
    # checkpoints
    "CHECKPOINT_FORMAT", "CHECKPOINT_VERSION", "save_checkpoint", "load_checkpoint",
    # throughput
    "ThroughputComparison", "compare_fit_throughput",
    # reference
    "load_reference_model",
]

"""Train the reference model that notebook 06 studies, and save it into the package.

Usage: python tools/train_reference.py   (run after changing COURSE_SETTINGS or the model)

The same steps as notebook 06's training cell: ``set_seed()``, a fresh course model, then
``fit`` with ``COURSE_SETTINGS["bundled"]`` on the bundled training digits, measured on the
validation digits after each epoch. On the computer that wrote the file, the notebook's live
run gives the same weights bit for bit; elsewhere it lands within the band of
docs/settings_search.md. Writes cnn_helpers/train/reference_course_cnn.pt (about 120 kB).
"""

from __future__ import annotations

import torch

from cnn_helpers.data import load_mnist
from cnn_helpers.env import NOTEBOOK_SEED, set_seed
from cnn_helpers.model import SeedCNN
from cnn_helpers.train import COURSE_SETTINGS, fit, save_checkpoint
from cnn_helpers.train.reference import REFERENCE_CHECKPOINT


def main() -> None:
    train, validation, _ = load_mnist()  # the test digits are not touched here
    settings = COURSE_SETTINGS["bundled"]
    set_seed(NOTEBOOK_SEED)
    model = SeedCNN()
    history = fit(model, train, validation, device="cpu", progress=False, live_plot=False, **settings)
    save_checkpoint(model, REFERENCE_CHECKPOINT, source="bundled", seed=NOTEBOOK_SEED, settings=dict(settings),
                    train_loss=history.train_loss, validation_loss=history.validation_loss,
                    validation_accuracy=history.validation_accuracy, torch=torch.__version__,
                    cpu_capability=torch.backends.cpu.get_cpu_capability())
    print(history)
    print(f"wrote {REFERENCE_CHECKPOINT} ({REFERENCE_CHECKPOINT.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()

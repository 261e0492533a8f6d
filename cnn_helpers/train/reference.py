"""The reference model: the course model trained once with ``COURSE_SETTINGS["bundled"]``, shipped as a file.

Training is reproducible on one computer but not across computers: PyTorch picks its CPU
kernels by processor (``ATEN_CPU_CAPABILITY``, oneDNN), the sums inside them run in another
order, and the last digits of every weight differ after the first step; after 440 steps two
runs disagree on a few digits of the test set. Notebook 06 trains a model live (its numbers
vary by CPU within a measured band) and studies this shipped model, so that every number the
text quotes about the trained model is the same on every computer. ``tools/train_reference.py``
wrote the file with exactly the notebook's seed and settings.
"""

from __future__ import annotations

from pathlib import Path

REFERENCE_CHECKPOINT = Path(__file__).with_name("reference_course_cnn.pt")


def load_reference_model():
    """The shipped trained course model and what is recorded about its training.

    Returns:
        ``(model, metadata)``: a ``SeedCNN`` in eval mode on the CPU with the trained weights,
        and the metadata ``tools/train_reference.py`` saved with them (``source``, ``seed``,
        ``settings``, the per-epoch ``train_loss``, ``validation_loss`` and
        ``validation_accuracy``, and the ``torch`` version and ``cpu_capability`` it ran on).

    Raises:
        FileNotFoundError: the file is missing from this installation of the package.
        ValueError: the file is damaged (its checksum does not match).

    Example:
        >>> model, facts = load_reference_model()
        >>> facts["source"], facts["settings"]["epochs"], model.training
        ('bundled', 8, False)
    """
    from ..model import SeedCNN
    from .checkpoints import load_checkpoint

    model = SeedCNN()
    metadata = load_checkpoint(REFERENCE_CHECKPOINT, model)
    return model.eval(), metadata

"""What training measures: a :class:`History` of every epoch, an :class:`Evaluation` of a dataset."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple


def _rounded(values: list[float], digits: int = 4) -> list[float]:
    return [round(v, digits) for v in values]


@dataclass(repr=False)
class History:
    """What ``fit`` measured, one entry per epoch.

    Attributes:
        train_loss: mean cross-entropy over the training batches of each epoch (with the
            augmentation and label smoothing used for training).
        validation_loss: mean cross-entropy on the validation set after each epoch (empty
            without one).
        validation_accuracy: fraction of validation images classified correctly after each
            epoch, in [0, 1]. The test set is not measured while training: settings are
            chosen on validation data, and the test set is measured once, at the end.

    Example:
        >>> History([0.51234, 0.2], [0.3, 0.25], [0.9, 0.95])
        History(epochs=2, train_loss=[0.5123, 0.2], validation_loss=[0.3, 0.25], validation_accuracy=[0.9, 0.95])
    """

    train_loss: list[float] = field(default_factory=list)
    validation_loss: list[float] = field(default_factory=list)
    validation_accuracy: list[float] = field(default_factory=list)

    @property
    def epochs(self) -> int:
        """How many epochs have been recorded."""
        return len(self.train_loss)

    def __repr__(self) -> str:  # rounded, so a printed History reproduces in a notebook
        return (f"History(epochs={self.epochs}, train_loss={_rounded(self.train_loss)}, "
                f"validation_loss={_rounded(self.validation_loss)}, "
                f"validation_accuracy={_rounded(self.validation_accuracy)})")


class Evaluation(NamedTuple):
    """The loss and accuracy of a model on a dataset (unpacks as ``loss, accuracy``)."""

    loss: float
    accuracy: float

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
        test_loss: mean cross-entropy on the test set after each epoch (empty without a test set).
        test_accuracy: fraction of test images classified correctly after each epoch, in [0, 1].

    Example:
        >>> History([0.51234, 0.2], [0.3, 0.25], [0.9, 0.95])
        History(epochs=2, train_loss=[0.5123, 0.2], test_loss=[0.3, 0.25], test_accuracy=[0.9, 0.95])
    """

    train_loss: list[float] = field(default_factory=list)
    test_loss: list[float] = field(default_factory=list)
    test_accuracy: list[float] = field(default_factory=list)

    @property
    def epochs(self) -> int:
        """How many epochs have been recorded."""
        return len(self.train_loss)

    def __repr__(self) -> str:  # rounded, so a printed History reproduces in a notebook
        return (f"History(epochs={self.epochs}, train_loss={_rounded(self.train_loss)}, "
                f"test_loss={_rounded(self.test_loss)}, test_accuracy={_rounded(self.test_accuracy)})")


class Evaluation(NamedTuple):
    """The loss and accuracy of a model on a dataset (unpacks as ``loss, accuracy``)."""

    loss: float
    accuracy: float

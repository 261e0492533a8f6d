"""The checker of notebook 06's training-loop exercise: it watches the student's loop train a real model.

The student writes ``train_one_epoch(model, batches, optimizer)``: forward, cross-entropy
loss, backward and step for every batch, returning the epoch's mean loss. The checker runs
it on 1,024 bundled training digits (16 batches of 64) with the course model and records
what happens: which batches the loop takes, whether the model is in training mode at each
forward, when gradients arrive (a hook on the logits and one on a weight), when the
optimiser steps and what gradient it steps with. It names the first recognised mistake from
that record, compares the gradient reaching the logits with cross-entropy's by autograd, and
only then trains three epochs and asks for a falling loss and a validation-accuracy floor.
Everything runs under a fixed seed with the global random state restored afterwards; the
confirmation prints no measured number, so it reads the same on every CPU.
"""

from __future__ import annotations

from ..language import foreign, tr
from ._common import correct, hint

TRAINING_LOOP_EXERCISE = {"digits": 1024, "batch_size": 64, "epochs": 3, "lr": 3e-3, "validation": 500,
                          "accuracy_floor": 0.85}  # ex06-1


class _Record:
    """What happened during one call of the student's loop, in order."""

    def __init__(self):
        self.events = []  # (kind, batch index, detail)
        self.batch = -1
        self.logits, self.logit_grads = {}, {}  # batch -> first forward's logits / their gradient

    def add(self, kind, detail=None):
        self.events.append((kind, self.batch, detail))

    def kinds(self, kind):
        return [e for e in self.events if e[0] == kind]

    def first(self, kind, batch):
        return next((i for i, e in enumerate(self.events) if e[0] == kind and e[1] == batch), None)


class _Batches:
    """The batches handed to the student: a list that notes which batch the loop is on."""

    def __init__(self, pairs, record):
        self.pairs, self.record = pairs, record

    def __iter__(self):
        for index, pair in enumerate(self.pairs):
            self.record.batch = index
            self.record.add("batch")
            yield pair

    def __len__(self):
        return len(self.pairs)


def _spy_optimizer(parameters, lr, record):
    import torch

    class SpyAdam(torch.optim.Adam):
        def step(self, closure=None):
            grads = [p.grad for group in self.param_groups for p in group["params"]]
            record.add("step", any(g is not None and bool(g.abs().sum() > 0) for g in grads))
            return super().step(closure)

    return SpyAdam(parameters, lr=lr)


def _watch(model, record):
    """Hooks that log forwards (with the mode), gradients at the logits and on one weight, mode changes."""
    import torch

    original_train = model.train

    def train(mode=True):
        record.add("mode", bool(mode))
        return original_train(mode)

    model.train = train  # Module.eval() calls self.train(False), so it comes here too

    def forward_hook(module, inputs, output):
        record.add("forward", module.training)
        if isinstance(output, torch.Tensor) and output.requires_grad and record.batch not in record.logits:
            record.logits[record.batch] = output.detach().clone()
            batch = record.batch

            def logit_grad(grad):
                record.add("backward")
                record.logit_grads.setdefault(batch, grad.detach().clone())

            output.register_hook(logit_grad)

    model.register_forward_hook(forward_hook)
    weight = model.out.bias  # a leaf: its hook runs before the new gradient is added to .grad

    def weight_hook(grad):
        record.add("accumulating", weight.grad is not None and bool(weight.grad.abs().sum() > 0))

    weight.register_hook(weight_hook)


def _data():
    import torch

    from ..data import load_mnist

    settings = TRAINING_LOOP_EXERCISE
    train, validation, _ = load_mnist()
    images, labels = train.tensors
    images, labels = images[:settings["digits"]], labels[:settings["digits"]]
    size = settings["batch_size"]
    pairs = [(images[i:i + size], labels[i:i + size]) for i in range(0, len(labels), size)]
    v_images, v_labels = validation.tensors
    return pairs, (v_images[:settings["validation"]], v_labels[:settings["validation"]]), torch


def _call(train_one_epoch, model, batches, optimizer):
    try:
        return train_one_epoch(model, batches, optimizer)
    except NotImplementedError:
        raise  # an unfilled stub: the exercise is not answered yet
    except Exception as error:
        raise hint(tr("{call} raised {kind}: {error}", call="train_one_epoch(model, batches, optimizer)",
                      kind=type(error).__name__, error=foreign(error))) from error


def _as_loss(value):
    """The returned mean loss as a float, or None when it is not a number."""
    import math
    from numbers import Real

    if hasattr(value, "numel") and hasattr(value, "item") and getattr(value, "ndim", 1) == 0:
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, Real) or not math.isfinite(value):
        return None
    return float(value)


def _loss_hint(record, pairs):
    """A hint when the gradient at the logits is not cross-entropy's (softmax first, a sum, ...); else None."""
    import torch
    import torch.nn.functional as F

    logits, grad = record.logits[0], record.logit_grads[0]
    labels = pairs[0][1]

    def gradient_of(loss_of):
        z = logits.clone().requires_grad_(True)
        loss_of(z).backward()
        return z.grad

    def same(candidate):
        return torch.allclose(grad, candidate, rtol=1e-4, atol=1e-7)

    if same(gradient_of(lambda z: F.cross_entropy(z, labels))):
        return None
    if same(gradient_of(lambda z: F.cross_entropy(torch.softmax(z, dim=1), labels))):
        return tr("softmax before the loss: F.cross_entropy (and nn.CrossEntropyLoss) apply log-softmax "
                  "themselves, so give them the logits, model(images), not probabilities")
    if same(gradient_of(lambda z: F.cross_entropy(z, labels, reduction="sum"))):
        return tr("the loss is summed over the batch (reduction='sum'): its size grows with the batch; use the "
                  "mean, the default of F.cross_entropy")
    if same(gradient_of(lambda z: F.nll_loss(z, labels))):
        return tr("F.nll_loss wants log-probabilities; on logits use F.cross_entropy(logits, labels)")
    return tr("the gradient reaching the logits is not that of the cross-entropy of this batch; compute "
              "loss = F.cross_entropy(model(images), labels) with the batch's own labels")


def _mechanics_hint(record, pairs):
    """The first mistake in the order of events of one epoch, or None."""
    batches = len(pairs)
    forwards = record.kinds("forward")
    if not record.kinds("batch"):
        return tr("the loop never took a batch: write `for images, labels in batches:`")
    if not forwards:
        return tr("the model never ran: compute the scores with logits = model(images)")
    if any(not training for _, _, training in forwards):
        if any(e[2] is False for e in record.kinds("mode")):
            return tr("model.eval() during training: it switches dropout and batch normalisation to their "
                      "evaluation behaviour; call model.train() at the start, and eval() only to evaluate")
        return tr("the model was still in evaluation mode (evaluate() leaves it so): call model.train() at the "
                  "start of train_one_epoch")
    if len(record.kinds("batch")) < batches:
        return tr("the loop stopped early: it took {taken} of the {batches} batches",
                  taken=len(record.kinds("batch")), batches=batches)
    if not record.kinds("backward"):
        return tr("no gradients were computed: call loss.backward() after computing the loss (and before "
                  "optimizer.step())")
    steps = record.kinds("step")
    if not steps:
        return tr("the weights never changed: call optimizer.step() after loss.backward()")
    step, backward = record.first("step", 0), record.first("backward", 0)
    if step is not None and (backward is None or step < backward):
        return tr("step before backward: optimizer.step() ran before loss.backward(), so it used no gradient "
                  "(or the previous batch's); the order is zero_grad, forward, loss, backward, step")
    if any(e[2] for e in record.kinds("accumulating")[1:]):
        return tr("no zero_grad: backward adds to the gradients already stored, so every step used the sum of "
                  "all gradients so far; call optimizer.zero_grad() once per batch, before loss.backward()")
    if not any(e[2] for e in steps):
        return tr("every step found the gradients empty: zero_grad ran between loss.backward() and "
                  "optimizer.step(); clear the gradients before backward, not after it")
    if len(steps) != batches:
        return tr("one optimizer.step() per batch: there are {batches} batches, the loop stepped {steps} times",
                  batches=batches, steps=len(steps))
    return _loss_hint(record, pairs)


def _returned_hint(returned, record, pairs):
    import torch
    import torch.nn.functional as F

    losses = [F.cross_entropy(record.logits[i], pairs[i][1]).item() for i in range(len(pairs))]
    mean = sum(losses) / len(losses)
    loss = _as_loss(returned)
    if returned is None:
        return tr("train_one_epoch returned None; return the mean of the batches' losses (a float, loss.item())")
    if loss is None:
        return tr("train_one_epoch should return the epoch's mean loss as a number, got {returned!r} of type {kind}",
                  returned=returned, kind=type(returned).__name__)

    def near(value):
        return abs(loss - value) <= 1e-3 * max(1.0, abs(value))

    if near(mean):
        return None
    if near(losses[-1]):
        return tr("that is the last batch's loss; return the mean over all batches of the epoch")
    if near(sum(losses)):
        return tr("that is the sum of the batches' losses; divide by the number of batches for the mean")
    del torch
    return tr("the returned loss is not the mean of the batches' cross-entropy losses")


def check_training_loop(train_one_epoch) -> str:
    """Exercise 06-1: the student's ``train_one_epoch(model, batches, optimizer)`` trains the course model.

    Args:
        train_one_epoch: the student's function; it gets a model (in eval mode, as ``evaluate``
            leaves it), a list of ``(images, labels)`` batches and an Adam optimiser, trains one
            epoch and returns the mean loss.

    Returns:
        The confirmation, when right.

    Raises:
        WrongAnswer: with a hint naming the first mistake: no ``zero_grad``, ``eval()`` during
            training, softmax before the loss, step before backward, no backward, ...
        NotImplementedError: the unfilled stub, passed through.

    Example:
        >>> import torch.nn.functional as F
        >>> def train_one_epoch(model, batches, optimizer):
        ...     model.train()
        ...     total = 0.0
        ...     for images, labels in batches:
        ...         optimizer.zero_grad()
        ...         loss = F.cross_entropy(model(images), labels)
        ...         loss.backward()
        ...         optimizer.step()
        ...         total += loss.item()
        ...     return total / len(batches)
        >>> check_training_loop(train_one_epoch)
        Correct! ...
        'Correct! ...'
    """
    import torch

    if not callable(train_one_epoch):
        raise hint(tr("train_one_epoch should be a function, got {function!r} of type {kind}",
                      function=train_one_epoch, kind=type(train_one_epoch).__name__))
    pairs, (v_images, v_labels), _ = _data()
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # one thread: the same time on a busy machine, and nothing printed depends on it
    try:
        return _train_and_judge(train_one_epoch, pairs, v_images, v_labels)
    finally:
        torch.set_num_threads(threads)


def _train_and_judge(train_one_epoch, pairs, v_images, v_labels) -> str:
    import torch

    from ..model import SeedCNN

    settings = TRAINING_LOOP_EXERCISE
    with torch.random.fork_rng(devices=[]):  # the notebook's random state is left as it was
        torch.manual_seed(0)
        model = SeedCNN().eval()
        record = _Record()
        _watch(model, record)
        optimizer = _spy_optimizer(model.parameters(), settings["lr"], record)
        returned = _call(train_one_epoch, model, _Batches(pairs, record), optimizer)
        problem = _mechanics_hint(record, pairs) or _returned_hint(returned, record, pairs)
        if problem:
            raise hint(problem)
        losses = [_as_loss(returned)]
        for _ in range(settings["epochs"] - 1):
            model.eval()
            losses.append(_as_loss(_call(train_one_epoch, model, _Batches(pairs, _Record()), optimizer)))
        model.eval()
        with torch.no_grad():
            accuracy = (model(v_images).argmax(dim=1) == v_labels).float().mean().item()
    if not all(loss is not None for loss in losses) or not losses[-1] < 0.7 * losses[0]:
        raise hint(tr("the loss did not fall over three epochs; check that every batch is trained on once, "
                      "with its own labels"))
    if accuracy < settings["accuracy_floor"]:
        raise hint(tr("after three epochs the model reads fewer than {floor:.0%} of {validation} validation "
                      "digits; check the labels go with their images", floor=settings["accuracy_floor"],
                      validation=settings["validation"]))
    return correct(tr("forward, cross-entropy, backward and step, once per batch, in that order: over "
                      "{epochs} epochs on {digits:,} digits the loss fell and the model read more than {floor:.0%} "
                      "of {validation} validation digits.", epochs=settings["epochs"], digits=settings["digits"],
                      floor=settings["accuracy_floor"], validation=settings["validation"]))

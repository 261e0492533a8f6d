"""Notebook 06's checkers: the training loop (each classic mistake named), the third block's shape and numbers."""

import time

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from cnn_helpers.exercises import (
    WrongAnswer,
    check_third_block_numbers,
    check_third_block_shape,
    check_training_loop,
    three_block_cnn,
)


def loop(*, train=True, eval_inside=False, zero_grad=True, softmax=False, reduction="mean", step_first=False,
         backward=True, zero_after_backward=False, returns="mean"):
    """A train_one_epoch with the given mistakes switched on."""

    def train_one_epoch(model, batches, optimizer):
        if train:
            model.train()
        losses = []
        for images, labels in batches:
            if eval_inside:
                model.eval()
            if zero_grad and not zero_after_backward:
                optimizer.zero_grad()
            scores = model(images)
            if softmax:
                scores = torch.softmax(scores, dim=1)
            loss = nn.CrossEntropyLoss(reduction=reduction)(scores, labels)
            if step_first:
                optimizer.step()
            if backward:
                loss.backward()
            if zero_after_backward:
                optimizer.zero_grad()
            if not step_first:
                optimizer.step()
            losses.append(loss.item())
        return {"mean": sum(losses) / len(losses), "last": losses[-1], "sum": sum(losses), "none": None,
                "tensor": torch.tensor(sum(losses) / len(losses)), "nan": float("nan")}[returns]

    return train_one_epoch


def test_a_right_loop_passes_within_five_seconds(capsys):
    check_training_loop(loop())  # warm up: the data and PyTorch's first calls
    start = time.process_time()  # CPU time: the checker trains on one thread, so a busy machine does not count
    assert check_training_loop(loop()).startswith("Correct!")
    assert time.process_time() - start < 5
    assert check_training_loop(loop(returns="tensor")).startswith("Correct!")  # a 0-d tensor is its number


def test_the_confirmation_prints_no_measured_number(capsys):
    text = check_training_loop(loop())
    assert "1,024 digits" in text and "85%" in text and "0." not in text


@pytest.mark.parametrize(("mistake", "match"), [
    ({"zero_grad": False}, r"no zero_grad: backward adds to the gradients already stored"),
    ({"eval_inside": True}, r"model\.eval\(\) during training"),
    ({"train": False}, r"still in evaluation mode .* call model\.train\(\)"),
    ({"softmax": True}, r"softmax before the loss: F\.cross_entropy .* give them the logits"),
    ({"step_first": True}, r"step before backward"),
    ({"backward": False}, r"no gradients were computed: call loss\.backward\(\)"),
    ({"zero_after_backward": True}, r"zero_grad ran between loss\.backward\(\) and optimizer\.step\(\)"),
    ({"reduction": "sum"}, r"summed over the batch \(reduction='sum'\)"),
    ({"returns": "none"}, r"returned None; return the mean"),
    ({"returns": "last"}, r"that is the last batch's loss"),
    ({"returns": "sum"}, r"that is the sum of the batches' losses"),
    ({"returns": "nan"}, r"should return the epoch's mean loss as a number"),
])
def test_each_classic_mistake_gets_its_hint(mistake, match):
    with pytest.raises(WrongAnswer, match=match):
        check_training_loop(loop(**mistake))


def test_a_loop_without_a_step_or_over_one_batch_is_named():
    def no_step(model, batches, optimizer):
        model.train()
        for images, labels in batches:
            optimizer.zero_grad()
            F.cross_entropy(model(images), labels).backward()
        return 1.0

    def first_batch_only(model, batches, optimizer):
        model.train()
        images, labels = next(iter(batches))
        optimizer.zero_grad()
        loss = F.cross_entropy(model(images), labels)
        loss.backward()
        optimizer.step()
        return loss.item()

    with pytest.raises(WrongAnswer, match=r"the weights never changed: call optimizer\.step\(\)"):
        check_training_loop(no_step)
    with pytest.raises(WrongAnswer, match=r"the loop stopped early: it took 1 of the 16 batches"):
        check_training_loop(first_batch_only)


def test_odd_answers_and_errors_get_a_hint_and_a_stub_passes_through():
    with pytest.raises(WrongAnswer, match="train_one_epoch should be a function, got None"):
        check_training_loop(None)
    with pytest.raises(WrongAnswer, match=r"raised ZeroDivisionError"):
        check_training_loop(lambda model, batches, optimizer: 1 / 0)

    def stub(model, batches, optimizer):
        raise NotImplementedError()

    with pytest.raises(NotImplementedError):
        check_training_loop(stub)


def test_the_checker_leaves_the_global_random_state_alone(capsys):
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    check_training_loop(loop())
    assert torch.equal(torch.rand(3), expected)


def test_third_block_shape_is_what_the_explorer_computes(capsys):
    from cnn_helpers.widgets import feature_map_stages

    shape = tuple(feature_map_stages(three_block_cnn(), torch.zeros(1, 28, 28))["conv3"]["MaxPool2d"].shape)
    assert shape == (64, 3, 3)
    assert "set the explorer below to block conv3".lower() in check_third_block_shape(shape).lower()


@pytest.mark.parametrize(("answer", "match"), [
    ((64, 4, 4), r"MaxPool2d\(2\) rounds down"),
    ((64, 7, 7), r"conv3's output before its pooling"),
    ((64, 2, 2), r"padding 1 keeps a 3 × 3 convolution's output at 7 × 7"),
    ((32, 3, 3), r"conv3 has 64 kernels"),
    ((3, 3), r"three numbers, got 2"),
    (576, r"should be a tuple of ints"),
])
def test_third_block_shape_mistakes(answer, match):
    with pytest.raises(WrongAnswer, match=match):
        check_third_block_shape(answer)


def test_third_block_numbers_come_from_the_built_model(capsys):
    from cnn_helpers.model import count_parameters
    from cnn_helpers.receptive_field import receptive_field

    model = three_block_cnn()
    rows = receptive_field(nn.Sequential(*model.conv1, *model.conv2, *model.conv3), (1, 28, 28))
    answers = {"parameters": count_parameters(model), "rf_size": rows[-1].rf_size[0], "accuracy_guess": 0.5}
    assert answers["parameters"] == 37_514 and answers["rf_size"] == 28
    assert "Your accuracy guess, 50.0%, is recorded" in check_third_block_numbers(answers)


RIGHT = {"parameters": 37_514, "rf_size": 28, "accuracy_guess": 0.97}


@pytest.mark.parametrize(("change", "match"), [
    ({"parameters": 37_514 - (16 + 32 + 64 + 10)}, r"you counted the weights only"),
    ({"parameters": 37_514 - 5_770 + 31_370}, r"64 maps of 3 × 3, not 7 × 7"),
    ({"parameters": 37_514 - 5_770 + 10_250}, r"rounds 7 / 2 down to 3"),
    ({"parameters": 37_514 - 5_770 + 15_690}, r"the Linear layer changes too"),
    ({"parameters": 18_496 + 5_770}, r"conv3 and the new Linear layer only"),
    ({"parameters": 28_938}, r"the two-block course model"),
    ({"rf_size": 16}, r"16 is the course model's receptive field"),
    ({"rf_size": 24}, r"24 is the receptive field after conv3 itself"),
    ({"rf_size": 32}, r"uses the jump before it"),
    ({"rf_size": 19}, r"adding the kernel sizes ignores the jump"),
    ({"rf_size": 14}, r"you used j = 1 throughout"),
    ({"accuracy_guess": 97}, r"accuracy_guess should be a fraction between 0 and 1"),
    ({"accuracy_guess": None}, r"accuracy_guess should be a fraction"),
])
def test_third_block_numbers_mistakes(change, match):
    with pytest.raises(WrongAnswer, match=match):
        check_third_block_numbers({**RIGHT, **change})


def test_third_block_numbers_want_the_three_keys():
    with pytest.raises(WrongAnswer, match=r"give a dict with the keys \['parameters', 'rf_size', 'accuracy_guess'\]"):
        check_third_block_numbers({"parameters": 37_514})


def test_the_notebook_model_is_the_checkers_model():
    """ThreeBlockCNN of notebook 06 has the layers three_block_cnn() builds, so the checks are about it."""
    import json
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "notebooks" / "06_full_implementation.ipynb"
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    sources = ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]
    namespace = {}
    exec("import torch\nfrom torch import nn\n" + next(s for s in sources if s.startswith("class CNN(")), namespace)
    exec(next(s for s in sources if s.startswith("class ThreeBlockCNN(")), namespace)
    assert repr(namespace["ThreeBlockCNN"]()).splitlines()[1:] == repr(three_block_cnn()).splitlines()[1:]

"""Tests of cnn_helpers.train: fit, evaluate, predict, History, live plot, checkpoints, benchmark."""

import os
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import TensorDataset

from cnn_helpers import train as training
from cnn_helpers.model import SeedCNN
from cnn_helpers.train import (
    Evaluation,
    History,
    LivePlot,
    compare_fit_throughput,
    evaluate,
    fit,
    load_checkpoint,
    predict,
    random_shift,
    save_checkpoint,
)

QUIET = {"progress": False, "live_plot": False, "device": "cpu"}


def bars_dataset(n: int = 200, seed: int = 0) -> TensorDataset:
    """Digits-sized images of one bright bar in one of four places; the label is the place.

    A task the course model learns in a few steps, so training tests stay fast.
    """
    g = torch.Generator().manual_seed(seed)
    labels = torch.randint(0, 4, (n,), generator=g)
    images = 0.1 * torch.rand(n, 1, 28, 28, generator=g)
    for i, label in enumerate(labels.tolist()):
        row, col = divmod(label, 2)
        images[i, 0, 4 + 12 * row: 10 + 12 * row, 4 + 12 * col: 10 + 12 * col] = 1.0
    return TensorDataset(images, labels)


class PairsOnly(torch.utils.data.Dataset):
    """A dataset that is not a TensorDataset: fit must go through a DataLoader."""

    def __init__(self, dataset):
        self.dataset = dataset

    def __len__(self):
        return len(self.dataset)

    def __getitem__(self, i):
        return self.dataset[i]


# --- History -----------------------------------------------------------------------------------


def test_history_counts_epochs_and_prints_rounded():
    history = History([0.123456789, 0.1], [0.2], [0.987654321])
    assert history.epochs == 2
    assert repr(history) == ("History(epochs=2, train_loss=[0.1235, 0.1], validation_loss=[0.2], "
                             "validation_accuracy=[0.9877])")
    assert History().epochs == 0


# --- random_shift ------------------------------------------------------------------------------


def shifted(image: torch.Tensor, dy: int, dx: int) -> torch.Tensor:
    """Reference: move (C, H, W) content down by dy and right by dx, zero fill."""
    out = torch.zeros_like(image)
    h, w = image.shape[-2:]
    out[:, max(dy, 0): h + min(dy, 0), max(dx, 0): w + min(dx, 0)] = \
        image[:, max(-dy, 0): h + min(-dy, 0), max(-dx, 0): w + min(-dx, 0)]
    return out


@pytest.mark.parametrize("max_shift", [1, 2])
def test_random_shift_moves_each_image_by_its_own_shift_within_range(max_shift):
    torch.manual_seed(0)
    images = torch.rand(300, 2, 9, 7)
    out = random_shift(images, max_shift)
    assert out.shape == images.shape
    seen = set()
    span = range(-max_shift, max_shift + 1)
    for image, result in zip(images, out, strict=True):
        matches = [(dy, dx) for dy in span for dx in span if torch.equal(result, shifted(image, dy, dx))]
        assert len(matches) == 1  # random data: exactly one shift explains the result
        seen.add(matches[0])
    assert len(seen) == len(span) ** 2  # every shift in range occurs among 300 images


def test_random_shift_zero_is_identity_and_bad_arguments_are_named():
    images = torch.rand(2, 1, 5, 5)
    assert random_shift(images, 0) is images
    with pytest.raises(ValueError, match="max_shift must be an integer >= 0, got -1"):
        random_shift(images, -1)
    with pytest.raises(ValueError, match=r"max_shift 5 must be smaller than the image \(5 x 5\)"):
        random_shift(images, 5)
    with pytest.raises(ValueError, match=r"images must be a batch shaped \(N, C, H, W\), got shape \(5, 5\)"):
        random_shift(images[0, 0], 1)


# --- batches -----------------------------------------------------------------------------------


def test_batches_visit_every_image_once_per_epoch_in_shuffled_order():
    data = TensorDataset(torch.arange(10.0)[:, None], torch.arange(10))
    torch.manual_seed(0)
    batches = list(training._batches(data, 4, shuffle=True, device=torch.device("cpu")))
    assert [len(labels) for _, labels in batches] == [4, 4, 2]
    order = torch.cat([labels for _, labels in batches])
    assert sorted(order.tolist()) == list(range(10)) and order.tolist() != list(range(10))
    assert all(torch.equal(x[:, 0].long(), y) for x, y in batches)  # images stay with their labels
    in_order = torch.cat([y for _, y in training._batches(data, 4, shuffle=False, device=torch.device("cpu"))])
    assert in_order.tolist() == list(range(10))


# --- fit ---------------------------------------------------------------------------------------


def test_fit_learns_a_simple_task_and_records_every_epoch():
    torch.manual_seed(0)
    train, test = bars_dataset(400, seed=0), bars_dataset(100, seed=1)
    model = SeedCNN()
    assert evaluate(model, test).accuracy < 0.5
    history = fit(model, train, test, epochs=3, batch_size=32, max_shift=1, **QUIET)
    assert history.epochs == 3 and len(history.validation_loss) == len(history.validation_accuracy) == 3
    assert history.train_loss[-1] < history.train_loss[0]
    assert history.validation_accuracy[-1] == 1.0
    assert history.validation_accuracy[-1] == evaluate(model, test).accuracy  # History holds what evaluate says
    assert history.validation_loss[-1] == pytest.approx(evaluate(model, test).loss)


def test_fit_without_a_validation_set_records_train_loss_only():
    torch.manual_seed(0)
    history = fit(SeedCNN(), bars_dataset(64), epochs=2, batch_size=32, **QUIET)
    assert history.epochs == 2 and history.validation_loss == [] and history.validation_accuracy == []


def test_fit_train_loss_is_the_mean_over_the_batches_it_trained_on():
    data = bars_dataset(50)
    torch.manual_seed(3)
    bare = SeedCNN()
    torch.manual_seed(3)
    model = SeedCNN()
    # constant lr, no shift: replay fit's epoch by hand with the same shuffle
    torch.manual_seed(7)
    history = fit(model, data, epochs=1, batch_size=20, max_shift=0, schedule="constant", lr=1e-3, **QUIET)
    torch.manual_seed(7)
    optimizer = torch.optim.Adam(bare.parameters(), lr=1e-3)
    order, losses = torch.randperm(50), []
    for start in range(0, 50, 20):
        index = order[start:start + 20]
        loss = F.cross_entropy(bare(data.tensors[0][index]), data.tensors[1][index])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item() * len(index))
    assert history.train_loss[0] == pytest.approx(sum(losses) / 50, rel=1e-5)
    for a, b in zip(model.parameters(), bare.parameters(), strict=True):
        torch.testing.assert_close(a, b)


def test_fit_is_deterministic_under_the_same_seed():
    def run():
        torch.manual_seed(0)
        model = SeedCNN()
        history = fit(model, bars_dataset(96), bars_dataset(32, seed=1), epochs=2, batch_size=16, **QUIET)
        return history, model

    (h1, m1), (h2, m2) = run(), run()
    assert h1.train_loss == h2.train_loss and h1.validation_accuracy == h2.validation_accuracy
    assert all(torch.equal(a, b) for a, b in zip(m1.parameters(), m2.parameters(), strict=True))


def test_fit_accepts_any_dataset_of_pairs():
    torch.manual_seed(0)
    history = fit(SeedCNN(), PairsOnly(bars_dataset(40)), PairsOnly(bars_dataset(20, 1)), epochs=1, batch_size=16,
                  **QUIET)
    assert history.epochs == 1 and 0.0 <= history.validation_accuracy[0] <= 1.0


def test_fit_one_cycle_schedule_peaks_at_lr(monkeypatch):
    rates = []
    original = torch.optim.Adam.step

    def record(self, *args, **kwargs):
        rates.append(self.param_groups[0]["lr"])
        return original(self, *args, **kwargs)

    monkeypatch.setattr(torch.optim.Adam, "step", record)
    torch.manual_seed(0)
    fit(SeedCNN(), bars_dataset(100), epochs=2, batch_size=10, lr=4e-3, **QUIET)
    assert len(rates) == 20
    assert max(rates) == pytest.approx(4e-3)
    assert rates[0] == pytest.approx(4e-3 / 25) and rates[-1] < 4e-3 / 100  # warm up, then anneal
    assert rates.index(max(rates)) == 5  # peak after 30% of 20 steps (0-based step 5)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"epochs": 0}, ValueError, "epochs must be an integer >= 1, got 0"),
        ({"epochs": 10**100}, ValueError, "epochs must be at most 10,000, got 1000000"),
        ({"batch_size": 2.5}, TypeError, "batch_size must be an integer, got 2.5"),
        ({"lr": -1}, ValueError, "lr must be a positive finite number up to 10, got -1"),
        ({"lr": float("inf")}, ValueError, "lr must be a positive finite number up to 10, got inf"),
        ({"lr": float("nan")}, ValueError, "lr must be a positive finite number up to 10, got nan"),
        ({"max_shift": -2}, ValueError, "max_shift must be an integer >= 0, got -2"),
        ({"label_smoothing": 1.5}, ValueError, r"label_smoothing must be a number in \[0, 1\), got 1.5"),
        ({"schedule": "cosine"}, ValueError, "schedule must be one of 'onecycle', 'constant', got 'cosine'"),
        ({"device": "gpu"}, ValueError, "device 'gpu' is not a torch device; use 'cpu', 'cuda', 'mps'"),
        ({"live_plot": "yes"}, TypeError, "live_plot must be True, False or a LivePlot, got str"),
    ],
)
def test_fit_names_the_bad_setting(kwargs, error, message):
    settings = {"progress": False, "live_plot": False, **kwargs}
    with pytest.raises(error, match=message):
        fit(SeedCNN(), bars_dataset(8), epochs=kwargs.pop("epochs", 1), **{k: v for k, v in settings.items()
                                                                          if k != "epochs"})


def test_fit_rejects_what_is_not_a_model_or_a_dataset():
    with pytest.raises(TypeError, match="model must be a torch.nn.Module, e.g. SeedCNN"):
        fit("SeedCNN", bars_dataset(8), **QUIET)
    with pytest.raises(TypeError, match="train must be a torch Dataset of .image, label. pairs"):
        fit(SeedCNN(), torch.zeros(8, 1, 28, 28), **QUIET)
    with pytest.raises(ValueError, match="validation is empty"):
        fit(SeedCNN(), bars_dataset(8), TensorDataset(torch.zeros(0, 1, 28, 28), torch.zeros(0)), **QUIET)


@pytest.mark.parametrize(
    ("labels", "error", "message"),
    [
        (torch.arange(20).float() % 10, TypeError, r"train labels must be integer class indices \(int64\), got dtype"),
        ((torch.arange(20) % 10)[:, None], ValueError, r"train labels must be shaped \(N,\), got a column \(20, 1\)"),
        (torch.arange(20) % 10 + 5, ValueError, "train labels must be class indices from 0 to 9, got 10"),
        (torch.arange(20) % 10 - 1, ValueError, "train labels must be class indices from 0 to 9, got -1"),
    ],
)
def test_fit_names_labels_that_are_not_class_indices(labels, error, message):
    """Before, cross_entropy raised deep inside (IndexError, RuntimeError) after the first batch."""
    images = bars_dataset(20).tensors[0]
    with pytest.raises(error, match=message):
        fit(SeedCNN(), TensorDataset(images, labels), epochs=1, batch_size=10, **QUIET)


def test_fit_takes_numpy_numbers_wherever_python_ones_work():
    """Students get NumPy ints from .shape and np.argmax: OneCycleLR rejected them (issue 14)."""
    import numpy as np

    torch.manual_seed(0)
    history = fit(SeedCNN(), bars_dataset(20), epochs=np.int64(2), batch_size=np.int32(10), lr=np.float32(1e-3),
                  max_shift=np.int64(1), label_smoothing=np.float64(0.1), **QUIET)
    assert history.epochs == 2


def test_fit_stops_with_a_clear_error_when_training_diverges():
    """A NaN image makes every weight NaN after one step; before, fit went on and reported an accuracy."""
    images, labels = bars_dataset(20).tensors
    images = images.clone()
    images[3, 0, 5, 5] = float("nan")
    torch.manual_seed(0)
    with pytest.raises(ValueError, match=r"training diverged in epoch 1: the training loss is nan .* "
                                         r"hold no NaN or inf, and lower lr \(got 0.004"):
        fit(SeedCNN(), TensorDataset(images, labels), epochs=2, batch_size=10, **QUIET)


def test_fit_shows_a_progress_bar_over_all_batches(capsys):
    torch.manual_seed(0)
    fit(SeedCNN(), bars_dataset(50), epochs=2, batch_size=20, live_plot=False, device="cpu")
    err = capsys.readouterr().err
    assert "training" in err and "6/6" in err  # 2 epochs x 3 batches


# --- live plot ---------------------------------------------------------------------------------


class FakeDisplay:
    """Records what fit shows, the way IPython's display(..., display_id=True) would be called."""

    def __init__(self):
        self.calls = []
        self.plot = None  # set by the test: the LivePlot whose figure to inspect at each call

    def __call__(self, picture, display_id=False):
        self.calls.append(("display", display_id, picture, self.snapshot()))
        return self

    def update(self, picture):
        self.calls.append(("update", None, picture, self.snapshot()))

    def snapshot(self):
        return [len(line.get_xdata()) for line in self.plot.figure.axes[0].lines] if self.plot else None


def test_live_plot_is_displayed_once_then_updated_in_place_every_epoch():
    from IPython.display import Image

    show = FakeDisplay()
    plot = show.plot = LivePlot(3, show=show)
    torch.manual_seed(0)
    fit(SeedCNN(), bars_dataset(40), bars_dataset(20, 1), epochs=3, batch_size=20, progress=False, device="cpu",
        live_plot=plot)
    assert [(kind, display_id) for kind, display_id, *_ in show.calls] == [
        ("display", True), ("update", None), ("update", None)]
    assert [lines for *_, lines in show.calls] == [[1, 1], [2, 2], [3, 3]]  # train and test curves grow
    pictures = [picture for _, _, picture, _ in show.calls]
    assert all(isinstance(p, Image) and p.data[:4] == b"\x89PNG" for p in pictures)
    assert len({p.data for p in pictures}) == 3  # each update shows a new picture
    assert plot.updates == 3
    loss_ax, accuracy_ax = plot.figure.axes
    assert loss_ax.get_xlim() == (0.5, 3.5)


def test_live_plot_true_outside_a_notebook_draws_nothing(monkeypatch):
    made = []

    class Recording(LivePlot):
        def __init__(self, *args, **kwargs):
            made.append(args)
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(training.live_plot, "LivePlot", Recording)  # _make_plot looks it up there
    torch.manual_seed(0)
    fit(SeedCNN(), bars_dataset(20), epochs=1, progress=False, device="cpu", live_plot=True)
    assert made == []  # no IPython kernel here: no figure is built


def test_live_plot_true_in_a_notebook_uses_ipython_display(monkeypatch):
    show = FakeDisplay()
    monkeypatch.setattr(training.live_plot, "_notebook_display", lambda: show)
    torch.manual_seed(0)
    fit(SeedCNN(), bars_dataset(20), epochs=2, progress=False, device="cpu", live_plot=True)
    assert [kind for kind, *_ in show.calls] == ["display", "update"]


# --- evaluate and predict ----------------------------------------------------------------------


def test_evaluate_matches_a_direct_computation_for_any_batch_size():
    torch.manual_seed(0)
    model, data = SeedCNN(), bars_dataset(37)
    with torch.no_grad():
        logits = model(data.tensors[0])
    loss = F.cross_entropy(logits, data.tensors[1]).item()
    accuracy = (logits.argmax(1) == data.tensors[1]).float().mean().item()
    for batch_size in (1, 10, 1000):
        result = evaluate(model, data, batch_size=batch_size)
        assert isinstance(result, Evaluation)
        assert result.loss == pytest.approx(loss, rel=1e-5) and result.accuracy == pytest.approx(accuracy)


def test_evaluate_restores_the_training_mode_and_takes_no_gradient():
    model = SeedCNN().train()
    evaluate(model, bars_dataset(8))
    assert model.training and all(p.grad is None for p in model.parameters())


def test_predict_is_the_argmax_of_the_logits_for_tensors_and_datasets():
    torch.manual_seed(0)
    model, data = SeedCNN(), bars_dataset(25)
    expected = model(data.tensors[0]).argmax(1)
    assert torch.equal(predict(model, data.tensors[0]), expected)
    assert torch.equal(predict(model, data, batch_size=7), expected)
    assert torch.equal(predict(model, PairsOnly(data), batch_size=7), expected)
    with pytest.raises(TypeError, match="data must be a torch Dataset"):
        predict(model, [1, 2, 3])


# --- checkpoints -------------------------------------------------------------------------------


def test_checkpoint_round_trip_gives_identical_predictions_and_metadata(tmp_path):
    torch.manual_seed(0)
    model = SeedCNN()
    fit(model, bars_dataset(40), epochs=1, **QUIET)
    path = save_checkpoint(model, tmp_path / "seed.pt", epochs=1, accuracy=0.5, note="test", sizes=[1, 2])
    torch.manual_seed(1)
    fresh = SeedCNN()
    x = bars_dataset(10).tensors[0]
    assert not torch.equal(fresh(x), model(x))
    assert load_checkpoint(path, fresh) == {"epochs": 1, "accuracy": 0.5, "note": "test", "sizes": [1, 2]}
    assert torch.equal(fresh(x), model(x))
    assert sorted(os.listdir(tmp_path)) == ["seed.pt"]  # no temporary file left behind


def test_checkpoint_is_written_to_a_temporary_file_in_the_same_folder_then_renamed(tmp_path, monkeypatch):
    renames = []
    real_replace = os.replace

    def spy(src, dst):
        assert Path(src).exists() and not Path(dst).exists()
        renames.append((Path(src), Path(dst)))
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", spy)
    save_checkpoint(SeedCNN(), tmp_path / "model.pt")
    [(src, dst)] = renames
    assert src.parent == dst.parent == tmp_path and src.name != "model.pt" and dst.name == "model.pt"


def test_a_failed_save_keeps_the_old_checkpoint_and_leaves_no_temporary_file(tmp_path, monkeypatch):
    torch.manual_seed(0)
    old = SeedCNN()
    path = save_checkpoint(old, tmp_path / "model.pt", version="old")
    before = path.read_bytes()

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt  # the student stops the kernel while saving

    monkeypatch.setattr(torch, "save", interrupted)
    with pytest.raises(KeyboardInterrupt):
        save_checkpoint(SeedCNN(), path, version="new")
    assert path.read_bytes() == before and sorted(os.listdir(tmp_path)) == ["model.pt"]
    monkeypatch.undo()
    assert load_checkpoint(path, SeedCNN()) == {"version": "old"}


def test_loading_another_architecture_says_which_layer_differs(tmp_path):
    class Wider(nn.Module):  # same layer names, another conv1
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Sequential(nn.Conv2d(1, 8, 3, 1, 1), nn.ReLU(), nn.MaxPool2d(2))
            self.conv2 = nn.Sequential(nn.Conv2d(8, 32, 5, 1, 2), nn.ReLU(), nn.MaxPool2d(2))
            self.out = nn.Linear(32 * 7 * 7, 10)

    path = save_checkpoint(Wider(), tmp_path / "wider.pt")
    with pytest.raises(ValueError) as caught:
        load_checkpoint(path, SeedCNN())
    message = str(caught.value)
    assert "does not fit this model: it holds the weights of a Wider, the model is a SeedCNN" in message
    assert "conv1.0.weight has shape (8, 1, 3, 3) in the checkpoint but (16, 1, 5, 5) in the model" in message
    assert "Missing key" not in message and "size mismatch" not in message  # not PyTorch's long trace
    linear = save_checkpoint(nn.Linear(3, 2), tmp_path / "linear.pt")
    expected = ("the checkpoint has no conv1.0.weight, conv1.0.bias, conv2.0.weight and 3 more; "
                "the model has no weight, bias")
    with pytest.raises(ValueError, match=expected):
        load_checkpoint(linear, SeedCNN())


def test_a_plain_state_dict_file_loads_too(tmp_path):
    torch.manual_seed(0)
    model = SeedCNN()
    torch.save(model.state_dict(), tmp_path / "plain.pt")
    fresh = SeedCNN()
    assert load_checkpoint(tmp_path / "plain.pt", fresh) == {}
    assert all(torch.equal(a, b) for a, b in zip(model.parameters(), fresh.parameters(), strict=True))


class Payload:
    """An arbitrary class: weights_only=True must refuse to unpickle it."""


def test_loading_uses_weights_only_and_refuses_pickled_objects(tmp_path, monkeypatch):
    torch.save({"state_dict": Payload()}, tmp_path / "unsafe.pt")
    with pytest.raises(ValueError, match="is not a checkpoint that can be loaded safely"):
        load_checkpoint(tmp_path / "unsafe.pt", SeedCNN())
    calls = []
    real_load = torch.load
    monkeypatch.setattr(torch, "load", lambda *a, **k: calls.append(k) or real_load(*a, **k))
    load_checkpoint(save_checkpoint(SeedCNN(), tmp_path / "ok.pt"), SeedCNN())
    assert calls and calls[0]["weights_only"] is True


def test_checkpoint_errors_name_the_problem(tmp_path):
    with pytest.raises(FileNotFoundError, match="no checkpoint at .*missing.pt; save one first"):
        load_checkpoint(tmp_path / "missing.pt", SeedCNN())
    with pytest.raises(FileNotFoundError, match="folder .*nowhere does not exist; create it first"):
        save_checkpoint(SeedCNN(), tmp_path / "nowhere" / "model.pt")
    with pytest.raises(TypeError, match="metadata 'history' must hold numbers, strings, lists or dicts, got History"):
        save_checkpoint(SeedCNN(), tmp_path / "m.pt", history=History())
    torch.save([1, 2, 3], tmp_path / "list.pt")
    with pytest.raises(ValueError, match="holds a list, not model weights"):
        load_checkpoint(tmp_path / "list.pt", SeedCNN())


# --- benchmark ---------------------------------------------------------------------------------


def test_compare_fit_throughput_trains_the_same_weights_as_the_bare_loop():
    result = compare_fit_throughput(repeats=1, epochs=1, train=bars_dataset(128))  # bare, fit, fit, bare
    assert result.same_weights
    assert result.images_per_run == 128
    assert result.fit_seconds > 0 and 0 < result.ratio < 100
    assert result.fit_seconds > 0 and result.bare_seconds > 0


def test_importing_train_imports_no_plotting_or_widgets():
    import subprocess
    import sys

    code = ("import sys, cnn_helpers.train; "
            "print(sorted(m for m in ('matplotlib', 'IPython', 'ipywidgets') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"

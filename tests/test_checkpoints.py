"""Checkpoints under hostile conditions: damaged bytes, other classes, odd metadata, killed saves, links."""

import os
import subprocess
import sys
import time

import numpy as np
import pytest
import torch
from torch import nn

from cnn_helpers.model import SeedCNN, build_cnn
from cnn_helpers.train import load_checkpoint, save_checkpoint


def _same_weights(a: nn.Module, b: nn.Module) -> bool:
    return all(torch.equal(x, y) for x, y in zip(a.state_dict().values(), b.state_dict().values(), strict=True))


def test_numpy_scalars_and_tuple_keys_round_trip_as_plain_equal_values(tmp_path):
    metadata = {"acc": np.float64(0.9), "epochs": np.int64(3), "best": np.bool_(True), "name": np.str_("run"),
                "sizes": (1, 2), "grid": {(1, 2): 0.5, 3: [np.float32(0.25)]}, "folder": tmp_path, "none": None}
    path = save_checkpoint(SeedCNN(), tmp_path / "m.pt", **metadata)
    loaded = load_checkpoint(path, SeedCNN())
    assert loaded == {"acc": 0.9, "epochs": 3, "best": True, "name": "run", "sizes": (1, 2),
                      "grid": {(1, 2): 0.5, 3: [0.25]}, "folder": str(tmp_path), "none": None}
    assert type(loaded["acc"]) is float and type(loaded["epochs"]) is int and type(loaded["best"]) is bool
    assert list(loaded["grid"]) == [(1, 2), 3]  # the key (1, 2) stays a tuple, not the string '(1, 2)'


def test_metadata_stays_exactly_the_callers(tmp_path):
    path = save_checkpoint(SeedCNN(), tmp_path / "m.pt", source="bundled", epochs=8, test_accuracy=0.979)
    assert repr(load_checkpoint(path, SeedCNN())) == "{'source': 'bundled', 'epochs': 8, 'test_accuracy': 0.979}"


def test_metadata_that_is_not_plain_data_is_refused_naming_the_key(tmp_path):
    with pytest.raises(TypeError, match="metadata 'weights' must hold numbers, strings, lists or dicts, got Tensor"):
        save_checkpoint(SeedCNN(), tmp_path / "m.pt", weights=torch.zeros(3))
    with pytest.raises(TypeError, match="metadata 'seen' .* got set"):
        save_checkpoint(SeedCNN(), tmp_path / "m.pt", seen={1, 2})
    assert not (tmp_path / "m.pt").exists()


def test_every_damaged_byte_is_refused_or_changes_nothing(tmp_path):
    torch.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(1, 4, 3), nn.Flatten(), nn.Linear(4 * 6 * 6, 10))
    path = save_checkpoint(model, tmp_path / "m.pt", epochs=8, test_accuracy=0.979)
    data = path.read_bytes()
    positions = np.random.default_rng(0).choice(len(data), size=200, replace=False)
    silent_changes = []
    refused = 0
    for position in positions:
        damaged = bytearray(data)
        damaged[position] ^= 0xFF
        path.write_bytes(bytes(damaged))
        fresh = nn.Sequential(nn.Conv2d(1, 4, 3), nn.Flatten(), nn.Linear(4 * 6 * 6, 10))
        try:
            metadata = load_checkpoint(path, fresh)
        except ValueError as error:
            assert str(path) in str(error)
            refused += 1
            continue
        if not (_same_weights(fresh, model) and metadata == {"epochs": 8, "test_accuracy": 0.979}):
            silent_changes.append(int(position))
    assert silent_changes == []
    assert refused > 100  # most bytes are weights: each of those flips must be caught by the checksum


def test_a_damaged_weight_is_refused_with_a_message_naming_the_file(tmp_path):
    path = save_checkpoint(SeedCNN(), tmp_path / "m.pt")
    checkpoint = torch.load(path, weights_only=True)
    checkpoint["state_dict"]["out.bias"][0] += 1.0  # as a bit flip in the weights would
    torch.save(checkpoint, path)
    with pytest.raises(ValueError, match=r"m\.pt is damaged: its weights or metadata no longer match the checksum"):
        load_checkpoint(path, SeedCNN())


def test_another_class_with_the_same_names_and_shapes_is_refused(tmp_path):
    convnet = build_cnn()  # the course architecture as a ConvNet: same names and shapes as SeedCNN
    assert [(k, v.shape) for k, v in convnet.state_dict().items()] == \
           [(k, v.shape) for k, v in SeedCNN().state_dict().items()]
    path = save_checkpoint(convnet, tmp_path / "convnet.pt")
    with pytest.raises(ValueError, match="it holds the weights of a ConvNet, the model is a SeedCNN; every weight "
                                         "has a matching name and shape, but another class .* check_architecture"):
        load_checkpoint(path, SeedCNN())
    seed = SeedCNN()
    assert load_checkpoint(path, seed, check_architecture=False) == {}
    assert _same_weights(seed, convnet)


def test_the_same_class_with_other_layer_settings_is_refused_naming_the_layer(tmp_path):
    saved = build_cnn(channels=(4,), kernel_size=3, padding=1, input_size=(8, 8))
    model = build_cnn(channels=(4,), kernel_size=3, padding=0, input_size=(10, 10))  # same shapes, other padding
    path = save_checkpoint(saved, tmp_path / "m.pt")
    with pytest.raises(ValueError, match=r"layer conv1\.0: Conv2d\(1, 4, kernel_size=\(3, 3\), stride=\(1, 1\), "
                                         r"padding=\(1, 1\)\) in the checkpoint is conv1\.0: Conv2d\(1, 4, "
                                         r"kernel_size=\(3, 3\), stride=\(1, 1\)\) in the model"):
        load_checkpoint(path, model)


def test_the_notebooks_architecture_message_is_unchanged(tmp_path):
    path = save_checkpoint(SeedCNN(), tmp_path / "m.pt")
    with pytest.raises(ValueError) as caught:
        load_checkpoint(path, nn.Sequential(nn.Flatten(), nn.Linear(28 * 28, 10)))
    message = str(caught.value)
    assert message[message.index("it holds"):] == (
        "it holds the weights of a SeedCNN, the model is a Sequential; the checkpoint has no 1.weight, 1.bias; "
        "the model has no conv1.0.weight, conv1.0.bias, conv2.0.weight and 3 more. Build the model the "
        "checkpoint was saved from, then load into it")


def test_a_save_killed_mid_write_leaves_a_temporary_file_the_next_save_removes(tmp_path):
    target = tmp_path / "m.pt"
    script = ("import os, torch\nfrom cnn_helpers.model import SeedCNN\n"
              "from cnn_helpers.train import save_checkpoint\n"
              "def killed(*args, **kwargs): os._exit(9)  # the kernel dies while torch.save writes\n"
              f"torch.save = killed\nsave_checkpoint(SeedCNN(), {str(target)!r})\n")
    subprocess.run([sys.executable, "-c", script], check=False)
    orphans = sorted(p.name for p in tmp_path.iterdir())
    assert len(orphans) == 1 and orphans[0].startswith(".m.pt.") and orphans[0].endswith(".tmp")
    legacy = tmp_path / ".m.pt.abc123.tmp"  # an older save's name, without a process id, a day old
    legacy.write_bytes(b"x")
    os.utime(legacy, (time.time() - 86400, time.time() - 86400))
    save_checkpoint(SeedCNN(), target)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.pt"]


def test_a_temporary_file_of_a_save_still_running_is_kept(tmp_path):
    running = tmp_path / f".m.pt.{os.getppid()}-abc.tmp"  # the parent process is alive
    running.write_bytes(b"x")
    save_checkpoint(SeedCNN(), tmp_path / "m.pt")
    assert running.exists()


@pytest.mark.skipif(sys.platform == "win32", reason="symbolic links need privileges on Windows")
def test_saving_to_a_symlink_writes_through_to_its_target(tmp_path):
    (tmp_path / "store").mkdir()
    target = tmp_path / "store" / "real.pt"
    link = tmp_path / "latest.pt"
    link.symlink_to(target)  # dangling until the first save
    assert save_checkpoint(SeedCNN(), link, run=1) == link
    assert link.is_symlink() and target.is_file()
    save_checkpoint(SeedCNN(), link, run=2)
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert load_checkpoint(target, SeedCNN()) == {"run": 2}
    assert sorted(p.name for p in (tmp_path / "store").iterdir()) == ["real.pt"]


@pytest.mark.parametrize(("call", "error", "match"), [
    (lambda tmp: save_checkpoint(SeedCNN(), 3), TypeError,
     r"path must be a file path \(a str or pathlib.Path\), e.g. 'seed_cnn.pt', got 3 of type int"),
    (lambda tmp: load_checkpoint(None, SeedCNN()), TypeError, "path must be a file path .* got None of type NoneType"),
    (lambda tmp: save_checkpoint(None, tmp / "m.pt"), TypeError, "model must be a torch.nn.Module, e.g. SeedCNN()"),
    (lambda tmp: load_checkpoint(tmp / "m.pt", None), TypeError, "model must be a torch.nn.Module, .* got NoneType"),
    (lambda tmp: save_checkpoint(SeedCNN(), tmp), IsADirectoryError, "it is a folder; give a file name in it"),
    (lambda tmp: load_checkpoint(tmp, SeedCNN()), FileNotFoundError, "is a folder, not a checkpoint file"),
])
def test_wrong_arguments_are_named(tmp_path, call, error, match):
    with pytest.raises(error, match=match):
        call(tmp_path)


def test_a_version_1_checkpoint_still_loads(tmp_path):
    model = SeedCNN()
    torch.save({"format": "cnn_helpers checkpoint", "version": 1, "architecture": "SeedCNN",
                "state_dict": model.state_dict(), "metadata": {"epochs": 8}}, tmp_path / "old.pt")
    fresh = SeedCNN()
    assert load_checkpoint(tmp_path / "old.pt", fresh) == {"epochs": 8}
    assert _same_weights(fresh, model)

"""evaluate, predict and the device helper fit shares, under hostile arguments (issue 14)."""

import numpy as np
import pytest
import torch
from torch import nn
from torch.utils.data import TensorDataset

from cnn_helpers.model import SeedCNN
from cnn_helpers.train import evaluate, predict
from cnn_helpers.train.evaluation import _device


def _data(n=6, labels=None):
    torch.manual_seed(0)
    labels = torch.arange(n) % 10 if labels is None else labels
    return TensorDataset(torch.rand(n, 1, 28, 28), labels)


@pytest.mark.parametrize(("device", "error", "match"), [
    ("gpu", ValueError, "device 'gpu' is not a torch device; use 'cpu', 'cuda', 'mps'"),
    (3.5, TypeError, "device must be a name such as 'cpu' or 'cuda', a torch.device or None, got 3.5"),
    ("meta", ValueError, "device 'meta' cannot run the course's models; use 'cpu'"),
])
def test_evaluate_refuses_an_unknown_device_by_name(device, error, match):
    with pytest.raises(error, match=match):
        evaluate(SeedCNN(), _data(), device=device)


def test_a_missing_gpu_is_named_instead_of_torchs_assertion(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(ValueError, match="device 'cuda' is not available: PyTorch finds no CUDA GPU on this machine; "
                                         "use 'cpu', or None"):
        evaluate(SeedCNN(), _data(), device="cuda")
    with pytest.raises(ValueError, match="device 'cuda:0' is not available"):
        _device("cuda:0")  # fit uses the same helper


def test_a_missing_apple_gpu_is_named(monkeypatch):
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: False)
    with pytest.raises(ValueError, match="device 'mps' is not available: PyTorch finds no Apple GPU"):
        _device("mps")


def test_evaluate_with_a_device_moves_the_model_there():
    model = SeedCNN()
    assert evaluate(model, _data(), device="cpu") == evaluate(model, _data())
    assert _device(torch.device("cpu")) == torch.device("cpu")


@pytest.mark.parametrize(("labels", "error", "match"), [
    (torch.tensor([0, 1, 2, 3, 4, 10]), ValueError, "dataset labels must be class indices from 0 to 9, got 10"),
    (torch.tensor([0, 1, 2, 3, 4, -1]), ValueError, "dataset labels must be class indices, 0 or more, got -1"),
    (torch.arange(6.0), TypeError, r"dataset labels must be integer class indices \(int64\), got dtype "
                                   r"torch.float32; convert them with labels.long\(\)"),
    (torch.eye(10)[:6].long(), ValueError, r"labels must be class indices shaped \(N,\), got shape \(6, 10\); "
                                           r"one-hot rows become indices with labels.argmax\(1\)"),
    (torch.arange(6)[:, None], ValueError, r"labels must be shaped \(N,\), got a column \(6, 1\); use "
                                           r"labels.squeeze\(1\)"),
])
def test_evaluate_names_labels_that_are_not_class_indices(labels, error, match):
    with pytest.raises(error, match=match):
        evaluate(SeedCNN(), _data(labels=labels))


def test_evaluate_casts_float64_images_and_double_models():
    data = _data()
    model = SeedCNN()
    expected = evaluate(model, data)
    as_float64 = evaluate(model, TensorDataset(data.tensors[0].double(), data.tensors[1]))
    assert as_float64 == expected  # cast to the model's float32
    as_double = evaluate(model.double(), data)
    assert as_double.accuracy == expected.accuracy and as_double.loss == pytest.approx(expected.loss, rel=1e-5)


def test_evaluate_and_predict_refuse_nan_images_and_byte_images():
    images = torch.rand(4, 1, 28, 28)
    images[2, 0, 3, 3] = float("nan")
    with pytest.raises(ValueError, match=r"dataset images hold NaN or infinite values; .* torch.nan_to_num"):
        evaluate(SeedCNN(), TensorDataset(images, torch.arange(4)))
    with pytest.raises(ValueError, match="data images hold NaN or infinite values"):
        predict(SeedCNN(), images)
    with pytest.raises(TypeError, match=r"data images must be floating point, got dtype torch.uint8; scale bytes"):
        predict(SeedCNN(), torch.zeros(2, 1, 28, 28, dtype=torch.uint8))


def test_evaluate_refuses_a_diverged_model_instead_of_reporting_an_accuracy():
    model = SeedCNN()
    with torch.no_grad():
        model.out.weight.fill_(float("nan"))
    with pytest.raises(ValueError, match="the model's loss on dataset is nan: its logits are not all finite"):
        evaluate(model, _data())


def test_predict_refuses_a_model_whose_output_is_not_logits():
    maps = nn.Conv2d(1, 10, 3)  # returns (N, 10, 26, 26), not (N, 10)
    with pytest.raises(ValueError, match=r"model must return logits shaped \(N, classes\), got shape "
                                         r"\(3, 10, 26, 26\) for N = 3 images; end it with nn.Flatten\(\)"):
        predict(maps, torch.zeros(3, 1, 28, 28))
    with pytest.raises(ValueError, match=r"model must return logits shaped \(N, classes\)"):
        evaluate(maps, _data())


def test_predict_takes_numpy_images_and_names_a_missing_model():
    model = SeedCNN()
    images = np.random.default_rng(0).random((3, 1, 28, 28))  # float64, as NumPy makes them
    assert torch.equal(predict(model, images), predict(model, torch.from_numpy(images).float()))
    for call in (lambda: predict(None, images), lambda: evaluate(None, _data())):
        with pytest.raises(TypeError, match="model must be a torch.nn.Module, e.g. SeedCNN.., got NoneType"):
            call()
    with pytest.raises(ValueError, match=r"data must be a batch of images shaped \(N, C, H, W\), got a 0-d tensor"):
        predict(model, torch.tensor(1.0))


def test_evaluate_keeps_the_training_mode_after_an_error():
    model = SeedCNN().train()
    with pytest.raises(ValueError):
        evaluate(model, _data(labels=torch.tensor([0, 1, 2, 3, 4, 99])))
    assert model.training

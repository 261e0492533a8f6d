import numpy as np
import torch

from cnn_helpers.env import default_device, set_seed


def test_set_seed_makes_numpy_and_torch_reproducible():
    set_seed(3, threads=1)
    a = (np.random.rand(3), torch.rand(3))
    set_seed(3, threads=1)
    b = (np.random.rand(3), torch.rand(3))
    assert np.array_equal(a[0], b[0]) and torch.equal(a[1], b[1])
    assert torch.get_num_threads() == 1


def test_default_device_falls_back_to_cpu(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: False)
    assert default_device() == "cpu"
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert default_device() == "cuda"

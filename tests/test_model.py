"""Tests of cnn_helpers.model: the course model, the builder, parameter counts, shape traces."""

import pytest
import torch
import torch.fx
from torch import nn

from cnn_helpers.model import SeedCNN, count_parameters

SEED_CNN_PRINT = """SeedCNN(
  (conv1): Sequential(
    (0): Conv2d(1, 16, kernel_size=(5, 5), stride=(1, 1), padding=(2, 2))
    (1): ReLU()
    (2): MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)
  )
  (conv2): Sequential(
    (0): Conv2d(16, 32, kernel_size=(5, 5), stride=(1, 1), padding=(2, 2))
    (1): ReLU()
    (2): MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)
  )
  (out): Linear(in_features=1568, out_features=10, bias=True)
)"""


def test_seed_cnn_prints_the_course_structure():
    assert str(SeedCNN()) == SEED_CNN_PRINT


def test_seed_cnn_parameter_count_matches_hand_count():
    by_hand = (16 * 1 * 5 * 5 + 16) + (32 * 16 * 5 * 5 + 32) + (32 * 7 * 7 * 10 + 10)
    assert by_hand == 28_938
    assert count_parameters(SeedCNN()) == by_hand


def test_seed_cnn_submodules_are_the_course_layers():
    model = SeedCNN()
    conv1, relu1, pool1 = model.conv1
    assert (conv1.in_channels, conv1.out_channels, conv1.kernel_size, conv1.stride, conv1.padding) == (
        1, 16, (5, 5), (1, 1), (2, 2))
    assert isinstance(relu1, nn.ReLU) and pool1.kernel_size == 2 and pool1.stride == 2
    conv2 = model.conv2[0]
    assert (conv2.in_channels, conv2.out_channels, conv2.kernel_size, conv2.padding) == (16, 32, (5, 5), (2, 2))
    assert (model.out.in_features, model.out.out_features) == (1568, 10)


def test_seed_cnn_forward_returns_logits_and_features_the_classifier_sees():
    torch.manual_seed(0)
    model = SeedCNN()
    x = torch.rand(3, 1, 28, 28)
    features = model.features(x)
    assert features.shape == (3, 1568)
    expected = model.conv2(model.conv1(x)).reshape(3, -1)
    torch.testing.assert_close(features, expected)
    torch.testing.assert_close(model(x), model.out(features))
    assert model(x).shape == (3, 10)


@pytest.mark.parametrize(
    "shape, fix",
    [
        ((28, 28), r"got \(28, 28\); add batch and channel dims with x\[None, None\]"),
        ((1, 28, 28), r"add a batch dim with x\[None\]"),
        ((5, 28, 28), r"add a channel dim with x\[:, None\]"),
        ((784,), r"x.view\(-1, 1, 28, 28\)"),
        ((2, 28, 28, 1), r"channels-last .* x.permute\(0, 3, 1, 2\)"),
        ((2, 3, 28, 28), r"grayscale with x.mean\(dim=1, keepdim=True\)"),
        ((2, 1, 32, 32), r"interpolate\(x, size=\(28, 28\)\)"),
    ],
)
def test_seed_cnn_wrong_shape_says_expected_shape_and_fix(shape, fix):
    with pytest.raises(ValueError, match=r"SeedCNN expects input of shape \(N, 1, 28, 28\)") as info:
        SeedCNN()(torch.zeros(shape))
    assert info.match(fix)


def test_seed_cnn_rejects_numpy_and_integer_input_with_fix():
    with pytest.raises(TypeError, match=r"expects a torch.Tensor, got ndarray; .*torch.from_numpy"):
        SeedCNN()(torch.zeros(1, 1, 28, 28).numpy())
    with pytest.raises(TypeError, match=r"floating-point tensor, got dtype torch.uint8; convert with x.float\(\)"):
        SeedCNN()(torch.zeros(1, 1, 28, 28, dtype=torch.uint8))


def test_seed_cnn_is_fx_traceable_and_the_traced_copy_agrees():
    torch.manual_seed(0)
    model = SeedCNN()
    traced = torch.fx.symbolic_trace(model)
    x = torch.rand(2, 1, 28, 28)
    torch.testing.assert_close(traced(x), model(x))
    modules = [n.target for n in traced.graph.nodes if n.op == "call_module"]
    assert modules == ["conv1.0", "conv1.1", "conv1.2", "conv2.0", "conv2.1", "conv2.2", "out"]
    with pytest.raises(ValueError, match="SeedCNN expects input of shape"):
        traced(torch.zeros(28, 28))


def test_count_parameters_counts_shared_once_and_can_skip_frozen():
    layer = nn.Linear(3, 4)  # 12 + 4
    model = nn.Sequential(layer, nn.ReLU(), layer)
    assert count_parameters(model) == 16
    layer.bias.requires_grad_(False)
    assert count_parameters(model, trainable_only=True) == 12
    with pytest.raises(TypeError, match="model must be a torch.nn.Module, got int"):
        count_parameters(3)

"""Tests of cnn_helpers.model: the course model, the builder, parameter counts, shape traces."""

import pytest
import torch
import torch.fx
from torch import nn

from cnn_helpers.model import ConvNet, SeedCNN, ShapeRow, build_cnn, count_parameters, trace_shapes

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


def test_seed_cnn_passes_the_receptive_field_tracer():
    # The input check is an fx node without users: the RF calculator must see only the layers.
    from cnn_helpers.receptive_field import receptive_field

    rows = receptive_field(SeedCNN(), (1, 28, 28))
    last_map = [r for r in rows if r.name == "conv2.2"][0]
    assert (last_map.rf_size, last_map.effective_stride, last_map.effective_padding) == ((16, 16), (4, 4), (6, 6))


# --- build_cnn -------------------------------------------------------------------------------


def test_build_cnn_defaults_are_the_course_model_and_load_its_weights():
    torch.manual_seed(0)
    built, seed = build_cnn(), SeedCNN()
    assert isinstance(built, ConvNet)
    assert str(built) == SEED_CNN_PRINT.replace("SeedCNN(", "ConvNet(")
    assert {k: v.shape for k, v in built.state_dict().items()} == {k: v.shape for k, v in seed.state_dict().items()}
    built.load_state_dict(seed.state_dict())
    x = torch.rand(4, 1, 28, 28)
    torch.testing.assert_close(built(x), seed(x))
    torch.testing.assert_close(built.features(x), seed.features(x))


def test_build_cnn_options_give_the_layers_and_parameter_count_asked_for():
    model = build_cnn(channels=(8, 16, 32), kernel_size=3, pool="avg", activation="tanh", batch_norm=True,
                      dropout=0.25, in_channels=3, input_size=(32, 20), num_classes=5)
    # 32x20 -> pool -> 16x10 -> 8x5 -> 4x2 (padding 1 keeps the size through each 3x3 conv)
    conv = (8 * 3 * 9 + 8) + (16 * 8 * 9 + 16) + (32 * 16 * 9 + 32)
    batch_norm = 2 * (8 + 16 + 32)
    linear = 32 * 4 * 2 * 5 + 5
    assert count_parameters(model) == conv + batch_norm + linear
    assert [type(m).__name__ for m in model.conv2] == ["Conv2d", "BatchNorm2d", "Tanh", "AvgPool2d"]
    assert isinstance(model.dropout, nn.Dropout) and model.dropout.p == 0.25
    assert model(torch.rand(2, 3, 32, 20)).shape == (2, 5)
    with pytest.raises(ValueError, match=r"ConvNet expects input of shape \(N, 3, 32, 20\), got \(2, 3, 28, 28\)"):
        model(torch.rand(2, 3, 28, 28))


@pytest.mark.parametrize(
    "options",
    [
        {"channels": (4,), "kernel_size": 7, "pool": "none"},
        {"channels": (4, 4), "kernel_size": (3, 5), "stride": (1, 2)},
        {"channels": (6, 6), "kernel_size": 4, "padding": 0, "activation": "gelu"},
        {"channels": (2,), "kernel_size": 1, "pool_size": 3, "activation": "sigmoid", "input_size": 13},
    ],
)
def test_build_cnn_linear_size_matches_the_real_feature_map_and_traces(options):
    model = build_cnn(**options)
    x = torch.rand(2, 1, *model.input_size)
    assert model.features(x).shape[1] == model.out.in_features
    torch.testing.assert_close(torch.fx.symbolic_trace(model)(x), model(x))


@pytest.mark.parametrize(
    "options, error, message",
    [
        ({"channels": (8,) * 5}, ValueError,
         r"block conv5: its Conv2d leaves a 1 x 1 feature map, too small for pool_size 2; use fewer blocks"),
        ({"channels": (8,), "kernel_size": 9, "padding": 0, "input_size": 6}, ValueError,
         r"block conv1 gets a 6 x 6 feature map, too small for its Conv2d: kernel_size 9 does not fit"),
        ({"pool": "mean"}, ValueError, r"pool must be one of 'max', 'avg', 'none', got 'mean'"),
        ({"activation": "softmax"}, ValueError, r"activation must be one of 'relu', 'tanh', 'sigmoid', 'gelu'"),
        ({"dropout": 1.0}, ValueError, r"dropout must be a probability in \[0, 1\), got 1.0"),
        ({"channels": 16}, TypeError, r"channels must be a non-empty sequence of ints like \(16, 32\), got 16"),
        ({"channels": (16, 0)}, ValueError, r"channels\[1\] must be an integer >= 1, got 0"),
        ({"kernel_size": 2.5}, TypeError, r"kernel_size must be an integer, got 2.5"),
        ({"batch_norm": "no"}, TypeError, r"batch_norm must be True or False, got 'no'"),
        ({"batch_norm": 1}, TypeError, r"batch_norm must be True or False, got 1"),
        ({"dropout": "0.5"}, TypeError, r"dropout must be a number, got '0.5' of type str"),
        ({"dropout": float("nan")}, ValueError, r"dropout must be a finite number, got nan"),
    ],
)
def test_build_cnn_bad_settings_are_explained(options, error, message):
    with pytest.raises(error, match=message):
        build_cnn(**options)


# --- trace_shapes ---------------------------------------------------------------------------------


def test_trace_shapes_of_the_course_model():
    trace = trace_shapes(SeedCNN(), (1, 28, 28))
    assert list(trace) == [
        ShapeRow("input", "input", (1, 28, 28), 0),
        ShapeRow("conv1.0", "Conv2d", (16, 28, 28), 416),
        ShapeRow("conv1.1", "ReLU", (16, 28, 28), 0),
        ShapeRow("conv1.2", "MaxPool2d", (16, 14, 14), 0),
        ShapeRow("conv2.0", "Conv2d", (32, 14, 14), 12_832),
        ShapeRow("conv2.1", "ReLU", (32, 14, 14), 0),
        ShapeRow("conv2.2", "MaxPool2d", (32, 7, 7), 0),
        ShapeRow("(no module)", "flatten", (32 * 7 * 7,), 0),
        ShapeRow("out", "Linear", (10,), 15_690),
    ]
    assert trace.total_parameters == 28_938 == sum(r.num_parameters for r in trace)
    text = repr(trace)
    assert text.splitlines()[0] == "Shapes of one example through SeedCNN"
    assert "conv2.2      MaxPool2d  (32, 7, 7)             0" in text
    assert text.splitlines()[-1].split() == ["total", "28,938"]
    page = trace._repr_html_()
    assert page.startswith('<table class="shape-trace">') and page.count("<tr>") == 1 + 9 + 1
    assert "<td style=\"text-align:left\">(1568,)</td>" in page


class _Residual(nn.Module):
    """A skip connection and a layer used twice: what a sequence-only tracer gets wrong."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(2, 2, 3, padding=1)
        self.norm = nn.BatchNorm2d(2)
        self.head = nn.Linear(2 * 4 * 4, 3)

    def forward(self, x):
        y = self.conv(torch.relu(self.norm(x)))
        y = self.conv(y) + x  # the shared conv again, then the skip
        return self.head(y.reshape(len(y), -1))


def test_trace_shapes_of_a_model_with_a_skip_and_a_shared_layer():
    model = _Residual().train()
    running_mean = model.norm.running_mean.clone()
    trace = trace_shapes(model, (2, 4, 4), batch_size=3)
    assert [(r.name, r.layer_type, r.output_shape, r.num_parameters) for r in trace] == [
        ("input", "input", (2, 4, 4), 0),
        ("norm", "BatchNorm2d", (2, 4, 4), 4),
        ("(no module)", "function", (2, 4, 4), 0),  # torch.relu
        ("conv", "Conv2d", (2, 4, 4), 38),
        ("conv", "Conv2d", (2, 4, 4), 0),  # shared: its parameters are counted once
        ("(no module)", "flatten", (32,), 0),  # + x, then reshape: hooks see only the result
        ("head", "Linear", (3,), 99),
    ]
    assert sum(r.num_parameters for r in trace) == trace.total_parameters == count_parameters(model)
    assert model.training and model.norm.training  # mode restored
    torch.testing.assert_close(model.norm.running_mean, running_mean)  # ran in eval mode


def test_trace_shapes_of_any_model_conv1d_and_tuple_outputs():
    model = nn.Sequential(nn.Conv1d(4, 8, 5), nn.ReLU(), nn.AdaptiveAvgPool1d(1), nn.Flatten(), nn.Linear(8, 2))
    trace = trace_shapes(model, (4, 50))
    assert [(r.name, r.output_shape) for r in trace] == [
        ("input", (4, 50)), ("0", (8, 46)), ("1", (8, 46)), ("2", (8, 1)), ("3", (8,)), ("4", (2,))]

    class Recurrent(nn.Module):
        def __init__(self):
            super().__init__()
            self.lstm = nn.LSTM(3, 6, batch_first=True)

        def forward(self, x):
            return self.lstm(x)[0][:, -1]

    rows = list(trace_shapes(Recurrent(), (7, 3)))
    assert rows[1] == ShapeRow("lstm", "LSTM", (7, 6), count_parameters(Recurrent().lstm))
    assert rows[2] == ShapeRow("(no module)", "function", (6,), 0)


def test_trace_shapes_names_the_layer_where_a_model_fails():
    model = nn.Sequential(nn.Conv2d(1, 4, 3), nn.Flatten(), nn.Linear(10, 2))
    with pytest.raises(ValueError, match=r"Sequential fails on input of size \(1, 28, 28\) at layer '2': .*"):
        trace_shapes(model, (1, 28, 28))
    with pytest.raises(ValueError, match=r"SeedCNN expects input of shape \(N, 1, 28, 28\), got \(1, 3, 28, 28\)"):
        trace_shapes(SeedCNN(), (3, 28, 28))


def test_trace_shapes_bad_arguments():
    with pytest.raises(ValueError, match=r"input_size\[1\] must be an integer >= 1, got 0"):
        trace_shapes(SeedCNN(), (1, 0, 28))
    with pytest.raises(TypeError, match=r"input_size must be the shape of one example, e.g. \(1, 28, 28\)"):
        trace_shapes(SeedCNN(), "1x28x28")
    with pytest.raises(TypeError, match="model must be a torch.nn.Module, got str"):
        trace_shapes("SeedCNN", (1, 28, 28))


def test_trace_shapes_of_an_empty_batch_matches_one_example():
    """batch_size=0 gives the same rows without arithmetic (the shape explorer traces this way)."""
    model = build_cnn(channels=(4, 8), kernel_size=3, padding=1, pool="avg", input_size=12)
    assert list(trace_shapes(model, (1, 12, 12), batch_size=0)) == list(trace_shapes(model, (1, 12, 12)))
    with pytest.raises(ValueError, match="batch_size"):
        trace_shapes(model, (1, 12, 12), batch_size=-1)


def test_build_cnn_takes_numpy_bools_and_floats():
    import numpy as np

    model = build_cnn(batch_norm=np.bool_(True), dropout=np.float64(0.25))
    assert isinstance(model.conv1[1], nn.BatchNorm2d) and model.dropout.p == 0.25
    assert not any(isinstance(m, nn.BatchNorm2d) for m in build_cnn(batch_norm=False).modules())

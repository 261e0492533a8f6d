"""Tests of cnn_helpers.receptive_field against PyTorch, autograd and published figures."""

from __future__ import annotations

import itertools

import pytest
import torch
import torch.nn.functional as F
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from torch import nn

from cnn_helpers.receptive_field import (
    ReceptiveField,
    conv_output_size,
    effective_receptive_field,
    empirical_receptive_field,
    receptive_field,
    rf_top_down,
)

try:
    from cnn_helpers.model import SeedCNN
except ImportError:  # written by another part of the course; the hand-built twin below stands in
    SeedCNN = None


# --- helpers ------------------------------------------------------------------------------


@pytest.fixture(autouse=True, scope="module")
def one_thread():
    """Tiny tensors: on a loaded 2-core machine a second thread only makes each op wait."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def course_model(c1: int = 16, c2: int = 32) -> nn.Sequential:
    """The course model's convolutional part, layer for layer (DESIGN.md); thin with c1, c2 small."""
    return nn.Sequential(
        nn.Conv2d(1, c1, 5, 1, 2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(c1, c2, 5, 1, 2), nn.ReLU(), nn.MaxPool2d(2),
    )


def vgg16_features(channels: int = 2) -> nn.Sequential:
    """torchvision's VGG-16 ``features`` layout (13 conv3x3 p1, 5 maxpool 2x2), few channels."""
    layers, c_in = [], 3
    for v in [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"]:
        if v == "M":
            layers.append(nn.MaxPool2d(kernel_size=2, stride=2))
        else:
            layers += [nn.Conv2d(c_in, channels, kernel_size=3, padding=1), nn.ReLU(inplace=True)]
            c_in = channels
    return nn.Sequential(*layers)


def all_units(row) -> list:
    h, w = row.output_size
    return list(itertools.product(range(h), range(w)))


def some_units(row) -> list:
    """The corners, the edges and the middle: where edge effects and off-by-ones show."""
    h, w = row.output_size
    rows = sorted({0, 1, h // 2, h - 2, h - 1} & set(range(h)))
    cols = sorted({0, 1, w // 2, w - 2, w - 1} & set(range(w)))
    return list(itertools.product(rows, cols))


def assert_matches_empirical(model, input_size, units=all_units):
    """For the units of every row: the calculator's input_region == the region autograd measures."""
    rf = receptive_field(model, input_size)
    for row in rf:
        if row.output_size is None:
            assert empirical_receptive_field(model, input_size, 0, layer=row.name) == row.input_region(0)
            continue
        chosen = units(row)
        measured = empirical_receptive_field(model, input_size, chosen, layer=row.name)
        computed = [row.input_region(i, j) for i, j in chosen]
        assert computed == measured, f"layer {row.name!r}"
    return rf


def clip(region, hw):
    (top, bottom), (left, right) = region
    h, w = hw
    rows, cols = (max(top, 0), min(bottom, h - 1)), (max(left, 0), min(right, w - 1))
    return None if rows[0] > rows[1] or cols[0] > cols[1] else (rows, cols)


def inside(small, big) -> bool:
    """Region ``small`` lies in region ``big`` (None: no pixel)."""
    if small is None:
        return True
    return big is not None and all(b[0] <= s[0] and s[1] <= b[1] for s, b in zip(small, big, strict=True))


# --- conv_output_size ---------------------------------------------------------------------


def test_conv_output_size_equals_nn_conv2d_over_a_grid():
    convs = {(k, d): nn.Conv2d(1, 1, (k, 1), dilation=(d, 1)) for k in range(1, 6) for d in (1, 2)}
    for n, k, s, p, d in itertools.product(range(1, 9), range(1, 6), range(1, 4), range(3), range(1, 3)):
        x = torch.zeros(1, 1, n, 2)
        conv = convs[k, d]
        conv.stride, conv.padding = (s, 1), (p, 0)  # what forward reads: one module per kernel
        try:
            expected = conv(x).shape[2]
        except RuntimeError:
            with pytest.raises(ValueError, match="does not fit in the padded input"):
                conv_output_size(n, k, s, p, d)
            continue
        assert conv_output_size(n, k, s, p, d) == expected, (n, k, s, p, d)


@pytest.mark.parametrize("ceil_mode", [False, True])
def test_conv_output_size_equals_nn_maxpool2d_over_a_grid(ceil_mode):
    for n, k, s, d in itertools.product(range(1, 10), range(1, 5), range(1, 4), range(1, 3)):
        for p in range(k // 2 + 1):  # PyTorch's pooling allows padding <= kernel_size / 2
            pool = nn.MaxPool2d((k, 1), (s, 1), (p, 0), (d, 1), ceil_mode=ceil_mode)
            try:
                expected = pool(torch.zeros(1, 1, n, 2)).shape[2]
            except RuntimeError:
                with pytest.raises(ValueError, match="does not fit"):
                    conv_output_size(n, k, s, p, d, ceil_mode=ceil_mode)
                continue
            assert conv_output_size(n, k, s, p, d, ceil_mode=ceil_mode) == expected, (n, k, s, p, d)


def test_ceil_mode_drops_a_window_that_would_start_in_the_right_padding():
    # 5 + 2*1 = 7 padded, k=2, s=2: ceil gives 4 windows, but the 4th starts at 6 = size + padding
    assert nn.MaxPool2d(2, 2, 1, ceil_mode=True)(torch.zeros(1, 1, 5, 5)).shape[-1] == 3
    assert conv_output_size(5, 2, 2, 1, ceil_mode=True) == 3
    assert conv_output_size(5, 2, 2, 0, ceil_mode=True) == 3
    assert conv_output_size(5, 2, 2, 0) == 2


def test_conv_output_size_takes_pairs_for_non_square_layers():
    conv = nn.Conv2d(1, 1, (3, 5), (2, 1), (1, 2), (1, 2))
    expected = tuple(conv(torch.zeros(1, 1, 11, 13)).shape[2:])
    assert conv_output_size((11, 13), (3, 5), (2, 1), (1, 2), (1, 2)) == expected == (6, 9)
    assert conv_output_size(11, (3, 5)) == (9, 7)  # any pair makes the answer a pair
    assert isinstance(conv_output_size(11, 3), int)


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"size": 0}, ValueError, "size must be an integer >= 1, got 0"),
        ({"kernel_size": 0}, ValueError, "kernel_size must be an integer >= 1, got 0"),
        ({"stride": 0}, ValueError, "stride must be an integer >= 1, got 0"),
        ({"padding": -1}, ValueError, "padding must be an integer >= 0, got -1"),
        ({"dilation": 0}, ValueError, "dilation must be an integer >= 1, got 0"),
        ({"kernel_size": 2.5}, TypeError, "kernel_size must be an integer, got 2.5"),
        ({"stride": (1, 2, 3)}, ValueError, r"stride must be an int or an \(h, w\) pair"),
        ({"ceil_mode": "yes"}, TypeError, "ceil_mode must be True or False"),
    ],
)
def test_conv_output_size_names_the_bad_argument(kwargs, error, match):
    args = {"size": 8, "kernel_size": 3} | kwargs
    with pytest.raises(error, match=match):
        conv_output_size(**args)


def test_a_kernel_that_does_not_fit_says_so_and_suggests_the_fix():
    msg = "kernel_size 7 does not fit in the padded input of size 5; increase padding or use a smaller kernel"
    with pytest.raises(ValueError, match=msg):
        conv_output_size(5, 7)
    with pytest.raises(ValueError, match="kernel_size 3 with dilation 3 spans 7 positions and does not fit "
                                         r"in the padded input of size 6; .* or dilation"):
        conv_output_size(4, 3, padding=1, dilation=3)
    with pytest.raises(ValueError, match=r"padded input of size 4 \(width\)"):
        conv_output_size((8, 4), 5)


# --- rf_top_down --------------------------------------------------------------------------


def test_rf_top_down_reproduces_the_course_worked_example():
    rf = rf_top_down([(3, 1), (3, 1)])
    assert rf == [5, 3]  # RF_1 = 5, RF_2 = 3
    assert rf_top_down([(5, 1)]) == [5]


def test_rf_top_down_agrees_with_the_forward_calculator_end_to_end():
    # RF_4 = 2, RF_3 = (2-1)*1 + 5 = 6, RF_2 = (6-1)*2 + 2 = 12, RF_1 = (12-1)*1 + 5 = 16; the
    # intermediate values are not the forward rf_size of layers 1..3 (5, 6, 14): other meaning
    assert rf_top_down([(5, 1), (2, 2), (5, 1), (2, 2)]) == [16, 12, 6, 2]
    vgg = [(2, 2) if isinstance(m, nn.MaxPool2d) else (3, 1) for m in vgg16_features() if not isinstance(m, nn.ReLU)]
    assert rf_top_down(vgg)[0] == 212
    layers = [(3, 2), (1, 1), (4, 3), (2, 1)]
    model = nn.Sequential(*[nn.Conv2d(1, 1, k, s) for k, s in layers])
    assert receptive_field(model, (1, 64, 64))[-1].rf_size == (rf_top_down(layers)[0],) * 2


@pytest.mark.parametrize(
    "layers, match",
    [
        ([], "layers must be a non-empty list of"),
        ("3,1", "layers must be a non-empty list of"),
        ([(3, 1), (3,)], r"layers\[1\] must be a \(kernel_size, stride\) pair, got \(3,\)"),
        ([(0, 1)], r"layers\[0\] kernel_size must be an integer >= 1, got 0"),
        ([(3, 0)], r"layers\[0\] stride must be an integer >= 1, got 0"),
    ],
)
def test_rf_top_down_rejects_bad_layers(layers, match):
    with pytest.raises(ValueError, match=match):
        rf_top_down(layers)


# --- published figures --------------------------------------------------------------------


def test_course_model_figures():
    rf = receptive_field(course_model(), (1, 28, 28))
    assert [row.rf_size[0] for row in rf] == [5, 5, 6, 14, 14, 16]
    assert [row.effective_stride[0] for row in rf] == [1, 1, 2, 2, 2, 4]
    last = rf[-1]
    assert (last.rf_size, last.effective_stride, last.effective_padding) == ((16, 16), (4, 4), (6, 6))
    assert last.output_size == (7, 7)
    assert last.region(0, 0) == ((-6, 9), (-6, 9))  # reaches 6 pixels into the padding
    assert last.region(6, 6) == ((18, 33), (18, 33))
    assert last.input_region(0, 0) == ((0, 9), (0, 9))


@pytest.mark.skipif(SeedCNN is None, reason="cnn_helpers.model not there yet")
def test_seed_cnn_figures_and_whole_input_after_the_classifier():
    model = SeedCNN()
    rf = receptive_field(model, (1, 28, 28))
    assert rf.names == ["conv1.0", "conv1.1", "conv1.2", "conv2.0", "conv2.1", "conv2.2", "flatten", "out"]
    pool2 = rf["conv2.2"]
    assert (pool2.rf_size, pool2.effective_stride, pool2.effective_padding) == ((16, 16), (4, 4), (6, 6))
    assert pool2.region(0, 0) == ((-6, 9), (-6, 9))
    out = rf[-1]
    assert out.sees_whole_input and out.rf_size is None and out.note == "every unit sees the whole input"
    assert out.region(3) == out.input_region(3) == ((0, 27), (0, 27))
    assert empirical_receptive_field(model, (1, 28, 28), 3) == ((0, 27), (0, 27))
    assert empirical_receptive_field(model, (1, 28, 28), (0, 0), layer="conv2.2") == ((0, 9), (0, 9))


def test_vgg16_figures_at_224():
    """Araujo, Norris & Sim, Distill 2019: VGG-16 has r = 212, S = 32, P = 90."""
    model = vgg16_features()
    rf = receptive_field(model, (3, 224, 224))
    last = rf[-1]
    assert (last.rf_size, last.effective_stride, last.effective_padding) == ((212, 212), (32, 32), (90, 90))
    assert last.output_size == (7, 7)
    assert last.region(0, 0) == ((-90, 121), (-90, 121))
    units = [(0, 0), (3, 4), (6, 6)]
    expected = [clip(last.region(i, j), (224, 224)) for i, j in units]
    assert empirical_receptive_field(model, (3, 224, 224), units) == expected
    assert [last.input_region(i, j) for i, j in units] == expected


# --- agreement with the measurement -------------------------------------------------------


def test_course_model_agrees_with_autograd_on_every_unit_of_every_layer():
    assert_matches_empirical(course_model(), (1, 28, 28), units=some_units)
    rf = assert_matches_empirical(course_model(2, 2), (1, 28, 28))  # same geometry, cheaper
    for row in rf:  # no edge effects here: the clipped formula is exact too
        assert all(row.input_region(i, j) == clip(row.region(i, j), (28, 28)) for i, j in all_units(row))


@pytest.mark.filterwarnings("ignore:Using padding='same'")  # PyTorch's note on its own speed
def test_every_option_of_every_layer_agrees_with_autograd():
    model = nn.Sequential(
        nn.Conv2d(2, 3, kernel_size=(3, 5), stride=(1, 2), padding=(2, 1), dilation=(2, 1)),
        nn.BatchNorm2d(3), nn.LeakyReLU(), nn.Dropout(0.5),
        nn.MaxPool2d(kernel_size=(3, 2), stride=(2, 1), padding=(1, 0), dilation=(1, 2), ceil_mode=True),
        nn.Sequential(nn.Conv2d(3, 3, 2, padding="same", dilation=3), nn.Sequential(nn.GELU(), nn.Dropout2d())),
        nn.AvgPool2d(3, stride=2, padding=1, ceil_mode=True, count_include_pad=False),
        nn.LPPool2d(2, kernel_size=(2, 3), stride=(1, 2), ceil_mode=True),
        nn.Conv2d(3, 2, 1, stride=2, padding=1),  # its border units see only padding
    )
    rf = assert_matches_empirical(model, (2, 23, 19))
    first = rf[0]
    assert (first.kernel_size, first.stride, first.padding, first.dilation) == ((3, 5), (1, 2), (2, 1), (2, 1))
    assert first.rf_size == (5, 5) and first.effective_padding == (2, 1)
    assert rf[4].rf_size == (5 + 2 * 1, 5 + 2 * 2)  # max pool: (k' - 1) * jump added, dilation 2 in w
    assert rf[-1].input_region(0, 0) is None  # a unit that sees nothing but padding
    assert rf[-1].region(0, 0) is not None


def test_functional_calls_and_reshapes_are_traced():
    class Functional(nn.Module):
        def __init__(self):
            super().__init__()
            self.weight = nn.Parameter(torch.randn(4, 1, 3, 3))
            self.head = nn.Linear(4 * 3 * 3, 2)

        def forward(self, x):
            x = F.relu(F.conv2d(x, self.weight, padding=1))  # (N, 4, 12, 12)
            x = torch.sigmoid(F.max_pool2d(x, 2, ceil_mode=True)) * 2  # (N, 4, 6, 6)
            x = F.avg_pool2d(x, kernel_size=3, stride=2, padding=1).contiguous()  # (N, 4, 3, 3)
            return self.head(torch.flatten(x.view(x.size(0), -1), 1))  # flat twice: still flat

    model = Functional()
    rf = assert_matches_empirical(model, (1, 12, 12))
    assert [row.layer for row in rf] == ["conv2d", "relu", "max_pool2d", "sigmoid", "mul", "avg_pool2d",
                                         "contiguous", "view", "flatten", "Linear"]
    assert rf["flatten"].region(35) == rf["view"].region(35) == rf["avg_pool2d"].region(2, 2)
    assert rf["avg_pool2d"].rf_size == (3 + 1 + 2 * 2, 8) and rf["avg_pool2d"].effective_stride == (4, 4)
    assert rf[-1].sees_whole_input


class MoreFunctional(nn.Module):
    def forward(self, x):
        x = F.lp_pool2d(x, 2, (2, 3), stride=(1, 2), ceil_mode=True)  # (N, 2, 9, 5)
        x = F.adaptive_max_pool2d(x, (3, 5)).mean(dim=1, keepdim=True)  # (N, 1, 3, 5): over channels
        return x.mean((2, 3)) + x.sum(dim=-1).sum(-1)  # over space: every unit sees all


def test_functional_pooling_and_reductions():
    rf = receptive_field(MoreFunctional(), (2, 10, 10))
    assert [row.layer for row in rf[:4]] == ["lp_pool2d", "adaptive_max_pool2d", "mean", "mean"]
    assert rf[0].rf_size == (2, 3) and rf[0].effective_stride == (1, 2)
    assert rf[1].kernel_size == (3, 1) and rf[1].rf_size == (4, 3)  # 9 -> 3 rows: windows of 3
    assert rf[2].rf_size == rf[1].rf_size  # a mean over channels keeps the grid
    assert rf[3].sees_whole_input and rf[3].input_region(0) == ((0, 9), (0, 9))


class Differences(nn.Module):
    def __init__(self):
        super().__init__()
        self.pad = nn.ZeroPad2d((1, 2, 0, 3))  # left, right, top, bottom
        self.crop = nn.ZeroPad2d((-1, 0, 0, 0))  # negative padding crops
        self.conv = nn.Conv2d(1, 1, 3)

    def forward(self, x):
        x = self.conv(self.pad(x))  # (N, 1, 9, 9)
        y = torch.relu(x) - x  # zero wherever x >= 0, yet it depends on x
        return self.crop(y / (x.sub(2) + 3))


def test_padding_layers_and_differences():
    rf = assert_matches_empirical(Differences(), (1, 8, 6))
    assert rf["pad"].output_size == (11, 9) and rf["pad"].effective_padding == (0, 1)
    assert rf["conv"].region(0, 0) == ((0, 2), (-1, 1))
    assert rf[-1].output_size == (9, 6) and rf[-1].region(0, 0) == ((0, 2), (0, 2))


def test_ceil_mode_changes_the_number_of_units_not_the_geometry():
    floor, ceil = (receptive_field(nn.Sequential(nn.Conv2d(1, 1, 3), nn.MaxPool2d(2, ceil_mode=c)), (1, 9, 9))[-1]
                   for c in (False, True))
    assert (floor.output_size, ceil.output_size) == ((3, 3), (4, 4))
    assert (floor.rf_size, floor.effective_stride, floor.effective_padding) == (
        ceil.rf_size, ceil.effective_stride, ceil.effective_padding)
    assert ceil.region(3, 3) == ((6, 9), (6, 9))  # the extra unit's window hangs over the edge
    assert ceil.input_region(3, 3) == ((6, 8), (6, 8))


def test_padding_moves_the_region_not_its_size():
    rows = [receptive_field(nn.Sequential(nn.Conv2d(1, 1, 3, padding=p), nn.Conv2d(1, 1, 3, padding=p)),
                            (1, 8, 8))[-1] for p in (0, 1)]
    assert rows[0].rf_size == rows[1].rf_size == (5, 5)
    assert rows[0].effective_stride == rows[1].effective_stride == (1, 1)
    assert (rows[0].region(0, 0), rows[1].region(0, 0)) == (((0, 4), (0, 4)), ((-2, 2), (-2, 2)))


def test_conv1d_model_is_an_image_of_height_one():
    model = nn.Sequential(nn.Conv1d(3, 4, 5, stride=2, padding=2), nn.ReLU(), nn.MaxPool1d(3, 2, 1, ceil_mode=True),
                          nn.Conv1d(4, 2, 3, dilation=2), nn.AvgPool1d(2))
    rf = assert_matches_empirical(model, (3, 40))
    last = rf[-1]
    # rf 5 -> 5 + 2*2 = 9 -> 9 + 4*4 = 25 -> 25 + 1*4 = 29; jump 2, 4, 4, 8; padding 2, 2 + 1*2 = 4
    assert last.output_size == (1, 3) and last.kernel_size == (1, 2)
    assert (last.rf_size, last.effective_stride, last.effective_padding) == ((1, 29), (1, 8), (0, 4))
    assert last.region(1) == last.region(0, 1) == ((0, 0), (4, 32))
    assert empirical_receptive_field(model, (3, 40), 1) == last.input_region(1)
    assert repr(rf).splitlines()[2].split()[:4] == ["0", "Conv1d", "20", "5"]  # 1-D: one number per size
    assert effective_receptive_field(model, (3, 40), 1).shape == (40,)
    pooled = nn.Sequential(nn.Conv1d(1, 2, 3), nn.LPPool1d(2, 3, stride=2, ceil_mode=True), nn.AdaptiveMaxPool1d(3))
    rf = assert_matches_empirical(pooled, (1, 17))
    assert rf[1].rf_size == (1, 5) and rf[2].note.startswith("uneven adaptive pooling windows")


def test_adaptive_pooling_regular_uneven_and_global():
    regular = nn.Sequential(nn.Conv2d(1, 2, 3, padding=1), nn.AdaptiveAvgPool2d((4, 2)))
    rf = assert_matches_empirical(regular, (1, 8, 8))
    assert (rf[-1].kernel_size, rf[-1].stride, rf[-1].rf_size) == ((2, 4), (2, 4), (4, 6))

    uneven = nn.Sequential(nn.Conv2d(1, 2, 3), nn.AdaptiveMaxPool2d(5), nn.Conv2d(2, 2, 1))
    rf = assert_matches_empirical(uneven, (1, 9, 9))
    assert rf[1].rf_size is None and rf[1].kernel_size is None
    assert rf[1].note.startswith("uneven adaptive pooling windows")
    assert rf[1].region(0, 0) == ((0, 8), (0, 8))  # the whole input: an upper bound
    assert rf[1].input_region(0, 0) == ((0, 3), (0, 3))  # windows 0..1 of 7 (then + 2 for the conv)

    pooled = nn.Sequential(nn.Conv2d(1, 2, 3), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(2, 3))
    rf = assert_matches_empirical(pooled, (1, 9, 9))
    assert rf[1].rf_size == (9, 9) and rf[1].region(0, 0) == ((0, 8), (0, 8))
    assert [row.sees_whole_input for row in rf] == [False, False, False, True]
    assert rf[2].note.startswith("flattened: unit f = c*H*W + i*W + j sees what unit (i, j)")


def test_pixels_dropped_by_the_floor_are_seen_by_no_unit():
    # 7 pixels, kernel 2, stride 2: 3 units cover pixels 0..5; pixel 6 is dropped
    model = nn.Sequential(nn.Conv2d(1, 1, 2, 2), nn.Conv2d(1, 1, 3, padding=1), nn.Flatten(), nn.Linear(9, 2))
    rf = assert_matches_empirical(model, (1, 7, 7))
    assert rf[1].region(2, 2) == ((2, 7), (2, 7))  # the formula counts a padding unit past the edge
    assert rf[1].input_region(2, 2) == ((2, 5), (2, 5))
    assert rf[2].region(8) == rf[1].region(2, 2)  # flattened: unit 8 = 0*9 + 2*3 + 2
    assert rf[-1].region(1) == ((0, 6), (0, 6))  # the table's "whole input"...
    assert rf[-1].input_region(1) == ((0, 5), (0, 5))  # ...but pixel 6 reaches no unit


# --- several paths ------------------------------------------------------------------------


class Residual(nn.Module):
    """A basic block, a strided block with a 1x1 shortcut, and an Inception-like concatenation."""

    def __init__(self, c=2):
        super().__init__()
        self.stem = nn.Conv2d(1, c, 3, padding=1)
        self.block1 = nn.Sequential(nn.Conv2d(c, c, 3, padding=1), nn.BatchNorm2d(c), nn.ReLU(),
                                    nn.Conv2d(c, c, 3, padding=1))
        self.block2 = nn.Sequential(nn.Conv2d(c, c, 3, stride=2, padding=1), nn.ReLU(),
                                    nn.Conv2d(c, c, 3, padding=1))
        self.shortcut2 = nn.Conv2d(c, c, 1, stride=2)
        self.branch_a = nn.Conv2d(c, c, 1)
        self.branch_b = nn.Conv2d(c, c, 5, padding=2)
        self.branch_c = nn.Sequential(nn.MaxPool2d(3, 1, 1), nn.Conv2d(c, c, 1))

    def forward(self, x):
        x = torch.relu(self.stem(x))  # rf 3
        x = F.relu(x + self.block1(x))  # rf 3 + 4 = 7: the union, not 3 + 4 + 0 chained
        x = self.block2(x) + self.shortcut2(x)  # rf 7 + 2 + 2*2 = 13, jump 2
        x = torch.cat([self.branch_a(x), self.branch_b(x), self.branch_c(x)], dim=1)
        return x  # rf 13 + 4*2 = 21


def test_residual_and_concatenation_take_the_union_of_the_paths():
    model = Residual()
    rf = assert_matches_empirical(model, (1, 16, 16))
    assert rf["add"].rf_size == (7, 7) and rf["add"].effective_padding == (3, 3)
    assert rf["add_1"].rf_size == (13, 13) and rf["add_1"].effective_stride == (2, 2)
    assert rf["add_1"].effective_padding == (6, 6)  # the union of block2's (13, P 6) and the shortcut's (7, P 3)
    last = rf[-1]
    assert last.name == "cat" and last.output_size == (8, 8)
    assert (last.rf_size, last.effective_stride, last.effective_padding) == ((21, 21), (2, 2), (10, 10))
    assert rf.names.index("shortcut2") > rf.names.index("block2.2")  # execution order
    # chaining the layers in execution order, as some calculators do, double counts
    chain = nn.Sequential(*[m for m in model.modules() if isinstance(m, (nn.Conv2d, nn.MaxPool2d))])
    assert receptive_field(chain, (1, 16, 16))[-1].rf_size == (37, 37)


def test_paths_with_different_effective_strides_are_flagged_not_aligned():
    class Misaligned(nn.Module):
        def __init__(self):
            super().__init__()
            self.strided = nn.Conv2d(1, 1, 2, stride=2)  # 8 -> 4, jump 2
            self.wide = nn.Conv2d(1, 1, 5)  # 8 -> 4, jump 1

        def forward(self, x):
            return self.strided(x) + self.wide(x)

    rf = assert_matches_empirical(Misaligned(), (1, 8, 8))
    add = rf[-1]
    assert not add.aligned and add.rf_size is None and add.effective_stride is None
    assert add.note == "not aligned: paths with effective_stride 1 and 2 meet here; region() is their union"
    assert add.region(3, 0) == ((3, 7), (0, 4))  # union of [6, 7] and [3, 7]
    assert "not aligned" in repr(rf)


class SqueezeExcite(nn.Module):
    """A conv, then each channel scaled by a gate computed from the whole (pooled) map."""

    def __init__(self, c=2):
        super().__init__()
        self.conv = nn.Conv2d(1, c, 3, padding=1)
        self.gate = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Conv2d(c, c, 1), nn.Sigmoid())
        self.head = nn.Conv2d(c, c, 3)

    def forward(self, x):
        x = self.conv(x)
        return self.head(x * self.gate(x))


def test_a_map_broadcast_from_one_unit_adds_its_region_to_every_unit():
    rf = assert_matches_empirical(SqueezeExcite(), (1, 9, 9))
    mul = rf["mul"]
    assert mul.output_size == (9, 9) and not mul.aligned
    assert mul.note.startswith("not aligned: paths with effective_stride 0 and 1 meet here")
    assert mul.region(4, 4) == ((-1, 9), (-1, 9))  # the gate's region: the whole input and its padding
    assert rf[-1].input_region(0, 0) == ((0, 8), (0, 8))


# --- random stacks (hypothesis) -----------------------------------------------------------


def _axis_layer(draw, n, kind):
    """Draw (k, s, p, d) for one axis that fit an input of size n."""
    d = draw(st.integers(1, 2)) if kind in ("conv", "max") else 1
    k_max = 4
    s = draw(st.integers(1, 3))
    p = 0 if kind == "lp" else draw(st.integers(0, 2))
    k = draw(st.integers(1, max(1, min(k_max, (n + 2 * p - 1) // d + 1))))
    if kind in ("max", "avg"):  # PyTorch's pooling allows padding <= kernel_size / 2
        p = min(p, k // 2)
        if d * (k - 1) + 1 > n + 2 * p:  # the kernel no longer fits: take one that does
            k, p = 1, 0
    return k, s, p, d


@st.composite
def random_stacks(draw):
    """A random stack of conv and pooling layers (ReLUs between some) and the input size it fits."""
    input_size = size = (draw(st.integers(3, 14)), draw(st.integers(3, 14)))
    layers, c = [], 1
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["conv", "conv", "max", "avg", "lp"]))
        (kh, sh, ph, dh), (kw, sw, pw, dw) = (_axis_layer(draw, n, kind) for n in size)
        ceil = kind != "conv" and draw(st.booleans())
        if kind == "conv":
            layer = nn.Conv2d(c, 2, (kh, kw), (sh, sw), (ph, pw), (dh, dw))
            c = 2
        elif kind == "max":
            layer = nn.MaxPool2d((kh, kw), (sh, sw), (ph, pw), (dh, dw), ceil_mode=ceil)
        elif kind == "avg":
            layer = nn.AvgPool2d((kh, kw), (sh, sw), (ph, pw), ceil_mode=ceil)
        else:
            layer = nn.LPPool2d(2, (kh, kw), (sh, sw), ceil_mode=ceil)
        size = conv_output_size(size, (kh, kw), (sh, sw), (ph, pw), (dh, dw), ceil_mode=ceil)
        layers.append(layer)
        if draw(st.booleans()):
            layers.append(nn.ReLU())
    return nn.Sequential(*layers), (1, *input_size)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(stack=random_stacks())
def test_random_stacks_agree_with_autograd(stack):
    model, input_size = stack
    rf = receptive_field(model, input_size)
    last = rf[-1]
    units = all_units(last)
    assert [last.input_region(i, j) for i, j in units] == empirical_receptive_field(model, input_size, units)
    hw = input_size[1:]
    for i, j in units:
        formula = last.region(i, j)
        assert inside(last.input_region(i, j), clip(formula, hw))
        if clip(formula, hw) == formula:  # a region inside the image is exact
            assert last.input_region(i, j) == formula
    strides = [m.stride for m in model if not isinstance(m, nn.ReLU)]
    assert last.effective_stride == tuple(torch.tensor(strides).prod(0).tolist())


@st.composite
def random_blocks(draw):
    """A stem, a block whose two aligned paths meet by addition or concatenation, a head."""
    def same_conv(c_in, stride):  # odd span, padding (span - 1) / 2: both paths give the same size
        k, d = draw(st.sampled_from([1, 3, 5])), draw(st.integers(1, 2))
        return nn.Conv2d(c_in, 2, k, stride, d * (k - 1) // 2, d)

    stride = draw(st.integers(1, 2))
    stem = same_conv(1, draw(st.integers(1, 2)))
    path_a = nn.Sequential(same_conv(2, stride), nn.ReLU(), same_conv(2, 1))
    path_b = draw(st.sampled_from(["identity", "conv", "pool"]))
    if path_b == "identity" and stride == 1:
        path_b = nn.Identity()
    elif path_b == "pool":
        path_b = nn.MaxPool2d(3, stride, 1)
    else:
        path_b = same_conv(2, stride)
    return Block(stem, path_a, path_b, draw(st.booleans()), same_conv(4, 1)), draw(st.integers(4, 12))


class Block(nn.Module):
    def __init__(self, stem, path_a, path_b, concatenate, head):
        super().__init__()
        self.stem, self.path_a, self.path_b, self.concatenate, self.head = stem, path_a, path_b, concatenate, head

    def forward(self, x):
        x = self.stem(x)
        a, b = self.path_a(x), self.path_b(x)
        x = torch.cat([a, b], dim=1) if self.concatenate else torch.cat([a + b, a], dim=1)
        return self.head(x)


@settings(max_examples=40, deadline=None)
@given(block=random_blocks())
def test_random_residual_blocks_agree_with_autograd(block):
    model, n = block
    rf = receptive_field(model, (1, n, n))
    last = rf[-1]
    assert last.aligned
    units = all_units(last)
    assert [last.input_region(i, j) for i, j in units] == empirical_receptive_field(model, (1, n, n), units)
    for i, j in units:
        assert inside(last.input_region(i, j), clip(last.region(i, j), (n, n)))


# --- errors -------------------------------------------------------------------------------


class Roll(nn.Module):
    def forward(self, x):
        return torch.roll(x, 1, dims=2)


class SideBySide(nn.Module):
    def forward(self, x):
        return torch.cat([x, x], dim=2)


class Crop(nn.Module):
    def forward(self, x):
        return x[:, :, 1:]


class ControlFlow(nn.Module):
    def forward(self, x):
        return x if x.sum() > 0 else -x


@pytest.mark.parametrize(
    "model, input_size, error, match",
    [
        ("conv", (1, 8, 8), TypeError, "model must be a torch.nn.Module, got str"),
        (nn.Conv2d(1, 1, 3), (1, 8, 8, 8), ValueError, r"input_size must be \(C, H, W\) for a 2-D model or \(C, L\)"),
        (nn.Conv2d(1, 1, 3), (1, 0, 8), ValueError, r"input_size\[1\] must be an integer >= 1, got 0"),
        (nn.Sequential(nn.Conv2d(1, 1, 7)), (1, 5, 9), ValueError,
         "layer '0': kernel_size 7 does not fit in the padded input of size 5 \\(height\\); increase padding"),
        (nn.Sequential(nn.Conv2d(1, 1, 3), nn.Upsample(scale_factor=2)), (1, 8, 8), ValueError,
         "layer '1' \\(Upsample\\) is not supported by the receptive-field calculator; it knows Conv1d/2d"),
        (Roll(), (1, 8, 8), ValueError, "the function roll is not supported by the receptive-field calculator"),
        (SideBySide(), (1, 8, 8), ValueError,
         "torch.cat along dim 2 joins feature maps side by side; .* along channels \\(dim=1\\)"),
        (Crop(), (1, 8, 8), ValueError, "layer 'getitem': the function getitem is not supported"),
        (nn.Sequential(nn.Conv2d(1, 1, 3), nn.Linear(6, 2)), (1, 8, 8), ValueError,
         "nn.Linear on a \\(N, C, H, W\\) feature map mixes only the last dimension; flatten it first"),
        (nn.Sequential(nn.Conv2d(1, 1, 3, padding=1, padding_mode="reflect")), (1, 8, 8), ValueError,
         "padding_mode 'reflect' fills the padding with copies of pixels"),
        (ControlFlow(), (1, 8, 8), ValueError, "torch.fx cannot trace ControlFlow"),
        (nn.Sequential(nn.Conv2d(1, 1, 3)), (3, 8, 8), ValueError,
         "the model fails at layer '0' \\(Conv2d\\) on an input of shape \\(1, 3, 8, 8\\): Given groups=1"),
    ],
)
def test_receptive_field_errors_say_what_is_wrong(model, input_size, error, match):
    with pytest.raises(error, match=match) as info:
        receptive_field(model, input_size)
    assert "While executing" not in str(info.value)  # no torch.fx graph dump for a student


def test_region_and_unit_errors_say_what_is_wrong():
    model = nn.Sequential(*course_model(2, 2), nn.Flatten(), nn.Linear(2 * 7 * 7, 3))
    rf = receptive_field(model, (1, 28, 28))
    with pytest.raises(ValueError, match=r"i must be in 0..6 for layer '5' with output size \(7, 7\), got 7"):
        rf[5].region(7, 0)
    with pytest.raises(ValueError, match=r"layer '5' needs a row and a column: region\(i, j\)"):
        rf[5].region(3)
    with pytest.raises(TypeError, match="j must be an integer, got 1.5"):
        rf[5].input_region(0, 1.5)
    with pytest.raises(ValueError, match=r"layer '6' is flat: give one index, region\(f\)"):
        rf[6].region(0, 1)
    with pytest.raises(ValueError, match="f must be in 0..97 for layer '6', got 98"):
        rf[6].region(98)
    with pytest.raises(KeyError, match="no layer named 'conv1'; the layers are 0, 1, 2"):
        rf["conv1"]
    with pytest.raises(ValueError, match=r"unit \(0,\) does not match the output of '5' of size \(7, 7\); give 2"):
        empirical_receptive_field(model, (1, 28, 28), (0,), layer="5")
    with pytest.raises(ValueError, match=r"unit \(7, 0\) is outside the output of '5' .* unit\[0\] must be in 0..6"):
        empirical_receptive_field(model, (1, 28, 28), (7, 0), layer="5")
    with pytest.raises(ValueError, match="layer 'conv9' is not a layer of the model; the layers are '0', '1'"):
        empirical_receptive_field(model, (1, 28, 28), (0, 0), layer="conv9")
    with pytest.raises(ValueError, match=r"unit must be \(i, j\), an index, or a non-empty list of them"):
        empirical_receptive_field(model, (1, 28, 28), [])
    with pytest.raises(ValueError, match="effective_receptive_field takes one unit, not a list"):
        effective_receptive_field(model, (1, 28, 28), [(0, 0)], layer="5")
    with pytest.raises(ValueError, match=r"inputs must be a tensor of shape \(N, 1, 28, 28\), got \(2, 28, 28\)"):
        effective_receptive_field(model, (1, 28, 28), 0, inputs=torch.zeros(2, 28, 28))
    with pytest.raises(ValueError, match="n_samples must be an integer >= 1, got 0"):
        effective_receptive_field(model, (1, 28, 28), 0, n_samples=0)


class TwoHeads(nn.Module):
    def __init__(self):
        super().__init__()
        self.body, self.a, self.b = nn.Conv2d(1, 2, 3), nn.Conv2d(2, 1, 1), nn.MaxPool2d(2)

    def forward(self, x):
        x = self.body(x)
        return self.a(x), self.b(x)


def test_a_model_with_several_outputs_gets_every_row_and_a_clear_question():
    rf = receptive_field(TwoHeads(), (1, 8, 8))
    assert rf.names == ["body", "a", "b"] and rf["b"].rf_size == (4, 4)
    with pytest.raises(ValueError, match=r"the model returns several values; pass layer=<a row name>"):
        empirical_receptive_field(TwoHeads(), (1, 8, 8), (0, 0))
    assert empirical_receptive_field(TwoHeads(), (1, 8, 8), (2, 2), layer="b") == rf["b"].input_region(2, 2)


# --- the table ----------------------------------------------------------------------------


def test_the_table_reads_like_the_course_text():
    model = nn.Sequential(*course_model(), nn.Flatten(), nn.Linear(32 * 7 * 7, 10))
    rf = receptive_field(model, (1, 28, 28))
    assert isinstance(rf, ReceptiveField) and len(rf) == 8 and rf[-1] is rf["7"]
    assert repr(rf) == "\n".join([
        "Receptive field of each layer, input size (1, 28, 28):",
        "name  layer      output_size  kernel_size  stride  padding  dilation  rf_size  effective_stride  "
        "effective_padding  note",
        "0     Conv2d     28           5            1       2        1         5        1                 2",
        "1     ReLU       28           1            1       0        1         5        1                 2",
        "2     MaxPool2d  14           2            2       0        1         6        2                 2",
        "3     Conv2d     14           5            1       2        1         14       2                 6",
        "4     ReLU       14           1            1       0        1         14       2                 6",
        "5     MaxPool2d  7            2            2       0        1         16       4                 6",
        "6     Flatten    -            -            -       -        -         16       4                 6"
        "                  flattened: unit f = c*H*W + i*W + j sees what unit (i, j) of the grid before sees",
        "7     Linear     -            -            -       -        -         -        -                 -"
        "                  every unit sees the whole input",
    ])
    page = rf._repr_html_()
    assert page.startswith('<table class="cnn-receptive-field"><caption>Receptive field of each layer')
    assert page.count("<tr>") == len(rf) + 1 and "<td>MaxPool2d</td><td>7</td>" in page


def test_non_square_sizes_print_as_h_x_w():
    rf = receptive_field(nn.Sequential(nn.Conv2d(1, 1, (3, 5), (1, 2))), (1, 9, 12))
    assert repr(rf).splitlines()[2].split() == ["0", "Conv2d", "7x4", "3x5", "1x2", "0", "1", "3x5", "1x2", "0"]


# --- the model is left as it was ----------------------------------------------------------


def test_the_model_keeps_its_mode_weights_and_statistics():
    model = nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2), nn.ReLU(), nn.Dropout(), nn.MaxPool2d(2))
    model.train()
    model[3].eval()  # a submodule in its own mode stays so
    before = {k: v.clone() for k, v in model.state_dict().items()}
    receptive_field(model, (1, 9, 9))
    empirical_receptive_field(model, (1, 9, 9), (0, 0))
    effective_receptive_field(model, (1, 9, 9), (1, 1))
    assert [m.training for m in model] == [True, True, True, False, True]
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())


# --- effective receptive field ------------------------------------------------------------


def _spread(erf: torch.Tensor) -> float:
    """Standard deviation, in pixels, of the row profile of a magnitude map."""
    profile = erf.sum(1) / erf.sum()
    rows = torch.arange(len(profile), dtype=profile.dtype)
    mean = (profile * rows).sum()
    return ((profile * (rows - mean) ** 2).sum()).sqrt().item()


def test_effective_rf_grows_like_the_square_root_of_depth():
    """Luo et al. 2016: with uniform weights the ERF is a binomial-like bump of std sqrt(n * 2/3)."""
    spreads = {}
    for depth in (2, 8):
        model = nn.Sequential(*[nn.Conv2d(1, 1, 3, bias=False) for _ in range(depth)]).double()
        for conv in model:
            nn.init.constant_(conv.weight, 1 / 9)
        size = 2 * depth + 1  # exactly the theoretical region of the single output unit
        erf = effective_receptive_field(model, (1, size, size), (0, 0))
        assert erf.shape == (size, size) and erf.max().item() == 1.0 and (erf > 0).all()
        spreads[depth] = _spread(erf)
        assert spreads[depth] == pytest.approx((depth * 2 / 3) ** 0.5, rel=1e-9)  # variance of 3 taps: 2/3
    assert spreads[8] / spreads[2] == pytest.approx(2.0)  # sqrt(8 / 2), while rf_size grows 17 / 5 = 3.4


def test_effective_rf_of_a_real_model_lies_inside_its_region_and_reproduces():
    torch.manual_seed(0)
    model = nn.Sequential(*course_model(4, 4))
    erf = effective_receptive_field(model, (1, 28, 28), (3, 3), n_samples=4)
    (top, bottom), (left, right) = empirical_receptive_field(model, (1, 28, 28), (3, 3))  # rows 6..21
    outside = torch.ones_like(erf, dtype=torch.bool)
    outside[top:bottom + 1, left:right + 1] = False
    assert erf[outside].abs().max().item() == 0 and erf.max().item() == 1.0
    assert torch.equal(erf, effective_receptive_field(model, (1, 28, 28), (3, 3), n_samples=4))
    x = torch.randn(1, 1, 28, 28, requires_grad=True)
    model(x)[0, :, 3, 3].sum().backward()
    by_hand = x.grad[0].abs().sum(0)
    assert torch.allclose(effective_receptive_field(model, (1, 28, 28), (3, 3), inputs=x.detach()),
                          by_hand / by_hand.max())


@pytest.mark.parametrize("measure", [empirical_receptive_field, effective_receptive_field])
def test_measured_receptive_fields_name_a_channel_mismatch_like_the_calculator(measure):
    model = nn.Sequential(nn.Conv2d(3, 2, 3))
    with pytest.raises(ValueError, match=r"the model fails at layer '0' \(Conv2d\) on an input of shape "
                                         r"\(\d+, 1, 8, 8\): .*to have 3 channels, but got 1"):
        measure(model, (1, 8, 8), (0, 0))

"""Explorers: set slider values programmatically and check what the student sees."""

import subprocess
import sys

import ipywidgets as widgets
import pytest

from cnn_helpers import viz
from cnn_helpers.widgets import Explorer

# --- shared Explorer mechanism ---


def _toy_explorer():
    def render(fig, size):
        if size > 3:
            raise ValueError(f"size {size} is too large; pick at most 3")
        if size == 3:
            raise RuntimeError("a bug")
        fig.clear()
        fig.add_subplot().plot(range(size + 1))
        return f"<b>size = {size}</b>"

    fig, _ = viz.new_axes(figsize=(2, 2))
    return Explorer({"size": widgets.IntSlider(value=1, min=0, max=5)}, render, fig, "toy-explorer")


def test_explorer_shows_numbers_and_picture_and_updates():
    explorer = _toy_explorer()
    assert explorer.numbers.value == "<b>size = 1</b>"
    first = explorer.image.value
    assert first[:4] == b"\x89PNG"
    explorer.controls["size"].value = 2
    assert explorer.numbers.value == "<b>size = 2</b>"
    assert explorer.image.value != first
    assert "toy-explorer" in explorer._dom_classes


@pytest.mark.parametrize(("size", "text"), [(4, "size 4 is too large; pick at most 3"), (3, "Please report it")])
def test_explorer_shows_a_message_not_a_traceback(size, text):
    explorer = _toy_explorer()
    explorer.controls["size"].value = size
    assert text in explorer.message.value
    explorer.controls["size"].value = 1
    assert explorer.message.value == ""


def _counting_explorer(drawn: list, numbers_only=("label",)):
    """Two controls: ``size`` draws (``size`` 4 is impossible), ``label`` only changes the numbers."""

    def render(fig, size, label):
        if size > 3:
            raise ValueError(f"size {size} is too large; pick at most 3")
        if label == "bad":
            raise ValueError("label 'bad' is not allowed")
        if fig is not None:
            drawn.append(size)
            fig.clear()
            fig.add_subplot().plot(range(size + 1))
        return f"<b>{label}: size = {size}</b>"

    fig, _ = viz.new_axes(figsize=(2, 2))
    controls = {"size": widgets.IntSlider(value=1, min=0, max=5), "label": widgets.Text(value="a")}
    return Explorer(controls, render, fig, "toy-explorer", numbers_only=numbers_only)


def test_a_numbers_only_control_keeps_the_picture():
    drawn = []
    explorer = _counting_explorer(drawn)
    picture = explorer.image.value
    explorer.controls["label"].value = "b"
    assert explorer.numbers.value == "<b>b: size = 1</b>" and explorer.image.value is picture and drawn == [1]
    explorer.controls["size"].value = 2
    assert explorer.image.value != picture and drawn == [1, 2]


def test_a_numbers_only_control_redraws_a_picture_left_behind_by_an_impossible_setting():
    drawn = []
    explorer = _counting_explorer(drawn)
    picture = explorer.image.value
    explorer.controls["label"].value = "bad"  # impossible: a message
    explorer.controls["size"].value = 2  # still impossible: nothing drawn for size 2
    assert "not allowed" in explorer.message.value and drawn == [1] and explorer.image.value is picture
    explorer.controls["label"].value = "ok"  # a numbers-only control, but the picture shows size 1
    assert explorer.message.value == "" and drawn == [1, 2] and explorer.image.value != picture
    explorer.controls["label"].value = "c"
    assert drawn == [1, 2]
    with pytest.raises(ValueError, match=r"numbers_only names \['batch'\], which are not controls"):
        _counting_explorer([], numbers_only=("batch",))


# --- 04 pooling ---


def _windows_per_value(size, kernel_size, stride, padding):
    """Reference by autograd: d(sum of all sum-pooled outputs)/dx counts the windows holding x."""
    import torch
    import torch.nn.functional as F

    x = torch.ones(1, 1, *size, requires_grad=True)
    F.avg_pool2d(x, kernel_size, stride, padding).sum().backward()
    return (x.grad[0, 0] * kernel_size**2).round().long()  # (H, W)


@pytest.mark.parametrize("size", [(28, 28), (27, 13), (40, 34)])
@pytest.mark.parametrize("kernel_size", [1, 2, 3, 5])
@pytest.mark.parametrize("stride", [1, 2, 3, 6])
def test_pooling_numbers_match_pytorch_shapes_and_window_counts(size, kernel_size, stride):
    import torch
    from torch import nn

    from cnn_helpers.widgets import pooling_numbers

    for padding in range(kernel_size // 2 + 1):
        numbers = pooling_numbers(size, kernel_size, stride, padding)
        out = nn.MaxPool2d(kernel_size, stride, padding)(torch.zeros(1, 1, *size))
        assert numbers["output_size"] == tuple(out.shape[2:])
        assert numbers["kept"] == pytest.approx(out[0, 0].numel() / (size[0] * size[1]))
        counts = _windows_per_value(size, kernel_size, stride, padding)
        assert numbers["unread"] == int((counts == 0).sum())
        assert numbers["max_windows"] == int(counts.max())


def test_pooling_numbers_refuse_what_pytorch_refuses_with_the_fix():
    import torch
    from torch import nn

    from cnn_helpers.widgets import pooling_numbers

    with pytest.raises(RuntimeError, match="pad should be"):  # the reason for the check
        nn.MaxPool2d(2, 2, padding=2)(torch.zeros(1, 1, 8, 8))
    with pytest.raises(ValueError, match=r"padding 2 is more than half of kernel_size 3.*use padding <= 1"):
        pooling_numbers((28, 28), 3, 1, 2)
    with pytest.raises(ValueError, match="kernel_size 6 does not fit in the padded input of size 5"):
        pooling_numbers((5, 9), 6, 1, 0)


@pytest.mark.parametrize(("kernel_size", "stride", "padding"), [(2, 2, 0), (3, 2, 1), (3, 1, 0), (5, 3, 2)])
def test_pool_feature_map_is_pytorchs_pooling(kernel_size, stride, padding):
    import torch
    from torch import nn

    from cnn_helpers import from_scratch
    from cnn_helpers.widgets import pool_feature_map

    x = torch.randn(17, 23, generator=torch.Generator().manual_seed(kernel_size + stride))
    batch = x[None, None]  # (1, 1, H, W)
    args = (kernel_size, stride, padding)
    torch.testing.assert_close(pool_feature_map(x, "max", *args), nn.MaxPool2d(*args)(batch)[0, 0])
    torch.testing.assert_close(pool_feature_map(x, "avg", *args), nn.AvgPool2d(*args)(batch)[0, 0])
    total = pool_feature_map(x, "sum", *args)
    expected = from_scratch.sum_pool2d(x[None, None].numpy(), kernel_size, stride, padding)[0, 0]
    torch.testing.assert_close(total, torch.from_numpy(expected).float(), rtol=1e-5, atol=1e-5)
    if padding == 0:  # LPPool2d has no padding argument
        torch.testing.assert_close(total, nn.LPPool2d(1, kernel_size, stride)(batch)[0, 0], rtol=1e-5, atol=1e-5)
    with pytest.raises(ValueError, match="mode must be one of 'max', 'avg', 'sum', got 'min'"):
        pool_feature_map(x, "min", *args)


def test_default_feature_maps_are_relu_edges_of_a_real_digit():
    import torch
    import torch.nn.functional as F

    from cnn_helpers.data import load_mnist
    from cnn_helpers.widgets import default_feature_maps

    maps = default_feature_maps()
    images, labels = load_mnist().test.tensors
    digit = images[labels == 3][0, 0]  # (28, 28)
    torch.testing.assert_close(maps["digit 3: pixels"], digit)
    sobel_x = torch.tensor([[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]])
    vertical = F.relu(F.conv2d(digit[None, None], sobel_x[None, None], padding=1))[0, 0]
    horizontal = F.relu(F.conv2d(digit[None, None], sobel_x.T[None, None], padding=1))[0, 0]
    torch.testing.assert_close(maps["digit 3: vertical edges"], vertical)
    torch.testing.assert_close(maps["digit 3: horizontal edges"], horizontal)
    assert maps["photo: edges"].min() >= 0 and maps["photo: edges"].max() > 1


@pytest.fixture(scope="module")
def pooling():
    from cnn_helpers.widgets import pooling_explorer

    return pooling_explorer()


def test_pooling_explorer_starts_on_the_digit_with_max_pooling(pooling):
    assert pooling.values["mode"] == "max" and pooling.values["kernel_size"] == 2
    assert "⌊(28 + 2·0 − 2) / 2⌋ + 1 = 14" in pooling.numbers.value
    assert "784 → 14·14 = 196 (25.0%)" in pooling.numbers.value
    assert pooling.controls["position"].max == 14 * 14 - 1
    assert pooling.image.value[:4] == b"\x89PNG"
    assert "pooling-explorer" in pooling._dom_classes and "cnn-explorer" in pooling._dom_classes


def test_pooling_explorer_updates_numbers_picture_and_position_range(pooling):
    before_numbers, before_image = pooling.numbers.value, pooling.image.value
    pooling.controls["kernel_size"].value = 3
    assert "⌊(28 + 2·0 − 3) / 2⌋ + 1 = 13" in pooling.numbers.value
    assert "a value is in up to 4 windows" in pooling.numbers.value
    assert pooling.controls["position"].max == 13 * 13 - 1
    assert pooling.numbers.value != before_numbers and pooling.image.value != before_image
    pooling.controls["mode"].value = "sum"
    assert "the sum of 9 values" in pooling.numbers.value
    pooling.controls["stride"].value = 4
    assert "in no window" in pooling.numbers.value
    pooling.controls["kernel_size"].value = 2
    pooling.controls["stride"].value = 2
    pooling.controls["mode"].value = "max"


def test_pooling_explorer_value_shown_is_the_pooled_value(pooling):
    import torch.nn.functional as F

    from cnn_helpers.widgets import default_feature_maps

    fm = default_feature_maps()["digit 3: vertical edges"]
    pooling.controls["position"].value = 14 * 7 + 7  # unit (7, 7)
    expected = F.max_pool2d(fm[None, None], 2)[0, 0, 7, 7].item()
    assert f"output (7, 7) = the largest of 4 values = {expected:.4g}<" in pooling.numbers.value


def test_pooling_explorer_shows_a_message_for_too_much_padding(pooling):
    pooling.controls["padding"].value = 2
    assert "padding 2 is more than half of kernel_size 2" in pooling.message.value
    pooling.controls["padding"].value = 1
    assert pooling.message.value == ""
    assert "⌊(28 + 2·1 − 2) / 2⌋ + 1 = 15" in pooling.numbers.value
    assert "(+ " in pooling.numbers.value or pooling.controls["position"].value > 0
    pooling.controls["padding"].value = 0


def test_render_pooling_draws_every_setting_on_a_grid():
    import itertools

    from cnn_helpers.widgets import default_feature_maps, pooling_numbers, render_pooling

    maps, fig = default_feature_maps(), viz.pooling_figure()
    geometries = [(1, 1, 0), (2, 2, 0), (3, 2, 1), (3, 1, 1), (6, 6, 3), (5, 6, 2), (6, 1, 0), (2, 2, 2)]
    for feature, mode, (k, s, p) in itertools.product(maps, ("max", "avg", "sum"), geometries):
        if 2 * p > k:
            with pytest.raises(ValueError, match="more than half of kernel_size"):
                render_pooling(fig, maps, feature, mode, k, s, p)
            continue
        oh, ow = pooling_numbers(tuple(maps[feature].shape), k, s, p)["output_size"]
        for position in (0, oh * ow - 1, oh * ow + 5):  # past the end stays on the last unit
            html = render_pooling(fig, maps, feature, mode, k, s, p, position)
            unit = divmod(min(position, oh * ow - 1), ow)
            assert f"output ({unit[0]}, {unit[1]}) = " in html
        if mode == "max":
            assert viz.figure_to_png(fig)[:4] == b"\x89PNG"


def test_pooling_explorer_rejects_maps_that_are_not_2d():
    import torch

    from cnn_helpers.widgets import pooling_explorer

    with pytest.raises(ValueError, match=r"feature map 'rgb' must be a 2-D \(H, W\) tensor, got shape \(3, 8, 8\)"):
        pooling_explorer({"rgb": torch.zeros(3, 8, 8)})
    with pytest.raises(ValueError, match="feature_maps is empty"):
        pooling_explorer({})


# --- 01 input layer ---


def test_input_explorer_shows_shape_and_layout_numbers():
    from cnn_helpers.widgets import input_explorer

    explorer = input_explorer()
    assert "input-explorer" in explorer._dom_classes
    assert "<code>(8, 3, 72, 72)</code>" in explorer.numbers.value
    assert "8×3×72×72 = 124,416" in explorer.numbers.value
    assert "(15552, 5184, 72, 1)" in explorer.numbers.value
    image = explorer.image.value
    explorer.controls["layout"].value = "NHWC"
    assert "<code>(8, 72, 72, 3)</code>" in explorer.numbers.value
    assert "(15552, 216, 3, 1)" in explorer.numbers.value and "R[0,0], G[0,0], B[0,0]" in explorer.numbers.value
    assert explorer.image.value != image  # the memory strip changed colours
    image = explorer.image.value
    explorer.controls["view"].value = "B"
    assert "<code>(8, 72, 72, 1)</code>" in explorer.numbers.value
    assert "same order" in explorer.numbers.value
    assert explorer.image.value != image
    image = explorer.image.value
    explorer.controls["batch_size"].value = 1
    assert "<code>(1, 72, 72, 1)</code>" in explorer.numbers.value and "= 5,184" in explorer.numbers.value
    assert explorer.image.value != image
    assert explorer.message.value == ""


def test_input_explorer_grid_renders_every_setting():
    import itertools

    from cnn_helpers import viz
    from cnn_helpers.widgets import input_explorer

    explorer = input_explorer(max_batch=4)
    seen = set()
    for view, batch_size, layout in itertools.product(viz.CHANNEL_VIEWS, range(1, 5), viz.LAYOUTS):
        explorer.controls["view"].value = view
        explorer.controls["batch_size"].value = batch_size
        explorer.controls["layout"].value = layout
        assert explorer.message.value == "", (view, batch_size, layout)
        seen.add(explorer.numbers.value)
    assert len(seen) == 5 * 4 * 2


def test_input_explorer_crops_differ():
    import torch

    from cnn_helpers.widgets import _photo_crops

    crops = _photo_crops(8)
    assert crops.shape == (8, 3, 72, 72) and 0.0 <= crops.min() and crops.max() <= 1.0
    assert all(not torch.equal(crops[i], crops[j]) for i in range(8) for j in range(i))


@pytest.mark.parametrize(("max_batch", "error", "text"), [
    (9, ValueError, "max_batch must be at most 8 (the figure has room for 8 images), got 9"),
    (0, ValueError, "max_batch must be an integer >= 1, got 0"),
    (2.0, TypeError, "max_batch must be an integer, got 2.0"),
])
def test_input_explorer_rejects_bad_max_batch(max_batch, error, text):
    import re

    from cnn_helpers.widgets import input_explorer

    with pytest.raises(error, match=re.escape(text)):
        input_explorer(max_batch=max_batch)


# --- 02 convolution ---


def _numbers_row(html, css_class):
    """The text of one row of the conv explorer's numbers table."""
    import re

    match = re.search(f'<tr class="{css_class}"><th[^>]*>[^<]*</th><td>(.*?)</td></tr>', html)
    assert match, f"no row {css_class!r} in {html!r}"
    return match.group(1)


def _last_int(text):
    return int(text.rsplit("= ", 1)[1].replace(",", ""))


def _real_layer_numbers(image_size, kernel_size, stride, padding, dilation, out_channels):
    """Output size, parameters and multiply-adds measured on a real nn.Conv2d (MACs = FLOPs / 2)."""
    import torch
    from torch.utils.flop_counter import FlopCounterMode

    layer = torch.nn.Conv2d(1, out_channels, kernel_size, stride, padding, dilation)
    with FlopCounterMode(display=False) as counter, torch.no_grad():
        out = layer(torch.zeros(1, 1, *image_size))
    return tuple(out.shape[-2:]), sum(p.numel() for p in layer.parameters()), counter.get_total_flops() // 2


@pytest.mark.parametrize(("kernel_size", "stride", "padding", "dilation", "out_channels"),
                         [(5, 1, 2, 1, 16), (3, 2, 0, 1, 1), (7, 3, 1, 2, 4), (1, 4, 5, 1, 8), (4, 2, 3, 3, 2)])
def test_conv_numbers_match_a_real_layer(kernel_size, stride, padding, dilation, out_channels):
    from cnn_helpers.widgets import conv_numbers

    numbers = conv_numbers((32, 27), kernel_size, stride, padding, dilation, out_channels)
    size, parameters, macs = _real_layer_numbers((32, 27), kernel_size, stride, padding, dilation, out_channels)
    assert numbers == {"output_size": size, "parameters": parameters, "multiply_adds": macs}


def test_conv_numbers_refuse_a_kernel_that_does_not_fit_and_name_the_fix():
    from cnn_helpers.widgets import conv_numbers

    with pytest.raises(ValueError, match="kernel_size 9 with dilation 4 spans 33 positions and does not fit "
                                         "in the padded input of size 31 .width.; increase padding"):
        conv_numbers((32, 27), 9, 1, 2, 4, 1)


@pytest.fixture(scope="module")
def conv():
    from cnn_helpers.widgets import conv_explorer

    return conv_explorer()


def _conv_image_size():
    from cnn_helpers.data import sample_image
    from cnn_helpers.widgets import CONV_IMAGE_SIZE

    return tuple(sample_image(size=CONV_IMAGE_SIZE).shape[1:])


def test_conv_explorer_starts_as_the_course_models_conv1(conv):
    assert conv.values == {"kernel_size": 5, "stride": 1, "padding": 2, "dilation": 1, "out_channels": 16,
                           "position": 0}
    assert conv.message.value == ""
    assert _last_int(_numbers_row(conv.numbers.value, "parameters")) == 416  # Conv2d(1, 16, 5): 16·(25 + 1)
    assert conv.image.value[:4] == b"\x89PNG"
    assert "conv-explorer" in conv._dom_classes


@pytest.mark.parametrize("settings", [
    {"kernel_size": 3, "stride": 2, "padding": 0, "dilation": 1, "out_channels": 4},
    {"kernel_size": 7, "stride": 3, "padding": 1, "dilation": 2, "out_channels": 1},
    {"kernel_size": 11, "stride": 4, "padding": 5, "dilation": 1, "out_channels": 16},
    {"kernel_size": 2, "stride": 1, "padding": 0, "dilation": 4, "out_channels": 9},
])
def test_conv_explorer_shows_the_real_layers_numbers(conv, settings):
    before = conv.image.value
    for name, value in settings.items():
        conv.controls[name].value = value
    html = conv.numbers.value
    (oh, ow), parameters, macs = _real_layer_numbers(_conv_image_size(), **settings)
    k, s, p, d = (settings[key] for key in ("kernel_size", "stride", "padding", "dilation"))
    height = _numbers_row(html, "output-height")
    assert f"= ⌊({_conv_image_size()[0]} + 2·{p} − {d}·({k} − 1) − 1) / {s}⌋ + 1 = {oh}" in height
    assert _last_int(height) == oh and _last_int(_numbers_row(html, "output-width")) == ow
    assert _numbers_row(html, "output-shape").startswith(f"({settings['out_channels']}, {oh}, {ow})")
    assert _last_int(_numbers_row(html, "parameters")) == parameters
    assert _last_int(_numbers_row(html, "multiply-adds")) == macs
    assert conv.message.value == "" and conv.image.value != before


def test_conv_explorer_says_plainly_when_the_kernel_does_not_fit(conv):
    for name, value in {"padding": 0, "kernel_size": 11, "dilation": 4}.items():
        conv.controls[name].value = value
    assert "does not fit in the padded input" in conv.message.value
    assert "increase padding or use a smaller kernel or dilation" in conv.message.value
    assert "Traceback" not in conv.message.value and "Please report" not in conv.message.value
    conv.controls["dilation"].value = 1
    assert conv.message.value == ""
    assert _last_int(_numbers_row(conv.numbers.value, "output-width")) == _conv_image_size()[1] - 10


def test_conv_explorer_position_walks_the_window_over_every_output_unit(conv):
    for name, value in {"kernel_size": 3, "stride": 2, "padding": 1, "dilation": 1}.items():
        conv.controls[name].value = value
    (oh, ow), _, _ = _real_layer_numbers(_conv_image_size(), 3, 2, 1, 1, 1)
    assert conv.controls["position"].max == oh * ow - 1
    conv.controls["position"].value = ow + 2  # second row, third column
    window = _numbers_row(conv.numbers.value, "window")
    assert window.startswith("output unit (1, 2) sees input rows 1…3, columns 3…5")
    conv.controls["position"].value = oh * ow - 1
    assert f"output unit ({oh - 1}, {ow - 1})" in conv.numbers.value
    conv.controls["stride"].value = 4  # fewer units: the slider shrinks and the window stays on the output
    (oh, ow), _, _ = _real_layer_numbers(_conv_image_size(), 3, 4, 1, 1, 1)
    assert conv.controls["position"].max == conv.controls["position"].value == oh * ow - 1
    assert f"output unit ({oh - 1}, {ow - 1})" in conv.numbers.value


def test_conv_explorer_takes_any_2d_image_and_refuses_others():
    import numpy as np

    from cnn_helpers.widgets import conv_explorer

    explorer = conv_explorer(np.eye(12))
    assert "H<sub>out</sub> = ⌊(H + 2·p − d·(k − 1) − 1) / s⌋ + 1 = ⌊(12 + 2·2" in explorer.numbers.value
    with pytest.raises(ValueError, match=r"image must be a 2-D \(H, W\) tensor, got shape \(3, 8, 8\); pick one"):
        conv_explorer(np.zeros((3, 8, 8)))


def test_conv_explorer_says_which_pixels_a_dilated_window_uses(conv):
    for name, value in {"kernel_size": 3, "stride": 1, "padding": 0, "dilation": 3, "position": 0}.items():
        conv.controls[name].value = value
    assert "sees input rows 0…6, columns 0…6, taps 3 pixels apart" in conv.numbers.value


def test_render_conv_draws_the_real_layers_output_and_kernel():
    import numpy as np
    import torch

    from cnn_helpers.widgets import _conv_layer, render_conv

    image = torch.rand(12, 10, generator=torch.Generator().manual_seed(1))
    fig = viz.plot_conv_window(np.zeros((1, 1)), np.zeros((1, 1)), np.zeros((1, 1)))
    render_conv(fig, image, kernel_size=3, stride=2, padding=1, dilation=2, out_channels=3, position=4)
    layer = _conv_layer(3, 3, 2, 1, 2)
    assert isinstance(layer, torch.nn.Conv2d)
    assert (layer.kernel_size, layer.stride, layer.padding, layer.dilation) == ((3, 3), (2, 2), (1, 1), (2, 2))
    assert layer.weight.abs().max() <= 1 / 3  # PyTorch's default bound 1/sqrt(fan_in), fan_in = 9
    expected = torch.nn.functional.conv2d(image[None, None], layer.weight, layer.bias, 2, 1, 2)[0, 0]
    art = fig._conv_artists
    assert np.allclose(art.image_out.get_array(), expected.detach().numpy())
    assert np.allclose(art.taps.get_array(), layer.weight[0, 0].detach().numpy().ravel())


def test_render_conv_leaves_the_notebooks_random_state_and_threads_alone():
    import torch

    from cnn_helpers.widgets import render_conv

    threads, state = torch.get_num_threads(), torch.random.get_rng_state()
    render_conv(None, torch.zeros(9, 9), kernel_size=3, stride=1, padding=0, dilation=1, out_channels=2)
    assert torch.get_num_threads() == threads and torch.equal(torch.random.get_rng_state(), state)


def test_conv_explorer_draws_a_random_sample_of_settings_to_png(conv):
    # The grid below calls render_conv without drawing the PNG; this sample goes through the
    # sliders and the PNG too, so errors that only appear when matplotlib draws would show.
    import random

    rng = random.Random(0)
    size = _conv_image_size()
    for _ in range(15):  # each setting is six slider moves, so six redraws
        values = {name: rng.randint(c.min, c.max) for name, c in conv.controls.items() if name != "position"}
        for name, value in values.items():
            conv.controls[name].value = value
        conv.controls["position"].value = rng.randint(0, conv.controls["position"].max)
        k, p, d = values["kernel_size"], values["padding"], values["dilation"]
        fits = d * (k - 1) + 1 <= min(size) + 2 * p
        if fits:
            assert conv.message.value == "" and conv.image.value[:4] == b"\x89PNG"
        else:
            assert "does not fit" in conv.message.value


def test_render_conv_draws_every_slider_combination():
    import itertools

    import numpy as np

    from cnn_helpers.data import sample_image
    from cnn_helpers.widgets import CONV_IMAGE_SIZE, conv_explorer, render_conv

    explorer = conv_explorer()
    image = sample_image(size=CONV_IMAGE_SIZE).mean(dim=0)  # the explorer's own image
    ranges = {name: range(c.min, c.max + 1) for name, c in explorer.controls.items() if name != "position"}
    fig = viz.plot_conv_window(np.zeros((1, 1)), np.zeros((1, 1)), np.zeros((1, 1)))
    drawn = refused = 0
    geometry = itertools.product(*(ranges[n] for n in ("kernel_size", "stride", "padding", "dilation")))
    for index, (k, s, p, d) in enumerate(geometry):
        c = ranges["out_channels"][index % len(ranges["out_channels"])]  # every count, in turn
        fits = d * (k - 1) + 1 <= min(image.shape) + 2 * p
        try:
            html = render_conv(fig, image, k, s, p, d, c, position=index * 7)
        except ValueError as error:
            assert not fits and "does not fit" in str(error)
            refused += 1
            continue
        assert fits and "multiply-adds" in html
        drawn += 1
    assert drawn + refused == 11 * 4 * 6 * 4 and refused > 0


# --- 03 receptive field ---


@pytest.fixture(scope="module")
def rf_explorer_03():
    from cnn_helpers.widgets import rf_explorer

    return rf_explorer()


def _shown(explorer, cls):
    """The text of the numbers cell with class ``cls``."""
    import re

    return re.search(f'<td class="{cls}">(.*?)</td>', explorer.numbers.value).group(1)


def _expected_row(layers, padding, size=(28, 28)):
    """The last row of receptive_field on a stack built here, independently of the explorer."""
    from torch import nn

    from cnn_helpers.receptive_field import receptive_field

    stack = nn.Sequential(*[nn.Conv2d(1, 1, k, s, padding=k // 2 if padding == "half" else 0) for k, s in layers])
    return receptive_field(stack, (1, *size))[-1]


def _set_custom(explorer, layers, padding="none", image="digit"):
    controls = explorer.controls
    controls["preset"].value = "custom stack"
    controls["image"].value = image
    controls["padding"].value = padding
    controls["layers"].value = len(layers)
    for n, (k, s) in enumerate(layers, start=1):
        controls[f"kernel_{n}"].value = k
        controls[f"stride_{n}"].value = s


@pytest.mark.parametrize(("layers", "padding", "unit"), [
    ([(3, 1), (3, 1)], "none", (10, 17)),
    ([(3, 1), (5, 2), (3, 1)], "half", (2, 3)),
    ([(7, 3), (2, 1), (3, 2), (1, 1)], "none", (0, 1)),
])
def test_rf_explorer_shows_the_calculators_numbers(rf_explorer_03, layers, padding, unit):
    explorer = rf_explorer_03
    _set_custom(explorer, layers, padding)
    explorer.controls["unit_row"].value, explorer.controls["unit_col"].value = unit
    row = _expected_row(layers, padding)
    (top, bottom), (left, right) = row.region(*unit)
    assert explorer.message.value == ""
    assert _shown(explorer, "output-size") == f"{row.output_size[0]} × {row.output_size[1]}"
    assert _shown(explorer, "rf-size") == f"{row.rf_size[0]} × {row.rf_size[1]}"
    assert _shown(explorer, "effective-stride") == str(row.effective_stride[0])
    assert _shown(explorer, "effective-padding") == str(row.effective_padding[0])
    assert _shown(explorer, "region-rows") == f"{top} … {bottom}"
    assert _shown(explorer, "region-cols") == f"{left} … {right}"
    assert explorer.numbers.value.count('class="rf-layer"') == len(layers)


def test_rf_explorer_course_model_preset(rf_explorer_03):
    explorer = rf_explorer_03
    explorer.controls["image"].value = "digit"
    explorer.controls["preset"].value = "course model (conv1, conv2)"
    explorer.controls["unit_row"].value, explorer.controls["unit_col"].value = 0, 0
    assert (_shown(explorer, "rf-size"), _shown(explorer, "effective-stride"),
            _shown(explorer, "effective-padding")) == ("16 × 16", "4", "6")
    assert _shown(explorer, "region-rows") == "-6 … 9" and _shown(explorer, "output-size") == "7 × 7"
    assert (explorer.controls["unit_row"].max, explorer.controls["unit_col"].max) == (6, 6)
    # the custom-stack sliders do nothing here, so they are greyed out
    assert explorer.controls["kernel_1"].disabled and explorer.controls["padding"].disabled
    explorer.controls["preset"].value = "two 3×3 convs"
    assert _shown(explorer, "rf-size") == "5 × 5" and _shown(explorer, "output-size") == "24 × 24"
    explorer.controls["preset"].value = "one 5×5 conv"
    assert _shown(explorer, "rf-size") == "5 × 5" and explorer.numbers.value.count('class="rf-layer"') == 1


def test_rf_explorer_unit_sliders_follow_the_output_and_the_picture_changes(rf_explorer_03):
    explorer = rf_explorer_03
    _set_custom(explorer, [(3, 1), (3, 1)])
    explorer.controls["unit_row"].value = 20
    before = explorer.image.value
    explorer.controls["unit_col"].value = 5
    assert explorer.image.value != before and _shown(explorer, "region-cols") == "5 … 9"
    explorer.controls["stride_1"].value = 2  # output 13 x 13 -> 11 x 11: the sliders shrink with it
    assert (explorer.controls["unit_row"].max, explorer.controls["unit_row"].value) == (10, 10)
    assert explorer.controls["kernel_3"].disabled and not explorer.controls["kernel_2"].disabled
    explorer.controls["image"].value = "photo"  # the photo: 64 x 55 pixels
    row = _expected_row([(3, 2), (3, 1)], "none", size=(64, 55))
    assert _shown(explorer, "output-size") == f"{row.output_size[0]} × {row.output_size[1]}"
    assert explorer.controls["unit_col"].max == row.output_size[1] - 1


def test_rf_explorer_impossible_stack_shows_a_plain_message(rf_explorer_03):
    explorer = rf_explorer_03
    _set_custom(explorer, [(7, 3), (7, 3), (7, 3), (7, 3)])
    assert "leaves no output on the 28 × 28 image (output size 0)" in explorer.message.value
    assert "Use fewer layers, smaller kernels or strides" in explorer.message.value
    assert "Please report it" not in explorer.message.value
    explorer.controls["layers"].value = 2
    assert explorer.message.value == ""


def test_render_rf_rejects_a_unit_outside_the_output():
    import torch

    from cnn_helpers.widgets import render_rf

    with pytest.raises(ValueError, match=r"unit \(6, 0\) is outside the 6 × 6 output; pick a row from 0 to 5"):
        render_rf(None, {"zeros": torch.zeros(1, 8, 8)}, "custom stack", "zeros", 1, "none", 6, 0,
                  kernel_1=3, stride_1=1)


def test_build_rf_stack_rejects_bad_settings():
    from cnn_helpers.widgets import build_rf_stack

    with pytest.raises(ValueError, match="padding must be one of 'none', 'half', got 'same'"):
        build_rf_stack([3], [1], padding="same")
    with pytest.raises(ValueError, match="give one stride per kernel size"):
        build_rf_stack([3, 3], [1])
    with pytest.raises(ValueError, match=r"kernel_sizes\[1\] must be an integer >= 1, got 0"):
        build_rf_stack([3, 0], [1, 1])


def test_rf_explorer_grid_of_stacks_renders_without_an_exception():
    import itertools

    import torch

    from cnn_helpers.widgets import RF_PRESETS, render_rf

    images = {"digit": torch.rand(1, 28, 28), "photo": torch.rand(3, 64, 55)}
    fig = viz.rf_explorer_figure()
    rendered = impossible = 0
    for preset, image, layers, k, s, padding in itertools.product(
            RF_PRESETS, images, range(1, 5), (1, 4, 7), (1, 3), ("none", "half")):
        if RF_PRESETS[preset] is not None or preset != "custom stack":
            if (layers, k, s, padding) != (1, 1, 1, "none"):
                continue  # presets ignore the sliders: once per image is enough
        per_layer = {f"{name}_{n}": v for n in range(1, 5) for name, v in (("kernel", k), ("stride", s))}
        try:
            html = render_rf(fig, images, preset, image, layers, padding, 0, 0, **per_layer)
        except ValueError as error:
            assert "output size 0" in str(error)
            impossible += 1
            continue
        assert 'class="rf-size"' in html
        rendered += 1
    assert rendered > 50 and impossible > 5
    viz.figure_to_png(fig)


def test_rf_explorer_leaves_the_thread_count_alone(rf_explorer_03):
    import torch

    threads = torch.get_num_threads()
    _set_custom(rf_explorer_03, [(5, 1), (3, 2), (4, 1)], "half")  # new stacks: computed on one thread
    assert rf_explorer_03.message.value == "" and torch.get_num_threads() == threads


# --- 05 fully connected ---


def test_trace_course_style_model_matches_a_real_model():
    import torch

    from cnn_helpers.model import SeedCNN, build_cnn, count_parameters, trace_shapes
    from cnn_helpers.widgets import trace_course_style_model

    trace = trace_course_style_model(28, 2, 5, 2, "max")
    real = trace_shapes(SeedCNN(), (1, 28, 28))
    assert [r.output_shape for r in trace] == [r.output_shape for r in real]
    assert [r.num_parameters for r in trace] == [r.num_parameters for r in real]
    for args in [(32, 3, 3, 0, "avg"), (64, 1, 7, 3, "none"), (16, 4, 1, 0, "max")]:
        trace = trace_course_style_model(*args)
        size, blocks, kernel_size, padding, pool = args
        model = build_cnn(channels=(16, 32, 64, 128)[:blocks], kernel_size=kernel_size, padding=padding,
                          pool=pool, input_size=size)  # on the CPU, with real numbers
        assert trace.total_parameters == count_parameters(model)
        assert trace[-2].output_shape == (model.out.in_features,)
        assert model(torch.zeros(2, 1, size, size)).shape == (2, 10)


def test_trace_course_style_model_refuses_a_map_that_shrinks_to_nothing():
    from cnn_helpers.widgets import trace_course_style_model

    with pytest.raises(ValueError, match="block conv4.*too small for pool_size 2"):
        trace_course_style_model(8, 4, 5, 2, "max")
    with pytest.raises(ValueError, match="blocks must be at most 4, got 5"):
        trace_course_style_model(28, 5, 5, 2, "max")


@pytest.fixture(scope="module")
def shapes():
    from cnn_helpers.widgets import shape_explorer

    return shape_explorer()


def test_shape_explorer_starts_on_the_course_model(shapes):
    numbers = shapes.numbers.value
    assert "C·H·W of the last block = 32·7·7 = 1,568" in numbers
    assert "1,568·10 weights + 10 biases = 15,690 (54.2% of all 28,938)" in numbers
    assert "input (8, 1, 28, 28) → flattened (8, 1,568) → logits (8, 10)" in numbers
    assert 'class="shape-trace"' in numbers and "conv2.2" in numbers
    assert shapes.image.value[:4] == b"\x89PNG" and "shape-explorer" in shapes._dom_classes


def test_shape_explorer_follows_input_size_pooling_and_batch(shapes):
    image = shapes.image.value
    shapes.controls["input_size"].value = 32
    assert "= 32·8·8 = 2,048" in shapes.numbers.value and shapes.image.value != image
    shapes.controls["pool"].value = "none"
    assert "= 32·32·32 = 32,768" in shapes.numbers.value
    picture = shapes.image.value
    shapes.controls["batch_size"].value = 1
    assert "logits (1, 10)" in shapes.numbers.value
    assert shapes.image.value is picture  # the batch size changes the numbers, not the picture
    shapes.controls["blocks"].value = 1
    assert "= 16·32·32 = 16,384" in shapes.numbers.value
    for name, value in (("blocks", 2), ("pool", "max"), ("batch_size", 8), ("input_size", 28)):
        shapes.controls[name].value = value
    assert "= 32·7·7 = 1,568" in shapes.numbers.value


def test_shape_explorer_says_plainly_when_the_map_vanishes(shapes):
    shapes.controls["input_size"].value = 8
    shapes.controls["blocks"].value = 4
    assert "too small for pool_size 2" in shapes.message.value and "Traceback" not in shapes.message.value
    shapes.controls["blocks"].value = 2
    assert shapes.message.value == ""
    shapes.controls["input_size"].value = 28


def test_render_shapes_on_a_grid():
    import itertools

    from cnn_helpers.model import build_cnn
    from cnn_helpers.widgets import render_shapes

    fig = viz.shape_figure()
    for size, blocks, k, p, pool in itertools.product((8, 28, 64), (1, 4), (1, 7), (0, 3), ("max", "none")):
        try:
            build_cnn(channels=(16, 32, 64, 128)[:blocks], kernel_size=k, padding=p, pool=pool, input_size=size)
        except ValueError:
            with pytest.raises(ValueError):
                render_shapes(fig, size, blocks, k, p, pool)
            continue
        assert "Linear in_features" in render_shapes(fig, size, blocks, k, p, pool)
    assert viz.figure_to_png(fig)[:4] == b"\x89PNG"


def test_pooling_explorer_keeps_its_window_in_place_and_redraws_once():
    from cnn_helpers.widgets import pooling_explorer

    explorer = pooling_explorer()
    assert explorer.controls["position"].value == 7 * 14 + 7  # the middle of the 14 x 14 output
    renders = []
    draw = explorer.render
    explorer.render = lambda fig, **values: renders.append(values) or draw(fig, **values)
    explorer.controls["stride"].value = 1  # 27 x 27 output: (7, 7) of 14 x 14 becomes ⌊7.5 · 27 / 14⌋ = 14
    assert len(renders) == 1 and explorer.controls["position"].max == 27 * 27 - 1
    assert explorer.controls["position"].value == 14 * 27 + 14
    assert "output (14, 14)" in explorer.numbers.value


# --- 06 full implementation ---


def _digits(n=6, seed=0):
    import torch
    from torch.utils.data import TensorDataset

    g = torch.Generator().manual_seed(seed)
    return TensorDataset(torch.rand(n, 1, 28, 28, generator=g), torch.arange(n) % 10)


def test_feature_map_stages_are_the_outputs_of_each_layer():
    import torch

    from cnn_helpers.model import SeedCNN
    from cnn_helpers.widgets import feature_map_stages

    torch.manual_seed(0)
    model, image = SeedCNN(), torch.rand(1, 28, 28)
    stages = feature_map_stages(model, image)
    assert list(stages) == ["conv1", "conv2"] and list(stages["conv1"]) == ["Conv2d", "ReLU", "MaxPool2d"]
    with torch.no_grad():
        x = image[None]
        torch.testing.assert_close(stages["conv1"]["Conv2d"], model.conv1[0](x)[0])
        torch.testing.assert_close(stages["conv1"]["MaxPool2d"], model.conv1(x)[0])
        torch.testing.assert_close(stages["conv2"]["ReLU"], model.conv2[:2](model.conv1(x))[0])
        torch.testing.assert_close(stages["conv2"]["MaxPool2d"].flatten(), model.features(x)[0])


def test_feature_map_stages_refuse_a_model_without_conv_blocks():
    import torch
    from torch import nn

    from cnn_helpers.widgets import feature_map_stages

    with pytest.raises(ValueError, match="Linear has no leading nn.Sequential conv block to show"):
        feature_map_stages(nn.Linear(784, 10), torch.zeros(1, 28, 28))


def test_feature_map_explorer_numbers_follow_the_controls_and_the_model():
    import torch

    from cnn_helpers.model import SeedCNN
    from cnn_helpers.widgets import feature_map_explorer

    torch.manual_seed(0)
    model, data = SeedCNN(), _digits()
    explorer = feature_map_explorer(model, data)
    assert "feature-map-explorer" in explorer._dom_classes
    assert (explorer.controls["block"].value, explorer.controls["layer"].value) == ("conv1", "ReLU")
    assert explorer.controls["index"].max == 5
    assert "16 × 28 × 28" in explorer.numbers.value
    picture = explorer.image.value
    explorer.controls["block"].value = "conv2"
    assert "32 × 14 × 14" in explorer.numbers.value and explorer.image.value != picture
    explorer.controls["layer"].value = "MaxPool2d"
    assert "32 × 7 × 7" in explorer.numbers.value
    explorer.controls["index"].value = 3
    image, label = data[3]
    with torch.no_grad():
        probabilities = torch.softmax(model(image[None])[0], dim=0)
        maps = model.conv2(model.conv1(image[None]))[0]
    numbers = explorer.numbers.value
    assert f'class="fm-label">{label.item()}<' in numbers
    assert f'class="fm-prediction">{probabilities.argmax().item()} ({100 * probabilities.max().item():.1f}%)' in numbers
    assert f'class="fm-zeros">{100 * (maps == 0).float().mean().item():.0f}% of the values' in numbers
    assert f'class="fm-strongest">{maps.amax(dim=(1, 2)).argmax().item()} (max' in numbers
    assert explorer.message.value == ""


def test_feature_map_explorer_walks_at_most_the_first_100_images():
    from cnn_helpers.model import SeedCNN
    from cnn_helpers.widgets import FEATURE_MAP_IMAGES, feature_map_explorer

    explorer = feature_map_explorer(SeedCNN(), _digits(n=150))
    assert explorer.controls["index"].max == FEATURE_MAP_IMAGES - 1 == 99


def test_render_feature_maps_names_impossible_settings():
    import torch

    from cnn_helpers.model import SeedCNN
    from cnn_helpers.widgets import render_feature_maps

    images, labels = torch.zeros(3, 1, 28, 28), torch.tensor([1, 2, 3])
    with pytest.raises(ValueError, match="index 3 is outside the 3 images; pick 0 to 2"):
        render_feature_maps(None, SeedCNN(), images, labels, 3, "conv1", "ReLU")
    with pytest.raises(ValueError, match="block 'conv3' is not a conv block of the model; pick one of conv1, conv2"):
        render_feature_maps(None, SeedCNN(), images, labels, 0, "conv3", "ReLU")
    with pytest.raises(ValueError, match="conv1 has no Dropout layer; pick one of Conv2d, ReLU, MaxPool2d"):
        render_feature_maps(None, SeedCNN(), images, labels, 0, "conv1", "Dropout")
    with pytest.raises(ValueError, match="dataset is empty"):
        from cnn_helpers.widgets import feature_map_explorer

        feature_map_explorer(SeedCNN(), _digits(n=0))


def test_feature_map_explorer_renders_every_setting():
    import itertools

    from cnn_helpers.model import SeedCNN
    from cnn_helpers.widgets import feature_map_explorer

    explorer = feature_map_explorer(SeedCNN(), _digits(n=4))
    layers = explorer.controls["layer"].options
    for index, block, layer in itertools.product(range(4), ("conv1", "conv2"), layers):
        explorer.controls["index"].value = index
        explorer.controls["block"].value = block
        explorer.controls["layer"].value = layer
        assert explorer.message.value == "", (index, block, layer)
        assert "×" in explorer.numbers.value


def test_shape_explorer_starts_without_torch_s_lazy_imports():
    """No meta-device tracing: its first ReLU imports torch._dynamo and its first conv sympy, a second per kernel."""
    code = ("import sys\nfrom cnn_helpers.widgets import shape_explorer\nshape_explorer()\n"
            "print(sorted({'torch._dynamo', 'sympy'} & set(sys.modules)))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


# --- hostile settings (issue 14) ---


def test_an_error_while_encoding_the_png_shows_a_message_not_a_traceback(monkeypatch):
    explorer = _toy_explorer()

    def broken(fig):
        raise RuntimeError("no PNG today")

    monkeypatch.setattr(viz, "figure_to_png", broken)
    explorer.controls["size"].value = 2  # render succeeds, the encoding fails
    assert "Something went wrong drawing this setting (RuntimeError: no PNG today)" in explorer.message.value
    monkeypatch.undo()
    explorer.controls["size"].value = 1
    assert explorer.message.value == "" and explorer.numbers.value == "<b>size = 1</b>"


def test_while_a_message_shows_the_stale_picture_is_hidden_and_the_numbers_marked():
    from cnn_helpers.widgets.explorer import STALE_CLASS

    stale_note = "The sliders' setting has no result; these numbers are from the last setting that worked:"

    explorer = _toy_explorer()
    explorer.controls["size"].value = 2
    assert explorer.image.layout.visibility is None
    explorer.controls["size"].value = 4  # impossible
    assert "size 4 is too large" in explorer.message.value
    assert explorer.image.layout.visibility == "hidden"
    assert explorer.numbers.value.startswith(f'<div class="{STALE_CLASS}">')
    assert stale_note in explorer.numbers.value and "<b>size = 2</b>" in explorer.numbers.value
    explorer.controls["size"].value = 0
    assert explorer.image.layout.visibility is None and explorer.numbers.value == "<b>size = 0</b>"


def test_the_conv_tables_numbers_never_show_a_setting_the_sliders_left(conv):
    conv.controls["kernel_size"].value = 3
    conv.controls["padding"].value = 0
    conv.controls["dilation"].value = 4
    conv.controls["kernel_size"].value = 11  # a dilated span of 41 pixels: does not fit in the 32-pixel photo
    assert "does not fit" in conv.message.value
    assert "last setting that worked" in conv.numbers.value and conv.image.layout.visibility == "hidden"
    for name, value in (("dilation", 1), ("kernel_size", 5), ("padding", 2)):  # back to the start for others
        conv.controls[name].value = value
    assert conv.message.value == "" and conv.image.layout.visibility is None


@pytest.mark.parametrize(("kwargs", "error", "match"), [
    ({"out_channels": -1}, ValueError, "out_channels must be an integer >= 1, got -1"),
    ({"out_channels": "16"}, TypeError, "out_channels must be an integer, got '16'"),
    ({"in_channels": 0}, ValueError, "in_channels must be an integer >= 1, got 0"),
    ({"kernel_size": (3, 3)}, TypeError, r"kernel_size must be an integer, got \(3, 3\)"),
    ({"stride": 1.5}, TypeError, "stride must be an integer, got 1.5"),
    ({"in_size": (28, -2)}, ValueError, r"in_size\[1\] must be an integer >= 1, got -2"),
])
def test_conv_numbers_name_a_bad_setting(kwargs, error, match):
    from cnn_helpers.widgets import conv_numbers

    settings = {"in_size": (28, 28), "kernel_size": 5, "stride": 1, "padding": 2, "dilation": 1, "out_channels": 16,
                **kwargs}
    with pytest.raises(error, match=match):
        conv_numbers(**settings)


def test_conv_numbers_take_numpy_ints_as_python_ones():
    import numpy as np

    from cnn_helpers.widgets import conv_numbers

    assert conv_numbers((np.int64(28), 28), np.int64(5), 1, 2, 1, np.int32(16)) == \
        {"output_size": (28, 28), "parameters": 416, "multiply_adds": 313600}


@pytest.mark.parametrize(("call", "error", "match"), [
    (lambda w, t: w.pooling_numbers((28, 28), 2, 2, "0"), TypeError, "padding must be an integer, got '0'"),
    (lambda w, t: w.pooling_numbers((28, 28), 2, -1, 0), ValueError, "stride must be an integer >= 1, got -1"),
    (lambda w, t: w.pool_feature_map(t.zeros(3, 4, 4), "max", 2, 2, 0), ValueError,
     r"feature_map must be a 2-D \(H, W\) tensor, got shape \(3, 4, 4\)"),
    (lambda w, t: w.pool_feature_map(t.zeros(4, 4), "median", 2, 2, 0), ValueError, "mode must be one of"),
    (lambda w, t: w.render_pooling(None, {"a": t.zeros(4, 4)}, "b", "max", 2, 2, 0), ValueError,
     "feature 'b' is not one of the feature maps; pick one of 'a'"),
    (lambda w, t: w.render_pooling(None, {"a": t.zeros(4, 4)}, "a", "max", 2, 2, 0, position=-1), ValueError,
     "position must be an integer >= 0, got -1"),
    (lambda w, t: w.render_conv(None, "photo", 3, 1, 0, 1, 4), TypeError,
     r"image must be an array of numbers \(a tensor or NumPy array\), got str"),
    (lambda w, t: w.render_conv(None, t.full((8, 8), float("nan")), 3, 1, 0, 1, 4), ValueError,
     "image holds NaN or infinite values"),
    (lambda w, t: w.trace_course_style_model(28, 2, 5, 2, "median"), ValueError, "pool must be one of"),
    (lambda w, t: w.trace_course_style_model("28", 2, 5, 2, "max"), TypeError, "input_size must be an integer"),
    (lambda w, t: w.render_shapes(None, 28, 2, 5, 2, "max", batch_size=-3), ValueError,
     "batch_size must be an integer >= 0, got -3"),
    (lambda w, t: w.render_rf(None, {"d": t.zeros(1, 8, 8)}, "custom stack", "d", 9, "none", 0, 0), ValueError,
     "layers must be at most 4, got 9"),
    (lambda w, t: w.render_rf(None, {"d": t.zeros(1, 8, 8)}, "custom stack", "x", 1, "none", 0, 0, kernel_1=3,
                              stride_1=1), ValueError, "image 'x' is not one of the images; pick one of 'd'"),
    (lambda w, t: w.render_rf(None, {"d": t.zeros(1, 8, 8)}, "custom stack", "d", 2, "none", 0, 0, kernel_1=3,
                              stride_1=1), ValueError, "a custom stack of 2 layers needs kernel_2, stride_2"),
    (lambda w, t: w.build_rf_stack(3, [1]), TypeError, r"kernel_sizes must be a list of ints, one per layer"),
])
def test_the_widgets_pure_functions_name_a_bad_argument(call, error, match):
    import torch

    from cnn_helpers import widgets as w

    with pytest.raises(error, match=match):
        call(w, torch)


@pytest.mark.parametrize(("call", "error", "match"), [
    (lambda w, t: w.conv_explorer("photo"), TypeError, "image must be an array of numbers"),
    (lambda w, t: w.conv_explorer(t.zeros(0, 5)), ValueError, r"image is empty \(shape \(0, 5\)\)"),
    (lambda w, t: w.conv_explorer(t.full((8, 8), float("inf"))), ValueError, "image holds NaN or infinite values"),
    (lambda w, t: w.pooling_explorer([t.zeros(4, 4)]), TypeError, "feature_maps must be a dict of name -> "),
    (lambda w, t: w.pooling_explorer({"a": None}), TypeError, "feature map 'a' must be an array of numbers"),
    (lambda w, t: w.pooling_explorer({1: t.zeros(4, 4)}), TypeError, "feature_maps keys must be names"),
    (lambda w, t: w.rf_explorer(digit=t.zeros(5, 8, 8)), ValueError,
     r"digit must have 1 \(grey\) or 3 \(RGB\) channels first, got shape \(5, 8, 8\)"),
    (lambda w, t: w.rf_explorer(photo=t.zeros(2, 2, 2, 2)), ValueError,
     r"photo must be a 2 or 3-D \(H, W\) or \(C, H, W\) tensor"),
    (lambda w, t: w.feature_map_explorer(None, []), TypeError, "model must be a torch.nn.Module with conv blocks"),
    (lambda w, t: w.feature_map_explorer(_seed_cnn(), t.zeros(3, 1, 28, 28)), TypeError,
     "dataset must be a torch Dataset"),
    (lambda w, t: w.feature_map_explorer(_seed_cnn(), _pairs(t.zeros(2, 28, 28))), ValueError,
     r"dataset image 0 must be a 3-D \(C, H, W\) tensor, got shape \(28, 28\)"),
    (lambda w, t: w.feature_map_stages(_seed_cnn(), t.zeros(28, 28)), ValueError,
     r"image must be a 3-D \(C, H, W\) tensor, got shape \(28, 28\); one image of the dataset"),
])
def test_explorer_constructors_refuse_bad_images_and_maps(call, error, match):
    import torch

    from cnn_helpers import widgets as w

    with pytest.raises(error, match=match):
        call(w, torch)


def _seed_cnn():
    from cnn_helpers.model import SeedCNN

    return SeedCNN()


def _pairs(images):
    import torch
    from torch.utils.data import TensorDataset

    return TensorDataset(images, torch.zeros(len(images), dtype=torch.long))


def test_rf_explorer_takes_a_2d_digit_as_one_channel():
    import torch

    from cnn_helpers.widgets import rf_explorer

    explorer = rf_explorer(digit=torch.rand(20, 20))
    assert '<td class="output-size">16 × 16</td>' in explorer.numbers.value  # two 3×3 convs on 20 × 20

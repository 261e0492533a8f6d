"""Plot functions: what they draw, checked on the artists, and that they render."""

import numpy as np
import pytest

from cnn_helpers import viz

# --- 04 pooling ---


@pytest.mark.parametrize(("kernel_size", "stride", "padding"), [((2, 2), (2, 2), (0, 0)), ((3, 2), (1, 2), (1, 1))])
def test_pooling_window_holds_the_values_pytorch_pools(kernel_size, stride, padding):
    import numpy as np
    import torch
    import torch.nn.functional as F

    x = torch.randn(7, 9, generator=torch.Generator().manual_seed(0))
    pooled = F.max_pool2d(x[None, None], kernel_size, stride, padding)[0, 0]  # (H_out, W_out)
    for unit in np.ndindex(*pooled.shape):
        window = viz.pooling_window(x.numpy(), kernel_size, stride, padding, unit)
        assert window.shape == kernel_size
        assert np.nanmax(window) == pytest.approx(pooled[unit].item())
    corner = viz.pooling_window(x.numpy(), kernel_size, stride, padding, (0, 0))
    assert np.isnan(corner).sum() == (kernel_size[1] if padding[0] else 0) + (kernel_size[0] - 1 if padding[1] else 0)


def test_plot_pooling_draws_window_neighbour_and_unit_and_redraws_in_place():
    import numpy as np

    fm = np.arange(36.0).reshape(6, 6)
    out = fm.reshape(3, 2, 3, 2).max(axis=(1, 3))  # 2x2 max pooling, stride 2
    fig = viz.plot_pooling(fm, out, (2, 2), (2, 2), (0, 0), unit=(1, 2), mode="max")
    art = fig._pooling_artists
    assert [ax.get_title() for ax in fig.axes] == ["input 6 × 6 (padding 0)", "window (1, 2): max = 23",
                                                  "output 3 × 3"]
    assert art.window.get_xy() == (3.5, 1.5) and art.window.get_width() == 2
    assert art.neighbour.get_xy() == (1.5, 1.5)  # the last column's neighbour is on its left
    assert art.unit.get_xy() == (1.5, 0.5)
    assert [t.get_text() for t in art.texts] == ["16.00", "17.00", "22.00", "23.00"]
    assert art.chosen.get_visible() and art.chosen.get_xy() == (0.5, 0.5)  # 23 is bottom right
    for ax in fig.axes:
        assert ax.get_xlabel() and ax.get_ylabel()

    out = np.array([[fm[0:2, 0:2].sum(), 0], [0, 0]])
    again = viz.plot_pooling(fm, out, (3, 3), (5, 5), (1, 1), unit=(0, 0), mode="sum", fig=fig)
    assert again is fig and len(fig.axes) == 3
    assert fig.axes[0].get_xlim() == (-1.5, 6.5)  # one padded column each side
    texts = [t.get_text() for t in art.texts if t.get_visible()]
    assert texts == ["pad"] * 4 + ["0.00", "1.00", "pad", "6.00", "7.00"]
    assert not art.chosen.get_visible()  # only max pooling picks one value
    assert fig.axes[1].get_title() == "window (0, 0): sum = 14"
    assert viz.figure_to_png(fig)[:4] == b"\x89PNG"


def test_plot_pooling_hides_the_neighbour_when_there_is_one_window():
    import numpy as np

    fig = viz.plot_pooling(np.ones((3, 3)), np.ones((1, 1)), (3, 3), (1, 1))
    assert not fig._pooling_artists.neighbour.get_visible()


# --- 00 introduction ---


def test_plot_neighbour_correlation_draws_one_line_per_image():
    fig = viz.plot_neighbour_correlation([1, 2, 4], {"photo": [0.9, 0.8, 0.6], "shuffled": [0.0, 0.01, 0.0]}, "t")
    ax = fig.axes[0]
    assert [line.get_label() for line in ax.get_lines()[:2]] == ["photo", "shuffled"]
    assert list(ax.get_lines()[0].get_ydata()) == [0.9, 0.8, 0.6]
    assert ax.get_title() == "t" and ax.get_ylabel() == "correlation"


def test_plot_layer_stages_draws_images_and_bars():
    import numpy as np

    photo, fmap, scores = np.random.rand(3, 5, 6), np.random.rand(4, 4), np.array([1.0, -2.0, 3.0])
    fig = viz.plot_layer_stages([("input", photo), ("conv", fmap), ("scores", scores)])
    ax_in, ax_map, ax_bar = fig.axes
    assert ax_in.get_images()[0].get_array().shape == (5, 6, 3)  # (H, W, 3): channels moved last
    assert np.allclose(ax_map.get_images()[0].get_array(), fmap)
    assert [p.get_height() for p in ax_bar.patches] == [1.0, -2.0, 3.0]
    assert [ax.get_title() for ax in fig.axes] == ["input", "conv", "scores"]
    viz.figure_to_png(fig)


# --- 01 input layer ---


def _coded_batch(n=2, h=3, w=4):
    """A batch whose every number tells where it sits: n·1000 + c·100 + y·10 + x."""
    import torch

    n_, c_, y_, x_ = torch.meshgrid(torch.arange(n), torch.arange(3), torch.arange(h), torch.arange(w), indexing="ij")
    return (n_ * 1000 + c_ * 100 + y_ * 10 + x_).float()  # (N, 3, H, W)


def test_channel_view_keeps_the_right_channels():
    import torch

    x = torch.rand(2, 3, 4, 5)
    assert viz.channel_view(x, "RGB") is x
    for c, name in enumerate("RGB"):
        assert torch.equal(viz.channel_view(x, name), x[:, c:c + 1])
    gray = viz.channel_view(x, "grayscale")
    assert gray.shape == (2, 1, 4, 5)
    assert torch.allclose(gray[:, 0], 0.299 * x[:, 0] + 0.587 * x[:, 1] + 0.114 * x[:, 2])
    assert torch.allclose(viz.channel_view(torch.ones(1, 3, 2, 2), "grayscale"), torch.ones(1, 1, 2, 2))


def test_channel_view_rejects_bad_input():
    import torch

    with pytest.raises(ValueError, match="view must be one of 'RGB', 'R', 'G', 'B', 'grayscale', got 'red'"):
        viz.channel_view(torch.rand(1, 3, 2, 2), "red")
    with pytest.raises(ValueError, match=r"\(N, 3, H, W\) tensor, got shape \(3, 2, 2\); add a batch dimension"):
        viz.channel_view(torch.rand(3, 2, 2), "RGB")
    with pytest.raises(ValueError, match=r"got \(1, 4, 2, 2\)"):
        viz.channel_view(torch.rand(1, 4, 2, 2), "RGB")
    with pytest.raises(TypeError, match="images must be a torch.Tensor .* got ndarray"):
        viz.channel_view(torch.rand(1, 3, 2, 2).numpy(), "RGB")


def test_channel_names():
    assert viz.channel_names("RGB") == ("R", "G", "B")
    assert viz.channel_names("G") == ("G",)
    assert viz.channel_names("grayscale") == ("gray",)


def test_to_layout_orders_memory_and_strides():
    import torch

    x = _coded_batch()  # (2, 3, 3, 4)
    nhwc = viz.to_layout(x, "NHWC")
    assert torch.equal(nhwc, x.permute(0, 2, 3, 1))
    assert nhwc.stride() == (36, 12, 3, 1)
    assert nhwc.flatten()[:4].tolist() == [0.0, 100.0, 200.0, 1.0]  # R, G, B of pixel (0, 0), then R of (0, 1)
    nchw = viz.to_layout(x, "NCHW")
    assert nchw.stride() == (36, 12, 4, 1) and nchw.flatten()[:4].tolist() == [0.0, 1.0, 2.0, 3.0]
    # one channel: the canonical strides, not the leftovers .contiguous() keeps on a size-1 dimension
    assert viz.to_layout(x[:, :1], "NHWC").stride() == (12, 4, 1, 1)
    with pytest.raises(ValueError, match="layout must be one of 'NCHW', 'NHWC', got 'CHW'"):
        viz.to_layout(x, "CHW")
    with pytest.raises(ValueError, match=r"images must be a 4-D \(N, C, H, W\) tensor, got shape \(3, 3, 4\)"):
        viz.to_layout(x[0], "NCHW")


@pytest.mark.parametrize("layout", ["NCHW", "NHWC"])
def test_memory_labels_name_the_numbers_in_memory(layout):
    x = _coded_batch()
    arranged = viz.to_layout(x, layout)
    count = arranged.numel()
    labels = viz.memory_labels(arranged.shape, layout, ("R", "G", "B"), count + 5)
    assert len(labels) == count
    for label, value in zip(labels, arranged.flatten().tolist(), strict=True):
        n, c, y, xx = int(value) // 1000, int(value) // 100 % 10, int(value) // 10 % 10, int(value) % 10
        assert label == f"{f'#{n} ' if n else ''}{'RGB'[c]}[{y},{xx}]"


@pytest.mark.parametrize("view", ["RGB", "B", "grayscale"])
@pytest.mark.parametrize("layout", ["NCHW", "NHWC"])
def test_input_layout_numbers_are_the_tensors(view, layout):
    x = _coded_batch(n=3)
    numbers = viz.input_layout_numbers(x, view, 2, layout)
    batch = viz.channel_view(x[:2], view)
    arranged = viz.to_layout(batch, layout)
    assert numbers["shape"] == tuple(arranged.shape) and numbers["strides"] == arranged.stride()
    assert numbers["numel"] == 2 * batch.shape[1] * 3 * 4
    assert numbers["bytes"] == numbers["numel"] * 4
    index, offset = numbers["example"]
    assert arranged.flatten()[offset] == batch[index["N"], index["C"], index["H"], index["W"]]
    assert index["N"] == 1 and index["C"] == batch.shape[1] - 1


def test_plot_input_batch_draws_the_batch_and_the_memory_order():
    import numpy as np
    import torch

    x = torch.rand(5, 3, 6, 7)
    fig = viz.plot_input_batch(x, "RGB", 3, "NCHW", max_batch=8)
    art = fig._input_artists
    mosaic = np.asarray(art.batch.get_array())
    assert np.allclose(mosaic[:6, :7], x[0].permute(1, 2, 0).numpy())
    assert np.allclose(mosaic[:6, 11:18], x[1].permute(1, 2, 0).numpy())  # 7 pixels + 4 of gap
    assert np.all(mosaic[:6, 3 * 11:] == 1.0)  # slot 3 is empty: white
    strip = np.asarray(art.memory.get_array())[0]  # (24, 3)
    assert np.all(strip[:, 1:] == 0) and np.allclose(strip[:7, 0], x[0, 0, 0].numpy())  # N×C×H×W: red first
    viz.plot_input_batch(x, "RGB", 3, "NHWC", fig=fig)
    strip = np.asarray(art.memory.get_array())[0]
    assert np.allclose(strip[:3], np.diag(x[0, :, 0, 0].numpy()))  # R, G, B of pixel (0, 0)
    viz.plot_input_batch(x, "G", 2, "NCHW", fig=fig)
    mosaic = np.asarray(art.batch.get_array())
    assert np.allclose(mosaic[:6, :7], x[0, 1, :, :, None].expand(6, 7, 3).numpy())  # grey levels of G
    assert fig.axes[0].get_title() == "batch of 2 images, channels: G"
    assert len(fig.axes) == 2  # the same two axes, reused


def test_plot_input_batch_rejects_a_batch_too_large():
    import torch

    x = torch.rand(3, 3, 4, 4)
    fig = viz.plot_input_batch(x, max_batch=8)
    with pytest.raises(ValueError, match="batch_size 4 is more than the 3 images available; pick at most 3"):
        viz.plot_input_batch(x, batch_size=4, fig=fig)
    with pytest.raises(ValueError, match="batch_size must be an integer >= 1, got 0"):
        viz.plot_input_batch(x, batch_size=0, fig=fig)


def test_render_input_explorer_shows_the_numbers():
    import torch

    x = torch.rand(4, 3, 5, 6)
    fig = viz.plot_input_batch(x, max_batch=4)
    text = viz.render_input_explorer(fig, x, "RGB", 2, "NHWC")
    assert "<code>(2, 5, 6, 3)</code>" in text
    assert "2×5×6×3 = 180" in text and "180 × 4 bytes = 720 bytes" in text
    assert "(90, 18, 3, 1)" in text and "R[0,0], G[0,0], B[0,0], R[0,1]" in text
    assert "offset 1·90 + 1·18 + 2·3 + 2·1 = 116" in text
    assert "same order" not in text
    assert "both layouts keep the numbers in the same order" in viz.render_input_explorer(fig, x, "R", 2, "NHWC")


def test_plot_channels_shows_each_channel():
    import numpy as np
    import torch

    image = torch.rand(3, 4, 5)
    fig = viz.plot_channels(image)
    assert [ax.get_title() for ax in fig.axes] == ["RGB photo (3, 4, 5)", "channel 0: R", "channel 1: G",
                                                     "channel 2: B"]
    for c in range(3):
        assert np.allclose(fig.axes[c + 1].get_images()[0].get_array(), image[c].numpy())
    assert fig.axes[1].get_xlabel() == "column (W)"
    with pytest.raises(ValueError, match=r"image must have shape \(3, H, W\), got \(4, 5, 3\)"):
        viz.plot_channels(image.permute(1, 2, 0))


def test_plot_spectrogram_axes_are_time_and_frequency():
    import torch

    fig = viz.plot_spectrogram(torch.ones(129, 100), 8000, 64, "two tones")
    ax = fig.axes[0]
    assert ax.get_images()[0].get_extent() == [0, 100 * 64 / 8000, 0, 4000.0]
    assert (ax.get_title(), ax.get_xlabel(), ax.get_ylabel()) == ("two tones", "time (s)", "frequency (Hz)")
    assert ax.get_images()[0].get_array().max() == 0.0  # 20·log10(1) dB


def test_plot_sequence_conv_outlines_the_first_window():
    import torch

    fig = viz.plot_sequence_conv(torch.rand(6, 5), ["a", "b", "c", "d", "e"], torch.rand(4, 3), kernel_size=3)
    ax_in, ax_out = fig.axes
    assert ax_in.patches[0].get_width() == 3 and ax_in.patches[0].get_height() == 6
    assert [t.get_text() for t in ax_in.get_xticklabels()] == ["a", "b", "c", "d", "e"]
    assert ax_out.patches[0].get_width() == 1
    viz.figure_to_png(fig)


# --- 02 convolution ---


def _rect(patch):
    """(left, top, width, height) of a Rectangle in data coordinates."""
    return (patch.get_x(), patch.get_y(), patch.get_width(), patch.get_height())


def test_plot_sliding_window_outlines_the_window_of_the_unit_with_the_stride():
    x, kernel = np.arange(36.0).reshape(6, 6), np.ones((3, 3))
    out = np.full((2, 2), np.nan)
    out[1, 0] = x[2:5, 0:3].sum()
    fig = viz.plot_sliding_window(x, kernel, out, unit=(1, 0), stride=2)
    ax_in, ax_k, ax_out = fig.axes
    assert _rect(ax_in.patches[0]) == (-0.5, 1.5, 3, 3)  # rows 2..4, columns 0..2
    assert _rect(ax_out.patches[0]) == (-0.5, 0.5, 1, 1)
    assert ax_out.get_title() == f"output 2 × 2: (1, 0) = {out[1, 0]:g}"
    # every input and kernel entry is written; only the computed output entry is
    assert len(ax_in.texts) == 36 and len(ax_k.texts) == 9 and [t.get_text() for t in ax_out.texts] == ["171"]


def test_plot_sliding_window_refuses_a_unit_outside_the_output_and_3d_input():
    with pytest.raises(ValueError, match=r"unit \(2, 0\) lies outside the output of shape \(2, 2\)"):
        viz.plot_sliding_window(np.ones((4, 4)), np.ones((3, 3)), np.ones((2, 2)), unit=(2, 0))
    with pytest.raises(ValueError, match=r"x must be a 2-D \(H, W\) tensor, got shape \(1, 4, 4\)"):
        viz.plot_sliding_window(np.ones((1, 4, 4)), np.ones((3, 3)), np.ones((2, 2)))


def test_plot_conv_window_draws_the_dilated_taps_of_the_unit_and_redraws_in_place():
    image, kernel = np.random.default_rng(0).random((10, 12)), np.arange(9.0).reshape(3, 3) - 4
    out = np.zeros((4, 5))
    fig = viz.plot_conv_window(image, kernel, out, stride=(2, 2), padding=(1, 1), dilation=(2, 2), unit=(1, 3))
    ax_in, ax_out = fig.axes
    art = fig._conv_artists
    # window of unit (1, 3): top-left at (1·2 − 1, 3·2 − 1) = (1, 5), spanning 2·(3 − 1) + 1 = 5 pixels
    assert _rect(art.window) == (4.5, 0.5, 5, 5)
    taps = {(int(c), int(r)) for c, r in art.taps.get_offsets()}
    assert taps == {(5 + 2 * j, 1 + 2 * i) for i in range(3) for j in range(3)}
    assert np.array_equal(art.taps.get_array(), kernel.ravel())  # each tap coloured by its weight
    marked = {(int(c), int(r)) for c, r in art.negative_taps.get_offsets()}  # the sign not by colour alone
    assert marked == {(5 + 2 * j, 1 + 2 * i) for i in range(3) for j in range(3) if kernel[i, j] < 0}
    assert ax_in.get_xlim() == (-1.5, 12.5) and ax_in.get_ylim() == (10.5, -1.5)  # padding shown
    assert _rect(art.unit) == (2.5, 0.5, 1, 1)
    again = viz.plot_conv_window(image, kernel[:1, :1], np.zeros((10, 12)), unit=(0, 0), fig=fig)
    assert again is fig and fig.axes == [ax_in, ax_out] and len(art.taps.get_offsets()) == 1
    assert ax_out.get_title() == "output 10×12: (0, 0) = 0"


def test_plot_filter_responses_titles_each_map_and_checks_their_number():
    fig = viz.plot_filter_responses(np.eye(5), [np.eye(3)] * 2, ["x edges", "y edges"])
    assert [ax.get_title() for ax in fig.axes] == ["input 5 × 5", "x edges", "y edges"]
    assert all(ax.get_xlabel() == "column" for ax in fig.axes)
    with pytest.raises(ValueError, match="titles has 1 entries but responses has 2"):
        viz.plot_filter_responses(np.eye(5), [np.eye(3)] * 2, ["x edges"])


def test_plot_parameter_counts_labels_every_bar_with_its_count():
    fig = viz.plot_parameter_counts({"fully connected": 10_100, "conv": 10}, "10×10 input")
    ax = fig.axes[0]
    assert ax.get_xscale() == "log" and ax.get_title() == "10×10 input"
    assert [t.get_text() for t in ax.texts] == ["10,100", "10"]
    assert [p.get_width() for p in ax.patches] == [10_100, 10]


# --- 03 receptive field ---


def _rectangles(ax):
    from matplotlib.patches import Rectangle

    return [p for p in ax.patches if isinstance(p, Rectangle)]


def _box(rect):
    """((top, bottom), (left, right)) of the pixels a Rectangle patch covers (edges at +-0.5)."""
    x, y = rect.get_xy()
    top, left = round(y + 0.5), round(x + 0.5)
    return ((top, top + round(rect.get_height()) - 1), (left, left + round(rect.get_width()) - 1))


def test_region_size():
    assert viz.region_size(((-6, 9), (2, 4))) == (16, 3)


def test_plot_receptive_field_draws_each_region_where_it_is_and_shows_the_padding():
    regions = [((-6, 9), (-6, 9)), ((10, 25), (14, 29))]
    fig = viz.plot_receptive_field(np.zeros((1, 28, 28)), regions, labels=["a", "b"])
    ax = fig.axes[0]
    border, *drawn = _rectangles(ax)
    assert _box(border) == ((0, 27), (0, 27))                  # the image
    assert [_box(r) for r in drawn] == regions                  # the regions, unclipped
    assert ax.get_xlim() == (-6.5, 29.5) and ax.get_ylim() == (27.5, -6.5)  # padding in view
    assert [t.get_text() for t in ax.texts] == ["a", "b"]
    assert ax.get_title() == "receptive field: 16 × 16 input pixels"
    assert ax.get_xlabel() == "input column" and ax.get_ylabel() == "input row"
    viz.figure_to_png(fig)


def test_plot_receptive_field_takes_an_rgb_image_and_an_axes():
    from matplotlib.figure import Figure

    fig = Figure()
    ax = fig.add_subplot()
    assert viz.plot_receptive_field(np.ones((3, 10, 12)), ((0, 2), (0, 2)), title="t", ax=ax) is fig
    assert ax.images[0].get_array().shape == (10, 12, 3)


def test_plot_receptive_field_rejects_bad_input():
    with pytest.raises(ValueError, match="labels has 1 entries for 2 regions"):
        viz.plot_receptive_field(np.zeros((8, 8)), [((0, 2), (0, 2)), ((1, 3), (1, 3))], labels=["a"])
    with pytest.raises(ValueError, match=r"image must be \(H, W\), \(1, H, W\) or \(3, H, W\)"):
        viz.plot_receptive_field(np.zeros((2, 8, 8)), ((0, 2), (0, 2)))


def test_plot_rf_growth_draws_one_line_per_stack():
    fig = viz.plot_rf_growth([1, 2, 3], {"a": [3, 5, 7], "b": [3, 7, 11]})
    lines = fig.axes[0].get_lines()
    assert [list(line.get_ydata()) for line in lines] == [[3, 5, 7], [3, 7, 11]]
    assert list(fig.axes[0].get_xticks()) == [1, 2, 3]


def test_plot_effective_receptive_field_scales_to_one_and_outlines_the_region():
    import torch

    erf = torch.zeros(9, 9)
    erf[4, 4], erf[3, 4] = 2.0, 1.0
    fig = viz.plot_effective_receptive_field(erf, ((2, 6), (2, 6)))
    ax = fig.axes[0]
    assert ax.images[0].get_array().max() == 1.0 and ax.images[0].get_array()[3, 4] == 0.5
    assert _box(_rectangles(ax)[0]) == ((2, 6), (2, 6))
    assert len(fig.axes) == 2  # the map and its colour bar


def test_plot_rf_explorer_reuses_its_artists_and_moves_the_region():
    fig = viz.plot_rf_explorer(np.zeros((28, 28)), ((-6, 9), (-6, 9)), (7, 7), (0, 0))
    ax_in, ax_out = fig.axes
    region_patch = fig._rf_artists.region
    viz.plot_rf_explorer(np.zeros((28, 28)), ((10, 25), (14, 29)), (7, 7), (4, 5), fig=fig)
    assert fig.axes == [ax_in, ax_out] and fig._rf_artists.region is region_patch
    assert _box(region_patch) == ((10, 25), (14, 29))
    assert _box(fig._rf_artists.unit) == ((4, 4), (5, 5))
    grid = ax_out.images[0].get_array()
    assert grid.shape == (7, 7) and np.argwhere(grid == grid.max()).tolist() == [[4, 5]]
    assert ax_in.get_xlim() == (-0.5, 29.5)
    titles = [ax.get_title() for ax in fig.axes]
    assert titles == ["region 16 × 16: rows 10…25, cols 14…29", "output 7 × 7: unit (4, 5)"]
    viz.figure_to_png(fig)


def test_rf_numbers_html_shows_the_calculators_numbers_for_a_non_square_stack():
    from torch import nn

    from cnn_helpers.receptive_field import receptive_field

    stack = nn.Sequential(nn.Conv2d(1, 1, (3, 5), stride=(1, 2), padding=(1, 0)), nn.Conv2d(1, 1, 3))
    table = receptive_field(stack, (1, 20, 30))
    last = table[-1]
    html = viz.rf_numbers_html(table, (2, 3))
    (top, bottom), (left, right) = last.region(2, 3)
    assert f'<td class="output-size">{last.output_size[0]} × {last.output_size[1]}</td>' in html
    assert '<td class="input-size">20 × 30</td>' in html
    assert f'<td class="rf-size">{last.rf_size[0]} × {last.rf_size[1]}</td>' in html
    assert last.rf_size == (5, 9)
    assert '<td class="effective-stride">(1, 2)</td>' in html and last.effective_stride == (1, 2)
    assert '<td class="effective-padding">(1, 0)</td>' in html and last.effective_padding == (1, 0)
    assert f'<td class="region-rows">{top} … {bottom}</td>' in html
    assert f'<td class="region-cols">{left} … {right}</td>' in html
    assert html.count('class="rf-layer"') == len(table) == 2


# --- 05 fully connected ---


def test_plot_shape_trace_draws_one_bar_per_layer_and_redraws_in_place():
    from cnn_helpers.model import SeedCNN, build_cnn, trace_shapes

    trace = trace_shapes(SeedCNN(), (1, 28, 28))
    fig = viz.plot_shape_trace(trace)
    ax = fig.axes[0]
    widths = [p.get_width() + 1 for p in ax.patches if p.get_visible()]  # bars start at 1 (log scale)
    assert widths == [784, 12544, 12544, 3136, 6272, 6272, 1568, 1568, 10]
    labels = [t.get_text() for t in ax.texts if t.get_visible()]
    assert labels == ["input 1×28×28", "Conv2d 16×28×28", "ReLU 16×28×28", "MaxPool2d 16×14×14", "Conv2d 32×14×14",
                      "ReLU 32×14×14", "MaxPool2d 32×7×7", "flatten 1568", "Linear 10"]
    assert ax.get_xscale() == "log" and ax.get_title() and ax.get_xlabel()
    again = viz.plot_shape_trace(trace_shapes(build_cnn(channels=(16,)), (1, 28, 28)), fig=fig)
    assert again is fig and len(fig.axes) == 1
    assert len([p for p in ax.patches if p.get_visible()]) == 6 and len(ax.patches) == 9  # reused, 3 hidden
    assert [t.get_text() for t in ax.texts if t.get_visible()][-3:] == ["MaxPool2d 16×14×14", "flatten 3136",
                                                                         "Linear 10"]
    assert ax.get_ylim() == (5.5, -0.5)
    assert viz.figure_to_png(fig)[:4] == b"\x89PNG"
    with pytest.raises(ValueError, match="rows is empty"):
        viz.plot_shape_trace([])


def test_plot_shift_tolerance_checks_its_lines():
    fig = viz.plot_shift_tolerance([0, 1, 2], {"none": [0, 0.7, 1.1], "max": [0, 0.5, 0.9]})
    assert [line.get_label() for line in fig.axes[0].get_lines()] == ["none", "max"]
    assert fig.axes[0].get_title() and fig.axes[0].get_xlabel() and fig.axes[0].get_ylabel()
    with pytest.raises(ValueError, match=r"changes\['max'\] has 2 values for 3 shifts"):
        viz.plot_shift_tolerance([0, 1, 2], {"max": [0, 1]})


# --- 06 full implementation ---


def test_plot_training_curves_draws_each_list_and_keeps_the_axes_while_training():
    from types import SimpleNamespace

    fig = viz.training_curves_figure(epochs=8)
    history = SimpleNamespace(train_loss=[1.0], validation_loss=[0.8], validation_accuracy=[0.9])
    assert viz.plot_training_curves(history, fig=fig) is fig
    loss_ax, accuracy_ax = fig.axes
    assert [line.get_label() for line in loss_ax.lines] == ["train", "validation"]
    limits = (loss_ax.get_xlim(), loss_ax.get_ylim(), accuracy_ax.get_ylim())
    assert limits[0] == accuracy_ax.get_xlim() == (0.5, 8.5)
    assert (loss_ax.get_yscale(), accuracy_ax.get_yscale()) == ("log", "logit")
    history.train_loss.append(0.5)
    history.validation_loss.append(0.4)
    history.validation_accuracy.append(0.95)
    viz.plot_training_curves(history, fig=fig)
    assert len(fig.axes) == 2 and len(loss_ax.lines) == 2  # updated, not stacked
    assert loss_ax.lines[0].get_ydata().tolist() == [1.0, 0.5]
    assert accuracy_ax.lines[0].get_ydata().tolist() == [0.9, 0.95]
    assert [t.get_text() for t in accuracy_ax.texts] == ["95.0%"]
    assert (loss_ax.get_xlim(), loss_ax.get_ylim(), accuracy_ax.get_ylim()) == limits  # nothing rescales
    assert (loss_ax.get_xlabel(), accuracy_ax.get_title()) == ("epoch", "validation accuracy")
    ticks = [t.get_text() for t in accuracy_ax.get_yticklabels()]
    assert ticks == ["10%", "50%", "90%", "99%", "99.9%"]


def test_plot_training_curves_makes_room_for_the_history_or_says_so():
    from types import SimpleNamespace

    history = SimpleNamespace(train_loss=[1.0, 0.7, 0.6], validation_loss=[], validation_accuracy=[])
    fig = viz.plot_training_curves(history)
    loss_ax, accuracy_ax = fig.axes
    assert loss_ax.lines[1].get_ydata().tolist() == [] and accuracy_ax.lines[0].get_ydata().tolist() == []
    assert loss_ax.get_xlim() == (0.5, 3.5)
    with pytest.raises(ValueError, match=r"history has 3 epochs but the figure has room for 2; make one with "
                                         r"training_curves_figure\(epochs=3\)"):
        viz.plot_training_curves(history, fig=viz.training_curves_figure(epochs=2))
    with pytest.raises(ValueError, match="epochs must be an integer >= 1, got 0"):
        viz.training_curves_figure(epochs=0)


def test_training_curves_png_is_the_full_redraw_picture_at_a_fraction_of_its_cost():
    import io
    import time
    from types import SimpleNamespace

    from PIL import Image

    fig = viz.training_curves_figure(epochs=8)
    viz.training_curves_png(fig)  # caches the axes
    history = SimpleNamespace(train_loss=[2.0, 0.6, 0.3, 0.2], validation_loss=[0.9, 0.4, 0.25, 0.2],
                              validation_accuracy=[0.7, 0.9, 0.95, 0.97])
    viz.plot_training_curves(history, fig=fig)
    fast = np.asarray(Image.open(io.BytesIO(viz.training_curves_png(fig))))
    fig.canvas.draw()  # a full redraw of everything
    full = np.asarray(fig.canvas.buffer_rgba())
    assert fast.shape == full.shape
    assert np.mean(np.any(fast != full, axis=-1)) < 0.002  # the same picture (antialiasing aside)
    assert np.any(fast[..., :3] != 255, axis=-1).mean() > 0.05  # and not an empty one
    timings = {}
    for name, render in [("fast", lambda: viz.training_curves_png(fig)), ("full", lambda: viz.figure_to_png(fig))]:
        start = time.perf_counter()
        for _ in range(3):
            render()
        timings[name] = time.perf_counter() - start
    assert timings["fast"] < timings["full"] / 3


def test_plot_confusion_matrix_writes_every_count_where_it_belongs():
    matrix = np.array([[7, 1, 0], [2, 5, 0], [0, 0, 9]])
    fig = viz.plot_confusion_matrix(matrix)
    ax = fig.axes[0]
    cells = {(round(t.get_position()[1]), round(t.get_position()[0])): int(t.get_text()) for t in ax.texts}
    assert cells == {(r, c): int(matrix[r, c]) for r in range(3) for c in range(3)}  # row = true, column = predicted
    assert ax.get_title() == "confusion matrix: 21 of 24 right"
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("predicted class", "true class")
    with pytest.raises(ValueError, match=r"matrix must be square \(classes, classes\), got shape \(2, 3\)"):
        viz.plot_confusion_matrix(np.zeros((2, 3)))


def test_plot_misclassified_shows_only_the_wrong_images_with_true_and_predicted():
    images = np.stack([np.full((1, 4, 4), k, dtype=float) for k in range(5)])  # image k is all k
    fig = viz.plot_misclassified(images, [0, 1, 2, 3, 4], [0, 7, 2, 3, 9], columns=4)
    shown = [(ax.get_title(), ax.images[0].get_array()[0, 0]) for ax in fig.axes if ax.images]
    assert shown == [("1 → 7", 1.0), ("4 → 9", 4.0)]
    assert fig.get_suptitle().startswith("2 of 5 images wrong")
    capped = viz.plot_misclassified(np.zeros((30, 4, 4)), [0] * 30, [1] * 30, max_images=16)
    assert len([ax for ax in capped.axes if ax.images]) == 16
    with pytest.raises(ValueError, match="got lengths 5, 4 and 5"):
        viz.plot_misclassified(images, [0, 1, 2, 3], [0, 1, 2, 3, 4])


def test_plot_filters_draws_each_kernel_on_one_symmetric_scale():
    import torch

    weight = torch.zeros(3, 2, 5, 5)
    weight[1, 0, 2, 2], weight[2, 0, 0, 0], weight[2, 1] = 2.0, -1.0, 9.0  # channel 1 is not drawn
    fig = viz.plot_filters(weight, columns=2)
    drawn = [ax for ax in fig.axes if ax.images]
    assert [ax.get_title() for ax in drawn] == ["filter 0", "filter 1", "filter 2"]
    assert all(ax.images[0].get_clim() == (-2.0, 2.0) for ax in drawn)
    assert drawn[1].images[0].get_array()[2, 2] == 2.0
    assert "3 learned 5×5 kernels" in fig.get_suptitle()
    with pytest.raises(ValueError, match=r"weight must be a 4-D \(out_channels, in_channels, kH, kW\) tensor, "
                                         r"got shape \(3, 5, 5\)"):
        viz.plot_filters(np.zeros((3, 5, 5)))


def test_plot_embedding_colours_each_class_and_names_it_at_its_median():
    points = np.array([[0.0, 0.0], [2.0, 0.0], [1.0, 5.0], [10.0, 10.0]])
    fig = viz.plot_embedding(points, [3, 3, 3, 8], "demo")
    ax = fig.axes[0]
    assert [len(c.get_offsets()) for c in ax.collections] == [3, 1]
    assert {t.get_text(): tuple(t.get_position()) for t in ax.texts} == {"3": (1.0, 0.0), "8": (10.0, 10.0)}
    assert ax.get_title() == "demo" and ax.get_xlabel() == "component 1"
    with pytest.raises(ValueError, match=r"points must be \(N, 2\) with one label each"):
        viz.plot_embedding(np.zeros((4, 3)), [0, 1, 2, 3], "bad")


def test_tile_maps_places_each_map_and_separates_them_with_nan():
    maps = np.arange(5 * 2 * 3, dtype=float).reshape(5, 2, 3)
    mosaic = viz.tile_maps(maps, columns=3)
    assert mosaic.shape == (2 * 3 - 1, 3 * 4 - 1)
    for k in range(5):
        r, c = divmod(k, 3)
        assert np.array_equal(mosaic[r * 3: r * 3 + 2, c * 4: c * 4 + 3], maps[k])
    assert np.isnan(mosaic[2]).all() and np.isnan(mosaic[:, 3]).all()
    assert np.isnan(mosaic[3:, 8:]).all()  # the sixth slot is empty


def test_plot_feature_maps_updates_its_two_images_in_place():
    fig = viz.feature_map_figure()
    maps = np.random.default_rng(0).normal(size=(32, 7, 7))
    viz.plot_feature_maps(np.zeros((28, 28)), np.ones((16, 14, 14)), "a 7", "conv1", fig=fig)
    assert viz.plot_feature_maps(np.ones((28, 28)), maps, "a 3", "conv2 / MaxPool2d", fig=fig) is fig
    image_ax, maps_ax = fig.axes
    assert len(image_ax.images) == len(maps_ax.images) == 1  # reused, not stacked
    assert maps_ax.images[0].get_array().shape == (4 * 8 - 1, 8 * 8 - 1)
    assert maps_ax.images[0].get_clim() == (maps.min(), maps.max())  # one scale for all channels
    assert (image_ax.get_title(), maps_ax.get_title()) == ("a 3", "conv2 / MaxPool2d")
    assert viz.figure_to_png(fig)[:4] == b"\x89PNG"

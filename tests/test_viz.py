"""Plot functions: what they draw, checked on the artists, and that they render."""

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

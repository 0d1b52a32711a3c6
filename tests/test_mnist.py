"""Specification of digitrec.load_mnist: verified offline copy, Keras fallback, clear errors."""

import gzip
import shutil

import keras
import numpy as np
import pytest

import digitrec
from digitrec import MnistDataError, load_mnist, mnist


def test_genuine_file_loads_with_keras_layout(mnist_file, capsys):
    (x_train, y_train), (x_test, y_test) = load_mnist(mnist_file)
    assert x_train.shape == (60000, 28, 28) and x_test.shape == (10000, 28, 28)
    assert y_train.shape == (60000,) and y_test.shape == (10000,)
    assert {a.dtype for a in (x_train, y_train, x_test, y_test)} == {np.dtype(np.uint8)}
    assert "SHA-256 verified" in capsys.readouterr().out


def test_genuine_file_matches_published_sanity_figures(mnist_file):
    (_, y_train), (_, y_test) = load_mnist(mnist_file, verbose=False)
    assert list(y_train[:10]) == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]
    assert list(np.bincount(y_train)) == [
        5923,
        6742,
        5958,
        6131,
        5842,
        5421,
        5918,
        6265,
        5851,
        5949,
    ]
    assert list(np.bincount(y_test)) == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


def test_checksum_constant_matches_committed_file(mnist_file):
    assert digitrec.sha256_of_file(mnist_file) == digitrec.MNIST_SHA256


@pytest.fixture
def damaged_copy(mnist_file, tmp_path):
    path = tmp_path / "mnist.npz"
    shutil.copyfile(mnist_file, path)
    return path


def test_corrupted_file_is_rejected_with_fix(damaged_copy):
    data = bytearray(damaged_copy.read_bytes())
    data[len(data) // 2] ^= 0xFF
    damaged_copy.write_bytes(bytes(data))
    with pytest.raises(MnistDataError, match=r"damaged or not the genuine MNIST.*git checkout"):
        load_mnist(damaged_copy)


def test_truncated_file_is_rejected(damaged_copy):
    damaged_copy.write_bytes(damaged_copy.read_bytes()[:1000])
    with pytest.raises(MnistDataError, match="damaged"):
        load_mnist(damaged_copy)


def test_empty_file_is_rejected(damaged_copy):
    damaged_copy.write_bytes(b"")
    with pytest.raises(MnistDataError, match="damaged"):
        load_mnist(damaged_copy)


def test_folder_instead_of_file_is_rejected(tmp_path):
    folder = tmp_path / "mnist.npz"
    folder.mkdir()
    with pytest.raises(MnistDataError, match="is a folder"):
        load_mnist(folder)


def test_error_message_is_one_sentence_on_one_line(damaged_copy):
    damaged_copy.write_bytes(b"not an npz")
    with pytest.raises(MnistDataError) as info:
        load_mnist(damaged_copy)
    message = str(info.value)
    assert "\n" not in message and message.endswith(".")
    assert info.value._render_traceback_() == [f"MnistDataError: {message}"]


def test_missing_file_falls_back_to_keras(mnist_file, tmp_path, monkeypatch, capsys):
    genuine = load_mnist(mnist_file, verbose=False)
    monkeypatch.setattr(keras.datasets.mnist, "load_data", lambda: genuine)
    (x_train, _), _ = load_mnist(tmp_path / "absent.npz")
    assert x_train is genuine[0][0]
    assert "keras.datasets.mnist.load_data()" in capsys.readouterr().out


def test_missing_file_without_internet_says_what_to_do(tmp_path, monkeypatch):
    def offline():
        raise OSError("Temporary failure in name resolution")

    monkeypatch.setattr(keras.datasets.mnist, "load_data", offline)
    with pytest.raises(MnistDataError, match=r"does not exist.*could not be downloaded.*internet"):
        load_mnist(tmp_path / "absent.npz")


def test_keras_data_of_the_wrong_shape_is_rejected(monkeypatch):
    small = np.zeros((10, 28, 28), np.uint8), np.zeros(10, np.uint8)
    monkeypatch.setattr(keras.datasets.mnist, "load_data", lambda: (small, small))
    with pytest.raises(MnistDataError, match="not MNIST"):
        load_mnist(None)


def write_idx_images(path, images):
    """Write ``images`` ((N, rows, columns) uint8) as a gzipped IDX image file."""
    header = np.array([0x803, *images.shape], ">i4").tobytes()
    with gzip.open(path, "wb") as file:
        file.write(header + images.tobytes())


FASHION = np.random.default_rng(0).integers(0, 256, (10000, 28, 28), dtype=np.uint8)


def test_fashion_mnist_is_read_from_the_offline_file(tmp_path, monkeypatch):
    write_idx_images(tmp_path / "t10k.gz", FASHION)
    monkeypatch.setattr(keras.datasets.fashion_mnist, "load_data", pytest.fail)
    assert np.array_equal(mnist.load_fashion_mnist_test_images(tmp_path / "t10k.gz"), FASHION)


def test_without_the_file_fashion_mnist_comes_from_keras(tmp_path, monkeypatch):
    labels = np.zeros(10000, np.uint8)
    monkeypatch.setattr(
        keras.datasets.fashion_mnist, "load_data", lambda: ((None, None), (FASHION, labels))
    )
    assert mnist.load_fashion_mnist_test_images(tmp_path / "absent.gz") is FASHION


def test_without_file_or_internet_fashion_mnist_is_one_line(tmp_path, monkeypatch):
    def offline():
        raise OSError("Temporary failure in name resolution")

    monkeypatch.setattr(keras.datasets.fashion_mnist, "load_data", offline)
    with pytest.raises(MnistDataError, match=r"does not exist.*dataset-fashion-mnist\.$"):
        mnist.load_fashion_mnist_test_images(tmp_path / "absent.gz")


def test_a_damaged_fashion_mnist_file_is_one_line(tmp_path):
    (tmp_path / "t10k.gz").write_bytes(b"not gzip")
    with pytest.raises(MnistDataError, match="cannot be read"):
        mnist.load_fashion_mnist_test_images(tmp_path / "t10k.gz")
    write_idx_images(tmp_path / "t10k.gz", FASHION[:10])
    with pytest.raises(MnistDataError, match=r"\(10, 28, 28\) uint8"):
        mnist.load_fashion_mnist_test_images(tmp_path / "t10k.gz")

"""MNIST's files: the repository's verified offline copy (or Keras's download), and IDX files.

``keras.datasets.mnist.load_data()`` downloads MNIST and returns
``((x_train, y_train), (x_test, y_test))``. The repository carries the same arrays
in ``data/mnist.npz`` so that the course also runs without internet; that file is
checked against its SHA-256 before use (checksum and provenance: ``data/README.md``).
"""

from __future__ import annotations

import gzip
import hashlib
import os
import zipfile
from pathlib import Path

import numpy as np

from digitrec.errors import MnistDataError

#: SHA-256 of the genuine ``data/mnist.npz`` (see data/README.md for its provenance).
MNIST_SHA256 = "06af5dfe73b70e3bc1c36439982b18a8d76803db9b544f6fdf838a37fbb01b64"

#: Array shapes of MNIST as documented by LeCun, Cortes and Burges,
#: "The MNIST database of handwritten digits" (60,000 training and 10,000 test images of 28x28).
EXPECTED_SHAPES = {
    "x_train": (60000, 28, 28),
    "y_train": (60000,),
    "x_test": (10000, 28, 28),
    "y_test": (10000,),
}

MnistSplits = tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]


def sha256_of_file(path: str | os.PathLike[str]) -> str:
    """Return the SHA-256 of the file at ``path`` as 64 lower-case hex digits.

    Raises:
        OSError: The file cannot be read.

    """
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def load_mnist(
    path: str | os.PathLike[str] | None = None,
    *,
    expected_sha256: str = MNIST_SHA256,
    verbose: bool = True,
) -> MnistSplits:
    """Return MNIST as ``((x_train, y_train), (x_test, y_test))``, like Keras does.

    Args:
        path: The offline copy, usually ``data/mnist.npz``. If it exists, its SHA-256
            must equal ``expected_sha256`` and it is read with ``np.load``. If it does not
            exist (or ``path`` is None), ``keras.datasets.mnist.load_data()`` downloads
            MNIST instead (it needs internet the first time, then uses Keras's cache).
        expected_sha256: Checksum the file must have.
        verbose: Print one line saying where the data came from.

    Returns:
        ``x_train`` (60000, 28, 28) and ``x_test`` (10000, 28, 28): uint8 grey levels
        0..255, white ink (255) on a black background (0). ``y_train`` (60000,) and
        ``y_test`` (10000,): uint8 digit labels 0..9.

    Raises:
        MnistDataError: The file is damaged, truncated or not MNIST (checksum or
            contents wrong), is a folder, cannot be read, or is missing while the
            download fails. The message is one sentence that says how to fix it.

    """
    if path is not None and os.path.exists(path):
        arrays = _load_verified_file(Path(path), expected_sha256)
        source = f"{Path(path).as_posix()} (SHA-256 verified)"
    else:
        arrays = _download_with_keras(path)
        source = "keras.datasets.mnist.load_data()"
    _check_arrays(arrays, source)
    if verbose:
        print(f"MNIST loaded from {source}")
    return (arrays["x_train"], arrays["y_train"]), (arrays["x_test"], arrays["y_test"])


def _load_verified_file(path: Path, expected_sha256: str) -> dict[str, np.ndarray]:
    fix = (
        f"restore it with `git checkout -- data/{path.name}`, or delete it to download "
        "MNIST with Keras"
    )
    if path.is_dir():
        raise MnistDataError(f"{path.as_posix()} is a folder, not the MNIST file: {fix}.")
    try:
        actual = sha256_of_file(path)
    except OSError as exc:
        raise MnistDataError(
            f"{path.as_posix()} cannot be read ({exc.strerror or exc}): {fix}."
        ) from None
    if actual != expected_sha256:
        raise MnistDataError(
            f"{path.as_posix()} is damaged or not the genuine MNIST file (SHA-256 "
            f"{actual[:12]}… instead of {expected_sha256[:12]}…): {fix}."
        )
    try:
        with np.load(path, allow_pickle=False) as npz:
            return {key: npz[key] for key in EXPECTED_SHAPES}
    except (OSError, ValueError, KeyError, zipfile.BadZipFile) as exc:
        raise MnistDataError(
            f"{path.as_posix()} has the right checksum but cannot be read as NumPy arrays "
            f"({exc}): check that the `expected_sha256` you passed belongs to MNIST."
        ) from None


def _download_with_keras(path: str | os.PathLike[str] | None) -> dict[str, np.ndarray]:
    where = f"{Path(path).as_posix()} does not exist and " if path is not None else ""
    try:
        import keras

        (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
    except Exception as exc:  # no internet, proxy, broken cache, Keras missing …
        raise MnistDataError(
            f"{where}MNIST could not be downloaded with keras.datasets.mnist.load_data() "
            f"({type(exc).__name__}): connect to the internet, or put the course's "
            "mnist.npz in the data/ folder of the repository."
        ) from None
    return {"x_train": x_train, "y_train": y_train, "x_test": x_test, "y_test": y_test}


def _check_arrays(arrays: dict[str, np.ndarray], source: str) -> None:
    for key, shape in EXPECTED_SHAPES.items():
        a = arrays[key]
        if a.shape != shape or a.dtype != np.uint8:
            raise MnistDataError(
                f"{source} gave {key} of shape {a.shape} and dtype {a.dtype} instead of "
                f"{shape} uint8: the data is not MNIST; delete it and load it again."
            )
    for key in ("y_train", "y_test"):
        if arrays[key].max() > 9:
            raise MnistDataError(
                f"{source} gave labels above 9 in {key}: the data is not MNIST; "
                "delete it and load it again."
            )


def read_idx_images(path: str | os.PathLike[str]) -> np.ndarray:
    """Read a gzipped IDX image file (MNIST's and Fashion-MNIST's format) as uint8 arrays.

    The format (LeCun et al., http://yann.lecun.com/exdb/mnist/): magic 0x00000803, then the
    count, rows and columns as big-endian int32, then the pixels row by row.

    Args:
        path: A ``*-images-idx3-ubyte.gz`` file.

    Returns:
        (N, rows, columns) uint8 array.

    Raises:
        ValueError: The file is not a gzipped IDX image file.

    """
    with gzip.open(path, "rb") as file:
        data = file.read()
    magic, count, rows, columns = np.frombuffer(data[:16], ">i4")
    if magic != 0x803 or len(data) != 16 + count * rows * columns:
        raise ValueError(f"{os.fspath(path)} is not an IDX image file")
    return np.frombuffer(data, np.uint8, offset=16).reshape(count, rows, columns)


#: Debian's copy of the Fashion-MNIST test images (package ``dataset-fashion-mnist``).
FASHION_MNIST_DEBIAN = Path("/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz")


def load_fashion_mnist_test_images(
    path: str | os.PathLike[str] = FASHION_MNIST_DEBIAN,
) -> np.ndarray:
    """Return Fashion-MNIST's 10,000 test images (Xiao, Rasul and Vollgraf 2017).

    Fashion-MNIST has MNIST's format (28 x 28 grey levels, white on black) but shows clothes;
    notebook 09 uses it as pictures that are not digits. Read from ``path`` (an IDX file, by
    default Debian's copy) where it exists, else downloaded with
    ``keras.datasets.fashion_mnist.load_data()`` (as in Colab; about 30 MB, cached by Keras).

    Args:
        path: A gzipped IDX image file of the test images.

    Returns:
        (10000, 28, 28) uint8 array, grey levels 0..255.

    Raises:
        MnistDataError: Neither the file nor the download worked (one line, with the fix).

    """
    path = Path(path)
    if path.is_file():
        try:
            images = read_idx_images(path)
        except (OSError, ValueError, EOFError) as exc:
            raise MnistDataError(f"{path.as_posix()} cannot be read ({exc}): delete it") from None
    else:
        try:
            import keras

            _, (images, _) = keras.datasets.fashion_mnist.load_data()
        except Exception as exc:  # no internet, proxy, broken cache …
            raise MnistDataError(
                f"{path.as_posix()} does not exist and Fashion-MNIST could not be downloaded "
                f"with keras.datasets.fashion_mnist.load_data() ({type(exc).__name__}): "
                "connect to the internet, or install Debian's dataset-fashion-mnist."
            ) from None
    if images.shape != (10000, 28, 28) or images.dtype != np.uint8:
        raise MnistDataError(
            f"Fashion-MNIST's test images came as {images.shape} {images.dtype}, not "
            "(10000, 28, 28) uint8: delete the file (or Keras's cache) and load it again."
        )
    return images

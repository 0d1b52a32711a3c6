"""The course's data splits: MNIST scaled to [0, 1], with the same validation split everywhere.

Notebook 02 builds these splits step by step; the later notebooks call ``load_splits`` so that
every model of the series is trained and compared on exactly the same images.
"""

from __future__ import annotations

import os

import numpy as np

from digitrec.mnist import load_mnist

#: Images held out of the 60,000 training images to choose models on (notebook 02).
VALIDATION_SIZE = 5000
#: Seed of the stratified split, so that every notebook holds out the same 5,000 images.
SPLIT_SEED = 42
#: Array shape of one image for each layout ``load_splits`` offers.
LAYOUTS = {"image": (28, 28), "channels": (28, 28, 1), "vector": (784,)}

Split = tuple[np.ndarray, np.ndarray]


def load_splits(
    path: str | os.PathLike[str] | None = None, *, layout: str = "image", verbose: bool = True
) -> tuple[Split, Split, Split]:
    """Load MNIST, scale it to [0, 1] and split a stratified validation set off the training set.

    Args:
        path: The offline copy ``data/mnist.npz`` (checked by SHA-256), or None to download it
            with Keras; see ``load_mnist``.
        layout: ``"image"`` for (N, 28, 28), ``"channels"`` for (N, 28, 28, 1), the input of
            convolutional layers, or ``"vector"`` for (N, 784).
        verbose: Print where MNIST came from.

    Returns:
        ``(x_fit, y_fit), (x_val, y_val), (x_test, y_test)``: 55,000, 5,000 and 10,000 images as
        float32 in [0, 1] (grey level / 255) and their labels as uint8 digits 0-9. The validation
        split keeps the ten digits in the training set's proportions (``train_test_split`` with
        ``stratify``, ``random_state=SPLIT_SEED``).

    Raises:
        ValueError: ``layout`` is not one of ``LAYOUTS``.
        MnistDataError: MNIST cannot be loaded (see ``load_mnist``).

    """
    if layout not in LAYOUTS:
        raise ValueError(f"layout must be one of {', '.join(LAYOUTS)}; got {layout!r}")
    from sklearn.model_selection import train_test_split

    (x_train, y_train), (x_test, y_test) = load_mnist(path, verbose=verbose)
    x_train, x_test = (
        x.reshape((len(x), *LAYOUTS[layout])).astype(np.float32) / 255.0 for x in (x_train, x_test)
    )
    x_fit, x_val, y_fit, y_val = train_test_split(
        x_train, y_train, test_size=VALIDATION_SIZE, stratify=y_train, random_state=SPLIT_SEED
    )
    return (x_fit, y_fit), (x_val, y_val), (x_test, y_test)

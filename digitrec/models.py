"""The networks that more than one notebook needs: augmentation and the convolutional network.

Notebook 06 introduces data augmentation and notebook 07 the convolutional network (CNN); both
show the code below. Notebook 08 re-trains the CNN with ``train_cnn`` if it cannot load the saved
one. Every saved model is the network alone: augmentation wraps it for training only
(``with_augmentation``), because Keras's random layers augment on any call not told
``training=False``, a plain ``model(x)`` included.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import keras


def augmentation() -> keras.Sequential:
    """Small random rotations (up to ±11°), shifts (up to 10 %) and zooms (up to 10 %).

    Input and output: (N, 28, 28, 1) float32 images; empty corners are filled with 0 (black).
    """
    import keras

    return keras.Sequential(
        [
            keras.layers.RandomRotation(0.03, fill_mode="constant"),
            keras.layers.RandomTranslation(0.1, 0.1, fill_mode="constant"),
            keras.layers.RandomZoom(0.1, fill_mode="constant"),
        ],
        name="augmentation",
    )


def with_augmentation(network: keras.Model) -> keras.Sequential:
    """Return ``augmentation()`` followed by ``network``: the model to train (save ``network``)."""
    import keras

    return keras.Sequential(
        [keras.Input(shape=(28, 28, 1)), augmentation(), network], name="training"
    )


def cnn(filters=(32, 64), dense_units=256, padding="valid") -> keras.Sequential:
    """Conv(5x5)-pool blocks with the given filters and padding, then Dense and softmax.

    Input (N, 28, 28, 1) float32 in [0, 1]; output (N, 10) softmax probabilities. With the
    defaults, notebook 07's CNN: 317,066 parameters.
    """
    import keras

    layers = [keras.Input(shape=(28, 28, 1))]
    for i, n in enumerate(filters, start=1):
        layers += [
            keras.layers.Conv2D(n, 5, padding=padding, activation="relu", name=f"conv{i}"),
            keras.layers.MaxPooling2D(name=f"pool{i}"),
        ]
    layers += [
        keras.layers.Flatten(),
        keras.layers.Dropout(0.25),
        keras.layers.Dense(dense_units, activation="relu"),
        keras.layers.Dropout(0.5),
        keras.layers.Dense(10, activation="softmax"),
    ]
    return keras.Sequential(layers, name="cnn")


def compile_cosine(model: keras.Model, steps: int, learning_rate: float = 2e-3) -> None:
    """Compile ``model`` for training: Adam, its learning rate decaying from ``learning_rate``
    (0.002 unless told) to 0 along a cosine over ``steps`` gradient steps (Loshchilov & Hutter,
    SGDR, 2017), and cross-entropy.
    """  # noqa: D205
    import keras

    schedule = keras.optimizers.schedules.CosineDecay(learning_rate, steps)
    model.compile(
        optimizer=keras.optimizers.Adam(schedule),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )


def fit_cosine(
    model: keras.Model,
    x: np.ndarray,
    y: np.ndarray,
    epochs: int,
    batch_size=128,
    validation_data=None,
) -> tuple[dict[str, Any], float]:
    """Compile with ``compile_cosine``, fit, and return (history, seconds).

    Args:
        model: The model to train (a network, or ``with_augmentation(network)``).
        x: Training images, (N, 28, 28, 1) float32 in [0, 1].
        y: Their digits, (N,) integers 0-9.
        epochs: Epochs to train; the learning rate reaches 0 at the end of the last one.
        batch_size: Images per gradient step.
        validation_data: ``(x_val, y_val)`` scored after each epoch, or None.

    Returns:
        ``History.history`` (loss in nats, accuracy as a fraction) and the seconds ``fit`` took.

    """
    compile_cosine(model, epochs * int(np.ceil(len(x) / batch_size)))
    start = time.perf_counter()
    history = model.fit(
        x,
        y,
        epochs=epochs,
        batch_size=batch_size,
        verbose=0,
        validation_data=validation_data,
        validation_batch_size=1000,
    )
    return history.history, time.perf_counter() - start


def train_cnn(
    x: np.ndarray, y: np.ndarray, epochs: int = 15, validation_data=None, seed: int = 42
) -> tuple[keras.Sequential, dict[str, Any], float]:
    """Notebook 07's recipe: ``seed``, ``cnn()`` behind ``augmentation()``, ``fit_cosine``.

    About 5 minutes on 2 CPU cores for the 55,000 training images and 15 epochs.

    Returns:
        ``(network, history, seconds)``: the trained network without augmentation, ready to save.

    """
    import keras

    keras.utils.set_random_seed(seed)
    network = cnn()
    history, seconds = fit_cosine(
        keras.Sequential([augmentation(), network]), x, y, epochs, validation_data=validation_data
    )
    return network, history, seconds

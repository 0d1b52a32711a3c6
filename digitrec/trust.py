"""When to trust the answer: occlusion maps and a "not a digit" class on top of a trained CNN.

Notebook 09 teaches these tools; the command line, the web demo and ``digitrec.predict`` use the
rejection rule it fits (``digitrec.prediction.load_rejection_rule``). The rest of notebook 09's
tools have rooms of their own: calibration's maths in ``digitrec.calibration``, the non-digit
pictures and perturbations in ``digitrec.synthetic``. Outlier exposure (training on synthetic
non-digits as an extra class): D. Hendrycks, M. Mazeika, T. Dietterich, "Deep Anomaly Detection
with Outlier Exposure", ICLR 2019 (arXiv:1812.04606).
"""

from __future__ import annotations

import weakref

import numpy as np


def occlusion_map(predict, image: np.ndarray, label: int, patch: int = 6, stride: int = 2):
    """How much the probability of ``label`` drops when a ``patch`` square is greyed out.

    Zeiler and Fergus, "Visualizing and Understanding Convolutional Networks", ECCV 2014: slide a
    black square over the image and record the drop of the class probability at each place.

    Args:
        predict: Function (N, 28, 28) float32 -> (N, 10) probabilities.
        image: (28, 28) float array in [0, 1].
        label: The class whose probability is followed.
        patch: Side of the black square in pixels.
        stride: Step between square positions in pixels.

    Returns:
        (28, 28) float array: the mean drop of probability over the patches covering each pixel.

    """
    corners = [(r, c) for r in range(0, 29 - patch, stride) for c in range(0, 29 - patch, stride)]
    batch = np.repeat(image[None].astype(np.float32), len(corners), axis=0)
    for i, (r, c) in enumerate(corners):
        batch[i, r : r + patch, c : c + patch] = 0.0
    base = float(predict(image[None].astype(np.float32))[0, label])
    drops = base - predict(batch)[:, label]
    total, cover = np.zeros((28, 28)), np.zeros((28, 28))
    for (r, c), drop in zip(corners, drops, strict=True):
        total[r : r + patch, c : c + patch] += drop
        cover[r : r + patch, c : c + patch] += 1
    return total / np.maximum(cover, 1)


def prepare(pictures) -> np.ndarray:
    """``to_mnist`` of each picture, stacked: (N, 28, 28) float32; pictures without ink skipped.

    Noise pages and letters are real pictures a user may send; the few with no ink at all
    (``NoInkError``) get an error, not an answer, so they are left out of a set.
    """
    from digitrec.preprocess import NoInkError, to_mnist

    images = []
    for picture in pictures:
        try:
            images.append(to_mnist(picture))
        except NoInkError:
            continue
    return np.stack(images) if images else np.zeros((0, 28, 28), dtype=np.float32)


def with_not_a_digit_class(model):
    """Return a copy of a 10-class Keras classifier with an 11th output, "not a digit".

    The layers before the last are shared with ``model`` (so train the copy, not both); the last
    Dense layer gets one more unit, initialised with zero weights, and the first ten start
    from ``model``'s, so training starts from the digit classifier (outlier exposure, Hendrycks
    et al. 2019, with the outliers as an extra class).

    Args:
        model: A ``keras.Sequential`` whose last layer is ``Dense(10, activation="softmax")``.

    Returns:
        A ``keras.Model`` with the same input and an (N, 11) softmax output.

    """
    import keras

    inputs = keras.Input(model.input_shape[1:])
    hidden = inputs
    for layer in model.layers[:-1]:
        hidden = layer(hidden)
    head = keras.layers.Dense(11, activation="softmax", name="digit_or_not")
    outputs = head(hidden)
    weights, bias = model.layers[-1].get_weights()
    head.set_weights(
        [np.concatenate([weights, np.zeros((weights.shape[0], 1))], 1), np.append(bias, 0.0)]
    )
    return keras.Model(inputs, outputs, name="not_a_digit")


def model_logits(model, x: np.ndarray) -> np.ndarray:
    """Return the logits (the inputs of the final softmax) of a Dense + softmax model.

    The energy score needs them: ``log p`` equals them only up to a constant per row, which
    changes logsumexp (Liu et al. 2020 use the network's own logits).

    Args:
        model: A Keras model built from layers, the last a ``Dense`` with softmax activation.
        x: (N, 28, 28) float32 images in [0, 1].

    Returns:
        (N, 10) float64 array.

    """
    features = _features(model)
    weights, bias = model.layers[-1].get_weights()
    batch = x.reshape((len(x), *model.input_shape[1:]))
    hidden = features.predict(batch, batch_size=1000, verbose=0).astype(np.float64)
    return hidden @ weights + bias


_FEATURE_MODELS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _features(model):
    """Return the sub-model up to the last layer's input, built once per model (no re-tracing)."""
    import keras

    if model not in _FEATURE_MODELS:
        _FEATURE_MODELS[model] = keras.Model(model.inputs, model.layers[-2].output)
    return _FEATURE_MODELS[model]

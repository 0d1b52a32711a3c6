"""Predict the digit in images with a model trained by the course.

``predict`` preprocesses each image with ``to_mnist`` and runs the model on all of them in one
batch. It calls the model directly (``model(x, training=False)``, traced once into a TensorFlow
graph) instead of ``model.predict``, which builds a dataset and a prediction loop on every call:
tens of milliseconds that a single drawn digit should not pay.

A picture that is not a digit (noise, a doodle, a letter) is flagged ``rejected`` by the course's
rejection rule, fitted in notebook 09 and stored next to the models (``REJECTION_FILE``): a
"not a digit" detector trained with outlier exposure (Hendrycks, Mazeika and Dietterich, "Deep
Anomaly Detection with Outlier Exposure", ICLR 2019) and its threshold. Without that file
nothing is rejected.
"""

from __future__ import annotations

import json
import os
import weakref
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from digitrec.decode import ImageSource
from digitrec.errors import ModelError
from digitrec.model_files import load_model, model_folders
from digitrec.preprocess import to_mnist
from digitrec.results import Prediction
from digitrec.runtimes import ExportedModel

if TYPE_CHECKING:  # for type checkers only: Keras and TensorFlow are imported when first needed
    import keras
    import tensorflow as tf


#: The rejection rule's file, written by notebook 09 into the models folder: JSON with
#: ``"detector"`` (a ``.keras`` file in the same folder whose 11th output is the probability of
#: "not a digit") and ``"threshold"`` (reject when that probability is over it).
REJECTION_FILE = "09_rejection.json"


@dataclass(frozen=True)
class RejectionRule:
    """Reject a picture when the detector's probability of "not a digit" exceeds ``threshold``.

    Attributes:
        detector: Path of the detector, a Keras model (N, 28, 28, 1) -> (N, 11) softmax, whose
            last class is "not a digit" (notebook 09 trains it with outlier exposure).
        threshold: In [0, 1]; chosen in notebook 09 on the validation split for a stated
            false-rejection rate on real digits.

    """

    detector: Path
    threshold: float

    def not_a_digit(self, x: np.ndarray) -> np.ndarray:
        """Return the (N,) probabilities of "not a digit" for (N, 28, 28) images in [0, 1]."""
        return _forward(load_model(self.detector), x)[:, -1]

    def rejects(self, x: np.ndarray) -> np.ndarray:
        """Return an (N,) bool array: True where the image is rejected."""
        return self.not_a_digit(x) > self.threshold


def load_rejection_rule(folders: Iterable[str | os.PathLike[str]] | None = None):
    """Return the ``RejectionRule`` of the first folder holding ``REJECTION_FILE``, or None.

    Args:
        folders: Where to look; default ``model_folders()`` (where the models are found).

    Returns:
        The rule, or None when no folder has the file (then nothing is rejected).

    Raises:
        ModelError: The file is not valid JSON with a detector that exists and a threshold in
            [0, 1].

    """
    for folder in [Path(f) for f in folders] if folders is not None else model_folders():
        rule_file = folder / REJECTION_FILE
        if not rule_file.is_file():
            continue
        try:
            fields = json.loads(rule_file.read_text(encoding="utf-8"))
            rule = RejectionRule(folder / str(fields["detector"]), float(fields["threshold"]))
        except (ValueError, KeyError, TypeError, OSError):
            raise ModelError(f"{REJECTION_FILE} is damaged: run notebook 09 again") from None
        if not (rule.detector.is_file() and 0.0 <= rule.threshold <= 1.0):
            raise ModelError(f"{REJECTION_FILE} names a missing detector or a bad threshold")
        return rule
    return None


_FORWARD: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _compiled_forward(model: keras.Model) -> Callable[[np.ndarray], tf.Tensor]:
    """``model(x, training=False)`` as one TensorFlow graph, traced once per model.

    Calling a Keras model eagerly runs its layers one by one from Python (about 7 ms for the
    07 CNN on 2 cores); the traced graph runs the same operations in about a third of that.
    The batch dimension is left open, so any batch size reuses the one trace.
    """
    if model not in _FORWARD:
        import tensorflow as tf

        signature = [tf.TensorSpec((None, *model.input_shape[1:]), tf.float32)]
        _FORWARD[model] = tf.function(lambda x: model(x, training=False), input_signature=signature)
    return _FORWARD[model]


def _forward(model: keras.Model, x: np.ndarray) -> np.ndarray:
    """Run ``model`` on (N, 28, 28) images reshaped to its input; float32 (N, classes) out."""
    if isinstance(model, ExportedModel):  # a LiteRT or ONNX file: no Keras needed
        return model(x)
    import keras

    batch = x.astype(np.float32).reshape((len(x), *model.input_shape[1:]))
    forward = _compiled_forward(model) if keras.backend.backend() == "tensorflow" else None
    outputs = forward(batch) if forward is not None else model(batch, training=False)
    return keras.ops.convert_to_numpy(outputs).astype(np.float32)


def predict_arrays(
    x: np.ndarray,
    model: keras.Model | str | os.PathLike[str] | None = None,
    reject: bool | RejectionRule = True,
) -> list[Prediction]:
    """Predict digits for images already preprocessed like MNIST.

    Args:
        x: (N, 28, 28) float32 array in [0, 1], white on black (``to_mnist`` output).
        model: A ``keras.Model``, a path to a ``.keras``, ``.tflite`` or ``.onnx`` file (the
            latter two run by ``digitrec.runtimes``), or None for ``best_model_file()``.
            Its input may be (28, 28), (28, 28, 1) or (784,); its output must be 10 softmax
            probabilities (all the course's saved models end in softmax).
        reject: True to apply the course's rule (``load_rejection_rule``; none if its file is
            absent, or for a ``.tflite``/``.onnx`` model, which runs without Keras), False for
            none, or a ``RejectionRule`` to apply.

    Returns:
        One ``Prediction`` per image, in order.

    Raises:
        ModelError: See ``load_model`` and ``load_rejection_rule``.
        ValueError: ``x`` does not have shape (N, 28, 28).

    """
    if x.ndim != 3 or x.shape[1:] != (28, 28):
        raise ValueError(f"expected images of shape (N, 28, 28), got {x.shape}")
    if model is None or isinstance(model, (str, os.PathLike)):
        model = load_model(model)
    probabilities = _forward(model, x)
    if reject is True and isinstance(model, ExportedModel):
        reject = False  # the rule's detector is a Keras model; an exported file runs without it
    rule = load_rejection_rule() if reject is True else reject or None
    rejected = rule.rejects(x) if rule is not None else np.zeros(len(x), dtype=bool)
    return [
        Prediction(int(p.argmax()), float(p.max()), p, bool(r))
        for p, r in zip(probabilities, rejected, strict=True)
    ]


def predict(
    images: ImageSource | Sequence[ImageSource],
    model: keras.Model | str | os.PathLike[str] | None = None,
    reject: bool | RejectionRule = True,
) -> list[Prediction]:
    """Preprocess images with ``to_mnist`` and predict their digits in one batch.

    Args:
        images: One image or a list of them: paths, file contents (bytes), PIL images or arrays
            (see ``to_mnist``).
        model: A ``keras.Model``, a path to a ``.keras``, ``.tflite`` or ``.onnx`` file (the
            latter two run by ``digitrec.runtimes``), or None for ``best_model_file()``.
        reject: The rejection rule, as for ``predict_arrays``.

    Returns:
        One ``Prediction`` per image, in order.

    Raises:
        ImageError: An image cannot be read or holds no ink (the first such image stops all;
            the command line predicts file by file instead).
        ModelError: See ``load_model``.

    """
    if isinstance(images, (str, os.PathLike, bytes, np.ndarray)) or hasattr(images, "getpixel"):
        images = [images]
    x = np.stack([to_mnist(image) for image in images]) if len(images) else np.zeros((0, 28, 28))
    return predict_arrays(x, model, reject) if len(x) else []

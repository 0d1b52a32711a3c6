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
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from digitrec.decode import ImageSource
from digitrec.errors import ModelError
from digitrec.paths import course_paths
from digitrec.preprocess import to_mnist
from digitrec.results import Prediction
from digitrec.runtimes import ExportedModel, load_exported

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


def model_folders() -> list[Path]:
    """Return the folders that hold saved models, the committed ones first.

    The repository's ``model/`` seen from the working directory (a clone in Colab), then the
    ``model/`` next to this package (an editable install), then the course's output folder
    (``course_paths().models``). Locally and in Colab the output folder is that same ``model/``,
    so a model a learner re-trains is the one found. Under test it is a temporary folder: the
    notebooks re-trained there read the committed models, which made their stored outputs,
    because training gives other weights on another CPU; a model only the suite has made (a
    notebook not yet committed) is still found there.
    """
    paths = course_paths()
    package_root = Path(__file__).resolve().parent.parent
    folders = [paths.root / "model", package_root / "model", paths.models]
    return list(dict.fromkeys(folder.resolve() for folder in folders))


def find_model(name: str, suffix: str = ".keras") -> Path:
    """Return the saved model ``<name><suffix>`` from the first of ``model_folders()`` that has it.

    Args:
        name: The file's stem, e.g. ``"03_dense"``.
        suffix: The file's extension: ``".keras"``, or an export of notebook 11 such as
            ``".tflite"``, ``"_int8.tflite"`` or ``".onnx"``.

    Returns:
        Its absolute path (``paths.display_path`` shows it without machine-specific folders).

    Raises:
        ModelError: No folder holds it (the notebook that saves it has not run).

    """
    for folder in model_folders():
        if (folder / f"{name}{suffix}").is_file():
            return folder / f"{name}{suffix}"
    raise ModelError(f"model/{name}{suffix} not found: run notebook {name[:2]} first")


def best_model_file(folders: Iterable[str | os.PathLike[str]] | None = None) -> Path:
    """Return the saved model with the highest test accuracy among the training records.

    Notebooks 03, 06 and 07 save ``model/NN_name.keras`` next to a record ``NN_name.json`` holding
    its measured ``test_accuracy``; the best one that exists is chosen (07's CNN, when all exist).

    Args:
        folders: Where to look; default: the repository's ``model/`` folder (next to this
            package) and the course's output folder (``course_paths().models``).

    Raises:
        ModelError: No folder holds a ``.keras`` file with a record.

    """
    candidates = []
    for folder in [Path(f) for f in folders] if folders is not None else model_folders():
        for record_file in sorted(folder.glob("*.json")):
            model_file = record_file.with_suffix(".keras")
            if not model_file.is_file():
                continue
            try:
                accuracy = float(json.loads(record_file.read_text())["test_accuracy"])
            except (ValueError, KeyError, TypeError, OSError):
                continue
            candidates.append((accuracy, model_file))
    if not candidates:
        raise ModelError(
            "no trained model found in model/: run notebook 07 (or 03) first, or "
            "give one with --model"
        )
    return max(candidates, key=lambda candidate: candidate[0])[1]


@lru_cache(maxsize=4)
def _load(path: Path, mtime: float) -> keras.Model:
    import keras

    try:
        return keras.models.load_model(path, compile=False)
    except Exception as error:  # Keras raises many types for a bad file
        raise ModelError(
            f"cannot load the model {path.name}: "
            f"{str(error).splitlines()[0] if str(error) else type(error).__name__}"
        ) from None


def load_model(path: str | os.PathLike[str] | None = None) -> keras.Model:
    """Load a ``.keras`` model (cached: loading the same unchanged file again is free).

    A ``.tflite`` or ``.onnx`` file (notebook 11's exports) is loaded with
    ``digitrec.runtimes.load_exported`` instead: an ``ExportedModel``, which ``predict_arrays``
    and ``predict`` accept like a ``keras.Model``.

    Args:
        path: The model file; default: ``best_model_file()``.

    Returns:
        The ``keras.Model``.

    Raises:
        ModelError: The file does not exist or is not a Keras model.

    """
    model_file = Path(path) if path is not None else best_model_file()
    if not model_file.is_file():
        raise ModelError(f"model file not found: {model_file}")
    if model_file.suffix.lower() in (".tflite", ".onnx"):  # exported by notebook 11
        return load_exported(model_file)
    return _load(model_file.resolve(), model_file.stat().st_mtime)


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

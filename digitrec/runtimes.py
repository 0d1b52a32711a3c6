"""Run a model exported from Keras: a LiteRT (``.tflite``) or ONNX (``.onnx``) file.

Notebook 11 exports the 07 CNN with ``keras.Model.export(path, format="litert" | "onnx")``. The
files run without Keras or TensorFlow: LiteRT files with the ``ai-edge-litert`` interpreter
(``ai_edge_litert.interpreter.Interpreter``, https://ai.google.dev/edge/litert), ONNX files
with ONNX Runtime (``onnxruntime.InferenceSession``, https://onnxruntime.ai/docs/api/python/).
``load_exported`` gives both the interface of the Keras path: (N, 28, 28) float32 images in,
(N, 10) float32 probabilities out, so that ``digitrec.load_model`` and
``python -m digitrec predict --model FILE`` accept these files too.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import sys
import time
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from digitrec.errors import ModelError

if TYPE_CHECKING:
    import keras

#: The file suffixes this module runs, and the package each needs (pinned in requirements.txt).
RUNTIMES = {".tflite": "ai-edge-litert", ".onnx": "onnxruntime"}


class ExportedModel:
    """A LiteRT or ONNX model file, called like a Keras model on MNIST-shaped images.

    Attributes:
        path: The model file.
        runtime: ``"litert"`` or ``"onnx"``.
        input_shape: The model's input shape, batch first as in Keras: ``(None, 28, 28, 1)``
            for the course's CNN.

    """

    def __init__(self, path: Path, runtime: str, session, input_shape: tuple) -> None:
        self.path, self.runtime, self._session = path, runtime, session
        self.input_shape = (None, *input_shape)
        self._batch = None  # the batch size the LiteRT interpreter's tensors are allocated for

    def __call__(self, x: np.ndarray) -> np.ndarray:
        """Return the probabilities for a batch of images.

        Args:
            x: (N, 28, 28) float32 array in [0, 1], white on black (``to_mnist`` output), or
                already in the model's input shape.

        Returns:
            (N, 10) float32 array of probabilities (each row sums to 1).

        """
        batch = np.ascontiguousarray(x, dtype=np.float32).reshape((len(x), *self.input_shape[1:]))
        if self.runtime == "onnx":
            name = self._session.get_inputs()[0].name
            return np.asarray(self._session.run(None, {name: batch})[0], dtype=np.float32)
        return self._invoke_litert(batch)

    def _invoke_litert(self, batch: np.ndarray) -> np.ndarray:
        """Run the LiteRT interpreter on one batch; resize its input when the batch size changes."""
        interpreter = self._session
        source, target = interpreter.get_input_details()[0], interpreter.get_output_details()[0]
        if self._batch != len(batch):
            interpreter.resize_tensor_input(source["index"], batch.shape)
            interpreter.allocate_tensors()
            self._batch = len(batch)
        interpreter.set_tensor(source["index"], batch)
        interpreter.invoke()
        return np.array(interpreter.get_tensor(target["index"]), dtype=np.float32)

    def __repr__(self) -> str:
        return f"ExportedModel({self.path.name!r}, runtime={self.runtime!r})"


def is_exported(path: str | os.PathLike[str]) -> bool:
    """Return True when ``path`` names a LiteRT or ONNX file (by its suffix, ``RUNTIMES``)."""
    return Path(path).suffix.lower() in RUNTIMES


def load_exported(path: str | os.PathLike[str], *, num_threads: int | None = None) -> ExportedModel:
    """Load a ``.tflite`` file with LiteRT or an ``.onnx`` file with ONNX Runtime.

    Args:
        path: The model file; its suffix picks the runtime (``RUNTIMES``).
        num_threads: CPU threads the runtime may use; default: the runtime's own choice.

    Returns:
        An ``ExportedModel``: call it on (N, 28, 28) float32 images for (N, 10) probabilities.

    Raises:
        ModelError: The file does not exist, its suffix is neither ``.tflite`` nor ``.onnx``,
            the runtime is not installed, or the runtime cannot read the file.

    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in RUNTIMES:
        raise ModelError(f"{path.name}: an exported model must be a .tflite or .onnx file")
    if not path.is_file():
        raise ModelError(f"model file not found: {path}")
    try:
        opener = _open_litert if suffix == ".tflite" else _open_onnx
        return opener(path, num_threads)
    except ImportError:
        raise ModelError(
            f"running {path.name} needs {RUNTIMES[suffix]}: pip install -r requirements.txt"
        ) from None
    except Exception as error:  # the runtimes raise RuntimeError, ValueError, their own types
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else ""
        raise ModelError(f"cannot load the model {path.name}: {first_line or error!r}") from None


def _open_litert(path: Path, num_threads: int | None) -> ExportedModel:
    """Open a LiteRT file with ``ai_edge_litert``'s interpreter."""
    from ai_edge_litert.interpreter import Interpreter

    with _silenced():  # "INFO: Created TensorFlow Lite XNNPACK delegate for CPU."
        interpreter = Interpreter(model_path=str(path), num_threads=num_threads)
        interpreter.allocate_tensors()
    shape = tuple(int(n) for n in interpreter.get_input_details()[0]["shape"][1:])
    return ExportedModel(path, "litert", interpreter, shape)


def _open_onnx(path: Path, num_threads: int | None) -> ExportedModel:
    """Open an ONNX file with ONNX Runtime on the CPU."""
    import onnxruntime

    options = onnxruntime.SessionOptions()
    if num_threads:
        options.intra_op_num_threads = num_threads
    session = onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    shape = tuple(int(n) for n in session.get_inputs()[0].shape[1:])
    return ExportedModel(path, "onnx", session, shape)


def ms_per_digit(
    predict: Callable[[np.ndarray], object], images: np.ndarray, repeats: int = 3
) -> float:
    """Median wall-clock milliseconds to predict one digit, one image per call.

    A phone or a web page answers one drawing at a time, so each call gets a batch of one
    image: ``predict(images[i : i + 1])``. The first call (which may trace or allocate) is not
    timed; the median over ``repeats`` passes through ``images`` resists the other processes of
    a shared machine better than the mean. Printed by notebook 11 and
    ``benchmarks/export_latency.py``, never asserted (the figures vary with the machine's load).

    Args:
        predict: Any function of a (1, 28, 28) float32 batch: a Keras model, a traced graph,
            an ``ExportedModel``.
        images: (N, 28, 28) float32 array in [0, 1]; N calls per pass.
        repeats: Passes through ``images``.

    Returns:
        Milliseconds per digit, the median of ``repeats * N`` timed calls.

    """
    predict(images[:1])
    times = []
    for _ in range(repeats):
        for i in range(len(images)):
            start = time.perf_counter()
            predict(images[i : i + 1])
            times.append(time.perf_counter() - start)
    return 1000.0 * float(np.median(times))


def export(model: keras.Model, path: str | os.PathLike[str], format: str, **options) -> Path:
    """Export ``model`` with ``model.export(path, format=format, **options)``, without its logs.

    Keras 3's ``model.export`` hands the model to TensorFlow's LiteRT converter
    (``format="litert"``; ``options`` go to ``tf.lite.TFLiteConverter``: ``optimizations``,
    ``representative_dataset``, ``target_spec``...) or to ``tf2onnx`` (``format="onnx"``). Both
    print the temporary folders they use and TensorFlow's C++ log lines; this runs the export
    with Python's and the operating system's standard output and error silenced.

    Args:
        model: A Keras model (the TensorFlow backend, for LiteRT).
        path: The file to write: ``.tflite`` for LiteRT, ``.onnx`` for ONNX.
        format: ``"litert"`` or ``"onnx"``.
        **options: Passed on to ``model.export``.

    Returns:
        ``path``, as a ``Path``.

    """
    loggers = [logging.getLogger(name) for name in ("tensorflow", "absl", "tf2onnx")]
    levels = [logger.level for logger in loggers]
    with _silenced(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tf2onnx's notices about NumPy 2, the converter's
        for logger in loggers:  # TensorFlow logs "Assets written to" its temporary folder
            logger.setLevel(logging.ERROR)
        try:
            model.export(str(path), format=format, **options)
        finally:
            for logger, level in zip(loggers, levels, strict=True):
                logger.setLevel(level)
    return Path(path)


@contextlib.contextmanager
def _silenced() -> Iterator[None]:
    """Send file descriptors 1 and 2 (C++ and Python output alike) to the null device."""
    sys.stdout.flush(), sys.stderr.flush()
    saved = [os.dup(1), os.dup(2)]
    null = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(null, 1), os.dup2(null, 2)
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            yield
    finally:
        os.dup2(saved[0], 1), os.dup2(saved[1], 2)
        for fd in (*saved, null):
            os.close(fd)

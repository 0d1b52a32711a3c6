"""Find and load the course's saved models: which folders hold them, which file is the best.

The notebooks save their models in ``model/`` (``.keras``, and notebook 11's ``.tflite`` and
``.onnx`` exports) with a training record ``NN_name.json`` beside each; ``find_model`` finds one
by name, ``best_model_file`` the one with the highest recorded test accuracy, and ``load_model``
loads either kind, once per unchanged file.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from digitrec.errors import ModelError
from digitrec.paths import course_paths
from digitrec.runtimes import load_exported

if TYPE_CHECKING:  # for type checkers only: Keras is imported when a model is loaded
    import keras


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

"""Training records: the figures a notebook measured when it trained a model.

Each notebook that trains a model writes ``model/<name>.json`` next to it, so that a
later notebook can build a comparison table across the series without retraining.
"""

from __future__ import annotations

import json
import os
import platform
from pathlib import Path
from typing import Any


def save_training_record(
    path: str | os.PathLike[str],
    *,
    name: str,
    parameters: int,
    test_accuracy: float,
    train_seconds: float,
    epochs: int,
    notebook: str,
) -> dict[str, Any]:
    """Write a JSON training record and return it.

    Args:
        path: The ``.json`` file to write (its folder must exist); replaced if present.
        name: Short human-readable model name, e.g. ``"Dense 784-512-10"``.
        parameters: Number of trainable and non-trainable weights.
        test_accuracy: Accuracy on the 10,000 MNIST test images, a fraction in [0, 1].
        train_seconds: Wall-clock seconds of training (the ``fit`` call or loop).
        epochs: Epochs actually trained.
        notebook: File name of the notebook that trained it.

    Raises:
        ValueError: ``test_accuracy`` is outside [0, 1] or a count is negative.

    """
    _check_figures(parameters, test_accuracy, train_seconds, epochs)
    record = {
        "name": name,
        "parameters": int(parameters),
        "test_accuracy": float(test_accuracy),
        "train_seconds": round(float(train_seconds), 1),
        "epochs": int(epochs),
        "notebook": notebook,
        "cpu_count": os.cpu_count(),
        "machine": platform.machine(),
    }
    Path(path).write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    return record


def _check_figures(
    parameters: int, test_accuracy: float, train_seconds: float, epochs: int
) -> None:
    """Raise ValueError unless ``test_accuracy`` is in [0, 1] and the counts are not negative."""
    if not 0.0 <= test_accuracy <= 1.0:
        raise ValueError(f"test_accuracy must be a fraction in [0, 1]; got {test_accuracy}.")
    if parameters < 0 or epochs < 0 or train_seconds < 0:
        raise ValueError("parameters, epochs and train_seconds must not be negative.")


def load_training_records(folder: str | os.PathLike[str]) -> dict[str, dict[str, Any]]:
    """Return the records in ``folder`` keyed by file stem (``{}`` if there are none).

    Files that are not valid JSON records are skipped, so a stray file cannot break
    a notebook's comparison table.
    """
    records = {}
    for path in sorted(Path(folder).glob("*.json")):
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(record, dict) and {"name", "test_accuracy"} <= record.keys():
            records[path.stem] = record
    return records

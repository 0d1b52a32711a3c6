"""The course on three Keras backends: TensorFlow, JAX and PyTorch (issue 26).

Every committed ``model/*.keras`` loads on each backend and predicts the same on 1,000 test
digits (within 1e-5). (Running notebook 03 itself under JAX and PyTorch is still to come: its
Setup calls TensorFlow's determinism switch, and its logits section uses ``tf.GradientTape``.)
"""

import os
import subprocess
import sys

import numpy as np
import pytest
from helpers import ROOT

BACKENDS = ("tensorflow", "jax", "torch")
TOLERANCE = 1e-5


def backend_env(backend, **extra):
    """The environment of a child process on ``backend``, quiet, with ``tests/`` importable."""
    path = os.pathsep.join([str(ROOT / "tests"), os.environ.get("PYTHONPATH", "")])
    return {
        **os.environ,
        "KERAS_BACKEND": backend,
        "TF_CPP_MIN_LOG_LEVEL": "3",
        "PYTHONPATH": path,
        **extra,
    }


@pytest.fixture(scope="module")
def predictions(tmp_path_factory):
    """``{backend: {model name: predictions}}`` from one child process per backend."""
    folder = tmp_path_factory.mktemp("backends")
    results = {}
    for backend in BACKENDS:
        out = folder / f"{backend}.npz"
        command = [sys.executable, str(ROOT / "tests" / "backend_predictions.py"), str(out)]
        subprocess.run(command, env=backend_env(backend), check=True, timeout=600)
        with np.load(out) as stored:
            results[backend] = {name: stored[name] for name in stored.files}
    return results


def test_each_child_ran_on_its_backend(predictions):
    assert {b: str(p["backend"]) for b, p in predictions.items()} == {b: b for b in BACKENDS}


def test_every_committed_model_was_loaded(predictions):
    models = {path.stem for path in (ROOT / "model").glob("*.keras")}
    assert len(models) >= 5
    for backend in BACKENDS:
        assert set(predictions[backend]) - {"backend"} == models


@pytest.mark.parametrize("backend", ["jax", "torch"])
def test_every_model_predicts_the_same_as_on_tensorflow(predictions, backend):
    for name, reference in predictions["tensorflow"].items():
        if name == "backend":
            continue
        other = predictions[backend][name]
        assert other.shape == reference.shape and len(reference) > 0
        assert np.abs(other - reference).max() < TOLERANCE, name

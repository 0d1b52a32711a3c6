"""The course on three Keras backends: TensorFlow, JAX and PyTorch (issue 26).

Every committed ``model/*.keras`` loads on each backend and predicts the same on 1,000 test
digits (within 1e-5), and notebook 14 (which teaches the differences) runs top to bottom on JAX
and on PyTorch with every one of its asserts (nbval runs it, and every notebook, on TensorFlow).
"""

import os
import subprocess
import sys

import nbformat
import numpy as np
import pytest
from helpers import ROOT
from nbclient import NotebookClient

from digitrec import OUTPUT_DIR_ENV

BACKENDS = ("tensorflow", "jax", "torch")
TOLERANCE = 1e-5


def backend_env(backend, **extra):
    """The environment of a child process on ``backend``, quiet, with ``tests/`` importable.

    One OpenMP thread: under ``-n 2`` the other test process holds the other core, and
    PyTorch's default OpenMP threads, which spin while they wait for it, made the child three
    times slower. Measured on 2 cores beside a Keras training: notebook 03 on PyTorch took 326 s
    with the default threads and 106 s with one; the training ran at about the same speed.
    """
    path = os.pathsep.join([str(ROOT / "tests"), os.environ.get("PYTHONPATH", "")])
    return {
        **os.environ,
        "KERAS_BACKEND": backend,
        "TF_CPP_MIN_LOG_LEVEL": "3",
        "OMP_NUM_THREADS": "1",
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


@pytest.mark.parametrize("backend", ["jax", "torch"])
def test_notebook_14_runs_top_to_bottom_on(backend, tmp_path):
    """Notebook 14, unchanged, on another backend: every cell runs and every assert in it holds.

    It teaches what differs between the backends (the loss of a softmax output, gradients), and
    takes each backend's branch of its asserts. Anything it writes goes to ``tmp_path``
    (``DIGITREC_OUTPUT_DIR``), not to the folder that the other notebooks under test read.
    """
    notebook = nbformat.read(ROOT / "notebooks" / "14_inside_keras.ipynb", as_version=4)
    client = NotebookClient(
        notebook,
        timeout=900,
        kernel_name="python3",
        resources={"metadata": {"path": str(ROOT / "notebooks")}},
    )
    client.execute(env=backend_env(backend, **{OUTPUT_DIR_ENV: str(tmp_path)}))
    printed = "".join(
        output.get("text", "")
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.outputs
    )
    assert f"on the {backend} backend" in printed
    assert "(clipped)" in printed and "(exact)" in printed

"""The committed models are inference models that reproduce the accuracies README.md quotes.

A saved ``model/*.keras`` must load with ``compile=False`` on the pinned Keras (Colab's), hold no
random layers, and give the same answer however it is called: ``model(x)``,
``model(x, training=False)`` and ``model.predict(x)``.
"""

import json
import re
from pathlib import Path

import keras
import numpy as np
import pytest

from digitrec import load_mnist

ROOT = Path(__file__).resolve().parents[1]

#: A figure measured again on another CPU may differ by an image or two (floating-point order).
TOLERANCE = 0.0002


def readme_results():
    """Rows of README.md's results table: {model file: accuracy in percent}."""
    rows = {}
    for line in (ROOT / "README.md").read_text(encoding="utf-8").splitlines():
        match = re.match(r"\|.*`(model/[\w.-]+\.keras)`.*\|\s*([\d.]+) %\s*\|\s*$", line)
        if match:
            rows[match.group(1)] = float(match.group(2))
    return rows


def stored_output(notebook, pattern):
    """The first match of `pattern` in the stored text outputs of a notebook."""
    nb = json.loads((ROOT / "notebooks" / notebook).read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        for out in cell.get("outputs", []):
            match = re.search(pattern, "".join(out.get("text", "")))
            if match:
                return match
    raise AssertionError(f"{pattern!r} not in the outputs of {notebook}")


# model file, notebook that trains it, the accuracy that notebook asserts
MODELS = [
    ("model/03_dense.keras", "03_first_network.ipynb", 0.975),
    ("model/06_dense.keras", "06_better_dense.ipynb", 0.990),
    ("model/07_cnn.keras", "07_convolutional.ipynb", 0.995),
]
IDS = [m[0] for m in MODELS]


@pytest.fixture(scope="module")
def test_set():
    _, (x_test, y_test) = load_mnist(ROOT / "data" / "mnist.npz", verbose=False)
    return x_test.astype("float32") / 255.0, y_test


def record_of(model_file):
    return json.loads((ROOT / model_file).with_suffix(".json").read_text(encoding="utf-8"))


def readme_row(notebook_number):
    """The test accuracy (percent) in README.md's results row of a notebook."""
    for line in (ROOT / "README.md").read_text(encoding="utf-8").splitlines():
        match = re.search(r"\|\s*([\d.]+) %\s*\|\s*$", line)
        if line.startswith(f"| {notebook_number} |") and match:
            return float(match.group(1))
    raise AssertionError(f"README.md has no results row for notebook {notebook_number}")


def in_batches(function, x, size=1000):
    """Apply `function` to `x` in batches and return one NumPy array."""
    return np.concatenate([keras.ops.convert_to_numpy(function(x[i:i + size]))
                           for i in range(0, len(x), size)])


def test_readme_quotes_the_numpy_network_as_measured():
    measured = float(stored_output("05_numpy_from_scratch.ipynb",
                                   r"NumPy network test accuracy: ([\d.]+)%").group(1))
    assert measured >= 98.0
    assert readme_row("05") == measured


def test_readme_lists_every_model():
    assert set(readme_results()) == {m[0] for m in MODELS}


@pytest.mark.parametrize(("model_file", "notebook", "minimum"), MODELS, ids=IDS)
def test_record_readme_and_notebook_quote_the_same_accuracy(model_file, notebook, minimum):
    record = record_of(model_file)
    assert record["notebook"] == notebook
    assert record["test_accuracy"] >= minimum
    percent = round(100 * record["test_accuracy"], 2)
    assert readme_results()[model_file] == percent
    assert float(stored_output(notebook, r"test accuracy: ([\d.]+)%").group(1)) == percent


@pytest.mark.parametrize(("model_file", "notebook", "minimum"), MODELS, ids=IDS)
def test_saved_model_is_an_inference_model(model_file, notebook, minimum, test_set):
    """Every way of calling it agrees on all 10,000 test images, at the recorded accuracy."""
    x_test, y_test = test_set
    model = keras.models.load_model(ROOT / model_file, compile=False)
    x = x_test.reshape((len(x_test), *model.input_shape[1:]))
    predicted = model.predict(x, batch_size=1000, verbose=0)
    direct = in_batches(model, x)
    not_training = in_batches(lambda batch: model(batch, training=False), x)
    assert not any("random" in type(layer).__name__.lower() for layer in model._flatten_layers())
    np.testing.assert_allclose(direct, predicted, atol=1e-5)
    np.testing.assert_allclose(not_training, predicted, atol=1e-5)
    accuracy = float((direct.argmax(axis=1) == y_test).mean())
    assert abs(accuracy - record_of(model_file)["test_accuracy"]) <= TOLERANCE

"""The committed models are inference models that reproduce the accuracies README.md quotes.

A saved ``model/*.keras`` must load with ``compile=False`` on the pinned Keras (Colab's), hold no
random layers, and give the same answer however it is called: ``model(x)``,
``model(x, training=False)`` and ``model.predict(x)``.

A model's test accuracy is written in three places: its training record ``model/*.json``, the
stored output of the notebook that trains it, and README.md's results table; measured again here
it makes a fourth. All must lie within ``ACCURACY_TOLERANCE`` (2 test images) of the record, and
the record must reach the minimum the notebook asserts.
"""

import json
import re

import keras
import numpy as np
import pytest
from helpers import (
    ACCURACY_TOLERANCE,
    ROOT,
    percent_to_fraction,
    readme_table,
    stored_output,
)

from digitrec import load_mnist

# model file, notebook that trains it, the accuracy that notebook asserts
MODELS = [
    ("model/03_dense.keras", "03_first_network.ipynb", 0.96),
    ("model/06_dense.keras", "06_better_dense.ipynb", 0.991),
    ("model/07_cnn.keras", "07_convolutional.ipynb", 0.993),
]
MODEL_FILES = [m[0] for m in MODELS]
#: Notebook 05's NumPy network is not saved: only README.md and its stored output quote it.
NUMPY_NOTEBOOK, NUMPY_MINIMUM = "05_numpy_from_scratch.ipynb", 0.975


@pytest.fixture(scope="module")
def test_set(mnist_file):
    _, (x_test, y_test) = load_mnist(mnist_file, verbose=False)
    return x_test.astype("float32") / 255.0, y_test


def record_of(model_file):
    return json.loads((ROOT / model_file).with_suffix(".json").read_text(encoding="utf-8"))


def readme_results():
    """README.md's results table: {notebook number ("03"): (its model cell, accuracy fraction)}."""
    return {
        row["Notebook"]: (row["Model"], percent_to_fraction(row["Test accuracy"]))
        for row in readme_table("Notebook", "Model", "Test accuracy")
    }


def assert_same_accuracy(found, expected, where):
    """Fail unless accuracy `found` (at `where`) lies within ACCURACY_TOLERANCE of `expected`."""
    assert abs(found - expected) <= ACCURACY_TOLERANCE + 1e-9, (
        f"{where} says {found:.2%}, {expected:.2%} expected (within {ACCURACY_TOLERANCE:.2%})"
    )


def in_batches(function, x, size=1000):
    """Apply `function` to `x` in batches and return one NumPy array."""
    return np.concatenate(
        [keras.ops.convert_to_numpy(function(x[i : i + size])) for i in range(0, len(x), size)]
    )


def test_readme_quotes_the_numpy_network_as_measured():
    printed = stored_output(NUMPY_NOTEBOOK, r"^NumPy network test accuracy: ([\d.]+%)$").group(1)
    measured = percent_to_fraction(printed)
    assert measured >= NUMPY_MINIMUM, f"{NUMPY_NOTEBOOK} printed {printed}, under its assert"
    assert_same_accuracy(readme_results()["05"][1], measured, "README.md's row 05")


def test_readme_lists_every_model():
    listed = {
        model_file
        for cell, _ in readme_results().values()
        for model_file in re.findall(r"`(model/[\w.-]+\.keras)`", cell)
    }
    assert listed == set(MODEL_FILES)


@pytest.mark.parametrize(("model_file", "notebook", "minimum"), MODELS, ids=MODEL_FILES)
def test_record_readme_and_notebook_quote_the_same_accuracy(model_file, notebook, minimum):
    record = record_of(model_file)
    assert record["notebook"] == notebook
    recorded = record["test_accuracy"]
    assert recorded >= minimum, f"{recorded:.2%} is under the {minimum:.1%} {notebook} asserts"
    printed = stored_output(notebook, r"^test accuracy: ([\d.]+%)").group(1)
    assert_same_accuracy(percent_to_fraction(printed), recorded, f"{notebook}'s stored output")
    cell, quoted = readme_results()[notebook[:2]]
    assert f"`{model_file}`" in cell, f"README.md's row {notebook[:2]} names another model"
    assert_same_accuracy(quoted, recorded, f"README.md's row {notebook[:2]}")


@pytest.mark.parametrize("model_file", MODEL_FILES)
def test_saved_model_is_an_inference_model(model_file, test_set):
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
    assert_same_accuracy(accuracy, record_of(model_file)["test_accuracy"], "measured again")

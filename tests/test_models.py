"""The committed models reproduce the accuracies that README.md and the notebooks quote."""

import json
import re
from pathlib import Path

import keras
import pytest

from digitrec import load_mnist

ROOT = Path(__file__).resolve().parents[1]


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


# model file, notebook that trains it, the line it prints, the accuracy it asserts
MODELS = [
    ("model/03_dense.keras", "03_first_network.ipynb", r"test accuracy: ([\d.]+)%", 97.5),
    ("model/06_dense.keras", "06_better_dense.ipynb", r"test accuracy: ([\d.]+)%", 99.0),
    ("model/07_cnn.keras", "07_convolutional.ipynb", r"test accuracy: ([\d.]+)%", 99.5),
]


@pytest.fixture(scope="module")
def test_set():
    _, (x_test, y_test) = load_mnist(ROOT / "data" / "mnist.npz", verbose=False)
    return x_test.astype("float32") / 255.0, y_test


def readme_row(notebook_number):
    """The test accuracy (percent) in README.md's results row of a notebook."""
    for line in (ROOT / "README.md").read_text(encoding="utf-8").splitlines():
        match = re.search(r"\|\s*([\d.]+) %\s*\|\s*$", line)
        if line.startswith(f"| {notebook_number} |") and match:
            return float(match.group(1))
    raise AssertionError(f"README.md has no results row for notebook {notebook_number}")


def test_readme_quotes_the_numpy_network_as_measured():
    measured = stored_output("05_numpy_from_scratch.ipynb",
                             r"NumPy network test accuracy: ([\d.]+)%").group(1)
    assert readme_row("05") == float(measured) >= 98.0


def test_readme_lists_every_model():
    assert set(readme_results()) == {m[0] for m in MODELS}


@pytest.mark.parametrize(("model_file", "notebook", "pattern", "minimum"), MODELS)
def test_committed_training_record_matches_the_model(model_file, notebook, pattern, minimum):
    record = json.loads((ROOT / model_file).with_suffix(".json").read_text(encoding="utf-8"))
    assert record["notebook"] == notebook
    assert round(100 * record["test_accuracy"], 2) == readme_results()[model_file]


@pytest.mark.parametrize(("model_file", "notebook", "pattern", "minimum"), MODELS)
def test_saved_model_reproduces_quoted_accuracy(model_file, notebook, pattern, minimum, test_set):
    x_test, y_test = test_set
    model = keras.models.load_model(ROOT / model_file)
    x = x_test if len(model.input_shape) == 3 else x_test[..., None]
    predicted = model.predict(x, batch_size=1000, verbose=0).argmax(axis=1)
    measured = 100 * float((predicted == y_test).mean())
    in_notebook = float(stored_output(notebook, pattern).group(1))
    in_readme = readme_results()[model_file]
    assert measured >= minimum
    assert round(measured, 2) == in_notebook == in_readme

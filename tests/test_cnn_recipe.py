"""Notebook 07's cells tagged ``cnn-recipe``: what notebook 08 runs if it cannot load the CNN."""

from pathlib import Path

import keras
import numpy as np
import pytest

from digitrec import load_mnist
from digitrec.nbcode import load_tagged_cells

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def recipe():
    return load_tagged_cells(ROOT / "notebooks" / "07_convolutional.ipynb", "cnn-recipe")


def layer_summary(model):
    return [(type(layer).__name__, layer.count_params()) for layer in model.layers]


def test_recipe_builds_the_saved_cnn(recipe):
    saved = keras.models.load_model(ROOT / "model" / "07_cnn.keras", compile=False)
    assert layer_summary(recipe.cnn()) == layer_summary(saved)
    assert recipe.cnn().count_params() == 317_066


def test_recipe_trains_an_inference_model(recipe):
    (x_train, y_train), _ = load_mnist(ROOT / "data" / "mnist.npz", verbose=False)
    x = x_train[:512, ..., None] / 255.0
    network, history, seconds = recipe.train_cnn(x, y_train[:512], epochs=1)
    assert len(history["loss"]) == 1 and seconds > 0
    assert [layer.name for layer in network.layers][:2] == ["conv1", "pool1"]
    direct = keras.ops.convert_to_numpy(network(x[:64]))
    np.testing.assert_allclose(direct, network.predict(x[:64], verbose=0), atol=1e-5)

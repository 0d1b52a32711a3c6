"""Specification of digitrec.prediction: finding, loading and calling a model, the answer type."""

import inspect
import json
import re
from pathlib import Path

import numpy as np
import pytest
from helpers import (
    ROOT,
)
from PIL import Image

from digitrec.model_files import load_model
from digitrec.prediction import Prediction, predict, predict_arrays

SAMPLES = sorted((ROOT / "images").glob("sample_*.png"))


def true_digit(path):
    return int(re.match(r"sample_(\d)_", Path(path).name).group(1))


def test_the_module_does_not_hide_the_function_it_exports():
    import digitrec
    import digitrec.prediction as module

    assert inspect.ismodule(module) and inspect.isfunction(digitrec.predict)
    assert digitrec.predict is module.predict


def test_samples_cover_every_digit():
    assert sorted(true_digit(path) for path in SAMPLES) == list(range(10))


def test_every_sample_is_recognised():
    predictions = predict(SAMPLES)
    assert [p.digit for p in predictions] == [true_digit(path) for path in SAMPLES]
    for p in predictions:
        assert p.probabilities.shape == (10,) and p.probabilities.dtype == np.float32
        assert p.probabilities.sum() == pytest.approx(1.0, abs=1e-5)
        assert p.probability == pytest.approx(p.probabilities.max())


def test_single_image_and_other_models_with_other_input_shapes():
    dense = ROOT / "model" / "03_dense.keras"  # input (28, 28), unlike the CNN's (28, 28, 1)
    seven = Image.open(ROOT / "images" / "sample_7_chalkboard.png")
    assert [p.digit for p in predict(seven, model=dense)] == [7]
    assert [p.digit for p in predict(str(SAMPLES[0]), model=load_model(dense))] == [0]
    assert [p.digit for p in predict(SAMPLES[0].read_bytes(), model=dense)] == [0]
    assert predict([], model=dense) == []


def test_prediction_calls_the_model_directly_not_model_predict():
    model = load_model()

    class NoPredict:
        input_shape = model.input_shape

        def __call__(self, x, training=False):
            return model(x, training=training)

        def predict(self, *args, **kwargs):
            raise AssertionError("model.predict was called")

    x = np.zeros((2, 28, 28), dtype=np.float32)
    x[:, 6:22, 13:15] = 1.0  # a vertical bar: a 1
    assert [p.digit for p in predict_arrays(x, NoPredict())] == [1, 1]


def test_predict_arrays_checks_the_shape():
    with pytest.raises(ValueError, match=r"\(N, 28, 28\)"):
        predict_arrays(np.zeros((28, 28)))


def test_prediction_to_dict_has_plain_numbers_rounded_to_six_places():
    probabilities = np.zeros(10, dtype=np.float32)
    probabilities[[3, 8]] = [0.87654321, 0.12345679]
    prediction = Prediction(
        digit=3, probability=float(probabilities[3]), probabilities=probabilities
    )
    record = prediction.to_dict()
    assert record == {
        "digit": 3,
        "probability": 0.876543,
        "probabilities": [0.0, 0.0, 0.0, 0.876543, 0.0, 0.0, 0.0, 0.0, 0.123457, 0.0],
        "rejected": False,
    }
    assert all(type(p) is float for p in record["probabilities"]), "NumPy floats left"


def test_prediction_of_a_sample_is_json_ready():
    (prediction,) = predict(SAMPLES[:1])  # sample_0_...
    record = json.loads(json.dumps(prediction.to_dict()))
    assert record["digit"] == true_digit(SAMPLES[0])
    assert record["probabilities"][record["digit"]] == max(record["probabilities"])
    assert record["probability"] == record["probabilities"][record["digit"]]
    assert sum(record["probabilities"]) == pytest.approx(1.0, abs=1e-5)

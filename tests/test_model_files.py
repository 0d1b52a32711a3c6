"""digitrec.model_files: which saved model is found and loaded, and the errors when none is."""

import json

import pytest
from helpers import ROOT

from digitrec.model_files import best_model_file, load_model
from digitrec.prediction import ModelError


def test_best_model_is_the_one_with_the_highest_recorded_accuracy(tmp_path):
    for name, accuracy in [("a", 0.98), ("b", 0.995), ("c", 0.99)]:
        (tmp_path / f"{name}.json").write_text(json.dumps({"test_accuracy": accuracy}))
        (tmp_path / f"{name}.keras").write_bytes(b"")
    (tmp_path / "d.json").write_text(json.dumps({"test_accuracy": 0.999}))  # no model file
    (tmp_path / "e.json").write_text("{broken")
    assert best_model_file([tmp_path]) == tmp_path / "b.keras"


def test_no_model_is_a_clear_error(tmp_path):
    with pytest.raises(ModelError, match="no trained model found"):
        best_model_file([tmp_path])
    with pytest.raises(ModelError, match="not found"):
        load_model(tmp_path / "missing.keras")
    (tmp_path / "broken.keras").write_text("not a model")
    with pytest.raises(ModelError, match="cannot load the model broken.keras"):
        load_model(tmp_path / "broken.keras")


def test_default_model_is_the_cnn_of_notebook_07():
    assert best_model_file([ROOT / "model"]).name == "07_cnn.keras"

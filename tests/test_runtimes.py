"""Notebook 11's exported models (model/07_cnn*.tflite, model/07_cnn.onnx) and digitrec.runtimes.

The committed files answer as the Keras model they come from; ``digitrec.load_model``,
``predict`` and ``python -m digitrec predict --model FILE`` accept them; a bad file or a missing
runtime is one sentence, not a traceback.
"""

import json
import subprocess
import sys

import numpy as np
import pytest
from helpers import ROOT

import digitrec
from digitrec import runtimes

MODELS = ROOT / "model"
FLOAT = ["07_cnn.tflite", "07_cnn.onnx"]
QUANTIZED = ["07_cnn_dynamic.tflite", "07_cnn_int8.tflite"]
N = 2_000  # test images per check: enough for 0.1 % to be two images


@pytest.fixture(scope="module")
def test_images(mnist_file):
    _, (x_test, y_test) = digitrec.load_mnist(mnist_file)
    return (x_test[:N] / 255.0).astype(np.float32), y_test[:N]


@pytest.fixture(scope="module")
def keras_probabilities(test_images):
    model = digitrec.load_model(MODELS / "07_cnn.keras")
    x, _ = test_images
    return model.predict(x[..., None], batch_size=500, verbose=0)


@pytest.mark.parametrize("name", FLOAT)
def test_float_exports_agree_with_keras(name, test_images, keras_probabilities):
    x, _ = test_images
    probabilities = runtimes.load_exported(MODELS / name)(x)
    assert probabilities.shape == (N, 10) and probabilities.dtype == np.float32
    same = (probabilities.argmax(1) == keras_probabilities.argmax(1)).mean()
    assert same >= 0.999, f"{name}: the same digit as Keras on {same:.2%}"
    assert np.abs(probabilities - keras_probabilities).max() < 1e-4
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, atol=1e-5)


@pytest.mark.parametrize("name", QUANTIZED)
def test_quantized_exports_are_smaller_and_as_accurate(name, test_images):
    x, y = test_images
    float32 = runtimes.load_exported(MODELS / "07_cnn.tflite")(x).argmax(1)
    quantized = runtimes.load_exported(MODELS / name)(x).argmax(1)
    assert (MODELS / "07_cnn.tflite").stat().st_size / (MODELS / name).stat().st_size >= 3.5
    assert abs((quantized == y).mean() - (float32 == y).mean()) <= 0.002
    assert (quantized == float32).mean() >= 0.995


@pytest.mark.parametrize("name", FLOAT + QUANTIZED)
def test_load_model_and_predict_accept_exported_files(name):
    model = digitrec.load_model(MODELS / name)
    assert isinstance(model, runtimes.ExportedModel) and model.input_shape == (None, 28, 28, 1)
    [prediction] = digitrec.predict(ROOT / "images" / "sample_8_black_pen.png", model)
    assert prediction.digit == 8 and prediction.probabilities.shape == (10,)


@pytest.mark.parametrize("name", FLOAT)
def test_command_line_predicts_with_an_exported_model(name):
    samples = sorted((ROOT / "images").glob("sample_*.png"))
    result = subprocess.run(
        [sys.executable, "-m", "digitrec", "predict", "--json", "--model", f"model/{name}"]
        + [str(p.relative_to(ROOT)) for p in samples],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["digit"] for line in lines] == [int(p.name[7]) for p in samples]


def test_a_damaged_or_unknown_file_is_one_sentence(tmp_path):
    damaged = tmp_path / "damaged.onnx"
    damaged.write_bytes(b"not a model")
    for path, words in [
        (damaged, "cannot load the model damaged.onnx"),
        (tmp_path / "missing.tflite", "model file not found"),
        (tmp_path / "model.pt", "must be a .tflite or .onnx file"),
    ]:
        with pytest.raises(digitrec.ModelError, match=words) as caught:
            runtimes.load_exported(path)
        assert "\n" not in str(caught.value)


def test_command_line_reports_a_damaged_model_in_one_line(tmp_path):
    damaged = tmp_path / "damaged.tflite"
    damaged.write_bytes(b"not a model")
    result = subprocess.run(
        [sys.executable, "-m", "digitrec", "predict", "--model", str(damaged)]
        + ["images/sample_8_black_pen.png"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 1
    assert result.stderr.strip().startswith("error: cannot load the model damaged.tflite")
    assert len(result.stderr.strip().splitlines()) == 1


def test_ms_per_digit_times_one_image_per_call():
    sizes = []
    ms = runtimes.ms_per_digit(lambda x: sizes.append(len(x)), np.zeros((5, 28, 28)), repeats=2)
    assert sizes == [1] * 11 and isinstance(ms, float)  # one untimed call, 2 passes of 5


def test_predicting_with_an_exported_model_needs_no_tensorflow():
    """LiteRT and ONNX Runtime run the files alone: neither Keras nor TensorFlow is imported."""
    code = (
        "import sys, digitrec\n"
        "for name in ('07_cnn.onnx', '07_cnn_int8.tflite'):\n"
        "    model = digitrec.load_model('model/' + name)\n"
        "    print(digitrec.predict('images/sample_7_chalkboard.png', model)[0].digit)\n"
        "print(sorted({'keras', 'tensorflow'} & set(sys.modules)))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["7", "7", "[]"]

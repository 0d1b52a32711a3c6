"""Unit tests of the web demo (digitrec.web) without a browser: one digit (`classify`) and the wide
pad (`read_drawing`); tests/test_web_e2e.py drives the page in Chromium."""

import numpy as np
import pytest
from helpers import ROOT
from PIL import Image

gradio = pytest.importorskip("gradio")

import digitrec  # noqa: E402
from digitrec import web  # noqa: E402

TOUCHING = ROOT / "images" / "number_3850_touching.png"


@pytest.fixture(scope="module")
def ctc_model():
    return digitrec.load_model(digitrec.find_model("12_ctc"))


def test_the_wide_pad_reads_touching_digits_with_ctc_and_boxes_them(ctc_model):
    rgba = np.asarray(Image.open(TOUCHING).convert("RGBA"))
    answer, boxed = web.read_drawing({"composite": rgba}, ctc_model)
    assert answer == "3850 (4 digits)"
    assert boxed.shape == (*rgba.shape[:2], 3) and boxed.dtype == np.uint8
    assert (boxed == (0, 160, 0)).all(axis=-1).any()  # the green boxes are drawn


def test_an_empty_wide_pad_gives_no_answer(ctc_model):
    empty = np.zeros((280, 840, 4), np.uint8)
    assert web.read_drawing({"composite": empty}, ctc_model) == ("", None)


# ----- web.classify: one digit ------------------------------------------------------------------


@pytest.fixture(scope="module")
def cnn():
    return digitrec.load_model(digitrec.find_model("07_cnn"))


def test_classify_answers_a_sample_with_ten_probabilities_and_the_zoomed_input(cnn):
    path = ROOT / "images" / "sample_4_black_pen.png"
    probabilities, seen, answer = web.classify(str(path), cnn)
    assert list(probabilities) == [str(digit) for digit in range(10)]
    assert sum(probabilities.values()) == pytest.approx(1.0, abs=1e-5)
    assert max(probabilities, key=probabilities.get) == "4"
    assert answer.startswith("4 (") and answer.endswith("%)")
    assert seen.shape == (28 * web.ZOOM, 28 * web.ZOOM) and seen.dtype == np.uint8


def test_classify_takes_a_sketchpad_value_like_a_file(cnn):
    path = ROOT / "images" / "sample_4_black_pen.png"
    rgba = np.asarray(Image.open(path).convert("RGBA"))
    assert web.classify({"composite": rgba}, cnn)[2] == web.classify(str(path), cnn)[2]


@pytest.mark.parametrize(
    ("image", "words"),
    [
        (None, "Draw a digit or upload an image first."),
        ({"composite": None}, "Draw a digit or upload an image first."),
        (np.full((100, 100), 250, np.uint8), "No digit found: the image is blank (no ink differs"),
    ],
    ids=["nothing", "empty pad", "blank"],
)
def test_classify_gives_a_sentence_for_gradio_not_a_traceback(cnn, image, words):
    with pytest.raises(gradio.Error) as error:
        web.classify(image, cnn)
    assert error.value.message.startswith(words) and "\n" not in error.value.message


def test_classify_says_when_the_rejection_rule_rejects(cnn):
    noise = np.random.default_rng(0).integers(0, 256, (200, 200), dtype=np.uint8)
    probabilities, _, answer = web.classify(noise, cnn)  # notebook 09's "not a digit"
    best = max(probabilities, key=probabilities.get)
    assert answer == f"not a digit / not sure (best guess {best})"

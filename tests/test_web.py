"""Unit tests of the web demo's functions, without a browser (``tests/test_web_e2e.py`` has one)."""

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

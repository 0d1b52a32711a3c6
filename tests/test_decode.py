"""Specification of digitrec.decode: any readable picture becomes grey levels, or one sentence."""

import io

import numpy as np
import pytest
from PIL import Image

import digitrec
from digitrec import preprocess
from digitrec.decode import MAX_PIXELS, ImageError, load_grey


def test_load_grey_is_also_where_it_was():
    assert digitrec.load_grey is load_grey, "digitrec.load_grey"
    assert preprocess.load_grey is load_grey, "digitrec.preprocess.load_grey"
    assert digitrec.ImageError is ImageError, "digitrec.ImageError"
    assert preprocess.ImageError is ImageError, "digitrec.preprocess.ImageError"
    assert preprocess.MAX_PIXELS == MAX_PIXELS, "digitrec.preprocess.MAX_PIXELS"
    assert MAX_PIXELS == 40_000_000, "40 megapixels, as README.md says"


def test_rgba_is_composited_onto_white_and_rgb_weighted_by_bt601():
    rgba = np.zeros((2, 2, 4), dtype=np.uint8)
    rgba[0, 0] = (255, 0, 0, 255)  # opaque red
    rgba[0, 1] = (0, 0, 0, 0)  # transparent: paper
    grey = load_grey(rgba)
    assert grey.dtype == np.float32 and grey.shape == (2, 2)
    assert grey[0, 0] == pytest.approx(0.299, abs=1e-6) and grey[0, 1] == 1.0


def test_unusable_file_contents_raise_one_sentence():
    for contents, words in [(b"", "empty"), (b"hello", "not an image")]:
        with pytest.raises(ImageError, match=words):
            load_grey(contents)
    with pytest.raises(ImageError, match="truncated"):
        png = io.BytesIO()
        Image.new("L", (300, 300), 128).save(png, "PNG")
        load_grey(png.getvalue()[:100])


@pytest.mark.parametrize(
    "array, words",
    [
        (np.zeros((2, 3, 5)), "shape"),
        (np.zeros((4,)), "shape"),
        (np.full((10, 10), np.nan), "NaN"),
        (np.full((10, 10), -3.0), "lie in"),
        (np.zeros((0, 10)), "no pixels"),
        (np.zeros((3, 3), dtype=complex), "dtype"),
    ],
)
def test_unusable_arrays_are_rejected(array, words):
    with pytest.raises(ImageError, match=words):
        load_grey(array)


def test_unsupported_source_type_is_rejected():
    with pytest.raises(ImageError, match="cannot read an image from a list"):
        load_grey([[0, 1], [1, 0]])

"""Reading a whole number (digitrec.reading): the split search's scores, the generated test set,
``read_number`` end to end (segmentation's steps: test_segmentation.py; the command line ``read``:
test_cli.py)."""

import json

import numpy as np
import pytest
from helpers import ROOT
from PIL import Image
from scipy import ndimage

import digitrec
from digitrec import reading
from digitrec.segmentation import ReadingParams
from digitrec.synthetic import number_photos

SAMPLE = ROOT / "images" / "number_2026_blue_pen.png"


@pytest.fixture(scope="module")
def mnist_test(mnist_file):
    return digitrec.load_mnist(mnist_file)[1]


def piece(top, left, rows):
    """A Piece from rows of "#" (ink) and "." (paper)."""
    return top, left, np.array([[c == "#" for c in row] for row in rows])


# ----- pieces, merge and split on small hand-made arrays ----------------------------------------


def test_a_rejected_piece_is_written_as_a_question_mark():
    probabilities = np.full(10, 0.1, dtype=np.float32)
    seven = digitrec.Prediction(7, 0.1, probabilities)
    rejected = digitrec.Prediction(3, 0.2, probabilities, rejected=True)
    assert reading.digit_text(seven) == "7"
    assert reading.digit_text(rejected) == "?"


def test_a_rejected_half_scores_zero_only_when_rejection_counts_in_the_split():
    probabilities = np.full(10, 0.1, dtype=np.float32)
    rejected = digitrec.Prediction(3, 0.9, probabilities, rejected=True)
    counted = ReadingParams(reject_in_split=False)
    assert reading._score(rejected, counted) == pytest.approx(0.9)
    assert reading._score(rejected, ReadingParams()) == 0.0


def test_read_number_uses_the_settings_it_is_given():
    """With every piece but the largest a speck, one digit of the sample's four is read."""
    assert digitrec.read_number(SAMPLE, method="segment").text == "2026"
    settings = ReadingParams(speck_fraction=1.0)
    largest_only = digitrec.read_number(SAMPLE, method="segment", params=settings)
    assert len(largest_only.text) == 1 and largest_only.text in "2026"


# ----- the generated test set -------------------------------------------------------------------


def test_the_set_is_seeded_and_covers_every_length_and_spacing(mnist_test):
    x, y = mnist_test
    first = number_photos.number_set(x[:500], y[:500], count=28, seed=3)
    again = number_photos.number_set(x[:500], y[:500], count=28, seed=3)
    other = number_photos.number_set(x[:500], y[:500], count=28, seed=4)
    pairs = zip(first, again, strict=True)
    assert all(np.array_equal(np.asarray(a.image), np.asarray(b.image)) for a, b in pairs)
    assert not np.array_equal(np.asarray(first[0].image), np.asarray(other[0].image))
    kinds = {(len(n.text), n.spacing) for n in first}
    assert kinds == {(length, s) for length in range(2, 9) for s in number_photos.SPACINGS}
    assert all(len(n.boxes) == len(n.text) and n.image.mode == "L" for n in first)


def test_the_spacing_kinds_are_what_they_say(mnist_test):
    x, y = mnist_test
    rng = np.random.default_rng(0)
    for spacing in number_photos.SPACINGS:
        ink, boxes = number_photos.compose(list(x[:4]), spacing, rng)
        _, count = ndimage.label(ink >= number_photos.INK_LEVEL, structure=np.ones((3, 3)))
        gaps = [b[0] - a[2] for a, b in zip(boxes, boxes[1:], strict=False)]
        if spacing in ("wide", "tight"):
            low, high = number_photos.GAPS[spacing]
            assert all(low <= gap <= high for gap in gaps), (spacing, gaps)
        else:
            assert count < 4, f"{spacing}: the digits do not touch"


# ----- read_number end to end ------------------------------------------------------------------


def test_the_sample_picture_reads_2026_left_to_right():
    reading_ = digitrec.read_number(SAMPLE)
    assert reading_.text == "2026"
    assert len(reading_.digits) == len(reading_.boxes) == 4
    lefts = [box[0] for box in reading_.boxes]
    assert lefts == sorted(lefts)
    with Image.open(SAMPLE) as image:
        assert all(
            0 <= x0 < x1 <= image.width and 0 <= y0 < y1 <= image.height
            for x0, y0, x1, y1 in reading_.boxes
        )


def test_generated_numbers_with_wide_spacing_are_read_with_their_boxes(mnist_test):
    """Every digit is found where it was written; the model may misread one (0.5 % of MNIST's)."""
    x, y = mnist_test
    numbers = [n for n in number_photos.number_set(x, y, count=28, seed=1) if n.spacing == "wide"]
    model = digitrec.load_model(digitrec.find_model("07_cnn"))
    wrong = 0
    for number in numbers:
        result = digitrec.read_number(number.image, model, method="segment")
        assert len(result.boxes) == len(number.boxes), (number.text, result.text)
        for (x0, y0, x1, y1), (tl, tt, tr, tb) in zip(result.boxes, number.boxes, strict=True):
            assert tl <= (x0 + x1) / 2 <= tr and tt <= (y0 + y1) / 2 <= tb
        wrong += sum(a != b for a, b in zip(result.text, number.text, strict=True))
    assert wrong <= 1, f"{wrong} digits misread"


@pytest.mark.parametrize("method", reading.METHODS)
def test_a_single_drawn_digit_reads_as_one_digit(method):
    image = Image.new("L", (280, 280), 255)
    from PIL import ImageDraw

    ImageDraw.Draw(image).line([(70, 60), (210, 60), (120, 230)], fill=0, width=18)
    assert digitrec.read_number(image, method=method).text == "7"


def test_reading_to_dict_is_json_ready():
    record = json.loads(json.dumps(digitrec.read_number(SAMPLE).to_dict()))
    assert record["text"] == "2026" and len(record["digits"]) == len(record["boxes"]) == 4
    assert [d["digit"] for d in record["digits"]] == [2, 0, 2, 6]


# ----- reading with CTC (notebook 12) ------------------------------------------------------------

TOUCHING = ROOT / "images" / "number_3850_touching.png"


def test_an_unknown_method_is_refused():
    with pytest.raises(ValueError, match="method must be one of ctc, segment"):
        digitrec.read_number(SAMPLE, method="guess")


def test_ctc_is_the_default_and_refuses_the_settings_of_segmentation():
    assert reading.METHODS[0] == "ctc"
    with pytest.raises(ValueError, match="pass method='segment'"):
        digitrec.read_number(SAMPLE, params=ReadingParams(speck_fraction=1.0))


@pytest.mark.parametrize(("sample", "text"), [(SAMPLE, "2026"), (TOUCHING, "3850")])
def test_ctc_reads_the_sample_numbers_with_a_box_per_digit(sample, text):
    result = digitrec.read_number(sample, method="ctc")
    assert result.text == text
    assert len(result.digits) == len(result.boxes) == len(text)
    lefts = [box[0] for box in result.boxes]
    assert lefts == sorted(lefts) and all(right > left for left, _, right, _ in result.boxes)
    assert all(0.0 < d.probability <= 1.0 and not d.rejected for d in result.digits)


def test_segmentation_cannot_read_the_touching_sample():
    """The reason notebook 12 exists: cutting fails where digits touch."""
    assert digitrec.read_number(TOUCHING, method="segment").text != "3850"


def test_ctc_boxes_hold_the_digits_written(mnist_test):
    """On wide numbers, each box read by CTC holds the centre of the digit's true box."""
    x, y = mnist_test
    numbers = [n for n in number_photos.number_set(x, y, count=28, seed=1) if n.spacing == "wide"]
    model = digitrec.load_model(digitrec.find_model("12_ctc"))
    for number in numbers:
        result = digitrec.read_number(number.image, model, method="ctc")
        if result.text != number.text:
            continue
        for (x0, _, x1, _), (tl, _, tr, _) in zip(result.boxes, number.boxes, strict=True):
            assert x0 <= (tl + tr) / 2 <= x1, (number.text, result.boxes, number.boxes)

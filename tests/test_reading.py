"""Reading a whole number: the pieces, merge and split on hand-made arrays, the generated test
set, ``read_number`` end to end (the command line ``read``: tests/test_cli.py)."""

import json

import numpy as np
import pytest
from helpers import ROOT
from PIL import Image
from scipy import ndimage

import digitrec
from digitrec import number_photos, reading

SAMPLE = ROOT / "images" / "number_2026_blue_pen.png"


@pytest.fixture(scope="module")
def mnist_test(mnist_file):
    return digitrec.load_mnist(mnist_file)[1]


def piece(top, left, rows):
    """A Piece from rows of "#" (ink) and "." (paper)."""
    return top, left, np.array([[c == "#" for c in row] for row in rows])


# ----- pieces, merge and split on small hand-made arrays ----------------------------------------


def test_pieces_are_connected_components_without_specks_left_to_right():
    ink = np.zeros((40, 60))
    ink[5:35, 30:40] = 1.0  # a digit on the right
    ink[5:35, 5:15] = 0.8  # one on the left
    ink[38, 50] = 1.0  # a speck: 1 pixel, under 2 % of the largest piece
    pieces = reading.find_pieces(ink)
    assert [(top, left, mask.shape) for top, left, mask in pieces] == [
        (5, 5, (30, 10)),
        (5, 30, (30, 10)),
    ]


def test_blank_ink_is_no_digit():
    with pytest.raises(digitrec.NoInkError, match="no digit found"):
        reading.find_pieces(np.zeros((10, 10)))


def test_a_five_whose_bar_is_apart_is_merged_into_one_piece():
    bar = piece(0, 4, ["######"])  # the bar of a 5, over the columns of its body
    body = piece(2, 2, ["##....", "######", ".....#", "######"])
    other = piece(2, 12, ["##", "##", "##", "##"])  # the next digit, apart
    merged = reading.merge_pieces([body, other, bar])
    assert [(top, left, mask.shape) for top, left, mask in merged] == [
        (0, 2, (6, 8)),
        (2, 12, (4, 2)),
    ]
    assert merged[0][2].sum() == bar[2].sum() + body[2].sum()


def test_pieces_that_share_few_columns_stay_apart():
    left = piece(0, 0, ["#####"] * 5)
    right = piece(0, 4, ["#####"] * 5)  # one shared column of five
    assert len(reading.merge_pieces([left, right])) == 2


def test_a_fragment_is_joined_to_its_nearest_piece():
    tall = [piece(0, 0, ["###"] * 10), piece(0, 20, ["###"] * 10)]
    crumb = piece(0, 17, ["##"] * 3)  # 3 rows of a 10-row line: under FRAGMENT_HEIGHT
    joined = reading.join_fragments(sorted([*tall, crumb], key=lambda p: p[1]), line=10)
    assert [(top, left, mask.shape) for top, left, mask in joined] == [
        (0, 0, (10, 3)),
        (0, 17, (10, 6)),
    ]


def test_segment_merges_strokes_and_joins_fragments_before_any_split():
    ink = np.zeros((40, 80))
    ink[10:35, 5:15] = 1.0  # the body of a 5
    ink[5:8, 5:15] = 1.0  # its bar, apart: merged with the body
    ink[10:35, 30:40] = 1.0  # a digit
    ink[20:24, 44:47] = 1.0  # a crumb of it (4 rows of a 25-row line), joined to it
    ink[10:35, 60:75] = 1.0  # a wide digit: segment never cuts it
    pieces, line = reading.segment(ink)
    assert line == 25
    assert [(top, left, mask.shape) for top, left, mask in pieces] == [
        (5, 5, (30, 10)),
        (10, 30, (25, 17)),
        (10, 60, (25, 15)),
    ]


def test_touching_digits_are_cut_where_the_ink_profile_is_lowest():
    # two 10 x 8 blocks joined by a one-pixel bridge at columns 8-9
    mask = np.zeros((10, 18), dtype=bool)
    mask[:, :8] = mask[:, 10:] = True
    mask[5, 8:10] = True
    columns = reading.cut_columns(mask, line=10)
    assert columns[0] in (8, 9, 10)
    left, right = reading.cut((3, 7, mask), columns[0], line=10)
    assert left[:2] == (3, 7) and left[2].shape == (10, columns[0])
    assert right[1] == 7 + columns[0]
    assert left[2].sum() + right[2].sum() == mask.sum()


def test_a_cut_that_leaves_a_corner_is_refused():
    mask = np.zeros((10, 12), dtype=bool)
    mask[:, 3:] = True
    mask[8:, :3] = True  # a 2-row foot on the left: a corner, not a digit
    assert reading.cut((0, 0, mask), 3, line=10) is None


def test_a_narrow_piece_is_never_cut():
    assert reading.cut_columns(np.ones((10, 3), dtype=bool), line=10) == []


def test_a_rejected_piece_is_written_as_a_question_mark():
    probabilities = np.full(10, 0.1, dtype=np.float32)
    seven = digitrec.Prediction(7, 0.1, probabilities)
    rejected = digitrec.Prediction(3, 0.2, probabilities, rejected=True)
    assert reading.digit_text(seven) == "7"
    assert reading.digit_text(rejected) == "?"


def test_a_rejected_half_scores_zero_only_when_rejection_counts_in_the_split(monkeypatch):
    probabilities = np.full(10, 0.1, dtype=np.float32)
    rejected = digitrec.Prediction(3, 0.9, probabilities, rejected=True)
    monkeypatch.setattr(reading, "REJECT_IN_SPLIT", False)
    assert reading._score(rejected) == pytest.approx(0.9)
    monkeypatch.setattr(reading, "REJECT_IN_SPLIT", True)
    assert reading._score(rejected) == 0.0


def test_failure_reasons_compare_counts_then_boxes_then_digits():
    truth = "12"
    true_boxes = [(0, 0, 10, 20), (14, 0, 24, 20)]
    p = digitrec.Prediction(1, 1.0, np.full(10, 0.1, dtype=np.float32))

    def read(text, boxes):
        return reading.NumberReading(text, (p,) * len(text), tuple(boxes))

    assert (
        reading.failure_reason(truth, true_boxes, read("123", true_boxes + [(30, 0, 40, 20)]))
        == "split"
    )
    assert reading.failure_reason(truth, true_boxes, read("7", [(0, 0, 24, 20)])) == "merge"
    assert reading.failure_reason(truth, true_boxes, read("13", true_boxes)) == "recognition"
    # right count, but the first box holds both digits' halves: a misplaced cut
    misplaced = [(0, 0, 22, 20), (22, 0, 24, 20)]
    assert reading.failure_reason(truth, true_boxes, read("13", misplaced)) == "misplaced cut"


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
        result = digitrec.read_number(number.image, model)
        assert len(result.boxes) == len(number.boxes), (number.text, result.text)
        for (x0, y0, x1, y1), (tl, tt, tr, tb) in zip(result.boxes, number.boxes, strict=True):
            assert tl <= (x0 + x1) / 2 <= tr and tt <= (y0 + y1) / 2 <= tb
        wrong += sum(a != b for a, b in zip(result.text, number.text, strict=True))
    assert wrong <= 1, f"{wrong} digits misread"


def test_a_single_drawn_digit_reads_as_one_digit():
    image = Image.new("L", (280, 280), 255)
    from PIL import ImageDraw

    ImageDraw.Draw(image).line([(70, 60), (210, 60), (120, 230)], fill=0, width=18)
    assert digitrec.read_number(image).text == "7"


def test_reading_to_dict_is_json_ready():
    record = json.loads(json.dumps(digitrec.read_number(SAMPLE).to_dict()))
    assert record["text"] == "2026" and len(record["digits"]) == len(record["boxes"]) == 4
    assert [d["digit"] for d in record["digits"]] == [2, 0, 2, 6]


# ----- reading with CTC (notebook 12) ------------------------------------------------------------

TOUCHING = ROOT / "images" / "number_3850_touching.png"


def test_an_unknown_method_is_refused():
    with pytest.raises(ValueError, match="method must be one of segment, ctc"):
        digitrec.read_number(SAMPLE, method="guess")


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

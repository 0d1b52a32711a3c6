"""digitrec.segmentation on small hand-made arrays: pieces, merge, fragments and cuts, and the
settings (``ReadingParams``) passed in."""

import dataclasses

import numpy as np
import pytest

import digitrec
from digitrec import segmentation
from digitrec.segmentation import DEFAULT, ReadingParams


def piece(top, left, rows):
    """A Piece from rows of "#" (ink) and "." (paper)."""
    return top, left, np.array([[c == "#" for c in row] for row in rows])


def test_pieces_are_connected_components_without_specks_left_to_right():
    ink = np.zeros((40, 60))
    ink[5:35, 30:40] = 1.0  # a digit on the right
    ink[5:35, 5:15] = 0.8  # one on the left
    ink[38, 50] = 1.0  # a speck: 1 pixel, under 2 % of the largest piece
    pieces = segmentation.find_pieces(ink)
    assert [(top, left, mask.shape) for top, left, mask in pieces] == [
        (5, 5, (30, 10)),
        (5, 30, (30, 10)),
    ]


def test_blank_ink_is_no_digit():
    with pytest.raises(digitrec.NoInkError, match="no digit found"):
        segmentation.find_pieces(np.zeros((10, 10)))


def test_a_five_whose_bar_is_apart_is_merged_into_one_piece():
    bar = piece(0, 4, ["######"])  # the bar of a 5, over the columns of its body
    body = piece(2, 2, ["##....", "######", ".....#", "######"])
    other = piece(2, 12, ["##", "##", "##", "##"])  # the next digit, apart
    merged = segmentation.merge_pieces([body, other, bar])
    assert [(top, left, mask.shape) for top, left, mask in merged] == [
        (0, 2, (6, 8)),
        (2, 12, (4, 2)),
    ]
    assert merged[0][2].sum() == bar[2].sum() + body[2].sum()


def test_pieces_that_share_few_columns_stay_apart():
    left = piece(0, 0, ["#####"] * 5)
    right = piece(0, 4, ["#####"] * 5)  # one shared column of five
    assert len(segmentation.merge_pieces([left, right])) == 2


def test_a_fragment_is_joined_to_its_nearest_piece():
    tall = [piece(0, 0, ["###"] * 10), piece(0, 20, ["###"] * 10)]
    crumb = piece(0, 17, ["##"] * 3)  # 3 rows of a 10-row line: under fragment_height
    joined = segmentation.join_fragments(sorted([*tall, crumb], key=lambda p: p[1]), line=10)
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
    pieces, line = segmentation.segment(ink)
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
    columns = segmentation.cut_columns(mask, line=10)
    assert columns[0] in (8, 9, 10)
    left, right = segmentation.cut((3, 7, mask), columns[0], line=10)
    assert left[:2] == (3, 7) and left[2].shape == (10, columns[0])
    assert right[1] == 7 + columns[0]
    assert left[2].sum() + right[2].sum() == mask.sum()


def test_only_the_valleys_of_the_ink_profile_are_candidates():
    # ink per column falls to a valley at column 6, then rises: the rising columns are no cuts
    heights = [10, 10, 8, 6, 4, 2, 1, 2, 4, 6, 8, 10, 10, 10, 10, 10, 10, 10, 10, 10]
    mask = np.arange(10)[:, None] < np.array(heights)[None, :]
    columns = segmentation.cut_columns(mask, line=10)
    profile = np.convolve(np.pad(mask.sum(axis=0), 1, mode="edge"), np.ones(3) / 3, "valid")
    assert columns[0] == 6
    assert all(profile[c - 1] >= profile[c] <= profile[c + 1] for c in columns)


def test_a_cut_that_leaves_a_corner_is_refused():
    mask = np.zeros((10, 12), dtype=bool)
    mask[:, 3:] = True
    mask[8:, :3] = True  # a 2-row foot on the left: a corner, not a digit
    assert segmentation.cut((0, 0, mask), 3, line=10) is None


def test_a_narrow_piece_is_never_cut():
    assert segmentation.cut_columns(np.ones((10, 3), dtype=bool), line=10) == []


def test_the_settings_are_frozen_and_replaced_not_changed():
    with pytest.raises(dataclasses.FrozenInstanceError):
        DEFAULT.merge_overlap = 0.1
    looser = dataclasses.replace(DEFAULT, merge_overlap=0.1)
    assert looser.merge_overlap == 0.1 and DEFAULT.merge_overlap == 0.5


def test_a_lower_merge_overlap_joins_pieces_that_share_few_columns():
    left = piece(0, 0, ["#####"] * 5)
    right = piece(0, 4, ["#####"] * 5)  # one shared column of five: 0.2 of the narrower
    assert len(segmentation.merge_pieces([left, right], ReadingParams(merge_overlap=0.2))) == 1


def test_a_higher_ink_threshold_leaves_faint_ink_out():
    ink = np.zeros((20, 20))
    ink[2:18, 2:8] = 1.0
    ink[2:18, 12:18] = 0.5  # a fainter digit
    assert len(segmentation.find_pieces(ink)) == 2
    assert len(segmentation.find_pieces(ink, ReadingParams(ink_threshold=0.6))) == 1

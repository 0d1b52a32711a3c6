"""Read a whole handwritten number: find its digits, recognise each, in reading order.

The classic way, segmentation then recognition (Casey and Lecolinet, "A survey of methods and
strategies in character segmentation", IEEE PAMI 18(7), 1996):

1. **pieces**: the ink (``digitrec.preprocess.ink_on_black``) is cut into connected components
   (``scipy.ndimage.label``, 8-connected); specks are dropped;
2. **merge**: pieces that share most of their columns are one digit written in several strokes
   (a 5 whose bar is apart, a 4 in two strokes): they are joined;
3. **split**: a piece wider than a digit may be touching digits. Candidate cuts are the columns
   where the vertical ink profile is lowest; each half goes through ``to_mnist`` and the model,
   and the cut whose halves the model reads most confidently wins, if it beats the whole piece;
4. the pieces, left to right, each through ``to_mnist`` and the model.

``read_number`` returns a ``NumberReading``: the text, one ``Prediction`` per digit, and each
digit's box in the input image's pixels.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
from scipy import ndimage

from digitrec.decode import ImageSource, load_grey
from digitrec.prediction import find_model, load_model, predict_arrays
from digitrec.preprocess import MAX_PIXELS, NoInkError, ink_on_black, to_mnist
from digitrec.results import NumberReading, Prediction

if TYPE_CHECKING:  # for type checkers only: Keras is imported when the model is loaded
    import keras

#: Ink is where ``ink_on_black`` (strongest ink 1, paper 0) is over this level. Lower than
#: ``to_mnist``'s 0.5, so that a faint or thin stroke does not break a digit into pieces.
INK_THRESHOLD = 0.35

#: Pieces with fewer pixels than this share of the largest piece are specks, and dropped.
SPECK_FRACTION = 0.02

#: Two pieces are one digit when this share of the narrower one's columns lies within the other.
MERGE_OVERLAP = 0.5

#: Widths in units of the line height (the median height of the pieces): a piece up to
#: ``ONE_DIGIT`` wide is one digit; from there to ``MAYBE_ONE`` it is one digit unless a cut reads
#: more confidently; wider, it holds several digits and the leftmost is cut off. A cut leaves at
#: least ``MIN_PART`` on each side (a 1 is about 0.2 wide) and a digit at most ``MAYBE_ONE``;
#: at most ``MAX_CUTS`` cuts (the lowest minima of the vertical ink profile) are tried.
ONE_DIGIT, MAYBE_ONE, MIN_PART, MAX_CUTS = 0.9, 1.5, 0.15, 5

#: Whether a cut's score counts a half the rejection rule marks "not a digit" as 0 (True) or
#: scores it by its probability like any other half (False). Measured in notebook 10.
REJECT_IN_SPLIT = True

#: A piece lower than ``FRAGMENT_HEIGHT`` × the line height, or lower than ``SLIVER_HEIGHT`` ×
#: and narrower than ``SLIVER_WIDTH`` × the line height, is part of a digit (a stroke cut off by
#: a gap in the ink, the loose end of a 4) and is joined to the nearest piece. A 1 is narrow too,
#: but as tall as the line.
FRAGMENT_HEIGHT, SLIVER_HEIGHT, SLIVER_WIDTH = 0.5, 0.75, 0.35

#: The ways ``read_number`` reads: cut the number into digits, or read the strip with CTC.
METHODS = ("segment", "ctc")

#: A box read matches a true box when their columns overlap by this share of their union
#: (intersection over union of the two column ranges), see ``failure_reason``.
BOX_MATCH = 0.5

#: A piece is (top, left, mask): its box's top row and left column in the image, and a bool
#: (h, w) mask of its ink pixels within the box.
Piece = tuple[int, int, np.ndarray]


def digit_text(prediction: Prediction) -> str:
    """Return the character for a prediction: its digit, or ``?`` if the model rejected it."""
    return "?" if prediction.rejected else str(prediction.digit)


def find_pieces(ink: np.ndarray) -> list[Piece]:
    """Cut ink into connected pieces, without specks, sorted left to right.

    Args:
        ink: (H, W) float array in [0, 1], ink bright on black (``ink_on_black``).

    Returns:
        The pieces (see ``Piece``) of 8-connected ink over ``INK_THRESHOLD`` holding at least
        ``SPECK_FRACTION`` of the largest one's pixels, by their left column.

    Raises:
        NoInkError: No pixel is over ``INK_THRESHOLD``.

    """
    labels, count = ndimage.label(ink > INK_THRESHOLD, structure=np.ones((3, 3), dtype=bool))
    if count == 0:
        raise NoInkError("no digit found: the image is blank (no ink differs from the paper)")
    sizes = np.bincount(labels.ravel())[1:]
    pieces = []
    for number, box in enumerate(ndimage.find_objects(labels), start=1):
        if sizes[number - 1] >= SPECK_FRACTION * sizes.max():
            pieces.append((box[0].start, box[1].start, labels[box] == number))
    return sorted(pieces, key=lambda piece: piece[1])


def join(pieces: list[Piece]) -> Piece:
    """Join pieces into one: the union of their masks in the box that holds them all."""
    top = min(p[0] for p in pieces)
    left = min(p[1] for p in pieces)
    bottom = max(p[0] + p[2].shape[0] for p in pieces)
    right = max(p[1] + p[2].shape[1] for p in pieces)
    mask = np.zeros((bottom - top, right - left), dtype=bool)
    for row, col, piece_mask in pieces:
        mask[
            row - top : row - top + piece_mask.shape[0],
            col - left : col - left + piece_mask.shape[1],
        ] |= piece_mask
    return top, left, mask


def merge_pieces(pieces: list[Piece]) -> list[Piece]:
    """Join the pieces of one digit: those sharing ``MERGE_OVERLAP`` of the narrower's columns.

    Args:
        pieces: Pieces sorted by left column (``find_pieces``).

    Returns:
        The merged pieces, sorted by left column. A piece is compared with the digit being built
        (all the pieces joined so far), so a digit of three strokes becomes one piece.

    """
    merged: list[Piece] = []
    for piece in sorted(pieces, key=lambda p: p[1]):
        if merged:
            top, left, mask = merged[-1]
            start, stop = piece[1], piece[1] + piece[2].shape[1]
            shared = min(stop, left + mask.shape[1]) - max(start, left)
            if shared >= MERGE_OVERLAP * min(stop - start, mask.shape[1]):
                merged[-1] = join([merged[-1], piece])
                continue
        merged.append(piece)
    return merged


def cut_columns(mask: np.ndarray, line: float) -> list[int]:
    """Candidate columns to cut the leftmost digit off a piece, the most likely first.

    Args:
        mask: (h, w) bool ink of one piece.
        line: The line height in pixels (``line_height``).

    Returns:
        Up to ``MAX_CUTS`` columns c (cut between c - 1 and c) that leave at least
        ``MIN_PART`` × line columns on each side and at most ``MAYBE_ONE`` × line on the left:
        the local minima of the vertical ink profile (ink pixels per column, smoothed over 3
        columns), lowest first; an empty list for a piece too narrow to cut.

    """
    width = mask.shape[1]
    margin = max(1, round(MIN_PART * line))
    profile = ndimage.uniform_filter1d(mask.sum(axis=0).astype(float), 3, mode="nearest")
    inner = np.arange(margin, min(width - margin, round(MAYBE_ONE * line)) + 1)
    if inner.size == 0:
        return []
    padded = np.pad(profile, 1, mode="edge")
    minima = inner[(profile[inner - 1] >= padded[inner]) & (padded[inner + 2] >= padded[inner + 1])]
    minima = minima if minima.size else inner
    return [int(c) for c in minima[np.argsort(profile[minima], kind="stable")][:MAX_CUTS]]


def cut(piece: Piece, column: int, line: float) -> tuple[Piece, Piece] | None:
    """Cut a piece at ``column`` into left and right pieces trimmed to their ink.

    Returns None when a half is lower than ``FRAGMENT_HEIGHT`` × ``line`` (or empty): a digit
    is as tall as the writing, and a corner of a stroke, enlarged by ``to_mnist``, would
    otherwise be read as a confident 0 or 1.
    """
    top, left, mask = piece
    halves = []
    for part, offset in ((mask[:, :column], 0), (mask[:, column:], column)):
        rows, cols = np.nonzero(part)
        if rows.size == 0 or rows.max() + 1 - rows.min() < FRAGMENT_HEIGHT * line:
            return None
        box = part[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1]
        halves.append((top + rows.min(), left + offset + cols.min(), box))
    return halves[0], halves[1]


def piece_image(ink: np.ndarray, piece: Piece) -> np.ndarray:
    """Return the grey ink of one piece alone, with a black border, ready for ``to_mnist``.

    The piece's mask is widened by 2 px (within its box) so that the soft edges of its strokes
    are kept; ink of other pieces outside the widened mask is left out.

    Returns:
        (h + 8, w + 8) float32 array in [0, 1], ink bright on black.

    """
    top, left, mask = piece
    window = ink[top : top + mask.shape[0], left : left + mask.shape[1]]
    keep = ndimage.binary_dilation(mask, iterations=2)
    return np.pad(np.where(keep, window, 0.0).astype(np.float32), 4)


def _model(model: keras.Model | str | os.PathLike[str] | None) -> keras.Model:
    return load_model(model) if model is None or isinstance(model, (str, os.PathLike)) else model


def recognise(ink: np.ndarray, pieces: list[Piece], model: keras.Model) -> list[Prediction]:
    """``to_mnist`` and the model on each piece, in one batch; one ``Prediction`` per piece."""
    if not pieces:
        return []
    return predict_arrays(np.stack([to_mnist(piece_image(ink, p)) for p in pieces]), model)


def _score(prediction: Prediction) -> float:
    """Return a half's score: its probability, or 0 if rejected and ``REJECT_IN_SPLIT``."""
    return 0.0 if REJECT_IN_SPLIT and prediction.rejected else prediction.probability


def split_piece(
    ink: np.ndarray, piece: Piece, whole: Prediction, line: float, model: keras.Model
) -> list[tuple[Piece, Prediction]]:
    """Split a piece into digits, cutting them off from the left one by one.

    A piece up to ``ONE_DIGIT`` × ``line`` wide is one digit. A wider one is cut at each column
    of ``cut_columns`` and both halves are read; a cut scores its left half's probability,
    times its right half's when that is narrow enough to be one digit. A piece up to
    ``MAYBE_ONE`` × line stays whole unless the best cut scores more than the whole piece's
    probability; a wider one is cut at the best cut, and the right half is split again.

    Args:
        ink: The image's ink (``ink_on_black``).
        piece: One piece of it.
        whole: The model's prediction for the whole piece.
        line: The line height in pixels (``line_height``).
        model: The ``keras.Model``.

    Returns:
        [(piece, prediction)] for each digit found, left to right.

    """
    width = piece[2].shape[1]
    if width <= ONE_DIGIT * line:
        return [(piece, whole)]
    cuts = [h for c in cut_columns(piece[2], line) if (h := cut(piece, c, line)) is not None]
    if not cuts:
        return [(piece, whole)]
    predictions = recognise(ink, [half for halves in cuts for half in halves], model)
    scores = [
        _score(left) * (_score(right) if halves[1][2].shape[1] <= MAYBE_ONE * line else 1)
        for left, right, halves in zip(predictions[::2], predictions[1::2], cuts, strict=True)
    ]
    best = int(np.argmax(scores))
    if width <= MAYBE_ONE * line and scores[best] <= whole.probability:
        return [(piece, whole)]
    (left, right), (left_p, right_p) = cuts[best], predictions[2 * best : 2 * best + 2]
    return [(left, left_p), *split_piece(ink, right, right_p, line, model)]


def line_height(pieces: list[Piece]) -> float:
    """Return the height of the writing, in pixels: the median height of the pieces."""
    return float(np.median([mask.shape[0] for _, _, mask in pieces]))


def _is_fragment(shape: tuple[int, int], line: float) -> bool:
    """Whether a piece of (height, width) ``shape`` is too small to be a digit on its own."""
    height, width = shape
    return height < FRAGMENT_HEIGHT * line or (
        height < SLIVER_HEIGHT * line and width < SLIVER_WIDTH * line
    )


def join_fragments(pieces: list[Piece], line: float) -> list[Piece]:
    """Join each fragment (see ``FRAGMENT_HEIGHT``) to its nearest neighbour.

    Args:
        pieces: Pieces sorted by left column (``merge_pieces``).
        line: The line height in pixels (``line_height``).

    Returns:
        The pieces, sorted by left column, with no fragment left alone (unless it is the only
        piece).

    """
    pieces = list(pieces)
    while len(pieces) > 1:
        low = [i for i, p in enumerate(pieces) if _is_fragment(p[2].shape, line)]
        if not low:
            break
        i = low[0]
        centre = pieces[i][1] + pieces[i][2].shape[1] / 2
        others = [j for j in range(len(pieces)) if j != i]
        j = min(others, key=lambda j: abs(pieces[j][1] + pieces[j][2].shape[1] / 2 - centre))
        joined = join([pieces[i], pieces[j]])
        pieces = sorted(
            [p for k, p in enumerate(pieces) if k not in (i, j)] + [joined], key=lambda p: p[1]
        )
    return pieces


def segment(ink: np.ndarray) -> tuple[list[Piece], float]:
    """Cut ink into the pieces that ``read_number`` reads, before its split search.

    Args:
        ink: (H, W) float ink in [0, 1], strongest ink 1 (``ink_on_black``).

    Returns:
        (pieces, line): the connected components with the strokes of one digit merged
        (``merge_pieces``) and fragments joined (``join_fragments``), left to right; and the
        line height in pixels (``line_height``).

    Raises:
        NoInkError: No pixel is over ``INK_THRESHOLD`` (``find_pieces``).

    """
    pieces = merge_pieces(find_pieces(ink))
    line = line_height(pieces)
    return join_fragments(pieces, line), line


def read_number(
    image: ImageSource,
    model: keras.Model | str | os.PathLike[str] | None = None,
    *,
    method: str = METHODS[0],
    max_pixels: int = MAX_PIXELS,
) -> NumberReading:
    """Read the handwritten number in an image.

    Args:
        image: A path, file contents, a PIL image or an array (see ``digitrec.load_grey``):
            a row of digits, dark on light or light on dark.
        model: A ``keras.Model``, a path to a ``.keras`` file, or None for the saved model of
            the method: the best digit model for ``"segment"``, ``model/12_ctc.keras`` for
            ``"ctc"``.
        method: ``"segment"`` (find the digits, then recognise each: the module's docstring;
            notebook 10) or ``"ctc"`` (read the whole strip, ``digitrec.ctc.read_strip``;
            notebook 12).
        max_pixels: Largest accepted width x height.

    Returns:
        A ``NumberReading``: text, one ``Prediction`` per digit and boxes, left to right.

    Raises:
        ImageError: The image cannot be read, or holds no ink (``NoInkError``).
        ModelError: No usable model (see ``digitrec.load_model``).
        ValueError: ``method`` is not one of ``METHODS``.

    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}; got {method!r}")
    if method == "ctc":
        from digitrec.ctc import read_strip

        ctc_model = _model(find_model("12_ctc") if model is None else model)
        return read_strip(image, ctc_model, max_pixels=max_pixels)
    return read_by_segments(image, model, max_pixels=max_pixels)


def read_by_segments(
    image: ImageSource,
    model: keras.Model | str | os.PathLike[str] | None = None,
    *,
    max_pixels: int = MAX_PIXELS,
) -> NumberReading:
    """Read a number by segmentation, the module's steps: ``read_number(..., method="segment")``."""
    ink = ink_on_black(load_grey(image, max_pixels=max_pixels))
    pieces, line = segment(ink)
    model = _model(model)
    found = []
    for piece, prediction in zip(pieces, recognise(ink, pieces, model), strict=True):
        found.extend(split_piece(ink, piece, prediction, line, model))
    found.sort(key=lambda item: item[0][1] + item[0][2].shape[1] / 2)
    boxes = tuple(
        (int(left), int(top), int(left + mask.shape[1]), int(top + mask.shape[0]))
        for (top, left, mask), _ in found
    )
    digits = tuple(prediction for _, prediction in found)
    return NumberReading("".join(digit_text(p) for p in digits), digits, boxes)


def _columns_iou(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> float:
    """Intersection over union of the column ranges of two (left, top, right, bottom) boxes."""
    shared = min(a[2], b[2]) - max(a[0], b[0])
    return max(shared, 0) / (max(a[2], b[2]) - min(a[0], b[0]))


def failure_reason(text: str, boxes: Sequence[Sequence[int]], result: NumberReading) -> str:
    """Say which step misread a number: a segmentation step, or the model.

    Args:
        text: The true digits, e.g. ``"2026"``.
        boxes: The true (left, top, right, bottom) box of each digit, in the image's pixels.
        result: What ``read_number`` read (assumed wrong: ``result.text != text``).

    Returns:
        ``"split"`` if more digits were read than written (a digit cut in two), ``"merge"`` if
        fewer (two digits read as one), ``"misplaced cut"`` if as many but some box read does not
        match its true box (column overlap under ``BOX_MATCH`` of the union: a cut in the wrong
        place, segmentation's fault), else ``"recognition"`` (the boxes were right, the model
        misread a digit).

    """
    if len(result.text) != len(text):
        return "split" if len(result.text) > len(text) else "merge"
    matched = all(
        _columns_iou(tuple(true), read) >= BOX_MATCH
        for true, read in zip(boxes, result.boxes, strict=True)
    )
    return "recognition" if matched else "misplaced cut"

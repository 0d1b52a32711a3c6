"""Read a whole handwritten number, left to right: as one strip with CTC, or digit by digit.

Two methods (``METHODS``). ``"ctc"``, the default, reads the whole strip without cutting it
(``digitrec.ctc``, notebook 12). ``"segment"``, the classic way, segmentation then recognition
(Casey and Lecolinet, "A survey of methods and strategies in character segmentation", IEEE PAMI
18(7), 1996):

1. **pieces**: the ink (``digitrec.preprocess.ink_on_black``) is cut into connected components
   (``scipy.ndimage.label``, 8-connected); specks are dropped;
2. **merge**: pieces that share most of their columns are one digit written in several strokes
   (a 5 whose bar is apart, a 4 in two strokes): they are joined;
3. **split**: a piece wider than a digit may be touching digits. Candidate cuts are the columns
   where the vertical ink profile is lowest; each half goes through ``to_mnist`` and the model,
   and the cut whose halves the model reads most confidently wins, if it beats the whole piece;
4. the pieces, left to right, each through ``to_mnist`` and the model.

Steps 1, 2 and the cuts are ``digitrec.segmentation``'s, with their settings in
``ReadingParams``; this module runs them with the model. Notebook 12 measures both on notebook
10's test numbers: the CTC reader reads more of them right at every spacing, touching and
overlapping digits above all, hence the default; segmentation alone answers ``?`` for a piece
that is not a digit.

``read_number`` returns a ``NumberReading``: the text, one ``Prediction`` per digit, and each
digit's box in the input image's pixels.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import numpy as np

from digitrec.decode import ImageSource, load_grey
from digitrec.model_files import find_model, load_model
from digitrec.prediction import predict_arrays
from digitrec.preprocess import MAX_PIXELS, ink_on_black, to_mnist
from digitrec.results import NumberReading, Prediction
from digitrec.segmentation import (
    DEFAULT,
    Piece,
    ReadingParams,
    cut,
    cut_columns,
    piece_image,
    segment,
)

if TYPE_CHECKING:  # for type checkers only: Keras is imported when the model is loaded
    import keras

#: The ways ``read_number`` reads, the default first: read the strip with CTC, or cut the
#: number into digits and read each.
METHODS = ("ctc", "segment")


def digit_text(prediction: Prediction) -> str:
    """Return the character for a prediction: its digit, or ``?`` if the model rejected it."""
    return "?" if prediction.rejected else str(prediction.digit)


def _model(model: keras.Model | str | os.PathLike[str] | None) -> keras.Model:
    return load_model(model) if model is None or isinstance(model, (str, os.PathLike)) else model


def recognise(ink: np.ndarray, pieces: list[Piece], model: keras.Model) -> list[Prediction]:
    """``to_mnist`` and the model on each piece, in one batch; one ``Prediction`` per piece."""
    if not pieces:
        return []
    return predict_arrays(np.stack([to_mnist(piece_image(ink, p)) for p in pieces]), model)


def _score(prediction: Prediction, params: ReadingParams) -> float:
    """Return a half's score: its probability, or 0 if rejected and ``params.reject_in_split``."""
    return 0.0 if params.reject_in_split and prediction.rejected else prediction.probability


def split_piece(ink, piece: Piece, whole: Prediction, line: float, model, params=DEFAULT):
    """Split a piece into digits, cutting them off from the left one by one.

    A piece up to ``params.one_digit`` × ``line`` wide is one digit. A wider one is cut at each
    column of ``cut_columns`` and both halves are read; a cut scores its left half's probability,
    times its right half's when that is narrow enough to be one digit. A piece up to
    ``params.maybe_one`` × line stays whole unless the best cut scores more than the whole piece's
    probability; a wider one is cut at the best cut, and the right half is split again.

    Args:
        ink: (H, W) float array, the image's ink (``ink_on_black``).
        piece: One piece of it.
        whole: The model's prediction for the whole piece.
        line: The line height in pixels (``line_height``).
        model: The ``keras.Model``.
        params: The settings, a ``digitrec.segmentation.ReadingParams``.

    Returns:
        list[tuple[Piece, Prediction]]: (piece, prediction) for each digit found, left to right.

    """
    width = piece[2].shape[1]
    if width <= params.one_digit * line:
        return [(piece, whole)]
    columns = cut_columns(piece[2], line, params)
    cuts = [h for c in columns if (h := cut(piece, c, line, params)) is not None]
    if not cuts:
        return [(piece, whole)]
    predictions = recognise(ink, [half for halves in cuts for half in halves], model)
    scores = [
        _score(left, params)
        * (_score(right, params) if halves[1][2].shape[1] <= params.maybe_one * line else 1)
        for left, right, halves in zip(predictions[::2], predictions[1::2], cuts, strict=True)
    ]
    best = int(np.argmax(scores))
    if width <= params.maybe_one * line and scores[best] <= whole.probability:
        return [(piece, whole)]
    (left, right), (left_p, right_p) = cuts[best], predictions[2 * best : 2 * best + 2]
    return [(left, left_p), *split_piece(ink, right, right_p, line, model, params)]


def read_number(
    image: ImageSource,
    model: keras.Model | str | os.PathLike[str] | None = None,
    *,
    method: str = METHODS[0],
    max_pixels: int = MAX_PIXELS,
    params: ReadingParams = DEFAULT,
) -> NumberReading:
    """Read the handwritten number in an image.

    Args:
        image: A path, file contents, a PIL image or an array (see ``digitrec.load_grey``):
            a row of digits, dark on light or light on dark.
        model: A ``keras.Model``, a path to a ``.keras`` file, or None for the saved model of
            the method: the best digit model for ``"segment"``, ``model/12_ctc.keras`` for
            ``"ctc"``.
        method: ``"ctc"`` (read the whole strip, ``digitrec.ctc.read_strip``; notebook 12)
            or ``"segment"`` (find the digits, then recognise each: the module's docstring;
            notebook 10).
        max_pixels: Largest accepted width x height.
        params: The settings of segmentation (``digitrec.segmentation.ReadingParams``); the
            CTC reader has none.

    Returns:
        A ``NumberReading``: text, one ``Prediction`` per digit and boxes, left to right.

    Raises:
        ImageError: The image cannot be read, or holds no ink (``NoInkError``).
        ModelError: No usable model (see ``digitrec.load_model``).
        ValueError: ``method`` is not one of ``METHODS``, or ``params`` are given to the CTC
            reader.

    """
    _check_method(method, params)
    if method == "ctc":
        from digitrec.ctc import read_strip

        ctc_model = _model(find_model("12_ctc") if model is None else model)
        return read_strip(image, ctc_model, max_pixels=max_pixels)
    return read_by_segments(image, model, max_pixels=max_pixels, params=params)


def _check_method(method: str, params: ReadingParams) -> None:
    """Raise ValueError for an unknown method, or for segmentation's settings given to CTC."""
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}; got {method!r}")
    if method == "ctc" and params is not DEFAULT:
        raise ValueError("params are segmentation's settings: pass method='segment' with them")


def read_by_segments(
    image: ImageSource,
    model: keras.Model | str | os.PathLike[str] | None = None,
    *,
    max_pixels: int = MAX_PIXELS,
    params: ReadingParams = DEFAULT,
) -> NumberReading:
    """Read a number by segmentation, the module's steps: ``read_number(..., method="segment")``."""
    ink = ink_on_black(load_grey(image, max_pixels=max_pixels))
    pieces, line = segment(ink, params)
    model = _model(model)
    found = []
    for piece, prediction in zip(pieces, recognise(ink, pieces, model), strict=True):
        found.extend(split_piece(ink, piece, prediction, line, model, params))
    found.sort(key=lambda item: item[0][1] + item[0][2].shape[1] / 2)
    boxes = tuple(
        (int(left), int(top), int(left + mask.shape[1]), int(top + mask.shape[0]))
        for (top, left, mask), _ in found
    )
    digits = tuple(prediction for _, prediction in found)
    return NumberReading("".join(digit_text(p) for p in digits), digits, boxes)

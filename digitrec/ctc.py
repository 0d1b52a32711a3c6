"""Read a whole number without cutting it: a CRNN-style network trained with CTC.

The picture becomes a *strip* (``digitrec.strips.to_strip``): its ink, white on black, 20 pixels
tall in a strip 28 pixels high. The network (``crnn``) slides notebook 07's CNN along it: its two
convolution blocks, then its dense layer applied as a dilated 4 × 4 convolution, give one feature
vector every ``STRIDE`` = 2 columns, each seeing a 28-pixel window, one digit wide; 1-D
convolutions over these *frames* add the context on both sides, and a dense layer gives per
frame the logits of 11 classes: the blank (class 0, ``BLANK``) and the digits 0-9 (1-10).

Training uses Connectionist Temporal Classification (Graves, Fernández, Gomez and Schmidhuber,
"Connectionist Temporal Classification: Labelling Unsegmented Sequence Data with Recurrent Neural
Networks", ICML 2006): the loss sums the probability of every frame-by-frame path that collapses
to the true text, so no one has to say which frame holds which digit. Reading takes the most
probable class per frame (greedy decoding) or searches the best paths (beam search), then
applies the collapse rule: merge repeated classes, then drop blanks (``collapse``). The design is
Shi, Bai and Yao's CRNN ("An End-to-End Trainable Neural Network for Image-based Sequence
Recognition", IEEE TPAMI 39(11), 2017), smaller, with convolutions instead of an LSTM over the
frames.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import keras
import numpy as np

from digitrec.decode import ImageSource
from digitrec.preprocess import MAX_PIXELS
from digitrec.results import NumberReading, Prediction
from digitrec.strips import INK_LEVEL, SIDE_MARGIN, STRIP_HEIGHT, Strip, pad_batch, to_strip

#: Columns of the strip per output frame, and the width of the window each frame sees.
STRIDE, WINDOW = 2, 28
#: The class of "no digit here" (CTC's blank); digit d is class d + 1.
BLANK = 0


def collapse(path: Sequence[int]) -> list[tuple[int, int, int]]:
    """Apply CTC's collapse rule to a path of classes, one per frame.

    Repeated classes merge, then blanks are dropped: ``[0, 3, 3, 0, 3, 5, 5]`` reads "2 2 4"
    (classes 3, 3, 5 are digits 2, 2, 4), the blank between the two 3s keeping them apart.

    Args:
        path: One class (0 blank, d + 1 for digit d) per frame.

    Returns:
        One (digit, first frame, last frame) per digit read, left to right.

    """
    runs, start = [], 0
    for t in range(1, len(path) + 1):
        if t == len(path) or path[t] != path[start]:
            if path[start] != BLANK:
                runs.append((int(path[start]) - 1, start, t - 1))
            start = t
    return runs


def frames(width: int) -> int:
    """Return the number of frames ``crnn`` outputs for a strip ``width`` pixels wide."""
    return (width - 4) // 2 - 11


def crnn(cnn: keras.Model | None = None) -> keras.Model:
    """Build the CTC reader: notebook 07's CNN slid along the strip, 1-D convolutions over frames.

    The CNN's layers, in order: ``conv1`` (5 × 5, 32 filters) and a 2 × 2 max-pooling; ``conv2``
    (5 × 5, 64) and a 2 × 2 max-pooling that steps one column instead of two; its dense layer
    as ``window``, a 4 × 4 convolution of 256 filters dilated by 2 along the columns, so that each
    frame sees what the dense layer saw in a 28 × 28 window, every ``STRIDE`` = 2 columns. Then
    two 1-D convolutions over the frames (256 filters, 3 frames wide: each adds one frame, 2
    columns, of context on each side, so a frame's logits see 36 columns) and a dense layer of
    11 logits per frame. No dropout: notebook 12 trains it on fresh synthetic numbers, each seen
    twice.

    Args:
        cnn: A trained ``digitrec.models.cnn()`` (notebook 07's) whose two convolutions and first
            dense layer initialise ``conv1``, ``conv2`` and ``window``, or None for random weights.

    Returns:
        An uncompiled ``keras.Model``: (N, 28, W, 1) float32 strips in [0, 1], any W from
        ``strips.MIN_WIDTH``, to (N, frames(W), 11) logits (class 0 the blank).

    """
    strip = keras.Input((STRIP_HEIGHT, None, 1), name="strip")
    conv1 = keras.layers.Conv2D(32, 5, activation="relu", name="conv1")
    conv2 = keras.layers.Conv2D(64, 5, activation="relu", name="conv2")
    window = keras.layers.Conv2D(256, 4, dilation_rate=(1, 2), activation="relu", name="window")
    x = keras.layers.MaxPooling2D(name="pool1")(conv1(strip))
    x = keras.layers.MaxPooling2D(2, strides=(2, 1), name="pool2")(conv2(x))
    x = keras.layers.Reshape((-1, 256), name="frames")(window(x))
    for i in (1, 2):
        x = keras.layers.Conv1D(256, 3, padding="same", activation="relu", name=f"context{i}")(x)
    logits = keras.layers.Dense(11, name="logits")(x)
    model = keras.Model(strip, logits, name="crnn")
    if cnn is not None:
        dense = next(layer for layer in cnn.layers if isinstance(layer, keras.layers.Dense))
        kernel, bias = dense.get_weights()
        conv1.set_weights(cnn.get_layer("conv1").get_weights())
        conv2.set_weights(cnn.get_layer("conv2").get_weights())
        window.set_weights([kernel.reshape(4, 4, 64, 256), bias])
    return model


def decode(logits: np.ndarray, strategy: str = "greedy", beam_width: int = 10) -> list[str]:
    """Decode a batch of CTC logits into digit strings with ``keras.ops.ctc_decode``.

    Args:
        logits: (N, T, 11) float32, as ``crnn`` outputs them (class 0 the blank).
        strategy: ``"greedy"`` (the best class per frame, then ``collapse``) or
            ``"beam_search"`` (the ``beam_width`` best prefixes, summing the paths of each).
        beam_width: Prefixes kept by the beam search.

    Returns:
        N strings of digits (possibly empty).

    Raises:
        ValueError: ``strategy`` is neither.

    """
    if strategy not in ("greedy", "beam_search"):
        raise ValueError(f"strategy must be 'greedy' or 'beam_search', not {strategy!r}")
    lengths = np.full(len(logits), logits.shape[1], np.int32)
    paths, _ = keras.ops.ctc_decode(
        logits, lengths, strategy=strategy, beam_width=beam_width, mask_index=BLANK
    )
    best = keras.ops.convert_to_numpy(paths[0])
    return ["".join(str(c - 1) for c in row if c > BLANK) for row in best]


def _softmax(logits: np.ndarray) -> np.ndarray:
    exp = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return exp / exp.sum(axis=-1, keepdims=True)


def _digit_prediction(probabilities: np.ndarray, first: int, last: int):
    """Return one digit's ``Prediction``: its frames' peak, renormalised over the 10 digits."""
    run = probabilities[first : last + 1]
    peak = run[int(run[:, 1:].max(axis=1).argmax()), 1:]
    digits = (peak / peak.sum()).astype(np.float32)
    return Prediction(int(digits.argmax()), float(digits.max()), digits)


def digit_columns(strip: Strip, centres: Sequence[float]) -> list[tuple[int, int]]:
    """Split a strip's ink between the digits read, at the midpoints of their frames' centres.

    Args:
        strip: The strip read.
        centres: Each digit's centre in strip columns (its frames' windows), left to right.

    Returns:
        One [start, stop) range of strip columns per digit: from the midpoint with the previous
        digit (or the ink's start) to the midpoint with the next (or the ink's end), narrowed to
        the columns that hold ink over ``strips.INK_LEVEL``.

    """
    inked = np.nonzero((strip.pixels > INK_LEVEL).any(axis=0))[0]
    cuts = [SIDE_MARGIN, *((a + b) / 2 for a, b in itertools.pairwise(centres)), np.inf]
    spans = []
    for start, stop in itertools.pairwise(cuts):
        columns = inked[(inked >= start) & (inked < stop)]
        spans.append((int(columns[0]), int(columns[-1]) + 1) if columns.size else (int(start),) * 2)
    return spans


def _forward(model: keras.Model, batch: np.ndarray):
    """``model(batch, training=False)``, as one traced graph on TensorFlow (any strip width)."""
    if keras.backend.backend() != "tensorflow":
        return model(batch, training=False)
    from digitrec.prediction import _compiled_forward

    return _compiled_forward(model)(batch)


def read_strip(image: ImageSource, model: keras.Model, *, max_pixels: int = MAX_PIXELS):
    """Read the number in a picture with a CTC model, greedy decoding; boxes from the alignment.

    Args:
        image: A picture of a row of digits (see ``strips.to_strip``).
        model: A trained ``crnn`` (``model/12_ctc.keras``).
        max_pixels: Largest accepted width × height.

    Returns:
        A ``digitrec.results.NumberReading``. Each digit's ``Prediction`` holds the softmax of
        its most confident frame over the 10 digits (the blank left out); nothing is rejected.
        Its box holds the ink between the midpoints of its frames and its neighbours'
        (``digit_columns``), mapped back to the picture's pixels, and the ink's rows.

    Raises:
        ImageError: The picture cannot be read, or holds no ink.

    """
    strip = to_strip(image, max_pixels=max_pixels)
    logits = keras.ops.convert_to_numpy(_forward(model, pad_batch([strip.pixels])))[0]
    probabilities = _softmax(logits.astype(np.float64))
    runs = collapse(list(probabilities.argmax(axis=1)))
    digits = tuple(_digit_prediction(probabilities, first, last) for _, first, last in runs)
    centres = [STRIDE * (first + last) / 2 + WINDOW / 2 for _, first, last in runs]
    boxes = []
    for start, stop in digit_columns(strip, centres):
        left, right = strip.to_image_columns(start, stop)
        boxes.append((left, strip.top, right, strip.top + strip.height))
    return NumberReading("".join(str(d.digit) for d in digits), digits, tuple(boxes))

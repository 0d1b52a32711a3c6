"""Pictures of numbers as strips, the CTC reader's input, and training batches of them.

A *strip* is the picture's ink, white on black, scaled so the number is ``INK_HEIGHT`` = 20
pixels tall (as tall as an MNIST digit's box) in a strip ``STRIP_HEIGHT`` = 28 pixels high,
any width (``to_strip``). ``training_strips`` writes numbers of MNIST digits as photos, the way
``digitrec.number_photos`` builds notebook 10's test set, and strips them; ``StripBatches`` feeds
them to ``model.fit`` in batches of similar width.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import keras
import numpy as np
from PIL import Image

from digitrec.decode import ImageSource, load_grey
from digitrec.normalise import block_max, thicken
from digitrec.preprocess import MAX_PIXELS, NoInkError, ink_on_black, remove_specks
from digitrec.synthetic.number_photos import SPACINGS, NumberPhoto, number_photo

#: Strip height, the ink's height in it, and the blank columns added left and right, in pixels.
STRIP_HEIGHT, INK_HEIGHT, SIDE_MARGIN = 28, 20, 8
#: Ink is where ``ink_on_black`` is over this level when the strip is cropped to it.
INK_LEVEL = 0.35
#: A taller crop is first reduced by a whole factor to at most this many rows (``block_max``),
#: so that thickening thin strokes stays cheap on a large photo.
WORK_HEIGHT = 80
#: Narrowest strip (one window of the CTC reader), and the width buckets of training batches.
MIN_WIDTH, WIDTHS = 32, (64, 96, 128, 160, 192, 256)
#: Columns that ``pad_batch`` rounds a batch's width to (the CTC reader's frame step).
WIDTH_STEP = 4


@dataclass(frozen=True)
class Strip:
    """A picture prepared for the CTC reader.

    Attributes:
        pixels: (28, W) float32 ink in [0, 1], white on black, W >= ``MIN_WIDTH``.
        left, top: The picture's pixel at the strip's first ink column and row (the crop's corner).
        scale: Picture columns per strip column (the horizontal scale).
        height: The ink's height in the picture, in pixels.
        width: The ink's width in the strip, in pixels (from column ``SIDE_MARGIN``).

    """

    pixels: np.ndarray
    left: int
    top: int
    scale: float
    height: int
    width: int

    def to_image_columns(self, start: float, stop: float) -> tuple[int, int]:
        """Map strip columns [start, stop) to the picture's columns, clipped to the ink."""
        left = self.left + (start - SIDE_MARGIN) * self.scale
        right = self.left + (stop - SIDE_MARGIN) * self.scale
        ink_right = self.left + self.width * self.scale
        return max(self.left, int(np.floor(left))), min(
            int(np.ceil(ink_right)), int(np.ceil(right))
        )


def to_strip(image: ImageSource, *, max_pixels: int = MAX_PIXELS) -> Strip:
    """Prepare a picture of a number for the CTC reader.

    Args:
        image: A path, file contents, a PIL image or an array (``digitrec.load_grey``): a row of
            digits, dark on light or light on dark.
        max_pixels: Largest accepted width × height.

    Returns:
        A ``Strip``: the ink (``ink_on_black``) cropped to its pixels over ``INK_LEVEL`` (specks
        dropped, as ``to_mnist`` drops them), reduced with a maximum filter to at most
        ``WORK_HEIGHT`` rows, its strokes thickened where they would be thinner than MNIST's
        (``normalise.thicken``), scaled (bilinear, keeping its aspect ratio) to ``INK_HEIGHT``
        rows, with 4 blank rows above and below and ``SIDE_MARGIN`` blank columns left and right.

    Raises:
        ImageError: The picture cannot be read, or holds no ink (``NoInkError``).

    """
    ink = ink_on_black(load_grey(image, max_pixels=max_pixels))
    thick, (left, top), factor = _ink_at_work_size(ink)
    width = max(1, round(thick.shape[1] * INK_HEIGHT / thick.shape[0]))
    small = Image.fromarray(thick).resize((width, INK_HEIGHT), Image.Resampling.BILINEAR)
    rows_pad = (STRIP_HEIGHT - INK_HEIGHT) // 2
    extra = max(0, MIN_WIDTH - width - 2 * SIDE_MARGIN)
    pixels = np.pad(
        np.clip(np.asarray(small), 0, 1), ((rows_pad, rows_pad), (SIDE_MARGIN, SIDE_MARGIN + extra))
    )
    scale = thick.shape[1] * factor / width
    height = thick.shape[0] * factor
    return Strip(pixels.astype(np.float32), left, top, scale, int(height), width)


def _ink_at_work_size(ink: np.ndarray) -> tuple[np.ndarray, tuple[int, int], int]:
    """Crop ink to its pixels over ``INK_LEVEL`` (no specks), reduce it and thicken thin strokes.

    Returns:
        (crop, (left, top), factor): the float32 crop, the picture's pixel at its corner, and
        the picture's pixels per crop pixel.

    Raises:
        NoInkError: No pixel is over ``INK_LEVEL``, specks aside.

    """
    mask = remove_specks(ink > INK_LEVEL)
    if not mask.any():
        raise NoInkError("no digit found: the image is blank (no ink differs from the paper)")
    rows, cols = np.nonzero(mask.any(axis=1))[0], np.nonzero(mask.any(axis=0))[0]
    crop = ink[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1].astype(np.float32)
    factor = max(1, crop.shape[0] // WORK_HEIGHT)
    reduced = block_max(crop, factor) if factor > 1 else crop
    thick, pad = thicken(reduced, INK_HEIGHT / reduced.shape[0])
    inked = thick > INK_LEVEL
    kept_rows, kept_cols = np.nonzero(inked.any(axis=1))[0], np.nonzero(inked.any(axis=0))[0]
    thick = thick[kept_rows[0] : kept_rows[-1] + 1, kept_cols[0] : kept_cols[-1] + 1]
    left = int(cols[0] + (kept_cols[0] - pad) * factor)
    top = int(rows[0] + (kept_rows[0] - pad) * factor)
    return thick, (left, top), factor


def training_strips(
    x: np.ndarray,
    y: np.ndarray,
    count: int,
    seed: int,
    lengths: Sequence[int] = range(1, 9),
    weights: Sequence[float] = (1, 1, 1, 1),
) -> tuple[list[np.ndarray], list[str], list[str]]:
    """Write numbers of MNIST digits as photos (``number_photos.number_photo``) and strip them.

    Each number has a length drawn uniformly from ``lengths``, a spacing in proportion to
    ``weights``, and digits drawn from ``x`` with replacement. Give training digits to train on,
    validation digits to choose on: the test digits are kept for notebook 10's test set.

    Args:
        x: (N, 28, 28) uint8 MNIST images, ink bright on black.
        y: (N,) their digits.
        count: Numbers to write.
        seed: Seed of the ``numpy.random.default_rng`` everything is drawn from.
        lengths: The numbers of digits to draw from.
        weights: Relative frequency of each of ``SPACINGS`` (wide, tight, touching,
            overlapping), e.g. ``(1, 1, 2, 2)`` for twice as many touching and overlapping numbers.

    Returns:
        (strips, texts, spacings): ``count`` (28, W) float32 strips (``to_strip``), their digits
        as strings, and their spacings.

    Raises:
        ValueError: ``weights`` is not one non-negative number per spacing, with a positive sum.

    """
    chances = _spacing_chances(weights)
    rng = np.random.default_rng(seed)
    strips, texts, spacings = [], [], []
    for _ in range(count):
        photo = _write_number(x, y, lengths, chances, rng)
        strips.append(to_strip(photo.image).pixels)
        texts.append(photo.text)
        spacings.append(photo.spacing)
    return strips, texts, spacings


def _write_number(x, y, lengths, chances, rng: np.random.Generator) -> NumberPhoto:
    """Draw a length, a spacing (with probabilities ``chances``) and digits; write the photo."""
    length = int(rng.choice(lengths))
    spacing = SPACINGS[int(rng.choice(len(SPACINGS), p=chances))]
    picks = rng.integers(0, len(x), length)
    return number_photo(list(x[picks]), list(y[picks]), spacing, rng)


def _spacing_chances(weights: Sequence[float]) -> np.ndarray:
    """Return ``weights`` as probabilities, one per spacing; ValueError if they cannot be."""
    chances = np.asarray(weights, float)
    if chances.shape != (len(SPACINGS),) or chances.min() < 0 or chances.sum() <= 0:
        raise ValueError(f"weights must be {len(SPACINGS)} non-negative numbers, not {weights!r}")
    return chances / chances.sum()


class StripBatches(keras.utils.PyDataset):
    """Batches of strips of similar width, for ``model.fit`` with ``keras.losses.CTC``.

    Strips are grouped by the smallest of ``WIDTHS`` that holds them (wider ones alone), so a
    batch wastes few blank columns and the network is traced for a handful of widths only.
    Each batch is ``(x, targets)``: (B, 28, width, 1) float32 (``pad_batch``) and (B, 8) int32
    (``encode_texts``).

    Args:
        strips: (28, W) float32 strips.
        texts: Their digits.
        batch_size: Strips per batch.
        seed: Shuffles the batches and their strips anew after each epoch; None keeps the order.

    """

    def __init__(self, strips, texts, batch_size=32, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.strips, self.targets = strips, encode_texts(texts)
        self.batch_size, self.rng = (
            batch_size,
            None if seed is None else np.random.default_rng(seed),
        )
        sizes = [s.shape[1] for s in strips]
        self.widths = np.array([next((w for w in WIDTHS if w >= n), n) for n in sizes])
        self.on_epoch_end()

    def on_epoch_end(self):
        """Group the strips into batches by width, shuffled unless no seed was given."""
        self.batches = []
        for width in np.unique(self.widths):
            group = np.nonzero(self.widths == width)[0]
            group = group if self.rng is None else self.rng.permutation(group)
            self.batches += [
                group[i : i + self.batch_size] for i in range(0, len(group), self.batch_size)
            ]
        if self.rng is not None:
            self.rng.shuffle(self.batches)
        self._vary_first_widths()

    def _vary_first_widths(self):
        """Move a batch of another width to second place, if there is one.

        Keras fixes a ``PyDataset``'s shapes from its first two batches
        (``keras.src.trainers.data_adapters.data_adapter_utils.NUM_BATCHES_FOR_TENSOR_SPEC``):
        two of the same width would fix that width, and the first wider batch would fail
        (keras-team/keras issue 19748).
        """
        widths = [int(self.widths[batch].max()) for batch in self.batches]
        other = next((i for i, w in enumerate(widths) if w != widths[0]), None)
        if other is not None and other != 1:
            self.batches.insert(1, self.batches.pop(other))

    def __len__(self):
        """Return the number of batches."""
        return len(self.batches)

    def __getitem__(self, index):
        """Return batch ``index``: (strips, targets)."""
        chosen = self.batches[index]
        width = int(self.widths[chosen].max())
        return pad_batch([self.strips[i] for i in chosen], width), self.targets[chosen]


def pad_batch(strips: Sequence[np.ndarray], width: int | None = None) -> np.ndarray:
    """Stack strips of different widths into one batch, padded with blank columns on the right.

    Args:
        strips: (28, W_i) float32 arrays.
        width: The batch's width; default the widest strip rounded up to a multiple of
            ``WIDTH_STEP``.

    Returns:
        (N, 28, width, 1) float32 array.

    """
    width = width or -(-max(s.shape[1] for s in strips) // WIDTH_STEP) * WIDTH_STEP
    batch = np.zeros((len(strips), STRIP_HEIGHT, width, 1), np.float32)
    for i, strip in enumerate(strips):
        batch[i, :, : strip.shape[1], 0] = strip[:, :width]
    return batch


def encode_texts(texts: Sequence[str], length: int = 8) -> np.ndarray:
    """Encode digit strings as CTC targets: digit d is class d + 1, padded with 0 (the blank).

    Args:
        texts: Strings of 1 to ``length`` digits.
        length: Columns of the result.

    Returns:
        (N, length) int32 array, the input of ``keras.losses.CTC``.

    Raises:
        ValueError: A text is empty, longer than ``length``, or not all digits.

    """
    targets = np.zeros((len(texts), length), np.int32)
    for i, text in enumerate(texts):
        if not text.isdigit() or len(text) > length:
            raise ValueError(f"a target must be 1 to {length} digits, not {text!r}")
        targets[i, : len(text)] = [int(c) + 1 for c in text]
    return targets

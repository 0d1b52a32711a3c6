"""A seeded test set of whole handwritten numbers, composed from MNIST test digits.

Each number is 2 to 8 MNIST digits written side by side, the way a person writes a year or a
phone number: one slant for the whole number, each digit a little bigger or smaller, its foot a
little above or below the line, and the digits spaced in one of four ways (``SPACINGS``). The
composed ink is rendered as a photo of paper by ``digit_photos.ink_to_photo``, exactly as notebook
08 re-draws single digits (paper tone, ink tone, blur, JPEG). Only MNIST's *test*
digits should be given, so that no digit the model was trained on is read back.

Every random choice is drawn from the ``numpy.random.Generator`` passed in, in a fixed order, so
``number_set(x_test, y_test, seed=...)`` builds the same pictures on every machine.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from PIL import Image

from digitrec.synthetic.digit_photos import ink_to_photo

#: How neighbouring digits are spaced, from easy to hard to segment.
SPACINGS = ("wide", "tight", "touching", "overlapping")

#: Spacing in pixels of MNIST's 28 x 28 scale, drawn uniformly from these integer ranges
#: (inclusive). "wide" and "tight": the blank columns between the ink's bounding boxes;
#: "touching": how far past first contact the strokes are pushed into each other (0: they just
#: touch); "overlapping": the same, 2 to 3 px further, so that strokes cross.
GAPS = {"wide": (5, 9), "tight": (1, 3), "touching": (0, 0), "overlapping": (2, 3)}

#: MNIST grey level (0-255) from which a pixel counts as ink for spacing and digit boxes.
INK_LEVEL = 128

#: Ranges of the random variations (uniform): the slant of the whole number (horizontal shear,
#: columns per row: 0.15 is about 8.5 degrees), each digit's size factor, and its foot's offset
#: from the line in 28 x 28 pixels.
SLANT, SIZE, JITTER = (-0.15, 0.15), (0.85, 1.15), (-2, 2)

#: Pixels the number's ink is enlarged by when it becomes a photo (28 x 28 digits of 42 to 112 px).
ZOOM = (1.5, 4.0)


@dataclass(frozen=True)
class NumberPhoto:
    """One synthetic number and its truth.

    Attributes:
        image: Greyscale ("L") PIL image: dark ink on light paper, decoded from JPEG.
        text: The digits written, e.g. ``"2026"``.
        boxes: One (left, top, right, bottom) box per digit in the image's pixels, right and
            bottom exclusive: the bounding box of the digit's ink (MNIST level >= ``INK_LEVEL``).
        spacing: One of ``SPACINGS``.

    """

    image: Image.Image
    text: str
    boxes: tuple[tuple[int, int, int, int], ...]
    spacing: str


def shape_digit(digit: np.ndarray, size: float, slant: float) -> np.ndarray:
    """Crop an MNIST digit to its ink, scale it by ``size`` and slant it by ``slant``.

    Args:
        digit: (28, 28) uint8 MNIST image, ink bright on black.
        size: Scale factor (bicubic), e.g. 0.85-1.15.
        slant: Horizontal shear in columns per row; positive leans the top to the right.

    Returns:
        (h, w) uint8 array, ink bright on black, cut to the columns and rows holding ink.

    """
    rows, cols = np.nonzero(digit)
    crop = digit[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1]
    height = max(1, round(crop.shape[0] * size))
    width = max(1, round(crop.shape[1] * size))
    image = Image.fromarray(crop).resize((width, height), Image.Resampling.BICUBIC)
    extra = math.ceil(abs(slant) * height)
    affine = (1, slant, -max(slant, 0.0) * height, 0, 1, 0)  # x_in = x + slant * y + c
    slanted = np.asarray(
        image.transform((width + extra, height), Image.Transform.AFFINE, affine, Image.BICUBIC)
    )
    cols = np.nonzero(slanted.any(axis=0))[0]
    return slanted[:, cols.min() : cols.max() + 1]


def next_left(placed: np.ndarray, digit: np.ndarray, top: int, spacing: str, gap: int) -> int:
    """Column of the canvas where the next digit's left edge goes.

    Args:
        placed: (H, W) uint8 canvas holding the digits placed so far.
        digit: (h, w) uint8 next digit (``shape_digit``).
        top: The canvas row of the digit's top.
        spacing: One of ``SPACINGS``.
        gap: The spacing's value drawn from ``GAPS``, in pixels.

    Returns:
        For "wide" and "tight", ``gap`` blank columns between the ink placed so far and the
        new digit's; for "touching"
        and "overlapping", the column where the new ink first touches the old one in some row
        (checked row by row), moved ``gap`` columns further left.

    """
    ink_cols = np.nonzero((placed >= INK_LEVEL).any(axis=0))[0]
    right = int(ink_cols.max()) + 1 if ink_cols.size else 0
    new = digit >= INK_LEVEL
    if spacing in ("wide", "tight"):
        return right + gap - int(np.argmax(new.any(axis=0)))
    old = placed[top : top + digit.shape[0]] >= INK_LEVEL
    shared = old.any(axis=1) & new.any(axis=1)
    if not shared.any():
        return right - gap
    old_right = old.shape[1] - 1 - np.argmax(old[:, ::-1], axis=1)  # last ink column per row
    new_left = np.argmax(new, axis=1)  # first ink column per row
    return int((old_right[shared] + 1 - new_left[shared]).max()) - gap


def compose(digits: list[np.ndarray], spacing: str, rng: np.random.Generator):
    """Write MNIST digits side by side into one image of ink, as a hand writes a number.

    Args:
        digits: (28, 28) uint8 MNIST images, in writing order.
        spacing: One of ``SPACINGS``.
        rng: Draws, in order: the slant, then per digit its size, foot offset and gap, then the
            margins (top, bottom, left, right: 3-9 px).

    Returns:
        (ink, boxes): (H, W) uint8 ink bright on black, and one (left, top, right, bottom)
        bounding box of each digit's ink (>= ``INK_LEVEL``) in its pixels.

    """
    slant = rng.uniform(*SLANT)
    shaped, feet, gaps = [], [], []
    for digit in digits:
        shaped.append(shape_digit(digit, rng.uniform(*SIZE), slant))
        feet.append(int(rng.integers(JITTER[0], JITTER[1] + 1)))
        gaps.append(int(rng.integers(GAPS[spacing][0], GAPS[spacing][1] + 1)))
    line = max(d.shape[0] - foot for d, foot in zip(shaped, feet, strict=True)) + 1
    height = line + max(feet) + 1
    canvas = np.zeros((height, sum(d.shape[1] for d in shaped) + 10 * len(shaped)), np.uint8)
    boxes = []
    for digit, foot, gap in zip(shaped, feet, gaps, strict=True):
        top = line + foot - digit.shape[0]
        left = max(0, next_left(canvas, digit, top, spacing, gap)) if boxes else 0
        region = canvas[top : top + digit.shape[0], left : left + digit.shape[1]]
        np.maximum(region, digit, out=region)
        rows, cols = np.nonzero(digit >= INK_LEVEL)
        boxes.append(
            (left + cols.min(), top + rows.min(), left + cols.max() + 1, top + rows.max() + 1)
        )
    margins = rng.integers(3, 10, 4)
    ink = np.pad(
        canvas[:, : max(b[2] for b in boxes)], ((margins[0], margins[1]), (margins[2], margins[3]))
    )
    shift = np.array([margins[2], margins[0], margins[2], margins[0]])
    return ink, [tuple(int(v) for v in np.add(box, shift)) for box in boxes]


def number_photo(
    digits: list[np.ndarray], labels: list[int], spacing: str, rng: np.random.Generator
) -> NumberPhoto:
    """Compose MNIST digits into a number (``compose``) and render it as a photo.

    The ink is enlarged by a factor drawn from ``ZOOM`` and rendered by
    ``digit_photos.ink_to_photo`` on a page of exactly its size (the margins are part of the
    ink), so the digit boxes are the composed ones, scaled.

    Args:
        digits: (28, 28) uint8 MNIST images, in writing order.
        labels: Their digits 0-9.
        spacing: One of ``SPACINGS``.
        rng: The random generator (``compose``, then the zoom, then ``ink_to_photo``).

    Returns:
        A ``NumberPhoto``.

    Raises:
        ValueError: ``spacing`` is not one of ``SPACINGS``.

    """
    if spacing not in SPACINGS:
        raise ValueError(f"spacing must be one of {SPACINGS}, not {spacing!r}")
    ink, boxes = compose(digits, spacing, rng)
    height = round(ink.shape[0] * rng.uniform(*ZOOM))
    width = max(1, round(ink.shape[1] * height / ink.shape[0]))
    image = ink_to_photo(ink, rng, height, (height, width))
    sy, sx = height / ink.shape[0], width / ink.shape[1]
    scaled = tuple(
        (math.floor(x0 * sx), math.floor(y0 * sy), math.ceil(x1 * sx), math.ceil(y1 * sy))
        for x0, y0, x1, y1 in boxes
    )
    return NumberPhoto(image, "".join(str(int(d)) for d in labels), scaled, spacing)


def number_set(
    x: np.ndarray, y: np.ndarray, count: int = 2800, seed: int = 15, lengths: range = range(2, 9)
) -> list[NumberPhoto]:
    """Build ``count`` number photos from MNIST test digits, every length and spacing alike.

    Number ``i`` has ``lengths[i % len(lengths)]`` digits and spacing
    ``SPACINGS[(i // len(lengths)) % 4]``, so 2,800 numbers give 100 of each (length, spacing);
    its digits are drawn at random (with replacement) from ``x``.

    Args:
        x: (N, 28, 28) uint8 MNIST test images.
        y: (N,) their labels.
        count: Numbers to build.
        seed: Seed of the ``numpy.random.default_rng`` everything is drawn from.
        lengths: The numbers of digits, in turn.

    Returns:
        ``count`` ``NumberPhoto`` objects, in order.

    """
    rng = np.random.default_rng(seed)
    numbers = []
    for i in range(count):
        length = lengths[i % len(lengths)]
        spacing = SPACINGS[(i // len(lengths)) % len(SPACINGS)]
        picks = rng.integers(0, len(x), length)
        numbers.append(number_photo(list(x[picks]), list(y[picks]), spacing, rng))
    return numbers

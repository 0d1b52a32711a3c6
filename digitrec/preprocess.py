"""Turn a photo, scan or drawing of one digit into a 28 x 28 image like MNIST's.

A network trained on MNIST has only ever seen digits prepared in one particular way. LeCun,
Cortes and Burges describe it on the MNIST page (http://yann.lecun.com/exdb/mnist/):

    "The original black and white (bilevel) images from NIST were size normalized to fit in a
    20x20 pixel box while preserving their aspect ratio. The resulting images contain grey levels
    as a result of the anti-aliasing technique used by the normalization algorithm. The images
    were centered in a 28x28 image by computing the center of mass of the pixels, and translating
    the image so as to position this point at the center of the 28x28 field."

The digits are white ink (1.0) on black (0.0). ``to_mnist`` reproduces those steps for any image;
``to_mnist_steps`` returns every intermediate image, for notebook 08 to show. Files are read by
``digitrec.decode.load_grey`` (also importable from here, with ``MAX_PIXELS`` and ``ImageError``).
"""

from __future__ import annotations

import math

import numpy as np
from PIL import Image
from scipy import ndimage

from digitrec.decode import MAX_PIXELS, ImageError, ImageSource, load_grey

#: Side of the box the digit is scaled into, and of the final image (MNIST page, quoted above).
BOX_SIZE = 20
IMAGE_SIZE = 28

#: Ink must differ from the paper by at least this much (on a 0-1 grey scale) to count as ink.
#: JPEG noise and paper texture stay below 0.1; a pencil line on white paper is about 0.3 or more.
MIN_INK_CONTRAST = 0.2

#: Connected blobs of ink smaller than this share of the largest blob are specks (dust, JPEG
#: artefacts, the dot of a pen put down) and are ignored when the digit is cropped.
SPECK_FRACTION = 0.02

#: The digit is binarised at no less than this resolution (its longer side, in pixels), so that
#: scaling it down into the 20 x 20 box makes anti-aliased grey edges as MNIST's have, and at no
#: more (larger crops are reduced first, with a maximum filter so that thin strokes survive).
WORK_MIN, WORK_MAX = 80, 320

#: MNIST's stroke width in pixels of the 28 x 28 image, measured with ``stroke_width`` on the
#: training digits in notebook 08 (which asserts these values): median 2.7 px, 10th percentile
#: 2.0 px. Strokes that would be thinner than ``MIN_STROKE`` after scaling (a fine pen on a large
#: page) are thickened to ``TARGET_STROKE``; thicker strokes are left alone, because MNIST has bold
#: digits too. This step is ours, not MNIST's: NIST's forms were filled in with similar pens.
TARGET_STROKE, MIN_STROKE = 2.7, 2.0

#: Mean centre of mass of the MNIST training digits, in 0-based (row, column) pixel coordinates of
#: the 28 x 28 image: (14.0, 14.0) to 0.01 px, measured in notebook 08 (which asserts it).
MNIST_CENTRE = 14.0

class NoInkError(ImageError):
    """The image is readable but holds no digit: a blank or uniformly dark page."""


def _border(grey: np.ndarray) -> np.ndarray:
    """Return the pixels of a border ring 2 % of the shorter side wide (at least 1 px)."""
    return grey[_ring(grey.shape)]


def _ring(shape: tuple[int, int]) -> np.ndarray:
    ring = np.zeros(shape, dtype=bool)
    edge = max(1, round(0.02 * min(shape)))
    ring[:edge], ring[-edge:], ring[:, :edge], ring[:, -edge:] = True, True, True, True
    return ring


def _background(ink: np.ndarray) -> np.ndarray:
    """Paper level across the image: a plane a + b·row + c·col fitted to the border pixels.

    A plane follows the gradual light fall-off across a photographed page and is not fooled by
    the digit itself, however much of the image it fills, as long as it keeps off the border.
    """
    height, width = ink.shape
    rows, cols = np.mgrid[0:height, 0:width]
    ring = _ring(ink.shape)
    design = np.stack([np.ones(ring.sum()), rows[ring] / height, cols[ring] / width], axis=1)
    coef, *_ = np.linalg.lstsq(design, ink[ring].astype(np.float64), rcond=None)
    return (coef[0] + coef[1] * rows / height + coef[2] * cols / width).astype(np.float32)


def _resize(values: np.ndarray, width: int, height: int, resample: Image.Resampling) -> np.ndarray:
    image = Image.fromarray(values.astype(np.float32))
    return np.asarray(image.resize((width, height), resample), dtype=np.float32)


def stroke_width(mask: np.ndarray) -> float:
    """Estimate the mean stroke width of a bilevel image, in pixels.

    A stroke of width w and length L covers w·L pixels and has about 2·L edge pixels, so
    w ≈ 2 · area / edge pixels. Rough (corners and blobs bias it) but cheap and monotone.

    Args:
        mask: (H, W) bool array, True for ink.

    Returns:
        The width in pixels of ``mask``, or 0.0 when there is no ink.

    """
    area = int(mask.sum())
    if area == 0:
        return 0.0
    edge = int((mask & ~ndimage.binary_erosion(mask, border_value=0)).sum())
    return 2.0 * area / max(edge, 1)


def to_mnist_steps(image: ImageSource, *, max_pixels: int = MAX_PIXELS) -> dict[str, np.ndarray]:
    """Run the MNIST preprocessing and return every intermediate image, in order.

    The steps (keys of the result):

    - ``"grey"``: the image in grey levels as it looks (``load_grey``).
    - ``"ink"``: ink made white on black. The paper colour is the median of the image's border:
      light paper (dark ink, the usual photo or scan) is inverted; a dark background (light ink,
      like MNIST or a chalkboard) is kept. The paper level, a plane fitted to the border (so that
      light falling off across a photo vanishes), is subtracted and the result scaled so that the
      strongest ink is 1.
    - ``"bilevel"``: ink is where the value is over 0.5, as NIST's originals were black and white;
      specks smaller than 2 % of the largest blob of ink are dropped. Small crops are enlarged
      (bicubic) to 80 px first, and very large ones reduced to 320 px, before thresholding.
    - ``"cropped"``: cut to the bounding box of the ink, with strokes thickened if they would be
      thinner than MNIST's after scaling (see ``TARGET_STROKE``).
    - ``"box"``: scaled, keeping the aspect ratio, so that the longer side is 20 px, with
      anti-aliasing (Lanczos filter) that gives the edges grey levels.
    - ``"mnist"``: pasted into a 28 x 28 black image and shifted by whole pixels so that the
      centre of mass of the grey levels lands where MNIST's digits have theirs on average,
      ``MNIST_CENTRE`` = (14.0, 14.0) in 0-based pixel coordinates.

    Args:
        image: A path, a PIL image or an array; see ``load_grey``.
        max_pixels: Largest accepted width x height.

    Returns:
        A dict of float32 arrays with values in [0, 1]; ``"mnist"`` has shape (28, 28).

    Raises:
        ImageError: The image cannot be read (see ``load_grey``).
        NoInkError: No ink is found: a blank page, or a uniformly dark one.

    """
    steps = {"grey": load_grey(image, max_pixels=max_pixels)}
    grey = steps["grey"]
    ink = 1.0 - grey if np.median(_border(grey)) > 0.5 else grey.copy()
    ink = np.clip(ink - _background(ink), 0.0, None)
    contrast = float(ink.max())
    if contrast < MIN_INK_CONTRAST:
        page = "uniformly dark" if np.median(grey) < 0.5 else "blank"
        raise NoInkError(f"no digit found: the image is {page} (no ink differs from the paper)")
    steps["ink"] = ink = np.clip(ink / contrast, 0.0, 1.0)

    mask = _remove_specks(ink > 0.5)
    rows, cols = np.nonzero(mask)
    top, bottom, left, right = rows.min(), rows.max() + 1, cols.min(), cols.max() + 1
    margin = max(1, round(0.05 * max(bottom - top, right - left)))
    top, left = max(0, top - margin), max(0, left - margin)
    bottom, right = min(ink.shape[0], bottom + margin), min(ink.shape[1], right + margin)
    crop, crop_mask = ink[top:bottom, left:right], mask[top:bottom, left:right]

    long_side = max(crop.shape)
    if long_side < WORK_MIN:
        factor = WORK_MIN / long_side
        size = (max(1, round(crop.shape[1] * factor)), max(1, round(crop.shape[0] * factor)))
        kept = np.where(ndimage.binary_dilation(crop_mask, np.ones((3, 3)), 2), crop, 0.0)
        crop_mask = _resize(kept, *size, Image.Resampling.BICUBIC) > 0.5
    elif long_side > WORK_MAX:
        factor = math.ceil(long_side / WORK_MAX)
        crop_mask = _block_max(crop_mask, factor)
    steps["bilevel"] = crop_mask.astype(np.float32)

    rows, cols = np.nonzero(crop_mask)
    crop_mask = crop_mask[rows.min():rows.max() + 1, cols.min():cols.max() + 1]
    scale = BOX_SIZE / max(crop_mask.shape)
    if stroke_width(crop_mask) * scale < MIN_STROKE:
        radius = (TARGET_STROKE / scale - stroke_width(crop_mask)) / 2
        padded = np.pad(crop_mask, math.ceil(radius) + 1)
        crop_mask = ndimage.distance_transform_edt(~padded) <= radius
        rows, cols = np.nonzero(crop_mask)
        crop_mask = crop_mask[rows.min():rows.max() + 1, cols.min():cols.max() + 1]
        scale = BOX_SIZE / max(crop_mask.shape)
    steps["cropped"] = crop_mask.astype(np.float32)

    height = max(1, round(crop_mask.shape[0] * scale))
    width = max(1, round(crop_mask.shape[1] * scale))
    box = np.clip(_resize(crop_mask.astype(np.float32), width, height,
                          Image.Resampling.LANCZOS), 0.0, 1.0)
    steps["box"] = box

    field = np.zeros((IMAGE_SIZE, IMAGE_SIZE), dtype=np.float32)
    top, left = (IMAGE_SIZE - height) // 2, (IMAGE_SIZE - width) // 2
    field[top:top + height, left:left + width] = box
    centre_row, centre_col = ndimage.center_of_mass(field)
    shift = (round(MNIST_CENTRE - centre_row), round(MNIST_CENTRE - centre_col))
    steps["mnist"] = ndimage.shift(field, shift, order=0, mode="constant", cval=0.0)
    return steps



def _remove_specks(mask: np.ndarray) -> np.ndarray:
    labels, count = ndimage.label(mask)
    if count == 0:
        raise NoInkError("no digit found: the image is blank (no ink differs from the paper)")
    sizes = np.bincount(labels.ravel())[1:]
    keep = np.zeros(count + 1, dtype=bool)
    keep[1:] = sizes >= SPECK_FRACTION * sizes.max()
    return keep[labels]


def _block_max(mask: np.ndarray, factor: int) -> np.ndarray:
    """Reduce a bool image by ``factor`` in each direction, keeping a pixel if any was ink."""
    height, width = -(-mask.shape[0] // factor) * factor, -(-mask.shape[1] // factor) * factor
    padded = np.zeros((height, width), dtype=bool)
    padded[:mask.shape[0], :mask.shape[1]] = mask
    return padded.reshape(height // factor, factor, width // factor, factor).any(axis=(1, 3))


def to_mnist(image: ImageSource, *, max_pixels: int = MAX_PIXELS) -> np.ndarray:
    """Preprocess one image of a digit the way MNIST's digits were prepared.

    See ``to_mnist_steps`` for each step and its source (LeCun, Cortes and Burges, "The MNIST
    database of handwritten digits", http://yann.lecun.com/exdb/mnist/): crop to the ink's
    bounding box, keep the aspect ratio, scale into a 20 x 20 box with anti-aliasing, pad to
    28 x 28 and shift the centre of mass to the centre. Either polarity is accepted (dark ink on
    light paper is detected and inverted), in any size, mode or bit depth.

    Args:
        image: A path, a PIL image or an array (see ``load_grey``).
        max_pixels: Largest accepted width x height.

    Returns:
        (28, 28) float32 array in [0, 1]: white ink (1) on black (0), like
        ``load_mnist()`` images divided by 255.

    Raises:
        ImageError: The image cannot be read (see ``load_grey``).
        NoInkError: A blank or uniformly dark page, with no digit to read.

    """
    return to_mnist_steps(image, max_pixels=max_pixels)["mnist"]

"""Turn a photo, scan or drawing of one digit into a 28 x 28 image like MNIST's.

A network trained on MNIST has only ever seen digits prepared in one particular way. LeCun,
Cortes and Burges describe it on the MNIST page (http://yann.lecun.com/exdb/mnist/):

    "The original black and white (bilevel) images from NIST were size normalized to fit in a
    20x20 pixel box while preserving their aspect ratio. The resulting images contain grey levels
    as a result of the anti-aliasing technique used by the normalization algorithm. The images
    were centered in a 28x28 image by computing the center of mass of the pixels, and translating
    the image so as to position this point at the center of the 28x28 field."

The digits are white ink (1.0) on black (0.0). ``to_mnist`` reproduces those steps for any image;
``to_mnist_steps`` returns every intermediate image, for notebook 08 to show.
"""

from __future__ import annotations

import io
import math
import os
import warnings
from pathlib import Path
from typing import Union

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError
from scipy import ndimage

from digitrec.errors import DigitrecError

#: Largest image accepted, in pixels (width x height): 40 megapixels, more than any phone camera
#: gives. Bigger files are refused before they are decoded (a "decompression bomb" is a small file
#: that declares a huge image).
MAX_PIXELS = 40_000_000

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

ImageSource = Union[str, os.PathLike, bytes, Image.Image, np.ndarray]  # noqa: UP007 (Python 3.10 alias)


class ImageError(DigitrecError, ValueError):
    """An image cannot be used; the message is one sentence that says why.

    In Jupyter the error is shown as that sentence, without a traceback (see ``DigitrecError``).
    """


class NoInkError(ImageError):
    """The image is readable but holds no digit: a blank or uniformly dark page."""


def load_grey(source: ImageSource, *, max_pixels: int = MAX_PIXELS) -> np.ndarray:
    """Read an image as it looks on screen, in grey levels.

    Args:
        source: A file path (PNG, JPEG, BMP, GIF, TIFF, WebP ... anything Pillow reads), the
            bytes of such a file (an upload), a PIL image, or a NumPy array of shape (H, W),
            (H, W, 1), (H, W, 3) RGB or (H, W, 4) RGBA.
            Arrays of integers are read on their type's full range (uint8 0-255, uint16 0-65535);
            float arrays must lie in [0, 1] (or [0, 255], which is detected).
        max_pixels: Largest accepted width x height.

    Returns:
        (H, W) float32 array in [0, 1], 0 black and 1 white. Transparent pixels count as white
        paper (RGBA drawings are composited onto white); RGB becomes luma by ITU-R BT.601
        (0.299 R + 0.587 G + 0.114 B, Pillow's "L" conversion); JPEG EXIF rotation is applied.

    Raises:
        ImageError: The file is missing, a directory, empty, not an image, truncated or damaged,
            larger than ``max_pixels``, or the array has an unusable shape or values.

    """
    if isinstance(source, Image.Image):
        try:
            return _grey_from_pil(source, max_pixels)
        except OSError:
            raise ImageError("the image is damaged or truncated and cannot be decoded") from None
    if isinstance(source, np.ndarray):
        return _grey_from_array(source, max_pixels)
    if isinstance(source, (bytes, bytearray, memoryview)):
        if len(source) == 0:
            raise ImageError("the file is empty (0 bytes)")
        return _decode(io.BytesIO(bytes(source)), max_pixels)
    if not isinstance(source, (str, os.PathLike)):
        raise ImageError(f"cannot read an image from a {type(source).__name__}; "
                         "give a file path, file contents, a PIL image or a NumPy array")
    path = Path(source)
    if not path.exists():
        raise ImageError("no such file")
    if path.is_dir():
        raise ImageError("this is a folder, not an image file")
    if path.stat().st_size == 0:
        raise ImageError("the file is empty (0 bytes)")
    return _decode(path, max_pixels)


def _decode(file: Path | io.BytesIO, max_pixels: int) -> np.ndarray:
    """Open an image file, check its size from the header, then decode it."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(file) as image:
                _check_size(image.width, image.height, max_pixels)
                image.load()
                return _grey_from_pil(image, max_pixels)
    except Image.DecompressionBombError:
        raise ImageError(f"the image is too large (over {max_pixels:,} pixels)") from None
    except UnidentifiedImageError:
        raise ImageError("not an image file that Pillow can read (PNG, JPEG, BMP, GIF, TIFF, "
                         "WebP ...)") from None
    except ImageError:
        raise
    except (OSError, SyntaxError, ValueError, EOFError):
        raise ImageError("the image file is damaged or truncated and cannot be decoded") from None


def _check_size(width: int, height: int, max_pixels: int) -> None:
    if width * height > max_pixels:
        raise ImageError(f"the image is too large: {width} x {height} pixels is over the limit "
                         f"of {max_pixels:,}")
    if width == 0 or height == 0:
        raise ImageError("the image has no pixels")


def _grey_from_pil(image: Image.Image, max_pixels: int) -> np.ndarray:
    _check_size(image.width, image.height, max_pixels)
    image = ImageOps.exif_transpose(image)
    mode = image.mode
    if mode.startswith("I;16"):
        return np.asarray(image, dtype=np.float32) / 65535.0
    if mode == "I":
        values = np.asarray(image, dtype=np.float32)
        return np.clip(values / (65535.0 if values.max() > 255 else 255.0), 0.0, 1.0)
    if mode == "F":
        return _grey_from_array(np.asarray(image, dtype=np.float32), max_pixels)
    if "A" in mode or "transparency" in image.info:
        return _grey_from_array(np.asarray(image.convert("RGBA")), max_pixels)
    return np.asarray(image.convert("L"), dtype=np.float32) / 255.0


def _grey_from_array(array: np.ndarray, max_pixels: int) -> np.ndarray:
    if array.ndim == 3 and array.shape[2] in (1, 3, 4):
        channels = array.shape[2]
    elif array.ndim == 2:
        channels = 1
    else:
        raise ImageError(f"an image array must have shape (H, W), (H, W, 1), (H, W, 3) or "
                         f"(H, W, 4), not {array.shape}")
    _check_size(array.shape[1], array.shape[0], max_pixels)
    if array.dtype == bool:
        values = array.astype(np.float32)
    elif np.issubdtype(array.dtype, np.integer):
        values = array.astype(np.float32) / float(np.iinfo(array.dtype).max)
    elif np.issubdtype(array.dtype, np.floating):
        values = array.astype(np.float32)
        if not np.isfinite(values).all():
            raise ImageError("the image array contains NaN or infinite values")
        if values.min() < 0 or values.max() > 255:
            raise ImageError("float image values must lie in [0, 1] (or [0, 255])")
        if values.max() > 1:
            values = values / 255.0
    else:
        raise ImageError(f"cannot read an image array of dtype {array.dtype}")
    values = values.reshape(array.shape[0], array.shape[1], channels)
    if channels == 1:
        return values[..., 0]
    grey = values[..., :3] @ np.array([0.299, 0.587, 0.114], dtype=np.float32)
    if channels == 4:
        alpha = values[..., 3]
        grey = grey * alpha + (1.0 - alpha)  # composite onto white paper
    return np.clip(grey, 0.0, 1.0).astype(np.float32)


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

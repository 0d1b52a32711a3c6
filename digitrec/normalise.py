"""Normalise a digit's size and position as MNIST's were: crop, thicken, scale, centre.

The steps of ``digitrec.preprocess.to_mnist`` after the ink is cut out (LeCun, Cortes and Burges,
http://yann.lecun.com/exdb/mnist/): "size normalized to fit in a 20x20 pixel box while
preserving their aspect ratio" (``scale_into_box``, after ``crop_to_ink``), "centered in a 28x28
image by computing the center of mass of the pixels" (``centre_by_mass``); and the resampling
helpers (masks, margins, resampling) they share with ``preprocess`` and ``strips``.
"""

from __future__ import annotations

import math

import numpy as np
from PIL import Image
from scipy import ndimage

from digitrec.errors import NoInkError

#: Connected blobs of ink smaller than this share of the largest blob are specks (dust, JPEG
#: artefacts, the dot of a pen put down) and are ignored when the digit is cropped.
SPECK_FRACTION = 0.02

#: Margin left around the ink's bounding box in the "bilevel" step, as a share of its longer side
#: (at least 1 px), so that the grey edges of the strokes are kept when a small crop is enlarged.
CROP_MARGIN = 0.05

#: Side of the box the digit is scaled into, and of the final image (MNIST page, quoted above).
BOX_SIZE = 20
IMAGE_SIZE = 28

#: MNIST's stroke width in pixels of the 28 x 28 image, measured with ``stroke_width`` on the
#: training digits in notebook 08 (which asserts these values): median 2.7 px, 10th percentile
#: 2.0 px. Strokes that would be thinner than ``MIN_STROKE`` after scaling (a fine pen on a large
#: page) are thickened to ``TARGET_STROKE``; thicker strokes are left alone, because MNIST has bold
#: digits too. This step is ours, not MNIST's: NIST's forms were filled in with similar pens.
TARGET_STROKE, MIN_STROKE = 2.7, 2.0

#: Mean centre of mass of the MNIST training digits, in 0-based (row, column) pixel coordinates of
#: the 28 x 28 image: (14.0, 14.0) to 0.01 px, measured in notebook 08 (which asserts it).
MNIST_CENTRE = 14.0


def crop_to_ink(bilevel: np.ndarray) -> np.ndarray:
    """Cut a digit to the bounding box of its ink, thickening strokes thinner than MNIST's.

    Strokes that would be thinner than ``MIN_STROKE`` once the digit is scaled into the 20 x 20
    box (``stroke_width`` of the solid ink, over 0.5) are thickened to ``TARGET_STROKE``: every
    pixel within the missing half-width of the ink (by Euclidean distance) takes the strongest
    level found within that distance (a grey dilation), and the result is cut again.

    Args:
        bilevel: (h, w) float array in [0, 1], 1 for solid ink (``binarise``).

    Returns:
        (h', w') float32 array in [0, 1], whose first and last rows and columns hold ink.

    Raises:
        NoInkError: ``bilevel`` holds no ink.

    """
    bilevel = np.asarray(bilevel, dtype=np.float32)
    cut = bilevel[bounding_box(bilevel > 0)]
    thick, _ = thicken(cut, BOX_SIZE / max(cut.shape))
    return thick[bounding_box(thick > 0)]


def thicken(ink: np.ndarray, scale: float) -> tuple[np.ndarray, int]:
    """Thicken strokes that would be thinner than MNIST's once the image is scaled by ``scale``.

    If the stroke width (``stroke_width`` of the ink over 0.5) times ``scale`` is under
    ``MIN_STROKE``, every pixel within the missing half-width of ``TARGET_STROKE`` (by Euclidean
    distance) takes the strongest level found within that distance: a grey dilation, on the
    image padded by that distance so that no stroke is cut.

    Args:
        ink: (h, w) float array in [0, 1], white ink on black.
        scale: Pixels of the final image per pixel of ``ink`` (e.g. 20 / the digit's longer side).

    Returns:
        (image, pad): the thickened image, float32, padded by ``pad`` pixels on every side, or
        ``ink`` itself and 0 when its strokes are thick enough.

    """
    width = stroke_width(ink > 0.5)
    if width * scale >= MIN_STROKE:
        return ink.astype(np.float32, copy=False), 0
    radius = (TARGET_STROKE / scale - width) / 2
    pad = math.ceil(radius) + 1
    reach = math.ceil(radius)
    offsets = np.mgrid[-reach : reach + 1, -reach : reach + 1]
    disk = np.hypot(*offsets) <= radius
    return ndimage.grey_dilation(np.pad(ink, pad), footprint=disk).astype(np.float32), pad


def scale_into_box(cropped: np.ndarray) -> np.ndarray:
    """Scale a cropped digit so that its longer side is 20 px, keeping its aspect ratio.

    The Lanczos filter gives the edges grey levels, as the anti-aliasing of MNIST's
    normalisation did (MNIST page, quoted at the top of this module).

    Args:
        cropped: (h, w) float array in [0, 1], 1 for solid ink (``crop_to_ink``).

    Returns:
        (height, width) float32 array in [0, 1], ``max(height, width) == BOX_SIZE`` (20) and the
        other side ``round(20 * shorter / longer)``, at least 1.

    """
    scale = BOX_SIZE / max(cropped.shape)
    height = max(1, round(cropped.shape[0] * scale))
    width = max(1, round(cropped.shape[1] * scale))
    box = resize(cropped.astype(np.float32), width, height, Image.Resampling.LANCZOS)
    return np.clip(box, 0.0, 1.0)


def centre_by_mass(box: np.ndarray) -> np.ndarray:
    """Paste a digit into a 28 x 28 black image with its centre of mass where MNIST's is.

    The box is pasted in the middle, then shifted by whole pixels so that the centre of mass of
    its grey levels lands on ``MNIST_CENTRE`` = (14.0, 14.0), 0-based (row, column).

    Args:
        box: (height, width) float array in [0, 1], sides at most ``BOX_SIZE`` (20), holding
            some ink (``scale_into_box``).

    Returns:
        (28, 28) float32 array in [0, 1], white ink on black, like MNIST's images divided by 255.

    Raises:
        ValueError: A side of ``box`` is over 20 px.

    """
    height, width = box.shape
    if max(height, width) > BOX_SIZE:
        raise ValueError(f"the box must fit in {BOX_SIZE} x {BOX_SIZE} px, not {width} x {height}")
    field = np.zeros((IMAGE_SIZE, IMAGE_SIZE), dtype=np.float32)
    top, left = (IMAGE_SIZE - height) // 2, (IMAGE_SIZE - width) // 2
    field[top : top + height, left : left + width] = box
    centre_row, centre_col = ndimage.center_of_mass(field)
    shift = (round(MNIST_CENTRE - centre_row), round(MNIST_CENTRE - centre_col))
    return ndimage.shift(field, shift, order=0, mode="constant", cval=0.0)


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


def bounding_box(mask: np.ndarray) -> tuple[slice, slice]:
    """Return the rows and columns of the smallest rectangle holding all of ``mask``'s ink."""
    rows, cols = np.nonzero(mask)
    if rows.size == 0:
        raise NoInkError("no digit found: the image is blank (no ink differs from the paper)")
    return slice(rows.min(), rows.max() + 1), slice(cols.min(), cols.max() + 1)


def enlarge(crop: np.ndarray, factor: float) -> np.ndarray:
    """Enlarge a small crop of stroke levels by ``factor``, clipped to [0, 1].

    Bicubic, as Pillow's ``Image.Resampling.BICUBIC``: smooth edges, without blocks.
    """
    size = (max(1, round(crop.shape[1] * factor)), max(1, round(crop.shape[0] * factor)))
    return np.clip(resize(crop, *size, Image.Resampling.BICUBIC), 0.0, 1.0)


def block_max(values: np.ndarray, factor: int) -> np.ndarray:
    """Reduce an image by ``factor`` in each direction, keeping the largest value of each block."""
    height = -(-values.shape[0] // factor) * factor
    width = -(-values.shape[1] // factor) * factor
    padded = np.zeros((height, width), dtype=np.float32)
    padded[: values.shape[0], : values.shape[1]] = values
    return padded.reshape(height // factor, factor, width // factor, factor).max(axis=(1, 3))


def resize(values: np.ndarray, width: int, height: int, resample: Image.Resampling) -> np.ndarray:
    """Resize a float image to ``width`` x ``height`` with Pillow (mode "F"); float32 out."""
    image = Image.fromarray(values.astype(np.float32))
    return np.asarray(image.resize((width, height), resample), dtype=np.float32)


def remove_specks(mask: np.ndarray) -> np.ndarray:
    """Drop the blobs of ``mask`` (4-connected) smaller than ``SPECK_FRACTION`` of the largest."""
    labels, count = ndimage.label(mask)
    if count == 0:
        return mask
    sizes = np.bincount(labels.ravel())[1:]
    keep = np.zeros(count + 1, dtype=bool)
    keep[1:] = sizes >= SPECK_FRACTION * sizes.max()
    return keep[labels]


def with_margin(box: tuple[slice, slice], shape: tuple[int, int]) -> tuple[slice, slice]:
    """Widen a bounding box by ``CROP_MARGIN`` of its longer side (>= 1 px), within ``shape``."""
    rows, cols = box
    margin = max(1, round(CROP_MARGIN * max(rows.stop - rows.start, cols.stop - cols.start)))
    return (
        slice(max(0, rows.start - margin), min(shape[0], rows.stop + margin)),
        slice(max(0, cols.start - margin), min(shape[1], cols.stop + margin)),
    )

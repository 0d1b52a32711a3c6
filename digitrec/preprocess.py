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

from digitrec.decode import MAX_PIXELS, ImageSource, load_grey
from digitrec.errors import ImageError as ImageError  # importable from here, as documented
from digitrec.errors import NoInkError

#: Side of the box the digit is scaled into, and of the final image (MNIST page, quoted above).
BOX_SIZE = 20
IMAGE_SIZE = 28

#: Ink must differ from the paper by at least this much (on a 0-1 grey scale) to count as ink.
#: JPEG noise and paper texture stay below 0.1; a pencil line on white paper is about 0.3 or more.
MIN_INK_CONTRAST = 0.2

#: Grey levels of the ink kept by ``binarise`` (on the 0-1 scale of ``ink_on_black``): ink over
#: ``SOLID_INK`` counts as a full stroke (1.0), as the solid black of NIST's bilevel originals;
#: ink from ``FAINT_INK`` up to it keeps a grey level in between, so that the faint strokes of
#: a blurry or low-resolution picture survive instead of vanishing under a hard 0.5 threshold
#: (MNIST's digits are anti-aliased grey themselves); fainter ink is paper. Chosen in notebook 09
#: on self-made sets (MNIST digits shrunk to 8 x 8 or 12 x 12 and blurred re-drawn pictures).
FAINT_INK, SOLID_INK = 0.2, 0.5

#: Connected blobs of ink smaller than this share of the largest blob are specks (dust, JPEG
#: artefacts, the dot of a pen put down) and are ignored when the digit is cropped.
SPECK_FRACTION = 0.02

#: Margin left around the ink's bounding box in the "bilevel" step, as a share of its longer side
#: (at least 1 px), so that the grey edges of the strokes are kept when a small crop is enlarged.
CROP_MARGIN = 0.05

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

#: The steps of ``to_mnist_steps``, in order: the keys of its result. Each is made by one function:
#: ``load_grey``, ``ink_on_black``, ``binarise``, ``crop_to_ink``, ``scale_into_box``,
#: ``centre_by_mass``.
STEPS = ("grey", "ink", "bilevel", "cropped", "box", "mnist")


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


def to_mnist_steps(image: ImageSource, *, max_pixels: int = MAX_PIXELS) -> dict[str, np.ndarray]:
    """Run the MNIST preprocessing and return every intermediate image, keyed by ``STEPS``.

    Each step is one function, whose docstring says what it does and why:

    - ``"grey"``: ``load_grey``, the image in grey levels as it looks;
    - ``"ink"``: ``ink_on_black``, the ink white on black, without the paper's shadows;
    - ``"bilevel"``: ``binarise``, solid strokes white, faint ones grey, no specks, at 80-320 px;
    - ``"cropped"``: ``crop_to_ink``, cut to the ink, thin strokes thickened;
    - ``"box"``: ``scale_into_box``, scaled into 20 x 20 with anti-aliasing;
    - ``"mnist"``: ``centre_by_mass``, in 28 x 28 with the centre of mass at ``MNIST_CENTRE``.

    Args:
        image: A path, a PIL image or an array; see ``load_grey``.
        max_pixels: Largest accepted width x height.

    Returns:
        A dict with the keys of ``STEPS``, in order, of float32 arrays in [0, 1] (``"bilevel"``
        and ``"cropped"`` hold 1 for solid ink, grey levels for faint ink and 0 for paper);
        ``"mnist"`` has shape (28, 28).

    Raises:
        ImageError: The image cannot be read (see ``load_grey``).
        NoInkError: No ink is found: a blank page, or a uniformly dark one.

    """
    grey = load_grey(image, max_pixels=max_pixels)
    ink = ink_on_black(grey)
    bilevel = binarise(ink)
    cropped = crop_to_ink(bilevel)
    box = scale_into_box(cropped)
    images = (grey, ink, bilevel, cropped, box, centre_by_mass(box))
    return {step: x.astype(np.float32, copy=False) for step, x in zip(STEPS, images, strict=True)}


def ink_on_black(grey: np.ndarray) -> np.ndarray:
    """Make the ink white on black, without the paper's colour or its shadows.

    The paper colour is the median of the image's border (``_border``): light paper (dark ink,
    the usual photo or scan) is inverted; a dark background (light ink, like MNIST or a
    chalkboard) is kept. The paper level, a plane fitted to the border (``_background``, so that
    light falling off across a photo vanishes), is subtracted, and the result scaled so that the
    strongest ink is 1.

    Args:
        grey: (H, W) float32 array in [0, 1], 0 black and 1 white (``load_grey``).

    Returns:
        (H, W) float32 array in [0, 1]: 1 for the strongest ink, 0 for the paper.

    Raises:
        NoInkError: No pixel differs from the paper by ``MIN_INK_CONTRAST``: the page is blank
            or uniformly dark.

    """
    ink = 1.0 - grey if np.median(_border(grey)) > 0.5 else grey
    ink = np.clip(ink - _background(ink), 0.0, None)
    contrast = float(ink.max())
    if contrast < MIN_INK_CONTRAST:
        page = "uniformly dark" if np.median(grey) < 0.5 else "blank"
        raise NoInkError(f"no digit found: the image is {page} (no ink differs from the paper)")
    return np.clip(ink / contrast, 0.0, 1.0)


def binarise(ink: np.ndarray) -> np.ndarray:
    """Cut the digit out with its strokes solid, as NIST's originals were, at 80 to 320 px.

    Ink over ``SOLID_INK`` becomes 1, ink from ``FAINT_INK`` to it a grey level in between
    (``strokes``), fainter ink 0. Specks, blobs of ink over ``SOLID_INK`` smaller than
    ``SPECK_FRACTION`` of the largest, are dropped, and so is faint ink not connected to the
    solid ink kept. The image is cut to the bounding box of the ink left, plus a margin of
    ``CROP_MARGIN``. A crop whose longer
    side is under ``WORK_MIN`` is enlarged to it (``_enlarge``), one over ``WORK_MAX`` reduced by
    a whole factor with a maximum filter, so that thin strokes survive (``block_max``).

    Args:
        ink: (H, W) float array in [0, 1], white ink on black (``ink_on_black``).

    Returns:
        (h, w) float32 array in [0, 1], 1 for solid ink; its longer side is from ``WORK_MIN`` to
        ``WORK_MAX``.

    Raises:
        NoInkError: No value is over ``SOLID_INK``.

    """
    mask = remove_specks(ink > SOLID_INK)
    if not mask.any():
        raise NoInkError("no digit found: the image is blank (no ink differs from the paper)")
    labels, _ = ndimage.label(ink > FAINT_INK)
    kept = np.isin(labels, np.unique(labels[mask]))
    window = _with_margin(_bounding_box(kept), ink.shape)
    crop = np.where(kept, strokes(ink), 0.0)[window]
    long_side = max(crop.shape)
    if long_side < WORK_MIN:
        return _enlarge(crop, WORK_MIN / long_side)
    if long_side > WORK_MAX:
        return block_max(crop, math.ceil(long_side / WORK_MAX))
    return crop.astype(np.float32)


def strokes(ink: np.ndarray) -> np.ndarray:
    """Map ink to stroke levels: 0 up to ``FAINT_INK``, 1 from ``SOLID_INK``, linear between.

    With ``FAINT_INK == SOLID_INK`` it is the hard threshold of earlier versions (notebook 09
    compares the two).

    Args:
        ink: Float array in [0, 1] (``ink_on_black``).

    Returns:
        Float32 array of the same shape in [0, 1].

    """
    if SOLID_INK <= FAINT_INK:
        return (ink > SOLID_INK).astype(np.float32)
    return np.clip((ink - FAINT_INK) / (SOLID_INK - FAINT_INK), 0.0, 1.0).astype(np.float32)


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
    cut = bilevel[_bounding_box(bilevel > 0)]
    thick, _ = thicken(cut, BOX_SIZE / max(cut.shape))
    return thick[_bounding_box(thick > 0)]


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
    box = _resize(cropped.astype(np.float32), width, height, Image.Resampling.LANCZOS)
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


def _border(grey: np.ndarray) -> np.ndarray:
    """Return the pixels of a border ring 2 % of the shorter side wide (at least 1 px)."""
    return grey[_ring(grey.shape)]


def _ring(shape: tuple[int, int]) -> np.ndarray:
    """Return a bool mask of ``shape``, True on a ring 2 % of the shorter side wide (>= 1 px)."""
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


def remove_specks(mask: np.ndarray) -> np.ndarray:
    """Drop the blobs of ``mask`` (4-connected) smaller than ``SPECK_FRACTION`` of the largest."""
    labels, count = ndimage.label(mask)
    if count == 0:
        return mask
    sizes = np.bincount(labels.ravel())[1:]
    keep = np.zeros(count + 1, dtype=bool)
    keep[1:] = sizes >= SPECK_FRACTION * sizes.max()
    return keep[labels]


def _bounding_box(mask: np.ndarray) -> tuple[slice, slice]:
    """Return the rows and columns of the smallest rectangle holding all of ``mask``'s ink."""
    rows, cols = np.nonzero(mask)
    if rows.size == 0:
        raise NoInkError("no digit found: the image is blank (no ink differs from the paper)")
    return slice(rows.min(), rows.max() + 1), slice(cols.min(), cols.max() + 1)


def _with_margin(box: tuple[slice, slice], shape: tuple[int, int]) -> tuple[slice, slice]:
    """Widen a bounding box by ``CROP_MARGIN`` of its longer side (>= 1 px), within ``shape``."""
    rows, cols = box
    margin = max(1, round(CROP_MARGIN * max(rows.stop - rows.start, cols.stop - cols.start)))
    return (
        slice(max(0, rows.start - margin), min(shape[0], rows.stop + margin)),
        slice(max(0, cols.start - margin), min(shape[1], cols.stop + margin)),
    )


def _enlarge(crop: np.ndarray, factor: float) -> np.ndarray:
    """Enlarge a small crop of stroke levels by ``factor``, clipped to [0, 1].

    Bicubic, as Pillow's ``Image.Resampling.BICUBIC``: smooth edges, without blocks.
    """
    size = (max(1, round(crop.shape[1] * factor)), max(1, round(crop.shape[0] * factor)))
    return np.clip(_resize(crop, *size, Image.Resampling.BICUBIC), 0.0, 1.0)


def block_max(values: np.ndarray, factor: int) -> np.ndarray:
    """Reduce an image by ``factor`` in each direction, keeping the largest value of each block."""
    height = -(-values.shape[0] // factor) * factor
    width = -(-values.shape[1] // factor) * factor
    padded = np.zeros((height, width), dtype=np.float32)
    padded[: values.shape[0], : values.shape[1]] = values
    return padded.reshape(height // factor, factor, width // factor, factor).max(axis=(1, 3))


def _resize(values: np.ndarray, width: int, height: int, resample: Image.Resampling) -> np.ndarray:
    """Resize a float image to ``width`` x ``height`` with Pillow (mode "F"); float32 out."""
    image = Image.fromarray(values.astype(np.float32))
    return np.asarray(image.resize((width, height), resample), dtype=np.float32)

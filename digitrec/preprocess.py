"""Turn a photo, scan or drawing of one digit into a 28 x 28 image like MNIST's.

A network trained on MNIST has only ever seen digits prepared in one particular way. LeCun,
Cortes and Burges describe it on the MNIST page (http://yann.lecun.com/exdb/mnist/):

    "The original black and white (bilevel) images from NIST were size normalized to fit in a
    20x20 pixel box while preserving their aspect ratio. The resulting images contain grey levels
    as a result of the anti-aliasing technique used by the normalization algorithm. The images
    were centered in a 28x28 image by computing the center of mass of the pixels, and translating
    the image so as to position this point at the center of the 28x28 field."

The digits are white ink (1.0) on black (0.0). ``to_mnist`` reproduces those steps for any image;
``to_mnist_steps`` returns every intermediate image, for notebook 08 to show. This module finds
the ink; the size and position normalisation that follows is ``digitrec.normalise``'s. Files are
read by ``digitrec.decode.load_grey`` (also importable from here, with ``MAX_PIXELS`` and
``ImageError``).
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
from scipy import ndimage

from digitrec.decode import MAX_PIXELS, ImageSource, load_grey
from digitrec.errors import ImageError as ImageError  # importable from here, as documented
from digitrec.errors import NoInkError
from digitrec.normalise import MIN_STROKE as MIN_STROKE  # as notebook 08 reads them
from digitrec.normalise import MNIST_CENTRE as MNIST_CENTRE
from digitrec.normalise import SPECK_FRACTION as SPECK_FRACTION
from digitrec.normalise import TARGET_STROKE as TARGET_STROKE
from digitrec.normalise import (
    block_max,
    bounding_box,
    centre_by_mass,
    crop_to_ink,
    enlarge,
    remove_specks,
    scale_into_box,
    with_margin,
)
from digitrec.normalise import stroke_width as stroke_width

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


@dataclasses.dataclass(frozen=True)
class PreprocessParams:
    """The settings of ``to_mnist`` that an experiment may change; the defaults are the course's.

    Attributes:
        faint_ink: Ink from this level up keeps a grey stroke level (``strokes``).
        solid_ink: Ink over this level is a full stroke. With ``faint_ink == solid_ink`` there
            is no grey level: the hard threshold of earlier versions, which notebook 09 compares.

    """

    faint_ink: float = FAINT_INK
    solid_ink: float = SOLID_INK


#: ``to_mnist`` as before its grey path (notebook 09's comparison): one level, ink over
#: ``SOLID_INK`` is a full stroke and fainter ink is paper (see ``strokes``).
HARD_THRESHOLD = PreprocessParams(faint_ink=SOLID_INK)


#: The digit is binarised at no less than this resolution (its longer side, in pixels), so that
#: scaling it down into the 20 x 20 box makes anti-aliased grey edges as MNIST's have, and at no
#: more (larger crops are reduced first, with a maximum filter so that thin strokes survive).
WORK_MIN, WORK_MAX = 80, 320

#: The steps of ``to_mnist_steps``, in order: the keys of its result. Each is made by one function:
#: ``load_grey``, ``ink_on_black``, ``binarise``, ``crop_to_ink``, ``scale_into_box``,
#: ``centre_by_mass``.
STEPS = ("grey", "ink", "bilevel", "cropped", "box", "mnist")


def to_mnist(
    image: ImageSource, *, max_pixels: int = MAX_PIXELS, params: PreprocessParams | None = None
) -> np.ndarray:
    """Preprocess one image of a digit the way MNIST's digits were prepared.

    See ``to_mnist_steps`` for each step and its source (LeCun, Cortes and Burges, "The MNIST
    database of handwritten digits", http://yann.lecun.com/exdb/mnist/): crop to the ink's
    bounding box, keep the aspect ratio, scale into a 20 x 20 box with anti-aliasing, pad to
    28 x 28 and shift the centre of mass to the centre. Either polarity is accepted (dark ink on
    light paper is detected and inverted), in any size, mode or bit depth.

    Args:
        image: A path, a PIL image or an array (see ``load_grey``).
        max_pixels: Largest accepted width x height.
        params: The settings; default: ``PreprocessParams()``.

    Returns:
        (28, 28) float32 array in [0, 1]: white ink (1) on black (0), like
        ``load_mnist()`` images divided by 255.

    Raises:
        ImageError: The image cannot be read (see ``load_grey``).
        NoInkError: A blank or uniformly dark page, with no digit to read.

    """
    return to_mnist_steps(image, max_pixels=max_pixels, params=params)["mnist"]


def to_mnist_steps(
    image: ImageSource, *, max_pixels: int = MAX_PIXELS, params: PreprocessParams | None = None
) -> dict[str, np.ndarray]:
    """Run the MNIST preprocessing and return every intermediate image, keyed by ``STEPS``.

    Each step is one function, whose docstring says what it does and why (the last three are
    ``digitrec.normalise``'s):

    - ``"grey"``: ``load_grey``, the image in grey levels as it looks;
    - ``"ink"``: ``ink_on_black``, the ink white on black, without the paper's shadows;
    - ``"bilevel"``: ``binarise``, solid strokes white, faint ones grey, no specks, at 80-320 px;
    - ``"cropped"``: ``crop_to_ink``, cut to the ink, thin strokes thickened;
    - ``"box"``: ``scale_into_box``, scaled into 20 x 20 with anti-aliasing;
    - ``"mnist"``: ``centre_by_mass``, in 28 x 28 with the centre of mass at ``MNIST_CENTRE``.

    Args:
        image: A path, a PIL image or an array; see ``load_grey``.
        max_pixels: Largest accepted width x height.
        params: The settings; default: ``PreprocessParams()``.

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
    bilevel = binarise(ink, params)
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


def binarise(ink: np.ndarray, params: PreprocessParams | None = None) -> np.ndarray:
    """Cut the digit out with its strokes solid, as NIST's originals were, at 80 to 320 px.

    Ink over ``solid_ink`` becomes 1, ink from ``faint_ink`` to it a grey level in between
    (``strokes``), fainter ink 0. Specks, blobs of ink over ``solid_ink`` smaller than
    ``SPECK_FRACTION`` of the largest, are dropped, and so is faint ink not connected to the
    solid ink kept. The image is cut to the bounding box of the ink left, plus a margin of
    ``CROP_MARGIN``. A crop whose longer
    side is under ``WORK_MIN`` is enlarged to it (``enlarge``), one over ``WORK_MAX`` reduced by
    a whole factor with a maximum filter, so that thin strokes survive (``block_max``).

    Args:
        ink: (H, W) float array in [0, 1], white ink on black (``ink_on_black``).
        params: ``faint_ink`` and ``solid_ink``; default: ``PreprocessParams()``.

    Returns:
        (h, w) float32 array in [0, 1], 1 for solid ink; its longer side is from ``WORK_MIN`` to
        ``WORK_MAX``.

    Raises:
        NoInkError: No value is over ``solid_ink``.

    """
    params = params or PreprocessParams()
    mask = remove_specks(ink > params.solid_ink)
    if not mask.any():
        raise NoInkError("no digit found: the image is blank (no ink differs from the paper)")
    labels, _ = ndimage.label(ink > params.faint_ink)
    kept = np.isin(labels, np.unique(labels[mask]))
    window = with_margin(bounding_box(kept), ink.shape)
    crop = np.where(kept, strokes(ink, params), 0.0)[window]
    long_side = max(crop.shape)
    if long_side < WORK_MIN:
        return enlarge(crop, WORK_MIN / long_side)
    if long_side > WORK_MAX:
        return block_max(crop, math.ceil(long_side / WORK_MAX))
    return crop.astype(np.float32)


def strokes(ink: np.ndarray, params: PreprocessParams | None = None) -> np.ndarray:
    """Map ink to stroke levels: 0 up to ``faint_ink``, 1 from ``solid_ink``, linear between.

    With ``faint_ink == solid_ink`` it is the hard threshold of earlier versions (notebook 09
    compares the two).

    Args:
        ink: Float array in [0, 1] (``ink_on_black``).
        params: The levels; default: ``PreprocessParams()``.

    Returns:
        Float32 array of the same shape in [0, 1].

    """
    params = params or PreprocessParams()
    faint, solid = params.faint_ink, params.solid_ink
    if solid <= faint:
        return (ink > solid).astype(np.float32)
    return np.clip((ink - faint) / (solid - faint), 0.0, 1.0).astype(np.float32)


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

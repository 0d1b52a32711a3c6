"""Degraded digits: shifts, rotations, thickness, noise, blur and low resolution (notebook 09)."""

from __future__ import annotations

import numpy as np
from PIL import Image
from scipy import ndimage


def low_resolution(digit: np.ndarray, side: int, levels: int = 16) -> np.ndarray:
    """Shrink a 28 x 28 digit to ``side`` x ``side`` and enlarge it back to 28 x 28.

    The box filter shrinks it, ``levels`` grey levels are kept, and bicubic enlarges it: an old
    scan or a thumbnail blown up.

    Args:
        digit: (28, 28) float array in [0, 1] or uint8 array, ink bright on black.
        side: Side of the small image in pixels (8 for the UCI optical digits' resolution).
        levels: Grey levels kept (16 as an old scanner's 4 bits).

    Returns:
        (28, 28) uint8 array.

    """
    values = digit if digit.dtype == np.uint8 else (np.clip(digit, 0, 1) * 255).round()
    small = Image.fromarray(values.astype(np.uint8)).resize((side, side), Image.Resampling.BOX)
    steps = levels - 1
    quantised = (np.round(np.asarray(small) / 255 * steps) / steps * 255).astype(np.uint8)
    return np.asarray(Image.fromarray(quantised).resize((28, 28), Image.Resampling.BICUBIC))


def perturb(x: np.ndarray, kind: str, amount: float, rng: np.random.Generator) -> np.ndarray:
    """Apply one perturbation to a batch of MNIST-like images (N, 28, 28) in [0, 1].

    ``kind`` and ``amount``: "rotation" (degrees), "scale" (factor about the centre), "shift"
    (pixels right and down), "thickness" (pixels of grey dilation, negative: erosion), "noise"
    (sd of Gaussian noise), "blur" (sd in pixels), "resolution" (side k of ``low_resolution``).

    Returns:
        (N, 28, 28) float32 array in [0, 1].

    Raises:
        ValueError: An unknown ``kind``.

    """
    if kind == "rotation":
        out = ndimage.rotate(x, amount, axes=(1, 2), reshape=False, order=1)
    elif kind == "scale":
        out = np.stack(
            [
                ndimage.affine_transform(d, [1 / amount] * 2, offset=14 * (1 - 1 / amount), order=1)
                for d in x
            ]
        )
    elif kind == "shift":
        out = ndimage.shift(x, (0, amount, amount), order=1)
    elif kind == "thickness":
        size = (1, 1 + 2 * int(abs(amount)), 1 + 2 * int(abs(amount)))
        out = ndimage.grey_dilation(x, size) if amount >= 0 else ndimage.grey_erosion(x, size)
    elif kind == "noise":
        out = x + rng.normal(0, amount, x.shape)
    elif kind == "blur":
        out = ndimage.gaussian_filter(x, (0, amount, amount))
    elif kind == "resolution":
        out = np.stack([low_resolution(d, int(amount)) for d in x]) / 255.0
    else:
        raise ValueError(f"unknown perturbation {kind!r}")
    return np.clip(out, 0, 1).astype(np.float32)

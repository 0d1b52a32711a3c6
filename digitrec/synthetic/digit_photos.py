"""Re-draw MNIST ink as a photo of paper: the course's stand-in for a learner's own pictures.

Notebook 08 builds its re-drawn test set with ``redraw``; later notebooks render other ink (for
example a whole number composed of MNIST digits) the same way with ``ink_to_photo``.
"""

from __future__ import annotations

import io

import numpy as np
from PIL import Image, ImageFilter


def ink_to_photo(ink: np.ndarray, rng: np.random.Generator, height: int, page: tuple[int, int]):
    """Render white-on-black ink as a JPEG-decoded photo of dark ink on light paper.

    The ink is enlarged (bicubic) to ``height`` pixels, keeping its aspect ratio, and placed at a
    random position on a page of paper tone 200-255; ink tone 0-90, a Gaussian blur of radius
    0.3-1.5 px, JPEG quality 40-90. Random numbers are drawn in a fixed order from ``rng``, so a
    seeded generator gives the same pictures on every machine.

    Args:
        ink: (H, W) uint8 array, ink bright (255) on black (0), as MNIST stores its digits.
        rng: The random generator to draw paper tone, ink tone, position, blur and quality from.
        height: Height of the enlarged ink in pixels, at most the page height.
        page: (height, width) of the page in pixels; it must hold the enlarged ink.

    Returns:
        A greyscale ("L") PIL image of size ``page``, decoded from JPEG.

    Raises:
        ValueError: If the enlarged ink does not fit on the page.

    """
    width = max(1, round(ink.shape[1] * height / ink.shape[0]))
    if height > page[0] or width > page[1]:
        raise ValueError(f"ink of {height} x {width} px does not fit on a {page} page")
    paper, tone = rng.uniform(200, 255), rng.uniform(0, 90)
    enlarged = np.asarray(Image.fromarray(ink).resize((width, height), Image.Resampling.BICUBIC))
    canvas = np.full(page, paper)
    top = rng.integers(0, page[0] - height) if page[0] > height else 0
    left = rng.integers(0, page[1] - width) if page[1] > width else 0
    canvas[top : top + height, left : left + width] = paper + (tone - paper) * enlarged / 255.0
    image = Image.fromarray(canvas.astype(np.uint8))
    image = image.filter(ImageFilter.GaussianBlur(rng.uniform(0.3, 1.5)))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=int(rng.integers(40, 91)))
    return Image.open(buffer)


def redraw(digit: np.ndarray, rng: np.random.Generator, page: int = 256):
    """Re-draw one MNIST digit as a photo: 40-200 px tall at a random place on a square page.

    Args:
        digit: (28, 28) uint8 MNIST image, ink bright on black.
        rng: The random generator (see ``ink_to_photo`` for what is drawn from it).
        page: Side of the square page in pixels (default 256).

    Returns:
        A greyscale PIL image of ``page`` × ``page`` pixels; ``image.info["digit_size"]`` holds
        the height the digit was drawn at, in pixels.

    """
    size = int(rng.integers(40, 201))
    photo = ink_to_photo(digit, rng, size, (page, page))
    photo.info["digit_size"] = size
    return photo

"""Digits drawn with a pen along hand-made skeletons: the course's sample photos and scans.

They imitate what learners feed the model: a phone photo of a digit on paper (uneven light, paper
grain, blue or black pen, slight tilt, JPEG), a pencil scan in 16-bit grey, a drawing exported
from a canvas with a transparent background, and chalk on a blackboard (light on dark). The pen
strokes follow ``SKELETONS`` with random wobble (a smoothing spline through the wobbled points,
``scipy.interpolate.splprep``); they are synthetic, not photos of real handwriting.
``tools/make_samples.py`` writes ``SAMPLES`` and ``NUMBERS`` to ``images/``; the benchmarks draw
numbers with ``draw``. Every function draws its random numbers from the ``rng`` it is given, in a
fixed order, so a seeded generator makes the same picture on every machine.
"""

from __future__ import annotations

import io

import numpy as np
from PIL import Image, ImageDraw, ImageFilter
from scipy.interpolate import splev, splprep

#: Each digit's skeleton in a unit box (x right, y down): one list of (x, y) points per pen stroke.
SKELETONS = {
    0: [
        [
            (0.5, 0.05),
            (0.2, 0.2),
            (0.12, 0.5),
            (0.22, 0.85),
            (0.5, 0.96),
            (0.78, 0.84),
            (0.88, 0.5),
            (0.8, 0.18),
            (0.52, 0.05),
        ]
    ],
    1: [[(0.44, 0.14), (0.56, 0.04), (0.55, 0.5), (0.54, 0.96)]],
    2: [
        [
            (0.15, 0.28),
            (0.35, 0.06),
            (0.7, 0.08),
            (0.8, 0.3),
            (0.6, 0.6),
            (0.15, 0.94),
            (0.5, 0.92),
            (0.88, 0.93),
        ]
    ],
    3: [
        [
            (0.18, 0.12),
            (0.5, 0.03),
            (0.8, 0.18),
            (0.7, 0.4),
            (0.42, 0.48),
            (0.75, 0.58),
            (0.82, 0.8),
            (0.55, 0.96),
            (0.15, 0.88),
        ]
    ],
    4: [
        [(0.6, 0.04), (0.35, 0.38), (0.12, 0.66), (0.5, 0.66), (0.88, 0.64)],
        [(0.66, 0.3), (0.65, 0.65), (0.64, 0.97)],
    ],
    5: [
        [(0.82, 0.05), (0.5, 0.05), (0.28, 0.06)],
        [
            (0.3, 0.06),
            (0.26, 0.28),
            (0.24, 0.46),
            (0.55, 0.4),
            (0.8, 0.58),
            (0.78, 0.84),
            (0.5, 0.96),
            (0.18, 0.86),
        ],
    ],
    6: [
        [
            (0.72, 0.04),
            (0.4, 0.25),
            (0.2, 0.6),
            (0.3, 0.92),
            (0.62, 0.93),
            (0.78, 0.7),
            (0.55, 0.5),
            (0.25, 0.62),
        ]
    ],
    7: [[(0.12, 0.1), (0.5, 0.07), (0.88, 0.08), (0.65, 0.5), (0.45, 0.96)]],
    8: [
        [
            (0.72, 0.15),
            (0.5, 0.03),
            (0.25, 0.15),
            (0.3, 0.35),
            (0.7, 0.6),
            (0.75, 0.85),
            (0.5, 0.97),
            (0.25, 0.85),
            (0.3, 0.6),
            (0.7, 0.35),
            (0.75, 0.15),
        ]
    ],
    9: [
        [
            (0.78, 0.3),
            (0.55, 0.05),
            (0.25, 0.15),
            (0.25, 0.4),
            (0.55, 0.48),
            (0.78, 0.3),
            (0.72, 0.65),
            (0.66, 0.97),
        ]
    ],
}


def strokes(digit: int, rng: np.random.Generator, size: float, slant: float) -> list[np.ndarray]:
    """Return the pixel paths of a digit's pen strokes, wobbled and slanted.

    Args:
        digit: 0-9, a key of ``SKELETONS``.
        rng: Draws the wobble: a normal offset (sd 1.5 % of the box) per skeleton point.
        size: Height of the digit in pixels; its width is 0.75 of it.
        slant: Shift of the top to the right, as a fraction of the height (0: upright).

    Returns:
        One (200, 2) float array of (x, y) pixel positions per stroke, from the box's corner.

    """
    paths = []
    for stroke in SKELETONS[digit]:
        points = np.array(stroke) + rng.normal(0, 0.015, (len(stroke), 2))
        points[:, 0] += slant * (0.5 - points[:, 1])
        k = min(3, len(points) - 1)
        tck, _ = splprep(points.T, s=0.001, k=k)
        x, y = splev(np.linspace(0, 1, 200), tck)
        paths.append(np.stack([x * 0.75 * size, y * size], axis=1))
    return paths


def draw(digit, rng, canvas, origin, size, width, colour, slant=0.15) -> None:
    """Draw a digit onto a PIL image, in place, with a round pen (a disc stamped along a line).

    Args:
        digit: 0-9.
        rng: The wobble (``strokes``).
        canvas: A PIL image of any mode; ``colour`` must suit it (an int for "L").
        origin: (x, y) of the digit box's top-left corner in pixels.
        size: Digit height in pixels.
        width: Pen width in pixels.
        colour: The ink.
        slant: See ``strokes``.

    """
    pen = ImageDraw.Draw(canvas)
    for path in strokes(digit, rng, size, slant):
        path = path + origin
        pen.line([tuple(p) for p in path], fill=colour, width=width)
        for point in path:
            pen.ellipse([*(point - width / 2), *(point + width / 2)], fill=colour)


def paper(height: int, width: int, rng: np.random.Generator, falloff: float) -> Image.Image:
    """Make an RGB sheet of paper: grain (sd 4 levels), light falling off towards a corner.

    ``falloff``: how much darker the far corner is (0.25: a quarter of the light lost there).
    """
    rows, cols = np.mgrid[0:height, 0:width]
    light = 0.95 - falloff * (rows / height) * (0.4 + cols / width)
    sheet = np.stack([light * 245, light * 240, light * 225], axis=2)
    sheet += rng.normal(0, 4, sheet.shape)
    return Image.fromarray(np.clip(sheet, 0, 255).astype(np.uint8))


def as_photo(canvas: Image.Image, rng: np.random.Generator, tilt: float) -> Image.Image:
    """Tilt (uniform in +-``tilt`` degrees), blur (radius 1.2 px) and JPEG (quality 80) a page."""
    canvas = canvas.rotate(
        rng.uniform(-tilt, tilt), resample=Image.Resampling.BICUBIC, fillcolor=(200, 195, 185)
    ).filter(ImageFilter.GaussianBlur(1.2))
    buffer = io.BytesIO()
    canvas.save(buffer, "JPEG", quality=80)
    return Image.open(buffer)


def photo(digit: int, rng: np.random.Generator, ink: tuple[int, int, int]) -> Image.Image:
    """Make a 720 x 960 RGB phone photo of a pen digit, 380-520 px tall, tilted +-6 degrees."""
    canvas = paper(960, 720, rng, falloff=0.25)
    size = int(rng.uniform(380, 520))
    origin = np.array([rng.uniform(80, 720 - 0.75 * size - 80), rng.uniform(120, 300)])
    draw(digit, rng, canvas, origin, size, width=int(rng.uniform(9, 16)), colour=ink)
    return as_photo(canvas, rng, tilt=6)


def pencil_scan(digit: int, rng: np.random.Generator) -> Image.Image:
    """Make a 900 x 1200 16-bit grey ("I;16") scan of a thin pencil digit, 300 px tall."""
    page = Image.new("L", (900, 1200), 236)
    draw(digit, rng, page, np.array([330.0, 380.0]), 300, width=3, colour=110)
    values = np.asarray(page.filter(ImageFilter.GaussianBlur(0.8)), dtype=np.float64) * 257
    values -= 1500 * np.linspace(0, 1, values.shape[1])  # the scanner lid let light in at one side
    return Image.fromarray(np.clip(values, 0, 65535).astype(np.uint16))


def canvas_drawing(digit: int, rng: np.random.Generator) -> Image.Image:
    """Make a 280 x 280 RGBA web-canvas export: black strokes on a transparent background."""
    image = Image.new("RGBA", (280, 280), (0, 0, 0, 0))
    draw(digit, rng, image, np.array([60.0, 30.0]), 220, width=18, colour=(0, 0, 0, 255))
    return image


def chalkboard(digit: int, rng: np.random.Generator) -> Image.Image:
    """Make a 500 x 500 RGB picture of chalk on a dark green board: light ink on dark."""
    board = np.zeros((500, 500, 3)) + [40, 62, 48] + rng.normal(0, 6, (500, 500, 3))
    image = Image.fromarray(np.clip(board, 0, 255).astype(np.uint8))
    draw(digit, rng, image, np.array([150.0, 60.0]), 360, width=22, colour=(225, 230, 220))
    return image.filter(ImageFilter.GaussianBlur(1.5))


def number_photo(text: str, rng: np.random.Generator, ink, gap=(30, 60)) -> Image.Image:
    """Make a 1200 x 480 RGB phone photo of a number in pen, digits 240 px tall, tilted +-3°.

    Args:
        text: The digits, in writing order (up to 5 fit on the page).
        rng: The random numbers (paper grain, each digit's height on the line and gap, tilt).
        ink: The pen's RGB colour.
        gap: The range of pixels from one digit's box to the next (negative: the boxes overlap,
            and wide digits touch).

    """
    canvas = paper(480, 1200, rng, falloff=0.2)
    size, x = 240.0, 150.0
    for character in text:
        y = 110 + rng.uniform(-12, 12)  # the foot of each digit a little off the line
        draw(int(character), rng, canvas, np.array([x, y]), size, width=12, colour=ink)
        x += 0.75 * size + rng.uniform(*gap)
    return as_photo(canvas, rng, tilt=3)


BLUE_PEN, BLACK_PEN = (30, 50, 150), (25, 25, 30)

#: The sample numbers, ``images/number_<text>_<kind>.png`` (notebooks 10 and 12, the tests):
#: (text, kind, maker of the picture from a generator seeded with ``int(text)``).
NUMBERS = [
    ("2026", "blue_pen", lambda rng: number_photo("2026", rng, ink=BLUE_PEN)),
    ("3850", "touching", lambda rng: number_photo("3850", rng, ink=BLACK_PEN, gap=(-62, -52))),
]

#: The sample digits, ``images/sample_<digit>_<kind>.png`` (notebook 08, the CLI, the tests):
#: (digit, kind, maker of the picture from a generator seeded with the digit).
SAMPLES = [
    (0, "blue_pen", lambda rng: photo(0, rng, ink=BLUE_PEN)),
    (1, "black_pen", lambda rng: photo(1, rng, ink=BLACK_PEN)),
    (2, "blue_pen", lambda rng: photo(2, rng, ink=BLUE_PEN)),
    (3, "pencil_scan_16bit", lambda rng: pencil_scan(3, rng)),
    (4, "black_pen", lambda rng: photo(4, rng, ink=BLACK_PEN)),
    (5, "canvas_rgba", lambda rng: canvas_drawing(5, rng)),
    (6, "blue_pen", lambda rng: photo(6, rng, ink=BLUE_PEN)),
    (7, "chalkboard", lambda rng: chalkboard(7, rng)),
    (8, "black_pen", lambda rng: photo(8, rng, ink=BLACK_PEN)),
    (9, "blue_pen", lambda rng: photo(9, rng, ink=BLUE_PEN)),
]

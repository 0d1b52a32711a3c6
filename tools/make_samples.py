"""Write the sample pictures images/sample_<digit>_<kind>.png and number_<text>_<kind>.png.

They imitate what learners feed the model: a phone photo of a digit on paper (uneven light,
paper grain, blue or black pen, slight tilt, JPEG), a pencil scan in 16-bit grey, a drawing
exported from a canvas with a transparent background, and chalk on a blackboard (light on dark).
The pen strokes follow hand-made skeletons of each digit with random wobble; they are synthetic,
made by this script with a fixed seed, not photos of real handwriting.

Usage: python tools/make_samples.py [--force]   (existing files are kept unless --force)
"""

import argparse
import io
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter
from scipy.interpolate import splev, splprep

ROOT = Path(__file__).resolve().parent.parent

# Skeletons in a unit box (x right, y down), one list of points per pen stroke.
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


def strokes(digit, rng, size, slant):
    """Smooth pixel paths of a digit's strokes, with wobble and slant, `size` px tall."""
    paths = []
    for stroke in SKELETONS[digit]:
        points = np.array(stroke) + rng.normal(0, 0.015, (len(stroke), 2))
        points[:, 0] += slant * (0.5 - points[:, 1])
        k = min(3, len(points) - 1)
        tck, _ = splprep(points.T, s=0.001, k=k)
        x, y = splev(np.linspace(0, 1, 200), tck)
        paths.append(np.stack([x * 0.75 * size, y * size], axis=1))
    return paths


def draw(digit, rng, canvas, origin, size, width, colour, slant=0.15):
    """Draw a digit onto a PIL image with a round pen: a disc stamped along each stroke."""
    pen = ImageDraw.Draw(canvas)
    for path in strokes(digit, rng, size, slant):
        path = path + origin
        pen.line([tuple(p) for p in path], fill=colour, width=width)
        for point in path:
            pen.ellipse([*(point - width / 2), *(point + width / 2)], fill=colour)


def photo(digit, rng, ink):
    """A phone photo of a pen digit on paper: light fall-off, grain, tilt, blur, JPEG."""
    height, width = 960, 720
    rows, cols = np.mgrid[0:height, 0:width]
    light = 0.95 - 0.25 * (rows / height) * (0.4 + cols / width)  # shadow towards a corner
    paper = np.stack([light * 245, light * 240, light * 225], axis=2)
    paper += rng.normal(0, 4, paper.shape)
    canvas = Image.fromarray(np.clip(paper, 0, 255).astype(np.uint8))
    size = int(rng.uniform(380, 520))
    origin = np.array([rng.uniform(80, width - 0.75 * size - 80), rng.uniform(120, 300)])
    draw(digit, rng, canvas, origin, size, width=int(rng.uniform(9, 16)), colour=ink)
    canvas = canvas.rotate(
        rng.uniform(-6, 6), resample=Image.Resampling.BICUBIC, fillcolor=(200, 195, 185)
    ).filter(ImageFilter.GaussianBlur(1.2))
    buffer = io.BytesIO()
    canvas.save(buffer, "JPEG", quality=80)
    return Image.open(buffer)


def pencil_scan(digit, rng):
    """A 16-bit grey scan of a thin pencil digit, small on a large page."""
    page = Image.new("L", (900, 1200), 236)
    draw(digit, rng, page, np.array([330.0, 380.0]), 300, width=3, colour=110)
    values = np.asarray(page.filter(ImageFilter.GaussianBlur(0.8)), dtype=np.float64) * 257
    values -= 1500 * np.linspace(0, 1, values.shape[1])  # the scanner lid let light in at one side
    return Image.fromarray(np.clip(values, 0, 65535).astype(np.uint16))


def canvas_drawing(digit, rng):
    """A drawing exported from a web canvas: black strokes on a transparent background."""
    image = Image.new("RGBA", (280, 280), (0, 0, 0, 0))
    draw(digit, rng, image, np.array([60.0, 30.0]), 220, width=18, colour=(0, 0, 0, 255))
    return image


def chalkboard(digit, rng):
    """Chalk on a dark green board: light ink on a dark background."""
    board = np.zeros((500, 500, 3)) + [40, 62, 48] + rng.normal(0, 6, (500, 500, 3))
    image = Image.fromarray(np.clip(board, 0, 255).astype(np.uint8))
    draw(digit, rng, image, np.array([150.0, 60.0]), 360, width=22, colour=(225, 230, 220))
    return image.filter(ImageFilter.GaussianBlur(1.5))


def number_photo(text, rng, ink, gap=(30, 60)):
    """A phone photo of a number written in pen on paper: light fall-off, grain, tilt, blur,
    JPEG (as ``photo``, on a wider page). ``gap``: the range of pixels from one digit's box to
    the next (negative: the boxes overlap, and wide digits touch)."""
    height, width = 480, 1200
    rows, cols = np.mgrid[0:height, 0:width]
    light = 0.95 - 0.2 * (rows / height) * (0.4 + cols / width)
    paper = np.stack([light * 245, light * 240, light * 225], axis=2)
    paper += rng.normal(0, 4, paper.shape)
    canvas = Image.fromarray(np.clip(paper, 0, 255).astype(np.uint8))
    size, x = 240.0, 150.0
    for character in text:
        y = 110 + rng.uniform(-12, 12)  # the foot of each digit a little off the line
        draw(int(character), rng, canvas, np.array([x, y]), size, width=12, colour=ink)
        x += 0.75 * size + rng.uniform(*gap)
    canvas = canvas.rotate(
        rng.uniform(-3, 3), resample=Image.Resampling.BICUBIC, fillcolor=(200, 195, 185)
    ).filter(ImageFilter.GaussianBlur(1.2))
    buffer = io.BytesIO()
    canvas.save(buffer, "JPEG", quality=80)
    return Image.open(buffer)


#: The sample numbers, images/number_<text>_<kind>.png, for notebooks 10 and 12 and the tests:
#: digits apart, and digits that touch.
NUMBERS = [
    ("2026", "blue_pen", lambda rng: number_photo("2026", rng, ink=(30, 50, 150))),
    (
        "3850",
        "touching",
        lambda rng: number_photo("3850", rng, ink=(25, 25, 30), gap=(-62, -52)),
    ),
]

SAMPLES = [
    (0, "blue_pen", lambda rng: photo(0, rng, ink=(30, 50, 150))),
    (1, "black_pen", lambda rng: photo(1, rng, ink=(25, 25, 30))),
    (2, "blue_pen", lambda rng: photo(2, rng, ink=(30, 50, 150))),
    (3, "pencil_scan_16bit", lambda rng: pencil_scan(3, rng)),
    (4, "black_pen", lambda rng: photo(4, rng, ink=(25, 25, 30))),
    (5, "canvas_rgba", lambda rng: canvas_drawing(5, rng)),
    (6, "blue_pen", lambda rng: photo(6, rng, ink=(30, 50, 150))),
    (7, "chalkboard", lambda rng: chalkboard(7, rng)),
    (8, "black_pen", lambda rng: photo(8, rng, ink=(25, 25, 30))),
    (9, "blue_pen", lambda rng: photo(9, rng, ink=(30, 50, 150))),
]


def main():
    """Write every sample (keeping existing files unless --force)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--force", action="store_true", help="overwrite existing samples")
    args = parser.parse_args()
    for digit, kind, make in SAMPLES:
        path = ROOT / "images" / f"sample_{digit}_{kind}.png"
        if path.exists() and not args.force:
            print(f"kept {path.relative_to(ROOT)} (use --force to overwrite)")
            continue
        make(np.random.default_rng(digit)).save(path, optimize=True)
        print(f"wrote {path.relative_to(ROOT)} ({path.stat().st_size / 1e3:.0f} kB)")
    for text, kind, make in NUMBERS:
        path = ROOT / "images" / f"number_{text}_{kind}.png"
        if path.exists() and not args.force:
            print(f"kept {path.relative_to(ROOT)} (use --force to overwrite)")
            continue
        make(np.random.default_rng(int(text))).save(path, optimize=True)
        print(f"wrote {path.relative_to(ROOT)} ({path.stat().st_size / 1e3:.0f} kB)")


if __name__ == "__main__":
    main()

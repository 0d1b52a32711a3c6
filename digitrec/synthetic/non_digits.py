"""Pictures that are not digits: noise, scribbles, blobs and letters, for notebook 09.

Every generator draws from a ``numpy.random.Generator`` in a fixed order, so a seed gives the same
pictures on every machine; each returns a greyscale PIL image of dark ink on a light 200 x 200
page (or plain noise), to be prepared with ``to_mnist`` like a learner's own picture.
"""

from __future__ import annotations

import string

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

#: Letters that look like digits in some hand or font: O/o/D like 0, I/l/i like 1, Z/z like 2,
#: S/s like 5, b/G like 6, T like 7, B like 8, g/q like 9. Notebook 09 reports them apart.
DIGIT_LIKE = "OoDIliZzSsbGTBgq"

PAGE = 200

#: The letters of notebook 09's evaluation set, capitals first.
LETTERS = string.ascii_uppercase + string.ascii_lowercase

#: How many pictures of each kind of noise and of scribbles notebook 09 evaluates on.
SET_SIZES = {"uniform noise": 100, "Gaussian noise": 100, "scribbles": 200}


def noise_picture(rng: np.random.Generator, kind: str = "uniform") -> Image.Image:
    """Return a 200 x 200 page of uniform (0-255) or Gaussian (mean 128, sd 50) grey noise."""
    if kind == "uniform":
        values = rng.uniform(0, 255, (PAGE, PAGE))
    elif kind == "gaussian":
        values = rng.normal(128, 50, (PAGE, PAGE))
    else:
        raise ValueError(f"kind must be 'uniform' or 'gaussian', not {kind!r}")
    return Image.fromarray(np.clip(values, 0, 255).astype(np.uint8))


def scribble(rng: np.random.Generator) -> Image.Image:
    """2-3 random polylines of 5-9 points, pen 3-11 px, dark on a white 200 x 200 page.

    A doodle, not a digit: a single stroke of 3 points can be a 7, an L or a V, which no
    detector should call "not a digit"; notebook 09 shows such strokes.
    """
    image = Image.new("L", (PAGE, PAGE), 255)
    draw = ImageDraw.Draw(image)
    for _ in range(int(rng.integers(2, 4))):
        points = rng.uniform(20, PAGE - 20, (int(rng.integers(5, 10)), 2))
        width = int(rng.integers(3, 12))
        draw.line([tuple(map(float, p)) for p in points], fill=0, width=width, joint="curve")
    return image


def blobs(rng: np.random.Generator) -> Image.Image:
    """2-6 filled random ellipses and arcs, dark on a white page: outliers for training only."""
    image = Image.new("L", (PAGE, PAGE), 255)
    draw = ImageDraw.Draw(image)
    for _ in range(int(rng.integers(2, 7))):
        x0, y0 = rng.uniform(10, 150, 2)
        x1, y1 = x0 + rng.uniform(10, 50), y0 + rng.uniform(10, 50)
        if rng.random() < 0.5:
            draw.ellipse([x0, y0, x1, y1], fill=int(rng.integers(0, 100)))
        else:
            start = float(rng.uniform(0, 360))
            draw.arc([x0, y0, x1, y1], start, start + 200, fill=0, width=int(rng.integers(3, 10)))
    return image


def letter(char: str, font_file: str, rng: np.random.Generator) -> Image.Image:
    """``char`` rendered from a TrueType font at 110-150 px, dark on a white page, softened.

    Args:
        char: One character.
        font_file: A TrueType file, e.g. ``matplotlib.font_manager.findfont``'s result.
        rng: Draws the size, the position jitter and a blur of 0-1 px.

    """
    font = ImageFont.truetype(font_file, int(rng.integers(110, 151)))
    image = Image.new("L", (PAGE, PAGE), 255)
    jitter = rng.integers(-15, 16, 2)
    ImageDraw.Draw(image).text(
        (100 + jitter[0], 100 + jitter[1]), char, font=font, fill=0, anchor="mm"
    )
    return image.filter(ImageFilter.GaussianBlur(float(rng.uniform(0, 1))))


def sans_fonts() -> list[str]:
    """Return the files of DejaVu Sans (Matplotlib ships it): normal, bold, oblique, bold oblique.

    Returns:
        Four TrueType file paths, in the order notebook 09's letters use them.

    """
    from matplotlib import font_manager

    return [
        font_manager.findfont(font_manager.FontProperties(family="DejaVu Sans", style=s, weight=w))
        for s in ("normal", "oblique")
        for w in ("normal", "bold")
    ]


def evaluation_sets(rng: np.random.Generator, fonts: list[str]) -> dict[str, list[Image.Image]]:
    """Make notebook 09's pictures that hold no digit, drawn from ``rng`` in a fixed order.

    Args:
        rng: The generator (notebook 09 and its solution seed it with 2026).
        fonts: TrueType files for the letters (``sans_fonts()``).

    Returns:
        A dict of lists of greyscale PIL images: ``SET_SIZES`` pictures each of "uniform
        noise", "Gaussian noise" and "scribbles", and under "letters" every one of ``LETTERS``
        in every font, letter by letter.

    """
    sets = {
        "uniform noise": [noise_picture(rng, "uniform") for _ in range(SET_SIZES["uniform noise"])],
        "Gaussian noise": [
            noise_picture(rng, "gaussian") for _ in range(SET_SIZES["Gaussian noise"])
        ],
        "scribbles": [scribble(rng) for _ in range(SET_SIZES["scribbles"])],
    }
    sets["letters"] = [letter(c, f, rng) for c in LETTERS for f in fonts]
    return sets

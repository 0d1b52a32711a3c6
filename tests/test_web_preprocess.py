"""The browser demo's JavaScript preprocessing (web/preprocess.js) against ``digitrec.to_mnist``.

The same strokes are drawn once (Pillow, black pen on white, as on the page's canvas) and
prepared twice: by ``digitrec.to_mnist`` in Python and by ``web/preprocess.js`` in Node.js. The
two 28 x 28 images must agree within ``TOLERANCE`` and the 07 CNN must read the same digit in
both. The strokes take every path of ``to_mnist``: a usual drawing, a fine pen (strokes
thickened), a small digit (enlarged before binarising), a speck beside the digit (dropped).
Should ``to_mnist`` change, this test fails until ``preprocess.js`` follows it.
"""

import json
import math
import os
import shutil
import subprocess

import numpy as np
import pytest
from helpers import ROOT
from PIL import Image, ImageDraw

import digitrec

#: Largest difference allowed between the two images, per pixel (grey levels in [0, 1]).
TOLERANCE = 0.02
SIZE = 280  # the page's canvas, in pixels

SEVEN = [[(0.25, 0.2), (0.75, 0.2), (0.45, 0.85)]]
ONE = [[(0.42, 0.28), (0.55, 0.15), (0.55, 0.85)]]
ZERO = [
    [(0.5 + 0.2 * math.sin(a), 0.5 - 0.32 * math.cos(a)) for a in np.linspace(0, 2 * math.pi, 40)]
]
FOUR = [[(0.6, 0.85), (0.6, 0.15), (0.25, 0.6), (0.75, 0.6)]]
SMALL_THREE = [[(0.42, 0.42), (0.55, 0.42), (0.47, 0.5), (0.56, 0.56), (0.42, 0.62)]]
#: (name, strokes, pen width in px, digit drawn)
DRAWINGS = [
    ("seven", SEVEN, 18, 7),
    ("one", ONE, 18, 1),
    ("zero", ZERO, 18, 0),
    ("four", FOUR, 22, 4),
    ("fine pen seven", SEVEN, 4, 7),
    ("small three", SMALL_THREE, 5, 3),
    ("seven and a speck", SEVEN, 18, 7),
    ("seven with faint strokes", SEVEN, 18, 7),
]
#: A dot of 5 px across, far smaller than 2 % of the digit's ink: ``to_mnist`` drops it.
SPECKS = {"seven and a speck": (0.9, 0.9)}
#: Grey strokes (ink about 0.4, between ``FAINT_INK`` and ``SOLID_INK``): one touching the 7, kept
#: as grey levels, and one apart from it, dropped, by both languages.
FAINT = {"seven with faint strokes": [[(0.45, 0.85), (0.3, 0.9)], [(0.85, 0.3), (0.85, 0.6)]]}
FAINT_GREY = 150

NODE_SCRIPT = """
const {toMnist} = require(process.argv[1]);
const drawings = JSON.parse(require("fs").readFileSync(0, "utf8"));
const grey = (d) => Float64Array.from(d.grey, (v) => v / 255);
const out = drawings.map((d) => Array.from(toMnist(grey(d), d.h, d.w)));
process.stdout.write(JSON.stringify(out));
"""


def draw(strokes, width, speck=None, faint=(), size=SIZE):
    """(size, size) uint8 grey image: black strokes (with round joints) on white paper."""
    image = Image.new("L", (size, size), 255)
    pen = ImageDraw.Draw(image)
    for stroke, tone in [(s, FAINT_GREY) for s in faint] + [(s, 0) for s in strokes]:
        points = [(u * size, v * size) for u, v in stroke]
        pen.line(points, fill=tone, width=width, joint="curve")
        for x, y in (points[0], points[-1]):  # round caps, as the page's pen has
            pen.ellipse([x - width / 2, y - width / 2, x + width / 2, y + width / 2], fill=tone)
    if speck:
        x, y = speck[0] * size, speck[1] * size
        pen.ellipse([x - 2, y - 2, x + 2, y + 2], fill=0)
    return np.asarray(image)


@pytest.fixture(scope="module")
def node():
    found = shutil.which("node")
    if found:
        return found
    if os.environ.get("DIGITREC_REQUIRE_BROWSER") == "1":
        pytest.fail("node is not installed but DIGITREC_REQUIRE_BROWSER=1")
    pytest.skip("node (Node.js) is not installed")


@pytest.fixture(scope="module")
def prepared(node):
    """{name: (to_mnist image, preprocess.js image)} for each of ``DRAWINGS``."""
    greys = [
        draw(strokes, width, SPECKS.get(name), FAINT.get(name, ()))
        for name, strokes, width, _ in DRAWINGS
    ]
    request = [{"grey": g.ravel().tolist(), "h": g.shape[0], "w": g.shape[1]} for g in greys]
    result = subprocess.run(
        [node, "-e", NODE_SCRIPT, str(ROOT / "web" / "preprocess.js")],
        input=json.dumps(request),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    images = np.array(json.loads(result.stdout), dtype=np.float32).reshape(-1, 28, 28)
    return {
        name: (digitrec.to_mnist(grey), js)
        for (name, *_), grey, js in zip(DRAWINGS, greys, images, strict=True)
    }


@pytest.mark.parametrize("name", [name for name, *_ in DRAWINGS])
def test_javascript_gives_the_image_of_to_mnist(prepared, name):
    """The two 28 x 28 images agree pixel by pixel, within ``TOLERANCE``."""
    python, javascript = prepared[name]
    difference = float(np.abs(python - javascript).max())
    assert difference <= TOLERANCE, f"{name}: pixels differ by up to {difference:.3f}"
    assert javascript.min() >= 0 and javascript.max() <= 1 and javascript.max() > 0.9


def test_the_speck_is_dropped(prepared):
    """The drawing with a speck gives the image of the drawing without it, in both languages."""
    python, javascript = prepared["seven and a speck"]
    np.testing.assert_array_equal(python, prepared["seven"][0])
    np.testing.assert_array_equal(javascript, prepared["seven"][1])


def test_the_model_reads_the_same_digits_in_both(prepared):
    model = digitrec.load_model(digitrec.find_model("07_cnn"))
    python = np.stack([p for p, _ in prepared.values()])
    javascript = np.stack([j for _, j in prepared.values()])
    from_python = [p.digit for p in digitrec.predict_arrays(python, model)]
    from_javascript = [p.digit for p in digitrec.predict_arrays(javascript, model)]
    assert from_javascript == from_python
    assert from_python == [digit for *_, digit in DRAWINGS]


def test_a_blank_canvas_is_refused(node):
    script = (
        "const {toMnist} = require(process.argv[1]);"
        "try { toMnist(new Float64Array(100 * 100).fill(1), 100, 100); console.log('no error'); }"
        "catch (e) { console.log(e.message); }"
    )
    result = subprocess.run(
        [node, "-e", script, str(ROOT / "web" / "preprocess.js")],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert result.stdout.strip() == "no digit found: the canvas is blank"
    with pytest.raises(digitrec.NoInkError):
        digitrec.to_mnist(np.full((100, 100), 255, dtype=np.uint8))

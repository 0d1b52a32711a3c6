"""The browser demo's JavaScript preprocessing (web/preprocess.js) against ``digitrec.to_mnist``
and, for the number pad, against ``digitrec.strips.to_strip``.

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

import keras
import numpy as np
import pytest
from helpers import ROOT
from PIL import Image, ImageDraw

import digitrec
from digitrec import ctc, strips

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


def run_node(node, script, greys):
    """Run ``script`` in Node.js on (h, w) uint8 drawings, sent as JSON; return its JSON answer."""
    request = [{"grey": g.ravel().tolist(), "h": g.shape[0], "w": g.shape[1]} for g in greys]
    result = subprocess.run(
        [node, "-e", script, str(ROOT / "web" / "preprocess.js")],
        input=json.dumps(request),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def prepared(node):
    """{name: (to_mnist image, preprocess.js image)} for each of ``DRAWINGS``."""
    greys = [
        draw(strokes, width, SPECKS.get(name), FAINT.get(name, ()))
        for name, strokes, width, _ in DRAWINGS
    ]
    images = np.array(run_node(node, NODE_SCRIPT, greys), dtype=np.float32).reshape(-1, 28, 28)
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


#: Numbers written on the page's number pad (840 x 280): (name, digits' strokes, pen width,
#: left edge of each digit's 280-pixel cell as a share of the pad's width, text). The digits'
#: strokes are those above; "2026"-like spacing, touching digits, a fine pen (thickened) and a
#: small number (no maximum filter: under 80 rows of ink) take every path of ``to_strip``.
NUMBER_PAD = (840, 280)
NUMBERS = [
    ("spaced 714", [SEVEN, ONE, FOUR], 18, [0.0, 0.3, 0.62], "714"),
    ("touching 7170", [SEVEN, ONE, SEVEN, ZERO], 18, [0.0, 0.17, 0.36, 0.6], "7170"),
    ("fine pen 741", [SEVEN, FOUR, ONE], 4, [0.05, 0.3, 0.52], "741"),
]
SMALL_NUMBER = ("small 17", [ONE, SEVEN], 5, [0.3, 0.4], "17")

NODE_STRIP_SCRIPT = """
const {toStrip} = require(process.argv[1]);
const drawings = JSON.parse(require("fs").readFileSync(0, "utf8"));
const out = drawings.map((d) => {
  const strip = toStrip(Float64Array.from(d.grey, (v) => v / 255), d.h, d.w);
  return {w: strip.w, data: Array.from(strip.data)};
});
process.stdout.write(JSON.stringify(out));
"""


def draw_number(digits, width, lefts, scale=1.0):
    """(280, 840) uint8: each digit's strokes drawn in a cell of 280 x 280 pixels, at ``lefts``."""
    pad_width, pad_height = NUMBER_PAD
    cell = pad_height * scale
    strokes = [
        [((left * pad_width + u * cell) / pad_width, (0.5 + (v - 0.5) * scale)) for u, v in stroke]
        for digit, left in zip(digits, lefts, strict=True)
        for stroke in digit
    ]
    image = Image.new("L", NUMBER_PAD, 255)
    pen = ImageDraw.Draw(image)
    for stroke in strokes:
        points = [(u * pad_width, v * pad_height) for u, v in stroke]
        pen.line(points, fill=0, width=width, joint="curve")
        for x, y in (points[0], points[-1]):
            pen.ellipse([x - width / 2, y - width / 2, x + width / 2, y + width / 2], fill=0)
    return np.asarray(image)


@pytest.fixture(scope="module")
def stripped(node):
    """{name: (Python strip padded as read_strip pads it, preprocess.js strip, text)}."""
    cases = [(n, draw_number(d, w, lefts), t) for n, d, w, lefts, t in NUMBERS]
    name, digits, width, lefts, text = SMALL_NUMBER
    cases.append((name, draw_number(digits, width, lefts, scale=0.25), text))
    found = {}
    answers = run_node(node, NODE_STRIP_SCRIPT, [grey for _, grey, _ in cases])
    for (name, grey, text), js in zip(cases, answers, strict=True):
        python = strips.pad_batch([strips.to_strip(grey).pixels])[0, ..., 0]
        found[name] = (python, np.array(js["data"], np.float32).reshape(28, js["w"]), text)
    return found


@pytest.mark.parametrize("name", [case[0] for case in [*NUMBERS, SMALL_NUMBER]])
def test_javascript_gives_the_strip_of_to_strip(stripped, name):
    """The same width, and the same pixels within ``TOLERANCE``."""
    python, javascript, _ = stripped[name]
    assert javascript.shape == python.shape, f"{name}: {javascript.shape} vs {python.shape}"
    difference = float(np.abs(python - javascript).max())
    assert difference <= TOLERANCE, f"{name}: pixels differ by up to {difference:.3f}"


def test_the_ctc_reader_reads_the_same_numbers_in_both(stripped):
    model = digitrec.load_model(digitrec.find_model("12_ctc"))
    for name, (python, javascript, text) in stripped.items():
        texts = [
            ctc.decode(keras.ops.convert_to_numpy(model(s[None, ..., None], training=False)))[0]
            for s in (python, javascript)
        ]
        assert texts == [text, text], f"{name}: read {texts}, written {text}"

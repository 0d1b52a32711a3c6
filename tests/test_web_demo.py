"""End to end: the static browser demo (web/) in a headless Chromium, at a phone's width.

The page is built by ``cd web && npm ci && npm run build`` (``.ci/run`` does it) and served from
``web/dist`` by ``web/serve.py`` on a free local port. The test waits for the model, cuts the
network off (the page must work offline once loaded), draws three digits with the mouse, checks
each answer and that the page's preprocessing gave what ``digitrec.to_mnist`` gives for the same
canvas, and that nothing was fetched from another host and nothing was logged as an error.
Without the build, the test is skipped, except under ``DIGITREC_REQUIRE_BROWSER=1``.
"""

import importlib.util
import os
import threading

import numpy as np
import pytest
from helpers import ROOT

import digitrec
from digitrec import strips

DIST = ROOT / "web" / "dist"
PHONE = {"width": 390, "height": 844}  # a phone's screen, in CSS pixels
#: (digit, strokes): each stroke a list of (u, v) points, 0-1 across and down the drawing pad.
DIGITS = [
    (7, [[(0.25, 0.2), (0.75, 0.2), (0.45, 0.85)]]),
    (1, [[(0.42, 0.28), (0.55, 0.15), (0.55, 0.85)]]),
    (4, [[(0.6, 0.85), (0.6, 0.15), (0.25, 0.6), (0.75, 0.6)]]),
]


@pytest.fixture(scope="module")
def site():
    """Serve web/dist on a free port of 127.0.0.1; yield its URL."""
    if not (DIST / "index.html").is_file():
        message = "web/dist is not built: cd web && npm ci && npm run build"
        if os.environ.get("DIGITREC_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    spec = importlib.util.spec_from_file_location("web_serve", ROOT / "web" / "serve.py")
    serve = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(serve)
    server = serve.make_server(0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


#: A number for the number pad (3 : 1): the strokes of 7, 1 and 4 above, each in a third of it.
NUMBER = ("714", [[(u / 3 + k / 3, v) for u, v in s] for k, (_, d) in enumerate(DIGITS) for s in d])


def draw(page, strokes, steps=12, pad="#pad"):
    """Draw ``strokes`` on the pad with the mouse, point by point."""
    box = page.locator(pad).bounding_box()

    def at(u, v):
        return box["x"] + u * box["width"], box["y"] + v * box["height"]

    for stroke in strokes:
        page.mouse.move(*at(*stroke[0]))
        page.mouse.down()
        for (u0, v0), (u1, v1) in zip(stroke[:-1], stroke[1:], strict=True):
            for t in range(1, steps + 1):
                page.mouse.move(*at(u0 + (u1 - u0) * t / steps, v0 + (v1 - v0) * t / steps))
        page.mouse.up()


def test_drawing_three_digits_offline_at_phone_width(browser, site):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    errors, requests = [], []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("request", lambda request: requests.append(request.url))
    try:
        page.goto(site + "/")
        page.wait_for_selector("body[data-ready=true]", timeout=120_000)
        context.set_offline(True)  # from here on the page must not need the network
        box = page.locator("#pad").bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        model = digitrec.load_model(digitrec.find_model("07_cnn"))
        for digit, strokes in DIGITS:
            page.click("#clear")
            draw(page, strokes)
            page.wait_for_function("document.getElementById('answer').textContent !== ''")
            answer = page.locator("#answer").inner_text()
            assert answer.startswith(f"{digit} ("), f"drew {digit}, the page answered {answer!r}"
            assert page.locator("#probabilities li").count() == 10
            check_preprocessing_matches_python(page, model, digit)
        write_a_number(page)
    finally:
        context.close()
    assert errors == []
    assert all(url.startswith(site + "/") for url in requests), requests


def write_a_number(page):
    """Write ``NUMBER`` on the number pad: the page reads it, from ``to_strip``'s strip."""
    text, strokes = NUMBER
    page.locator("#number-pad").scroll_into_view_if_needed()
    box = page.locator("#number-pad").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    draw(page, strokes, pad="#number-pad")
    page.wait_for_function("document.getElementById('number-answer').textContent !== ''")
    answer = page.locator("#number-answer").inner_text()
    assert answer.startswith(f"{text} (3 digits, least sure "), f"wrote {text}, read {answer!r}"
    grey = np.array(page.evaluate("Array.from(greyLevels(numberPen))"), np.float32)
    shown = page.evaluate("({w: lastStrip.w, data: Array.from(lastStrip.data)})")
    expected = strips.pad_batch([strips.to_strip(grey.reshape(280, 840)).pixels])[0, ..., 0]
    assert expected.shape == (28, shown["w"])
    assert np.abs(np.array(shown["data"]).reshape(28, -1) - expected).max() <= 0.02


def check_preprocessing_matches_python(page, model, digit):
    """The page's 28 x 28 image of its own canvas is ``to_mnist``'s, and reads as ``digit``."""
    grey = np.array(page.evaluate("Array.from(greyLevels())"), dtype=np.float32).reshape(280, 280)
    shown = np.array(page.evaluate("Array.from(window.lastImage)"), dtype=np.float32)
    expected = digitrec.to_mnist(grey)
    assert np.abs(shown.reshape(28, 28) - expected).max() <= 0.02
    assert digitrec.predict_arrays(expected[None], model)[0].digit == digit

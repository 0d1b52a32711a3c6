"""End to end: ``python -m digitrec serve`` driven by a real headless Chromium (Playwright).

Needs Debian's ``chromium`` (``.ci/run`` installs it): the ``browser`` fixture of the root
``conftest.py`` skips the tests without it, except when ``DIGITREC_REQUIRE_BROWSER=1`` (set by
``.ci/run``), where a missing browser is a failure.
"""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def server():
    """Start the demo on a free port of 127.0.0.1; yield its URL; stop it."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "GRADIO_ANALYTICS_ENABLED": "False"}
    process = subprocess.Popen(
        [sys.executable, "-m", "digitrec", "serve", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 180
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    break
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"the demo did not start:\n{process.stdout.read()}")
        time.sleep(0.5)
    yield url
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture
def page(browser, server):
    page = browser.new_page()
    page.goto(server)
    page.wait_for_selector("#answer textarea")
    yield page
    page.close()


def answer(page, timeout=60_000):
    page.wait_for_function(
        "() => document.querySelector('#answer textarea').value !== ''", timeout=timeout
    )
    return page.locator("#answer textarea").input_value()


def upload(page, path):
    page.get_by_role("tab", name="Upload").click()
    page.locator("#upload input[type=file]").set_input_files(str(path))


def test_server_listens_on_localhost_only(server):
    assert server.startswith("http://127.0.0.1:")


def test_uploaded_sample_is_recognised_with_probability_bars(page):
    upload(page, ROOT / "images" / "sample_8_black_pen.png")
    assert answer(page).startswith("8 (")
    bars = page.locator("#probabilities").inner_text()
    assert all(str(digit) in bars for digit in range(10)) and "%" in bars


def test_drawing_a_seven_with_the_mouse(page):
    page.locator("#sketchpad button[aria-label=Brush]").click()
    box = page.locator("#sketchpad canvas").first.bounding_box()
    cx, cy, size = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2, 240

    def at(u, v):
        return cx + (u - 0.5) * size, cy + (v - 0.5) * size

    page.mouse.move(*at(0.25, 0.2))
    page.mouse.down()
    for t in range(1, 21):
        page.mouse.move(*at(0.25 + 0.5 * t / 20, 0.2))
    for t in range(1, 31):
        page.mouse.move(*at(0.75 - 0.3 * t / 30, 0.2 + 0.65 * t / 30))
    page.mouse.up()
    assert answer(page).startswith("7 (")
    page.locator("#sketchpad button[aria-label='Clear canvas']").click()
    page.wait_for_function(
        "() => document.querySelector('#answer textarea').value === ''", timeout=30_000
    )


def test_oversized_upload_is_refused_with_a_message(page, tmp_path):
    big = tmp_path / "big.png"
    noise = np.random.default_rng(0).integers(0, 255, (2200, 2200, 3), dtype=np.uint8)
    Image.fromarray(noise).save(big)  # ~14.5 MB, over the 10 MB limit
    upload(page, big)
    toast = page.locator(".toast-body").first
    toast.wait_for(timeout=30_000)
    assert "exceed the maximum allowed size" in toast.inner_text()
    assert page.locator("#answer textarea").input_value() == ""


@pytest.mark.parametrize(
    "name, words", [("bomb.png", "too large"), ("blank.png", "no digit found")]
)
def test_decompression_bomb_and_blank_page_get_their_messages(page, tmp_path, name, words):
    Image.new("1", (8000, 6000), 1).save(tmp_path / "bomb.png")  # 48 Mpx in ~25 kB
    Image.new("L", (300, 300), 255).save(tmp_path / "blank.png")
    upload(page, tmp_path / name)
    page.locator(".toast-body", has_text=words).wait_for(timeout=30_000)
    assert page.locator("#answer textarea").input_value() == ""

"""End to end: ``python -m digitrec serve`` driven by a real headless Chromium (Playwright).

Needs Debian's ``chromium`` (``.ci/run`` installs it): the ``browser`` fixture of the root
``conftest.py`` skips the tests without it, except when ``DIGITREC_REQUIRE_BROWSER=1`` (set by
``.ci/run``), where a missing browser is a failure.
"""

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from helpers import ROOT, listening_addresses
from PIL import Image

#: The line Gradio prints once its server listens, with the address it was told to bind.
STARTED = re.compile(r"Running on local URL:\s+(http://\S+?)/?$", re.M)


@dataclass
class Demo:
    """The running demo: the URL it printed, the port it was started on, its log."""

    url: str
    port: int
    log: Path

    def log_tail(self, lines=40):
        """The last lines of the demo's output (the root conftest.py adds them to failures)."""
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_served(process, log, deadline):
    """The URL the demo printed, once it answers there; fail if it exits or the deadline passes."""
    while True:
        started = STARTED.search(log.read_text(errors="replace"))
        if started:
            try:
                with urllib.request.urlopen(started.group(1) + "/", timeout=5) as response:
                    if response.status == 200:
                        return started.group(1)
            except OSError:
                pass
        if process.poll() is not None or time.monotonic() > deadline:
            return None
        time.sleep(0.5)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """Start ``python -m digitrec serve`` on a free port (default host); yield a Demo; stop it."""
    port = _free_port()
    log = tmp_path_factory.mktemp("web-demo") / "serve.log"
    env = {
        **os.environ,
        "TF_CPP_MIN_LOG_LEVEL": "3",
        "GRADIO_ANALYTICS_ENABLED": "False",
        "PYTHONUNBUFFERED": "1",  # Gradio's start-up line reaches the log at once
    }
    with open(log, "w") as log_file:
        process = subprocess.Popen(
            [sys.executable, "-m", "digitrec", "serve", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    demo = Demo(url="", port=port, log=log)
    try:
        url = _wait_until_served(process, log, time.monotonic() + 180)
        if url is None:
            pytest.fail(f"the demo did not start (exit code {process.poll()}):\n{demo.log_tail()}")
        demo.url = url
        yield demo
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@pytest.fixture
def page(browser, server):
    page = browser.new_page()
    page.goto(server.url)
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
    """By default the demo binds 127.0.0.1 only: this computer, not the network."""
    assert server.url == f"http://127.0.0.1:{server.port}", f"Gradio printed {server.url}"
    if not os.path.exists("/proc/net/tcp"):
        pytest.skip("the listening sockets are read from Linux's /proc/net/tcp")
    addresses = listening_addresses(server.port)
    assert addresses == {"127.0.0.1"}, f"listening on {addresses}, not on 127.0.0.1 only"


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


@pytest.mark.parametrize("name", ["bomb.png", "blank.png"])
def test_decompression_bomb_and_blank_page_get_their_messages(page, bad_images, tmp_path, name):
    upload(page, tmp_path / name)
    toast = page.locator(".toast-body", has_text=bad_images[name])  # any case: Gradio capitalises
    toast.wait_for(timeout=30_000)
    assert page.locator("#answer textarea").input_value() == ""


def test_writing_a_number_on_the_wide_pad(page):
    """Write 1, 7, 1 side by side on the number pad: the answer is "171 (3 digits)"."""
    pad = page.locator("#number-pad")
    pad.scroll_into_view_if_needed()
    pad.locator("button[aria-label=Brush]").click()
    box = pad.locator("canvas").first.bounding_box()
    top, height = box["y"] + 0.15 * box["height"], 0.7 * box["height"]

    def stroke(points):
        page.mouse.move(*points[0])
        page.mouse.down()
        for start, end in zip(points, points[1:], strict=False):
            for t in range(1, 16):
                page.mouse.move(
                    start[0] + (end[0] - start[0]) * t / 15, start[1] + (end[1] - start[1]) * t / 15
                )
        page.mouse.up()

    def x(u):
        return box["x"] + u * box["width"]

    stroke([(x(0.2), top), (x(0.2), top + height)])
    stroke([(x(0.4), top), (x(0.58), top), (x(0.47), top + height)])
    stroke([(x(0.8), top), (x(0.8), top + height)])
    page.wait_for_function(
        "() => document.querySelector('#number-answer textarea').value.startsWith('171 ')",
        timeout=60_000,
    )
    assert page.locator("#number-answer textarea").input_value() == "171 (3 digits)"

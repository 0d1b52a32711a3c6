"""End to end: notebook 08 in JupyterLab 4, used by a real headless Chromium as a learner would.

A JupyterLab server runs on a copy of ``notebooks/08_your_handwriting.ipynb`` in a temporary
folder laid out like the repository (``data/``, ``model/`` and ``images/`` are links to the
repository's), with its own settings, workspaces and runtime folders and ``DIGITREC_OUTPUT_DIR``
pointing at another temporary folder: JupyterLab autosaves, and the kernel writes figures, so
neither may touch the repository. JupyterLab's settings stay the defaults (widget callbacks run
on a kernel subshell, a second thread of the kernel), except that it does not ask about news.

The test runs all cells, draws a 7 and then a 4 in two strokes on the drawing pad with the
mouse, uploads sample pictures with the Upload button, and checks the answers, the charts, the
cell outputs and JupyterLab's Log console. ``DIGITREC_JLAB_UPLOADS`` sets the number of uploads
(default 3, cycling through the ten samples); ``DIGITREC_SCREENSHOTS``, a folder, receives a
copy of the screenshots. Needs Debian's ``chromium`` (see the ``browser`` fixture of the root
``conftest.py``) and notebook 07's model in ``model/`` (otherwise notebook 08 trains one, which
takes minutes).
"""

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from helpers import ROOT
from helpers import listening_addresses as _listening_addresses

from digitrec import OUTPUT_DIR_ENV

NOTEBOOK = "08_your_handwriting.ipynb"
UPLOADS = int(os.environ.get("DIGITREC_JLAB_UPLOADS", "3"))
# Three different digits and kinds of picture first, then the other samples.
FIRST_UPLOADS = ["sample_7_chalkboard.png", "sample_5_canvas_rgba.png", "sample_0_blue_pen.png"]
SAMPLES = FIRST_UPLOADS + sorted(
    path.name for path in (ROOT / "images").glob("sample_*.png") if path.name not in FIRST_UPLOADS
)
RUN_ALL_TIMEOUT_S = 600  # ~70-120 s on a 2-core CPU; ~6 min more if 07's model must be trained
ANSWER_TIMEOUT_MS = 60_000
VIEWPORT = {"width": 1600, "height": 1000}  # wide enough for the pad at its full 280 x 280 px
PAD_SIZE = 280
PAD_PAUSE_S = 0.7  # DrawingPad.PAUSE: the pad answers this long after the pen is lifted
STROKE_GAP_S = 0.15  # the learner's pause between the two strokes of the 4, well under PAUSE
# Strokes in fractions of the pad (0 left/top, 1 right/bottom), drawn large, as a person does.
STROKES = {
    7: [[(0.2, 0.2), (0.8, 0.2), (0.45, 0.85)]],
    4: [[(0.3, 0.15), (0.2, 0.6), (0.8, 0.6)], [(0.62, 0.3), (0.62, 0.88)]],
}
# Browser console errors that are not the notebook's: the Colab badge, an image on the web.
OFFLINE_ERRORS = ("net::ERR_NAME_NOT_RESOLVED", "net::ERR_INTERNET_DISCONNECTED")


@dataclass
class Lab:
    """A running JupyterLab server."""

    url: str
    token: str
    course: Path
    output: Path
    log: Path
    process: subprocess.Popen

    def tail(self, lines=60):
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def get_json(self, path):
        request = urllib.request.Request(
            self.url + path, headers={"Authorization": f"token {self.token}"}
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.load(response)


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _processes_mentioning(text):
    """Ids of the processes whose command line contains `text` (the kernels of our server)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if text in (entry / "cmdline").read_bytes().decode(errors="replace"):
                    pids.append(int(entry.name))
            except OSError:
                pass
    return pids


def _course_copy(base):
    """A course folder holding notebook 08 (data, model, images linked), and JupyterLab's config.

    The config answers "no" to JupyterLab's question about fetching news, as a learner without
    internet would. Returns (course, output, config) folders.
    """
    course, output, config = base / "course", base / "output", base / "config"
    (course / "notebooks").mkdir(parents=True)
    output.mkdir()
    shutil.copy2(ROOT / "notebooks" / NOTEBOOK, course / "notebooks" / NOTEBOOK)
    for name in ("data", "model", "images"):
        (course / name).symlink_to(ROOT / name, target_is_directory=True)
    notification = config / "settings" / "@jupyterlab" / "apputils-extension"
    notification.mkdir(parents=True)
    (notification / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False})
    )
    return course, output, config


def _start_lab(base, course, output, config):
    """Start JupyterLab on a free port of 127.0.0.1, its output in ``base``; return a Lab."""
    env = {
        **os.environ,
        OUTPUT_DIR_ENV: str(output),
        "JUPYTER_CONFIG_DIR": str(config / "jupyter"),
        "JUPYTERLAB_SETTINGS_DIR": str(config / "settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(config / "workspaces"),
        "JUPYTER_RUNTIME_DIR": str(config / "runtime"),
        "TF_CPP_MIN_LOG_LEVEL": "3",
    }
    port, token = _free_port(), secrets.token_urlsafe(24)
    command = [
        sys.executable, "-m", "jupyter", "lab", "--no-browser", "--allow-root",
        "--ip=127.0.0.1", f"--port={port}", "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={course}",
        "--LabApp.expose_app_in_browser=True", "--LabApp.news_url=None",
    ]  # fmt: skip
    log = base / "jupyterlab.log"
    with open(log, "w") as log_file:
        process = subprocess.Popen(
            command, cwd=course, env=env, stdin=subprocess.DEVNULL, stdout=log_file,
            stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    return Lab(f"http://127.0.0.1:{port}/", token, course, output, log, process)


def _check_started(server, runtime):
    """Wait for the server's runtime file; check it serves the course on 127.0.0.1 only."""
    deadline = time.monotonic() + 120
    while not list(runtime.glob("jpserver-*.json")):
        if server.process.poll() is not None or time.monotonic() > deadline:
            pytest.fail(f"JupyterLab did not start (exit code {server.process.poll()}):\n"
                        f"{server.tail()}")  # fmt: skip
        time.sleep(0.5)
    time.sleep(0.5)  # the file is written in one go, but give it a moment
    info = json.loads(next(runtime.glob("jpserver-*.json")).read_text())
    port = int(server.url.rsplit(":", 1)[1].strip("/"))
    assert (info["hostname"], info["port"], info["url"]) == ("127.0.0.1", port, server.url), (
        f"the server reports {info}, not 127.0.0.1:{port}\n{server.tail()}"
    )
    assert Path(info["root_dir"]).resolve() == server.course.resolve(), info
    reported = f"http://127.0.0.1:{port}/lab"
    assert reported in server.log.read_text(), f"no {reported} in the log:\n{server.tail()}"
    assert server.get_json("api/status")["kernels"] == 0
    if os.path.exists("/proc/net/tcp"):
        addresses = _listening_addresses(port)
        assert addresses == {"127.0.0.1"}, f"listening on {addresses}, not 127.0.0.1 only"


def _stop(process, runtime):
    """Stop the server (SIGTERM shuts its kernels down too), then any kernel left behind."""
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)
    for pid in _processes_mentioning(str(runtime)):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """Start JupyterLab on a copy of notebook 08 on a free port of 127.0.0.1; stop it after."""
    base = tmp_path_factory.mktemp("jupyterlab")
    course, output, config = _course_copy(base)
    server = _start_lab(base, course, output, config)
    try:
        _check_started(server, config / "runtime")
        yield server
    finally:
        _stop(server.process, config / "runtime")


@contextmanager
def _diagnosed(lab, page, console, folder):
    """On failure, add the server log, the browser console and a screenshot to the message."""
    try:
        yield
    except Exception as error:
        try:
            page.screenshot(path=folder / "failure.png", full_page=True)
            shot = f"screenshot: {folder / 'failure.png'}"
        except Exception as screenshot_error:  # a diagnosis must not mask the failure
            shot = f"no screenshot ({screenshot_error})"
        pytest.fail(
            f"{type(error).__name__}: {error}\n\n{shot}\n\n--- JupyterLab log (tail) ---\n"
            f"{lab.tail()}\n\n--- browser console ---\n" + "\n".join(console[-40:])
        )


def _save_screenshot(locator_or_page, tmp_path, name, **options):
    path = tmp_path / name
    locator_or_page.screenshot(path=path, **options)
    if os.environ.get("DIGITREC_SCREENSHOTS"):
        folder = Path(os.environ["DIGITREC_SCREENSHOTS"])
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, folder / name)
    return path


_NOTEBOOK_PANEL = "window.jupyterapp.shell.currentWidget"

_CELL_STATE = f"""() => {{
    const panel = {_NOTEBOOK_PANEL}, cells = panel.content.model.cells;
    const status = panel.sessionContext.session.kernel.status;
    const state = {{pending: 0, last: null, bad: [], status}};
    for (let i = 0; i < cells.length; i++) {{
        const cell = cells.get(i);
        if (cell.type !== 'code') continue;
        if (cell.executionCount === null) state.pending++;
        state.last = cell.executionCount;
        for (let j = 0; j < cell.outputs.length; j++) {{
            const output = cell.outputs.get(j).toJSON();
            if (output.output_type === 'error' ||
                (output.output_type === 'stream' && output.name === 'stderr'))
                state.bad.push(`cell ${{i}}: ${{JSON.stringify(output).slice(0, 2000)}}`);
        }}
    }}
    return state;
}}"""

_LOG_ENTRIES = """() => {
    const console = Array.from(window.jupyterapp.shell.widgets('down'))
        .find(widget => widget.node.classList.contains('jp-LogConsole'));
    const logger = console.content.logger, model = logger.outputAreaModel, entries = [];
    for (let i = 0; i < model.length; i++)
        entries.push({level: model.get(i).level,
                      output: JSON.stringify(model.get(i).toJSON()).slice(0, 2000)});
    return {source: console.content.source, level: logger.level, entries};
}"""

# Records every text of the pad's answer, to see whether one appeared between two strokes.
_WATCH_PAD_ANSWER = """element => {
    window.__padAnswers = [];
    new MutationObserver(() => window.__padAnswers.push(element.textContent.trim()))
        .observe(element, {childList: true, characterData: true, subtree: true});
}"""


def _check_outputs(page):
    """No cell output is an error or stderr, in the notebook's model and on the page."""
    state = page.evaluate(_CELL_STATE)
    assert not state["bad"], "error outputs:\n" + "\n".join(state["bad"])
    shown = page.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')
    assert shown.count() == 0, shown.all_inner_texts()
    broken = page.get_by_text("Error displaying widget")
    assert broken.count() == 0, broken.all_inner_texts()


def _run_all(page, lab):
    page.evaluate("""async () => {
        await window.jupyterapp.commands.execute('notebook:clear-all-cell-outputs');
        window.jupyterapp.commands.execute('notebook:run-all-cells');
    }""")
    started, deadline = time.monotonic(), time.monotonic() + RUN_ALL_TIMEOUT_S
    while True:
        state = page.evaluate(_CELL_STATE)
        assert not state["bad"], "a cell failed:\n" + "\n".join(state["bad"])
        if state["pending"] == 0 and state["last"] is not None and state["status"] == "idle":
            return time.monotonic() - started
        assert lab.process.poll() is None, "JupyterLab stopped"
        if time.monotonic() > deadline:  # a time-out, not a speed claim
            pytest.fail(f"run-all unfinished after {RUN_ALL_TIMEOUT_S} s: {state}")
        time.sleep(1)


def _draw(page, canvas, strokes, gap_s):
    """Draw `strokes` with the mouse; return the longest pen-up time between two strokes."""
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    assert abs(box["width"] - PAD_SIZE - 2) <= 1 and abs(box["height"] - PAD_SIZE - 2) <= 1, (
        f"the pad is shown at {box['width']} x {box['height']} CSS px, not {PAD_SIZE} + border"
    )

    def at(u, v):  # inside the 1 px border
        return box["x"] + 1 + u * PAD_SIZE, box["y"] + 1 + v * PAD_SIZE

    longest_gap, lifted = 0.0, None
    for stroke in strokes:
        page.mouse.move(*at(*stroke[0]))
        if lifted is not None:
            time.sleep(max(0.0, gap_s - (time.monotonic() - lifted)))
        page.mouse.down()
        if lifted is not None:
            longest_gap = max(longest_gap, time.monotonic() - lifted)
        for point in stroke[1:]:
            page.mouse.move(*at(*point), steps=15)
        page.mouse.up()
        lifted = time.monotonic()
    return longest_gap


def _wait_for_text(page, selector, words, timeout=ANSWER_TIMEOUT_MS):
    page.wait_for_function(
        "([selector, words]) => document.querySelector(selector).textContent.includes(words)",
        arg=[selector, words],
        timeout=timeout,
    )
    return page.locator(selector).inner_text().strip()


def _wait_for_new_picture(page, image, previous_src):
    """The Image widget shows a new, decoded, visible picture; return its src."""
    image.wait_for(state="visible", timeout=ANSWER_TIMEOUT_MS)
    page.wait_for_function(
        """([element, previous]) => element.src && element.src !== previous &&
               element.complete && element.naturalWidth > 0""",
        arg=[image.element_handle(), previous_src],
        timeout=ANSWER_TIMEOUT_MS,
    )
    assert image.is_visible()
    return image.get_attribute("src")


def _open_notebook(page, lab):
    """Open notebook 08 in JupyterLab; check its kernel is this Python, with subshells."""
    page.goto(f"{lab.url}lab/tree/notebooks/{NOTEBOOK}?token={lab.token}")
    page.wait_for_function(
        f"""() => window.jupyterapp && {_NOTEBOOK_PANEL} && {_NOTEBOOK_PANEL}.context &&
            {_NOTEBOOK_PANEL}.context.path.endsWith('{NOTEBOOK}')""",
        timeout=120_000,
    )
    kernel = page.evaluate(f"""async () => {{
        const panel = {_NOTEBOOK_PANEL};
        await panel.context.ready;
        await panel.sessionContext.ready;
        const kernel = panel.sessionContext.session.kernel;
        await kernel.info;
        const reply = await kernel.requestExecute({{
            code: '', silent: true, store_history: false,
            user_expressions: {{python: "__import__('sys').executable",
                                prefix: "__import__('sys').prefix"}}}}).done;
        const value = name => reply.content.user_expressions[name].data['text/plain'];
        return {{name: kernel.name, subshells: kernel.supportsSubshells,
                 comms: kernel.commsOverSubshells,
                 python: value('python'), prefix: value('prefix')}};
    }}""")
    assert kernel["name"] == "python3"
    assert os.path.realpath(kernel["python"].strip("'")) == os.path.realpath(sys.executable), kernel
    assert kernel["prefix"].strip("'") == sys.prefix, kernel
    # Widget comms on a kernel subshell (JupyterLab's default): callbacks on a 2nd thread.
    assert kernel["subshells"], "the kernel does not offer subshells"
    assert kernel["comms"] == "perCommTarget", kernel


def _log_console_empty_then_debug(page):
    """The Log console, at its default level (Warning), has nothing; then set it to Debug.

    From then on it keeps every output: the widgets' callbacks must print none, also not from
    the pad's timer thread, whose output Warning would not show.
    """
    page.evaluate("() => window.jupyterapp.commands.execute('logconsole:open')")
    page.locator(".jp-LogConsolePanel").wait_for()
    log = page.evaluate(_LOG_ENTRIES)
    assert log["source"] == f"notebooks/{NOTEBOOK}" and log["level"] == "warning", log
    assert log["entries"] == [], log["entries"]
    page.locator(".jp-LogConsole .jp-Toolbar select").select_option("debug")
    page.evaluate("() => window.jupyterapp.commands.execute('logconsole:clear')")
    assert page.evaluate(_LOG_ENTRIES)["level"] == "debug"


def _the_pad(page):
    """Return the drawing pad's output (the cell after "Draw here"), canvas and picture."""
    index = page.evaluate(f"""() => {{
        const cells = {_NOTEBOOK_PANEL}.content.model.cells;
        for (let i = 0; i < cells.length; i++)
            if (cells.get(i).type === 'markdown' &&
                cells.get(i).sharedModel.getSource().startsWith('Draw here')) return i + 1;
        return -1;
    }}""")
    assert index > 0, "no markdown cell 'Draw here'"
    pad = page.locator(".jp-Notebook .jp-Cell").nth(index).locator(".jp-OutputArea-output")
    assert pad.locator(".digitrec-pad-answer").count() == 1, pad.inner_text()
    assert pad.locator("canvas").count() == 1
    return pad, pad.locator("canvas"), pad.locator("img.widget-image")


def _clear(page, pad, answer):
    pad.get_by_role("button", name="Clear").click()
    page.wait_for_function(f"() => document.querySelector('{answer}').textContent.trim() === ''")


def _draw_a_seven(page, tmp_path, timings):
    """Draw a 7 on the cleared pad: it answers 7 and shows the picture it read."""
    pad, canvas, picture = _the_pad(page)
    answer = ".digitrec-pad-answer"
    _clear(page, pad, answer)
    assert not picture.is_visible()
    src = picture.get_attribute("src")
    started = time.monotonic()
    _draw(page, canvas, STROKES[7], STROKE_GAP_S)
    text = _wait_for_text(page, answer, "prediction")
    timings["pad answer (7)"] = time.monotonic() - started
    assert "your drawing: prediction 7 (" in text, text
    _wait_for_new_picture(page, picture, src)
    _save_screenshot(pad, tmp_path, "jupyterlab_pad_7.png")


def _draw_a_four_in_two_strokes(page, tmp_path, timings):
    """Draw a 4 in two strokes: one answer, 4, after the second stroke only."""
    pad, canvas, _ = _the_pad(page)
    answer = ".digitrec-pad-answer"
    _clear(page, pad, answer)
    page.locator(answer).evaluate(_WATCH_PAD_ANSWER)
    gap = _draw(page, canvas, STROKES[4], STROKE_GAP_S)
    timings["pen up between the strokes of the 4"] = gap
    assert gap < 0.3, f"the pen was up {gap:.2f} s between the strokes of the 4"
    text = _wait_for_text(page, answer, "prediction")
    assert "your drawing: prediction 4 (" in text, text
    time.sleep(PAD_PAUSE_S + 0.5)  # a late second answer would show up here
    answers = [a for a in page.evaluate("() => window.__padAnswers") if a]
    assert answers == [text], f"the pad answered {answers} for one 4 in two strokes"
    _save_screenshot(pad, tmp_path, "jupyterlab_pad_4.png")


def _upload_samples(page, tmp_path, timings):
    """Upload ``UPLOADS`` sample pictures one by one: each is answered and shown."""
    view = page.locator(".jp-OutputArea-output:has(.digitrec-upload-answer)")
    assert view.count() == 1
    button, answer = view.locator("button.widget-upload"), ".digitrec-upload-answer"
    picture = view.locator("img.widget-image")
    src = picture.get_attribute("src")
    started = time.monotonic()
    for number in range(UPLOADS):
        name = SAMPLES[number % len(SAMPLES)]
        digit = int(name.split("_")[1])
        button.scroll_into_view_if_needed()
        with page.expect_file_chooser() as chooser:
            button.click()
        chooser.value.set_files(ROOT / "images" / name)
        text = _wait_for_text(page, answer, f"{name}: ")
        assert re.fullmatch(rf"{re.escape(name)}: prediction {digit} \(\d+\.\d%\)", text), (
            f"upload {number + 1}: {text!r}"
        )
        src = _wait_for_new_picture(page, picture, src)
        assert button.inner_text().strip() == "Upload (1)"
    timings[f"{UPLOADS} uploads"] = time.monotonic() - started
    _save_screenshot(view, tmp_path, "jupyterlab_upload.png")


def _nothing_went_wrong(page, lab, console, tmp_path):
    """Subshells were used; no error output, Log console entry, server or browser error."""
    subshells = page.evaluate(f"""async () => (await {_NOTEBOOK_PANEL}.sessionContext
        .session.kernel.requestListSubshell({{}}).done).content.subshell_id""")
    assert subshells, "the widgets' comms did not use a kernel subshell"
    _check_outputs(page)
    page.wait_for_timeout(500)
    log = page.evaluate(_LOG_ENTRIES)
    assert log["source"] == f"notebooks/{NOTEBOOK}" and log["level"] == "debug", log
    entries = [e for e in log["entries"] if e["level"] != "metadata"]
    assert entries == [], "the Log console shows:\n" + "\n".join(map(str, entries))
    assert page.locator(".jp-LogConsolePanel").get_by_text("No log messages.").is_visible()
    _save_screenshot(page, tmp_path, "jupyterlab_log_console.png")
    server_log = lab.log.read_text(errors="replace")
    for words in ("Traceback", "restarting kernel", "KernelRestarter"):
        assert words not in server_log, f"{words!r} in the JupyterLab log"
    errors = [
        line for line in console
        if line.startswith(("error", "pageerror")) and not line.endswith(OFFLINE_ERRORS)
    ]  # fmt: skip
    assert errors == [], "browser console errors:\n" + "\n".join(errors)


def test_notebook_08_in_jupyterlab(browser, lab, tmp_path):
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    console = []
    page.on("console", lambda message: console.append(f"{message.type}: {message.text}"))
    page.on("pageerror", lambda error: console.append(f"pageerror: {error}"))
    page.set_default_timeout(60_000)
    timings = {}
    try:
        with _diagnosed(lab, page, console, tmp_path):
            _open_notebook(page, lab)
            timings["run all"] = _run_all(page, lab)
            _check_outputs(page)
            assert (lab.output / "images" / "08_samples.png").is_file(), "figures not redirected"
            _log_console_empty_then_debug(page)
            _draw_a_seven(page, tmp_path, timings)
            _draw_a_four_in_two_strokes(page, tmp_path, timings)
            _upload_samples(page, tmp_path, timings)
            _nothing_went_wrong(page, lab, console, tmp_path)
    finally:
        print(f"timings (s): { {k: round(v, 1) for k, v in timings.items()} }")
        context.close()

"""Test-wide settings.

The notebooks write figures and models. Under test they write them to a temporary
folder (``DIGITREC_OUTPUT_DIR``), so that running the suite never changes the
committed ``images/`` and ``model/``. The variable is set here, at import time,
before nbval starts any notebook kernel, so the kernels inherit it.
"""

import os
import shutil
import tempfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from digitrec import OUTPUT_DIR_ENV, course_paths

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
#: Chromium's switches for the end-to-end tests: headless, offline, no first-run chores.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
_OUTPUT_DIR = tempfile.mkdtemp(prefix="digitrec-test-output-")
os.environ[OUTPUT_DIR_ENV] = _OUTPUT_DIR
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


#: The notebooks that train for minutes. Under ``-n 2`` (pyproject.toml) they form one group,
#: run one after the other by one test process, so that two trainings never share the two cores
#: of CI while the other process runs everything else. Notebook 13 and its solutions train in
#: processes of their own, whose all-reduce can stall when another training takes the cores
#: (``digitrec.distributed.COLLECTIVE_TIMEOUT_S``).
TRAINING = [
    "notebooks/07_convolutional.ipynb",
    "notebooks/12_reading_with_ctc.ipynb",
    "notebooks/06_better_dense.ipynb",
    "notebooks/13_training_on_many_devices.ipynb",
    "notebooks/solutions/13_training_on_many_devices.ipynb",
]
#: The other files that take minutes, slowest first (CI's run on 2 cores, 2026-12-03). They start
#: first, so that the two test processes end at about the same time instead of one finishing a
#: long notebook alone. The rest keep pytest's order.
SLOWEST_FIRST = [
    *TRAINING,
    "notebooks/09_trusting_predictions.ipynb",
    "notebooks/10_reading_numbers.ipynb",
    "tests/test_backends.py",
    "notebooks/solutions/10_reading_numbers.ipynb",
    "notebooks/solutions/12_reading_with_ctc.ipynb",
    "tests/test_jupyterlab_e2e.py",
    "notebooks/05_numpy_from_scratch.ipynb",
    "notebooks/solutions/06_better_dense.ipynb",
    "tests/test_notebooks.py",
    "tests/test_web_e2e.py",
    "notebooks/08_your_handwriting.ipynb",
    "notebooks/03_first_network.ipynb",
    "notebooks/14_inside_keras.ipynb",
]


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the groups
def pytest_collection_modifyitems(config, items):
    """Order the files (``SLOWEST_FIRST``) and give each a test process of its own.

    ``--dist loadgroup`` sends each ``xdist_group`` to one process, in the order of collection:
    every file is a group (a notebook's cells run in one kernel, in order), except ``TRAINING``,
    which is one group. A stable sort keeps the order within a file.
    """
    rank = {name: index for index, name in enumerate(SLOWEST_FIRST)}

    def file_of(item):
        return item.path.relative_to(config.rootpath).as_posix()

    items.sort(key=lambda item: rank.get(file_of(item), len(rank)))
    for item in items:
        group = "training" if file_of(item) in TRAINING else file_of(item)
        item.add_marker(pytest.mark.xdist_group(group))


def pytest_sessionfinish():
    """Remove the temporary output folder."""
    shutil.rmtree(_OUTPUT_DIR, ignore_errors=True)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item):
    """Add to a failed test's report the log of each server it used.

    A server is a fixture value with a ``log_tail()`` method (``tests/test_web_e2e.py``'s demo).
    """
    report = yield
    if report.failed:
        for name, value in getattr(item, "funcargs", {}).items():
            if callable(getattr(value, "log_tail", None)):
                report.sections.append((f"log of the {name!r} fixture", value.log_tail()))
    return report


@pytest.fixture(scope="session")
def mnist_file(request) -> Path:
    """Return the path of the committed offline copy of MNIST.

    The repository root is pytest's root folder (the one of pyproject.toml).
    """
    return course_paths(request.config.rootpath).mnist_file


@pytest.fixture
def bad_images(tmp_path) -> dict[str, str]:
    """Write the unusable inputs of issue 4 into ``tmp_path``.

    Returns:
        {file name in tmp_path: words that its one-line error message must contain}.

    """
    noise = Image.fromarray(np.random.default_rng(0).integers(0, 255, (200, 200), dtype=np.uint8))
    noise.save(tmp_path / "noise.png")
    noise.save(tmp_path / "noise.jpg")
    png, jpg = (tmp_path / "noise.png").read_bytes(), (tmp_path / "noise.jpg").read_bytes()
    (tmp_path / "truncated.png").write_bytes(png[: len(png) // 2])
    (tmp_path / "truncated.jpg").write_bytes(jpg[: len(jpg) // 2])
    (tmp_path / "empty.png").write_bytes(b"")
    (tmp_path / "text.png").write_text("this is not an image\n")
    (tmp_path / "scans").mkdir()
    Image.new("1", (8000, 6000), 1).save(tmp_path / "bomb.png")  # 48 Mpx in a ~25 kB file
    Image.new("L", (300, 200), 250).save(tmp_path / "blank.png")
    Image.new("RGB", (300, 200), (0, 0, 0)).save(tmp_path / "black.jpg")
    return {
        "missing.png": "no such file",
        "scans": "folder",
        "empty.png": "empty",
        "text.png": "not an image",
        "truncated.png": "truncated",
        "truncated.jpg": "truncated",
        "bomb.png": "too large",
        "blank.png": "no digit found: the image is blank",
        "black.jpg": "no digit found: the image is uniformly dark",
    }


@pytest.fixture(scope="session")
def chromium_executable() -> str:
    """Return the path of Debian's ``chromium`` for the end-to-end tests.

    Without it the tests that need it are skipped, except when ``DIGITREC_REQUIRE_BROWSER=1``
    (set by ``.ci/run``), where a missing browser is a failure.
    """
    if CHROMIUM:
        return CHROMIUM
    if os.environ.get("DIGITREC_REQUIRE_BROWSER") == "1":
        pytest.fail("chromium is not installed but DIGITREC_REQUIRE_BROWSER=1")
    pytest.skip("chromium is not installed (apt-get install chromium)")


@pytest.fixture(scope="session")
def browser(chromium_executable):
    """Yield a headless Chromium driven by Playwright (sync API), shared by the session."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=chromium_executable, headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()

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

import pytest

from digitrec import OUTPUT_DIR_ENV

ROOT = Path(__file__).resolve().parent
_OUTPUT_DIR = tempfile.mkdtemp(prefix="digitrec-test-output-")
os.environ[OUTPUT_DIR_ENV] = _OUTPUT_DIR
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def pytest_sessionfinish(session, exitstatus):
    """Remove the temporary output folder."""
    shutil.rmtree(_OUTPUT_DIR, ignore_errors=True)


@pytest.fixture(scope="session")
def mnist_file() -> Path:
    """Return the path of the committed offline copy of MNIST."""
    return ROOT / "data" / "mnist.npz"

"""Specification of the package itself: its version is the one pyproject.toml declares."""

import subprocess
import sys
from pathlib import Path

from helpers import ROOT, pyproject

import digitrec


def test_version_is_read_from_the_installed_metadata_of_pyproject():
    declared = pyproject()["project"]["version"]
    assert digitrec.__version__ == declared
    init = Path(digitrec.__file__).read_text(encoding="utf-8")
    assert declared not in init, "write the version once, in pyproject.toml"


def test_importing_the_package_does_not_import_keras_or_tensorflow():
    """Keras is imported when a model is first loaded: the package imports fast, even on Colab."""
    code = (
        "import sys, digitrec, digitrec.prediction, digitrec.preprocess, digitrec.decode\n"
        "print(sorted({'keras', 'tensorflow'} & set(sys.modules)))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"

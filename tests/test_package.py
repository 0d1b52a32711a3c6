"""Specification of the package itself: its version is the one pyproject.toml declares."""

import re
from pathlib import Path

import digitrec

PYPROJECT = (Path(__file__).resolve().parent.parent / "pyproject.toml").read_text(encoding="utf-8")


def test_version_is_read_from_the_installed_metadata_of_pyproject():
    declared = re.search(r'^version = "([^"]+)"', PYPROJECT, re.M).group(1)
    assert digitrec.__version__ == declared
    init = Path(digitrec.__file__).read_text(encoding="utf-8")
    assert declared not in init, "write the version once, in pyproject.toml"

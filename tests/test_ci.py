"""The test run's own set-up: conftest.py's order of the slow files."""

from pathlib import Path

from conftest import SLOWEST_FIRST

ROOT = Path(__file__).resolve().parents[1]


def test_every_slow_file_exists_once():
    assert len(set(SLOWEST_FIRST)) == len(SLOWEST_FIRST)
    missing = [name for name in SLOWEST_FIRST if not (ROOT / name).is_file()]
    assert not missing, f"conftest.SLOWEST_FIRST names files that do not exist: {missing}"

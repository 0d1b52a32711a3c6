"""The test run's own set-up: conftest.py's order and groups of the slow files."""

from pathlib import Path

from conftest import SLOWEST_FIRST, TRAINING

ROOT = Path(__file__).resolve().parents[2]


def test_every_slow_file_exists_once():
    assert len(set(SLOWEST_FIRST)) == len(SLOWEST_FIRST)
    missing = [name for name in SLOWEST_FIRST if not (ROOT / name).is_file()]
    assert not missing, f"conftest.SLOWEST_FIRST names files that do not exist: {missing}"


def test_each_file_is_one_group_and_the_trainings_share_one(request):
    groups = {}
    for item in request.session.items:
        mark = item.get_closest_marker("xdist_group")
        assert mark is not None, item.nodeid
        groups.setdefault(mark.args[0], set()).add(item.path.relative_to(ROOT).as_posix())
    assert groups.get("training", set()) <= set(TRAINING)
    assert all(files == {name} for name, files in groups.items() if name != "training")

"""``digitrec.notebook``: the Setup every notebook runs (versions, seeds, folders, save_fig)."""

import random

import keras
import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest

import digitrec
from digitrec.notebook import FIGURE_DPI, check_versions

matplotlib.use("Agg")


def test_same_seed_same_random_numbers(tmp_path):
    draws = []
    for _ in range(2):
        digitrec.setup_notebook(seed=7, cwd=tmp_path)
        draws.append((random.random(), np.random.rand(), float(keras.random.uniform(()))))
    assert draws[0] == draws[1]
    digitrec.setup_notebook(seed=8, cwd=tmp_path)
    assert np.random.rand() != draws[0][1]


def test_paths_are_the_course_paths(tmp_path):
    (tmp_path / "notebooks").mkdir()
    paths, _ = digitrec.setup_notebook(cwd=tmp_path / "notebooks")
    assert paths == digitrec.course_paths(tmp_path / "notebooks")


def test_save_fig_writes_a_png_into_images(tmp_path, monkeypatch):
    monkeypatch.delenv(digitrec.OUTPUT_DIR_ENV, raising=False)
    paths, save_fig = digitrec.setup_notebook(cwd=tmp_path)
    fig, ax = plt.subplots(figsize=(2, 1))
    ax.plot([0, 1])
    save_fig(fig, "line")
    plt.close(fig)
    written = paths.images / "line.png"
    assert written.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert FIGURE_DPI == 110


@pytest.mark.parametrize(
    ("found", "message"),
    [
        ({"keras": "2.15.0"}, "keras >= 3.0, found 2.15.0"),
        ({"keras": "3.13.2", "tensorflow": "2.15.1"}, "tensorflow >= 2.16, found 2.15.1"),
    ],
)
def test_old_versions_are_one_line_errors(found, message):
    with pytest.raises(RuntimeError, match=message) as raised:
        check_versions(found)
    assert "\n" not in str(raised.value)


def test_current_and_unknown_packages_pass():
    check_versions({"keras": keras.__version__, "tensorflow": "2.20.0", "numpy": "0.1"})


def test_needs_adds_and_raises_minimums(tmp_path):
    digitrec.setup_notebook(needs={"numpy": "1.24", "keras": "3.0"}, cwd=tmp_path)
    with pytest.raises(RuntimeError, match=r"keras >= 99\.0, found "):
        digitrec.setup_notebook(needs={"keras": "99.0"}, cwd=tmp_path)
    with pytest.raises(RuntimeError, match="needs no-such-package, which is not installed"):
        digitrec.setup_notebook(needs={"no-such-package": "1.0"}, cwd=tmp_path)

"""``digitrec.notebook``: the Setup every notebook runs (versions, seeds, folders, save_fig)."""

import random
import subprocess
from pathlib import Path

import keras
import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest

import digitrec
from digitrec.notebook import COLAB_CLONE, FIGURE_DPI, check_versions, enter_course, repository_url

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


# ----- enter_course: the course's notebooks/ folder, locally and in Colab ---------------------


def course_repository(tmp_path):
    """A local git repository with a notebooks/ folder: what Colab clones, without a network."""
    repo = tmp_path / "origin"
    (repo / "notebooks").mkdir(parents=True)
    (repo / "notebooks" / "01.ipynb").write_text("{}")
    for command in (
        ["init", "-q"],
        ["add", "."],
        ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "course"],
    ):
        subprocess.run(["git", *command], cwd=repo, check=True)
    return repo


def test_in_notebooks_nothing_moves(tmp_path, monkeypatch):
    (tmp_path / "notebooks").mkdir()
    monkeypatch.chdir(tmp_path / "notebooks")
    assert enter_course(in_colab=True) == tmp_path / "notebooks" == Path.cwd()


def test_from_solutions_one_folder_up(tmp_path, monkeypatch):
    (tmp_path / "notebooks" / "solutions").mkdir(parents=True)
    monkeypatch.chdir(tmp_path / "notebooks" / "solutions")
    assert enter_course(in_colab=False) == tmp_path / "notebooks" == Path.cwd()


def test_elsewhere_outside_colab_nothing_moves_or_is_written(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert enter_course(in_colab=False) == tmp_path == Path.cwd()
    assert list(tmp_path.iterdir()) == []


def test_in_colab_the_course_is_cloned_once_and_entered(tmp_path, monkeypatch):
    origin, content = course_repository(tmp_path), tmp_path / "content"
    content.mkdir()
    monkeypatch.chdir(content)
    assert enter_course(in_colab=True, url=str(origin)) == content / COLAB_CLONE / "notebooks"
    assert (Path.cwd() / "01.ipynb").is_file()
    monkeypatch.chdir(content)  # a restarted runtime starts in /content again
    enter_course(in_colab=True, url=str(tmp_path / "gone"))  # the clone is there: no fetch
    assert Path.cwd() == content / COLAB_CLONE / "notebooks"


def test_a_failed_clone_is_one_line(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(RuntimeError, match=r"^could not fetch the course from .*gone") as error:
        enter_course(in_colab=True, url=str(tmp_path / "gone"))
    assert "\n" not in str(error.value)


def test_the_repository_url_is_pyprojects():
    from helpers import repo_url

    assert repository_url() == repo_url()

"""digitrec.paths: the course's folders, from the notebooks' folder or the repository root, and the
output folder that the tests use (``DIGITREC_OUTPUT_DIR``)."""

import digitrec


def test_course_paths_from_notebooks_folder(tmp_path, monkeypatch):
    monkeypatch.delenv(digitrec.OUTPUT_DIR_ENV, raising=False)
    (tmp_path / "notebooks").mkdir()
    paths = digitrec.course_paths(tmp_path / "notebooks")
    assert paths.mnist_file.resolve() == (tmp_path / "data" / "mnist.npz").resolve()
    assert paths.models.resolve() == (tmp_path / "model").resolve()


def test_course_paths_output_override_keeps_data_in_repo(tmp_path, monkeypatch):
    monkeypatch.setenv(digitrec.OUTPUT_DIR_ENV, str(tmp_path / "out"))
    paths = digitrec.course_paths(tmp_path)
    assert paths.images == tmp_path / "out" / "images"
    assert paths.mnist_file.resolve() == (tmp_path / "data" / "mnist.npz").resolve()

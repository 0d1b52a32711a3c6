"""Where the course reads its data and writes its figures and models."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

#: Environment variable that redirects figures and models to another folder.
#: The test suite sets it so that re-running the notebooks never overwrites the
#: figures and models committed in ``images/`` and ``model/``.
OUTPUT_DIR_ENV = "DIGITREC_OUTPUT_DIR"


@dataclass(frozen=True)
class CoursePaths:
    """The course's folders, as paths relative to the working directory where possible.

    Attributes:
        root: The repository root (``..`` from ``notebooks/``), or the working
            directory when the notebook runs alone, as in Colab.
        mnist_file: ``root/data/mnist.npz``, the offline copy of MNIST (may not exist).
        images: Folder for the PNG figures the notebooks write.
        models: Folder for the ``.keras`` models the notebooks write.

    """

    root: Path
    mnist_file: Path
    images: Path
    models: Path


def course_paths(cwd: str | os.PathLike[str] | None = None) -> CoursePaths:
    """Return the course's folders seen from ``cwd`` (default: the working directory).

    A notebook runs with ``notebooks/`` as its working directory, so the repository
    root is its parent; anywhere else (Colab's ``/content``, the repository root) the
    working directory itself is the root. If the environment variable
    ``DIGITREC_OUTPUT_DIR`` is set, ``images`` and ``models`` live under that folder
    instead of the root; the data file is always read from the root.

    Nothing is created on disk: call ``mkdir`` before writing.
    """
    here = Path.cwd() if cwd is None else Path(cwd)
    root = Path("..") if here.resolve().name == "notebooks" else Path(".")
    if cwd is not None:
        root = here / root
    out = Path(os.environ[OUTPUT_DIR_ENV]) if os.environ.get(OUTPUT_DIR_ENV) else root
    return CoursePaths(
        root=root,
        mnist_file=root / "data" / "mnist.npz",
        images=out / "images",
        models=out / "model",
    )


def display_path(path: str | os.PathLike[str]) -> str:
    """Return ``path`` as a notebook should print it: with no folder of this machine in it.

    Inside the output folder: ``$DIGITREC_OUTPUT_DIR/...``; elsewhere: relative to the working
    directory (``../model/07_cnn.keras`` from ``notebooks/``), or the bare file name.
    """
    path = Path(path).resolve()
    out = os.environ.get(OUTPUT_DIR_ENV)
    if out and path.is_relative_to(Path(out).resolve()):
        return f"${OUTPUT_DIR_ENV}/{path.relative_to(Path(out).resolve()).as_posix()}"
    try:
        return Path(os.path.relpath(path)).as_posix()
    except ValueError:  # another drive, on Windows
        return path.name

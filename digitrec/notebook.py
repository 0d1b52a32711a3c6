"""What every notebook's Setup does once the imports are in: folders, versions, seeds, figures.

``setup_notebook`` replaces the cells that each notebook used to carry a copy of (moving to the
course's folder, in Colab fetching the course first, minimum versions asserted,
``keras.utils.set_random_seed``, TensorFlow's deterministic operations, ``course_paths`` and a
``save_fig`` helper), so that a Setup section is a few lines. In Colab, the notebook's first cell
downloads the course once (``git clone URL course``) and installs this package from that copy
(``pip install ./course``); ``enter_course`` then moves into the copy's ``notebooks/``.
"""

from __future__ import annotations

import importlib.metadata
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

from packaging import version

from digitrec.paths import CoursePaths, course_paths

#: The oldest versions the course runs on: Keras 3 (the multi-backend API) and TensorFlow 2.16
#: (the first release that ships Keras 3). ``requirements.txt`` pins newer ones.
MIN_VERSIONS = {"keras": "3.0", "tensorflow": "2.16"}

#: Resolution of the saved figures, in dots per inch: 110 dpi keeps a 6-inch figure about
#: 660 pixels wide, the width GitHub shows a notebook's images at.
FIGURE_DPI = 110


#: Colab's folder for the course's clone, in its working directory (``/content``). Every
#: notebook's Setup cell names it too, since it runs before this package is installed.
COLAB_CLONE = "course"


def repository_url() -> str:
    """Return the course's repository URL: ``[project.urls] Repository`` of pyproject.toml.

    Read from the installed package's metadata, so that pyproject.toml stays the one place that
    names it (``tools/set_repo_url.py``).

    Raises:
        RuntimeError: The package's metadata names no repository (one line).

    """
    for entry in importlib.metadata.metadata("digitrec").get_all("Project-URL") or []:
        label, _, url = entry.partition(",")
        if label.strip() == "Repository":
            return url.strip()
    raise RuntimeError("digitrec's metadata names no repository: pip install the course again")


def clone_course(url: str, folder: Path) -> None:
    """``git clone -q --depth 1 url folder``; raise a one-line ``RuntimeError`` if it fails."""
    clone = ["git", "clone", "-q", "--depth", "1", url, str(folder)]
    done = subprocess.run(clone, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        said = (done.stderr.strip().splitlines() or ["no message"])[-1]
        raise RuntimeError(f"could not fetch the course from {url} ({said}): is the network on?")


def enter_course(
    cwd: Path | None = None, in_colab: bool | None = None, url: str | None = None
) -> Path:
    """Change the working directory to the course's ``notebooks/`` folder where it can; return it.

    - In ``notebooks/``: nothing changes.
    - In ``notebooks/solutions/``: one folder up, where the course's paths are found from.
    - In Colab (``google.colab`` imported), elsewhere: move into ``COLAB_CLONE/notebooks``. The
      Setup cell has normally cloned it already; if not (the package was installed some other
      way), clone the repository (``git clone -q --depth 1``) first. A second run finds the
      clone and downloads nothing.
    - Elsewhere: nothing changes (``course_paths`` takes the working directory as the root),
      and ``cwd`` is returned.

    Args:
        cwd: Where the notebook runs (default: the working directory).
        in_colab: Whether this is Colab (default: whether ``google.colab`` is imported).
        url: What to clone (default: ``repository_url()``); any URL or path ``git`` takes.

    Raises:
        RuntimeError: ``git clone`` failed (no network, a wrong URL), in one line.

    """
    here = Path.cwd() if cwd is None else Path(cwd)
    colab = "google.colab" in sys.modules if in_colab is None else in_colab
    if here.name == "solutions" and here.parent.name == "notebooks":
        target = here.parent
    elif colab and here.name != "notebooks":
        if not (here / COLAB_CLONE).is_dir():
            clone_course(url or repository_url(), here / COLAB_CLONE)
        target = here / COLAB_CLONE / "notebooks"
    else:
        return here
    os.chdir(target)
    return target


class NotebookSetup(NamedTuple):
    """What ``setup_notebook`` returns; unpack it as ``paths, save_fig = ...``.

    Attributes:
        paths: The course's folders (``digitrec.paths.course_paths``).
        save_fig: ``save_fig(fig, name, dpi=FIGURE_DPI)`` writes the Matplotlib figure ``fig``
            as ``paths.images / f"{name}.png"`` (the folder is created), cropped to its content.

    """

    paths: CoursePaths
    save_fig: Callable[..., None]


def check_versions(found: dict[str, str], minimums: dict[str, str] = MIN_VERSIONS) -> None:
    """Raise ``RuntimeError`` (one line) if a package of ``found`` is older than its minimum.

    Args:
        found: ``{package: installed version string}``; packages without a minimum are ignored.
        minimums: ``{package: oldest supported version}``.

    """
    for name, have in found.items():
        need = minimums.get(name)
        if need is not None and version.parse(have) < version.parse(need):
            raise RuntimeError(
                f"the course needs {name} >= {need}, found {have}: pip install -r requirements.txt"
            )


def installed_versions(names) -> dict[str, str]:
    """``{distribution name: installed version}`` for ``names`` (as pip names them).

    Raises:
        RuntimeError: One of them is not installed (one line, with the fix).

    """
    found = {}
    for name in names:
        try:
            found[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            raise RuntimeError(
                f"the course needs {name}, which is not installed: pip install -r requirements.txt"
            ) from None
    return found


def _figure_saver(paths: CoursePaths) -> Callable[..., None]:
    """Return ``save_fig(fig, name, dpi=FIGURE_DPI)``, which writes PNGs into ``paths.images``."""

    def save_fig(fig, name: str, dpi: int = FIGURE_DPI) -> None:
        """Save the Matplotlib figure ``fig`` as ``images/<name>.png``, cropped to its content."""
        paths.images.mkdir(parents=True, exist_ok=True)
        fig.savefig(paths.images / f"{name}.png", dpi=dpi, bbox_inches="tight")

    return save_fig


def seed_and_check(seed: int, needs: dict[str, str] | None) -> None:
    """Check versions, seed every generator, make TensorFlow deterministic (``setup_notebook``)."""
    import keras

    found = {"keras": keras.__version__, **installed_versions(needs or {})}
    if keras.backend.backend() == "tensorflow":
        import tensorflow as tf

        found["tensorflow"] = tf.__version__
    check_versions(found, {**MIN_VERSIONS, **(needs or {})})
    keras.utils.set_random_seed(seed)
    if keras.backend.backend() == "tensorflow":
        tf.config.experimental.enable_op_determinism()


def setup_notebook(
    seed: int = 42,
    needs: dict[str, str] | None = None,
    cwd: str | os.PathLike[str] | None = None,
) -> NotebookSetup:
    """Enter the course, check versions, seed every generator, make TensorFlow deterministic.

    First ``enter_course(cwd)``: the working directory becomes the course's ``notebooks/``
    (from ``notebooks/solutions/``, or in Colab the clone's), so that relative paths work.

    Seeds Python's ``random``, NumPy's global generator and the backend's with
    ``keras.utils.set_random_seed(seed)``. On the TensorFlow backend it also calls
    ``tf.config.experimental.enable_op_determinism()`` (the same results on every run of one
    machine; other hardware or versions may differ slightly). JAX on the CPU needs no switch;
    PyTorch's ``torch.use_deterministic_algorithms`` stays off (some kernels would raise).

    Args:
        seed: The random seed (an int >= 0).
        needs: More minimum versions this notebook needs, ``{pip name: version}``, e.g.
            ``{"scikit-learn": "1.2"}``; a name of ``MIN_VERSIONS`` raises its minimum.
        cwd: Where the notebook runs (default: the working directory); see ``enter_course``.

    Returns:
        ``NotebookSetup(paths, save_fig)``, the paths relative to the new working directory.

    Raises:
        RuntimeError: Keras or TensorFlow older than ``MIN_VERSIONS``, a package of ``needs``
            missing or older than asked, or in Colab the course could not be cloned.

    """
    folder = enter_course(cwd)
    seed_and_check(seed, needs)
    paths = course_paths(None if cwd is None else folder)
    return NotebookSetup(paths, _figure_saver(paths))

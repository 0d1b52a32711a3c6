"""What every notebook's Setup does once the imports are in: versions, seeds, folders, figures.

``setup_notebook`` replaces the cells that each notebook used to carry a copy of (minimum
versions asserted, ``keras.utils.set_random_seed``, TensorFlow's deterministic operations,
``course_paths`` and a ``save_fig`` helper), so that a Setup section is a few lines.
"""

from __future__ import annotations

import importlib.metadata
import os
from collections.abc import Callable
from typing import NamedTuple

from packaging import version

from digitrec.paths import CoursePaths, course_paths

#: The oldest versions the course runs on: Keras 3 (the multi-backend API) and TensorFlow 2.16
#: (the first release that ships Keras 3). ``requirements.txt`` pins newer ones.
MIN_VERSIONS = {"keras": "3.0", "tensorflow": "2.16"}

#: Resolution of the saved figures, in dots per inch: 110 dpi keeps a 6-inch figure about
#: 660 pixels wide, the width GitHub shows a notebook's images at.
FIGURE_DPI = 110


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


def setup_notebook(
    seed: int = 42,
    needs: dict[str, str] | None = None,
    cwd: str | os.PathLike[str] | None = None,
) -> NotebookSetup:
    """Check versions, seed every generator, make TensorFlow deterministic; return folders.

    Seeds Python's ``random``, NumPy's global generator and the backend's with
    ``keras.utils.set_random_seed(seed)``. On the TensorFlow backend it also calls
    ``tf.config.experimental.enable_op_determinism()`` (the same results on every run of one
    machine; other hardware or versions may differ slightly). JAX on the CPU needs no switch;
    PyTorch's ``torch.use_deterministic_algorithms`` stays off (some kernels would raise).

    Args:
        seed: The random seed (an int >= 0).
        needs: More minimum versions this notebook needs, ``{pip name: version}``, e.g.
            ``{"scikit-learn": "1.2"}``; a name of ``MIN_VERSIONS`` raises its minimum.
        cwd: Where the notebook runs (default: the working directory); see ``course_paths``.

    Returns:
        ``NotebookSetup(paths, save_fig)``.

    Raises:
        RuntimeError: Keras or TensorFlow older than ``MIN_VERSIONS``, or a package of
            ``needs`` missing or older than asked.

    """
    import keras

    found = {"keras": keras.__version__, **installed_versions(needs or {})}
    if keras.backend.backend() == "tensorflow":
        import tensorflow as tf

        found["tensorflow"] = tf.__version__
    check_versions(found, {**MIN_VERSIONS, **(needs or {})})
    keras.utils.set_random_seed(seed)
    if keras.backend.backend() == "tensorflow":
        tf.config.experimental.enable_op_determinism()
    paths = course_paths(cwd)
    return NotebookSetup(paths, _figure_saver(paths))

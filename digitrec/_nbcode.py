"""Run the code cells of a notebook that carry a given tag, as a module.

The from-scratch NumPy network is the lesson of notebook 05, so its code lives in
that notebook; the unit tests and the benchmark import it from there with this
function instead of keeping a second copy.
"""

from __future__ import annotations

import json
import os
import types
from pathlib import Path


def load_tagged_cells(notebook: str | os.PathLike[str], tag: str) -> types.ModuleType:
    """Execute the code cells of ``notebook`` tagged ``tag``, in order, in a new module.

    Args:
        notebook: Path of an ``.ipynb`` file (nbformat 4).
        tag: Cell tag that marks the cells to run, e.g. ``"numpy-net"``.

    Returns:
        A module whose attributes are the names those cells define.

    Raises:
        FileNotFoundError: ``notebook`` does not exist.
        ValueError: No code cell carries ``tag``.

    """
    path = Path(notebook)
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    sources = [
        "".join(cell["source"])
        for cell in cells
        if cell["cell_type"] == "code" and tag in cell.get("metadata", {}).get("tags", [])
    ]
    if not sources:
        raise ValueError(f"{path.name} has no code cell tagged {tag!r}.")
    module = types.ModuleType(f"{path.stem}_{tag}".replace("-", "_"))
    module.__file__ = str(path)
    exec(compile("\n\n".join(sources), str(path), "exec"), module.__dict__)
    return module

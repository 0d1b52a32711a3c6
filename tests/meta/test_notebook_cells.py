"""The shape of the notebooks' code cells: short cells, a short Setup, no copied helpers."""

import re

import pytest
from helpers import ROOT, load_notebook

NOTEBOOKS = sorted((ROOT / "notebooks").rglob("*.ipynb"))
MAX_CELL_LINES = 30
MAX_SETUP_LINES = 10
#: A line of an imports cell: an import, a blank line or a comment.
IMPORT_LINE = re.compile(r"(import \w|from [\w.]+ import |#|$)")


def code_sources(nb):
    return ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]


def setup_sources(nb):
    """The code cells from the "## Setup" heading to the next level-2 heading."""
    found, sources = False, []
    for cell in nb["cells"]:
        text = "".join(cell["source"])
        if cell["cell_type"] == "markdown" and text.startswith("## "):
            if found:
                break
            found = text.startswith("## Setup")
        elif found and cell["cell_type"] == "code":
            sources.append(text)
    return sources


def is_imports_only(source):
    return all(IMPORT_LINE.match(line) for line in source.splitlines())


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_no_code_cell_is_longer_than_30_lines(path):
    long = [s.splitlines()[0] for s in code_sources(load_notebook(path)) if s.count("\n") >= 30]
    assert not long, f"cells over {MAX_CELL_LINES} lines, starting: {long}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_setup_cells_are_short_and_shared_code_is_called(path):
    nb = load_notebook(path)
    setup = setup_sources(nb)
    assert setup, "no code under a '## Setup' heading"
    for source in setup:
        if not is_imports_only(source):
            assert source.count("\n") < MAX_SETUP_LINES, source.splitlines()[0]
    code = "\n".join(code_sources(nb))
    assert "def save_fig" not in code and "enable_op_determinism" not in code


def test_the_imports_rule_knows_an_imports_cell():
    assert is_imports_only("import json\n\nimport keras  # the API\nfrom digitrec import ctc")
    assert not is_imports_only("import keras\n\nkeras.utils.set_random_seed(42)")

"""The solutions notebooks (notebooks/solutions/NN_name.ipynb): each belongs to a course notebook.

nbval executes them like the course notebooks (``notebooks/`` is in ``testpaths``); this file
checks what ties each one to its notebook: the same file name, links both ways, the course's
Setup cell byte for byte (so it runs alone, in Colab too), and Colab/GitHub links to itself.
"""

import json

import pytest
from helpers import ROOT, repo_slug, repo_url

SOLUTIONS = sorted((ROOT / "notebooks" / "solutions").glob("*.ipynb"))


def cells(path):
    return [
        (c["cell_type"], "".join(c["source"]))
        for c in json.loads(path.read_text(encoding="utf-8"))["cells"]
    ]


def setup_cell(path):
    """The first code cell after the ``## Setup`` heading."""
    found = False
    for kind, text in cells(path):
        found = found or (kind == "markdown" and text.startswith("## Setup"))
        if found and kind == "code":
            return text
    raise AssertionError(f"{path.name} has no Setup code cell")


def test_there_are_solutions():
    assert len(SOLUTIONS) >= 4


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.name)
def test_solutions_belong_to_a_course_notebook_and_link_both_ways(path):
    course = ROOT / "notebooks" / path.name
    assert course.exists(), f"no course notebook named {path.name}"
    course_text = "\n".join(text for kind, text in cells(course) if kind == "markdown")
    assert f"(solutions/{path.name})" in course_text.split("## Exercises", 1)[1]
    title = cells(path)[0][1]
    assert title.startswith("# Solutions · ") and f"(../{path.name})" in title
    assert f"colab.research.google.com/github/{repo_slug()}/blob/main/notebooks/solutions/" in title
    assert f"{repo_url()}/blob/main/notebooks/solutions/{path.name}" in title


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.name)
def test_solutions_start_with_the_course_setup_cell(path):
    assert setup_cell(path) == setup_cell(ROOT / "notebooks" / path.name)

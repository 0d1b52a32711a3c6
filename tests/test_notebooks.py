"""What a reader and nbval meet in the stored notebooks, and how they fail on damaged data."""

import json
import re
import shutil

import nbformat
import pytest
from helpers import ROOT, load_notebook, readme_text, repo_slug, repo_url
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
REPO_URL = repo_url()
SLUG = repo_slug()
LOADS_MNIST = re.compile(r"digitrec\.(load_mnist|splits\.load_splits)\(\s*paths\.mnist_file\b")
MACHINE_PATH = re.compile(r"(/work/|/root/|/home/\w+/|/tmp/|C:\\\\Users)")


def code_cells(nb):
    return [c for c in nb["cells"] if c["cell_type"] == "code" and "".join(c["source"]).strip()]


def test_series_is_numbered_in_order():
    numbers = [int(p.name[:2]) for p in NOTEBOOKS]
    assert numbers == list(range(1, len(NOTEBOOKS) + 1))
    assert all(re.fullmatch(r"\d\d_[a-z0-9_]+\.ipynb", p.name) for p in NOTEBOOKS)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_was_executed_top_to_bottom_without_errors(path):
    cells = code_cells(load_notebook(path))
    assert [c["execution_count"] for c in cells] == list(range(1, len(cells) + 1))
    for cell in cells:
        for out in cell["outputs"]:
            assert out["output_type"] != "error", "".join(cell["source"])[:80]
            assert out.get("name") != "stderr", f"stderr output in: {''.join(cell['source'])[:80]}"
            text = json.dumps(out.get("text", "")) + json.dumps(
                out.get("data", {}).get("text/plain", "")
            )
            assert not MACHINE_PATH.search(text), f"machine path in cell {cell['execution_count']}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_follows_the_course_shape(path):
    nb = load_notebook(path)
    markdown = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown"]
    title = markdown[0]
    assert title.startswith(f"# {path.name[:2]} · ")
    colab = "https://colab.research.google.com/github"
    assert f"{colab}/{SLUG}/blob/main/notebooks/{path.name}" in title
    assert f"{REPO_URL}/blob/main/notebooks/{path.name}" in title
    text = "\n".join(markdown)
    for heading in (
        "What you will learn",
        "Prerequisites",
        "## Setup",
        "## Summary",
        "## Exercises",
        "### Solutions",
    ):
        assert heading in text, f"{path.name} lacks {heading!r}"
    sources = "\n".join("".join(c["source"]) for c in code_cells(nb))
    assert f"!git clone -q --depth 1 {REPO_URL} course" in sources
    assert 'os.environ["TF_CPP_MIN_LOG_LEVEL"]' in sources
    # the verified copy of MNIST, directly or through the course's splits (which call load_mnist)
    assert LOADS_MNIST.search(sources), f"{path.name} does not load paths.mnist_file"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_code_cell_is_introduced_by_markdown(path):
    """A markdown cell says why before each code cell; an assert cell may follow its evidence."""
    cells = load_notebook(path)["cells"]
    in_solutions = False
    for before, cell in zip(cells, cells[1:], strict=False):
        if before["cell_type"] == "markdown" and "### Solutions" in "".join(before["source"]):
            in_solutions = True
        source = "".join(cell["source"]).strip()
        checks_only = "assert" in source and not cell.get("outputs")
        if cell["cell_type"] == "code" and not in_solutions and not checks_only:
            assert before["cell_type"] == "markdown", source[:80]


CLOCK = re.compile(r"\b(perf_counter|process_time|time\.time|monotonic)\(")


@pytest.mark.parametrize(
    "path",
    NOTEBOOKS + sorted((ROOT / "notebooks" / "solutions").glob("*.ipynb")),
    ids=lambda p: p.name if p.parent.name == "notebooks" else f"solutions/{p.name}",
)
def test_cells_that_read_a_clock_are_not_compared_by_nbval(path):
    """A printed time changes from run to run: nbval must ignore that cell's output."""
    notebook = json.loads(path.read_text(encoding="utf-8"))
    untagged = [
        i
        for i, cell in enumerate(notebook["cells"])
        if cell["cell_type"] == "code"
        and cell.get("outputs")
        and CLOCK.search("".join(cell["source"]))
        and "nbval-ignore-output" not in cell["metadata"].get("tags", [])
    ]
    assert untagged == [], f"cells {untagged} print a clock but nbval compares their output"


def test_readme_uses_the_one_repository_url():
    readme = readme_text()
    assert f"git clone {REPO_URL}" in readme
    for path in NOTEBOOKS:
        assert f"colab.research.google.com/github/{SLUG}/blob/main/notebooks/{path.name}" in readme
    other = set(re.findall(r"github\.com/([\w.-]+/[\w.-]+?)(?:/|\.git|\)|\s|$)", readme))
    assert other <= {SLUG}, other


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_damaged_data_stops_the_notebook_with_one_clear_line(path, tmp_path, mnist_file):
    """Execute a copy of the notebook next to a damaged data/mnist.npz: it must stop at the load."""
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "data").mkdir()
    good = mnist_file.read_bytes()
    (tmp_path / "data" / "mnist.npz").write_bytes(good[: len(good) // 2])
    shutil.copy(path, tmp_path / "notebooks" / path.name)
    nb = nbformat.read(tmp_path / "notebooks" / path.name, as_version=4)
    client = NotebookClient(
        nb,
        timeout=300,
        kernel_name="python3",
        resources={"metadata": {"path": str(tmp_path / "notebooks")}},
    )
    with pytest.raises(CellExecutionError):
        client.execute()
    errors = [
        out
        for cell in nb.cells
        if cell.cell_type == "code"
        for out in cell.get("outputs", [])
        if out.output_type == "error"
    ]
    assert len(errors) == 1
    error = errors[0]
    assert error.ename == "MnistDataError"
    assert "damaged or not the genuine MNIST file" in error.evalue
    assert "git checkout -- data/mnist.npz" in error.evalue
    assert error.traceback == [f"MnistDataError: {error.evalue}"]  # one line, no traceback


PREVIOUS = re.compile(r"Previous:\**\s*\[[^\]]*\]\((\d\d_[a-z0-9_]+\.ipynb)\)")
NEXT = re.compile(r"Next:\**\s*\[[^\]]*\]\((\d\d_[a-z0-9_]+\.ipynb)\)")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_previous_and_next_link_the_neighbouring_notebooks(path):
    """The title cell links the notebooks just before and after this one, where there are any."""
    title = "".join(load_notebook(path)["cells"][0]["source"])
    names = [p.name for p in NOTEBOOKS]
    index = names.index(path.name)
    assert PREVIOUS.findall(title) == (names[index - 1 : index] if index else []), title
    assert NEXT.findall(title) == names[index + 1 : index + 2], title

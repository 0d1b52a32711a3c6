"""tools/colab_rehearsal.py: what it installs, what it runs, and the table it writes."""

import nbformat
import pytest
from helpers import ROOT, load_script
from nbclient.exceptions import CellExecutionError

rehearsal = load_script("tools/colab_rehearsal.py")


def test_the_environment_is_colabs_stack_with_tensorflows_cpu_build():
    lines = rehearsal.stack_requirements()
    stack = (ROOT / "colab-stack.txt").read_text(encoding="utf-8")
    assert "tensorflow-cpu==2.20.0" in lines and "tensorflow==2.20.0" in stack
    assert not any(line.startswith(tuple(rehearsal.LEFT_OUT)) for line in lines)
    pins = [line for line in stack.splitlines() if "==" in line and not line.startswith("#")]
    assert len(lines) + len(rehearsal.LEFT_OUT) == len(pins)


def test_every_notebook_and_solution_is_rehearsed_by_default():
    names = [path.relative_to(ROOT / "notebooks").as_posix() for path in rehearsal.select([])]
    assert names[0] == "01_dataset.ipynb" and "solutions/01_dataset.ipynb" in names
    assert len(names) == len(list((ROOT / "notebooks").glob("**/[0-9][0-9]_*.ipynb")))
    assert rehearsal.select(["solutions/03"])[0].parent.name == "solutions"


def test_an_unknown_notebook_is_one_line():
    with pytest.raises(SystemExit, match="no notebook '99'"):
        rehearsal.select(["99"])


@pytest.mark.parametrize("path", rehearsal.all_notebooks(), ids=lambda p: p.name)
def test_setup_only_runs_the_cells_up_to_setup_notebook(path):
    notebook = nbformat.read(path, as_version=4)
    count = rehearsal.setup_cells(notebook)
    first = notebook.cells[:count]
    assert "setup_notebook(" in first[-1].source
    assert "google.colab" in "".join(cell.source for cell in first)


def test_the_readme_table_keeps_older_rows_and_replaces_rehearsed_ones():
    report = {
        "commit": "abc1234",
        "python": "Python 3.13.0",
        "results": [
            {"notebook": "solutions/01_dataset.ipynb", "status": "passed", "seconds": 30.0},
            {"notebook": "13_x.ipynb", "status": "failed", "seconds": 90.0, "error": "Err: no"},
        ],
    }
    old = (
        "| `13_x.ipynb` | passed | 1.0 | 0000000 | 3.13.0 |\n"
        "| `01_dataset.ipynb` | passed | 0.2 | 0000000 | 3.13.0 |"
    )
    rows = rehearsal.readme_table(report, old).splitlines()[2:]
    assert rows == [
        "| `01_dataset.ipynb` | passed | 0.2 | 0000000 | 3.13.0 |",
        "| `solutions/01_dataset.ipynb` | passed | 0.5 | abc1234 | 3.13.0 |",
        "| `13_x.ipynb` | failed: Err: no | 1.5 | abc1234 | 3.13.0 |",
    ]


def test_a_failure_names_its_cell_and_error_in_one_plain_line():
    notebook = nbformat.v4.new_notebook()
    cells = [nbformat.v4.new_code_cell("x = 1"), nbformat.v4.new_code_cell("assert x == 2")]
    notebook.cells = cells
    notebook.cells[0].execution_count = 1  # stored notebooks carry counts from their last run
    notebook.cells[1].outputs = [
        nbformat.v4.new_output("error", ename="AssertionError", evalue="", traceback=[])
    ]
    error = CellExecutionError("traceback", "AssertionError", "\x1b[0;31mx is 1\x1b[0m")
    assert rehearsal.error_cell(notebook) == 1
    assert rehearsal.error_line(error) == "AssertionError: x is 1"

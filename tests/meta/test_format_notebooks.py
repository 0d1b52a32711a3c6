"""tools/format_notebooks.py: cell metadata cut to nbval's tags, checked in CI."""

import json

import pytest
from helpers import load_script

fmt = load_script("tools/format_notebooks.py")


def _notebook(cell_metadata: dict) -> str:
    cell = {
        "cell_type": "code",
        "execution_count": 1,
        "id": "abc",
        "metadata": cell_metadata,
        "outputs": [],
        "source": ["1 + 1"],
    }
    notebook = {"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    return json.dumps(notebook, indent=1) + "\n"


def test_run_times_go_and_tags_stay():
    timed = {"execution": {"iopub.status.idle": "2026-11-24T13:33:09Z"}, "tags": ["exercise"]}
    cell = json.loads(fmt.formatted(_notebook(timed)))["cells"][0]
    assert cell["metadata"] == {"tags": ["exercise"]}
    assert "".join(cell["source"]) == "1 + 1" and cell["execution_count"] == 1


def test_check_lists_an_unformatted_notebook_and_changes_nothing(tmp_path, capsys):
    path = tmp_path / "timed.ipynb"
    path.write_text(_notebook({"lines_to_next_cell": 2}), encoding="utf-8")
    before = path.read_text(encoding="utf-8")
    assert fmt.main(["--check", str(path)]) == 1
    assert path.read_text(encoding="utf-8") == before
    assert "would reformat" in capsys.readouterr().out
    assert fmt.main([str(path)]) == 0
    assert fmt.main(["--check", str(path)]) == 0


def test_a_missing_notebook_is_a_usage_error(tmp_path, capsys):
    with pytest.raises(SystemExit) as stop:
        fmt.main([str(tmp_path / "missing.ipynb")])
    assert stop.value.code == 2
    assert "no such notebook" in capsys.readouterr().err

"""The benchmark scripts run and report what they promise (their figures are not asserted)."""

import importlib.util
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def load_script(name):
    spec = importlib.util.spec_from_file_location(name, ROOT / "benchmarks" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_notebook_times_reports_seconds_and_slowest_cells(capsys):
    notebook_times = load_script("notebook_times")
    assert notebook_times.main(["01", "--cells", "2"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"^01_dataset\.ipynb\s+\d+\.\d s$", out, re.M)
    assert len(re.findall(r"^    +\d+\.\d s  \S", out, re.M)) == 2
    assert "06 + 07" not in out  # the target line only appears when both were run


def test_notebook_times_refuses_an_unknown_notebook_number(capsys):
    notebook_times = load_script("notebook_times")
    assert notebook_times.main(["99"]) == 2
    assert capsys.readouterr().err.strip() == "error: no notebook numbered 99"

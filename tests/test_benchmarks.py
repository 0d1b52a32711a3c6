"""The benchmark scripts run and report what they promise (their figures are not asserted)."""

import json
import os
import re

from helpers import ROOT, load_script

from digitrec import OUTPUT_DIR_ENV


def test_notebook_times_reports_seconds_and_slowest_cells(capsys):
    notebook_times = load_script("benchmarks/notebook_times.py")
    output_dir = os.environ.get(OUTPUT_DIR_ENV)
    assert notebook_times.main(["01", "--cells", "2"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"^01_dataset\.ipynb\s+\d+\.\d s, within 10 min$", out, re.M)
    assert len(re.findall(r"^    +\d+\.\d s  \S", out, re.M)) == 2
    assert "over 10 minutes: none" in out
    assert os.environ.get(OUTPUT_DIR_ENV) == output_dir, f"{OUTPUT_DIR_ENV} was left changed"


def test_notebook_times_judges_notebook_12s_training_against_five_minutes():
    notebook_times = load_script("benchmarks/notebook_times.py")
    assert notebook_times.training_line("12", 285.4) == (
        "final training: 285 s, within the 5-minute target"
    )
    assert (
        notebook_times.training_line("12", 301) == "final training: 301 s, OVER the 5-minute target"
    )
    assert notebook_times.training_line("07", 277) == "final training: 277 s"


def test_notebooks_tag_their_final_training_cell_once():
    notebook_times = load_script("benchmarks/notebook_times.py")
    for number in ("06", "07", "12"):
        path = next((ROOT / "notebooks").glob(f"{number}_*.ipynb"))
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        tagged = [c for c in cells if notebook_times.TRAINING_TAG in c["metadata"].get("tags", [])]
        assert len(tagged) == 1 and tagged[0]["cell_type"] == "code", path.name


def test_notebook_times_refuses_an_unknown_notebook_number(capsys):
    notebook_times = load_script("benchmarks/notebook_times.py")
    assert notebook_times.main(["99"]) == 2
    assert capsys.readouterr().err.strip() == "error: no notebook numbered 99"


def test_export_latency_prints_ms_per_digit_of_each_runtime(capsys):
    export_latency = load_script("benchmarks/export_latency.py")
    assert export_latency.main(["--images", "5", "--repeats", "1"]) == 0
    out = capsys.readouterr().out
    names = ["Keras (eager call)", "traced graph", *export_latency.EXPORTS]
    for name in names:
        assert re.search(rf"^{re.escape(name)} +\d+\.\d{{3}} ms per digit$", out, re.M), out


def test_notebook_times_names_every_notebook_over_ten_minutes(capsys):
    notebook_times = load_script("benchmarks/notebook_times.py")
    notebook_times.print_targets({"06": 601.0, "07": 300.0, "12": 900.0})
    assert capsys.readouterr().out.splitlines()[-1] == "over 10 minutes: 06, 12"

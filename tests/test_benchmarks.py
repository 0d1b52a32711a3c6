"""The benchmark scripts run and report what they promise (their figures are not asserted)."""

import os
import re

from helpers import load_script

from digitrec import OUTPUT_DIR_ENV


def test_notebook_times_reports_seconds_and_slowest_cells(capsys):
    notebook_times = load_script("benchmarks/notebook_times.py")
    output_dir = os.environ.get(OUTPUT_DIR_ENV)
    assert notebook_times.main(["01", "--cells", "2"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"^01_dataset\.ipynb\s+\d+\.\d s$", out, re.M)
    assert len(re.findall(r"^    +\d+\.\d s  \S", out, re.M)) == 2
    assert "06 + 07" not in out  # the target line only appears when both were run
    assert os.environ.get(OUTPUT_DIR_ENV) == output_dir, f"{OUTPUT_DIR_ENV} was left changed"


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

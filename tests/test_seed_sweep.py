"""tools/seed_sweep.py: the copy it runs (seed, recorded asserts) and the margins it reports."""

import json

import pytest
from helpers import load_script

sweep = load_script("tools/seed_sweep.py")


def run_cell(source, tmp_path):
    """Execute an instrumented cell after the prelude; return the records and the namespace."""
    records = tmp_path / "records.jsonl"
    namespace = {"RECORDS": str(records)}
    exec(sweep.PRELUDE, namespace)
    exec(sweep.instrumented(source, cell=3, seed=7), namespace)
    lines = records.read_text().splitlines() if records.exists() else []
    return [json.loads(line) for line in lines], namespace


def test_the_sweep_seed_replaces_42_in_setup_and_set_random_seed():
    source = "paths, save_fig = digitrec.setup_notebook(seed=42)\nkeras.utils.set_random_seed(42)"
    code = sweep.instrumented(source, cell=0, seed=7)
    assert "setup_notebook(seed=7)" in code and "set_random_seed(7)" in code
    assert "default_rng(42)" in sweep.instrumented("rng = default_rng(42)", cell=0, seed=7)


def test_each_comparison_of_an_assert_is_recorded(tmp_path):
    records, _ = run_cell("accuracy = 0.98\nassert accuracy >= 0.975 and 0.1 < 0.5", tmp_path)
    assert [(r["assert"], r["left"], r["op"], r["right"]) for r in records] == [
        ("accuracy >= 0.975", 0.98, ">=", 0.975),
        ("0.1 < 0.5", 0.1, "<", 0.5),
    ]
    assert records[0]["where"] == "cell 3, line 2"


def test_a_failing_comparison_is_recorded_then_fails(tmp_path):
    with pytest.raises(AssertionError, match="0.9 >= 0.975"):
        run_cell("assert 0.9 >= 0.975", tmp_path)
    records = (tmp_path / "records.jsonl").read_text()
    assert '"left": 0.9' in records


def test_other_asserts_run_unchanged(tmp_path):
    records, namespace = run_cell("x = [1, 2]\nassert x == [1, 2], x\nassert x or False", tmp_path)
    assert records == [] and namespace["x"] == [1, 2]


def test_margin_is_the_distance_to_failing_and_spread_over_seeds():
    runs = [
        {
            "seed": 1,
            "records": [
                {"where": "w", "assert": "a >= 0.9", "left": 0.95, "op": ">=", "right": 0.9}
            ],
        },  # fmt: skip
        {
            "seed": 2,
            "records": [
                {"where": "w", "assert": "a >= 0.9", "left": 0.93, "op": ">=", "right": 0.9}
            ],
        },  # fmt: skip
    ]
    (row,) = sweep.summary(runs)
    assert row["margin"] == pytest.approx(0.03) and row["spread"] == pytest.approx(0.02)
    assert sweep.margin({"left": 0.2, "op": "<", "right": 0.5}) == pytest.approx(0.3)
    assert "| `a >= 0.9` (w) | 0.95 | 0.93 | 0.03 | 0.02 |" in sweep.markdown("nb", [
        {**run, "seconds": 60, "error": None} for run in runs], [row])  # fmt: skip

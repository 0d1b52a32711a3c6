"""tools/readme_tables.py: README's result tables are written from their sources, checked in CI."""

import json
import re
import shutil

import pytest
from helpers import ROOT, load_script, readme_text

tables = load_script("tools/readme_tables.py")
QUOTED = ["08_your_handwriting.ipynb", "12_reading_with_ctc.ipynb"]
QUOTED += ["13_training_on_many_devices.ipynb", "09_trusting_predictions.ipynb"]
QUOTED += ["11_shipping_the_model.ipynb"]


@pytest.fixture
def course(tmp_path):
    """A copy of the records and of the notebooks the tables quote, to change."""
    shutil.copytree(ROOT / "model", tmp_path / "model", ignore=shutil.ignore_patterns("*.k*"))
    (tmp_path / "notebooks").mkdir()
    for notebook in QUOTED:
        shutil.copy2(ROOT / "notebooks" / notebook, tmp_path / "notebooks")
    return tmp_path


def test_a_new_record_changes_the_models_table(course):
    path = course / "model" / "07_cnn.json"
    fields = json.loads(path.read_text(encoding="utf-8"))
    path.write_text(json.dumps({**fields, "test_accuracy": 0.9961, "epochs": 20}))
    _, changed = tables.rewritten(readme_text(), course)
    assert changed == ["models"]
    row = tables.models_table(course).splitlines()[-1]
    assert row.startswith("| 07 | CNN") and "20 epochs" in row and row.endswith("| 99.61 % |")


def test_the_reading_table_follows_notebook_10s_record(course):
    path = course / "model" / "10_reading.json"
    fields = json.loads(path.read_text(encoding="utf-8"))
    fields["by_spacing"]["touching"]["whole"] = 0.9
    path.write_text(json.dumps(fields))
    assert "| touching | 90.0 % |" in tables.reading_table(course)


def test_a_notebook_that_lost_a_row_is_a_clear_error(course):
    path = course / "notebooks" / "08_your_handwriting.ipynb"
    path.write_text(path.read_text(encoding="utf-8").replace("naive resize, inverted", "other"))
    with pytest.raises(ValueError, match=r"no accuracy for \['naive resize, inverted'\]"):
        tables.preprocessing_table(course)


def test_a_line_printed_twice_or_not_at_all_is_a_clear_error(course):
    path = course / "notebooks" / "13_training_on_many_devices.ipynb"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("with 2 workers", "with two workers"), encoding="utf-8")
    with pytest.raises(ValueError, match="0 lines match .* 1 expected"):
        tables.devices_table(course)


def test_the_ctc_table_quotes_notebook_12(course):
    table = tables.ctc_table(course)
    assert table.count("\n") == 2 + 4 + 1  # header, rule, four spacings, 4-digit numbers
    assert table.splitlines()[-1].startswith("| 4-digit numbers, wide and tight | ")


def test_a_missing_or_unknown_block_is_a_clear_error():
    start = "<!-- table: models (tools/readme_tables.py) -->"
    with pytest.raises(ValueError, match="absent {'models'}"):
        tables.rewritten(readme_text().replace(start, ""))
    unknown = "<!-- table: guess (tools/readme_tables.py) -->\n<!-- end of table: guess -->\n"
    with pytest.raises(ValueError, match="unknown {'guess'}"):
        tables.rewritten(readme_text() + unknown)


def test_percentages_are_written_as_readme_writes_them():
    assert tables.percent(0.9793) == "97.93 %" and tables.percent(0.905, 1) == "90.5 %"
    assert tables.markdown_table(["a", "b"], [["1", "2"]]) == "| a | b |\n|---|---|\n| 1 | 2 |\n"


def test_the_rejection_table_follows_notebook_09s_output(course):
    path = course / "notebooks" / "09_trusting_predictions.ipynb"
    text = path.read_text(encoding="utf-8")
    assert "not-a-digit class  98.0%   scribbles" in text
    path.write_text(text.replace("class  98.0%   scribbles", "class  97.0%   scribbles"))
    assert "| scribbles | 11.5 % | 97.0 % |" in tables.rejection_table(course)
    assert tables.threshold_table(course).count("\n") == 2 + 4


def test_the_exports_table_takes_the_latency_measured_beside_the_quantized_models(course):
    rows = tables.exports_table(course).splitlines()[2:]
    assert [row.split(" | ")[1] for row in rows][:3] == [
        "Keras (traced graph)",
        "LiteRT (`ai-edge-litert`)",
        "ONNX Runtime",
    ]
    text = (course / "notebooks" / "11_shipping_the_model.ipynb").read_text(encoding="utf-8")
    first = re.search(r"ONNX Runtime +([\d.]+) ms per digit", text)[1]
    assert rows[2].endswith(f" | {float(first):.2f} |")

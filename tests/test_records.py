"""digitrec.records: a model's training record (``model/*.json``) written and read back."""

import pytest

import digitrec


def test_training_record_round_trip(tmp_path):
    digitrec.save_training_record(
        tmp_path / "m.json",
        name="Dense",
        parameters=10,
        test_accuracy=0.98,
        train_seconds=12.34,
        epochs=3,
        notebook="03_x.ipynb",
    )
    (tmp_path / "junk.json").write_text("{not json")
    records = digitrec.load_training_records(tmp_path)
    assert list(records) == ["m"]
    assert records["m"]["train_seconds"] == 12.3 and records["m"]["test_accuracy"] == 0.98


def test_training_record_rejects_a_percentage_as_accuracy(tmp_path):
    with pytest.raises(ValueError, match=r"fraction in \[0, 1\]"):
        digitrec.save_training_record(
            tmp_path / "m.json",
            name="x",
            parameters=1,
            test_accuracy=98.0,
            train_seconds=1,
            epochs=1,
            notebook="n",
        )

"""digitrec.calibration: the expected calibration error, temperature scaling, the energy score;
``digitrec.trust`` offers the same functions to notebook 09."""

import gzip

import numpy as np
import pytest

from digitrec import calibration, mnist


def test_ece_is_zero_when_confidence_matches_accuracy_and_large_when_not():
    probabilities = np.array([[0.75, 0.25]] * 4)
    assert calibration.expected_calibration_error(probabilities, np.array([0, 0, 0, 1])) == 0.0
    assert calibration.expected_calibration_error(probabilities, np.array([1, 1, 1, 1])) == 0.75


def test_temperature_is_fitted_back_from_over_confident_logits():
    rng = np.random.default_rng(0)
    logits = rng.normal(0, 3, (4000, 10))
    labels = np.array([rng.choice(10, p=p) for p in calibration.softmax(logits)])
    assert calibration.fit_temperature(logits, labels) == pytest.approx(1.0, abs=0.1)
    assert calibration.fit_temperature(logits * 3, labels) == pytest.approx(3.0, rel=0.1)


def test_energy_is_minus_logsumexp():
    logits = np.array([[0.0, np.log(3.0)]])
    assert calibration.energy(logits) == pytest.approx([-np.log(4.0)])


def test_an_idx_file_is_read_and_a_bad_one_refused(tmp_path):
    images = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    header = np.array([0x803, 2, 3, 4], ">i4").tobytes()
    with gzip.open(tmp_path / "good.gz", "wb") as file:
        file.write(header + images.tobytes())
    assert np.array_equal(mnist.read_idx_images(tmp_path / "good.gz"), images)
    with gzip.open(tmp_path / "bad.gz", "wb") as file:
        file.write(header + images.tobytes()[:-1])
    with pytest.raises(ValueError, match="is not an IDX image file"):
        mnist.read_idx_images(tmp_path / "bad.gz")

"""digitrec.results: the answer types, ``Prediction`` and ``NumberReading``."""

import numpy as np

from digitrec import prediction, reading
from digitrec.results import NumberReading, Prediction


def answer(digit=7, probabilities=None, rejected=False):
    probabilities = np.eye(10, dtype=np.float32)[digit] if probabilities is None else probabilities
    return Prediction(digit, float(probabilities[digit]), probabilities, rejected)


def test_equal_predictions_compare_equal_and_hash_alike():
    first, second = answer(), answer(probabilities=np.eye(10, dtype=np.float32)[7].copy())
    assert first == second and hash(first) == hash(second) and len({first, second}) == 1


def test_a_negative_zero_probability_hashes_like_zero():
    zeros = np.zeros(10, dtype=np.float32)
    positive, negative = answer(0, zeros), answer(0, -zeros)
    assert positive == negative and hash(positive) == hash(negative)


def test_predictions_differing_in_any_field_are_not_equal():
    other = np.full(10, 0.1, dtype=np.float32)
    assert answer() != answer(3)
    assert answer() != answer(rejected=True)
    assert answer(7, other) != answer(7, other * 0.5)
    assert answer() != "7"


def test_readings_holding_equal_predictions_are_equal():
    digits, boxes = (answer(2), answer(0)), ((0, 0, 5, 5), (6, 0, 11, 5))
    assert NumberReading("20", digits, boxes) == NumberReading("20", (answer(2), answer(0)), boxes)
    assert len({NumberReading("20", digits, boxes), NumberReading("20", digits, boxes)}) == 1


def test_the_types_are_the_ones_the_readers_return():
    assert prediction.Prediction is Prediction and reading.NumberReading is NumberReading

"""digitrec.evaluation: which step misread a number."""

import numpy as np

import digitrec
from digitrec import evaluation
from digitrec.results import NumberReading


def test_failure_reasons_compare_counts_then_boxes_then_digits():
    truth = "12"
    true_boxes = [(0, 0, 10, 20), (14, 0, 24, 20)]
    p = digitrec.Prediction(1, 1.0, np.full(10, 0.1, dtype=np.float32))

    def read(text, boxes):
        return NumberReading(text, (p,) * len(text), tuple(boxes))

    assert (
        evaluation.failure_reason(truth, true_boxes, read("123", true_boxes + [(30, 0, 40, 20)]))
        == "split"
    )
    assert evaluation.failure_reason(truth, true_boxes, read("7", [(0, 0, 24, 20)])) == "merge"
    assert evaluation.failure_reason(truth, true_boxes, read("13", true_boxes)) == "recognition"
    # right count, but the first box holds both digits' halves: a misplaced cut
    misplaced = [(0, 0, 22, 20), (22, 0, 24, 20)]
    assert evaluation.failure_reason(truth, true_boxes, read("13", misplaced)) == "misplaced cut"

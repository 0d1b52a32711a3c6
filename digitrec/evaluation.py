"""Score a reading of a number against the truth: which step misread it.

Notebook 10 sorts the numbers that segmentation misread by cause (``failure_reason``), and
notebook 12 compares the CTC reader with it.
"""

from __future__ import annotations

from collections.abc import Sequence

from digitrec.results import NumberReading

#: A box read matches a true box when their columns overlap by this share of their union
#: (intersection over union of the two column ranges), see ``failure_reason``.
BOX_MATCH = 0.5


def _columns_iou(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> float:
    """Intersection over union of the column ranges of two (left, top, right, bottom) boxes."""
    shared = min(a[2], b[2]) - max(a[0], b[0])
    return max(shared, 0) / (max(a[2], b[2]) - min(a[0], b[0]))


def failure_reason(text: str, boxes: Sequence[Sequence[int]], result: NumberReading) -> str:
    """Say which step misread a number: a segmentation step, or the model.

    Args:
        text: The true digits, e.g. ``"2026"``.
        boxes: The true (left, top, right, bottom) box of each digit, in the image's pixels.
        result: What ``read_number`` read (assumed wrong: ``result.text != text``).

    Returns:
        ``"split"`` if more digits were read than written (a digit cut in two), ``"merge"`` if
        fewer (two digits read as one), ``"misplaced cut"`` if as many but some box read does not
        match its true box (column overlap under ``BOX_MATCH`` of the union: a cut in the wrong
        place, segmentation's fault), else ``"recognition"`` (the boxes were right, the model
        misread a digit).

    """
    if len(result.text) != len(text):
        return "split" if len(result.text) > len(text) else "merge"
    matched = all(
        _columns_iou(tuple(true), read) >= BOX_MATCH
        for true, read in zip(boxes, result.boxes, strict=True)
    )
    return "recognition" if matched else "misplaced cut"

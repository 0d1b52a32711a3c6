"""The answers of the course's readers: a ``Prediction`` per digit, a ``NumberReading`` per number.

``digitrec.prediction`` makes the first, ``digitrec.reading`` and ``digitrec.ctc`` the second;
both types live here, so that those modules import them without importing each other.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True, eq=False)
class Prediction:
    """The model's answer for one image.

    Attributes:
        digit: The most probable digit, 0-9.
        probability: Its probability, in [0, 1].
        probabilities: (10,) float32 array, the probability of each digit 0-9 (sums to 1).
        rejected: True when the rejection rule says the picture is not a digit, or not one the
            model can be trusted on (``load_rejection_rule``); ``digit`` is then only a guess.

    Two predictions are equal when every field is, the probabilities compared element by element
    (``np.array_equal``), and equal predictions have the same hash, so they can be compared with
    ``==`` and kept in sets.

    """

    digit: int
    probability: float
    probabilities: np.ndarray
    rejected: bool = False

    def to_dict(self) -> dict[str, Any]:
        """Return ``{"digit", "probability", "probabilities", "rejected"}`` as plain Python."""
        return {
            "digit": self.digit,
            "probability": round(self.probability, 6),
            "probabilities": [round(float(p), 6) for p in self.probabilities],
            "rejected": self.rejected,
        }

    def __eq__(self, other: object) -> bool:
        """Return whether ``other`` is a ``Prediction`` with the same fields and probabilities."""
        if not isinstance(other, Prediction):
            return NotImplemented
        return (self.digit, self.probability, self.rejected) == (
            other.digit,
            other.probability,
            other.rejected,
        ) and np.array_equal(self.probabilities, other.probabilities)

    def __hash__(self) -> int:
        """Return a hash of the fields, the probabilities by their float32 bytes (-0.0 as 0.0)."""
        values = (np.asarray(self.probabilities, dtype=np.float32) + np.float32(0.0)).tobytes()
        return hash((self.digit, self.probability, self.rejected, values))


@dataclass(frozen=True)
class NumberReading:
    """What ``read_number`` read.

    Attributes:
        text: The digits, left to right, e.g. ``"2026"``; a piece the rejection rule marks as
            not a digit (``Prediction.rejected``) is written ``?``.
        digits: One ``Prediction`` per character of ``text``.
        boxes: One (left, top, right, bottom) box per digit in the input image's pixels, right
            and bottom exclusive.

    """

    text: str
    digits: tuple[Prediction, ...]
    boxes: tuple[tuple[int, int, int, int], ...]

    def to_dict(self) -> dict[str, Any]:
        """Return ``{"text", "digits", "boxes"}``: digits as ``Prediction.to_dict``, boxes lists."""
        return {
            "text": self.text,
            "digits": [prediction.to_dict() for prediction in self.digits],
            "boxes": [list(box) for box in self.boxes],
        }

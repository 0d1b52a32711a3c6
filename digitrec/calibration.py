"""Calibration: how far a model's probabilities are from its accuracy, and temperature scaling.

Sources of the formulas:

- Expected calibration error (ECE) and temperature scaling: C. Guo, G. Pleiss, Y. Sun, K. Q.
  Weinberger, "On Calibration of Modern Neural Networks", ICML 2017 (arXiv:1706.04599).
- Energy score ``-logsumexp(logits)``: W. Liu, X. Wang, J. Owens, Y. Li, "Energy-based
  Out-of-distribution Detection", NeurIPS 2020 (arXiv:2010.03759).

Notebook 09 measures the course's models with them.
"""

from __future__ import annotations

import numpy as np
from scipy import optimize, special

#: Bins of the expected calibration error (Guo et al. 2017 use 15 equal-width bins).
ECE_BINS = 15


def calibration_bins(
    probabilities: np.ndarray, labels: np.ndarray, bins: int = ECE_BINS
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Group predictions by confidence into ``bins`` equal-width bins of [0, 1].

    Args:
        probabilities: (N, C) float array, each row a probability distribution.
        labels: (N,) int array of true classes.
        bins: Number of bins.

    Returns:
        ``(confidence, accuracy, count)``, each (bins,): the mean top probability, the share of
        correct answers and the number of predictions in each bin (0 and 0 where it is empty).

    """
    confidence = probabilities.max(axis=1)
    correct = probabilities.argmax(axis=1) == labels
    which = np.minimum((confidence * bins).astype(int), bins - 1)
    count = np.bincount(which, minlength=bins)
    safe = np.maximum(count, 1)
    mean_confidence = np.bincount(which, confidence, minlength=bins) / safe
    accuracy = np.bincount(which, correct.astype(float), minlength=bins) / safe
    return mean_confidence, accuracy, count


def expected_calibration_error(
    probabilities: np.ndarray, labels: np.ndarray, bins: int = ECE_BINS
) -> float:
    """ECE = sum over bins of (bin size / N) * ``|accuracy - mean confidence|`` (Guo et al. 2017).

    Args:
        probabilities: (N, C) float array of probabilities.
        labels: (N,) int array of true classes.
        bins: Number of equal-width confidence bins (15, as Guo et al.).

    Returns:
        The ECE, a fraction in [0, 1].

    """
    confidence, accuracy, count = calibration_bins(probabilities, labels, bins)
    return float(np.sum(count / count.sum() * np.abs(accuracy - confidence)))


def logits_of(probabilities: np.ndarray) -> np.ndarray:
    """Logits recovered from softmax probabilities: ``log p`` (equal up to a constant per row).

    The course's models end in softmax; softmax is unchanged by adding a constant to every logit,
    so ``log p`` serves as the logits for temperature scaling and the energy score.
    """
    return np.log(np.clip(probabilities, 1e-30, 1.0)).astype(np.float64)


def fit_temperature(logits: np.ndarray, labels: np.ndarray) -> float:
    """Fit the temperature T minimising the cross-entropy of ``softmax(logits / T)``.

    Fit it on the validation split only (Guo et al. 2017, section 4.2); one parameter, so the
    model's answers (the argmax) do not change, only its confidence.

    Args:
        logits: (N, C) float array.
        labels: (N,) int array of true classes.

    Returns:
        T > 0 (T > 1 softens over-confident answers).

    """

    def loss(log_t: float) -> float:
        scaled = logits / np.exp(log_t)
        return float(
            np.mean(special.logsumexp(scaled, axis=1) - scaled[np.arange(len(labels)), labels])
        )

    result = optimize.minimize_scalar(loss, bounds=(-3.0, 3.0), method="bounded")
    return float(np.exp(result.x))


def softmax(logits: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    """``softmax(logits / temperature)`` along the last axis (SciPy's)."""
    return special.softmax(logits / temperature, axis=-1)


def energy(logits: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    """Energy score ``-T * logsumexp(logits / T)`` (Liu et al. 2020): lower for in-distribution.

    Args:
        logits: (N, C) float array.
        temperature: T > 0 (1: the plain energy).

    Returns:
        (N,) float array; use ``-energy`` as a "is a digit" score for AUROC.

    """
    return -temperature * special.logsumexp(logits / temperature, axis=1)

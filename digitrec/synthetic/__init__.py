"""The course's synthetic pictures, all seeded: its stand-ins for a learner's own pictures.

- ``digit_photos``: one MNIST digit re-drawn as a photo of paper (notebook 08's test set);
- ``number_photos``: whole numbers of 2-8 MNIST test digits, in four spacings (notebooks 10, 12);
- ``non_digits``: noise, scribbles, blobs and letters, the "not a digit" pictures of notebook 09;
- ``perturbations``: MNIST digits shifted, rotated, thickened, blurred, or at low resolution;
- ``pen_samples``: digits drawn with a pen along hand-made skeletons, as photos, a scan, a canvas
  drawing and chalk: the committed sample pictures (``images/sample_*.png``, ``number_*.png``,
  written by ``tools/make_samples.py``).
"""

from digitrec.synthetic import digit_photos, non_digits, number_photos, pen_samples, perturbations

__all__ = ["digit_photos", "non_digits", "number_photos", "pen_samples", "perturbations"]

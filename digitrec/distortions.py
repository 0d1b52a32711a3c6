"""Elastic distortions of training digits (Simard, Steinkraus and Platt, 2003), with SciPy.

Notebook 06 trains its best dense network on digits that ``ElasticBatches`` distorts anew at
every epoch (elastic distortions alone, as Simard et al. trained theirs). The distortion happens
in the data pipeline, outside every saved model, which stays an inference model.

Source: P. Y. Simard, D. Steinkraus and J. C. Platt, "Best Practices for Convolutional Neural
Networks Applied to Visual Document Analysis", ICDAR 2003, section 2: a random displacement
field, uniform in [-1, 1] at every pixel, smoothed by a Gaussian of standard deviation ``sigma``
pixels and scaled by ``alpha``; each pixel of the new image is read at its displaced position by
bilinear interpolation. For MNIST they use sigma = 4 and alpha = 34 (``SIGMA``, ``ALPHA``).

Why not ``keras.layers.RandomElasticTransform``: in Keras 3.13.2 it ties alpha and sigma to one
``scale``, draws Gaussian rather than uniform noise, and (TensorFlow backend) draws the row and
column displacements from the same seed, so that every pixel moves along the diagonal.
"""

from __future__ import annotations

import keras
import numpy as np
from scipy import ndimage

#: Simard et al.'s smoothing, in pixels: the displacement field's Gaussian standard deviation.
SIGMA = 4.0
#: Simard et al.'s intensity: the smoothed field, in [-1, 1] before smoothing, times ALPHA pixels.
ALPHA = 34.0


def displacement_fields(
    count: int, shape: tuple[int, int], rng: np.random.Generator, alpha=ALPHA, sigma=SIGMA
) -> np.ndarray:
    """Random smooth displacement fields, as Simard et al. (2003) draw them.

    Args:
        count: How many fields.
        shape: (height, width) of the images, in pixels.
        rng: The random generator (seeded by the caller).
        alpha: Scale of the smoothed field, in pixels.
        sigma: Standard deviation of the Gaussian smoothing, in pixels (0: no smoothing).

    Returns:
        (2, count, height, width) float32: row and column displacements, in pixels. With the
        defaults on 28 × 28 images their standard deviation is about 1.4 pixels in the middle,
        less towards the borders (the smoothing pads the field with zeros).

    """
    fields = rng.uniform(-1, 1, size=(2, count, *shape)).astype(np.float32)
    along_rows, along_columns = (smoothing_matrix(size, sigma) for size in shape)
    smooth = along_rows @ fields @ along_columns.T  # the filter along rows, then along columns
    return smooth * np.float32(alpha)


def smoothing_matrix(size: int, sigma: float) -> np.ndarray:
    """SciPy's Gaussian filter along one axis of ``size`` pixels, written as a matrix.

    Column j is the filtered impulse at pixel j (``scipy.ndimage.gaussian_filter1d``, zeros
    beyond the edges), so ``matrix @ v`` filters a vector ``v``. For a batch of small images,
    two matrix products smooth every image about ten times faster than filtering them; the
    results agree with ``scipy.ndimage.gaussian_filter`` to float32 rounding (about 1e-7).

    Args:
        size: Pixels along the axis.
        sigma: Standard deviation of the Gaussian, in pixels (0: the identity).

    Returns:
        (size, size) float32.

    """
    impulses = np.eye(size, dtype=np.float64)
    if sigma == 0:
        return impulses.astype(np.float32)
    return ndimage.gaussian_filter1d(impulses, sigma, axis=0, mode="constant").astype(np.float32)


def elastic_distort(
    images: np.ndarray, rng: np.random.Generator, alpha=ALPHA, sigma=SIGMA
) -> np.ndarray:
    """Distort each image by its own random elastic field (Simard et al., 2003, section 2).

    Args:
        images: (N, H, W) or (N, H, W, 1) float images, ink bright on black (MNIST's layout).
        rng: The random generator; the same seed gives the same distortions.
        alpha: Scale of the displacements, in pixels (0 returns the images unchanged).
        sigma: Smoothness of the displacements, in pixels.

    Returns:
        float32 array of the input's shape. Pixels read from outside the image are 0 (black), and
        bilinear interpolation keeps values within the input's range.

    Raises:
        ValueError: ``images`` is not a batch of one-channel images.

    """
    x = np.asarray(images, dtype=np.float32)
    channel = x.ndim == 4 and x.shape[-1] == 1
    if not (x.ndim == 3 or channel):
        raise ValueError(f"expected (N, H, W) or (N, H, W, 1) images, got shape {x.shape}")
    x = x[..., 0] if channel else x
    count, height, width = x.shape
    rows, columns = np.meshgrid(np.arange(height), np.arange(width), indexing="ij")
    fields = displacement_fields(count, (height, width), rng, alpha, sigma)
    out = np.empty_like(x)
    for k, (image, down, right) in enumerate(zip(x, *fields, strict=True)):
        where = (rows + down, columns + right)  # where each new pixel reads the old image
        out[k] = ndimage.map_coordinates(image, where, order=1, mode="constant", cval=0.0)
    return out[..., None] if channel else out


class ElasticBatches(keras.utils.PyDataset):
    """Shuffled batches of elastically distorted images, new distortions at every epoch.

    For ``model.fit``: each batch is ``(images, labels)``, (B, 28, 28, 1) float32 in [0, 1]
    distorted by ``elastic_distort`` and (B,) labels. One seed fixes the order and the distortions
    of every epoch.

    Args:
        x: Training images, (N, 28, 28, 1) or (N, 28, 28) float32 in [0, 1].
        y: Their labels, (N,).
        batch_size: Images per batch.
        seed: Seeds the shuffling and the displacement fields.
        alpha: See ``elastic_distort``.
        sigma: See ``elastic_distort``.
        **kwargs: Passed to ``keras.utils.PyDataset`` (``workers`` …).

    """

    def __init__(self, x, y, batch_size=128, seed=0, alpha=ALPHA, sigma=SIGMA, **kwargs):
        super().__init__(**kwargs)
        if len(x) != len(y):
            raise ValueError(f"{len(x)} images but {len(y)} labels")
        self.x, self.y, self.batch_size = x, y, batch_size
        self.alpha, self.sigma = alpha, sigma
        self.rng = np.random.default_rng(seed)
        self.on_epoch_end()

    def on_epoch_end(self):
        """Shuffle the images anew."""
        self.order = self.rng.permutation(len(self.x))

    def __len__(self):
        """Return the number of batches in an epoch."""
        return int(np.ceil(len(self.x) / self.batch_size))

    def __getitem__(self, index):
        """Return batch ``index`` of this epoch: (images, labels), the images distorted."""
        chosen = self.order[index * self.batch_size : (index + 1) * self.batch_size]
        return elastic_distort(self.x[chosen], self.rng, self.alpha, self.sigma), self.y[chosen]

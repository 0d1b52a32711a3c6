"""When to trust the answer: "not a digit" pictures, perturbations, occlusion, and calibration.

Notebook 09 teaches these tools; the command line, the web demo and ``digitrec.predict`` use the
rejection rule it fits (``digitrec.prediction.load_rejection_rule``). Calibration's maths are
``digitrec.calibration``'s and the IDX reader ``digitrec.datasets``'s, importable from here as
notebook 09 calls them. Outlier exposure (training on synthetic non-digits as an extra class):
D. Hendrycks, M. Mazeika, T. Dietterich, "Deep Anomaly Detection with Outlier Exposure", ICLR
2019 (arXiv:1812.04606).

Every picture generator draws from a ``numpy.random.Generator`` in a fixed order, so a seed gives
the same pictures on every machine; pictures are greyscale PIL images of dark ink on light
paper (or plain noise), to be prepared with ``to_mnist`` like a learner's own.
"""

from __future__ import annotations

import weakref

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont
from scipy import ndimage

from digitrec.calibration import ECE_BINS as ECE_BINS  # notebook 09 calls them trust.*
from digitrec.calibration import calibration_bins as calibration_bins
from digitrec.calibration import energy as energy
from digitrec.calibration import expected_calibration_error as expected_calibration_error
from digitrec.calibration import fit_temperature as fit_temperature
from digitrec.calibration import logits_of as logits_of
from digitrec.calibration import softmax as softmax
from digitrec.datasets import read_idx_images as read_idx_images

#: Letters that look like digits in some hand or font: O/o/D like 0, I/l/i like 1, Z/z like 2,
#: S/s like 5, b/G like 6, T like 7, B like 8, g/q like 9. Notebook 09 reports them apart.
DIGIT_LIKE = "OoDIliZzSsbGTBgq"

PAGE = 200


def noise_picture(rng: np.random.Generator, kind: str = "uniform") -> Image.Image:
    """Return a 200 x 200 page of uniform (0-255) or Gaussian (mean 128, sd 50) grey noise."""
    if kind == "uniform":
        values = rng.uniform(0, 255, (PAGE, PAGE))
    elif kind == "gaussian":
        values = rng.normal(128, 50, (PAGE, PAGE))
    else:
        raise ValueError(f"kind must be 'uniform' or 'gaussian', not {kind!r}")
    return Image.fromarray(np.clip(values, 0, 255).astype(np.uint8))


def scribble(rng: np.random.Generator) -> Image.Image:
    """2-3 random polylines of 5-9 points, pen 3-11 px, dark on a white 200 x 200 page.

    A doodle, not a digit: a single stroke of 3 points can be a 7, an L or a V, which no
    detector should call "not a digit"; notebook 09 shows such strokes.
    """
    image = Image.new("L", (PAGE, PAGE), 255)
    draw = ImageDraw.Draw(image)
    for _ in range(int(rng.integers(2, 4))):
        points = rng.uniform(20, PAGE - 20, (int(rng.integers(5, 10)), 2))
        width = int(rng.integers(3, 12))
        draw.line([tuple(map(float, p)) for p in points], fill=0, width=width, joint="curve")
    return image


def blobs(rng: np.random.Generator) -> Image.Image:
    """2-6 filled random ellipses and arcs, dark on a white page: outliers for training only."""
    image = Image.new("L", (PAGE, PAGE), 255)
    draw = ImageDraw.Draw(image)
    for _ in range(int(rng.integers(2, 7))):
        x0, y0 = rng.uniform(10, 150, 2)
        x1, y1 = x0 + rng.uniform(10, 50), y0 + rng.uniform(10, 50)
        if rng.random() < 0.5:
            draw.ellipse([x0, y0, x1, y1], fill=int(rng.integers(0, 100)))
        else:
            start = float(rng.uniform(0, 360))
            draw.arc([x0, y0, x1, y1], start, start + 200, fill=0, width=int(rng.integers(3, 10)))
    return image


def letter(char: str, font_file: str, rng: np.random.Generator) -> Image.Image:
    """``char`` rendered from a TrueType font at 110-150 px, dark on a white page, softened.

    Args:
        char: One character.
        font_file: A TrueType file, e.g. ``matplotlib.font_manager.findfont``'s result.
        rng: Draws the size, the position jitter and a blur of 0-1 px.

    """
    font = ImageFont.truetype(font_file, int(rng.integers(110, 151)))
    image = Image.new("L", (PAGE, PAGE), 255)
    jitter = rng.integers(-15, 16, 2)
    ImageDraw.Draw(image).text(
        (100 + jitter[0], 100 + jitter[1]), char, font=font, fill=0, anchor="mm"
    )
    return image.filter(ImageFilter.GaussianBlur(float(rng.uniform(0, 1))))


def low_resolution(digit: np.ndarray, side: int, levels: int = 16) -> np.ndarray:
    """Shrink a 28 x 28 digit to ``side`` x ``side`` and enlarge it back to 28 x 28.

    The box filter shrinks it, ``levels`` grey levels are kept, and bicubic enlarges it: an old
    scan or a thumbnail blown up.

    Args:
        digit: (28, 28) float array in [0, 1] or uint8 array, ink bright on black.
        side: Side of the small image in pixels (8 for the UCI optical digits' resolution).
        levels: Grey levels kept (16 as an old scanner's 4 bits).

    Returns:
        (28, 28) uint8 array.

    """
    values = digit if digit.dtype == np.uint8 else (np.clip(digit, 0, 1) * 255).round()
    small = Image.fromarray(values.astype(np.uint8)).resize((side, side), Image.Resampling.BOX)
    steps = levels - 1
    quantised = (np.round(np.asarray(small) / 255 * steps) / steps * 255).astype(np.uint8)
    return np.asarray(Image.fromarray(quantised).resize((28, 28), Image.Resampling.BICUBIC))


def perturb(x: np.ndarray, kind: str, amount: float, rng: np.random.Generator) -> np.ndarray:
    """Apply one perturbation to a batch of MNIST-like images (N, 28, 28) in [0, 1].

    ``kind`` and ``amount``: "rotation" (degrees), "scale" (factor about the centre), "shift"
    (pixels right and down), "thickness" (pixels of grey dilation, negative: erosion), "noise"
    (sd of Gaussian noise), "blur" (sd in pixels), "resolution" (side k of ``low_resolution``).

    Returns:
        (N, 28, 28) float32 array in [0, 1].

    Raises:
        ValueError: An unknown ``kind``.

    """
    if kind == "rotation":
        out = ndimage.rotate(x, amount, axes=(1, 2), reshape=False, order=1)
    elif kind == "scale":
        out = np.stack(
            [
                ndimage.affine_transform(d, [1 / amount] * 2, offset=14 * (1 - 1 / amount), order=1)
                for d in x
            ]
        )
    elif kind == "shift":
        out = ndimage.shift(x, (0, amount, amount), order=1)
    elif kind == "thickness":
        size = (1, 1 + 2 * int(abs(amount)), 1 + 2 * int(abs(amount)))
        out = ndimage.grey_dilation(x, size) if amount >= 0 else ndimage.grey_erosion(x, size)
    elif kind == "noise":
        out = x + rng.normal(0, amount, x.shape)
    elif kind == "blur":
        out = ndimage.gaussian_filter(x, (0, amount, amount))
    elif kind == "resolution":
        out = np.stack([low_resolution(d, int(amount)) for d in x]) / 255.0
    else:
        raise ValueError(f"unknown perturbation {kind!r}")
    return np.clip(out, 0, 1).astype(np.float32)


def occlusion_map(predict, image: np.ndarray, label: int, patch: int = 6, stride: int = 2):
    """How much the probability of ``label`` drops when a ``patch`` square is greyed out.

    Zeiler and Fergus, "Visualizing and Understanding Convolutional Networks", ECCV 2014: slide a
    black square over the image and record the drop of the class probability at each place.

    Args:
        predict: Function (N, 28, 28) float32 -> (N, 10) probabilities.
        image: (28, 28) float array in [0, 1].
        label: The class whose probability is followed.
        patch: Side of the black square in pixels.
        stride: Step between square positions in pixels.

    Returns:
        (28, 28) float array: the mean drop of probability over the patches covering each pixel.

    """
    corners = [(r, c) for r in range(0, 29 - patch, stride) for c in range(0, 29 - patch, stride)]
    batch = np.repeat(image[None].astype(np.float32), len(corners), axis=0)
    for i, (r, c) in enumerate(corners):
        batch[i, r : r + patch, c : c + patch] = 0.0
    base = float(predict(image[None].astype(np.float32))[0, label])
    drops = base - predict(batch)[:, label]
    total, cover = np.zeros((28, 28)), np.zeros((28, 28))
    for (r, c), drop in zip(corners, drops, strict=True):
        total[r : r + patch, c : c + patch] += drop
        cover[r : r + patch, c : c + patch] += 1
    return total / np.maximum(cover, 1)


def hard_threshold():
    """Within the ``with`` block, ``to_mnist`` thresholds ink at 0.5 as before its grey path.

    A ``preprocess.using`` block whose ``PreprocessParams`` has ``faint_ink == solid_ink`` (see
    ``preprocess.strokes``), for before/after comparisons; nothing of ``preprocess`` changes.
    """
    from digitrec import preprocess

    return preprocess.using(preprocess.PreprocessParams(faint_ink=preprocess.SOLID_INK))


def prepare(pictures) -> np.ndarray:
    """``to_mnist`` of each picture, stacked: (N, 28, 28) float32; pictures without ink skipped.

    Noise pages and letters are real pictures a user may send; the few with no ink at all
    (``NoInkError``) get an error, not an answer, so they are left out of a set.
    """
    from digitrec.preprocess import NoInkError, to_mnist

    images = []
    for picture in pictures:
        try:
            images.append(to_mnist(picture))
        except NoInkError:
            continue
    return np.stack(images) if images else np.zeros((0, 28, 28), dtype=np.float32)


def with_not_a_digit_class(model):
    """Return a copy of a 10-class Keras classifier with an 11th output, "not a digit".

    The layers before the last are shared with ``model`` (so train the copy, not both); the last
    Dense layer gets one more unit, initialised with zero weights, and the first ten start
    from ``model``'s, so training starts from the digit classifier (outlier exposure, Hendrycks
    et al. 2019, with the outliers as an extra class).

    Args:
        model: A ``keras.Sequential`` whose last layer is ``Dense(10, activation="softmax")``.

    Returns:
        A ``keras.Model`` with the same input and an (N, 11) softmax output.

    """
    import keras

    inputs = keras.Input(model.input_shape[1:])
    hidden = inputs
    for layer in model.layers[:-1]:
        hidden = layer(hidden)
    head = keras.layers.Dense(11, activation="softmax", name="digit_or_not")
    outputs = head(hidden)
    weights, bias = model.layers[-1].get_weights()
    head.set_weights(
        [np.concatenate([weights, np.zeros((weights.shape[0], 1))], 1), np.append(bias, 0.0)]
    )
    return keras.Model(inputs, outputs, name="not_a_digit")


def model_logits(model, x: np.ndarray) -> np.ndarray:
    """Return the logits (the inputs of the final softmax) of a Dense + softmax model.

    The energy score needs them: ``log p`` equals them only up to a constant per row, which
    changes logsumexp (Liu et al. 2020 use the network's own logits).

    Args:
        model: A Keras model built from layers, the last a ``Dense`` with softmax activation.
        x: (N, 28, 28) float32 images in [0, 1].

    Returns:
        (N, 10) float64 array.

    """
    features = _features(model)
    weights, bias = model.layers[-1].get_weights()
    batch = x.reshape((len(x), *model.input_shape[1:]))
    hidden = features.predict(batch, batch_size=1000, verbose=0).astype(np.float64)
    return hidden @ weights + bias


_FEATURE_MODELS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _features(model):
    """Return the sub-model up to the last layer's input, built once per model (no re-tracing)."""
    import keras

    if model not in _FEATURE_MODELS:
        _FEATURE_MODELS[model] = keras.Model(model.inputs, model.layers[-2].output)
    return _FEATURE_MODELS[model]

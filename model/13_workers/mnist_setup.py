"""The data and the model that both training scripts share: notebook 07's CNN and recipe."""

import keras

from digitrec import models, splits


def training_data(images, mnist_file):
    """Return the first `images` training images and labels, and the validation split."""
    (x, y), validation, _ = splits.load_splits(mnist_file, layout="channels", verbose=False)
    return x[:images], y[:images], validation


def compiled_cnn(steps, learning_rate, seed):
    """Return notebook 07's CNN, compiled: Adam, the learning rate decaying over `steps` steps."""
    keras.utils.set_random_seed(seed)  # the same initial weights at every run
    model = models.cnn()
    models.compile_cosine(model, steps, learning_rate)
    return model

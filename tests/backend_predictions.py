"""Write the predictions of every committed model on 1,000 test digits to a file.

Run as ``KERAS_BACKEND=jax python tests/backend_predictions.py OUT.npz`` by
``tests/test_backends.py``, once per backend, because a process picks its Keras backend at its
first ``import keras``. Models whose input has any width (notebook 12's CTC reader) read the
same digits side by side, four to a strip, and their logits per frame are compared as
probabilities (softmax), like the classifiers' outputs.
"""

import sys

import keras
import numpy as np
from helpers import ROOT

import digitrec

DIGITS = 1000


def inputs_for(model, digits):
    """The 1,000 test digits, (N, 28, 28[, 1]) float32 in [0, 1], as ``model`` takes them."""
    shape = model.input_shape[1:]
    if shape[1] is None:  # a strip of any width: four digits side by side
        strips = digits.reshape(-1, 4, 28, 28).transpose(0, 2, 1, 3).reshape(-1, 28, 112)
        return strips[..., None]
    return digits.reshape((len(digits), *shape))


def main(out):
    """Write ``{model name: predictions}`` of every ``model/*.keras`` to the ``.npz`` ``out``."""
    _, (x_test, _) = digitrec.load_mnist(ROOT / "data" / "mnist.npz", verbose=False)
    digits = x_test[:DIGITS].astype("float32") / 255.0
    predictions = {}
    for path in sorted((ROOT / "model").glob("*.keras")):
        model = keras.saving.load_model(path)
        outputs = model.predict(inputs_for(model, digits), verbose=0)
        if outputs.ndim == 3:  # the CTC reader's logits per frame: compare its probabilities
            outputs = keras.ops.convert_to_numpy(keras.ops.softmax(outputs, axis=-1))
        predictions[path.stem] = np.asarray(outputs)
    predictions["backend"] = np.array(keras.backend.backend())
    np.savez(out, **predictions)


if __name__ == "__main__":
    main(sys.argv[1])

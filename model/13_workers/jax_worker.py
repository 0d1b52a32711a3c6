"""Notebook 07's CNN on the JAX backend, data-parallel over every device that JAX sees.

Start it as `python jax_worker.py WORKDIR --epochs=3`; XLA_FLAGS can split a CPU into devices.
"""

import json
import math
import os
import time

os.environ["KERAS_BACKEND"] = "jax"  # read once, at this process's first `import keras`
import jax
import keras
import mnist_setup

from digitrec import workers


def main():
    """Train on every JAX device at once, then write the result."""
    args = workers.parse_recipe()  # the work folder and the recipe: args.epochs ...
    keras.distribution.set_distribution(keras.distribution.DataParallel(devices=jax.devices()))
    x, y, (x_val, y_val) = mnist_setup.training_data(args.images, args.mnist)
    steps = args.epochs * math.ceil(len(x) / args.batch_size)
    model = mnist_setup.compiled_cnn(steps, args.learning_rate, args.seed)
    start = time.perf_counter()
    model.fit(x, y, epochs=args.epochs, batch_size=args.batch_size, shuffle=True, verbose=0)
    seconds = time.perf_counter() - start
    _, accuracy = model.evaluate(x_val, y_val, batch_size=1000, verbose=0)
    result = {"val_accuracy": accuracy, "seconds": seconds, "devices": len(jax.devices())}
    (args.workdir / "result.json").write_text(json.dumps(result))


if __name__ == "__main__":
    main()

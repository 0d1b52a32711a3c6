"""Milliseconds per digit of the 07 CNN in Keras, as a traced graph, in LiteRT and ONNX Runtime.

The figures of notebook 11's section "Latency per digit", from the command line: one MNIST test
digit per call (as a phone or a web page answers one drawing at a time), the median over
``--repeats`` passes through ``--images`` test digits (``digitrec.runtimes.ms_per_digit``), for
- the eager Keras call ``model(x, training=False)``;
- the traced graph, ``tf.function`` of that call (what ``digitrec.predict_arrays`` runs);
- each exported file that notebook 11 saved in ``model/`` (float32 LiteRT and ONNX, and the
  dynamic-range and int8 LiteRT models), with its runtime's default threads.
Printed, not asserted: the figures depend on the CPU and on what else runs on it (10-30 % from
run to run on shared virtual machines).

Usage: python benchmarks/export_latency.py [--images 200] [--repeats 3]
"""

from __future__ import annotations

import argparse
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402

import digitrec  # noqa: E402
from digitrec import runtimes  # noqa: E402

EXPORTS = {
    "LiteRT float32": "07_cnn.tflite",
    "ONNX Runtime": "07_cnn.onnx",
    "LiteRT dynamic range": "07_cnn_dynamic.tflite",
    "LiteRT int8": "07_cnn_int8.tflite",
}


def callers(model_file) -> dict:
    """{name: function of a (1, 28, 28) float32 batch} for Keras, the graph and each export."""
    import tensorflow as tf

    model = digitrec.load_model(model_file)
    shape = (-1, *model.input_shape[1:])
    traced = tf.function(lambda x: model(x, training=False))
    found = {
        "Keras (eager call)": lambda x: model(x.reshape(shape), training=False),
        "traced graph": lambda x: traced(tf.constant(x.reshape(shape))),
    }
    for name, file_name in EXPORTS.items():
        path = model_file.parent / file_name
        if path.is_file():
            found[name] = runtimes.load_exported(path)
        else:
            print(f"{name}: model/{file_name} not found (run notebook 11)")
    return found


def main(argv: list[str] | None = None) -> int:
    """Measure and print the figures; return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=200, help="test digits per pass")
    parser.add_argument("--repeats", type=int, default=3, help="passes through them")
    args = parser.parse_args(argv)
    paths = digitrec.course_paths()
    _, (x_test, _) = digitrec.load_mnist(paths.mnist_file)
    x = (x_test[: args.images] / 255.0).astype(np.float32)
    model_file = digitrec.find_model("07_cnn")
    print(
        f"{os.cpu_count()} CPU cores; one digit per call, median of {args.repeats} x {len(x)} calls"
    )
    for name, predict in callers(model_file).items():
        print(f"{name:21} {runtimes.ms_per_digit(predict, x, args.repeats):7.3f} ms per digit")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

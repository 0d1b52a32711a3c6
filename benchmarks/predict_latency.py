"""Latency of one drawn-digit prediction and throughput of a batch, with the course's best model.

A "drawn digit" is what the web demo and notebook 08's pad send: a 280 x 280 picture of black
strokes on white. One prediction is ``to_mnist`` (preprocessing) plus one call of the model
through ``digitrec.predict_arrays`` (a TensorFlow graph traced once), which also runs the
course's rejection rule (notebook 09's "not a digit" detector, when ``model/`` has it). Prints
the median over ``--calls`` calls (default 200) of the whole, of each part and, for comparison,
of the eager call ``model(x)`` and of ``model.predict`` on the same single image; then the
throughput of ``digitrec.predict`` on a list of ``--batch`` pictures (default 1,000).

Target (issue 4): under 20 ms per single digit on a 2-core CPU.

Usage: python benchmarks/predict_latency.py [--calls 200] [--batch 1000] [--model PATH]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
from PIL import Image, ImageDraw  # noqa: E402

import digitrec  # noqa: E402

TARGET_MS = 20.0


def drawn_digits(count: int) -> list[Image.Image]:
    """``count`` 280 x 280 drawings of a 7 with an 18 px pen, each slightly different."""
    rng = np.random.default_rng(0)
    pictures = []
    for _ in range(count):
        image = Image.new("L", (280, 280), 255)
        corners = np.array([(70, 60), (210, 60), (120, 230)]) + rng.integers(-15, 16, (3, 2))
        ImageDraw.Draw(image).line([tuple(map(int, c)) for c in corners], fill=0, width=18)
        pictures.append(image)
    return pictures


def median_ms(function, calls: int) -> float:
    """Median wall-clock time of ``function()`` over ``calls`` calls, in milliseconds."""
    function()  # warm-up: first-call tracing and caches
    timings = []
    for _ in range(calls):
        start = time.perf_counter()
        function()
        timings.append(time.perf_counter() - start)
    return 1000 * statistics.median(timings)


def main() -> None:
    """Measure and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=200, help="single predictions to time")
    parser.add_argument("--batch", type=int, default=1000, help="pictures in the batch")
    parser.add_argument("--model", help="a .keras model (default: the best one in model/)")
    args = parser.parse_args()

    model_file = args.model or digitrec.best_model_file()
    model = digitrec.load_model(model_file)
    picture = drawn_digits(1)[0]
    x = digitrec.to_mnist(picture)
    single = x[None].reshape((1, *model.input_shape[1:]))
    print(
        f"model: {os.path.basename(model_file)}; {os.cpu_count()} CPU cores; "
        f"median of {args.calls} calls"
    )

    total = median_ms(
        lambda: digitrec.predict_arrays(digitrec.to_mnist(picture)[None], model), args.calls
    )
    preprocessing = median_ms(lambda: digitrec.to_mnist(picture), args.calls)
    model_only = median_ms(lambda: digitrec.predict_arrays(x[None], model), args.calls)
    without_rule = median_ms(lambda: digitrec.predict_arrays(x[None], model, False), args.calls)
    eager = median_ms(lambda: model(single, training=False), args.calls)
    keras_predict = median_ms(lambda: model.predict(single, verbose=0), args.calls)
    print(
        f"one drawn digit, to_mnist + model: {total:6.1f} ms "
        f"(target < {TARGET_MS:.0f} ms: {'met' if total < TARGET_MS else 'NOT met'})"
    )
    print(f"  to_mnist alone:                   {preprocessing:6.1f} ms")
    print(f"  predict_arrays (traced graph):    {model_only:6.1f} ms")
    rule = "not a digit detector" if digitrec.prediction.load_rejection_rule() else "no rule found"
    print(f"  of which the rejection rule:      {model_only - without_rule:6.1f} ms ({rule})")
    print(f"  model(x) eager, for contrast:     {eager:6.1f} ms")
    print(f"  model.predict(x), for contrast:   {keras_predict:6.1f} ms")
    print_throughput(model, args.batch)


def print_throughput(model, size: int) -> None:
    """Print the seconds and digits per second of ``digitrec.predict`` on ``size`` drawings."""
    pictures = drawn_digits(size)
    digitrec.predict(pictures[:10], model)
    start = time.perf_counter()
    predictions = digitrec.predict(pictures, model)
    seconds = time.perf_counter() - start
    assert len(predictions) == size
    print(
        f"batch of {size:,} drawn digits with digitrec.predict: {seconds:.2f} s, "
        f"{size / seconds:,.0f} digits/s"
    )


if __name__ == "__main__":
    main()

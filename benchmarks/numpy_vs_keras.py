"""Seconds per epoch of notebook 05's NumPy network against the same network in Keras.

Prints, for notebook 05's 784-256-10 network trained with Adam on mini-batches (default batch
64): the median seconds per epoch of each implementation and their ratio, the NumPy network's
achieved GFLOP/s, and that figure as a share of this machine's float32 matrix-product peak,
measured in the same run with a large ``np.matmul``.

Both networks are notebook 05's own code, loaded from its tagged cells with
``digitrec._nbcode.load_tagged_cells``: the NumPy network (cells tagged ``numpy-net``) and its
Keras twin with the epoch timer (``build_keras_twin`` and ``EpochTimer``, tagged ``keras-twin``).
Both start from the same initial weights, as in the notebook.

FLOPs per step count the matrix products only (2·m·n·k each): the forward product of every
layer, the weight gradient of every layer and the input gradient of every layer but the first.

Usage: python benchmarks/numpy_vs_keras.py [--epochs 3] [--batch-size 64]
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402

from digitrec import course_paths, load_mnist  # noqa: E402
from digitrec._nbcode import load_tagged_cells  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "05_numpy_from_scratch.ipynb"
#: The network of notebook 05's ``build_keras_twin`` (input, hidden, output units).
LAYERS = (784, 256, 10)
LEARNING_RATE = 1e-3


def matmul_peak_gflops(n: int = 4096, repeats: int = 5) -> float:
    """Best float32 GFLOP/s of an n x n by n x n np.matmul on this machine."""
    rng = np.random.default_rng(0)
    a = rng.standard_normal((n, n), dtype=np.float32)
    b = rng.standard_normal((n, n), dtype=np.float32)
    np.matmul(a, b)
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        np.matmul(a, b)
        best = min(best, time.perf_counter() - start)
    return 2 * n**3 / best / 1e9


def flops_per_epoch(layers: tuple[int, ...], n_samples: int) -> float:
    """Matrix-product FLOPs of one epoch of forward and backward passes."""
    per_sample = 0
    for i, (fan_in, fan_out) in enumerate(zip(layers[:-1], layers[1:], strict=True)):
        products = 2 if i == 0 else 3  # forward, weight gradient (+ input gradient)
        per_sample += products * 2 * fan_in * fan_out
    return per_sample * n_samples


def numpy_epochs(net, params, x, y, batch_size, epochs) -> list[float]:
    """Wall-clock seconds of each training epoch of the NumPy network (trains ``params``)."""
    rng = np.random.default_rng(0)
    optimizer = net.Adam(params, learning_rate=LEARNING_RATE)
    seconds = []
    for _ in range(epochs):
        start = time.perf_counter()
        net.train_epoch(params, optimizer, x, y, batch_size, rng)
        seconds.append(time.perf_counter() - start)
    return seconds


def keras_epochs(twin, weights, x, y, batch_size, epochs) -> list[float]:
    """Wall-clock seconds of each training epoch of notebook 05's Keras twin."""
    import keras

    keras.utils.set_random_seed(0)
    model = twin.build_keras_twin(weights, LEARNING_RATE)
    timer = twin.EpochTimer()
    model.fit(x, y, batch_size=batch_size, epochs=epochs, callbacks=[timer], verbose=0)
    return timer.seconds


def main() -> None:
    """Measure and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=3, help="epochs timed per implementation")
    parser.add_argument("--batch-size", type=int, default=64)
    args = parser.parse_args()

    net = load_tagged_cells(NOTEBOOK, "numpy-net")
    twin = load_tagged_cells(NOTEBOOK, "keras-twin")
    (x, y), _ = load_mnist(course_paths(ROOT).mnist_file, verbose=False)
    x = x[:55000].reshape(-1, 784).astype(np.float32) / 255.0
    y = y[:55000]
    initial = net.init_params(LAYERS, np.random.default_rng(0))

    peak = matmul_peak_gflops()
    params = [p.copy() for p in initial]
    numpy_s = float(np.median(numpy_epochs(net, params, x, y, args.batch_size, args.epochs)))
    keras_s = float(np.median(keras_epochs(twin, initial, x, y, args.batch_size, args.epochs)))
    achieved = flops_per_epoch(LAYERS, len(x)) / numpy_s / 1e9

    network = "-".join(map(str, LAYERS))
    print(
        f"network {network}, batch {args.batch_size}, Adam, {len(x):,} images/epoch, "
        f"median of {args.epochs} epochs, {os.cpu_count()} CPU cores"
    )
    print(f"NumPy seconds per epoch:        {numpy_s:.2f}")
    print(f"Keras seconds per epoch:        {keras_s:.2f}")
    print(f"Keras/NumPy ratio:              {keras_s / numpy_s:.2f}  (above 1: NumPy is faster)")
    print(f"float32 np.matmul peak:         {peak:.0f} GFLOP/s (4096 x 4096)")
    print(f"NumPy network achieved:         {achieved:.0f} GFLOP/s")
    print(f"share of matmul peak:           {achieved / peak:.0%}")


if __name__ == "__main__":
    main()

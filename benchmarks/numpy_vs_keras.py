"""Seconds per epoch of notebook 05's NumPy network against the same network in Keras.

Prints, for a 784-H-10 network trained with Adam on mini-batches (defaults: H=256, batch 64):
the median seconds per epoch of each implementation and their ratio, the NumPy network's
achieved GFLOP/s, and that figure as a share of this machine's float32 matrix-product peak,
measured in the same run with a large ``np.matmul``.

FLOPs per step count the matrix products only (2·m·n·k each): the forward product of every
layer, the weight gradient of every layer and the input gradient of every layer but the first.

Usage: python benchmarks/numpy_vs_keras.py [--epochs 3] [--batch-size 64] [--hidden 256]
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402

from digitrec import load_mnist  # noqa: E402
from digitrec.nbcode import load_tagged_cells  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


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


def numpy_epochs(net, layers, x, y, batch_size, epochs) -> list[float]:
    """Wall-clock seconds of each training epoch of the NumPy network."""
    rng = np.random.default_rng(0)
    params = net.init_params(layers, rng)
    optimizer = net.Adam(params)
    seconds = []
    for _ in range(epochs):
        start = time.perf_counter()
        net.train_epoch(params, optimizer, x, y, batch_size, rng)
        seconds.append(time.perf_counter() - start)
    return seconds


def keras_epochs(layers, x, y, batch_size, epochs) -> list[float]:
    """Wall-clock seconds of each training epoch of the same network in Keras."""
    import keras

    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input(shape=(layers[0],))]
                             + [keras.layers.Dense(n, activation="relu") for n in layers[1:-1]]
                             + [keras.layers.Dense(layers[-1])])
    model.compile(optimizer=keras.optimizers.Adam(1e-3),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    seconds = []

    class Timer(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self.start = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            seconds.append(time.perf_counter() - self.start)

    model.fit(x, y, batch_size=batch_size, epochs=epochs, callbacks=[Timer()], verbose=0)
    return seconds


def main() -> None:
    """Measure and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=3, help="epochs timed per implementation")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--hidden", type=int, default=256)
    args = parser.parse_args()

    net = load_tagged_cells(ROOT / "notebooks" / "05_numpy_from_scratch.ipynb", "numpy-net")
    (x, y), _ = load_mnist(ROOT / "data" / "mnist.npz", verbose=False)
    x = x[:55000].reshape(-1, 784).astype(np.float32) / 255.0
    y = y[:55000]
    layers = (784, args.hidden, 10)

    peak = matmul_peak_gflops()
    numpy_s = float(np.median(numpy_epochs(net, layers, x, y, args.batch_size, args.epochs)))
    keras_s = float(np.median(keras_epochs(layers, x, y, args.batch_size, args.epochs)))
    achieved = flops_per_epoch(layers, len(x)) / numpy_s / 1e9

    print(f"network 784-{args.hidden}-10, batch {args.batch_size}, Adam, {len(x):,} images/epoch, "
          f"median of {args.epochs} epochs, {os.cpu_count()} CPU cores")
    print(f"NumPy seconds per epoch:        {numpy_s:.2f}")
    print(f"Keras seconds per epoch:        {keras_s:.2f}")
    print(f"Keras/NumPy ratio:              {keras_s / numpy_s:.2f}  (above 1: NumPy is faster)")
    print(f"float32 np.matmul peak:         {peak:.0f} GFLOP/s (4096 x 4096)")
    print(f"NumPy network achieved:         {achieved:.0f} GFLOP/s")
    print(f"share of matmul peak:           {achieved / peak:.0%}")


if __name__ == "__main__":
    main()

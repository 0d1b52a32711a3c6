"""The child processes of ``digitrec.distributed``: a cluster's workers and the JAX run.

``python -m digitrec.workers worker WORKDIR`` is one worker of a ``distributed.Cluster``:
TensorFlow's ``MultiWorkerMirroredStrategy``, told who is who by ``TF_CONFIG``, trains notebook
07's CNN on its shard of every global batch and backs its training state up after each epoch
with ``keras.callbacks.BackupAndRestore``, from which a restarted worker resumes.
``python -m digitrec.workers jax WORKDIR`` trains the same recipe on the JAX backend with
``keras.distribution.DataParallel`` (``distributed.run_jax``). Both write their progress and
result as JSON files into WORKDIR, which the parent process reads.

Keras, TensorFlow and JAX are imported inside the functions: the backend is fixed at the first
``import keras``, and each process picks its own.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

import numpy as np

from digitrec.distributed import RECIPE


def _training_data(args: argparse.Namespace):
    """Return the first ``args.images`` training images (N, 28, 28, 1), labels, validation split."""
    from digitrec import splits

    (x, y), validation, _ = splits.load_splits(args.mnist, layout="channels", verbose=False)
    return x[: args.images], y[: args.images], validation


def _compiled_cnn(steps: int, args: argparse.Namespace):
    """Notebook 07's CNN from ``args.seed``, compiled with its cosine schedule over ``steps`` steps
    from ``args.learning_rate``.
    """  # noqa: D205
    import keras

    from digitrec import models

    keras.utils.set_random_seed(args.seed)
    model = models.cnn()
    models.compile_cosine(model, steps, args.learning_rate)
    return model


def _write_json(path: Path, value: object) -> None:
    """Write ``value`` as JSON to ``path`` through a temporary file, so a reader never sees half."""
    partial = path.with_suffix(".partial")
    partial.write_text(json.dumps(value), encoding="utf-8")
    partial.replace(path)


def _progress_callback(path: Path):
    """Return a Keras callback that records each finished epoch and its loss in ``path``."""
    import keras

    class Progress(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            done = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
            done[str(epoch + 1)] = float(logs["loss"])
            _write_json(path, done)

    return Progress()


#: The newest Keras release whose TensorFlow trainer fails under ``MultiWorkerMirroredStrategy``
#: (keras-team/keras issue 20585, https://github.com/keras-team/keras/issues/20585, open since
#: Keras 3.7). The workers patch that Keras and no newer one; ``tests/test_distributed.py``
#: checks that the installed Keras still fails without the patch, so the test tells when a
#: release fixes it.
KERAS_20585_UNTIL = "3.13.2"
#: Set to ``"0"`` in a worker's environment to train without the patch (the test above).
WORKAROUND_ENV = "DIGITREC_KERAS_20585_WORKAROUND"


def needs_keras_20585_workaround(keras_version: str) -> bool:
    """Whether ``keras_version`` (e.g. ``"3.13.2"``) is one that ``KERAS_20585_UNTIL`` covers."""
    from packaging.version import Version

    return Version(keras_version) <= Version(KERAS_20585_UNTIL)


def _work_around_keras_20585(model, x: np.ndarray, y: np.ndarray) -> None:
    """Let ``model.fit`` run under ``MultiWorkerMirroredStrategy`` in Keras up to 3.13.2.

    Keras 3's TensorFlow trainer fails there in two places (keras-team/keras issue 20585): before
    the first step it averages a *data* batch across workers to learn its shapes, and after each
    step it averages scalar logs along an axis they lack. Here the model is built on a plain
    batch instead, inside the strategy's scope, and the logs are averaged like
    ``MirroredStrategy``'s. The gradients are all-reduced by the optimizer, which is untouched,
    so every worker still applies the same update. This reaches into Keras's private trainer
    (``keras.src``), so it runs only in the worker processes and only for the Keras releases
    that need it (``needs_keras_20585_workaround``).
    """
    from keras.src.backend.tensorflow import trainer

    with model.distribute_strategy.scope():
        model._symbolic_build(data_batch=(x, y))
    model._maybe_symbolic_build = lambda **_: None
    trainer._collective_all_reduce_multi_worker = lambda strategy: False


def _accuracy(model, x: np.ndarray, y: np.ndarray) -> float:
    """Return the share of ``x`` that ``model`` classifies as ``y``, computed in this process.

    Calling the model (rather than ``evaluate``) runs no collective operation, so the chief can
    score the trained weights alone, after the other workers have gone.
    """
    import keras

    batches = range(0, len(x), 1000)
    scores = [keras.ops.convert_to_numpy(model(x[i : i + 1000], training=False)) for i in batches]
    return float((np.concatenate(scores).argmax(axis=1) == y).mean())


def _worker_main(args: argparse.Namespace) -> None:
    """One worker of a ``Cluster``: MultiWorkerMirroredStrategy, backup after every epoch."""
    import tensorflow as tf

    strategy = tf.distribute.MultiWorkerMirroredStrategy()  # reads TF_CONFIG; first TF call
    import keras

    index = json.loads(os.environ["TF_CONFIG"])["task"]["index"]
    x, y, (x_val, y_val) = _training_data(args)
    options = tf.data.Options()
    options.experimental_distribute.auto_shard_policy = tf.data.experimental.AutoShardPolicy.DATA
    batches = tf.data.Dataset.from_tensor_slices((x, y)).shuffle(len(x), seed=args.seed)
    batches = batches.batch(args.batch_size, drop_remainder=True).with_options(options)
    with strategy.scope():
        model = _compiled_cnn(args.epochs * (len(x) // args.batch_size), args)
    wanted = os.environ.get(WORKAROUND_ENV, "1") != "0"
    if wanted and needs_keras_20585_workaround(keras.__version__):
        _work_around_keras_20585(model, x[:2], y[:2])
    callbacks = [
        keras.callbacks.BackupAndRestore(str(args.workdir / f"backup-{index}")),
        _progress_callback(args.workdir / f"progress-{index}.json"),
    ]
    start = time.perf_counter()
    history = model.fit(batches, epochs=args.epochs, callbacks=callbacks, verbose=0)
    if index == 0:
        result = {
            "val_accuracy": _accuracy(model, x_val, y_val),
            "epochs_run": [e + 1 for e in history.epoch],
            "seconds": time.perf_counter() - start,
            "workers": strategy.num_replicas_in_sync,
        }
        _write_json(args.workdir / "result.json", result)


def _jax_main(args: argparse.Namespace) -> None:
    """Train the recipe on the JAX backend, data-parallel over every JAX device."""
    import jax
    import keras

    keras.distribution.set_distribution(keras.distribution.DataParallel(devices=jax.devices()))
    x, y, (x_val, y_val) = _training_data(args)
    model = _compiled_cnn(args.epochs * int(-(-len(x) // args.batch_size)), args)
    start = time.perf_counter()
    model.fit(x, y, epochs=args.epochs, batch_size=args.batch_size, shuffle=True, verbose=0)
    seconds = time.perf_counter() - start
    _, accuracy = model.evaluate(x_val, y_val, batch_size=1000, verbose=0)
    result = {"val_accuracy": float(accuracy), "seconds": seconds, "devices": len(jax.devices())}
    _write_json(args.workdir / "result.json", result)


def parse_arguments(argv: list[str] | None = None) -> argparse.Namespace:
    """Parse the child processes' command line: ``worker WORKDIR`` or ``jax WORKDIR``, the recipe.

    Every key of ``RECIPE`` is an option of its value's type (``--batch-size=128``, ``--seed=42``,
    ``--learning-rate=0.002``) whose default is the recipe's; ``--mnist`` names the MNIST file.
    """
    parser = argparse.ArgumentParser(prog="python -m digitrec.workers")
    parser.add_argument("role", choices=["worker", "jax"])
    parser.add_argument("workdir", type=Path)
    for key, value in RECIPE.items():
        parser.add_argument(f"--{key.replace('_', '-')}", type=type(value), default=value)
    parser.add_argument("--mnist", default=None, help="data/mnist.npz (default: download)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    """Run one child process: a worker of a ``Cluster``, or the JAX run."""
    args = parse_arguments(argv)
    (_worker_main if args.role == "worker" else _jax_main)(args)


if __name__ == "__main__":
    main()

"""The package's own worker programs for ``digitrec.distributed``: a cluster's worker, the JAX run.

Notebook 13 writes these programs itself, as scripts (``mnist_setup.py``, ``worker.py`` and
``jax_worker.py``), and starts them with ``Cluster(script=...)`` and ``run_jax(script=...)``; it
checks that its scripts build the same model, optimizer and batches as the functions here. The
package keeps its own copy for the command line and the tests:

- ``python -m digitrec.workers worker WORKDIR`` is one worker of a ``distributed.Cluster``:
  TensorFlow's ``MultiWorkerMirroredStrategy``, told who is who by ``TF_CONFIG``, trains notebook
  07's CNN on its shard of every global batch and backs its training state up after each epoch
  with ``keras.callbacks.BackupAndRestore``, from which a restarted worker resumes.
- ``python -m digitrec.workers jax WORKDIR`` trains the same recipe on the JAX backend with
  ``keras.distribution.DataParallel`` (``distributed.run_jax``).

Both write their progress and result as JSON files into WORKDIR, which the parent process reads.
A script of the notebook's uses the helpers here that are not what the lesson is about:
``parse_recipe`` (its command line), ``progress_callback`` (the epochs done, for the notebook)
and ``patch_keras_20585`` (a Keras bug).

Keras, TensorFlow and JAX are imported inside the functions: the backend is fixed at the first
``import keras``, and each process picks its own.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import time
from pathlib import Path

import numpy as np

from digitrec.distributed import RECIPE


def training_data(images: int, mnist_file: str | os.PathLike[str] | None = None):
    """Return the first ``images`` training images and labels, and the validation split.

    Args:
        images: How many images of the course's training split to keep (its first ones).
        mnist_file: ``data/mnist.npz``, or ``None`` to download MNIST.

    Returns:
        ``(x, y, (x_val, y_val))``: images (N, 28, 28, 1) float32 in [0, 1], labels (N,) int.

    """
    from digitrec import splits

    (x, y), validation, _ = splits.load_splits(mnist_file, layout="channels", verbose=False)
    return x[:images], y[:images], validation


def compiled_cnn(steps: int, learning_rate: float, seed: int):
    """Notebook 07's CNN, its weights drawn from ``seed``, compiled with the cosine schedule.

    The learning rate starts at ``learning_rate`` and decays to 0 over ``steps`` gradient steps
    (``models.compile_cosine``).
    """
    import keras

    from digitrec import models

    keras.utils.set_random_seed(seed)
    model = models.cnn()
    models.compile_cosine(model, steps, learning_rate)
    return model


def global_batches(x: np.ndarray, y: np.ndarray, batch_size: int, seed: int):
    """Return a ``tf.data.Dataset`` of shuffled global batches of ``batch_size``, sharded by data.

    Every worker builds the same dataset; ``AutoShardPolicy.DATA`` makes each keep its share of
    every global batch. The last, partial batch is dropped, so that every step splits evenly.
    """
    import tensorflow as tf

    options = tf.data.Options()
    options.experimental_distribute.auto_shard_policy = tf.data.experimental.AutoShardPolicy.DATA
    batches = tf.data.Dataset.from_tensor_slices((x, y)).shuffle(len(x), seed=seed)
    return batches.batch(batch_size, drop_remainder=True).with_options(options)


def _write_json(path: Path, value: object) -> None:
    """Write ``value`` as JSON to ``path`` through a temporary file, so a reader never sees half."""
    partial = path.with_suffix(".partial")
    partial.write_text(json.dumps(value), encoding="utf-8")
    partial.replace(path)


def progress_callback(path: str | os.PathLike[str]):
    """Return a Keras callback that records each finished epoch and its loss in ``path`` (JSON).

    ``Cluster.epochs_done`` and ``Cluster.wait_for_epoch`` read that file.
    """
    import keras

    path = Path(path)

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


def patch_keras_20585(model, x: np.ndarray, y: np.ndarray) -> bool:
    """Let ``model.fit`` run under ``MultiWorkerMirroredStrategy`` in Keras up to 3.13.2.

    Keras 3's TensorFlow trainer fails there in two places (keras-team/keras issue 20585): before
    the first step it averages a *data* batch across workers to learn its shapes, and after each
    step it averages scalar logs along an axis they lack. Here the model is built on the plain
    batch ``(x, y)`` (two images are enough) instead, inside the strategy's scope, and the logs
    are averaged like ``MirroredStrategy``'s. The gradients are all-reduced by the optimizer,
    which is untouched, so every worker still applies the same update. This reaches into Keras's
    private trainer (``keras.src``), so it changes nothing for the Keras releases that do not
    need it (``needs_keras_20585_workaround``), nor when ``WORKAROUND_ENV`` is ``"0"``. Call it
    in a worker process, after compiling the model in the strategy's scope.

    Returns:
        Whether the patch was applied.

    """
    import keras

    wanted = os.environ.get(WORKAROUND_ENV, "1") != "0"
    if not (wanted and needs_keras_20585_workaround(keras.__version__)):
        return False
    from keras.src.backend.tensorflow import trainer

    with model.distribute_strategy.scope():
        model._symbolic_build(data_batch=(x, y))
    model._maybe_symbolic_build = lambda **_: None
    trainer._collective_all_reduce_multi_worker = lambda strategy: False
    return True


def chief_accuracy(model, x: np.ndarray, y: np.ndarray) -> float:
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
    x, y, (x_val, y_val) = training_data(args.images, args.mnist)
    steps = args.epochs * (len(x) // args.batch_size)  # the partial batch is dropped
    with strategy.scope():
        model = compiled_cnn(steps, args.learning_rate, args.seed)
    patch_keras_20585(model, x[:2], y[:2])
    callbacks = [
        keras.callbacks.BackupAndRestore(str(args.workdir / f"backup-{index}")),
        progress_callback(args.workdir / f"progress-{index}.json"),
    ]
    start = time.perf_counter()
    batches = global_batches(x, y, args.batch_size, args.seed)
    history = model.fit(batches, epochs=args.epochs, callbacks=callbacks, verbose=0)
    if index == 0:
        result = {
            "val_accuracy": chief_accuracy(model, x_val, y_val),
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
    x, y, (x_val, y_val) = training_data(args.images, args.mnist)
    steps = args.epochs * math.ceil(len(x) / args.batch_size)
    model = compiled_cnn(steps, args.learning_rate, args.seed)
    start = time.perf_counter()
    model.fit(x, y, epochs=args.epochs, batch_size=args.batch_size, shuffle=True, verbose=0)
    seconds = time.perf_counter() - start
    _, accuracy = model.evaluate(x_val, y_val, batch_size=1000, verbose=0)
    result = {"val_accuracy": float(accuracy), "seconds": seconds, "devices": len(jax.devices())}
    _write_json(args.workdir / "result.json", result)


def _add_recipe_arguments(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Add WORKDIR, one option per key of ``RECIPE`` and ``--mnist`` to ``parser``."""
    parser.add_argument("workdir", type=Path, help="folder for backups, progress and result")
    for key, value in RECIPE.items():
        parser.add_argument(f"--{key.replace('_', '-')}", type=type(value), default=value)
    parser.add_argument("--mnist", default=None, help="data/mnist.npz (default: download)")
    return parser


def parse_recipe(argv: list[str] | None = None, prog: str | None = None) -> argparse.Namespace:
    """Parse a worker script's command line: ``WORKDIR [--images=8000] [--epochs=3] ...``.

    Every key of ``RECIPE`` is an option of its value's type (``--batch-size=128``, ``--seed=42``,
    ``--learning-rate=0.002``) whose default is the recipe's; ``--mnist`` names the MNIST file.
    ``Cluster`` and ``run_jax`` start a script with these arguments.

    Returns:
        ``workdir`` (a ``Path``), ``images``, ``epochs``, ``batch_size``, ``seed``,
        ``learning_rate`` and ``mnist`` (a path string, or ``None``).

    """
    return _add_recipe_arguments(argparse.ArgumentParser(prog=prog)).parse_args(argv)


def parse_arguments(argv: list[str] | None = None) -> argparse.Namespace:
    """Parse the package worker's command line: ``worker WORKDIR ...`` or ``jax WORKDIR ...``.

    The arguments after the role are those of ``parse_recipe``.
    """
    parser = argparse.ArgumentParser(prog="python -m digitrec.workers")
    parser.add_argument("role", choices=["worker", "jax"])
    return _add_recipe_arguments(parser).parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    """Run one child process: a worker of a ``Cluster``, or the JAX run."""
    args = parse_arguments(argv)
    (_worker_main if args.role == "worker" else _jax_main)(args)


if __name__ == "__main__":
    main()

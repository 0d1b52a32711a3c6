"""Data-parallel training in several processes: the two-worker cluster of notebook 13.

A ``Cluster`` starts worker processes on this machine (``127.0.0.1``, free ports), each running
``python -m digitrec.distributed worker``: TensorFlow's ``MultiWorkerMirroredStrategy`` told
who is who by the ``TF_CONFIG`` environment variable, as in TensorFlow's tutorial "Multi-worker
training with Keras" (https://www.tensorflow.org/tutorials/distribute/multi_worker_with_keras).
Each worker trains notebook 07's CNN on its shard of every global batch, backs its training state
up after each epoch with ``keras.callbacks.BackupAndRestore`` and, when it is restarted, resumes
from that backup. ``python -m digitrec.distributed jax`` runs the same training on the JAX
backend with ``keras.distribution.DataParallel`` over virtual CPU devices.

Every run writes JSON files into its work folder: ``progress-<worker>.json`` (the epochs done,
with their loss), ``result.json`` (written by worker 0, the chief, or by the JAX run) and a log
per process, so the notebook reads results from files instead of from pipes.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import numpy as np

from digitrec.errors import DigitrecError

#: Seconds to wait for a worker to reach an epoch or to finish before giving up.
TIMEOUT_S = 300.0
#: The recipe every run shares: images from the training split, epochs, global batch size.
RECIPE = {"images": 8000, "epochs": 3, "batch_size": 128}

#: The environment of every child process: on the CPU, even where the notebook holds a GPU (as in
#: Colab), so that two processes never fight over one GPU's memory; TensorFlow's C++ log quiet.
CPU_ONLY = {"CUDA_VISIBLE_DEVICES": "", "JAX_PLATFORMS": "cpu", "TF_CPP_MIN_LOG_LEVEL": "2"}


class WorkerError(DigitrecError, RuntimeError):
    """A worker process stopped with an error, or did not finish in time."""


def free_ports(count: int) -> list[int]:
    """Return ``count`` TCP ports on 127.0.0.1 that nothing listens on now (chosen by the OS).

    The OS picks each one (bind to port 0); the sockets are closed before returning, so another
    program could take a port before the worker does, which on a test machine does not happen.
    """
    sockets = [socket.socket(socket.AF_INET, socket.SOCK_STREAM) for _ in range(count)]
    with closing(sockets[0]):
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        ports = [sock.getsockname()[1] for sock in sockets]
        for sock in sockets[1:]:
            sock.close()
    return ports


def port_is_free(port: int) -> bool:
    """Return whether nothing listens on ``port`` of 127.0.0.1, so a new server could.

    ``SO_REUSEADDR`` is set, as servers set it (gRPC's among them): connections of a stopped
    worker that linger in ``TIME_WAIT`` do not keep its port from a restarted one.
    """
    with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def tf_config(ports: list[int], index: int) -> str:
    """Return the ``TF_CONFIG`` JSON of worker ``index`` in a cluster of workers on ``ports``.

    Worker 0 is the chief: it also saves the result (TensorFlow's convention).
    """
    workers = [f"127.0.0.1:{port}" for port in ports]
    return json.dumps({"cluster": {"worker": workers}, "task": {"type": "worker", "index": index}})


class Cluster:
    """Worker processes of one multi-worker training run, started and stopped by the notebook.

    Use it as a context manager: leaving the ``with`` block kills every worker still running,
    so no process or port outlives the notebook cell, even after an error.

    Args:
        workdir: Folder for the backups, progress files, logs and ``result.json`` (created).
        workers: How many worker processes.
        mnist_file: ``data/mnist.npz`` where there is one (else every worker downloads MNIST).
        recipe: Overrides of ``RECIPE`` (``images``, ``epochs``, ``batch_size``).

    """

    def __init__(
        self,
        workdir: str | os.PathLike[str],
        workers: int = 2,
        mnist_file: str | os.PathLike[str] | None = None,
        **recipe: int,
    ) -> None:
        self.workdir = Path(workdir)
        self.mnist_file = mnist_file
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.ports = free_ports(workers)
        self.recipe = {**RECIPE, **recipe}
        self.processes: dict[int, subprocess.Popen] = {}

    def __enter__(self) -> Cluster:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def start(self, index: int) -> None:
        """Start worker ``index`` (again, after it was killed); its output goes to its log."""
        command = [sys.executable, "-m", "digitrec.distributed", "worker", str(self.workdir)]
        command += _recipe_arguments(self.recipe, self.mnist_file)
        env = {**os.environ, "TF_CONFIG": tf_config(self.ports, index), **CPU_ONLY}
        # The workers run on TensorFlow, whatever backend the notebook runs on.
        env.pop("KERAS_BACKEND", None)
        with open(self.workdir / f"worker-{index}.log", "a", encoding="utf-8") as log:
            self.processes[index] = subprocess.Popen(
                command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )

    def start_all(self) -> None:
        """Start every worker."""
        for index in range(len(self.ports)):
            self.start(index)

    def epochs_done(self, index: int) -> int:
        """Return how many epochs worker ``index`` has finished and backed up (0 before any)."""
        path = self.workdir / f"progress-{index}.json"
        return len(json.loads(path.read_text(encoding="utf-8"))) if path.exists() else 0

    def wait_for_epoch(self, epochs: int, timeout: float = TIMEOUT_S) -> None:
        """Wait until every worker has backed up ``epochs`` epochs.

        Raises:
            WorkerError: A worker stopped first, or ``timeout`` seconds passed.

        """
        deadline = time.monotonic() + timeout
        while min(self.epochs_done(i) for i in range(len(self.ports))) < epochs:
            self._raise_if_failed()
            if time.monotonic() > deadline:
                raise WorkerError(f"the workers did not reach epoch {epochs} in {timeout:.0f} s")
            time.sleep(0.2)

    def kill(self, index: int) -> None:
        """Kill worker ``index`` at once (SIGKILL), as a lost machine would stop."""
        self.processes[index].send_signal(signal.SIGKILL)
        self.processes[index].wait()

    def wait(self, timeout: float = TIMEOUT_S) -> dict:
        """Wait for every worker to finish and return the chief's ``result.json``.

        Raises:
            WorkerError: A worker stopped with an error, or ``timeout`` seconds passed (then
                every worker is killed).

        """
        deadline = time.monotonic() + timeout
        while any(p.poll() is None for p in self.processes.values()):
            self._raise_if_failed()
            if time.monotonic() > deadline:
                self.stop()
                raise WorkerError(f"the workers did not finish in {timeout:.0f} s")
            time.sleep(0.2)
        self._raise_if_failed()
        return json.loads((self.workdir / "result.json").read_text(encoding="utf-8"))

    def wait_for_exit(self, index: int, timeout: float = TIMEOUT_S) -> int:
        """Wait for worker ``index`` to stop by itself and return its exit status.

        Raises:
            WorkerError: It is still running after ``timeout`` seconds (then it is killed).

        """
        try:
            return self.processes[index].wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill(index)
            raise WorkerError(f"worker {index} did not stop in {timeout:.0f} s") from None

    def _raise_if_failed(self) -> None:
        """Raise ``WorkerError`` with the last line of its log if a worker exited with an error."""
        for index, process in self.processes.items():
            if process.poll() not in (None, 0, -signal.SIGKILL):
                self.stop()
                last = _last_line(self.workdir / f"worker-{index}.log")
                raise WorkerError(f"worker {index} exited with status {process.returncode}: {last}")

    def stop(self) -> None:
        """Kill every worker that is still running and wait for it (idempotent)."""
        for process in self.processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGKILL)
            process.wait()

    def alive(self) -> list[int]:
        """Return the indices of the workers that are running now."""
        return [index for index, p in self.processes.items() if p.poll() is None]


def run_jax(
    workdir: str | os.PathLike[str],
    devices: int = 2,
    timeout: float = TIMEOUT_S,
    mnist_file: str | os.PathLike[str] | None = None,
    **recipe: int,
) -> dict:
    """Train the recipe with ``keras.distribution.DataParallel`` on JAX; return ``result.json``.

    The run is a child process, because a Python process picks its Keras backend once, at its
    first ``import keras``, and JAX its number of CPU devices at its first import (the XLA flag
    ``--xla_force_host_platform_device_count``).

    Raises:
        WorkerError: The run failed (the last line of its log says why) or took over ``timeout``.

    """
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "digitrec.distributed", "jax", str(workdir)]
    command += _recipe_arguments({**RECIPE, **recipe}, mnist_file)
    flags = f"--xla_force_host_platform_device_count={devices}"
    env = {**os.environ, "KERAS_BACKEND": "jax", "XLA_FLAGS": flags, **CPU_ONLY}
    with open(workdir / "jax.log", "w", encoding="utf-8") as log:
        try:
            status = subprocess.run(
                command, env=env, stdout=log, stderr=subprocess.STDOUT, timeout=timeout, check=False
            ).returncode
        except subprocess.TimeoutExpired:
            raise WorkerError(f"the JAX run did not finish in {timeout:.0f} s") from None
    if status != 0:
        raise WorkerError(
            f"the JAX run exited with status {status}: {_last_line(workdir / 'jax.log')}"
        )
    return json.loads((workdir / "result.json").read_text(encoding="utf-8"))


def _recipe_arguments(recipe: dict, mnist_file: str | os.PathLike[str] | None) -> list[str]:
    """Return the command-line options of a run: the recipe, and the MNIST file if it exists."""
    options = [f"--{key.replace('_', '-')}={value}" for key, value in recipe.items()]
    if mnist_file is not None and Path(mnist_file).exists():
        options.append(f"--mnist={Path(mnist_file).resolve()}")
    return options


def _last_line(log: Path) -> str:
    """Return the last non-empty line of a log file, or ``"no output"``."""
    lines = (
        log.read_text(encoding="utf-8", errors="replace").strip().splitlines()
        if log.exists()
        else []
    )
    return lines[-1] if lines else "no output"


def _training_data(args: argparse.Namespace):
    """Return the first ``args.images`` training images (N, 28, 28, 1), labels, validation split."""
    from digitrec import datasets

    (x, y), validation, _ = datasets.load_splits(args.mnist, layout="channels", verbose=False)
    return x[: args.images], y[: args.images], validation


def _compiled_cnn(steps: int):
    """Notebook 07's CNN, compiled with its cosine schedule over ``steps`` steps, seed 42."""
    import keras

    from digitrec import models

    keras.utils.set_random_seed(42)
    model = models.cnn()
    models.compile_cosine(model, steps)
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


def _work_around_keras_20585(model, x: np.ndarray, y: np.ndarray) -> None:
    """Let ``model.fit`` run under ``MultiWorkerMirroredStrategy`` in Keras 3.13.2.

    Keras 3's TensorFlow trainer fails there in two places (keras-team/keras issue 20585, open
    since Keras 3.7): before the first step it averages a *data* batch across workers to learn
    its shapes, and after each step it averages scalar logs along an axis they lack. Here the
    model is built on a plain batch instead, inside the strategy's scope, and the logs are
    averaged like ``MirroredStrategy``'s. The gradients are all-reduced by the optimizer, which
    is untouched, so every worker still applies the same update.
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
    batches = tf.data.Dataset.from_tensor_slices((x, y)).shuffle(len(x), seed=42)
    batches = batches.batch(args.batch_size, drop_remainder=True).with_options(options)
    with strategy.scope():
        model = _compiled_cnn(args.epochs * (len(x) // args.batch_size))
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
    model = _compiled_cnn(args.epochs * int(-(-len(x) // args.batch_size)))
    start = time.perf_counter()
    model.fit(x, y, epochs=args.epochs, batch_size=args.batch_size, shuffle=True, verbose=0)
    seconds = time.perf_counter() - start
    _, accuracy = model.evaluate(x_val, y_val, batch_size=1000, verbose=0)
    result = {"val_accuracy": float(accuracy), "seconds": seconds, "devices": len(jax.devices())}
    _write_json(args.workdir / "result.json", result)


def main(argv: list[str] | None = None) -> None:
    """Command line of the child processes: ``worker WORKDIR`` or ``jax WORKDIR``, the recipe."""
    parser = argparse.ArgumentParser(prog="python -m digitrec.distributed")
    parser.add_argument("role", choices=["worker", "jax"])
    parser.add_argument("workdir", type=Path)
    for key, value in RECIPE.items():
        parser.add_argument(f"--{key.replace('_', '-')}", type=int, default=value)
    parser.add_argument("--mnist", default=None, help="data/mnist.npz (default: download)")
    args = parser.parse_args(argv)
    (_worker_main if args.role == "worker" else _jax_main)(args)


if __name__ == "__main__":
    main()

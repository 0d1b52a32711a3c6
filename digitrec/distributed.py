"""Data-parallel training in several processes: the two-worker cluster of notebook 13.

A ``Cluster`` starts worker processes on this machine (``127.0.0.1``, free ports), each running a
worker program: a script of the caller's (``Cluster(script=Path("worker.py"))``, started as
``python worker.py WORKDIR --epochs=3 ...``, as notebook 13 writes one) or, by default, the
package's own (``python -m digitrec.workers worker WORKDIR ...``). Each is told who is who by the
``TF_CONFIG`` environment variable, as in TensorFlow's tutorial "Multi-worker training with
Keras" (https://www.tensorflow.org/tutorials/distribute/multi_worker_with_keras): it trains
notebook 07's CNN with ``MultiWorkerMirroredStrategy`` on its shard of every global batch, backs
its training state up after each epoch with ``keras.callbacks.BackupAndRestore`` and, when it is
restarted, resumes from that backup. ``run_jax`` runs the same training on the JAX backend with
``keras.distribution.DataParallel`` over virtual CPU devices, from a script or from the
package's ``python -m digitrec.workers jax``.

Every run writes JSON files into its work folder: ``progress-<worker>.json`` (the epochs done,
with their loss; ``workers.progress_callback``), ``result.json`` (written by worker 0, the chief,
or by the JAX run) and a log per process, so the notebook reads results from files instead of
from pipes.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

from digitrec.errors import WorkerError

#: Seconds to wait for a worker to reach an epoch or to finish before giving up.
TIMEOUT_S = 300.0
#: The recipe every run shares: images from the training split, epochs, global batch size, the
#: seed of the weights' initialisation and of the shuffling, and the peak learning rate of the
#: cosine schedule (``models.compile_cosine``), which belongs to the global batch.
RECIPE = {"images": 8000, "epochs": 3, "batch_size": 128, "seed": 42, "learning_rate": 2e-3}

#: The environment of every child process: on the CPU, even where the notebook holds a GPU (as in
#: Colab), so that two processes never fight over one GPU's memory; TensorFlow's C++ log quiet.
CPU_ONLY = {"CUDA_VISIBLE_DEVICES": "", "JAX_PLATFORMS": "cpu", "TF_CPP_MIN_LOG_LEVEL": "2"}


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
        script: The worker program, a Python file started as ``python SCRIPT WORKDIR
            --images=... --epochs=... --batch-size=... --seed=... --learning-rate=...
            [--mnist=FILE]`` (``workers.parse_recipe`` reads that); ``None``: the package's
            own worker, ``python -m digitrec.workers worker``.
        recipe: Overrides of ``RECIPE`` (``images``, ``epochs``, ``batch_size``, ``seed``,
            ``learning_rate``).

    """

    def __init__(
        self,
        workdir: str | os.PathLike[str],
        workers: int = 2,
        mnist_file: str | os.PathLike[str] | None = None,
        script: str | os.PathLike[str] | None = None,
        **recipe: float,
    ) -> None:
        self.workdir = Path(workdir)
        self.mnist_file = mnist_file
        self.script = None if script is None else Path(script)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.ports = free_ports(workers)
        self.recipe = {**RECIPE, **recipe}
        self.processes: dict[int, subprocess.Popen] = {}

    def __enter__(self) -> Cluster:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def start(self, index: int) -> None:
        """Start worker ``index`` (again, after it was killed); its output goes to its log.

        Raises:
            WorkerError: ``script`` is not a file.

        """
        command = _program(self.script, "worker") + [str(self.workdir)]
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


#: XLA's CPU all-reduce can stall for good on an overloaded machine: on 2 busy cores one device
#: sometimes never joins the first all-reduce (its log: "Expected 2 threads to join the
#: rendezvous"; the waiting device sits in ``InProcessCommunicator::AllReduce`` on a thread of
#: Eigen's intra-op pool). ``--xla_cpu_multi_thread_eigen=false`` did not prevent it (tried
#: 2026-12-04: a clean-clone test run still stalled twice). XLA warns of any wait over 20 s, and
#: the logs of the runs that finished carry no such warning, so ``run_jax`` gives a collective
#: this many seconds, then starts the run again.
COLLECTIVE_TIMEOUT_S = 30
COLLECTIVE_TIMEOUT_FLAG = (
    f"--xla_cpu_collective_call_terminate_timeout_seconds={COLLECTIVE_TIMEOUT_S}"
)
#: What XLA says of a flag it does not know. The timeout flag is newer than some jaxlib releases
#: that Keras 3.13 runs on (Colab's 0.7.2 rejects it): ``run_jax`` then runs without it, and
#: the run's own ``timeout`` is the only guard against a stall.
UNKNOWN_FLAG = "Unknown flag in XLA_FLAGS"
#: How many times ``run_jax`` starts a run whose all-reduce stalled.
JAX_ATTEMPTS = 5
STALLED = "to join the rendezvous"


def run_jax(
    workdir: str | os.PathLike[str],
    devices: int = 2,
    timeout: float = TIMEOUT_S,
    mnist_file: str | os.PathLike[str] | None = None,
    script: str | os.PathLike[str] | None = None,
    **recipe: float,
) -> dict:
    """Train the recipe with ``keras.distribution.DataParallel`` on JAX; return ``result.json``.

    ``script`` is the program, started as ``python SCRIPT WORKDIR --images=... [--mnist=FILE]``
    with ``KERAS_BACKEND=jax`` (as ``Cluster``'s workers are); ``None``, the package's own,
    ``python -m digitrec.workers jax``. It must write ``WORKDIR/result.json``. The run is a child
    process, because a Python process picks its Keras backend once, at its first ``import
    keras``, and JAX its number of CPU devices at its first import (the XLA flag
    ``--xla_force_host_platform_device_count``). A run whose all-reduce stalls (see
    ``COLLECTIVE_TIMEOUT_S``) is started again, up to ``JAX_ATTEMPTS`` times; so is a run whose
    jaxlib does not know the timeout flag, without it. The result's ``"attempts"`` says how many
    runs it took.

    Raises:
        WorkerError: ``script`` is not a file, or the run failed (the last line of its log says
            why), took over ``timeout``, or stalled ``JAX_ATTEMPTS`` times.

    """
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    command = _program(None if script is None else Path(script), "jax") + [str(workdir)]
    command += _recipe_arguments({**RECIPE, **recipe}, mnist_file)
    flags = [f"--xla_force_host_platform_device_count={devices}", COLLECTIVE_TIMEOUT_FLAG]
    for attempt in range(1, JAX_ATTEMPTS + 1):
        env = {**os.environ, "KERAS_BACKEND": "jax", "XLA_FLAGS": " ".join(flags), **CPU_ONLY}
        status = _run_logged(command, env, workdir / f"jax-{attempt}.log", timeout)
        log = (workdir / f"jax-{attempt}.log").read_text(encoding="utf-8", errors="replace")
        if status == 0:
            return {**json.loads((workdir / "result.json").read_text(encoding="utf-8")),
                    "attempts": attempt}  # fmt: skip
        if UNKNOWN_FLAG in log and COLLECTIVE_TIMEOUT_FLAG in flags:
            flags.remove(COLLECTIVE_TIMEOUT_FLAG)  # an older jaxlib: run without the timeout
        elif STALLED not in log:
            break
    raise WorkerError(
        f"the JAX run exited with status {status}: {_last_line(workdir / f'jax-{attempt}.log')}"
    )


def _run_logged(command: list[str], env: dict, log_file: Path, timeout: float) -> int:
    """Run ``command`` with its output in ``log_file``; return its exit status.

    Raises:
        WorkerError: It ran over ``timeout`` seconds (then it is killed).

    """
    with open(log_file, "w", encoding="utf-8") as log:
        try:
            return subprocess.run(
                command, env=env, stdout=log, stderr=subprocess.STDOUT, timeout=timeout, check=False
            ).returncode
        except subprocess.TimeoutExpired:
            raise WorkerError(f"the JAX run did not finish in {timeout:.0f} s") from None


def _program(script: Path | None, role: str) -> list[str]:
    """Return the command that starts ``script``, or the package's worker of ``role``."""
    if script is None:
        return [sys.executable, "-m", "digitrec.workers", role]
    if not script.is_file():
        raise WorkerError(f"no worker script at {script}: write it first")
    return [sys.executable, str(script.resolve())]


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

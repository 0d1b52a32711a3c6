"""digitrec.distributed: the cluster's configuration, and that no worker outlives its Cluster.

The training itself (a killed worker, resumed from its backup) runs in notebook 13, under nbval.
"""

import json
import socket
import subprocess
import sys

import pytest

from digitrec import distributed, workers


def test_a_port_in_use_is_not_free():
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        assert not distributed.port_is_free(server.getsockname()[1])


def test_free_ports_are_distinct_and_free():
    ports = distributed.free_ports(3)
    assert len(set(ports)) == 3 and all(distributed.port_is_free(p) for p in ports)


def test_tf_config_names_every_worker_and_this_one():
    config = json.loads(distributed.tf_config([1111, 2222], 1))
    assert config == {
        "cluster": {"worker": ["127.0.0.1:1111", "127.0.0.1:2222"]},
        "task": {"type": "worker", "index": 1},
    }


def test_the_recipe_and_its_seed_reach_the_child_processes(tmp_path):
    recipe = {**distributed.RECIPE, "epochs": 2, "seed": 7, "learning_rate": 8e-3}
    mnist = tmp_path / "mnist.npz"
    mnist.touch()
    args = workers.parse_arguments(["jax", "w", *distributed._recipe_arguments(recipe, mnist)])
    assert {key: getattr(args, key) for key in recipe} == recipe
    assert args.mnist == str(mnist.resolve())


@pytest.mark.parametrize("learning_rate", [2e-3, 8e-3])
def test_the_workers_start_their_cosine_schedule_at_the_recipes_learning_rate(learning_rate):
    import keras

    recipe = {**distributed.RECIPE, "learning_rate": learning_rate}
    args = workers.parse_arguments(["worker", "w", *distributed._recipe_arguments(recipe, None)])
    optimizer = workers._compiled_cnn(100, args).optimizer
    start = keras.ops.convert_to_numpy(optimizer.learning_rate)
    assert start == pytest.approx(learning_rate)
    assert distributed.RECIPE["learning_rate"] == 2e-3  # notebook 07's, for a batch of 128


def test_leaving_the_with_block_kills_every_worker(tmp_path):
    with distributed.Cluster(tmp_path, workers=2) as cluster:
        cluster.start_all()
        assert len(cluster.alive()) == 2
    assert cluster.alive() == []
    assert all(distributed.port_is_free(p) for p in cluster.ports)


def test_a_worker_that_fails_is_reported_in_one_line_with_its_last_log_line(tmp_path):
    command = [sys.executable, "-c", "raise SystemExit('no MNIST here')"]
    with distributed.Cluster(tmp_path, workers=1) as cluster:
        with open(tmp_path / "worker-0.log", "w") as log:  # a worker that stops at once
            cluster.processes[0] = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        with pytest.raises(distributed.WorkerError, match="status 1: no MNIST here"):
            cluster.wait(timeout=60)
    assert cluster.alive() == []


def test_waiting_too_long_stops_the_workers(tmp_path):
    with distributed.Cluster(tmp_path, workers=2) as cluster:
        cluster.start_all()
        with pytest.raises(distributed.WorkerError, match="did not finish in 0 s"):
            cluster.wait(timeout=0.1)
        assert cluster.alive() == []


@pytest.mark.parametrize(
    ("version", "needed"), [("3.7.0", True), ("3.13.2", True), ("3.14", False)]
)
def test_the_workaround_is_for_the_keras_releases_that_need_it(version, needed):
    assert workers.needs_keras_20585_workaround(version) is needed


def test_keras_still_needs_the_multi_worker_workaround(tmp_path, monkeypatch, mnist_file):
    """keras-team/keras#20585: when this fails, a Keras release trains without the patch."""
    import keras

    if not workers.needs_keras_20585_workaround(keras.__version__):
        pytest.skip(f"Keras {keras.__version__} is newer than the patched releases")
    monkeypatch.setenv(workers.WORKAROUND_ENV, "0")
    recipe = {"images": 256, "epochs": 1, "batch_size": 64}
    with distributed.Cluster(tmp_path, workers=2, mnist_file=mnist_file, **recipe) as cluster:
        cluster.start_all()
        try:
            cluster.wait(timeout=240)
        except distributed.WorkerError as error:
            failure = str(error)
        else:
            failure = None
    fixed = f"Keras {keras.__version__} trains without it: remove workers._work_around_keras_20585"
    assert failure is not None, fixed
    assert "PerReplica" in failure, failure  # the error: a data batch all-reduced

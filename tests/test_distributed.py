"""digitrec.distributed: the cluster's configuration, and that no worker outlives its Cluster.

The training itself (a killed worker, resumed from its backup) runs in notebook 13, under nbval,
with the worker scripts that the notebook writes; here, stand-in scripts show what ``Cluster``
and ``run_jax`` give a script.
"""

import ast
import json
import re
import socket
import subprocess
import sys
import textwrap

import pytest
from helpers import ROOT, load_notebook

from digitrec import distributed, workers

#: A stand-in worker script: it reports its recipe, its place in TF_CONFIG and its backend.
REPORTING_SCRIPT = textwrap.dedent("""
    import json
    import os

    from digitrec import workers

    args = workers.parse_recipe()
    index = json.loads(os.environ.get("TF_CONFIG", '{"task": {"index": 0}}'))["task"]["index"]
    (args.workdir / f"progress-{index}.json").write_text(json.dumps({"1": 0.5}))
    names = ("KERAS_BACKEND", "XLA_FLAGS", "CUDA_VISIBLE_DEVICES")
    seen = {name: os.environ.get(name) for name in names}
    report = {"index": index, "epochs": args.epochs, "seed": args.seed, "mnist": args.mnist, **seen}
    (args.workdir / f"report-{index}.json").write_text(json.dumps(report))
    (args.workdir / "result.json").write_text(json.dumps(report))
""")


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


def test_a_script_reads_the_work_folder_and_the_recipe_from_its_command_line(tmp_path):
    recipe = {**distributed.RECIPE, "images": 512, "batch_size": 64}
    argv = [str(tmp_path), *distributed._recipe_arguments(recipe, None)]
    args = workers.parse_recipe(argv)
    assert args.workdir == tmp_path and args.mnist is None
    assert {key: getattr(args, key) for key in recipe} == recipe


@pytest.mark.parametrize("learning_rate", [2e-3, 8e-3])
def test_the_workers_start_their_cosine_schedule_at_the_recipes_learning_rate(learning_rate):
    import keras

    recipe = {**distributed.RECIPE, "learning_rate": learning_rate}
    args = workers.parse_arguments(["worker", "w", *distributed._recipe_arguments(recipe, None)])
    optimizer = workers.compiled_cnn(100, args.learning_rate, args.seed).optimizer
    start = keras.ops.convert_to_numpy(optimizer.learning_rate)
    assert start == pytest.approx(learning_rate)
    assert distributed.RECIPE["learning_rate"] == 2e-3  # notebook 07's, for a batch of 128


def test_a_cluster_starts_the_given_script_once_per_worker(tmp_path, mnist_file):
    script = tmp_path / "worker.py"
    script.write_text(REPORTING_SCRIPT)
    work = tmp_path / "work"
    with distributed.Cluster(work, workers=2, mnist_file=mnist_file, script=script, seed=7) as c:
        c.start_all()
        c.wait(timeout=120)
    reports = [json.loads((work / f"report-{i}.json").read_text()) for i in range(2)]
    assert [r["index"] for r in reports] == [0, 1]
    assert all(r["seed"] == 7 and r["epochs"] == distributed.RECIPE["epochs"] for r in reports)
    assert all(r["mnist"] == str(mnist_file.resolve()) for r in reports)
    assert all(r["KERAS_BACKEND"] is None and r["CUDA_VISIBLE_DEVICES"] == "" for r in reports)
    assert c.epochs_done(0) == c.epochs_done(1) == 1


def test_run_jax_starts_the_given_script_on_the_jax_backend(tmp_path):
    script = tmp_path / "jax_worker.py"
    script.write_text(REPORTING_SCRIPT)
    result = distributed.run_jax(tmp_path / "work", devices=3, script=script, epochs=1)
    assert result["KERAS_BACKEND"] == "jax" and result["epochs"] == 1
    assert "--xla_force_host_platform_device_count=3" in result["XLA_FLAGS"]
    assert result["attempts"] == 1


def test_a_missing_script_is_named_in_one_line(tmp_path):
    with distributed.Cluster(tmp_path, workers=1, script=tmp_path / "worker.py") as cluster:
        with pytest.raises(distributed.WorkerError, match="no worker script at .*worker.py"):
            cluster.start_all()
    with pytest.raises(distributed.WorkerError, match="no worker script"):
        distributed.run_jax(tmp_path, script=tmp_path / "jax_worker.py")


def notebook_13_scripts():
    """{file name: text} of the scripts that notebook 13 writes with ``%%writefile [-a]``."""
    scripts = {}
    for cell in load_notebook(ROOT / "notebooks" / "13_training_on_many_devices.ipynb")["cells"]:
        source = "".join(cell["source"])
        magic = re.match(r"%%writefile( -a)? \{scripts\}/(\w+\.py)\n", source)
        if cell["cell_type"] == "code" and magic:
            before = scripts.get(magic[2], "") if magic[1] else ""
            scripts[magic[2]] = before + source[magic.end() :] + "\n"
    return scripts


def test_notebook_13_writes_its_three_scripts():
    assert sorted(notebook_13_scripts()) == ["jax_worker.py", "mnist_setup.py", "worker.py"]


@pytest.mark.parametrize("name", ["jax_worker.py", "mnist_setup.py", "worker.py"])
def test_the_helpers_that_notebook_13s_scripts_call_exist(name):
    """A renamed helper of ``digitrec.workers`` would break the scripts only in their processes."""
    tree = ast.parse(notebook_13_scripts()[name])
    called = {
        node.attr
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == "workers"
    }
    assert all(callable(getattr(workers, attribute, None)) for attribute in called), called


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

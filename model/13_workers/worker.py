"""One worker of a cluster: notebook 07's CNN, trained with MultiWorkerMirroredStrategy.

Start it once per worker, each with its own TF_CONFIG: `python worker.py WORKDIR --epochs=3`.
"""

import json
import os
import time

import keras
import mnist_setup
import numpy as np
import tensorflow as tf

from digitrec import workers


def global_batches(x, y, batch_size, seed):
    """Return shuffled global batches, of which each worker reads its own share."""
    options = tf.data.Options()
    options.experimental_distribute.auto_shard_policy = tf.data.experimental.AutoShardPolicy.DATA
    batches = tf.data.Dataset.from_tensor_slices((x, y)).shuffle(len(x), seed=seed)
    # Drop the last, partial batch, so that every step splits evenly across the workers.
    return batches.batch(batch_size, drop_remainder=True).with_options(options)


def accuracy(model, x, y):
    """Return the share of `x` that `model` classifies as `y`, computed by this worker alone."""
    batches = [model(x[i : i + 1000], training=False) for i in range(0, len(x), 1000)]
    return float((np.concatenate(batches).argmax(axis=1) == y).mean())


def write_result(workdir, model, history, seconds, validation):
    """Write the chief's report: validation accuracy, the epochs this run trained, the time."""
    result = {
        "val_accuracy": accuracy(model, *validation),
        "epochs_run": [epoch + 1 for epoch in history.epoch],  # after a restart, not from 1
        "seconds": seconds,
        "workers": model.distribute_strategy.num_replicas_in_sync,
    }
    (workdir / "result.json").write_text(json.dumps(result))


def main():
    """Train as one worker of the cluster that TF_CONFIG describes."""
    # The strategy first: it reads TF_CONFIG and waits until every worker has started.
    strategy = tf.distribute.MultiWorkerMirroredStrategy()
    index = json.loads(os.environ["TF_CONFIG"])["task"]["index"]  # worker 0 is the chief
    args = workers.parse_recipe()  # the work folder and the recipe: args.epochs ...
    x, y, validation = mnist_setup.training_data(args.images, args.mnist)
    steps = args.epochs * (len(x) // args.batch_size)
    with strategy.scope():  # the variables made here are mirrored on every worker
        model = mnist_setup.compiled_cnn(steps, args.learning_rate, args.seed)
    workers.patch_keras_20585(model, x[:2], y[:2])  # a known Keras bug: see the notebook
    callbacks = [
        # Each worker backs up to a folder of its own, after every epoch.
        keras.callbacks.BackupAndRestore(args.workdir / f"backup-{index}"),
        workers.progress_callback(args.workdir / f"progress-{index}.json"),
    ]
    start = time.perf_counter()
    batches = global_batches(x, y, args.batch_size, args.seed)
    history = model.fit(batches, epochs=args.epochs, callbacks=callbacks, verbose=0)
    if index == 0:
        write_result(args.workdir, model, history, time.perf_counter() - start, validation)


if __name__ == "__main__":
    main()

"""Write README.md's result tables from their one source: the models' records and the notebooks.

Each generated table sits between two comments in README.md::

    <!-- table: models (tools/readme_tables.py) -->
    | ... |
    <!-- end of table: models -->

and is made by the function of ``TABLES`` of that name, from ``model/*.json`` (written by the
notebook that trains each model) or from a notebook's stored output. After re-executing a
notebook, run this; CI runs ``--check``, which fails when README.md differs from its sources.

    python tools/readme_tables.py            # rewrite the tables
    python tools/readme_tables.py --check    # exit status 1, naming the stale tables, if any
"""

import argparse
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BLOCK = re.compile(
    r"(<!-- table: (?P<name>[\w-]+) \(tools/readme_tables\.py\) -->\n)(?P<body>.*?)"
    r"(<!-- end of table: (?P=name) -->)",
    re.S,
)
#: The rows of the models table: (notebook, record in model/, what the model is). The recipe is
#: written here; the parameters and the accuracy come from the record.
MODELS = [
    ("03", "03_dense", "Dense 784-512-10, Adam, {epochs} epochs (`model/03_dense.keras`)"),
    (
        "05",
        "05_numpy",
        "NumPy from scratch, 784-256-10, Adam with cosine decay, {epochs} epochs (not saved)",
    ),
    (
        "06",
        "06_dense",
        "Dense 784-800-800-10, elastic distortions (Simard et al. 2003), cosine decay, "
        "{epochs} epochs of batches of 256 (`model/06_dense.keras`)",
    ),
    (
        "07",
        "07_cnn",
        "CNN, 5×5 convolutions without padding, 32/64 filters + dense 256, augmentation, cosine "
        "decay, {epochs} epochs (`model/07_cnn.keras`)",
    ),
]
#: The rows of notebook 08's table of preprocessings, as the notebook prints them.
PREPARATIONS = ("MNIST test set", "naive resize", "naive resize, inverted", "to_mnist")
SPACINGS = {
    "wide": "wide (5-9 px gaps at 28 × 28 scale)",
    "tight": "tight (1-3 px gaps)",
    "touching": "touching",
    "overlapping": "overlapping (2-3 px)",
}

#: Notebook 09's sets of pictures that are no digit, as it prints them, and as README names them.
OUTLIER_SETS = {
    "scribbles": "scribbles",
    "letters": "letters (DejaVu Sans; digit-like ones mostly accepted)",
    "Fashion-MNIST": "Fashion-MNIST (Debian's `dataset-fashion-mnist`)",
}
#: Notebook 09's degraded test sets, as it prints them, and as README names them.
DEGRADED = {
    "8 x 8, enlarged": "MNIST test digits shrunk to 8 × 8 (16 grey levels) and enlarged",
    "12 x 12, enlarged": "the same at 12 × 12",
    "re-drawn, blurred": "re-drawn test digits blurred by 1/12 of their height (1,000)",
    "UCI optical digits": (
        "UCI optical digits (`sklearn.datasets.load_digits`, 8 × 8, not tuned on)"
    ),
}
#: Notebook 11's exports: (file, runtime as README names it, runtime as the notebook prints it).
EXPORTS = [
    ("`model/07_cnn.tflite` (float32)", "LiteRT (`ai-edge-litert`)", "LiteRT"),
    ("`model/07_cnn.onnx` (float32)", "ONNX Runtime", "ONNX Runtime"),
    ("`model/07_cnn_dynamic.tflite` (int8 weights)", "LiteRT", "dynamic range"),
    ("`model/07_cnn_int8.tflite` (full integer)", "LiteRT", "int8"),
]


def percent(fraction: float, places: int = 2) -> str:
    """Write a fraction as README does: ``0.9793`` -> ``"97.93 %"``."""
    return f"{fraction * 100:.{places}f} %"


def markdown_table(header: list[str], rows: list[list[str]]) -> str:
    """A Markdown table of ``header`` and ``rows``, ending with a newline."""
    rule = "|" + "---|" * len(header) + "\n"
    lines = ["| " + " | ".join(cells) + " |\n" for cells in [header, *rows]]
    return lines[0] + rule + "".join(lines[1:])


def record(name: str, root: Path = ROOT) -> dict:
    """The JSON record ``model/<name>.json``."""
    return json.loads((root / "model" / f"{name}.json").read_text(encoding="utf-8"))


def models_table(root: Path = ROOT) -> str:
    """The digit models of notebooks 03-07: parameters and test accuracy from their records."""
    rows = []
    for notebook, name, recipe in MODELS:
        fields = record(name, root)
        rows.append(
            [
                notebook,
                recipe.format(epochs=fields["epochs"]),
                f"{fields['parameters']:,}",
                percent(fields["test_accuracy"]),
            ]
        )
    return markdown_table(["Notebook", "Model", "Parameters", "Test accuracy"], rows)


def stored_text_outputs(path: Path) -> list[str]:
    """The text of each output stored in the notebook at ``path``, in order.

    Printed text (stream outputs) and the plain-text form of results and displays; images and
    errors are left out. ``tests/helpers.py`` reads the notebooks' outputs with it too.
    """
    texts = []
    for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
        for output in cell.get("outputs", []):
            text = output.get("text", output.get("data", {}).get("text/plain"))
            if text is not None:
                texts.append("".join(text))
    return texts


def stored_outputs(notebook: str, root: Path = ROOT) -> str:
    """The text outputs stored in ``notebooks/<notebook>``, joined by newlines."""
    return "\n".join(stored_text_outputs(root / "notebooks" / notebook))


def preprocessing_table(root: Path = ROOT) -> str:
    """Notebook 08's accuracies of the 07 CNN by how the re-drawn test digits are prepared."""
    pattern = rf"^({'|'.join(map(re.escape, PREPARATIONS))})\s+([\d.]+)%$"
    printed = dict(re.findall(pattern, stored_outputs("08_your_handwriting.ipynb", root), re.M))
    missing = [name for name in PREPARATIONS if name not in printed]
    if missing:
        raise ValueError(f"notebook 08's stored output has no accuracy for {missing}")
    names = {"to_mnist": "`digitrec.to_mnist`"}
    rows = [[names.get(name, name), f"{printed[name]} %"] for name in PREPARATIONS]
    return markdown_table(["Preprocessing", "Test accuracy"], rows)


def reading_table(root: Path = ROOT) -> str:
    """Notebook 10's reading by segmentation, by spacing, from ``model/10_reading.json``."""
    fields = record("10_reading", root)
    rows = []
    for spacing, label in SPACINGS.items():
        measured = fields["by_spacing"][spacing]
        four = percent(fields["by_length"][f"{spacing} 4"], 0)
        if spacing == "wide":
            four += f" (p⁴ = {percent(fields['p'] ** 4, 1)})"
        rows.append([label, percent(measured["whole"], 1), percent(measured["digits"]), four])
    header = ["Spacing", "Whole numbers right", "Digit accuracy (1 − CER)", "4-digit numbers right"]
    return markdown_table(header, rows)


def printed(notebook: str, pattern: str, count: int, root: Path = ROOT) -> list:
    """The matches of ``pattern`` in a notebook's stored outputs (``re.findall``, by line).

    Raises:
        ValueError: Not exactly ``count`` matches (the notebook prints something else now).

    """
    found = re.findall(pattern, stored_outputs(notebook, root), re.M)
    if len(found) != count:
        raise ValueError(f"{notebook}: {len(found)} lines match {pattern!r}, {count} expected")
    return found


def ctc_table(root: Path = ROOT) -> str:
    """Notebook 12's CTC reader next to notebook 10's segmentation, by spacing."""
    notebook = "12_reading_with_ctc.ipynb"
    number = r" +([\d.]+)%"
    rows = [
        [spacing, *(f"{value} %" for value in values)]
        for spacing, *values in printed(notebook, rf"^({'|'.join(SPACINGS)}){number * 4}$", 4, root)
    ]
    pattern = r"^4-digit separated numbers: CTC ([\d.]+)%, segmentation ([\d.]+)%"
    ((ctc, cut),) = printed(notebook, pattern, 1, root)
    rows.append(["4-digit numbers, wide and tight", f"{ctc} %", "", f"{cut} %", ""])
    header = ["Spacing", "CTC: numbers right", "CTC: digit accuracy"]
    header += ["Segmentation: numbers right", "Segmentation: digit accuracy"]
    return markdown_table(header, rows)


def devices_table(root: Path = ROOT) -> str:
    """Notebook 13's validation accuracies with 1, 2 and 4 replicas, 2 workers and JAX."""
    notebook = "13_training_on_many_devices.ipynb"
    replicas = printed(notebook, r"^[124] replica\(s\): validation accuracy ([\d.]+)%", 3, root)
    workers = printed(notebook, r"^validation accuracy ([\d.]+)% with 2 workers", 1, root)
    on_jax = r"^JAX, DataParallel over 2 devices: validation accuracy ([\d.]+)%"
    jax = printed(notebook, on_jax, 1, root)
    rows = [
        ["`MirroredStrategy`, 1 / 2 / 4 logical CPUs", " / ".join(f"{a} %" for a in replicas)],
        [
            "`MultiWorkerMirroredStrategy`, 2 worker processes; worker 1 killed after epoch 1, "
            "both restarted, epochs 2 and 3 resumed by `BackupAndRestore`",
            f"{workers[0]} %",
        ],
        ["JAX backend, `keras.distribution.DataParallel` over 2 devices", f"{jax[0]} %"],
    ]
    return markdown_table(["Run", "Validation accuracy"], rows)


def writers_table(root: Path = ROOT) -> str:
    """Notebook 08's accuracy of the 07 CNN on the UCI optical digits (other writers)."""
    pattern = r"^1,797 UCI digits by 13 writers: accuracy ([\d.]+)%$"
    (accuracy,) = printed("08_your_handwriting.ipynb", pattern, 1, root)
    rows = [["UCI optical digits (8 × 8), `digitrec.to_mnist`", f"{accuracy} %"]]
    return markdown_table(["Digits by other writers", "Test accuracy"], rows)


def rejection_table(root: Path = ROOT) -> str:
    """Notebook 09's rejection rates of the MSP threshold and of the "not a digit" class."""
    notebook = "09_trusting_predictions.ipynb"
    pattern = r"^  rejected: MSP +([\d.]+)%   not-a-digit class +([\d.]+)%   (.+)$"
    rejected = {name: (msp, oe) for msp, oe, name in printed(notebook, pattern, 6, root)}
    noise = [rejected[f"{kind} noise"] for kind in ("uniform", "Gaussian")]
    rows = [["uniform / Gaussian noise", *(" / ".join(f"{r[i]} %" for r in noise) for i in (0, 1))]]
    rows += [
        [label, f"{rejected[name][0]} %", f"{rejected[name][1]} %"]
        for name, label in OUTLIER_SETS.items()
    ]
    pattern = r"^accuracy ([\d.]+)% without the rule, ([\d.]+)% with it$"
    ((before, after),) = printed(notebook, pattern, 1, root)
    msp, oe = rejected["re-drawn test digits"]
    why = f"(accuracy {before} % → {after} %, rejections counted wrong)"
    rows.append(["re-drawn MNIST test digits", f"{msp} %", f"{oe} % {why}"])
    return markdown_table(["Set", "MSP threshold", '"not a digit" class'], rows)


def threshold_table(root: Path = ROOT) -> str:
    """Notebook 09's accuracies of the 07 CNN with the old hard threshold and with grey levels."""
    pattern = r"^(.+?) +07 CNN: hard threshold ([\d.]+)%, grey levels ([\d.]+)%$"
    found = {
        name: values for name, *values in printed("09_trusting_predictions.ipynb", pattern, 4, root)
    }
    rows = [[label, *(f"{value} %" for value in found[name])] for name, label in DEGRADED.items()]
    return markdown_table(["Test set", "Hard threshold", "Grey levels"], rows)


def exports_table(root: Path = ROOT) -> str:
    """Notebook 11's exports: file size, test accuracy and milliseconds per digit."""
    notebook = "11_shipping_the_model.ipynb"
    (keras_size,) = printed(notebook, r"^07_cnn\.keras +([\d.]+ MB)$", 1, root)
    (keras_accuracy,) = printed(
        notebook, r"^Keras +same digit as Keras .* accuracy ([\d.]+)%$", 1, root
    )
    (keras_ms,) = printed(notebook, r"^traced graph +([\d.]+) ms per digit$", 1, root)
    pattern = r"^(LiteRT|ONNX Runtime|dynamic range|int8) +([\d.]+ MB)  accuracy ([\d.]+)%"
    sizes = {name: (size, accuracy) for name, size, accuracy in printed(notebook, pattern, 4, root)}
    # Printed twice for LiteRT and ONNX Runtime (beside the quantized models, then beside
    # Keras): the table takes the first, measured in the same run as the quantized ones.
    pattern = r"^(LiteRT|ONNX Runtime|dynamic range|int8) +([\d.]+) ms per digit$"
    times = dict(reversed(printed(notebook, pattern, 6, root)))
    rows = [["`model/07_cnn.keras`", "Keras (traced graph)", keras_size, f"{keras_accuracy} %"]]
    rows[0].append(f"{float(keras_ms):.2f}")
    for file, runtime, name in EXPORTS:
        size, accuracy = sizes[name]
        rows.append([file, runtime, size, f"{accuracy} %", f"{float(times[name]):.2f}"])
    header = ["File", "Runtime", "Size", "Test accuracy", "ms per digit"]
    return markdown_table(header, rows)


TABLES = {
    "models": models_table,
    "preprocessing": preprocessing_table,
    "writers": writers_table,
    "rejection": rejection_table,
    "threshold": threshold_table,
    "exports": exports_table,
    "reading": reading_table,
    "ctc": ctc_table,
    "devices": devices_table,
}


def rewritten(readme: str, root: Path = ROOT) -> tuple[str, list[str]]:
    """Return README's text with every table regenerated, and the names of those that changed.

    Raises:
        ValueError: A table of ``TABLES`` has no block in README, or a block names no table.

    """
    found = [match["name"] for match in BLOCK.finditer(readme)]
    unknown, absent = set(found) - set(TABLES), set(TABLES) - set(found)
    if unknown or absent:
        raise ValueError(f"README.md's table blocks: unknown {unknown or '{}'}, absent {absent}")
    changed = []

    def regenerate(match: re.Match) -> str:
        body = TABLES[match["name"]](root)
        if body != match["body"]:
            changed.append(match["name"])
        return match[1] + body + match[4]

    return BLOCK.sub(regenerate, readme), changed


def main(argv: list[str] | None = None) -> int:
    """Rewrite README.md's tables, or with ``--check`` only report stale ones; exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="change nothing; fail if stale")
    args = parser.parse_args(argv)
    path = ROOT / "README.md"
    try:
        text, changed = rewritten(path.read_text(encoding="utf-8"))
    except (ValueError, KeyError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    for name in changed:
        print(f"{'stale' if args.check else 'rewrote'} table: {name}")
    if not args.check:
        path.write_text(text, encoding="utf-8")
    return 1 if args.check and changed else 0


if __name__ == "__main__":
    sys.exit(main())

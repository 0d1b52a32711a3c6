"""Re-run a notebook with other seeds and measure how far each assert stays from failing.

A notebook's asserts must hold on other machines and for other seeds, not only for the run that
is stored. This tool executes a copy of a notebook once per seed (the stored notebook is not
touched, and figures and models go to a temporary folder through ``DIGITREC_OUTPUT_DIR``):

- the seed: ``setup_notebook(seed=42`` and every ``keras.utils.set_random_seed(42)`` of the
  copy take the sweep's seed instead, so that the weights' initialisation, the shuffling and
  the augmentation change (the seeds that make test data, such as ``default_rng(2026)``, stay);
- the asserts: each comparison of an ``assert`` (``a >= b``, ``a < b``, the parts of an
  ``and``) records both sides before it is checked, so a failing seed still shows by how much.

For each comparison the report gives the value for every seed, the bound and the **margin**
(how far the worst seed is from failing; negative: it failed) against the **spread** of the value
over the seeds. A floor whose margin is smaller than the spread is one seed from failing.

    python tools/seed_sweep.py 03 --seeds 1 2 3     # notebooks/03_*.ipynb, three seeds
    python tools/seed_sweep.py 07 --markdown docs.md

Writes ``build/seed-sweep/<notebook>.json`` (``--out``) and, with ``--markdown``, appends the
notebook's table to that file. Times are printed, not judged.
"""

from __future__ import annotations

import argparse
import ast
import json
import math
import os
import re
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from IPython.core.inputtransformer2 import TransformerManager
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "build" / "seed-sweep"
SEEDED = re.compile(r"(setup_notebook\(seed=|set_random_seed\()42\b")
OPERATORS = {ast.GtE: ">=", ast.Gt: ">", ast.LtE: "<=", ast.Lt: "<"}

#: The first cell of the copy: ``__sweep__`` records a comparison, then checks it.
PRELUDE = """
import json as __json, math as __math


def __sweep__(where, text, left, op, right):
    try:
        record = {"where": where, "assert": text, "left": float(left), "op": op,
                  "right": float(right)}
    except (TypeError, ValueError):
        record = None
    if record is not None:
        with open(RECORDS, "a") as file:
            file.write(__json.dumps(record) + "\\n")
    holds = {">=": left >= right, ">": left > right, "<=": left <= right, "<": left < right}[op]
    assert holds, text
"""


class _RecordAsserts(ast.NodeTransformer):
    """Turn ``assert a OP b [and c OP d ...]`` into ``__sweep__`` calls, one per comparison."""

    def __init__(self, cell: int):
        self.cell = cell

    def visit_Assert(self, node: ast.Assert):  # noqa: N802 (ast's visitor name)
        parts = node.test.values if isinstance(node.test, ast.BoolOp) else [node.test]
        if isinstance(node.test, ast.BoolOp) and not isinstance(node.test.op, ast.And):
            return node
        comparisons = [
            part
            for part in parts
            if isinstance(part, ast.Compare)
            and len(part.ops) == 1
            and type(part.ops[0]) in OPERATORS
        ]
        if len(comparisons) != len(parts):
            return node
        calls = []
        for part in comparisons:
            where = f"cell {self.cell}, line {node.lineno}"
            arguments = [
                ast.Constant(where),
                ast.Constant(ast.unparse(part)),
                part.left,
                ast.Constant(OPERATORS[type(part.ops[0])]),
                part.comparators[0],
            ]
            call = ast.Call(ast.Name("__sweep__", ast.Load()), arguments, [])
            calls.append(ast.copy_location(ast.Expr(call), node))
        return calls


def instrumented(source: str, cell: int, seed: int) -> str:
    """The code of one cell with the sweep's seed and its asserts recorded."""
    python = TransformerManager().transform_cell(SEEDED.sub(rf"\g<1>{seed}", source))
    tree = ast.fix_missing_locations(_RecordAsserts(cell).visit(ast.parse(python)))
    return ast.unparse(tree)


def run_seed(path: Path, seed: int, out: Path) -> dict:
    """Execute an instrumented copy of the notebook with ``seed``; return its records."""
    notebook = nbformat.read(path, as_version=4)
    records = out / f"{path.stem}-seed{seed}.jsonl"
    records.unlink(missing_ok=True)
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type == "code":
            cell.source = instrumented(cell.source, index, seed)
    prelude = f"RECORDS = {str(records)!r}\n{PRELUDE}"
    notebook.cells.insert(0, nbformat.v4.new_code_cell(prelude))
    folder = tempfile.mkdtemp(prefix="sweep-output-")
    saved = os.environ.get("DIGITREC_OUTPUT_DIR")
    os.environ["DIGITREC_OUTPUT_DIR"] = folder
    start, error = time.perf_counter(), None
    try:
        NotebookClient(
            notebook, timeout=3600, resources={"metadata": {"path": str(path.parent)}}
        ).execute()
    except CellExecutionError as failure:
        error = [line for line in str(failure).splitlines() if line.strip()][-1][:300]
    finally:
        if saved is None:
            os.environ.pop("DIGITREC_OUTPUT_DIR")
        else:
            os.environ["DIGITREC_OUTPUT_DIR"] = saved
    lines = records.read_text().splitlines() if records.exists() else []
    return {
        "seed": seed,
        "seconds": round(time.perf_counter() - start, 1),
        "error": error,
        "records": [json.loads(line) for line in lines],
    }


def margin(record: dict) -> float:
    """How far a comparison is from failing: ``left - right`` for ``>=``, the reverse for ``<=``."""
    gap = record["left"] - record["right"]
    return gap if record["op"] in (">=", ">") else -gap


def summary(runs: list[dict]) -> list[dict]:
    """One row per compared expression: its values over the seeds, margin and spread."""
    rows: dict[tuple[str, str], dict] = {}
    for run in runs:
        for record in run["records"]:
            key = (record["where"], record["assert"])
            row = rows.setdefault(key, {"where": key[0], "assert": key[1], "values": {}})
            row["values"].setdefault(run["seed"], []).append(record)
    table = []
    for row in rows.values():
        every = [record for records in row["values"].values() for record in records]
        lefts = [record["left"] for record in every]
        table.append(
            {
                "where": row["where"],
                "assert": row["assert"],
                "bound": every[0]["right"],
                "values": {seed: min(r["left"] for r in rs) for seed, rs in row["values"].items()},
                "margin": min(margin(record) for record in every),
                "spread": max(lefts) - min(lefts),
                "seeds": len(row["values"]),
            }
        )
    return table


def markdown(name: str, runs: list[dict], table: list[dict]) -> str:
    """The notebook's section of the margins page."""
    seeds = [run["seed"] for run in runs]
    lines = [f"### {name}", ""]
    for run in runs:
        status = f"failed: {run['error']}" if run["error"] else "passed"
        lines.append(f"- seed {run['seed']}: {status}, {run['seconds'] / 60:.1f} min")
    lines += ["", "| assert | " + " | ".join(f"seed {s}" for s in seeds) + " | margin | spread |"]
    lines.append("|---" * (len(seeds) + 3) + "|")
    for row in table:
        values = [row["values"].get(seed) for seed in seeds]
        cells = ["" if v is None else f"{v:.4g}" for v in values]
        flag = " ⚠" if row["margin"] < row["spread"] or row["seeds"] < len(seeds) else ""
        text = row["assert"].replace("|", "\\|")
        lines.append(
            f"| `{text}` ({row['where']}) | "
            + " | ".join(cells)
            + f" | {row['margin']:.4g}{flag} | {row['spread']:.4g} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Sweep one notebook; return 1 if a seed failed or an assert failed for some seed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebook", help="its number, e.g. 07")
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--markdown", type=Path, help="append the table to this file")
    args = parser.parse_args(argv)
    found = sorted((ROOT / "notebooks").glob(f"{args.notebook}_*.ipynb"))
    if len(found) != 1:
        parser.error(f"no notebook {args.notebook!r} in notebooks/")
    args.out.mkdir(parents=True, exist_ok=True)
    runs = []
    for seed in args.seeds:
        run = run_seed(found[0], seed, args.out)
        print(f"seed {seed}: {run['error'] or 'passed'} in {run['seconds']:.0f} s", flush=True)
        runs.append(run)
    table = summary(runs)
    report = {"notebook": found[0].name, "runs": runs, "table": table}
    (args.out / f"{found[0].stem}.json").write_text(json.dumps(report, indent=1) + "\n")
    text = markdown(found[0].name, runs, table)
    print(text)
    if args.markdown:
        with open(args.markdown, "a", encoding="utf-8") as file:
            file.write("\n" + text)
    close = [
        row for row in table if not math.isfinite(row["margin"]) or row["margin"] < row["spread"]
    ]
    return 1 if close or any(run["error"] for run in runs) else 0


if __name__ == "__main__":
    sys.exit(main())

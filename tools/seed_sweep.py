"""Re-run a notebook with other seeds and measure how far each assert stays from failing.

A notebook's asserts must hold on other machines and for other seeds, not only for the run that
is stored. This tool executes a copy of a notebook once per seed (the stored notebook is not
touched, and figures and models go to a temporary folder through ``DIGITREC_OUTPUT_DIR``):

- the seed: every ``seed=42`` argument (``setup_notebook(seed=42)``, ``train_cnn(..., seed=42)``)
  and ``keras.utils.set_random_seed(42)`` of the copy take the sweep's seed instead, so that the
  weights' initialisation, the shuffling and the augmentation change (the notebooks make their
  data with other seeds, such as ``default_rng(2026)``, which stay);
- the asserts: each one records whether it held instead of stopping the notebook, so that one
  failure does not hide the asserts after it; a comparison (``a >= b``, ``a < b``, each part
  of an ``and``) records both sides too.

For each assert the report says for how many seeds it held; for a comparison, the value for every
seed, the **margin** (how far the worst seed is from failing; negative: it failed) and the
**spread** of the margin over the seeds (of the value itself where the bound is a constant). A
margin smaller than the spread is marked ⚠: such a floor is about one unlucky seed from failing.

    python tools/seed_sweep.py 03 --seeds 1 2 3     # notebooks/03_*.ipynb, three seeds
    python tools/seed_sweep.py 07 --markdown site/seed-sweep.md

Writes ``build/seed-sweep/<notebook>.json`` (``--out``) and, with ``--markdown``, puts the
notebook's table into that page (``site/seed-sweep.md``), replacing its earlier one. Times are
printed, not judged.
"""

from __future__ import annotations

import argparse
import ast
import json
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
SEEDED = re.compile(r"(\bseed=|set_random_seed\()42\b")
OPERATORS = {ast.GtE: ">=", ast.Gt: ">", ast.LtE: "<=", ast.Lt: "<"}

#: The first cell of the copy: ``__sweep__`` records a comparison and ``__sweep_bool__`` any other
#: assert; neither raises, so one failing assert does not hide the ones after it.
PRELUDE = """
import json as __json


def __sweep_record(record):
    with open(RECORDS, "a") as file:
        file.write(__json.dumps(record) + "\\n")


def __sweep__(where, text, left, op, right):
    holds = {">=": left >= right, ">": left > right, "<=": left <= right, "<": left < right}[op]
    record = {"where": where, "assert": text, "holds": bool(holds)}
    try:
        record.update(left=float(left), op=op, right=float(right))
    except (TypeError, ValueError):
        pass
    __sweep_record(record)


def __sweep_bool__(where, text, value):
    __sweep_record({"where": where, "assert": text, "holds": bool(value)})
"""


class _RecordAsserts(ast.NodeTransformer):
    """Turn ``assert a OP b [and c OP d ...]`` into ``__sweep__`` calls, one per comparison."""

    def __init__(self, cell: int):
        self.cell = cell

    def visit_Assert(self, node: ast.Assert):  # noqa: N802 (ast's visitor name)
        where = f"cell {self.cell}, line {node.lineno}"
        parts = [node.test]
        if isinstance(node.test, ast.BoolOp) and isinstance(node.test.op, ast.And):
            parts = node.test.values
        calls = []
        for part in parts:
            if (
                isinstance(part, ast.Compare)
                and len(part.ops) == 1
                and type(part.ops[0]) in OPERATORS
            ):
                name = "__sweep__"
                arguments = [part.left, ast.Constant(OPERATORS[type(part.ops[0])])]
                arguments.append(part.comparators[0])
            else:
                name, arguments = "__sweep_bool__", [part]
            arguments = [ast.Constant(where), ast.Constant(ast.unparse(part)), *arguments]
            call = ast.Call(ast.Name(name, ast.Load()), arguments, [])
            calls.append(ast.copy_location(ast.Expr(call), node))
        return calls


def instrumented(source: str, cell: int, seed: int) -> str:
    """The code of one cell with the sweep's seed and its asserts recorded."""
    python = TransformerManager().transform_cell(SEEDED.sub(rf"\g<1>{seed}", source))
    tree = ast.fix_missing_locations(_RecordAsserts(cell).visit(ast.parse(python)))
    return ast.unparse(tree)


def run_seed(path: Path, seed: int, out: Path, until: int | None = None) -> dict:
    """Execute an instrumented copy of the notebook with ``seed``; return its records.

    ``until``: the index of the last cell to run (default: all). The executed copy is saved as
    ``out/<notebook>-seed<seed>.ipynb``, for the values behind an assert that failed.
    """
    notebook = nbformat.read(path, as_version=4)
    if until is not None:
        notebook.cells = notebook.cells[: until + 1]
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
    nbformat.write(notebook, out / f"{path.stem}-seed{seed}.ipynb")
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
    """One row per asserted expression: for how many seeds it held, and for a comparison its
    value per seed (the lowest, where it is checked more than once), margin and spread."""
    rows: dict[tuple[str, str], dict] = {}
    for run in runs:
        for record in run["records"]:
            key = (record["where"], record["assert"])
            row = rows.setdefault(key, {"where": key[0], "assert": key[1], "records": {}})
            row["records"].setdefault(run["seed"], []).append(record)
    table = []
    for row in rows.values():
        every = [record for records in row["records"].values() for record in records]
        held = [all(r["holds"] for r in rs) for rs in row["records"].values()]
        entry = {"where": row["where"], "assert": row["assert"], "seeds": len(held)}
        entry["held"] = sum(held)
        if all("left" in record for record in every):
            margins = [min(margin(r) for r in rs) for rs in row["records"].values()]
            entry["bound"] = every[0]["right"]
            entry["values"] = {
                seed: min(r["left"] for r in rs) for seed, rs in row["records"].items()
            }
            entry["margin"] = min(margins)
            entry["spread"] = max(margins) - min(margins)
        table.append(entry)
    return table


def markdown(name: str, runs: list[dict], table: list[dict]) -> str:
    """The notebook's section of the margins page."""
    seeds = [run["seed"] for run in runs]
    lines = [f"## {name}", ""]
    for run in runs:
        status = f"stopped: {run['error']}" if run["error"] else "ran to the end"
        lines.append(f"- seed {run['seed']}: {status}, {run['seconds'] / 60:.1f} min")
    header = " | ".join(f"seed {s}" for s in seeds)
    lines += ["", f"| assert | held | {header} | margin | spread |"]
    lines.append("|---" * (len(seeds) + 4) + "|")
    for row in table:
        text = row["assert"].replace("|", "\\|")
        if len(text) > 90:
            text = text[:87] + "..."
        held = f"{row['held']} of {row['seeds']}"
        if "values" in row:
            values = [row["values"].get(seed) for seed in seeds]
            cells = ["" if v is None else f"{v:.4g}" for v in values]
            flag = " ⚠" if row["margin"] < row["spread"] else ""
            tail = f"{row['margin']:.4g}{flag} | {row['spread']:.4g}"
        else:
            cells, tail = [""] * len(seeds), " | "
        lines.append(
            f"| `{text}` ({row['where']}) | {held} | " + " | ".join(cells) + f" | {tail} |"
        )
    return "\n".join(lines) + "\n"


def write_section(path: Path, text: str) -> None:
    """Put ``text`` (a ``## name`` section) into the page at ``path``, replacing its old one."""
    page = path.read_text(encoding="utf-8") if path.exists() else ""
    head, *sections = page.split("\n## ")
    name = text.splitlines()[0].removeprefix("## ")
    kept = [s for s in sections if s.splitlines()[0] != name]
    sections = sorted([*kept, text.removeprefix("## ").rstrip("\n") + "\n"])
    path.write_text("\n## ".join([head.rstrip("\n") + "\n", *sections]), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    """Sweep one notebook; return 1 if a seed stopped or an assert failed for some seed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebook", help="its number, e.g. 07")
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--markdown", type=Path, help="write the table into this page")
    parser.add_argument("--from-report", action="store_true", help="re-tabulate the last run")
    parser.add_argument("--until", type=int, help="the last cell to run (default: all)")
    args = parser.parse_args(argv)
    found = sorted((ROOT / "notebooks").glob(f"{args.notebook}_*.ipynb"))
    if len(found) != 1:
        parser.error(f"no notebook {args.notebook!r} in notebooks/")
    args.out = args.out.resolve()  # the kernel runs in notebooks/
    args.out.mkdir(parents=True, exist_ok=True)
    if args.until is not None and args.markdown:
        parser.error("--until runs part of the notebook: its table is not the notebook's")
    part = "" if args.until is None else f"-until{args.until}"
    saved = args.out / f"{found[0].stem}{part}.json"
    runs = json.loads(saved.read_text())["runs"] if args.from_report else []
    for seed in [] if args.from_report else args.seeds:
        run = run_seed(found[0], seed, args.out, args.until)
        print(f"seed {seed}: {run['error'] or 'passed'} in {run['seconds']:.0f} s", flush=True)
        runs.append(run)
    table = summary(runs)
    report = {"notebook": found[0].name, "runs": runs, "table": table}
    saved.write_text(json.dumps(report, indent=1) + "\n")
    text = markdown(found[0].name, runs, table)
    print(text)
    if args.markdown:
        write_section(args.markdown, text)
    failed = [row for row in table if row["held"] < len(runs)]
    return 1 if failed or any(run["error"] for run in runs) else 0


if __name__ == "__main__":
    sys.exit(main())

"""Wall-clock seconds to execute the course notebooks, top to bottom, on this machine.

Runs each notebook in a fresh Jupyter kernel with nbclient (as nbval and "Run all" do), in the
``notebooks/`` folder, and prints its seconds and its slowest code cells. The notebooks write
their figures and models to a temporary folder (the variable ``DIGITREC_OUTPUT_DIR``), so the
committed ``images/`` and ``model/`` stay as they are. That folder starts with a copy of the
committed models, which notebook 07's comparison table and notebook 08 read, so any notebook can
be timed alone.

Targets (issues 24 and 43; README.md, section "Benchmarks"), for a CPU with 2 cores:
- every notebook within 10 minutes (600 s), so that "Run all" on Colab's CPU finishes in minutes;
- notebook 12's training of the CTC reader within 5 minutes (300 s).

Each notebook's final training is the code cell tagged ``final-training``; its seconds are
printed for every notebook that has one.

The figures vary from run to run by 10-30 % on shared virtual machines; compare medians of a few
runs before drawing conclusions.

Usage: python benchmarks/notebook_times.py [NN ...] [--cells 3]
  e.g. python benchmarks/notebook_times.py 06 07
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from unittest import mock

import nbformat
from nbclient import NotebookClient

from digitrec import OUTPUT_DIR_ENV

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
TARGET_NOTEBOOK_S = 600.0
#: The tag of a notebook's final training cell, and the training targets by notebook number.
TRAINING_TAG = "final-training"
TARGET_TRAINING_S = {"12": 300.0}


def execute(path: Path, output_dir: Path) -> tuple[float, list[tuple[float, str, bool]]]:
    """Execute the notebook at ``path``.

    Returns:
        (seconds, cells): the notebook's wall-clock seconds, and for each code cell, slowest
        first, (seconds, its first line, whether it is tagged ``TRAINING_TAG``).

    """
    notebook = nbformat.read(path, as_version=4)
    cell_times: list[tuple[float, str, bool]] = []
    client = NotebookClient(
        notebook,
        timeout=1800,
        kernel_name="python3",
        resources={"metadata": {"path": str(NOTEBOOKS)}},
    )

    def timed(cell, **_):
        """Record the cell's execution time from nbclient's timing metadata."""
        execution = cell.metadata.get("execution", {})
        start, end = execution.get("iopub.execute_input"), execution.get("shell.execute_reply")
        if start and end:
            seconds = (
                datetime.fromisoformat(end.replace("Z", "+00:00"))
                - datetime.fromisoformat(start.replace("Z", "+00:00"))
            ).total_seconds()
            first_line = cell.source.strip().splitlines()[0] if cell.source.strip() else ""
            training = TRAINING_TAG in cell.metadata.get("tags", [])
            cell_times.append((seconds, first_line, training))

    client.on_cell_executed = timed
    with mock.patch.dict(os.environ, {OUTPUT_DIR_ENV: str(output_dir)}):  # the kernel inherits it
        start = time.perf_counter()
        client.execute()
        seconds = time.perf_counter() - start
    return seconds, sorted(cell_times, reverse=True)


def training_line(number: str, seconds: float) -> str:
    """Describe notebook ``number``'s final training time, against its target if it has one."""
    line = f"final training: {seconds:.0f} s"
    target = TARGET_TRAINING_S.get(number)
    if target is not None:
        verdict = "within" if seconds <= target else "OVER"
        line += f", {verdict} the {target / 60:.0f}-minute target"
    return line


def chosen_notebooks(numbers: list[str]) -> tuple[list[Path], set[str]]:
    """Return the notebooks numbered ``numbers`` (all when empty) and the numbers none has."""
    paths = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    if not numbers:
        return paths, set()
    wanted = {n.zfill(2) for n in numbers}
    return [p for p in paths if p.name[:2] in wanted], wanted - {p.name[:2] for p in paths}


def time_notebooks(paths: list[Path], slowest_cells: int) -> dict[str, float]:
    """Execute each notebook in a fresh output folder; print and return ``{number: seconds}``."""
    output_dir = Path(tempfile.mkdtemp(prefix="digitrec-bench-"))
    # Notebooks 07 and 08 read the models of earlier notebooks: start from the committed ones.
    shutil.copytree(ROOT / "model", output_dir / "model")
    times: dict[str, float] = {}
    try:
        for path in paths:
            seconds, cells = execute(path, output_dir)
            times[path.name[:2]] = seconds
            verdict = "within" if seconds <= TARGET_NOTEBOOK_S else "OVER"
            print(f"{path.name:32s}{seconds:8.1f} s, {verdict} {TARGET_NOTEBOOK_S / 60:.0f} min")
            for cell_seconds, first_line, _ in cells[:slowest_cells]:
                print(f"    {cell_seconds:7.1f} s  {first_line[:60]}")
            for cell_seconds, _, training in cells:
                if training:
                    print("    " + training_line(path.name[:2], cell_seconds))
    finally:
        shutil.rmtree(output_dir, ignore_errors=True)
    return times


def print_targets(times: dict[str, float]) -> None:
    """Print the total, and which notebooks took longer than the per-notebook target."""
    total = sum(times.values())
    print(f"{'all of the above':32s}{total:8.1f} s ({total / 60:.1f} min)")
    over = sorted(number for number, seconds in times.items() if seconds > TARGET_NOTEBOOK_S)
    print(f"over {TARGET_NOTEBOOK_S / 60:.0f} minutes: {', '.join(over) if over else 'none'}")


def main(argv: list[str] | None = None) -> int:
    """Execute the chosen notebooks, print their times against the targets; exit status 0/2."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("numbers", nargs="*", help="notebook numbers, e.g. 06 07 (default: all)")
    parser.add_argument("--cells", type=int, default=3, help="slowest cells to list per notebook")
    args = parser.parse_args(argv)
    paths, missing = chosen_notebooks(args.numbers)
    if missing:
        print(f"error: no notebook numbered {', '.join(sorted(missing))}", file=sys.stderr)
        return 2
    print(f"CPU cores: {os.cpu_count()}")
    print_targets(time_notebooks(paths, args.cells))
    return 0


if __name__ == "__main__":
    sys.exit(main())

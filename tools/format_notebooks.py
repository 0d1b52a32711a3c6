"""Strip the notebooks' cell metadata down to what the course uses: nbval's tags.

Executing a notebook (Jupyter, nbconvert, nbclient) records each cell's run times in its
metadata (``execution``: ``iopub.execute_input`` ...), and jupytext adds ``lines_to_next_cell``.
Neither means anything to a reader, and both change at every run, so a re-executed notebook's
diff is mostly timestamps. In the spirit of TensorFlow's ``nbfmt`` (tensorflow/docs), this
keeps only the cell metadata listed in ``KEEP`` and writes the notebook as nbformat does.

    python tools/format_notebooks.py            # rewrite every notebook that needs it
    python tools/format_notebooks.py --check    # exit status 1, listing them, if any does
    python tools/format_notebooks.py FILE ...   # only these notebooks

``.ci/run`` runs ``--check``; run the formatter after executing a notebook.
"""

import argparse
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
#: The cell metadata kept: the tags of nbval and of the course (``nbval-ignore-output`` ...).
KEEP = ("tags",)


def notebooks() -> list[Path]:
    """Every notebook of the course: ``notebooks/*.ipynb`` and ``notebooks/solutions/*.ipynb``."""
    return sorted((ROOT / "notebooks").glob("**/*.ipynb"))


def formatted(text: str) -> str:
    """Return the notebook JSON ``text`` with each cell's metadata cut to ``KEEP``."""
    notebook = nbformat.reads(text, as_version=nbformat.NO_CONVERT)
    for cell in notebook.cells:
        cell.metadata = {key: cell.metadata[key] for key in KEEP if key in cell.metadata}
    return nbformat.writes(notebook) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Format (or with ``--check`` only list) the notebooks; return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path, help="notebooks (default: all)")
    parser.add_argument("--check", action="store_true", help="change nothing; fail if unformatted")
    args = parser.parse_args(argv)
    missing = [str(path) for path in args.files if not path.is_file()]
    if missing:
        parser.error(f"no such notebook: {', '.join(missing)}")
    unformatted = []
    for path in args.files or notebooks():
        text = path.read_text(encoding="utf-8")
        if formatted(text) != text:
            unformatted.append(path)
            if not args.check:
                path.write_text(formatted(text), encoding="utf-8")
    verb = "would reformat" if args.check else "reformatted"
    for path in unformatted:
        print(f"{verb} {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
    return 1 if args.check and unformatted else 0


if __name__ == "__main__":
    sys.exit(main())

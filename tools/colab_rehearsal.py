"""Rehearse "Open in Colab → Run all" for every notebook, as close to Colab as this machine allows.

What Colab does, and what the rehearsal does instead:

- **Colab's libraries.** A virtual environment built only from ``colab-stack.txt`` (Colab's own
  pip freeze, Python 3.13 there), with ``tensorflow-cpu`` for ``tensorflow`` (the same
  TensorFlow without GPU support) and without ``torch`` (Colab's build, ``2.11.0+cpu``, comes
  from PyTorch's own index; no notebook imports torch on Colab's default TensorFlow backend).
  The notebooks install the rest themselves, as in Colab; before each notebook, whatever an
  earlier one installed is removed again, since every Colab notebook gets a fresh machine.
- **A Colab kernel.** ipykernel from that environment, with a stand-in ``google.colab`` module
  imported at start-up (so that ``"google.colab" in sys.modules``, as in Colab).
- **GitHub.** git's ``url.<base>.insteadOf`` maps the course's real URL to a bare clone of the
  commit under test (``HEAD``), so the Setup cells run unchanged: ``git clone URL course`` and
  ``pip install ./course``.
- **/content.** Each notebook runs in a fresh empty folder outside the repository.
- **Run all.** Every cell, top to bottom, nothing patched; the first error stops the notebook.
  Afterwards one more cell checks that ``digitrec`` was imported from the environment (not
  editable, not the checkout) and that the notebook worked inside the downloaded copy.

    python tools/colab_rehearsal.py                  # every notebook and solutions notebook
    python tools/colab_rehearsal.py 03 solutions/03  # some of them
    python tools/colab_rehearsal.py --setup-only     # only the cells up to setup_notebook()
    python tools/colab_rehearsal.py --readme         # also update README's table with this run

The environment lives in ``.venv-colab/`` (ignored by git) and is rebuilt only when
``colab-stack.txt`` changes (or with ``--fresh``). Each run writes ``colab_rehearsal.json`` and
the executed notebooks into ``build/colab-rehearsal/`` (``--out``). Exit status 1 if a notebook
failed. Python 3.13 is Colab's: the tool looks for it on ``PATH`` and in pyenv (``--python``).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

ROOT = Path(__file__).resolve().parents[1]
STACK = ROOT / "colab-stack.txt"
VENV = ROOT / ".venv-colab"
OUT = ROOT / "build" / "colab-rehearsal"
KERNEL = "colab-rehearsal"
#: The folder each notebook's Setup cell clones the course into (``digitrec.notebook.COLAB_CLONE``).
CLONE = "course"
#: Colab's packages the rehearsal leaves out, and why (see the module docstring).
LEFT_OUT = {"torch": "Colab's CPU build comes from PyTorch's own index"}
README_START = "<!-- table: colab-rehearsal (tools/colab_rehearsal.py --readme) -->"
README_END = "<!-- end of table: colab-rehearsal -->"
#: A terminal colour code, as IPython writes into an error's message.
ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*m")

#: ``google.colab`` as far as the notebooks use it: the module, and ``output``'s widget switch.
STAND_IN = '''"""Stand-in for Colab's ``google.colab`` (tools/colab_rehearsal.py)."""


class _Output:
    def enable_custom_widget_manager(self):
        """Colab's switch for third-party widgets; nothing to switch here."""


output = _Output()
'''

#: Appended after the notebook's own cells: where the package and the working folder came from.
CHECK_CELL = f'''import sys, digitrec
from pathlib import Path
here, package = Path.cwd(), Path(digitrec.__file__)
assert package.is_relative_to(sys.prefix), f"digitrec imported from {{package}}"
assert here.parts[-2:] == ("{CLONE}", "notebooks"), f"working in {{here}}"
'''


def repository_url() -> str:
    """The course's repository URL, from pyproject.toml (its one home)."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return project["urls"]["Repository"]


def all_notebooks() -> list[Path]:
    """Every course notebook, then every solutions notebook."""
    course = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    return course + sorted((ROOT / "notebooks" / "solutions").glob("[0-9][0-9]_*.ipynb"))


def select(names: list[str]) -> list[Path]:
    """Notebooks by number (``03``) or ``solutions/03``; all of them if ``names`` is empty."""
    if not names:
        return all_notebooks()
    chosen = []
    for name in names:
        folder, _, number = name.rpartition("/")
        found = sorted((ROOT / "notebooks" / folder).glob(f"{number}_*.ipynb"))
        if len(found) != 1:
            sys.exit(f"colab_rehearsal: no notebook {name!r} (try 03 or solutions/03)")
        chosen += found
    return chosen


def stack_requirements() -> list[str]:
    """``colab-stack.txt``'s pins as the rehearsal installs them."""
    lines = []
    for line in STACK.read_text(encoding="utf-8").splitlines():
        name = line.split("==")[0]
        if line.startswith("#") or not line.strip() or name in LEFT_OUT:
            continue
        lines.append(re.sub(r"^tensorflow==", "tensorflow-cpu==", line))
    return lines


def colab_python(asked: str | None) -> str:
    """The Python to build the environment with: ``asked``, else a Python 3.13 that runs."""
    pyenv = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    candidates = [asked] if asked else ["python3.13", *map(str, pyenv.glob("3.13*/bin/python3"))]
    for candidate in candidates:
        try:
            done = subprocess.run([candidate, "--version"], capture_output=True, check=False)
        except OSError:
            continue
        if done.returncode == 0:
            return candidate
    sys.exit(
        f"colab_rehearsal: no working {asked or 'Python 3.13'} (Colab's); try --python python3"
    )


def pip(python: Path, *args: str) -> str:
    """Run ``python -m pip ARGS`` quietly; exit with pip's last lines if it fails."""
    done = subprocess.run(
        [str(python), "-m", "pip", *args], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        sys.exit(f"colab_rehearsal: pip {' '.join(args[:2])} failed:\n{done.stderr[-2000:]}")
    return done.stdout


def environment(python_command: str, fresh: bool) -> Path:
    """Build (or reuse) ``.venv-colab`` from the stack; return its Python."""
    python = VENV / "bin" / "python"
    stamp = VENV / "colab-rehearsal-stack.txt"
    wanted = "\n".join([python_command, *stack_requirements()]) + "\n"
    if fresh or not stamp.is_file() or stamp.read_text(encoding="utf-8") != wanted:
        print(f"building {VENV.name}/ from {STACK.name} with {python_command} ...", flush=True)
        shutil.rmtree(VENV, ignore_errors=True)
        subprocess.run([python_command, "-m", "venv", str(VENV)], check=True)
        pip(python, "install", "-q", "--upgrade", "pip")
        requirements = VENV / "requirements.txt"
        requirements.write_text("\n".join(stack_requirements()) + "\n", encoding="utf-8")
        pip(python, "install", "-q", "-r", str(requirements))
        (VENV / "base-freeze.txt").write_text(freeze(python), encoding="utf-8")
        stamp.write_text(wanted, encoding="utf-8")
    return python


def freeze(python: Path) -> str:
    """``pip list --format=freeze`` of the environment."""
    return pip(python, "list", "--format=freeze")


def reset_environment(python: Path) -> list[str]:
    """Uninstall what earlier notebooks installed (a fresh Colab machine); return their names."""
    base = {line.split("==")[0].lower() for line in (VENV / "base-freeze.txt").read_text().split()}
    added = [line.split("==")[0] for line in freeze(python).split()]
    added = [name for name in added if name.lower() not in base]
    if added:
        pip(python, "uninstall", "-q", "-y", *added)
    return added


def fake_github(folder: Path, url: str) -> dict[str, str]:
    """A bare clone of HEAD that git serves for ``url``; return the git environment for it."""
    bare = folder / "github.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(ROOT), str(bare)], check=True)
    config = folder / "gitconfig"
    config.write_text(f'[url "file://{bare}"]\n\tinsteadOf = {url}\n', encoding="utf-8")
    return {"GIT_CONFIG_GLOBAL": str(config), "GIT_CONFIG_NOSYSTEM": "1"}


def colab_kernel(folder: Path, python: Path, git_env: dict[str, str]) -> dict[str, str]:
    """Write the kernel spec and the ``google.colab`` stand-in; return the kernel's environment."""
    stand_in = folder / "stand-in"
    (stand_in / "google" / "colab").mkdir(parents=True)  # google/: a namespace, like protobuf's
    (stand_in / "google" / "colab" / "__init__.py").write_text(STAND_IN, encoding="utf-8")
    spec = {
        "argv": [str(python), "-Xfrozen_modules=off", "-m", "ipykernel_launcher"]
        + ["-f", "{connection_file}", "--IPKernelApp.exec_lines=import google.colab"],
        "display_name": "Colab rehearsal",
        "language": "python",
    }
    kernels = folder / "jupyter" / "kernels" / KERNEL
    kernels.mkdir(parents=True)
    (kernels / "kernel.json").write_text(json.dumps(spec), encoding="utf-8")
    dev_bin = str(Path(sys.executable).parent)
    path = [str(python.parent)] + [p for p in os.environ["PATH"].split(":") if p != dev_bin]
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DIGITREC_", "KERAS_", "JUPYTER", "PYTHON", "VIRTUAL_ENV", "TF_"))
    }
    env.update(git_env, PATH=":".join(path), PYTHONPATH=str(stand_in))
    env["JUPYTER_PATH"] = str(folder / "jupyter")
    return env


def setup_cells(notebook) -> int:
    """How many cells a ``--setup-only`` run executes: up to the ``setup_notebook(`` call."""
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type == "code" and "setup_notebook(" in cell.source:
            return index + 1
    raise ValueError("no cell calls setup_notebook(")


def rehearse(path: Path, python: Path, env: dict[str, str], out: Path, setup_only: bool) -> dict:
    """Run one notebook as Colab's "Run all" would; return its result."""
    name = str(path.relative_to(ROOT / "notebooks"))
    removed = reset_environment(python)
    notebook = nbformat.read(path, as_version=4)
    if setup_only:
        notebook.cells = notebook.cells[: setup_cells(notebook)]
    notebook.cells.append(nbformat.v4.new_code_cell(CHECK_CELL))
    content = Path(tempfile.mkdtemp(prefix="content-", dir=out))
    client = NotebookClient(
        notebook,
        timeout=1800,
        kernel_name=KERNEL,
        resources={"metadata": {"path": str(content)}},
    )
    result = {"notebook": name, "status": "passed", "cells": len(notebook.cells) - 1}
    start = time.perf_counter()
    saved_env = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)  # the kernel inherits the driver's environment
    try:
        client.execute()
    except CellExecutionError as error:
        result.update(status="failed", cell=error_cell(notebook), error=error_line(error))
    finally:
        os.environ.clear()
        os.environ.update(saved_env)
    result["seconds"] = round(time.perf_counter() - start, 1)
    result["removed_before"] = removed
    target = out / "executed" / name
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, target)
    shutil.rmtree(content, ignore_errors=True)
    return result


def error_cell(notebook: nbformat.NotebookNode) -> int | None:
    """Return the index of the first cell with an error output (the stored cells have none)."""
    for index, cell in enumerate(notebook.cells):
        if any(output.get("output_type") == "error" for output in cell.get("outputs", [])):
            return index
    return None


def error_line(error: CellExecutionError) -> str:
    """Return the error's name and message on one line, without the terminal's colour codes."""
    message = f"{error.ename}: {error.evalue}".strip().rstrip(":")
    return " ".join(ANSI_ESCAPE.sub("", message).split())[:300]


def readme_rows(report: dict) -> dict[str, str]:
    """README's table rows of a rehearsal, by notebook: result, minutes, commit, Python."""
    rows = {}
    for result in report["results"]:
        status = "passed" if result["status"] == "passed" else f"failed: {result['error']}"
        rows[result["notebook"]] = (
            f"| `{result['notebook']}` | {status} | {result['seconds'] / 60:.1f} | "
            f"{report['commit']} | {report['python'].removeprefix('Python ')} |"
        )
    return rows


def readme_table(report: dict, old_table: str = "") -> str:
    """README's table: this rehearsal's rows, and the older rows of notebooks it did not run."""
    rows = {line.split("`")[1]: line for line in old_table.splitlines() if line.startswith("| `")}
    rows.update(readme_rows(report))
    order = [str(path.relative_to(ROOT / "notebooks")) for path in all_notebooks()]
    ranked = sorted(rows, key=lambda name: order.index(name) if name in order else len(order))
    head = "| Notebook | Result | Minutes | Commit | Python |\n|---|---|---|---|---|"
    return "\n".join([head, *(rows[name] for name in ranked)])


def write_readme(report: dict) -> None:
    """Update the table between README's markers with this run's rows."""
    readme = ROOT / "README.md"
    text = readme.read_text(encoding="utf-8")
    if README_START not in text or README_END not in text:
        sys.exit(f"colab_rehearsal: README.md lacks the markers {README_START} ... {README_END}")
    head, rest = text.split(README_START)
    old, tail = rest.split(README_END)
    table = readme_table(report, old)
    readme.write_text(f"{head}{README_START}\n{table}\n{README_END}{tail}", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    """Rehearse the chosen notebooks; return 1 if one failed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", help="03, solutions/03 ... (default: all)")
    parser.add_argument("--setup-only", action="store_true", help="only the cells to Setup's end")
    parser.add_argument("--python", help="the Python to use (default: a Python 3.13, Colab's)")
    parser.add_argument("--fresh", action="store_true", help="rebuild .venv-colab/")
    parser.add_argument("--out", type=Path, default=OUT, help="report and executed notebooks")
    parser.add_argument("--readme", action="store_true", help="update README's table")
    args = parser.parse_args(argv)
    if args.readme and args.setup_only:
        parser.error("--readme writes the times of whole notebooks: leave out --setup-only")
    paths = select(args.notebooks)
    dirty = subprocess.run(["git", "status", "--porcelain"], cwd=ROOT, capture_output=True)
    if dirty.stdout.strip():
        print("note: uncommitted changes are not rehearsed (the fake GitHub serves HEAD)")
    python = environment(colab_python(args.python), args.fresh)
    shutil.rmtree(args.out, ignore_errors=True)
    args.out.mkdir(parents=True)
    work = Path(tempfile.mkdtemp(prefix="rehearsal-"))
    try:
        env = colab_kernel(work, python, fake_github(work, repository_url()))
        results = []
        for path in paths:
            result = rehearse(path, python, env, args.out, args.setup_only)
            print(
                f"{result['notebook']:42s} {result['status']:7s} {result['seconds']:7.1f} s"
                + (f"  cell {result['cell']}: {result['error']}" if "error" in result else ""),
                flush=True,
            )
            results.append(result)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    version = subprocess.run([str(python), "--version"], capture_output=True, text=True).stdout
    report = {
        "commit": commit,
        "python": version.strip(),
        "setup_only": args.setup_only,
        "cpus": os.cpu_count(),
        "left_out": LEFT_OUT,
        "results": results,
    }
    (args.out / "colab_rehearsal.json").write_text(json.dumps(report, indent=1) + "\n")
    if args.readme:
        write_readme(report)
    failed = [r["notebook"] for r in results if r["status"] != "passed"]
    print(f"{len(results) - len(failed)} passed, {len(failed)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

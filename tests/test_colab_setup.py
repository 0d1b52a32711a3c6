"""What each notebook's Setup section would run in Google Colab, checked without running it.

The Setup code cells that mention ``google.colab`` are read from the .ipynb JSON, turned into
plain Python by IPython's own input transformer (``%pip ...`` ->
``get_ipython().run_line_magic('pip', '...')``) and executed next to a stand-in ``google.colab``
module. ``get_ipython()`` returns a fake shell that records each command instead of running it;
its ``!git clone`` makes an empty ``course/`` folder, and its ``pip install ./course`` makes
``digitrec`` "installed" for the cells' ``find_spec`` check. Everything happens in an empty
temporary folder, and the cells' changes to ``os.environ`` go to a copy. What ``setup_notebook``
then does in Colab (enter the copy's ``notebooks/``) is tested in ``tests/test_notebook.py``; the
same cells run for real, unchanged, in ``tools/colab_rehearsal.py``.
"""

import importlib.util
import json
import os
import re
import sys
import types
from pathlib import Path

import pytest
from helpers import ROOT, repo_url
from IPython.core.inputtransformer2 import TransformerManager
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from digitrec.notebook import COLAB_CLONE

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
REPO_URL = repo_url()
PIN = re.compile(r"^([A-Za-z0-9._-]+)==([^\s;]+)", re.M)
COLAB_STACK = (ROOT / "colab-stack.txt").read_text(encoding="utf-8")
COLAB_PACKAGES = {canonicalize_name(name) for name, _ in PIN.findall(COLAB_STACK)}
PINNED = dict(PIN.findall((ROOT / "requirements.txt").read_text(encoding="utf-8")))

#: Colab's one download of the course, into ``COLAB_CLONE``, and the install from that copy.
CLONE_COURSE = f"git clone -q --depth 1 {REPO_URL} {COLAB_CLONE}"
INSTALL_COURSE = f"pip install -q --no-deps ./{COLAB_CLONE}"
INSTALL_IPYCANVAS = f"pip install -q --no-deps ipycanvas=={PINNED['ipycanvas']}"
#: Notebook 11's runtimes and converter, none of them in Colab, at the pinned versions.
EXPORT_PACKAGES = ["ai-edge-litert", "onnx", "onnxruntime", "tf2onnx"]
INSTALL_EXPORT = "pip install -q --no-deps " + " ".join(
    f"{name}=={PINNED[name]}" for name in EXPORT_PACKAGES
)


def notebook_cells(path):
    """(cell type, source) of each cell, from the .ipynb JSON."""
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return [(cell["cell_type"], "".join(cell["source"])) for cell in cells]


def setup_code_cells(path):
    """The sources of the code cells from "## Setup" to the next level-2 heading."""
    cells = notebook_cells(path)
    headings = [
        i for i, (kind, text) in enumerate(cells) if kind == "markdown" and text[:3] == "## "
    ]
    start = next(i for i in headings if cells[i][1].startswith("## Setup"))
    end = next((i for i in headings if i > start), len(cells))
    return [text for kind, text in cells[start + 1 : end] if kind == "code"]


def uses_ipycanvas(path):
    """Whether the notebook imports ipycanvas, itself or through ``digitrec.drawing_pad``."""
    code = "\n".join(text for kind, text in notebook_cells(path) if kind == "code")
    pattern = r"^\s*(from|import) (ipycanvas\b|digitrec\b.*\bdrawing_pad\b)"
    return re.search(pattern, code, re.M) is not None


def uses_exported_models(path):
    """Whether the notebook imports a runtime of exported models (LiteRT, ONNX Runtime)."""
    code = "\n".join(text for kind, text in notebook_cells(path) if kind == "code")
    return re.search(r"^\s*(from|import) (ai_edge_litert|onnxruntime)\b", code, re.M) is not None


def extra_installs(path):
    """The pip commands a notebook's Setup adds in Colab, after the course's own."""
    return [INSTALL_IPYCANVAS] * uses_ipycanvas(path) + [INSTALL_EXPORT] * uses_exported_models(
        path
    )


class RecordingShell:
    """Records what ``get_ipython()`` is asked to run: ``%pip`` lines and ``!`` commands."""

    def __init__(self, installed):
        self.installed = installed
        self.commands = []

    def run_line_magic(self, name, line):
        self.commands.append(f"{name} {line}")  # %pip install x -> "pip install x"
        if f"./{COLAB_CLONE}" in line.split():
            self.installed.add("digitrec")

    def system(self, command):
        self.commands.append(command)  # !git clone ... URL folder -> "git clone ... URL folder"
        if command.startswith("git clone"):
            Path(command.split()[-1]).mkdir()


def run_colab_cells(path, namespace=None, installed=None):
    """Run the Setup cells that mention google.colab (in ``namespace``, the kernel's).

    ``installed``: the packages ``importlib.util.find_spec`` finds (a set the course's install
    adds ``digitrec`` to); default: none. Returns the commands run.
    """
    namespace = {} if namespace is None else namespace
    installed = set() if installed is None else installed
    shell = RecordingShell(installed)
    namespace["get_ipython"] = lambda: shell
    real_find_spec = importlib.util.find_spec

    def find_spec(name, *args):
        return real_find_spec("json") if name in installed else None

    importlib.util.find_spec = find_spec
    try:
        for source in setup_code_cells(path):
            if "google.colab" in source:
                exec(TransformerManager().transform_cell(source), namespace)
    finally:
        importlib.util.find_spec = real_find_spec
    return shell.commands


class ColabOutput:
    """Stand-in for ``google.colab.output``."""

    def __init__(self):
        self.custom_widget_manager_enabled = 0

    def enable_custom_widget_manager(self):
        self.custom_widget_manager_enabled += 1


@pytest.fixture(autouse=True)
def empty_folder(tmp_path, monkeypatch):
    """Run in an empty folder (Colab's /content); os.environ changes go to a copy."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(os, "environ", os.environ.copy())
    return tmp_path


@pytest.fixture
def colab(monkeypatch):
    """Stand-in ``google`` and ``google.colab`` modules, as in a Colab kernel."""
    google, colab = types.ModuleType("google"), types.ModuleType("google.colab")
    google.colab, colab.output = colab, ColabOutput()
    monkeypatch.setitem(sys.modules, "google", google)
    monkeypatch.setitem(sys.modules, "google.colab", colab)
    return colab


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_in_colab_setup_installs_the_course_and_what_the_notebook_needs(path, colab, empty_folder):
    extra = extra_installs(path)
    assert run_colab_cells(path) == [CLONE_COURSE, INSTALL_COURSE, *extra]
    assert Path.cwd() == empty_folder  # setup_notebook enters the course (tests/test_notebook.py)
    assert colab.output.custom_widget_manager_enabled == (1 if uses_ipycanvas(path) else 0)
    assert os.environ["TF_CPP_MIN_LOG_LEVEL"] == "3"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_in_colab_pip_installs_nothing_that_colab_ships(path, colab):
    """Reinstalling one of Colab's packages (or its dependencies) would fight Colab's own."""
    installs = [c.split()[2:] for c in run_colab_cells(path) if c.startswith("pip install")]
    assert installs
    for args in installs:
        assert "--no-deps" in args
        packages = [a for a in args if not a.startswith(("-", "./"))]  # ./course is digitrec
        assert not {canonicalize_name(Requirement(p).name) for p in packages} & COLAB_PACKAGES


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_in_colab_a_copy_already_there_is_installed_not_downloaded(path, colab, empty_folder):
    """After a factory reset of the packages but not the files, the copy is reused."""
    (empty_folder / COLAB_CLONE).mkdir()
    assert run_colab_cells(path) == [INSTALL_COURSE, *extra_installs(path)]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_in_colab_running_setup_again_installs_the_course_no_more(path, colab):
    """A second run in the same session (or after a restart) finds ``digitrec`` installed.

    Notebook 08 repeats its ipycanvas line on purpose: with the pinned version already
    installed, pip does nothing, and the cell stays a plain ``if`` that a reader can
    re-run after a runtime restart. It switches the widget manager on again too, which is harmless.
    """
    kernel, installed = {}, set()
    run_colab_cells(path, kernel, installed)
    assert run_colab_cells(path, kernel, installed) == extra_installs(path)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_outside_colab_setup_runs_nothing(path, monkeypatch, empty_folder):
    monkeypatch.delitem(sys.modules, "google.colab", raising=False)
    assert run_colab_cells(path) == []
    assert Path.cwd() == empty_folder
    assert list(empty_folder.iterdir()) == []


def test_the_main_setup_cell_is_the_same_in_every_notebook():
    main_cells = {path.name: setup_code_cells(path)[0] for path in NOTEBOOKS}
    reference = main_cells[NOTEBOOKS[0].name]
    assert "google.colab" in reference
    assert [name for name, cell in main_cells.items() if cell != reference] == []

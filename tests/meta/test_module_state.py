"""No notebook, solution, test, benchmark or tool writes a variable of a ``digitrec`` module.

Settings travel as arguments (``digitrec.ReadingParams`` ...), so that what a function does is
what its call says. A test walks the code (notebooks as IPython makes them Python) and fails on
``module.NAME = ...``, ``digitrec.module.NAME = ...`` and ``setattr`` or ``monkeypatch.setattr`` on
a ``digitrec`` module.
"""

import ast

import pytest
from helpers import ROOT, load_notebook
from IPython.core.inputtransformer2 import TransformerManager

SCANNED = sorted(
    [
        *(ROOT / "notebooks").glob("**/*.ipynb"),
        *(ROOT / "tests").rglob("*.py"),
        *(ROOT / "benchmarks").glob("*.py"),
        *(ROOT / "tools").glob("*.py"),
    ]
)


def python_source(path):
    """A .py file's text; a notebook's code cells as one program (magics made Python by IPython)."""
    if path.suffix == ".py":
        return path.read_text(encoding="utf-8")
    cells = load_notebook(path)["cells"]
    code = ["".join(cell["source"]) for cell in cells if cell["cell_type"] == "code"]
    return "\n".join(TransformerManager().transform_cell(source) for source in code)


def _module_names(tree: ast.AST) -> set[str]:
    """The names that stand for ``digitrec`` or one of its modules in this code."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.asname or a.name for a in node.names if a.name.startswith("digitrec")}
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("digitrec"):
            names |= {a.asname or a.name for a in node.names if a.name.islower()}
    return names


def _is_module(node: ast.AST, names: set[str]) -> bool:
    """Whether ``node`` is a digitrec module: a name imported as one, or ``digitrec.x``."""
    if isinstance(node, ast.Name):
        return node.id in names
    return isinstance(node, ast.Attribute) and _is_module(node.value, names)


def module_writes(source: str) -> list[str]:
    """The statements of ``source`` that write a variable of a ``digitrec`` module."""
    tree = ast.parse(source)
    names = _module_names(tree)
    found = []
    for node in ast.walk(tree):
        targets = []
        if isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            targets = [t for elt in targets for t in getattr(elt, "elts", [elt])]
        if any(isinstance(t, ast.Attribute) and _is_module(t.value, names) for t in targets):
            found.append(ast.unparse(node))
        elif isinstance(node, ast.Call) and _is_setattr(node, names):
            found.append(ast.unparse(node))
    return found


def _is_setattr(call: ast.Call, names: set[str]) -> bool:
    """``setattr(module, ...)``, ``monkeypatch.setattr(module, ...)`` or with "digitrec.x.Y"."""
    function = call.func
    is_setattr = (isinstance(function, ast.Name) and function.id == "setattr") or (
        isinstance(function, ast.Attribute) and function.attr == "setattr"
    )
    if not (is_setattr and call.args):
        return False
    first = call.args[0]
    dotted = isinstance(first, ast.Constant) and str(first.value).startswith("digitrec.")
    return dotted or _is_module(first, names)


@pytest.mark.parametrize(
    ("source", "writes"),
    [
        ("from digitrec import reading\nreading.ONE_DIGIT = 1.1", 1),
        ("from digitrec import reading\nsaved, reading.X = reading.X, 2", 1),
        ("import digitrec\ndigitrec.preprocess.FAINT_INK = 0.5", 1),
        ("import digitrec.reading as r\nr.X += 1", 1),
        ("from digitrec import trust\nmonkeypatch.setattr(trust, 'PAGE', 3)", 1),
        ("monkeypatch.setattr('digitrec.reading.X', 3)", 1),
        ("from digitrec import reading\nsetattr(reading, 'X', 3)", 1),
        ("from digitrec.segmentation import DEFAULT\nparams = DEFAULT", 0),
        ("from digitrec import reading\nx = reading.X\nnet.backward = f", 0),
        ("from digitrec.reading import read_number\nresult = read_number(image)", 0),
    ],
)
def test_the_scan_finds_each_kind_of_write(source, writes):
    assert len(module_writes(source)) == writes


@pytest.mark.parametrize("path", SCANNED, ids=lambda path: str(path.relative_to(ROOT)))
def test_no_code_writes_a_variable_of_a_digitrec_module(path):
    writes = module_writes(python_source(path))
    assert not writes, f"pass a setting as an argument instead: {writes}"

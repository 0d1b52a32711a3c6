"""Every function is short enough to read at once: at most 40 lines, in the package, the tests,
the benchmarks and the tools.

A function's length counts from its ``def`` line to the last line of its body, docstring and
blank lines included (decorators excluded), as ``ast`` reports them.
"""

import ast

import pytest
from helpers import ROOT

PACKAGE = ROOT / "digitrec"
MODULES = sorted(PACKAGE.rglob("*.py"))
#: Every Python file of the repository but the package: tests, benchmarks, tools, conftest.py.
OTHER_CODE = sorted(
    [ROOT / "conftest.py"]
    + [
        path
        for folder in ("tests", "benchmarks", "tools")
        for path in (ROOT / folder).rglob("*.py")
    ]
)
MAX_LINES = 40


def function_lengths(source):
    """{qualified name: lines from ``def`` to the end of the body} of every function in source."""
    lengths = {}

    def visit(node, prefix):
        for child in ast.iter_child_nodes(node):
            name = prefix
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                name = f"{prefix}{child.name}."
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                lengths[name[:-1]] = child.end_lineno - child.lineno + 1
            visit(child, name)

    visit(ast.parse(source), "")
    return lengths


def test_length_counts_from_def_to_the_last_line_with_nested_functions():
    source = (
        "@decorator\n"
        "def outer():\n"
        '    """Docstring."""\n'
        "\n"
        "    def inner():\n"
        "        return 1\n"
        "    return inner\n"
        "class Thing:\n"
        "    async def method(self):\n"
        "        pass\n"
    )
    assert function_lengths(source) == {"outer": 6, "outer.inner": 2, "Thing.method": 2}


def test_a_long_function_is_reported():
    long = "def long():\n" + "    x = 1\n" * MAX_LINES
    assert function_lengths(long) == {"long": MAX_LINES + 1}


def test_every_module_of_the_package_is_checked():
    names = {path.name for path in MODULES}
    assert {"__init__.py", "decode.py", "errors.py", "prediction.py", "preprocess.py"} <= names


@pytest.mark.parametrize(
    "path", MODULES + OTHER_CODE, ids=lambda path: path.relative_to(ROOT).as_posix()
)
def test_no_function_is_longer_than_40_lines(path):
    lengths = function_lengths(path.read_text(encoding="utf-8"))
    too_long = {name: lines for name, lines in lengths.items() if lines > MAX_LINES}
    assert not too_long, f"{path.name}: split these functions (lines): {too_long}"


#: Longest module of the package, in lines (issue 25: one job per module, each read at once).
MAX_MODULE_LINES = 300


@pytest.mark.parametrize("path", MODULES, ids=lambda path: path.name)
def test_no_module_is_longer_than_300_lines(path):
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_MODULE_LINES, f"{path.name} has {lines} lines: split it by job"

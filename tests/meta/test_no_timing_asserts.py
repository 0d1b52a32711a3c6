"""No test and no notebook asserts on wall-clock time.

A time measured on one machine says little about another: a bound that holds here fails on
Colab's shared CPUs or a busy test runner. Timings are printed, plotted, and measured by the
scripts in benchmarks/ (not scanned, and neither is tests/test_benchmarks.py, which checks their
reports).

Scanned: every assert statement (its condition, over all its lines) and every call of an
``assert...`` function (``np.testing.assert_array_less`` ...) in tests/*.py and in the code cells
of notebooks/*.ipynb (each notebook's cells read as one program). One counts as a timing assert
when it

1. mentions a time by name: ``seconds``, ``perf_counter``, ``time.``, ``elapsed``, ``duration``,
   or a name ending in ``_s`` (``train_s``), in a variable, attribute, key or string; or
2. indexes a tuple at a position that holds a time, where that tuple is built in the same file
   from a tuple literal whose element at that position mentions a time (1): a literal assigned
   to a name, appended to a list or written in a list literal, or returned by a function; and
   the assert reaches it in one step: ``rows[0][2]``, or ``row[2]`` after ``row = rows[0]``,
   ``a, b = rows[0], rows[2]``, ``for row in rows`` or ``row = f()``. Fields reached any other
   way (copies of copies, dictionaries built in loops, other files) are not followed; such code
   is caught only by its names (1).

Reviewed exceptions are listed in ALLOWED with the reason; each must still occur, so the list
cannot go stale. This file's own examples are strings, not asserts, so it does not flag itself.
"""

import ast
import re
from collections import defaultdict

import pytest
from helpers import ROOT, load_notebook
from IPython.core.inputtransformer2 import TransformerManager

TIME_WORDS = re.compile(r"seconds|perf_counter|\btime\.|elapsed|duration|\w_s\b")
SCANNED = [
    *sorted((ROOT / "notebooks").glob("*.ipynb")),
    *[p for p in sorted((ROOT / "tests").rglob("*.py")) if p.name != "test_benchmarks.py"],
]
ALLOWED = {
    ("test_records.py", 'assert records["m"]["train_seconds"] == 12.3 and '
                     'records["m"]["test_accuracy"] == 0.98'):
        "a stored training record read back (12.34 s rounded), not a measurement",
}  # fmt: skip

# (source, the asserts it must flag): the heuristic's own examples.
EXAMPLES = [
    ("assert elapsed < 5", ["assert elapsed < 5"]),
    ("assert time.perf_counter() - start < 1.0", ["assert time.perf_counter() - start < 1.0"]),
    ("assert r['train_seconds'] < 60", ["assert r['train_seconds'] < 60"]),
    ("np.testing.assert_array_less(fit_s, 10)", ["np.testing.assert_array_less(fit_s, 10)"]),
    (  # notebook 07 before the trade-off's time field (index 2) was taken out of its asserts
        "trade_off = []\n"
        "for filters in [8, 16, 32]:\n"
        "    trade_off.append((f'{filters}', macs(filters), seconds, accuracy))\n"
        "narrow, wide, padded = trade_off[0], trade_off[2], trade_off[3]\n"
        "assert padded[1] > 2.5 * wide[1] and padded[2] > wide[2]\n"
        "assert wide[3] >= narrow[3] and wide[1] > narrow[1]\n"
        "assert trade_off[0][2] < trade_off[1][2]\n"
        "for name, macs_, s, acc in trade_off:\n"
        "    assert acc > 0.9\n",
        ["assert padded[1] > 2.5 * wide[1] and padded[2] > wide[2]",
         "assert trade_off[0][2] < trade_off[1][2]"],
    ),
    (
        "def fit(model):\n"
        "    start = time.perf_counter()\n"
        "    return model.fit(), time.perf_counter() - start\n"
        "result = fit(model)\n"
        "assert result[1] < 30\n"
        "assert result[0] is not None\n",
        ["assert result[1] < 30"],
    ),
    ("assert runtime.version >= 3\nassert datetime.date.today().year > 2000\nassert xs[2] > 0", []),
]  # fmt: skip


def python_source(path):
    """A .py file's text; a notebook's code cells as one program (magics made Python by IPython)."""
    if path.suffix == ".py":
        return path.read_text(encoding="utf-8")
    cells = load_notebook(path)["cells"]
    code = ["".join(cell["source"]) for cell in cells if cell["cell_type"] == "code"]
    return "\n".join(TransformerManager().transform_cell(source) for source in code)


def time_positions(node):
    """Positions of a tuple literal whose element mentions a time."""
    if not isinstance(node, ast.Tuple):
        return set()
    return {i for i, element in enumerate(node.elts) if TIME_WORDS.search(ast.unparse(element))}


def time_fields(tree):
    """Time positions of tuples: ({tuple name: positions}, {list-of-tuples name: positions})."""
    functions, rows, tuples = defaultdict(set), defaultdict(set), defaultdict(set)
    nodes = list(ast.walk(tree))
    for node in nodes:
        if isinstance(node, ast.FunctionDef):
            for ret in ast.walk(node):
                if isinstance(ret, ast.Return):
                    functions[node.name] |= time_positions(ret.value)

    def built(value):  # a tuple literal, or a call of a function that returns one
        if isinstance(value, ast.Call) and isinstance(value.func, ast.Name):
            return functions.get(value.func.id, set())
        return time_positions(value)

    def row_of(value):  # rows[i]
        return rows.get(value.value.id, set()) if is_subscript_of_name(value) else set()

    for node in nodes:
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.args:
            if node.func.attr == "append" and isinstance(node.func.value, ast.Name):
                rows[node.func.value.id] |= built(node.args[0])
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.List):
            for target in names(node.targets):
                rows[target] |= set().union(*map(built, node.value.elts))
    for node in nodes:
        if isinstance(node, ast.For) and isinstance(node.target, ast.Name):
            if isinstance(node.iter, ast.Name):
                tuples[node.target.id] |= rows.get(node.iter.id, set())
        if isinstance(node, ast.Assign):
            for target, value in pairs(node):
                tuples[target] |= built(value) | row_of(value)
    return tuples, rows


def names(targets):
    return [t.id for t in targets if isinstance(t, ast.Name)]


def pairs(assign):
    """(name, value) for ``a = x`` and for each position of ``a, b = x, y``."""
    target, value = assign.targets[0], assign.value
    if isinstance(target, ast.Name):
        return [(target.id, value)]
    if isinstance(target, ast.Tuple) and isinstance(value, ast.Tuple):
        return [(t.id, v) for t, v in zip(target.elts, value.elts, strict=False)
                if isinstance(t, ast.Name)]  # fmt: skip
    return []


def is_subscript_of_name(node):
    return isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name)


def indexes_a_time(node, tuples, rows):
    """``row[k]`` or ``rows[i][k]`` where position k of that tuple holds a time."""
    if not isinstance(node, ast.Subscript) or not isinstance(node.slice, ast.Constant):
        return False
    k = node.slice.value
    if isinstance(node.value, ast.Name):
        return k in tuples.get(node.value.id, set())
    return is_subscript_of_name(node.value) and k in rows.get(node.value.value.id, set())


def checked_part(node):
    """The condition of an assert statement, the whole of an ``assert...()`` call, else None."""
    if isinstance(node, ast.Assert):
        return node.test
    if isinstance(node, ast.Call) and ast.unparse(node.func).split(".")[-1].startswith("assert"):
        return node
    return None


def timing_asserts(source):
    """The assert statements and assert-function calls in `source` that compare a time."""
    tree = ast.parse(source)
    tuples, rows = time_fields(tree)
    found = []
    for node in ast.walk(tree):
        checked = checked_part(node)
        if checked is None:
            continue
        by_name = TIME_WORDS.search(ast.unparse(checked))
        by_field = any(indexes_a_time(sub, tuples, rows) for sub in ast.walk(checked))
        if by_name or by_field:
            found.append(" ".join(ast.get_source_segment(source, node).split()))
    return found


@pytest.mark.parametrize(("source", "flagged"), EXAMPLES)
def test_the_heuristic_on_examples(source, flagged):
    assert timing_asserts(source) == flagged


@pytest.mark.parametrize("path", SCANNED, ids=lambda p: p.name)
def test_no_assert_compares_a_time(path):
    found = [a for a in timing_asserts(python_source(path)) if (path.name, a) not in ALLOWED]
    assert found == [], "a time measured here says little about another machine: print it"


def test_allowed_exceptions_still_occur():
    by_name = {path.name: path for path in SCANNED}
    for name, allowed in ALLOWED:
        assert allowed in timing_asserts(python_source(by_name[name])), f"remove {allowed!r}"

"""The package's modules import one another without a cycle (issue 25).

Every import of a ``digitrec`` module counts, at the top of a module or inside a function: a
cycle hidden in a function is still one the reader has to untangle. ``digitrec/__init__.py`` is
the package's front door, which imports everything, and is left out of the graph;
``from digitrec import models`` is an edge to the module ``digitrec.models``.
"""

import ast

from helpers import ROOT

PACKAGE = ROOT / "digitrec"


def imported_modules(source, modules):
    """Return the names (``"prediction"``) of the package's modules that ``source`` imports."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "digitrec":
                found |= {alias.name for alias in node.names if alias.name in modules}
            elif node.module.startswith("digitrec."):
                found.add(node.module.split(".")[1])
        elif isinstance(node, ast.Import):
            found |= {
                alias.name.split(".")[1]
                for alias in node.names
                if alias.name.startswith("digitrec.")
            }
    return found & modules


def import_graph():
    """Return {module: the modules it imports} for the modules of ``digitrec/`` but ``__init__``."""
    paths = {path.stem: path for path in PACKAGE.glob("*.py") if path.stem != "__init__"}
    modules = set(paths)
    return {name: imported_modules(path.read_text(), modules) for name, path in paths.items()}


def find_cycle(graph):
    """Return one cycle of ``graph`` as a list of names, first name repeated last, or None."""
    state = {}

    def visit(node, path):
        state[node] = "open"
        for nxt in sorted(graph[node]):
            if state.get(nxt) == "open":
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state and (cycle := visit(nxt, [*path, nxt])):
                return cycle
        state[node] = "done"
        return None

    for start in sorted(graph):
        if start not in state and (cycle := visit(start, [start])):
            return cycle
    return None


def test_a_cycle_is_found():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}
    assert find_cycle(graph) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_imports_inside_functions_and_of_the_package_count():
    source = "def f():\n    from digitrec import models\n    import digitrec.ctc\n"
    assert imported_modules(source, {"models", "ctc", "web"}) == {"models", "ctc"}


def test_the_package_has_no_import_cycle():
    graph = import_graph()
    assert {"prediction", "runtimes", "reading", "ctc"} <= set(graph)
    assert find_cycle(graph) is None, " -> ".join(find_cycle(graph))

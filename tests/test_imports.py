"""The package's modules import one another without a cycle (issue 25).

Every import of a ``digitrec`` module counts, at the top of a module or inside a function: a
cycle hidden in a function is still one the reader has to untangle. ``digitrec/__init__.py`` is
the package's front door, which imports everything, and is left out of the graph;
``from digitrec import models`` is an edge to the module ``digitrec.models``.
"""

import ast

from helpers import ROOT

PACKAGE = ROOT / "digitrec"


def _resolve(dotted, modules):
    """The module of ``modules`` that ``dotted`` (``"synthetic.number_photos.SPACINGS"``) names."""
    parts = dotted.split(".")
    for end in range(len(parts), 0, -1):
        if ".".join(parts[:end]) in modules:
            return ".".join(parts[:end])
    return None


def imported_modules(source, modules):
    """Return the names (``"prediction"``, ``"synthetic.number_photos"``) of the package's
    modules that ``source`` imports."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "digitrec" or node.module.startswith("digitrec."):
                base = node.module.removeprefix("digitrec").removeprefix(".")
                for alias in node.names:
                    found.add(_resolve(f"{base}.{alias.name}".strip("."), modules))
        elif isinstance(node, ast.Import):
            found |= {
                _resolve(alias.name.removeprefix("digitrec."), modules)
                for alias in node.names
                if alias.name.startswith("digitrec.")
            }
    return found & modules


def module_name(path):
    """``digitrec/synthetic/number_photos.py`` -> ``"synthetic.number_photos"``; a subpackage's
    ``__init__.py`` is the subpackage."""
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph():
    """Return {module: the modules it imports} for the modules of ``digitrec/`` but ``__init__``."""
    paths = {module_name(path): path for path in PACKAGE.rglob("*.py")}
    paths.pop("", None)  # the package's own __init__.py
    modules = set(paths)
    return {
        name: imported_modules(path.read_text(), modules) - {name} for name, path in paths.items()
    }


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
    assert {"prediction", "runtimes", "reading", "ctc", "synthetic.number_photos"} <= set(graph)
    assert find_cycle(graph) is None, " -> ".join(find_cycle(graph))


def test_imports_of_a_subpackage_name_its_modules():
    modules = {"synthetic", "synthetic.number_photos", "strips"}
    source = (
        "from digitrec.synthetic import number_photos\n"
        "from digitrec.synthetic.number_photos import X"
    )
    assert imported_modules(source, modules) == {"synthetic.number_photos"}
    assert imported_modules("import digitrec.strips", modules) == {"strips"}

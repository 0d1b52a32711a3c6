"""What several test files read from the repository, each read in one place.

Test files import it as ``from helpers import ...``: pytest puts the folder of each test file
(``tests/``, which has no ``__init__.py``) at the front of ``sys.path`` before importing it.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import os
import re
import socket
import tomllib
import types
from pathlib import Path

#: The repository root.
ROOT = Path(__file__).resolve().parents[1]

#: How far two test accuracies on MNIST's 10,000 test images may lie apart and still be the same
#: figure: 2 images. A re-run on another CPU may flip an image or two (floating-point order), so
#: README.md, a training record, a notebook's stored output and a fresh measurement of one model
#: agree within this; the notebooks' own asserts are lower bounds, well below the figures.
ACCURACY_TOLERANCE = 2 / 10_000


@functools.cache
def load_script(relative_path: str) -> types.ModuleType:
    """Import a script of ``benchmarks/`` or ``tools/`` (e.g. ``"tools/set_repo_url.py"``).

    Its ``if __name__ == "__main__":`` block does not run; the module is loaded once per session.
    """
    path = ROOT / relative_path
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def pyproject() -> dict:
    """``pyproject.toml``, parsed."""
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def repo_url() -> str:
    """The repository URL, as ``tools/set_repo_url.py`` reads it from ``pyproject.toml``."""
    return load_script("tools/set_repo_url.py").current_url()


def repo_slug() -> str:
    """``OWNER/REPO`` of the repository URL, as ``tools/set_repo_url.py`` derives it."""
    return load_script("tools/set_repo_url.py").slug(repo_url())


def readme_text() -> str:
    """The text of README.md."""
    return (ROOT / "README.md").read_text(encoding="utf-8")


def readme_tables() -> list[list[dict[str, str]]]:
    """Every table of README.md: a list of rows, each {column header: stripped cell text}."""
    tables, header = [], None
    for line in readme_text().splitlines() + [""]:
        line = line.strip()
        if not (len(line) > 1 and line.startswith("|") and line.endswith("|")):
            header = None  # a table ends at the first line that is not a row
            continue
        cells = [cell.strip() for cell in line[1:-1].split("|")]
        if header is None:
            header = cells
            tables.append([])
        elif not all(re.fullmatch(r":?-+:?", cell) for cell in cells):  # not the |---| line
            tables[-1].append(dict(zip(header, cells, strict=True)))
    return tables


def readme_table(*columns: str) -> list[dict[str, str]]:
    """The rows of the one table of README.md whose headers include ``columns``."""
    found = [t for t in readme_tables() if t and set(columns) <= set(t[0])]
    assert len(found) == 1, f"README.md has {len(found)} tables with the columns {columns}"
    return found[0]


def percent_to_fraction(text: str) -> float:
    """``"97.93 %"`` or ``"97.93%"`` (README.md, a notebook's output) as the fraction 0.9793."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?) ?%\s*", text)
    assert match, f"not a percentage: {text!r}"
    return float(match.group(1)) / 100


def notebook_path(notebook: str | os.PathLike[str]) -> Path:
    """The path of a notebook given as a path, or as a file name in ``notebooks/``."""
    path = Path(notebook)
    if not path.is_absolute() and path.parent == Path("."):
        path = ROOT / "notebooks" / path
    return path


def load_notebook(notebook: str | os.PathLike[str]) -> dict:
    """A notebook's JSON: a path, or a file name in ``notebooks/``."""
    return json.loads(notebook_path(notebook).read_text(encoding="utf-8"))


def stored_text_outputs(notebook: str | os.PathLike[str]) -> list[str]:
    """The text of each output stored in ``notebook`` (a path, or a name in ``notebooks/``).

    Read as ``tools/readme_tables.py`` reads them for README's tables: printed text and the
    plain-text form of results and displays, in order.
    """
    return load_script("tools/readme_tables.py").stored_text_outputs(notebook_path(notebook))


def stored_output(notebook: str | os.PathLike[str], pattern: str) -> re.Match:
    """The first match of ``pattern`` (``^``/``$`` match at lines) in ``notebook``'s outputs.

    Raises:
        AssertionError: No stored output matches.

    """
    for text in stored_text_outputs(notebook):
        match = re.search(pattern, text, re.M)
        if match:
            return match
    raise AssertionError(f"{pattern!r} not in the stored outputs of {notebook}")


def listening_addresses(port: int) -> set[str]:
    """The local IPv4/IPv6 addresses with a TCP socket listening on ``port``.

    Read from Linux's ``/proc/net/tcp`` and ``/proc/net/tcp6``; empty where they do not exist.
    """
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        if not os.path.exists(table):
            continue
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, hex_port = local.split(":")
            if state != "0A" or int(hex_port, 16) != port:  # 0A: LISTEN
                continue
            raw = bytes.fromhex(address)
            words = [raw[i : i + 4][::-1] for i in range(0, len(raw), 4)]  # little-endian words
            family = socket.AF_INET if len(raw) == 4 else socket.AF_INET6
            found.add(socket.inet_ntop(family, b"".join(words)))
    return found

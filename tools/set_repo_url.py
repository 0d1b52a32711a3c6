"""Point every link and the Colab Setup cells at a new repository URL.

The repository URL lives in one place, ``[project.urls] Repository`` in pyproject.toml.
The notebooks' "Open in Colab" badges, the ``git clone URL`` line of their Setup cells
(what Colab installs; ``digitrec.notebook.repository_url`` reads the clone's URL from the
installed package) and the README repeat it because Colab opens a single notebook file and cannot
look it up; this script rewrites all of them, and tests/test_notebooks.py and
tests/test_colab_setup.py check that they agree.

Usage: python tools/set_repo_url.py https://github.com/OWNER/REPO
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
URL_RE = re.compile(r"^https://github\.com/[\w.-]+/[\w.-]+$")


def current_url() -> str:
    """The repository URL: ``[project.urls] Repository`` of pyproject.toml (tests import this)."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return pyproject["project"]["urls"]["Repository"]


def slug(url: str) -> str:
    """``OWNER/REPO`` of ``https://github.com/OWNER/REPO``, as Colab's links spell it."""
    return url.removeprefix("https://github.com/")


def main(argv: list[str]) -> int:
    if len(argv) != 1 or not URL_RE.match(argv[0]):
        print("usage: python tools/set_repo_url.py https://github.com/OWNER/REPO", file=sys.stderr)
        return 2
    old, new = current_url(), argv[0]
    files = [ROOT / "pyproject.toml", ROOT / "README.md", *sorted(ROOT.glob("notebooks/*.ipynb"))]
    files += sorted(ROOT.glob("notebooks/solutions/*.ipynb"))
    old_slug, new_slug = slug(old), slug(new)
    for path in files:
        text = path.read_text(encoding="utf-8")
        updated = text.replace(old, new).replace(f"/github/{old_slug}/", f"/github/{new_slug}/")
        if updated != text:
            path.write_text(updated, encoding="utf-8")
            print(f"updated {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""Sphinx configuration of the course's website (build: see README.md, "The course as a website").

The pages are the repository's own files. Sphinx reads documents only inside its source folder
(``site/``), so this file copies ``notebooks/`` and ``images/`` into ``site/notebooks`` and
``site/images`` (git-ignored, replaced at every build: edit the originals): then the notebooks,
rendered from their stored outputs and never re-executed, and README.md's links and pictures,
included into the pages, resolve here as they do on the code host. The tables of contents are
glob patterns: a notebook, solution or glossary added later appears without editing this file.
"""

import importlib.util
import logging
import shutil
import sys
from pathlib import Path

from docutils import nodes
from sphinx import addnodes

ROOT = Path(__file__).resolve().parents[1]
SITE = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))  # autodoc imports this checkout's digitrec

for _folder in ("notebooks", "images"):
    shutil.rmtree(SITE / _folder, ignore_errors=True)
    shutil.copytree(ROOT / _folder, SITE / _folder, ignore=shutil.ignore_patterns(".*"))
# autosummary writes one page per module into api/; a renamed module must not leave its old page.
shutil.rmtree(SITE / "api", ignore_errors=True)

# The browser demo, once built (web/: npm ci && npm run build), is published at browser-demo/;
# the browser-demo page shows it only then (the tag browser_demo).
shutil.rmtree(SITE / "_extra", ignore_errors=True)
if (ROOT / "web" / "dist" / "index.html").is_file():
    shutil.copytree(ROOT / "web" / "dist", SITE / "_extra" / "browser-demo")
    tags.add("browser_demo")  # noqa: F821 (Sphinx provides tags to conf.py)
html_extra_path = ["_extra"] if (SITE / "_extra").is_dir() else []


def _repo_url() -> str:
    """Return the repository URL, read from pyproject.toml by tools/set_repo_url.py."""
    spec = importlib.util.spec_from_file_location("set_repo_url", ROOT / "tools/set_repo_url.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.current_url()


REPO_URL = _repo_url()
BRANCH = "main"
COLAB = "https://colab.research.google.com/github/{slug}/blob/{branch}/{path}"

project = "Handwritten digit recognition"
author = "the digit-recognition authors"
copyright = "the digit-recognition authors; MIT licence"

extensions = [
    "myst_nb",
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.napoleon",
]
exclude_patterns = ["_build", "**/.ipynb_checkpoints", "**/README.md"]
#: Table-of-contents patterns of parts that may not exist yet (index.md): matching nothing is fine.
OPTIONAL_PAGES = ("notebooks/glossary*", "notebooks/solutions/*")


class _OptionalPagesFilter(logging.Filter):
    """Drop Sphinx's "toctree glob pattern ... didn't match any documents" for OPTIONAL_PAGES only.

    (That warning has no type that ``suppress_warnings`` could name.)
    """

    def filter(self, record):
        message = record.getMessage()
        return not (
            "didn't match any documents" in message
            and any(repr(pattern) in message for pattern in OPTIONAL_PAGES)
        )


logging.getLogger("sphinx.sphinx.directives.other").addFilter(_OptionalPagesFilter())

# Notebooks: rendered from the outputs stored in them, never executed.
nb_execution_mode = "off"
nb_ipywidgets_js = {}  # widgets need a running kernel; no widget scripts from a CDN
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence"]
myst_heading_anchors = 3

# API reference: one page per module of digitrec, from its docstrings (Google style).
autosummary_generate = True
autodoc_default_options = {"members": True, "show-inheritance": True, "ignore-module-all": True}
autosummary_mock_imports = ["digitrec.__main__"]  # importing it runs the command line
autodoc_typehints = "description"
napoleon_google_docstring = True
napoleon_numpy_docstring = False
napoleon_use_ivar = True  # "Attributes:" as fields: two classes may share an attribute name

html_theme = "sphinx_book_theme"
html_title = project
html_static_path = ["_static"]
html_css_files = ["site.css"]
html_sourcelink_suffix = ""  # _sources/notebooks/NN_x.ipynb: the notebook itself, to download
html_context = {"default_mode": "auto"}  # light or dark as the reader's system prefers
html_theme_options = {
    "repository_url": REPO_URL,
    "repository_branch": BRANCH,
    "path_to_docs": "site",
    "use_repository_button": True,
    "use_download_button": True,
    "show_navbar_depth": 1,
    "show_toc_level": 2,
}


def _notebook_links(app, doctree, docname):
    """Put "Open in Colab" and "Download notebook" links at the top of every notebook's page."""
    if not app.env.doc2path(docname).name.endswith(".ipynb"):
        return
    slug = REPO_URL.removeprefix("https://github.com/")
    colab = COLAB.format(slug=slug, branch=BRANCH, path=f"{docname}.ipynb")
    depth = "../" * docname.count("/")
    download = f"{depth}_sources/{docname}.ipynb"
    html = (
        '<p class="notebook-links">'
        f'<a class="colab-link" href="{colab}">Open in Colab</a>'
        f'<a class="download-link" href="{download}" download>Download notebook (.ipynb)</a>'
        "</p>"
    )
    section = next(iter(doctree.findall(nodes.section)), None)
    if section is not None:
        title = next(iter(section.findall(nodes.title)))
        section.insert(section.index(title) + 1, nodes.raw("", html, format="html"))


def _repository_path(app, docname, target):
    """Return the repository file or folder that a relative link of ``docname`` names."""
    source = Path(app.env.doc2path(docname))
    copied = source.relative_to(SITE).parts[0] in ("notebooks", "images")
    folder = (ROOT / source.relative_to(SITE)).parent if copied else source.parent
    return (folder / target).resolve()


def _repository_links(app, doctree):
    """Point links to repository files that are no page here at the site or the code host.

    A notebook may link ``../README.md#syllabus`` or ``../web/``: README.md is the home page
    here (index.md includes it), any other existing file or folder opens on the code host. A link
    to nothing stays as it is, and Sphinx warns about it.
    """
    for node in list(doctree.findall(addnodes.pending_xref)):
        target = node.get("reftarget", "")
        if node.get("reftype") != "myst" or "://" in target or target.startswith("#"):
            continue
        path, _, fragment = target.partition("#")
        found = _repository_path(app, app.env.docname, path)
        if found == ROOT / "README.md":
            uri = app.builder.get_relative_uri(app.env.docname, "index")
        elif found.exists() and found.is_relative_to(ROOT):
            kind = "tree" if found.is_dir() else "blob"
            uri = f"{REPO_URL}/{kind}/{BRANCH}/{found.relative_to(ROOT).as_posix()}"
        else:
            continue
        uri += f"#{fragment}" if fragment else ""
        node.replace_self(nodes.reference("", "", *node.children, refuri=uri, internal=False))


def setup(app):
    """Register the notebook links and the links to repository files."""
    app.connect("doctree-resolved", _notebook_links)
    app.connect("doctree-read", _repository_links)

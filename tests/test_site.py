"""The course website: README.md's build command, the links of its output, and a real browser.

One build per test session (the ``site`` fixture runs README.md's command, with ``-W``: any
warning, such as a missing file or a broken cross-reference, fails it). The browser test serves
the output with ``python -m http.server`` on 127.0.0.1, as a static host would, and drives
Debian's ``chromium`` (see the ``browser`` fixture of the root ``conftest.py``); with
``DIGITREC_SCREENSHOTS=folder`` it saves screenshots there at desktop and phone width.
"""

import os
import re
import shlex
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import yaml
from helpers import ROOT, readme_text, repo_slug

WORKFLOW = ROOT / ".github" / "workflows" / "pages.yml"
#: Resources from other hosts that the pages may load: the Colab badge of README's syllabus and of
#: each notebook's title cell. Stubbed in the browser test (it runs offline).
EXTERNAL_ALLOWED = {"https://colab.research.google.com/assets/colab-badge.svg"}
VIEWPORTS = {"desktop": (1280, 800), "phone": (390, 844)}


def readme_build_command() -> str:
    """The one command in README.md that builds the website."""
    commands = re.findall(r"^python -m sphinx .*$", readme_text(), re.M)
    assert len(commands) == 1, f"README.md has {len(commands)} 'python -m sphinx' lines"
    return commands[0].strip()


@dataclass
class Site:
    """The built website: its folder, the build's log, how long the build took."""

    folder: Path
    log: str
    seconds: float


@pytest.fixture(scope="session")
def site() -> Site:
    """Build the website with README.md's command, in the checkout (build/ is git-ignored)."""
    args = shlex.split(readme_build_command())
    assert args[:3] == ["python", "-m", "sphinx"]
    start = time.monotonic()
    result = subprocess.run(
        [sys.executable, *args[1:]],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
    )
    seconds = time.monotonic() - start
    print(f"\nsite build: {seconds:.1f} s")
    log = result.stdout + result.stderr
    assert result.returncode == 0, f"the site build failed:\n{log[-6000:]}"
    return Site(folder=ROOT / args[-1], log=log, seconds=seconds)


def test_build_has_no_warnings(site):
    """-W makes warnings fatal; the log is read as well, so that a softened flag is noticed."""
    problems = [line for line in site.log.splitlines() if re.search(r"WARNING|ERROR", line)]
    assert not problems, "\n".join(problems)
    assert "build succeeded" in site.log


class _Links(HTMLParser):
    """The ids, and the link/resource addresses with their tag, of one HTML page."""

    ATTRIBUTES = {
        "a": "href",
        "link": "href",
        "img": "src",
        "script": "src",
        "source": "src",
        "iframe": "src",
    }

    def __init__(self):
        super().__init__()
        self.ids, self.links = set(), []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        if tag == "a" and attrs.get("name"):
            self.ids.add(attrs["name"])
        target = attrs.get(self.ATTRIBUTES.get(tag, ""))
        if target:
            self.links.append((tag, target))


@pytest.fixture(scope="session")
def pages(site) -> dict[Path, _Links]:
    """Every HTML page of the site, parsed (not the themes' Jinja macro files in ``_static``)."""
    parsed = {}
    for path in sorted(site.folder.rglob("*.html")):
        if path.relative_to(site.folder).parts[0] == "_static":
            continue
        parser = _Links()
        parser.feed(path.read_text(encoding="utf-8"))
        parsed[path] = parser
    return parsed


def _internal_target(site_folder, page, link):
    """(file, fragment) that ``link`` on ``page`` points to, or None for another host."""
    parts = urlsplit(link)
    if parts.scheme or parts.netloc or link.startswith(("mailto:", "javascript:", "data:")):
        return None
    target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
    if target.is_dir():
        target = target / "index.html"
    return target, parts.fragment


def test_every_internal_link_and_image_resolves(site, pages):
    """Each href/src that stays on the site names an existing file, and an existing anchor."""
    broken, checked = [], 0
    for page, parser in pages.items():
        for tag, link in parser.links:
            found = _internal_target(site.folder, page, link)
            if found is None:
                continue
            target, fragment = found
            checked += 1
            where = f"{page.relative_to(site.folder)}: <{tag}> {link}"
            if not target.is_relative_to(site.folder.resolve()) or not target.is_file():
                broken.append(f"{where} (no such file)")
            elif fragment and target.suffix == ".html" and fragment not in pages[target].ids:
                broken.append(f"{where} (no such anchor)")
    assert checked > 500, f"only {checked} internal links found: is the site complete?"
    assert not broken, "\n".join(broken)


def _notebooks():
    return sorted(p.relative_to(ROOT).with_suffix("") for p in ROOT.glob("notebooks/**/*.ipynb"))


@pytest.mark.parametrize("notebook", _notebooks(), ids=str)
def test_every_notebook_has_a_page_with_colab_and_download_links(site, pages, notebook):
    page = site.folder / notebook.with_suffix(".html")
    assert page in pages, f"no page for {notebook}.ipynb"
    links = [link for _, link in pages[page].links]
    colab = f"https://colab.research.google.com/github/{repo_slug()}/blob/main/{notebook}.ipynb"
    assert colab in links, f"no 'Open in Colab' link to {colab}"
    downloads = [
        _internal_target(site.folder, page, link)
        for link in links
        if link.endswith(f"{notebook.name}.ipynb") and _internal_target(site.folder, page, link)
    ]
    assert downloads, "no link to download the notebook"
    for target, _ in downloads:
        link = target.relative_to(site.folder)
        assert target.read_bytes() == (ROOT / f"{notebook}.ipynb").read_bytes(), link


def test_api_reference_documents_the_package(site):
    """One page per public module of digitrec, with its functions' docstrings."""
    package = ROOT / "digitrec"
    modules = sorted(
        ".".join(p.relative_to(package).with_suffix("").parts) for p in package.rglob("[!_]*.py")
    )
    for module in modules:
        assert (site.folder / "api" / f"digitrec.{module}.html").is_file(), module
    page = (site.folder / "api" / "digitrec.preprocess.html").read_text(encoding="utf-8")
    assert 'id="digitrec.preprocess.to_mnist"' in page


def test_browser_demo_is_embedded_once_built(site, pages):
    """web/dist (built by .ci/run before pytest, and by the Pages workflow) is published too."""
    if not (ROOT / "web" / "dist" / "index.html").is_file():
        pytest.skip("the browser demo is not built (cd web && npm ci && npm run build)")
    demo = site.folder / "browser-demo"
    for built in (ROOT / "web" / "dist").iterdir():
        assert (demo / built.name).read_bytes() == built.read_bytes(), built.name
    links = [link for _, link in pages[site.folder / "browser-demo.html"].links]
    assert "browser-demo/index.html" in links


def test_pages_workflow_builds_with_readmes_command_and_deploys():
    workflow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    triggers = workflow[True] if True in workflow else workflow["on"]  # YAML 1.1 reads on: as True
    assert triggers["push"]["branches"] == ["main"]
    assert workflow["permissions"]["pages"] == "write"
    assert workflow["permissions"]["id-token"] == "write"
    build = workflow["jobs"]["build"]["steps"]
    runs = [step.get("run", "") for step in build]
    assert "python -m pip install -r requirements.txt" in runs
    assert any("npm run build" in run for run in runs), "the browser demo is not built"
    assert readme_build_command() in runs, "the workflow does not run README.md's build command"
    upload = [s for s in build if s.get("uses", "").startswith("actions/upload-pages-artifact@")]
    assert upload and upload[0]["with"]["path"] == shlex.split(readme_build_command())[-1]
    deploy = workflow["jobs"]["deploy"]
    assert deploy["needs"] == "build"
    assert any(s.get("uses", "").startswith("actions/deploy-pages@") for s in deploy["steps"])


# The browser --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def served(site, tmp_path_factory):
    """Serve the built folder with ``python -m http.server`` on 127.0.0.1; yield its URL."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log = tmp_path_factory.mktemp("site-server") / "http.log"
    with open(log, "w") as log_file:
        server = subprocess.Popen(
            [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
            cwd=site.folder,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(url + "/index.html", timeout=2).close()
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail(f"http.server did not start:\n{log.read_text()}")
        yield url
    finally:
        server.terminate()
        server.wait(timeout=20)


@dataclass
class Tab:
    """A browser page with what it logged: console errors, uncaught errors, other hosts asked."""

    page: object
    errors: list
    external: set

    def check_clean(self):
        assert not self.errors, "\n".join(self.errors)
        assert self.external <= EXTERNAL_ALLOWED, f"loads from other hosts: {self.external}"


_STUB_SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="117" height="20"/>'


@pytest.fixture(params=sorted(VIEWPORTS))
def tab(request, browser, served):
    """A new page at desktop or phone width; requests to other hosts get a stub, and are noted."""
    width, height = VIEWPORTS[request.param]
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    found = Tab(page=page, errors=[], external=set())

    def route(route):
        if route.request.url.startswith(served):
            return route.continue_()
        found.external.add(route.request.url)
        return route.fulfill(status=200, content_type="image/svg+xml", body=_STUB_SVG)

    page.route("**/*", route)
    page.on("console", lambda m: m.type == "error" and found.errors.append(f"console: {m.text}"))
    page.on("pageerror", lambda e: found.errors.append(f"page error: {e}"))
    page.on("response", lambda r: r.status >= 400 and found.errors.append(f"{r.status}: {r.url}"))
    found.viewport = request.param
    yield found
    context.close()


def _screenshot(tab, name):
    folder = os.environ.get("DIGITREC_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        tab.page.screenshot(path=str(Path(folder) / f"site_{name}_{tab.viewport}.png"))


def _fits_the_width(tab):
    """The page needs no sideways scrolling (wide tables and code scroll inside themselves)."""
    width = tab.page.evaluate("document.documentElement.scrollWidth")
    assert width <= VIEWPORTS[tab.viewport][0], f"{width} px wide at {tab.viewport} width"


def _images_shown(page, selector):
    """How many images match ``selector`` and how many of them are decoded (naturalWidth > 0)."""
    return page.eval_on_selector_all(
        selector,
        "imgs => [imgs.length, imgs.filter(i => i.complete && i.naturalWidth > 0).length]",
    )


def test_landing_page(tab, served):
    page = tab.page
    page.goto(served + "/index.html", wait_until="load")
    assert "Handwritten digit recognition" in page.title()
    text = page.locator("article").inner_text()
    for words in ("Syllabus", "Your own handwriting", "Results", "Colab", "pip install"):
        assert words in text, words
    total, shown = _images_shown(page, "article img[src*='_images']")
    assert total >= 5 and shown == total, f"{shown} of {total} figures shown"
    _fits_the_width(tab)
    _screenshot(tab, "landing")
    tab.check_clean()


def test_notebook_page_shows_figures_and_links(tab, served):
    page = tab.page
    page.goto(served + "/notebooks/08_your_handwriting.html", wait_until="load")
    figures = "article .cell_output img"
    total, shown = _images_shown(page, figures)
    assert total >= 5 and shown == total, f"{shown} of {total} output figures shown"
    assert page.locator("a.colab-link").is_visible()
    assert page.locator("a.download-link").is_visible()
    previous = page.locator(".prev-next-area a.left-prev")
    assert "07" in previous.inner_text() or "convolutional" in previous.inner_text().lower()
    _fits_the_width(tab)
    _screenshot(tab, "notebook_08")
    page.locator(figures).nth(1).scroll_into_view_if_needed()
    _screenshot(tab, "notebook_08_figure")
    tab.check_clean()


def test_search_finds_softmax(tab, served):
    page = tab.page
    page.goto(served + "/search.html?q=softmax", wait_until="load")
    results = page.locator("#search-results ul.search li a")
    results.first.wait_for(timeout=30_000)
    hrefs = [a.get_attribute("href") for a in results.all()]
    assert any("notebooks/" in href for href in hrefs), hrefs
    _screenshot(tab, "search")
    tab.check_clean()


def test_browser_demo_runs_inside_the_site(tab, served):
    if not (ROOT / "web" / "dist" / "index.html").is_file():
        pytest.skip("the browser demo is not built (cd web && npm ci && npm run build)")
    page = tab.page
    page.goto(served + "/browser-demo.html", wait_until="load")
    status = page.frame_locator("iframe.browser-demo").locator("#status")
    status.filter(has_text="Ready").wait_for(timeout=60_000)
    _screenshot(tab, "browser_demo")
    tab.check_clean()

"""The glossary: every entry links where its term is taught, and every link to it lands on one."""

import json
import re

from helpers import ROOT

GLOSSARY = ROOT / "notebooks" / "glossary.md"


def slug(heading):
    """GitHub's anchor for a Markdown heading: lower case, punctuation dropped, spaces to '-'."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def entries():
    """{heading: body} of each '## ' entry."""
    parts = re.split(r"^## (.+)$", GLOSSARY.read_text(encoding="utf-8"), flags=re.M)[1:]
    return dict(zip(parts[0::2], parts[1::2], strict=True))


def markdown_of(path):
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")


def test_slug_follows_github():
    assert slug("Kernel (filter)") == "kernel-filter"
    assert slug("tf.function") == "tffunction"
    assert slug("He initialisation") == "he-initialisation"


def test_every_entry_defines_the_term_and_links_where_it_is_taught():
    for heading, body in entries().items():
        assert len(body.strip()) > 40, heading
        notebooks = re.findall(r"\]\(([\w.]+\.ipynb)\)", body)
        assert notebooks, f"{heading}: no link to the notebook that teaches it"
        for name in notebooks:
            assert (GLOSSARY.parent / name).exists(), f"{heading}: {name} does not exist"


def test_links_into_the_glossary_land_on_an_entry():
    anchors = {slug(h) for h in entries()}
    pages = sorted((ROOT / "notebooks").rglob("*.ipynb"))
    linked = 0
    for page in pages:
        for anchor in re.findall(r"glossary\.md#([\w-]+)", markdown_of(page)):
            assert anchor in anchors, f"{page.name} links to missing #{anchor}"
            linked += 1
    assert linked >= 20

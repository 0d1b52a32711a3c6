"""The glossary: every term the course needs is there, and every link to it lands on a heading."""

import json
import re

from helpers import ROOT

GLOSSARY = ROOT / "notebooks" / "glossary.md"
REQUIRED = """logits, nats, softmax, cross-entropy, one-hot encoding, epoch, batch,
validation split,
learning rate, SGD, momentum, Adam, backpropagation, gradient check, He initialisation,
overfitting, dropout, L2 regularisation, weight decay, early stopping, data augmentation,
cosine decay, confusion matrix, precision and recall, F1 score, support, convolution,
kernel (filter), feature map, receptive field, pooling, padding, multiply-adds, tf.function,
BLAS, centre of mass"""


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


def test_every_required_term_has_an_entry():
    headings = {h.lower() for h in entries()}
    missing = [t.strip() for t in REQUIRED.replace("\n", " ").split(",")]
    assert [t for t in missing if t.lower() not in headings] == []


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

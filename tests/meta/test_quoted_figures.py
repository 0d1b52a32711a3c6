"""Every figure quoted in a notebook's prose (and in README's results) is one the notebook printed.

A sentence such as "reaches 97.93 %" goes stale silently when a notebook is re-run and its output
changes; this test finds such sentences. For each ``notebooks/*.ipynb`` (the course notebooks and
``notebooks/solutions/*.ipynb``) it reads the markdown cells and parses these **quoted figures**:

- a **percentage**: a number followed by ``%`` (``97.93 %``, ``97.93%``, ``82 %``);
- a **grouped count**: an integer with thousands commas (``60,000``, ``407,050``);
- a **decimal**: a number with a decimal point (``0.955``, ``2.30``);
- a **time in seconds**: a number followed by ``s`` (``23 s``, ``0.8 s``).

Not parsed: plain integers without commas (``784``, ``10 epochs``, ``2015``: layer sizes, counts
of epochs and years are set-up facts, and too many to tell apart from results); numbers in inline
code, fenced code, link targets and HTML; section references (``§6.5``, ``ch. 11.1``); sizes
written ``28 × 28``; version numbers (``3.13.2``); ranges with a hyphen (``0-255``, ``ch. 1-3``).

Each quoted figure must **equal an output figure rounded to the quoted precision**. Output figures
are every number in the notebook's stored outputs (stream text and ``text/plain``, including the
cells tagged ``nbval-ignore-output``: the prose describes the stored run) and, since a bound in an
``assert`` or a hyper-parameter is also the notebook's own figure, every number in its code cells.
Normalisation: a quoted percentage ``p %`` with ``k`` decimals matches an output ``q %`` or
``q``-as-a-fraction (``0.9793`` is ``97.93 %``) when ``round(q, k) == p``; a grouped count
matches the same integer printed with or without commas (``407050``); a decimal with ``k``
decimals matches an output number that rounds to it; seconds match like decimals. So "about
82 %" matches a printed ``82.03%`` and "97.9 %" matches ``0.9793``, but "97.93 %" does not match
``97.91%``.

Figures that are true but are no output of the notebook (literature values, the even share of ten
classes, a learning rate named in prose only) are listed in ``ALLOWED``, each with its reason; an
entry that no longer occurs fails, so the list cannot go stale.

README.md: every figure in a table row of its ``## Results`` section must be an output of the
notebook that row names (``| 03 | ...``), or else of the notebook that the last paragraph before
the table names ("... (notebook 09): ..."), under the same rules.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from helpers import ROOT, readme_text

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb")) + sorted(
    (ROOT / "notebooks" / "solutions").glob("*.ipynb")
)

#: (path under notebooks/, quoted figure as written) -> why it is no output of that notebook.
ALLOWED = {
    ("01_dataset.ipynb", "10 %"): "the even share of ten classes, 100 % / 10",
    ("solutions/01_dataset.ipynb", "10 %"): "the accuracy of guessing among ten classes",
    ("02_preprocessing.ipynb", "0.5"): "the binarising threshold an exercise asks for",
    ("06_better_dense.ipynb", "98.9 %"): "Simard et al. (2003): their dense network, affine only",
    ("06_better_dense.ipynb", "99.6 %"): "Simard et al. (2003): their CNN, elastic distortions",
    ("06_better_dense.ipynb", "99.3 %"): "Simard et al. (2003): their dense network, elastic",
    ("06_better_dense.ipynb", "99.29 %"): "the seed sweep's lowest seed (site/seed-sweep.md)",
    ("06_better_dense.ipynb", "99.36 %"): "the seed sweep's highest seed (site/seed-sweep.md)",
    ("06_better_dense.ipynb", "0.002"): "models.compile_cosine's first learning rate (package)",
    ("08_your_handwriting.ipynb", "0.2"): "preprocess.FAINT_INK, a pipeline constant",
    ("06_better_dense.ipynb", "669,706"): "784-512-512-10's parameters, summed by hand in the cell",
    (
        "06_better_dense.ipynb",
        "98.40 %",
    ): "literature: Keras's mnist_mlp example's reported accuracy",
    ("06_better_dense.ipynb", "0.5"): "a dropout rate an exercise asks for (the notebook uses 0.3)",
    ("06_better_dense.ipynb", "4,000"): "a training-set size an exercise asks for",
    ("06_better_dense.ipynb", "16,000"): "a training-set size an exercise asks for",
    (
        "07_convolutional.ipynb",
        "0.63",
    ): "conv1's multiply-adds in millions, 28·28·32·25 in the cell",
    ("07_convolutional.ipynb", "51,264"): "conv2's parameters, 5·5·32·64 + 64 by hand in the cell",
    (
        "07_convolutional.ipynb",
        "1,024",
    ): "the values the dense layer sees, 4·4·64 by hand in the cell",
    ("07_convolutional.ipynb", "262,400"): "the dense layer's parameters, 1,024·256 + 256 by hand",
    ("07_convolutional.ipynb", "2,570"): "the output layer's parameters, 256·10 + 10 by hand",
    (
        "07_convolutional.ipynb",
        "0.002",
    ): "a hyper-parameter: compile_cosine's initial learning rate",
    (
        "11_shipping_the_model.ipynb",
        "99.9 %",
    ): "the target asserted as >= 9,990 of 10,000 same digits",
    ("11_shipping_the_model.ipynb", "0.2"): "the tolerance in points asserted as <= 0.002 accuracy",
    (
        "solutions/05_numpy_from_scratch.ipynb",
        "55,000",
    ): "set-up: load_splits' fit split, 60,000 - 5,000",
    ("solutions/05_numpy_from_scratch.ipynb", "0.005"): "a learning rate the prose suggests trying",
    ("solutions/05_numpy_from_scratch.ipynb", "2.3"): "ln 10, a uniform guess's loss, in the cell",
    ("solutions/06_better_dense.ipynb", "0.329"): "notebook 06's printed baseline validation loss",
    (
        "solutions/06_better_dense.ipynb",
        "670,000",
    ): "784-512-512-10's 669,706 parameters (notebook 06)",
    ("solutions/06_better_dense.ipynb", "55,000"): "set-up: load_splits' fit split, 60,000 - 5,000",
    ("10_reading_numbers.ipynb", "99.5 %"): "notebook 07's test accuracy of the CNN it loads",
    ("10_reading_numbers.ipynb", "8.5"): "number_photos.SLANT's 0.15 shear in degrees, set-up fact",
    ("10_reading_numbers.ipynb", "1.5"): "number_photos.ZOOM and ReadingParams.maybe_one, set-up",
    ("10_reading_numbers.ipynb", "0.35"): "ReadingParams.ink_threshold, a setting of the package",
    ("10_reading_numbers.ipynb", "2 %"): "ReadingParams.speck_fraction, a setting of the package",
    ("10_reading_numbers.ipynb", "0.2"): "a merge_overlap an exercise asks for (package: 0.5)",
    ("10_reading_numbers.ipynb", "0.15"): "an ink_threshold an exercise asks for",
    ("10_reading_numbers.ipynb", "0.6"): "an ink_threshold an exercise asks for",
    ("05_numpy_from_scratch.ipynb", "8.5"): "a section of Goodfellow et al. (§8.3-8.5), no figure",
    ("10_reading_numbers.ipynb", "1.1"): "a one_digit an exercise asks for (package: 0.9)",
    ("10_reading_numbers.ipynb", "1.2"): "a one_digit an exercise asks for (package: 0.9)",
    ("solutions/10_reading_numbers.ipynb", "5,000"): "set-up: splits.VALIDATION_SIZE",
}

#: Markdown that carries no quoted figures: fenced and inline code, link targets, HTML tags, and
#: references to a book's sections (``§4.1``, ``ch. 5.1``, ``section 6.2``).
SKIPPED = re.compile(
    r"```.*?```|`[^`]*`|\]\([^)]*\)|<[^>]*>|(?:§|\bch\.|\bchapters?\b|\bsections?\b)\s*\d+(?:\.\d+)*",
    re.S | re.I,
)
#: A number not glued to letters, digits or dots; hyphen ranges and versions are cut out first.
NUMBER = r"(?<![\w.,])(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)"
RANGE = re.compile(r"\d+(?:\.\d+)?\s*[-–]\s*\d+(?:\.\d+)?|\d+\.\d+\.\d+|\d+\s*×\s*\d+")
QUOTED = re.compile(NUMBER + r"(?:\s?(%)|\s(s)\b)?(?![\w.]?\d)")
#: Any number in an output or a code cell (scientific notation too), maybe followed by ``%``.
PRINTED = re.compile(r"(?<![\w.])(\d[\d,]*(?:\.\d+)?(?:e[-+]?\d+)?)\s?(%)?", re.I)


@dataclass(frozen=True)
class Figure:
    """A quoted figure: its text, value, decimals and kind ("percent", "count", "decimal")."""

    text: str
    value: float
    decimals: int
    kind: str


def quoted_figures(markdown: str) -> list[Figure]:
    """The figures a markdown text quotes (see the module docstring for what is parsed)."""
    text = RANGE.sub(" ", SKIPPED.sub(" ", markdown))
    figures = []
    for match in QUOTED.finditer(text):
        number, percent, seconds = match.groups()
        decimals = len(number.split(".")[1]) if "." in number else 0
        value = float(number.replace(",", ""))
        if percent:
            figures.append(Figure(f"{number} %", value, decimals, "percent"))
        elif "," in number:
            figures.append(Figure(number, value, 0, "count"))
        elif seconds:
            figures.append(Figure(f"{number} s", value, decimals, "decimal"))
        elif decimals:
            figures.append(Figure(number, value, decimals, "decimal"))
    return figures


def printed_values(text: str) -> tuple[set[float], set[float]]:
    """(plain numbers, percentages) printed in `text`; a fraction in [0, 1] counts as both."""
    plain, percent = set(), set()
    for number, sign in PRINTED.findall(text):
        try:
            value = float(number.replace(",", ""))
        except ValueError:
            continue
        if sign:
            percent.add(value)
        else:
            plain.add(value)
            if 0 <= value <= 1:
                percent.add(100 * value)
    return plain, percent


def matches(figure: Figure, plain: set[float], percent: set[float]) -> bool:
    """Whether a printed value, rounded to the figure's decimals, equals the figure."""
    candidates = percent if figure.kind == "percent" else plain
    return any(round(value, figure.decimals) == figure.value for value in candidates)


def notebook_texts(nb: dict) -> tuple[str, str]:
    """(all markdown, all outputs and code) of a notebook dict."""
    markdown, printed = [], []
    for cell in nb["cells"]:
        source = "".join(cell["source"])
        if cell["cell_type"] == "markdown":
            markdown.append(source)
            continue
        if cell["cell_type"] == "code":
            printed.append(source)
        for out in cell.get("outputs", []):
            printed.append("".join(out.get("text", "")))
            printed.append("".join(out.get("data", {}).get("text/plain", "")))
    return "\n\n".join(markdown), "\n".join(printed)


def unmatched(nb: dict, where: str) -> list[str]:
    """The quoted figures of notebook `nb` (at notebooks/`where`) that no printed figure matches."""
    markdown, printed = notebook_texts(nb)
    plain, percent = printed_values(printed)
    return [
        figure.text
        for figure in quoted_figures(markdown)
        if not matches(figure, plain, percent) and (where, figure.text) not in ALLOWED
    ]


def name(path: Path) -> str:
    """The notebook's path under notebooks/, as ALLOWED names it: "solutions/01_dataset.ipynb"."""
    return path.relative_to(ROOT / "notebooks").as_posix()


def load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=name)
def test_every_quoted_figure_is_printed_by_the_notebook(path):
    assert unmatched(load(path), name(path)) == []


def test_every_allowed_figure_still_occurs():
    quoted = {
        (name(path), figure.text)
        for path in NOTEBOOKS
        for figure in quoted_figures(notebook_texts(load(path))[0])
    }
    assert set(ALLOWED) <= quoted, set(ALLOWED) - quoted


def readme_results_rows() -> list[tuple[str, str]]:
    """(notebook number, row text) of each table row in README's ``## Results`` section."""
    section = readme_text().split("\n## Results", 1)[1].split("\n## ", 1)[0]
    rows, owner, previous = [], None, ""
    for line in section.splitlines():
        row = re.match(r"\| (\d\d) \|", line)
        named = re.search(r"\bnotebook (\d\d)\b", line)
        if row:
            owner = row[1]
        elif named and not previous.strip():  # the first line of a paragraph names its notebook
            owner = named[1]
        previous = line
        if line.startswith("|") and owner and not line.startswith("|--"):
            rows.append((owner, line))
    return rows


def test_readme_results_are_printed_by_their_notebooks():
    rows = readme_results_rows()
    assert {number for number, _ in rows} >= {"03", "05", "06", "07", "08"}
    missing = []
    for number, line in rows:
        path = next((ROOT / "notebooks").glob(f"{number}_*.ipynb"))
        plain, percent = printed_values(notebook_texts(load(path))[1])
        missing += [
            f"{number}: {figure.text}"
            for figure in quoted_figures(line)
            if not matches(figure, plain, percent)
        ]
    assert missing == []


# The matcher itself, on hand-made notebooks: it must be able to fail.


def fake_notebook(markdown: str, output: str) -> dict:
    return {
        "cells": [
            {"cell_type": "markdown", "source": [markdown]},
            {"cell_type": "code", "source": ["print(x)"], "outputs": [{"text": [output]}]},
        ]
    }


@pytest.mark.parametrize(
    "markdown, output",
    [
        ("reaches 97.93 % on the test set", "test accuracy: 97.93%"),
        ("reaches 97.93% on the test set", "test accuracy: 0.9793"),
        ("about 98 %", "test accuracy: 97.93%"),
        ("60,000 training images", "(60000, 28, 28)"),
        ("precision 0.955 for digit 3", "           3      0.955     0.987"),
        ("trains in 23 s", "training time: 23 s"),
        ("a 28 × 28 image, values 0-255, Keras 3.13.2, ch. 1-3, `0.123`", "nothing"),
        ("Goodfellow et al. §6.5, [ch. 11.1](https://x.org/a_0.5.html), section 4.2", "nothing"),
    ],
)
def test_matcher_accepts_a_figure_the_notebook_printed(markdown, output):
    assert unmatched(fake_notebook(markdown, output), "fake.ipynb") == []


@pytest.mark.parametrize(
    "markdown, output, stale",
    [
        ("reaches 97.93 % on the test set", "test accuracy: 97.91%", "97.93 %"),
        ("reaches 97.9 % on the test set", "test accuracy: 0.9752", "97.9 %"),
        ("60,000 training images", "(59999, 28, 28)", "60,000"),
        ("precision 0.955 for digit 8", "           8      0.957", "0.955"),
        ("trains in 24 s", "training time: 23 s", "24 s"),
    ],
)
def test_matcher_flags_a_figure_the_notebook_did_not_print(markdown, output, stale):
    assert unmatched(fake_notebook(markdown, output), "fake.ipynb") == [stale]

"""digitrec.synthetic.pen_samples: the committed sample pictures, and tools/make_samples.py."""

import numpy as np
import pytest
from helpers import ROOT, load_script
from PIL import Image

from digitrec.synthetic import pen_samples

SAMPLE_FILES = [
    (f"sample_{digit}_{kind}.png", make, digit) for digit, kind, make in pen_samples.SAMPLES
] + [(f"number_{text}_{kind}.png", make, int(text)) for text, kind, make in pen_samples.NUMBERS]


@pytest.mark.parametrize(("name", "make", "seed"), SAMPLE_FILES, ids=[f[0] for f in SAMPLE_FILES])
def test_each_committed_sample_is_made_again_bit_for_bit(name, make, seed):
    committed = Image.open(ROOT / "images" / name)
    made = make(np.random.default_rng(seed))
    assert made.mode == committed.mode and made.size == committed.size
    assert np.array_equal(np.asarray(made), np.asarray(committed))


def test_strokes_are_smooth_paths_inside_the_digit_box():
    paths = pen_samples.strokes(4, np.random.default_rng(0), size=100, slant=0.0)
    assert len(paths) == len(pen_samples.SKELETONS[4]) == 2
    for path in paths:
        assert path.shape == (200, 2)
        assert path[:, 0].min() > -5 and path[:, 0].max() < 80 and path[:, 1].max() < 105
        assert np.abs(np.diff(path, axis=0)).max() < 5  # no jumps: one pen stroke


def test_draw_inks_only_near_the_origin_and_leaves_the_rest_of_the_canvas():
    canvas = Image.new("L", (300, 200), 255)
    pen_samples.draw(1, np.random.default_rng(0), canvas, np.array([200.0, 20.0]), 150, 8, 0)
    ink = np.asarray(canvas) < 128
    columns = np.flatnonzero(ink.any(axis=0))
    assert ink.any() and columns.min() > 150 and not ink[:, :150].any()


def test_make_samples_keeps_an_existing_file_unless_forced(tmp_path, monkeypatch, capsys):
    tool = load_script("tools/make_samples.py")
    monkeypatch.setattr(tool, "ROOT", tmp_path)  # the tool's own constant, not digitrec's
    path = tmp_path / "sample.png"
    path.write_bytes(b"mine")
    tool.write(path, pen_samples.SAMPLES[5][2], 5, force=False)
    assert path.read_bytes() == b"mine" and "kept sample.png" in capsys.readouterr().out
    tool.write(path, pen_samples.SAMPLES[5][2], 5, force=True)
    assert Image.open(path).size == (280, 280) and "wrote sample.png" in capsys.readouterr().out

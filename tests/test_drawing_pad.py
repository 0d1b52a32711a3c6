"""``digitrec.drawing_pad``: notebook 08's pad and answer view, driven through their handlers."""

import numpy as np
import pytest

from digitrec.drawing_pad import DrawingPad, PredictionView, prediction_figure
from digitrec.model_files import load_model


@pytest.fixture(scope="module")
def model():
    return load_model()


def three_strokes():
    """The points of a 3 drawn in one stroke on the 280 x 280 pad (as notebook 08 draws it)."""
    t = np.linspace(-np.pi / 2, np.pi / 2, 20)
    upper = np.stack([140 + 50 * np.cos(t), 90 + 45 * np.sin(t)], axis=1)
    lower = np.stack([140 + 60 * np.cos(t), 190 + 50 * np.sin(t)], axis=1)
    return [(95, 60), *map(tuple, upper), *map(tuple, lower), (85, 225)]


def test_a_drawn_three_is_read(model):
    pad = DrawingPad(model)
    pad.draw(three_strokes())
    pad.answer()
    assert pad.view.answer_text() == "your drawing: prediction 3 (100.0%)"
    assert pad.view.picture.value[:4] == b"\x89PNG"
    assert np.asarray(pad.image).min() == 0


def test_pen_up_waits_and_pen_down_cancels(model):
    pad = DrawingPad(model)
    pad.draw([(100, 100), (150, 150)])
    timer = pad.timer
    assert timer is not None and timer.interval == DrawingPad.PAUSE
    pad.pen_down(10, 10)
    assert timer.finished.is_set()  # cancelled: no answer in the middle of a digit
    pad.clear()
    assert np.asarray(pad.image).min() == 255 and pad.view.text.value == ""


def test_an_unreadable_upload_is_one_line(model):
    view = PredictionView("upload", model)
    view.show(b"GIF89a, but not really", "notes.gif")
    assert view.answer_text().startswith("Cannot read notes.gif: not an image file")
    assert view.picture.layout.display == "none"
    assert "digitrec-upload-answer" in view.text._dom_classes


def test_the_figure_has_three_panels_and_the_answer(model):
    pad = DrawingPad(model)
    pad.draw(three_strokes())
    fig, prediction = prediction_figure(pad.image, model, "a 3")
    assert prediction.digit == 3 and len(fig.axes) == 3
    assert fig.axes[2].get_title() == f"prediction: 3 ({prediction.probability:.1%})"

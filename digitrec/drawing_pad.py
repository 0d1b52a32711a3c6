"""Notebook 08's widgets: a drawing pad that the model reads as you draw, and its answer view.

Built on ipywidgets and ipycanvas (``pip install ipycanvas``; Colab needs its third-party widget
switch, ``google.colab.output.enable_custom_widget_manager()``). The figures are made with
``matplotlib.figure.Figure``, not ``pyplot``: the pad's timer and the upload button call them from
other threads of the kernel, where pyplot's global state is not safe.
"""

from __future__ import annotations

import html
import io
import threading

import ipywidgets as widgets
from ipycanvas import Canvas, hold_canvas
from matplotlib.figure import Figure
from PIL import Image, ImageDraw

from digitrec.decode import ImageError, load_grey
from digitrec.prediction import predict_arrays
from digitrec.preprocess import to_mnist


def prediction_figure(image, model, title=""):
    """Return ``(figure, prediction)``: the picture, its ``to_mnist`` version, ten probabilities.

    Args:
        image: Anything ``to_mnist`` reads (a path, bytes, a Pillow image, an array).
        model: A Keras digit classifier of 28 x 28 inputs (e.g. the 07 CNN).
        title: The figure's title.

    Returns:
        A 9 x 3 inch ``matplotlib.figure.Figure`` and the ``digitrec.Prediction``.

    Raises:
        digitrec.ImageError: The picture cannot be read or holds no ink.

    """
    x = to_mnist(image)
    prediction = predict_arrays(x[None], model)[0]
    fig = Figure(figsize=(9, 3), layout="constrained")
    ax_in, ax_x, ax_p = fig.subplots(1, 3, width_ratios=[1, 1, 1.6])
    ax_in.imshow(load_grey(image), cmap="gray", vmin=0, vmax=1)
    ax_in.set_title("your picture")
    ax_x.imshow(x, cmap="gray", vmin=0, vmax=1)
    ax_x.set_title("model input, 28 × 28")
    for ax in (ax_in, ax_x):
        ax.axis("off")
    ax_p.bar(
        range(10),
        100 * prediction.probabilities,
        color=["tab:blue" if d == prediction.digit else "lightgray" for d in range(10)],
    )
    ax_p.set(
        xticks=range(10),
        ylim=(0, 100),
        xlabel="digit",
        ylabel="probability (%)",
        title=f"prediction: {prediction.digit} ({prediction.probability:.1%})",
    )
    fig.suptitle(title)
    return fig, prediction


def show_prediction(image, model, title=""):
    """Display ``prediction_figure`` in the notebook, or print one line for an unusable picture."""
    from IPython.display import display

    try:
        display(prediction_figure(image, model, title)[0])
    except ImageError as error:
        print(f"Cannot read this picture: {error}.")


class PredictionView:
    """The answer for one picture, as widgets: a line of text above the prediction figure.

    Updating it sets two widget values, which is safe from any thread, and the new figure
    replaces the old one in one piece. ``widget`` is what a notebook displays; ``text.value`` is
    the answer line (HTML), in an element of CSS class ``digitrec-<name>-answer``.
    """

    def __init__(self, name, model):
        self.model = model
        self.text = widgets.HTML().add_class(f"digitrec-{name}-answer")
        self.picture = widgets.Image(
            format="png", layout=widgets.Layout(display="none", max_width="100%")
        )
        self.widget = widgets.VBox([self.text, self.picture])

    def show(self, image, title=""):
        """Predict ``image`` and show the figure, or one line for an unusable picture."""
        try:
            fig, prediction = prediction_figure(image, self.model, title)
        except ImageError as error:
            name = html.escape(title or "this picture")
            self.clear(f"Cannot read {name}: {html.escape(str(error))}.")
            return
        except Exception as error:  # shown, not lost: a timer thread has no cell to print into
            self.clear(f"Something went wrong: {html.escape(f'{type(error).__name__}: {error}')}")
            raise
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=80)
        self.picture.value = buffer.getvalue()
        self.picture.layout.display = None
        self.text.value = (
            f"{html.escape(title)}: <b>prediction {prediction.digit}</b> "
            f"({prediction.probability:.1%})"
        )

    def clear(self, message=""):
        """Hide the figure and show ``message`` (HTML) as the answer line."""
        self.picture.layout.display = "none"
        self.text.value = message

    def answer_text(self):
        """Return the answer line as plain text (no HTML tags or entities)."""
        return html.unescape(self.text.value).replace("<b>", "").replace("</b>", "")


class DrawingPad:
    """A 280 x 280 white canvas to draw on with an 18 px black pen, a Clear button, an answer.

    Mouse events draw round-capped lines on the ``ipycanvas`` canvas, mirrored into ``image``
    (a 280 x 280 Pillow image, mode "L", white 255, ink 0), which is what ``to_mnist`` reads.
    Lifting the pen starts a ``threading.Timer``; putting it down again cancels it, so the model
    answers only after a pause of ``PAUSE`` seconds (a 4 or a 5 takes two strokes).
    """

    SIZE, PEN, PAUSE = 280, 18, 0.7  # pixels, pixels, seconds from pen-up to the answer

    def __init__(self, model):
        self.canvas = Canvas(
            width=self.SIZE, height=self.SIZE, layout=widgets.Layout(border="1px solid gray")
        )
        self.canvas.line_width, self.canvas.line_cap = self.PEN, "round"
        self.clear_button = widgets.Button(description="Clear", icon="eraser")
        self.view = PredictionView("pad", model)
        self.lock, self.timer = threading.Lock(), None
        self.canvas.on_mouse_down(self.pen_down)
        self.canvas.on_mouse_move(self.pen_move)
        self.canvas.on_mouse_up(self.pen_up)
        self.canvas.on_mouse_out(self.pen_up)
        self.clear_button.on_click(self.clear)
        self.clear()

    def pen_down(self, x, y):
        """Start a stroke at canvas pixel ``(x, y)``."""
        self.cancel_answer()
        self.last = (x, y)
        self.line_to(x, y)

    def pen_move(self, x, y):
        """Extend the stroke, if the pen is down."""
        if self.last is not None:
            self.line_to(x, y)

    def pen_up(self, x, y):
        """End the stroke and start the timer of the answer."""
        if self.last is not None:
            self.last = None
            self.cancel_answer()
            self.timer = threading.Timer(self.PAUSE, self.answer)
            self.timer.start()

    def cancel_answer(self):
        """Stop a pending answer's timer."""
        if self.timer is not None:
            self.timer.cancel()

    def answer(self):
        """Predict what is on the pad now (the timer calls this after a pause)."""
        self.cancel_answer()
        with self.lock:
            image = self.image.copy()
        self.view.show(image, "your drawing")

    def line_to(self, x, y):
        """Draw from the last point to ``(x, y)``, on the canvas and in ``image``."""
        with hold_canvas(self.canvas):
            self.canvas.stroke_line(*self.last, x, y)
        half = self.PEN / 2
        with self.lock:
            pen = ImageDraw.Draw(self.image)
            pen.line([self.last, (x, y)], fill=0, width=self.PEN)
            pen.ellipse([x - half, y - half, x + half, y + half], fill=0)
        self.last = (x, y)

    def clear(self, _button=None):
        """Wipe the pad and its answer."""
        self.cancel_answer()
        self.last = None
        with self.lock:
            self.image = Image.new("L", (self.SIZE, self.SIZE), 255)
        self.canvas.clear()
        self.canvas.fill_style, self.canvas.stroke_style = "white", "black"
        self.canvas.fill_rect(0, 0, self.SIZE, self.SIZE)
        self.view.clear()

    def widget(self):
        """Return the pad, its Clear button and the answer view on the right, for display."""
        pad = widgets.VBox([self.canvas, self.clear_button], layout=widgets.Layout(flex="none"))
        return widgets.HBox([pad, self.view.widget])

    def draw(self, points):
        """Send one stroke through the mouse handlers: down at the first point, moves, up."""
        self.pen_down(*points[0])
        for point in points[1:]:
            self.pen_move(*point)
        self.pen_up(*points[-1])

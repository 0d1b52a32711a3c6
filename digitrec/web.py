"""The web demo: draw or upload a digit, see what the model sees and its probabilities.

Below, a wide pad to write a whole number on, read without cutting it by notebook 12's CTC reader
(``digitrec.read_number(..., method="ctc")``), so that digits may touch.

Start it with ``python -m digitrec serve`` and open http://127.0.0.1:7860. It is built with
Gradio (https://www.gradio.app): a ``Sketchpad`` to draw on, a file upload, and a ``Label`` with
the ten probabilities. It listens on 127.0.0.1 (this computer only) unless ``--host`` says
otherwise; uploads over ``MAX_UPLOAD`` bytes are refused by Gradio, and images over
``digitrec.decode.MAX_PIXELS`` pixels by ``to_mnist``, each with a message.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # no calls home: runs offline

import gradio as gr  # noqa: E402

from digitrec.decode import load_grey  # noqa: E402
from digitrec.model_files import find_model, load_model  # noqa: E402
from digitrec.prediction import predict_arrays  # noqa: E402
from digitrec.preprocess import ImageError, to_mnist  # noqa: E402
from digitrec.reading import read_number  # noqa: E402

if TYPE_CHECKING:  # for type checkers only: Keras is imported when the model is loaded
    import keras

#: Largest upload accepted, in bytes (Gradio's ``max_file_size``): 10 MB, a large phone photo.
MAX_UPLOAD = 10 * 1024 * 1024

#: How the 28 x 28 input is shown: each pixel as a 8 x 8 block, so that it is visible.
ZOOM = 8


def classify(image: Any, model: keras.Model) -> tuple[dict[str, float], np.ndarray, str]:
    """Preprocess and predict one image for the demo.

    Args:
        image: What Gradio passes: a Sketchpad value (a dict whose ``"composite"`` is an RGBA
            array), a file path, or an array; None when the canvas is empty.
        model: The ``keras.Model`` to use.

    Returns:
        The ten probabilities keyed by digit ("0" … "9"), the 28 x 28 input zoomed to
        224 x 224 (uint8 grey), and a one-line answer such as ``"7 (99.8 %)"``, or
        ``"not a digit / not sure (best guess 7)"`` when the rejection rule rejects it.

    Raises:
        gradio.Error: The image holds no digit, cannot be read or is too large (shown in the
            page as a message).

    """
    if isinstance(image, dict):
        image = image.get("composite")
    if image is None:
        raise gr.Error("Draw a digit or upload an image first.")
    try:
        x = to_mnist(image)
    except ImageError as error:
        raise gr.Error(f"{str(error)[0].upper()}{str(error)[1:]}.") from None
    (prediction,) = predict_arrays(x[None], model)
    probabilities = {str(digit): float(p) for digit, p in enumerate(prediction.probabilities)}
    seen = np.kron((x * 255).round().astype(np.uint8), np.ones((ZOOM, ZOOM), dtype=np.uint8))
    if prediction.rejected:
        return probabilities, seen, f"not a digit / not sure (best guess {prediction.digit})"
    return probabilities, seen, f"{prediction.digit} ({prediction.probability:.1%})"


def build_demo(model_path: str | os.PathLike[str] | None = None) -> gr.Blocks:
    """Build the Gradio app (not started).

    Args:
        model_path: A ``.keras`` model; default: the best one in ``model/``.

    Raises:
        digitrec.prediction.ModelError: No model can be loaded.

    """
    model = load_model(model_path)
    number_model = load_model(find_model("12_ctc"))
    with gr.Blocks(title="Handwritten digit recognition") as demo:
        gr.Markdown(
            "# Handwritten digit recognition\nDraw a digit, or upload a photo or scan "
            "of one. The model sees the 28 x 28 image on the right, prepared like "
            "MNIST's digits (white on black, centred by centre of mass in a 20 x 20 box)."
        )
        with gr.Row():
            sketch, upload = _input_column()
            outputs = _output_column()

        def run(image):
            if image is None:  # the canvas was cleared or the upload removed
                return None, None, ""
            return classify(image, model)

        sketch.change(lambda value: run(value if _has_ink(value) else None), sketch, outputs)
        upload.upload(run, upload, outputs)
        upload.clear(lambda: (None, None, ""), None, outputs)
        number_pad, number_outputs = _number_section()
        number_pad.change(lambda v: read_drawing(v, number_model), number_pad, number_outputs)
    return demo


def read_drawing(image: Any, model: keras.Model) -> tuple[str, np.ndarray | None]:
    """Read the number drawn on the wide pad with the CTC reader, for the demo.

    Args:
        image: The Sketchpad value (a dict whose ``"composite"`` is an RGBA array), or None.
        model: The CTC reader (``model/12_ctc.keras``), as ``read_number(..., method="ctc")``
            takes it.

    Returns:
        The answer, e.g. ``"2026 (4 digits)"``, and the drawing in grey (uint8) with a box
        around each digit found; ``("", None)`` for an empty pad.

    Raises:
        gradio.Error: The drawing cannot be read (shown in the page as a message).

    """
    if not _has_ink(image):
        return "", None
    composite = image.get("composite") if isinstance(image, dict) else image
    try:
        reading = read_number(composite, model, method="ctc")
    except ImageError as error:
        raise gr.Error(f"{str(error)[0].upper()}{str(error)[1:]}.") from None
    grey = (load_grey(composite) * 255).round().astype(np.uint8)
    boxed = np.stack([grey] * 3, axis=-1)
    for left, top, right, bottom in reading.boxes:
        boxed[top:bottom, [left, right - 1]] = boxed[[top, bottom - 1], left:right] = (0, 160, 0)
    return f"{reading.text} ({len(reading.digits)} digits)", boxed


def _number_section() -> tuple[gr.Sketchpad, list[gr.components.Component]]:
    """Add a wide pad to write a whole number on, and its answer; return the pad and outputs."""
    gr.Markdown(
        "## A whole number\nWrite a number of several digits, side by side; they may touch."
    )
    with gr.Row():
        pad = gr.Sketchpad(
            label="Write a number",
            type="numpy",
            image_mode="RGBA",
            canvas_size=(840, 280),
            elem_id="number-pad",
            brush=gr.Brush(default_size=18, colors=["#000000"], color_mode="fixed"),
        )
    with gr.Row():
        answer = gr.Textbox(label="Number read", interactive=False, elem_id="number-answer")
        boxes = gr.Image(label="Digits found", interactive=False, elem_id="number-boxes")
    return pad, [answer, boxes]


def _input_column() -> tuple[gr.Sketchpad, gr.File]:
    """Add the column with the drawing pad and the upload, each in a tab; return both."""
    with gr.Column():
        with gr.Tab("Draw"):
            sketch = gr.Sketchpad(
                label="Draw one digit",
                type="numpy",
                image_mode="RGBA",
                canvas_size=(280, 280),
                elem_id="sketchpad",
                brush=gr.Brush(default_size=18, colors=["#000000"], color_mode="fixed"),
            )
        with gr.Tab("Upload"):
            upload = gr.File(
                label="Upload an image of one digit", file_types=["image"], elem_id="upload"
            )
    return sketch, upload


def _output_column() -> list[gr.components.Component]:
    """Add the column with the answer, the model's input and the probabilities.

    Returns them in the order of ``classify``'s results: probabilities, input, answer.
    """
    with gr.Column():
        answer = gr.Textbox(label="Prediction", interactive=False, elem_id="answer")
        seen = gr.Image(
            label="What the model sees (28 x 28)",
            interactive=False,
            image_mode="L",
            height=224,
            width=224,
            elem_id="seen",
        )
        label = gr.Label(num_top_classes=10, label="Probabilities", elem_id="probabilities")
    return [label, seen, answer]


def _has_ink(value: Any) -> bool:
    composite = value.get("composite") if isinstance(value, dict) else value
    return (
        composite is not None
        and np.asarray(composite).ndim == 3
        and (np.asarray(composite)[..., -1].max() > 0)
    )


def serve(
    host: str = "127.0.0.1", port: int = 7860, model_path: Path | None = None
) -> None:  # pragma: no cover - runs until stopped
    """Start the demo and block until interrupted (Ctrl+C)."""
    demo = build_demo(model_path)
    demo.queue(default_concurrency_limit=2).launch(
        server_name=host,
        server_port=port,
        max_file_size=MAX_UPLOAD,
        show_error=True,
        inbrowser=False,
        quiet=False,
    )

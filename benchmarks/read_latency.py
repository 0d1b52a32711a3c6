"""Latency of reading a drawn 8-digit number with ``digitrec.read_number``, by both methods.

A "drawn number" is what the web demo's wide pad sends: black strokes of an 18 px pen on a white
1120 x 280 picture, here the digits 3 1 4 1 5 9 2 6 drawn along the hand-made skeletons of
``digitrec.synthetic.pen_samples``, apart from each other. First by segmentation
(``method="segment"``) and the best digit model: the median over ``--calls`` calls (default 50)
of the whole reading, and of its parts: the ink (``load_grey`` + ``ink_on_black``), the pieces
(components, merge), and ``to_mnist`` + the model on the pieces in one batch.

Then the same drawing read by notebook 12's CTC reader (``read_number(..., method="ctc")``,
``model/12_ctc.keras``), and its parts: the strip (``strips.to_strip``) and the network.

Target (issues 15 and 24): under 60 ms on a 2-core CPU, for each method.

Usage: python benchmarks/read_latency.py [--calls 50] [--model PATH]
"""

from __future__ import annotations

import argparse
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402
from predict_latency import median_ms  # noqa: E402  (same folder: one timing rule)

import digitrec  # noqa: E402
from digitrec import preprocess, reading, segmentation, strips  # noqa: E402
from digitrec.synthetic import pen_samples  # noqa: E402

TARGET_MS = 60.0
TEXT = "31415926"


def drawn_number(text: str = TEXT) -> Image.Image:
    """Draw ``text`` in black with an 18 px round pen on a 1120 x 280 white picture."""
    rng = np.random.default_rng(0)
    image = Image.new("L", (1120, 280), 255)
    for i, character in enumerate(text):
        origin = np.array([20.0 + 135 * i, 50.0])
        pen_samples.draw(int(character), rng, image, origin, 180, width=18, colour=0)
    return image


def main() -> None:
    """Measure and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=50, help="readings to time")
    parser.add_argument(
        "--model", help="digit model for segmentation (default: the best one in model/)"
    )
    args = parser.parse_args()

    model_file = args.model or digitrec.best_model_file()
    model = digitrec.load_model(model_file)
    picture = drawn_number()
    result = digitrec.read_number(picture, model, method="segment")
    print(
        f"model: {os.path.basename(model_file)}; {os.cpu_count()} CPU cores; "
        f"median of {args.calls} calls; drew {TEXT}, read {result.text} "
        f"({'right' if result.text == TEXT else 'WRONG'})"
    )
    total = median_ms(lambda: digitrec.read_number(picture, model, method="segment"), args.calls)
    ink = preprocess.ink_on_black(digitrec.load_grey(picture))
    pieces = segmentation.merge_pieces(segmentation.find_pieces(ink))
    print(
        f"one drawn {len(TEXT)}-digit number, read_number(method='segment'): {total:6.1f} ms "
        f"(target < {TARGET_MS:.0f} ms: {'met' if total < TARGET_MS else 'NOT met'})"
    )
    ink_ms = median_ms(lambda: preprocess.ink_on_black(digitrec.load_grey(picture)), args.calls)
    merge, find = segmentation.merge_pieces, segmentation.find_pieces
    pieces_ms = median_ms(lambda: merge(find(ink)), args.calls)
    model_ms = median_ms(lambda: reading.recognise(ink, pieces, model), args.calls)
    print(f"  the ink (load_grey + ink_on_black):     {ink_ms:6.1f} ms")
    print(f"  the pieces (components, merge):         {pieces_ms:6.1f} ms")
    print(f"  to_mnist + model on {len(pieces)} pieces, one batch: {model_ms:6.1f} ms")
    ctc_figures(picture, args.calls)


def ctc_figures(picture: Image.Image, calls: int) -> None:
    """Print the CTC reader's latency on ``picture`` and its parts."""
    from digitrec.prediction import _compiled_forward

    model = digitrec.load_model(digitrec.find_model("12_ctc"))
    result = digitrec.read_number(picture, model, method="ctc")
    total = median_ms(lambda: digitrec.read_number(picture, model, method="ctc"), calls)
    print(
        f"the same number, read_number(method='ctc'): {total:6.1f} ms, read {result.text} "
        f"({'right' if result.text == TEXT else 'WRONG'}; target < {TARGET_MS:.0f} ms: "
        f"{'met' if total < TARGET_MS else 'NOT met'})"
    )
    strip = strips.to_strip(picture)
    batch = strips.pad_batch([strip.pixels])
    strip_ms = median_ms(lambda: strips.to_strip(picture), calls)
    network_ms = median_ms(lambda: _compiled_forward(model)(batch), calls)
    print(f"  the strip (to_strip, {batch.shape[2]} x 28 px):   {strip_ms:6.1f} ms")
    print(f"  the network (traced graph):             {network_ms:6.1f} ms")


if __name__ == "__main__":
    main()

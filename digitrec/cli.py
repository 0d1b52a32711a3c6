"""Command line: ``python -m digitrec predict|read IMAGE ...`` and ``python -m digitrec serve``.

``predict`` prints, per file, the digit and its probability, or with ``--json`` one JSON object
per line::

    {"file": "seven.png", "digit": 7, "probability": 0.998, "probabilities": [10 floats],
     "rejected": false}
    {"file": "notes.txt", "error": "not an image file that Pillow can read (PNG, JPEG, ...)"}

``"rejected": true`` (text: "not a digit") marks a picture that the course's rejection rule
(notebook 09, ``digitrec.prediction.load_rejection_rule``) does not take for a digit; ``digit``
is then the model's best guess. ``--no-reject`` turns the rule off. A file that cannot be used
does not stop the others. Exit status: 0 when every file was predicted (a rejection is an answer),
1 when any failed (a blank page, an unreadable file, or no model), 2 for a usage error (argparse's
own status, e.g. no file given), as the POSIX utilities do.

``read`` reads a whole number in each file (``digitrec.read_number``: by default the whole strip
with notebook 12's CTC reader, ``--method segment`` cuts it into digits) and prints its
text, or with ``--json`` ``{"file", "text", "digits", "boxes"}`` per line (``digits``: one
``predict`` object per digit; ``boxes``: [left, top, right, bottom] in the image's pixels).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

import numpy as np

from digitrec.reading import METHODS as READ_METHODS

#: Exit statuses: success, a file or the model failed, bad usage (argparse exits with 2 itself).
EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m digitrec", description="Recognise handwritten digits in images."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    predict = commands.add_parser("predict", help="predict the digit in image files")
    predict.add_argument("images", nargs="+", metavar="IMAGE", help="image files (PNG, JPEG …)")
    predict.add_argument(
        "--model",
        metavar="PATH",
        help="a .keras, .tflite or .onnx model (default: the best .keras one in model/)",
    )
    predict.add_argument("--json", action="store_true", help="one JSON object per line")
    predict.add_argument(
        "--no-reject", action="store_true", help="always answer a digit (no 'not a digit')"
    )
    _add_read(commands)
    serve = commands.add_parser("serve", help="start the web demo (Gradio)")
    serve.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to bind (default 127.0.0.1: this computer only)",
    )
    serve.add_argument("--port", type=int, default=7860, help="port (default 7860)")
    serve.add_argument(
        "--model", metavar="PATH", help="a .keras model (default: the best one in model/)"
    )
    return parser


def _add_read(commands: argparse._SubParsersAction) -> None:
    """Add the ``read`` command and its options."""
    read = commands.add_parser("read", help="read the handwritten number in image files")
    read.add_argument("images", nargs="+", metavar="IMAGE", help="image files (PNG, JPEG …)")
    read.add_argument(
        "--model",
        metavar="PATH",
        help="a .keras model (default: model/12_ctc.keras, or with --method segment the best "
        "digit model in model/)",
    )
    read.add_argument(
        "--method",
        choices=READ_METHODS,
        default=READ_METHODS[0],
        help="ctc: read the whole strip (notebook 12); segment: cut the number into digits "
        "(notebook 10), answering ? for a piece that is not a digit (default: %(default)s)",
    )
    read.add_argument("--json", action="store_true", help="one JSON object per line")


def _quiet_tensorflow() -> None:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def predict_files(
    files: list[str], model_path: str | None, as_json: bool, reject: bool = True
) -> int:
    """Predict each file and print one line per file; return the exit status."""
    from digitrec.errors import ModelError
    from digitrec.model_files import load_model
    from digitrec.prediction import predict_arrays
    from digitrec.preprocess import ImageError, to_mnist

    results: dict[int, dict] = {}
    good: list[tuple[int, np.ndarray]] = []
    for index, name in enumerate(files):
        try:
            good.append((index, to_mnist(name)))
        except ImageError as error:
            results[index] = {"file": name, "error": str(error)}
    if good:
        try:
            model = load_model(model_path)
            predictions = predict_arrays(np.stack([x for _, x in good]), model, reject)
        except ModelError as error:
            print(f"error: {error}", file=sys.stderr)
            return EXIT_FAILED
        for (index, _), prediction in zip(good, predictions, strict=True):
            results[index] = {"file": files[index], **prediction.to_dict()}
    for index in range(len(files)):
        result = results[index]
        if as_json:
            print(json.dumps(result), flush=True)
        elif "error" in result:
            print(f"{result['file']}: error: {result['error']}", file=sys.stderr, flush=True)
        elif result["rejected"]:
            print(f"{result['file']}: not a digit (best guess {result['digit']})", flush=True)
        else:
            print(
                f"{result['file']}: {result['digit']} (probability {result['probability']:.1%})",
                flush=True,
            )
    return EXIT_FAILED if any("error" in r for r in results.values()) else EXIT_OK


def read_files(
    files: list[str], model_path: str | None, as_json: bool, method: str = READ_METHODS[0]
) -> int:
    """Read the number in each file and print one line per file; return the exit status.

    JSON lines hold ``{"file", "text", "digits", "boxes"}`` (``NumberReading.to_dict``) or
    ``{"file", "error"}``; the errors are those of ``predict`` (the same ``ImageError``).
    """
    from digitrec.errors import ModelError
    from digitrec.model_files import find_model, load_model
    from digitrec.preprocess import ImageError
    from digitrec.reading import read_number

    try:
        if model_path is None and method == "ctc":
            model_path = find_model("12_ctc")
        model = load_model(model_path)
    except ModelError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_FAILED
    failed = False
    for name in files:
        try:
            result = {"file": name, **read_number(name, model, method=method).to_dict()}
        except ImageError as error:
            result, failed = {"file": name, "error": str(error)}, True
        if as_json:
            print(json.dumps(result), flush=True)
        elif "error" in result:
            print(f"{name}: error: {result['error']}", file=sys.stderr, flush=True)
        else:
            lowest = min((d["probability"] for d in result["digits"]), default=0.0)
            print(
                f"{name}: {result['text']} ({len(result['digits'])} digits, "
                f"lowest probability {lowest:.1%})",
                flush=True,
            )
    return EXIT_FAILED if failed else EXIT_OK


def main(argv: list[str] | None = None) -> int:
    """Run the command line with ``argv`` (default ``sys.argv[1:]``); return the exit status."""
    args = _parser().parse_args(argv)
    _quiet_tensorflow()
    if args.command == "predict":
        return predict_files(args.images, args.model, args.json, not args.no_reject)
    if args.command == "read":
        return read_files(args.images, args.model, args.json, args.method)
    from digitrec.errors import ModelError

    try:
        from digitrec.web import serve
    except ImportError as error:
        print(f"error: the web demo needs Gradio ({error}); pip install gradio", file=sys.stderr)
        return EXIT_FAILED
    try:
        serve(host=args.host, port=args.port, model_path=args.model and Path(args.model))
    except ModelError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_FAILED
    except OSError as error:
        print(
            f"error: cannot start the server on {args.host}:{args.port}: {error.strerror}",
            file=sys.stderr,
        )
        return EXIT_FAILED
    return EXIT_OK

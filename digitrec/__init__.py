"""Helpers shared by the digit-recognition notebooks, tests, command line and web demo.

The notebooks teach the ideas; this package keeps the code that more than one place needs
exactly once: verified MNIST loading (``mnist``) and the course's data splits (``splits``), the
folder layout, training records, shared figures (``plots``) and networks (``models``), and the
preprocessing and prediction of your own handwriting (``to_mnist``, ``predict``), and the
reading of a whole number (``read_number``, tested on ``synthetic.number_photos``).
"""

import importlib.metadata

from digitrec import models, paths, plots, splits, synthetic
from digitrec.decode import ImageError, load_grey
from digitrec.display import show_source
from digitrec.errors import DigitrecError, ModelError
from digitrec.mnist import MNIST_SHA256, MnistDataError, load_mnist, sha256_of_file
from digitrec.model_files import best_model_file, find_model, load_model
from digitrec.notebook import NotebookSetup, setup_notebook
from digitrec.paths import OUTPUT_DIR_ENV, CoursePaths, course_paths
from digitrec.prediction import predict, predict_arrays
from digitrec.preprocess import NoInkError, PreprocessParams, to_mnist, to_mnist_steps
from digitrec.reading import NumberReading, read_number
from digitrec.records import load_training_records, save_training_record
from digitrec.results import Prediction
from digitrec.segmentation import ReadingParams

__all__ = [
    "MNIST_SHA256",
    "OUTPUT_DIR_ENV",
    "CoursePaths",
    "DigitrecError",
    "ImageError",
    "MnistDataError",
    "ModelError",
    "NoInkError",
    "NotebookSetup",
    "NumberReading",
    "Prediction",
    "PreprocessParams",
    "ReadingParams",
    "best_model_file",
    "course_paths",
    "find_model",
    "load_grey",
    "load_mnist",
    "load_model",
    "load_training_records",
    "models",
    "paths",
    "plots",
    "predict",
    "predict_arrays",
    "read_number",
    "save_training_record",
    "setup_notebook",
    "sha256_of_file",
    "show_source",
    "splits",
    "synthetic",
    "to_mnist",
    "to_mnist_steps",
]

try:  # the version is written once, in pyproject.toml, and installed with the package
    __version__ = importlib.metadata.version("digitrec")
except (
    importlib.metadata.PackageNotFoundError
):  # imported from a checkout that was never pip-installed
    __version__ = "0+unknown"

"""Helpers shared by the digit-recognition notebooks, tests and tools.

The notebooks teach the ideas; this package keeps the code that more than one
place needs exactly once: verified MNIST loading and the course's folder layout.
"""

from digitrec.data import MNIST_SHA256, MnistDataError, load_mnist, sha256_of_file
from digitrec.paths import OUTPUT_DIR_ENV, CoursePaths, course_paths
from digitrec.records import load_training_records, save_training_record

__all__ = [
    "MNIST_SHA256",
    "OUTPUT_DIR_ENV",
    "CoursePaths",
    "MnistDataError",
    "course_paths",
    "load_mnist",
    "load_training_records",
    "save_training_record",
    "sha256_of_file",
]
__version__ = "0.1.0"

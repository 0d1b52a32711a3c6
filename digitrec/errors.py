"""The package's errors: ``DigitrecError`` and one subclass for each kind of failure.

Each module raises them and re-exports the ones it raises (``digitrec.preprocess.NoInkError`` is
``digitrec.errors.NoInkError``), and ``digitrec`` exports them all.
"""

from __future__ import annotations


class DigitrecError(Exception):
    """An error of the course's helpers; its message is one sentence that says what to do.

    In IPython and Jupyter it is shown as that one line, ``ClassName: message``, without a
    traceback: IPython's ``InteractiveShell.showtraceback`` calls ``_render_traceback_()`` on an
    exception that defines it and prints the list of lines it returns instead of the traceback
    (IPython documentation, "Integrating your objects with IPython: Custom exception tracebacks",
    https://ipython.readthedocs.io/en/stable/config/integrating.html). Plain Python (scripts, the
    command line) still prints the full traceback.

    Subclasses also derive from the built-in error that fits (``RuntimeError``, ``ValueError``),
    so that ``except ValueError`` keeps catching a bad image.
    """

    def _render_traceback_(self) -> list[str]:
        """Return the lines IPython shows for this error: ``["ClassName: message"]``."""
        return [f"{type(self).__name__}: {self}"]


class MnistDataError(DigitrecError, RuntimeError):
    """MNIST could not be loaded; the message says what is wrong and how to fix it.

    In Jupyter the error is shown as its one-line message, without a traceback
    (see ``DigitrecError``).
    """


class ImageError(DigitrecError, ValueError):
    """An image cannot be used; the message is one sentence that says why.

    In Jupyter the error is shown as that sentence, without a traceback (see ``DigitrecError``).
    """


class WorkerError(DigitrecError, RuntimeError):
    """A worker process stopped with an error, or did not finish in time."""


class ModelError(DigitrecError, RuntimeError):
    """No usable model: the message is one sentence that says why and what to do.

    In Jupyter the error is shown as that sentence, without a traceback (see ``DigitrecError``).
    """


class NoInkError(ImageError):
    """The image is readable but holds no digit: a blank or uniformly dark page."""

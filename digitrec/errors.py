"""The base class of the package's errors, whose one-sentence message Jupyter shows alone."""

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

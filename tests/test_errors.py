"""Specification of the package's errors: one base class, shown in Jupyter as one line."""

import pytest

from digitrec import DigitrecError, ImageError, MnistDataError, ModelError, NoInkError


@pytest.mark.parametrize(
    "error, builtin",
    [
        (MnistDataError, RuntimeError),
        (ModelError, RuntimeError),
        (ImageError, ValueError),
        (NoInkError, ImageError),
    ],
)
def test_each_error_is_a_digitrec_error_and_keeps_its_builtin_base(error, builtin):
    assert issubclass(error, DigitrecError) and issubclass(error, builtin)
    with pytest.raises(builtin, match="what went wrong"):
        raise error("what went wrong")


@pytest.mark.parametrize("error", [MnistDataError, ModelError, ImageError, NoInkError])
def test_jupyter_shows_the_message_as_one_line_without_a_traceback(error):
    message = "the file is empty (0 bytes)"
    assert error(message)._render_traceback_() == [f"{error.__name__}: {message}"]


def test_the_jupyter_hook_is_defined_once_in_the_base_class():
    for error in (MnistDataError, ModelError, ImageError, NoInkError):
        assert "_render_traceback_" not in vars(error), error.__name__

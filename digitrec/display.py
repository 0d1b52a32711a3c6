"""Show the course package's own code in a notebook, where a lesson explains it."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from IPython.display import Code


def show_source(*functions: Callable) -> Code:
    """Return the source code of ``functions`` for Jupyter to display, syntax-highlighted.

    A notebook that teaches a function kept in the package (because later notebooks call it too)
    shows its code with this instead of a second copy. The plain-text form, which nbval compares,
    is the code itself.

    Raises:
        TypeError: An object has no Python source (a built-in, say).

    """
    from IPython.display import Code

    return Code("\n\n".join(inspect.getsource(f) for f in functions), language="python")

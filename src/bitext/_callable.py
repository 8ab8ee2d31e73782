"""Callable modules: ``bitext.coverage(alignment)``, ``bitext.terms(alignments)``.

A module whose last line is ``make_callable(__name__, "coverage")`` can be
called like its function of that name. The function is looked up on the
module at each call, so a test that replaces the module's function replaces
what the call runs too.
"""

from __future__ import annotations

import sys
import types

__all__ = ["make_callable"]


def make_callable(module_name: str, function_name: str) -> None:
    """Calling module ``module_name`` calls its ``function_name`` with the same arguments."""

    class CallableModule(types.ModuleType):
        def __call__(self, *args, **kw):
            return getattr(self, function_name)(*args, **kw)

    CallableModule.__call__.__doc__ = f"``{module_name}.{function_name}(...)``."
    sys.modules[module_name].__class__ = CallableModule

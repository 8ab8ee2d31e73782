"""HTML text shared by the report page (:mod:`bitext.views.report`), the review page
(:mod:`bitext.views.review`) and the notebook display (:mod:`bitext.views.display`)."""

from __future__ import annotations

import html

__all__ = ["escape", "id_list"]


def escape(s) -> str:
    """``str(s)`` as HTML text or an attribute value (``&``, ``<``, ``>`` and quotes escaped)."""
    return html.escape(str(s), quote=True)


def id_list(ids) -> str:
    """Sentence ids as HTML: ``3,4``, or an en dash where there are none."""
    return ",".join(str(i) for i in ids) if ids else "&#8211;"

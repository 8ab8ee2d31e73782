"""Robust statistics of a document's scores: the median and the spread around it (1.4826 times the
median absolute deviation, the standard deviation of a normal sample), as numpy's ``median`` gives
them, without its first call's import of ``numpy.ma`` (a fortieth of a second per run)."""

from __future__ import annotations

import numpy as np

MAD_TO_SD = 1.4826


def median(values) -> float:
    """The median of ``values`` (``nan`` when empty or when one is ``nan``), as ``np.median``."""
    a = np.asarray(values).ravel()
    n = len(a)
    if n == 0 or np.isnan(a).any():
        return float("nan")
    lo, hi = (n - 1) // 2, n // 2
    p = np.partition(a, [lo, hi])
    return float((p[lo] + p[hi]) / 2)


def spread(values, med: float) -> float:
    """1.4826 times the median absolute deviation of ``values`` from ``med``."""
    return MAD_TO_SD * median(np.abs(np.asarray(values) - med))

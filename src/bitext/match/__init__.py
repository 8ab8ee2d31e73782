"""Find the pairs: which documents of one collection translate which of another (``bitext match``).

>>> m = bitext.match("zh/", "ko/")                 # doctest: +SKIP
>>> m.pairs[0].src, m.pairs[0].tgt, m.pairs[0].score   # doctest: +SKIP
('a.txt', 'k7.txt', 0.93)
>>> m.write_manifest("pairs.tsv")                  # then: bitext batch pairs.tsv -o out   # doctest: +SKIP

Candidates come cheaply from document vectors (:mod:`~bitext.match.vectors`,
:mod:`~bitext.match.search`); each is confirmed by aligning it
(:mod:`~bitext.match.confirm`): a translation aligns in order, most
sentences of both sides above chance, where a document on the same subject
does not. Pairs are one to one, best first (:mod:`~bitext.match.result`);
the stages run on the batch engines (:mod:`~bitext.match.run`).
"""

import sys as _sys
import types as _types

from .confirm import MIN_COVERAGE, Evidence
from .documents import Document, MatchError, collect
from .result import DocPair, Matching, NearMiss
from .run import match

__all__ = ["match", "Matching", "DocPair", "NearMiss", "Evidence", "Document", "MatchError", "collect", "MIN_COVERAGE"]


class _CallableModule(_types.ModuleType):
    """``bitext.match(src, tgt)``: the package is its own entry point (``bitext.match``
    names this package once it is imported, so the package calls :func:`match`)."""

    def __call__(self, *args, **kw):
        return self.match(*args, **kw)


_sys.modules[__name__].__class__ = _CallableModule

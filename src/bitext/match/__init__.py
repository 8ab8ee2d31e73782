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

from .._callable import make_callable
from .confirm import MIN_COVERAGE, Evidence
from .documents import Document, MatchError, collect
from .result import DocPair, Matching, NearMiss
from .run import match

__all__ = ["match", "Matching", "DocPair", "NearMiss", "Evidence", "Document", "MatchError", "collect", "MIN_COVERAGE"]

make_callable(__name__, "match")

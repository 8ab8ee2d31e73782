"""bitext: align a text with its translation, sentence by sentence.

>>> import bitext
>>> a = bitext.align(zh_text, ko_text)          # doctest: +SKIP
>>> for bead in a: print(bead.src_ids, bead.tgt_ids, bead.score)   # doctest: +SKIP
"""

from ._version import __version__
from .check.coverage import coverage
from .check.terms import terms
from .embed import load_model
from .formats.registry import read_document
from .pipeline import Alignment, Bead, align
from .text.segment import Sentence, split

coverage_report = coverage  # the name the README has used since the start: bitext.coverage_report(alignment)

__all__ = [
    "align",
    "Alignment",
    "Bead",
    "coverage",
    "coverage_report",
    "load_model",
    "match",
    "split",
    "Sentence",
    "terms",
    "read_document",
    "read_bilingual",
    "__version__",
]


def __getattr__(name):
    # bitext.match(src_docs, tgt_docs): its package, imported on first use (it brings the batch engines)
    if name == "match":
        import importlib

        return importlib.import_module(".match", __name__)
    # bitext.read_bilingual loads its module on first use
    if name == "read_bilingual":
        from .bilingual import read_bilingual

        return read_bilingual
    raise AttributeError(f"module 'bitext' has no attribute {name!r}")

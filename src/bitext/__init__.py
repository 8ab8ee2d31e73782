"""bitext: align a text with its translation, sentence by sentence.

>>> import bitext
>>> a = bitext.align(zh_text, ko_text)          # doctest: +SKIP
>>> for bead in a: print(bead.src_ids, bead.tgt_ids, bead.score)   # doctest: +SKIP
"""

from ._version import __version__
from .embed import load_model
from .pipeline import Alignment, Bead, align
from .text.segment import Sentence, split
from .check.coverage import coverage
from .check.terms import terms

coverage_report = coverage  # the name the README has used since the start: bitext.coverage_report(alignment)

__all__ = ["align", "Alignment", "Bead", "coverage", "coverage_report", "load_model", "match", "split", "Sentence",
           "terms", "__version__"]


def __getattr__(name):
    # bitext.match(src_docs, tgt_docs): imported on first use (it brings the batch engines)
    if name == "match":
        import importlib

        return importlib.import_module(".match", __name__)
    raise AttributeError(f"module 'bitext' has no attribute {name!r}")

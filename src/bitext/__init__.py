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

__all__ = ["align", "Alignment", "Bead", "coverage", "coverage_report", "load_model", "split", "Sentence", "terms",
           "__version__"]

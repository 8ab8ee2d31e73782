"""bitext: align a text with its translation, sentence by sentence.

>>> import bitext
>>> a = bitext.align(zh_text, ko_text)          # doctest: +SKIP
>>> for bead in a: print(bead.src_ids, bead.tgt_ids, bead.score)   # doctest: +SKIP
"""

from .embed import load_model
from .pipeline import Alignment, Bead, align
from .segment import Sentence, split
from .coverage import coverage as coverage_report
from . import terms  # callable: bitext.terms(alignment) lists term pairs
from .formats.registry import read_document

__version__ = "0.1.0"
__all__ = ["align", "Alignment", "Bead", "coverage_report", "load_model", "split", "Sentence", "terms",
           "read_document", "read_bilingual", "__version__"]


def __getattr__(name):
    # bitext.read_bilingual loads its module (and numpy-side helpers) on first use
    if name == "read_bilingual":
        from .bilingual import read_bilingual

        return read_bilingual
    raise AttributeError(f"module 'bitext' has no attribute {name!r}")

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

__version__ = "0.1.0"
__all__ = ["align", "Alignment", "Bead", "coverage_report", "load_model", "match", "split", "Sentence", "terms",
           "__version__"]


def __getattr__(name):
    # bitext.match(src_docs, tgt_docs): imported on first use (it brings the batch engines)
    if name == "match":
        import importlib

        return importlib.import_module(".match", __name__)
    raise AttributeError(f"module 'bitext' has no attribute {name!r}")

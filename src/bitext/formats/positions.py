"""Where a bead sits in its documents: the position of its first sentence on each side."""

from __future__ import annotations

__all__ = ["bead_position", "sentence_position"]


def sentence_position(alignment, side: str, sentence: int) -> dict:
    """The position (:meth:`~bitext.formats.document.Document.where`) of sentence ``sentence`` of
    ``side`` (``"src"`` or ``"tgt"``); ``{}`` when the alignment was not made from a document."""
    doc = getattr(alignment, f"{side}_doc", None)
    sents = getattr(alignment, f"{side}_sentences", None) or []
    if doc is None or not 0 <= sentence < len(sents):
        return {}
    return doc.where(sents[sentence].paragraph)


def bead_position(alignment, bead, side: str) -> dict:
    """The position of the first sentence of ``bead`` on ``side``; ``{}`` for an empty side."""
    ids = bead.src_ids if side == "src" else bead.tgt_ids
    return sentence_position(alignment, side, ids[0]) if ids else {}

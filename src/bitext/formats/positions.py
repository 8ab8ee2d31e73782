"""Where a bead sits in its documents: the position of its first sentence on each side."""

from __future__ import annotations

__all__ = ["bead_position", "sentence_position", "bead_positions", "POSITION_KEYS"]

POSITION_KEYS = ("paragraph", "line", "cue", "start", "end", "chapter", "page", "kind", "file", "id")
"""The keys of a position, in the order the outputs write them (paragraph number, a Markdown line,
an SRT cue with its timing, an EPUB chapter, a PDF page, a DOCX paragraph's kind, a zipped file's
name, a cue or element id)."""


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


def bead_positions(alignment) -> list[tuple[dict, dict]] | None:
    """``(source position, target position)`` of each bead, with the keys of :data:`POSITION_KEYS`
    only; ``None`` when neither side was read from a document (plain text has no positions)."""
    if getattr(alignment, "src_doc", None) is None and getattr(alignment, "tgt_doc", None) is None:
        return None

    def keys(w: dict) -> dict:
        return {k: w[k] for k in POSITION_KEYS if k in w}

    return [
        (keys(bead_position(alignment, b, "src")), keys(bead_position(alignment, b, "tgt"))) for b in alignment.beads
    ]

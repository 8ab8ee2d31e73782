"""Moses line-parallel files: ``PREFIX.<src_lang>`` and ``PREFIX.<tgt_lang>``, one bead a line.

Line ``i`` of one file translates line ``i`` of the other, the corpus format
of Moses, fairseq, OpenNMT and Marian. Beads with an empty side (a sentence
left out or added) have no partner line and are left out; the notes count them.
"""

from __future__ import annotations

import re

__all__ = ["files"]

_BREAKS = re.compile("[\t\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")


def _line(s: str) -> str:
    return " ".join(_BREAKS.sub(" ", s).split())


def files(alignment, prefix: str) -> tuple[dict, list[str]]:
    """``({PREFIX.src_lang: text, PREFIX.tgt_lang: text}, notes)``."""
    src_lang, tgt_lang = alignment.src_lang or "src", alignment.tgt_lang or "tgt"
    if src_lang == tgt_lang:
        src_lang, tgt_lang = f"{src_lang}.src", f"{tgt_lang}.tgt"
    src, tgt, left_out = [], [], 0
    for b in alignment.beads:
        s, t = _line(b.src), _line(b.tgt)
        if not (b.src_ids and b.tgt_ids and s and t):
            left_out += 1
            continue
        src.append(s + "\n")
        tgt.append(t + "\n")
    notes = []
    if left_out:
        notes.append(
            f"{left_out} of {len(alignment.beads)} beads have one side empty and are left out of the "
            f"Moses files ({len(src)} lines each)"
        )
    return {f"{prefix}.{src_lang}": "".join(src), f"{prefix}.{tgt_lang}": "".join(tgt)}, notes

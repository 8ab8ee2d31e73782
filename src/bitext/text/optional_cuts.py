"""Optional cuts: sentence boundaries that the alignment takes or leaves.

Korean written without its full stops is split at its final endings
(:mod:`bitext.text.ko_endings`), but many of its sentences close in an ending that
joins two clauses as often as it ends a sentence (-이요, -리니, -더니), or in
no final ending at all (a verse of the Bible that closes in -며 or -고). When
one side of a pair has such paragraphs, the aligner gets both sides cut
finer: the Korean at those endings and at its connectives (-고, -며, -니 ...),
the Chinese at its clause marks (，；：). Pieces of one sentence that the
aligner puts into one bead are joined again afterwards, so a cut stays only
where the other side's sentences support it, and the alignment's sentences
are whole sentences wherever the two sides agree on them.

A bead that ends at such a cut pays ``AlignParams.cut_cost`` (times the
cut's weight: half for the endings that often close a sentence and for ；
and ：), so the pieces stay together unless the other side asks for the cut.
On ``bible-zh-ko`` (verses joined into chapters on both sides) this lifts
verse-level F1 from 0.40 (the Korean split at its final endings alone) to
0.78, and the seed editorial without its Korean full stops still aligns as
its gold (``bench/ko_unpunct.py``). Pairs without such Korean are not
touched.
"""

from __future__ import annotations

import bisect

import numpy as np

from . import ko_endings
from .segment import ZH_CLAUSE_END, Sentence

__all__ = ["needs_cuts", "cut", "rejoin"]


def _paragraphs(text: str) -> list[tuple[int, str]]:
    """``(offset, body)`` of each non-empty line: the paragraphs of :func:`bitext.text.segment.split`."""
    out, offset = [], 0
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        if body.strip():
            out.append((offset, body))
        offset += len(line)
    return out


def needs_cuts(text: str | None, lang: str) -> bool:
    """Whether ``text`` has a Korean paragraph written without its full stops."""
    return bool(text and lang == "ko" and any(ko_endings.unpunctuated(body) for _, body in _paragraphs(text)))


# the cost of a cut, in units of AlignParams.cut_cost: an ending that often closes a sentence
# (-이요, -리니; ； and ：) costs less than a connective (-고, -며; ，)
_CUT_WEIGHT = {ko_endings.WEAK: 0.5, ko_endings.CLAUSE: 1.0, "；": 0.5, "，": 1.0}


def _inner_cuts(text: str, sents: list[Sentence], lang: str) -> list[list[tuple[int, float]]]:
    """For each sentence, ``(offset in text, weight)`` of the places inside it where it may be cut."""
    if lang == "zh":
        return [
            [
                (s.start + m.end(), _CUT_WEIGHT["，" if m.group()[0] in "，," else "；"])
                for m in ZH_CLAUSE_END.finditer(s.text)
                if m.end() < len(s.text)
            ]
            for s in sents
        ]
    out: list[list[tuple[int, float]]] = [[] for _ in sents]
    if lang != "ko":
        return out
    paragraphs = _paragraphs(text)
    by_par: dict[int, list[int]] = {}
    for i, s in enumerate(sents):
        by_par.setdefault(s.paragraph, []).append(i)
    for p, ids in by_par.items():
        base, body = paragraphs[p]
        if not ko_endings.unpunctuated(body):
            continue
        ends = sorted(
            (base + e, w) for e, strength in ko_endings.sentence_ends(body) if (w := _CUT_WEIGHT.get(strength, 0.0))
        )
        offsets = [e for e, _ in ends]
        for i in ids:  # the ends inside each sentence, found by bisection: linear in the paragraph, not quadratic
            lo = bisect.bisect_right(offsets, sents[i].start)
            hi = bisect.bisect_left(offsets, sents[i].end, lo)
            out[i] = ends[lo:hi]
    return out


def cut(text: str, sents: list[Sentence], lang: str) -> tuple[list[Sentence], list[float]]:
    """The pieces of ``sents`` between their optional cuts, and for each
    piece the weight of the cut after it (0 where a sentence ends)."""
    pieces, joins = [], []
    for s, cuts in zip(sents, _inner_cuts(text, sents, lang)):
        start = s.start
        for e, w in cuts + [(s.end, 0.0)]:
            a, b = start, e
            while a < b and text[a].isspace():
                a += 1
            while b > a and text[b - 1].isspace():
                b -= 1
            if b > a:
                pieces.append(Sentence(text[a:b], a, b, s.paragraph))
                joins.append(w)
            start = e
        joins[-1] = 0.0
    return pieces, joins


def rejoin(beads, text: str, pieces: list[Sentence], joins: list[float], spans: list[np.ndarray], side: int):
    """Join again the pieces of one sentence that the aligner put into one
    bead. ``beads``: ``(src_ids, tgt_ids, ...)`` tuples, ``side`` (0 or 1)
    says which ids are these pieces'; ``spans[k - 1][i]`` is the vector of
    pieces ``i .. i + k - 1``. Returns the beads with the new ids, the
    sentences and their vectors."""
    new_id: dict[int, int] = {}
    sents: list[Sentence] = []
    vectors: list[np.ndarray] = []
    for bead in beads:
        ids = list(bead[side])
        k = 0
        while k < len(ids):
            j = k
            while j + 1 < len(ids) and joins[ids[j]] > 0:
                j += 1
            first, last = pieces[ids[k]], pieces[ids[j]]
            for i in ids[k : j + 1]:
                new_id[i] = len(sents)
            sents.append(Sentence(text[first.start : last.end], first.start, last.end, first.paragraph))
            vectors.append(spans[j - k][ids[k]])
            k = j + 1
    out = []
    for bead in beads:
        joined = tuple(sorted({new_id[i] for i in bead[side]}))
        out.append((joined, *bead[1:]) if side == 0 else (bead[0], joined, *bead[2:]))
    return out, sents, np.stack(vectors) if vectors else spans[0][:0]

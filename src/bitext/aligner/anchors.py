"""Anchors: marks that survive translation unchanged.

Question and exclamation marks (``？`` and ``?`` alike, after NFKC): a question
stays a question in most translations, and where one side splits a sentence
the marks say which part went where. They are cheap (two columns) and on by
default (``AlignParams.anchor_weight``). Word anchors (numbers, Latin names,
Chinese glosses in Korean) were measured and dropped: docs/benchmarks.md.

:func:`anchor_counts` turns both sides of a document into count matrices over
the anchors the two sides *share* (an anchor found on one side only says
nothing about where it goes). The aligner scores a bead by how much of the
smaller side's anchors the other side contains.
"""

from __future__ import annotations

import unicodedata
import zlib

import numpy as np

__all__ = ["sentence_anchors", "anchor_counts", "token_matrix", "MARKS"]

MARKS = ("?", "!")


def sentence_anchors(text: str) -> list[str]:
    """Anchor tokens of one sentence (a list: counts matter)."""
    t = unicodedata.normalize("NFKC", text)
    return [mark for mark in MARKS for _ in range(t.count(mark))]


def token_matrix(
    rows: list[list[str]], weights: dict[str, float], width: int, fixed: dict[str, int] | None = None
) -> np.ndarray:
    """``(len(rows), width)``: each row sums the weights of its tokens that have
    one, a token in its ``fixed`` column or else hashed (crc32) into the columns
    after the fixed ones."""
    fixed = fixed or {}
    out = np.zeros((len(rows), width), np.float32)
    for i, toks in enumerate(rows):
        for tok in toks:
            w = weights.get(tok)
            if w is not None:
                col = fixed.get(tok)
                if col is None:
                    col = len(fixed) + zlib.crc32(tok.encode("utf-8")) % (width - len(fixed))
                out[i, col] += w
    return out


def anchor_counts(src: list[str], tgt: list[str]) -> tuple[np.ndarray, np.ndarray] | None:
    """Count matrices ``(n, len(MARKS))`` and ``(m, len(MARKS))`` over the marks
    both sides share; ``None`` when they share none."""
    sa = [sentence_anchors(s) for s in src]
    ta = [sentence_anchors(s) for s in tgt]
    shared = set().union(*sa) & set().union(*ta) if sa and ta else set()
    if not shared:
        return None
    fixed = {mark: i for i, mark in enumerate(MARKS)}
    weights = dict.fromkeys(shared, 1.0)
    s = token_matrix(sa, weights, len(MARKS), fixed)
    t = token_matrix(ta, weights, len(MARKS), fixed)
    # a mark that ends most sentences is no anchor (a list of questions)
    df = (s > 0).mean(axis=0) + (t > 0).mean(axis=0)
    common = df > 0.5
    s[:, common] = 0
    t[:, common] = 0
    return s, t

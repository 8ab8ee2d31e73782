"""Anchors: marks and strings that survive translation unchanged.

Question and exclamation marks (``？`` and ``?`` alike, after NFKC): a question
stays a question in most translations, and where one side splits a sentence
the marks say which part went where. They are cheap (two columns) and on by
default.

Words (``words=True``): numbers, Latin-script names and codes, and Chinese
characters that a Korean (or Japanese) translator kept in parentheses
(``잘했다(干得不错)``) pin a sentence to its translation whatever the
embedding model says. They did not change F1 on the development sets (see
``docs/benchmarks.md``) and cost as much aligner time again, so they are off
by default (``AlignParams.anchor_words``).

:func:`anchor_counts` turns both sides of a document into count matrices over
the anchors the two sides *share* (an anchor found on one side only says
nothing about where it goes): the marks in fixed columns, words hashed into
``dims`` more. The aligner scores a bead by how much of the smaller side's
anchors the other side contains.
"""

from __future__ import annotations

import re
import unicodedata
import zlib

import numpy as np

__all__ = ["sentence_anchors", "anchor_counts", "token_matrix", "MARKS"]

MARKS = ("?", "!")

_NUM = re.compile(r"\d+(?:[.,]\d+)*")
_LATIN = re.compile(r"[A-Za-z][A-Za-z0-9\-]*[A-Za-z0-9]|[A-Z]")
_HAN_RUN = re.compile(r"[\u4e00-\u9fff\u3400-\u4dbf]+")
_HAN = re.compile(r"[\u4e00-\u9fff\u3400-\u4dbf]")


def _han_grams(run: str) -> list[str]:
    if len(run) == 1:
        return [run]
    return [run[i:i + 2] for i in range(len(run) - 1)]


def sentence_anchors(text: str, lang: str, other_lang: str, words: bool = True) -> list[str]:
    """Anchor tokens of one sentence (a list: counts matter): its marks, then its words."""
    t = unicodedata.normalize("NFKC", text)
    out = [mark for mark in MARKS for _ in range(t.count(mark))]
    if not words:
        return out
    marks = len(out)
    for m in _NUM.finditer(t):
        num = m.group().replace(",", "")
        if len(num) >= 2 or len(out) - marks < 8:
            out.append("#" + num)
    latin_other = other_lang not in ("zh", "ko", "ja")
    latin_self = lang not in ("zh", "ko", "ja")
    for m in _LATIN.finditer(t):
        w = m.group()
        # between two Latin-script languages only names and codes (a capital or a
        # digit inside the word) are anchors; across scripts every Latin word is
        if latin_self and latin_other and not (any(c.isupper() for c in w[1:]) or w[0].isupper()):
            continue
        if latin_self and latin_other and len(w) < 3:
            continue
        out.append("@" + w.lower())
    # Han characters: Chinese text, or Hanja/Chinese glosses inside Korean/Japanese
    if (lang == "zh") != (other_lang == "zh") and (lang in ("zh", "ko", "ja") and other_lang in ("zh", "ko", "ja")):
        for run in _HAN_RUN.findall(t):
            out.extend("$" + g for g in _han_grams(run))
    return out


def token_matrix(rows: list[list[str]], weights: dict[str, float], width: int,
                 fixed: dict[str, int] | None = None) -> np.ndarray:
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


def anchor_counts(
    src: list[str], tgt: list[str], src_lang: str, tgt_lang: str, words: bool = True, dims: int = 256
) -> tuple[np.ndarray, np.ndarray] | None:
    """Count matrices ``(n, w)`` and ``(m, w)`` over the anchors both sides share.

    ``w`` is ``len(MARKS)``, plus ``dims`` with ``words``. ``None`` when the
    sides share no anchor.
    """
    sa = [sentence_anchors(s, src_lang, tgt_lang, words) for s in src]
    ta = [sentence_anchors(s, tgt_lang, src_lang, words) for s in tgt]
    shared = set().union(*sa) & set().union(*ta) if sa and ta else set()
    if not shared:
        return None
    fixed = {mark: i for i, mark in enumerate(MARKS)}
    weights = dict.fromkeys(shared, 1.0)
    width = len(MARKS) + (dims if words else 0)
    s = token_matrix(sa, weights, width, fixed)
    t = token_matrix(ta, weights, width, fixed)
    # a token that occurs in most sentences is no anchor (years in a chronicle,
    # a name in every line, a question mark in a list of questions)
    df = (s > 0).mean(axis=0) + (t > 0).mean(axis=0)
    common = df > 0.5
    s[:, common] = 0
    t[:, common] = 0
    return s, t

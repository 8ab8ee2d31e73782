"""Sino-Korean readings: a lexical similarity between Chinese (or Japanese) and Korean.

About half of Korean vocabulary is Sino-Korean: 인공지능 is 人工智能 read
character by character. Reading every Han character of the Chinese side in
Hangul (``data/hangul_readings.txt``, from Unihan's ``kHangul``) turns many
of its words into the Korean words that translate them, so the syllable
bigrams of both sides overlap where the sentences translate each other. Han
characters inside Korean text (glosses such as ``자원장벽(资源门槛)``) are
read the same way.

:func:`reading_vectors` makes a hashed tf-idf vector of reading bigrams for
every sentence; :func:`with_readings` appends them, weighted, to the span
vectors of the embedding model, so the aligner's cosine sees both.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from pathlib import Path

import numpy as np

from .align import span_sums, unit_rows
from .anchors import token_matrix

__all__ = ["readings", "reading_tokens", "reading_vectors", "with_readings", "applies", "syllable_options"]

_TABLE = Path(__file__).with_name("data") / "hangul_readings.txt"
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_HANGUL = re.compile(r"[\uac00-\ud7a3]+")
_HAN_LANGS = ("zh", "ja")


@functools.cache
def readings() -> dict[str, str]:
    """Han character -> its Hangul readings (one syllable each, most common first)."""
    table = {}
    for line in _TABLE.read_text("utf-8").splitlines():
        if line and not line.startswith("#"):
            char, syllables = line.split("\t")
            table[char] = syllables
    return table


def applies(src_lang: str, tgt_lang: str) -> bool:
    """Whether the pair is Korean and Chinese (or Japanese), in either order."""
    return {src_lang, tgt_lang} in ({"ko", "zh"}, {"ko", "ja"})


def _canon(syllable: str) -> str:
    """The syllable with an initial ㄴ or ㄹ read as ㅇ: Korean drops or softens
    them at the start of a word (理由 is 이유, not 리유), so both sides agree."""
    code = ord(syllable) - 0xAC00
    initial, rest = divmod(code, 588)
    if initial in (2, 5):  # ㄴ, ㄹ
        return chr(0xAC00 + 11 * 588 + rest)  # ㅇ
    return syllable


def syllable_options(run: str) -> list[set[str]]:
    """Per character of a run of Han characters or of Hangul syllables, the
    syllables it reads as (a Hangul syllable reads as itself), initial ㄴ/ㄹ read as ㅇ."""
    table = readings()
    return [{_canon(ch)} if "\uac00" <= ch <= "\ud7a3" else {_canon(s) for s in table.get(ch, "")} for ch in run]


def reading_tokens(text: str) -> list[str]:
    """Syllable bigrams of a sentence's Hangul words and of its Han characters' readings."""
    out = []
    for run in _HANGUL.findall(text):
        syl = [_canon(s) for s in run]
        out.extend(a + b for a, b in zip(syl, syl[1:]))
    for run in _HAN.findall(text):
        options = syllable_options(run)
        for a, b in zip(options, options[1:]):
            out.extend(x + y for x in sorted(a) for y in sorted(b))
    return out


def reading_vectors(
    src: list[str], tgt: list[str], dims: int = 256
) -> tuple[np.ndarray, np.ndarray] | None:
    """Hashed tf-idf vectors ``(n, dims)`` and ``(m, dims)`` over the reading bigrams
    both sides share (unnormalised, so that span vectors are sums); ``None``
    when the sides share none."""
    st = [reading_tokens(s) for s in src]
    tt = [reading_tokens(t) for t in tgt]
    df_s = Counter(tok for toks in st for tok in set(toks))
    df_t = Counter(tok for toks in tt for tok in set(toks))
    shared = df_s.keys() & df_t.keys()
    if not shared:
        return None
    total = len(src) + len(tgt)
    idf = {tok: float(np.log(total / (df_s[tok] + df_t[tok]))) for tok in shared}
    return token_matrix(st, idf, dims), token_matrix(tt, idf, dims)


def with_readings(spans: list[np.ndarray], vectors: np.ndarray, weight: float) -> list[np.ndarray]:
    """Span vectors ``[sqrt(1 - w^2) * model span, w * reading span]``, renormalised.

    ``spans[k-1][i]`` is the model's unit vector of sentences ``i .. i+k-1``;
    the reading span is the normalised sum of their reading vectors. A span
    without readings keeps its model vector alone.
    """
    out = []
    for k, span in enumerate(spans, start=1):
        r = unit_rows(span_sums(vectors, k))
        x = unit_rows(np.concatenate([np.sqrt(1 - weight**2) * span, weight * r], axis=1))
        out.append(x.astype(np.float32))
    return out

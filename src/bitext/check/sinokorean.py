"""Sino-Korean readings: Chinese (or Japanese) words read as the Korean words they became.

About half of Korean vocabulary is Sino-Korean: 인공지능 is 人工智能 read
character by character. :func:`readings` reads every Han character in Hangul
(``data/hangul_readings.txt``, from Unihan's ``kHangul``), and
:func:`reading_overlap` tells how much of a Korean word spells a Chinese
word's readings (技术, 기술). Term extraction uses them as evidence
(:mod:`bitext.terms`). As a second similarity inside the aligner (syllable
bigrams of both sides) they were measured and removed: docs/benchmarks.md.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

__all__ = ["readings", "reading_overlap", "applies", "syllable_options"]

_TABLE = Path(__file__).with_name("data") / "hangul_readings.txt"
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_HANGUL = re.compile(r"[\uac00-\ud7a3]+")
_READ_UNIT = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7a3]|[A-Za-z0-9]+")


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


def reading_overlap(a: str, b: str) -> float:
    """How much the Hangul of one side spells the Han characters' readings on the other:
    ``2 * common / (len(a) + len(b))`` over the longest common subsequence of syllables
    (0 unless one side has Han characters and the other Hangul)."""
    oa, ob = _reading_units(a), _reading_units(b)
    if not any(_HAN.search(c) for c in a) or not any(_HANGUL.match(c) for c in b):
        if not any(_HAN.search(c) for c in b) or not any(_HANGUL.match(c) for c in a):
            return 0.0
    n, m = len(oa), len(ob)
    prev = [0] * (m + 1)
    for i in range(n):
        cur = [0] * (m + 1)
        for j in range(m):
            cur[j + 1] = prev[j] + 1 if oa[i] & ob[j] else max(prev[j + 1], cur[j])
        prev = cur
    return 2 * prev[m] / (n + m)


def _reading_units(text: str) -> list[set[str]]:
    """What a reading is compared over: the readings of each Han character or Hangul
    syllable, and each Latin word as itself (AI기술 is 技术 and one more unit)."""
    out = []
    for m in _READ_UNIT.finditer(text):
        g = m.group()
        out.append(syllable_options(g)[0] if len(g) == 1 and not g.isascii() else {"#" + g.casefold()})
    return out

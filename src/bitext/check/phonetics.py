"""How names sound: consonant skeletons of Latin, Hangul and Chinese (pinyin) spellings.

A name keeps its consonants from one script to another more than its vowels:
奥尔特曼 (ao er te man), 올트만 and Altman all come down to ``ldmn``.
:func:`skeleton` reduces a spelling to that skeleton (voiced and unvoiced
consonants, r and l, f and p merged; vowels, h, w and y dropped), from Latin
letters, Hangul (by its jamo) or Han characters (by their Mandarin reading,
``data/han_pinyin.txt``); :func:`similarity` compares two skeletons (1 - edit
distance / length); :func:`pinyin` spells Han characters in toneless pinyin
(宝玉 -> ``baoyu``, as English translations write Chinese names).
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

__all__ = ["skeleton", "similarity", "alike", "spelling", "pinyin", "pinyin_readings", "hangul_latin"]

_TABLE = Path(__file__).with_name("data") / "han_pinyin.txt"
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")

# Hangul jamo as Latin letters (initials, medials, finals), close to how loanwords are written back
_INITIAL = ["g", "kk", "n", "d", "tt", "r", "m", "b", "pp", "s", "ss", "", "j", "jj", "ch", "k", "t", "p", "h"]
_MEDIAL = [
    "a",
    "ae",
    "ya",
    "yae",
    "eo",
    "e",
    "yeo",
    "ye",
    "o",
    "wa",
    "wae",
    "oe",
    "yo",
    "u",
    "wo",
    "we",
    "wi",
    "yu",
    "eu",
    "ui",
    "i",
]
# a final ㅅ, ㅆ, ㅈ, ㅊ is heard as t (다윗 David, 헤롯 Herod), as Revised Romanization writes it
_FINAL = [
    "",
    "g",
    "kk",
    "gs",
    "n",
    "nj",
    "nh",
    "d",
    "l",
    "lg",
    "lm",
    "lb",
    "ls",
    "lt",
    "lp",
    "lh",
    "m",
    "b",
    "bs",
    "t",
    "t",
    "ng",
    "t",
    "t",
    "k",
    "t",
    "p",
    "h",
]

_MERGE = str.maketrans(
    {
        "r": "l",
        "v": "b",
        "f": "b",
        "p": "b",
        "k": "g",
        "c": "g",
        "q": "g",
        "t": "d",
        "z": "j",
        "x": "s",
        "w": "",
        "y": "",
        "h": "",
        "a": "",
        "e": "",
        "i": "",
        "o": "",
        "u": "",
    }
)
# pinyin initials as the consonants a Korean or English ear hears (zh, ch, j, q, z, c -> j; sh -> s)
_PINYIN_INITIAL = re.compile(r"^(zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw])?(.*)$")
# x renders s (西门 Simon) as often as h (希律 Herod, 希伯来 Hebrew): like h, it is left out
_PINYIN_SOUND = {"zh": "j", "ch": "j", "sh": "s", "j": "j", "q": "j", "x": "", "z": "j", "c": "j", "r": "l"}


@functools.cache
def pinyin_readings() -> dict[str, str]:
    """Han character -> its most common Mandarin reading, in toneless pinyin."""
    lines = _TABLE.read_text("utf-8").split("\n")
    return {line[0]: line[2:] for line in lines if len(line) > 2 and line[1] == "\t"}


def pinyin(text: str) -> str:
    """``text`` with each Han character spelled in its toneless pinyin reading (宝玉 -> baoyu)."""
    table = pinyin_readings()
    return "".join(table.get(c, c) for c in text)


def hangul_latin(text: str) -> str:
    """Hangul syllables spelled in Latin letters by their jamo (올트만 -> olteuman); other characters kept."""
    out = []
    for ch in text:
        o = ord(ch) - 0xAC00
        if 0 <= o < 11172:
            out.append(_INITIAL[o // 588] + _MEDIAL[(o % 588) // 28] + _FINAL[o % 28])
        else:
            out.append(ch)
    return "".join(out)


_NOT_LOWER = re.compile(r"[^a-z]")
_REPEATED = re.compile(r"(.)\1+")


def _latin_skeleton(s: str) -> str:
    s = _NOT_LOWER.sub("", s.lower())
    s = s.replace("ph", "p").replace("th", "t").replace("sh", "s").replace("ch", "j").replace("ck", "k")
    s = s.replace("ng", "n")
    s = s.translate(_MERGE)
    return _REPEATED.sub(r"\1", s)


@functools.lru_cache(maxsize=65536)
def _han_sound(c: str) -> str:
    """The consonants a Han character's reading is heard with (see :func:`_pinyin_skeleton`)."""
    r = pinyin_readings().get(c)
    if not r:
        return ""
    m = _PINYIN_INITIAL.match(r)
    assert m is not None  # (the pattern matches any reading: one line)
    ini, rest = m.group(1) or "", m.group(2)
    sound = _PINYIN_SOUND.get(ini, ini)
    # a final n or ng is heard (曼 man: n); er is heard as l (尔: 올트만, Altman)
    if rest.endswith(("n", "ng")):
        sound += "n"
    elif rest == "er" and not ini:
        sound += "l"
    return sound


def _pinyin_skeleton(han: str) -> str:
    return _latin_skeleton("".join(map(_han_sound, han)))


def skeleton(text: str) -> str:
    """The consonant skeleton of a spelling in Latin letters, Hangul or Han characters (by pinyin)."""
    if _HAN.search(text):
        return _pinyin_skeleton("".join(_HAN.findall(text)))
    if any("\uac00" <= c <= "\ud7a3" for c in text):
        # a final ㅅ is the t Korean adds to a foreign name (헤롯 Herod, 希律): not counted
        return _latin_skeleton(hangul_latin(_drop_final_s(text)).replace("ng", "n"))
    return _latin_skeleton(text)


def _drop_final_s(text: str) -> str:
    out = []
    for ch in text:
        o = ord(ch) - 0xAC00
        out.append(chr(ord(ch) - 19) if 0 <= o < 11172 and o % 28 == 19 else ch)
    return "".join(out)


def spelling(a: str, b: str) -> float:
    """How alike two spellings are, vowels included: :func:`similarity` of their letters in Latin
    script (Han characters by pinyin, Hangul by its jamo; 犹大 youda, 유다 yuda: 0.8)."""

    def latin(t: str) -> str:
        t = pinyin(t) if _HAN.search(t) else hangul_latin(t)
        t = t.casefold().replace("eo", "o").replace("eu", "u").replace("ae", "e")
        return re.sub(r"[^a-z]", "", t)

    return similarity(latin(a), latin(b))


def alike(a: str, b: str, at_least: float) -> bool:
    """``similarity(a, b) >= at_least``, told at once where the lengths alone rule it out (the
    edit distance is at least their difference)."""
    if a and b and 1.0 - abs(len(a) - len(b)) / max(len(a), len(b)) < at_least:
        return False
    return similarity(a, b) >= at_least


def similarity(a: str, b: str) -> float:
    """1 - edit distance / the longer length, of two skeletons (0 when either is empty)."""
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return 1.0 - prev[-1] / max(len(a), len(b))

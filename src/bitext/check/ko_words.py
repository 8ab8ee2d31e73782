"""Korean words and their stems: what the term checks count and match in Korean.

A word is a run of Hangul, Latin letters and digits (an *eojeol* without its
punctuation); its stem is the noun part with the particles and endings after
it stripped (``자원장벽을`` -> ``자원장벽``, ``촉진할`` -> ``촉진``), and a
compound's nouns are told apart (``자료공개``: 자료, 공개). With
python-mecab-ko installed (imported on first use) the stems come from its
morphemes (:func:`mecab_available`); without it, or with ``rules=True``, from
rules: a list of particles, the endings of ``하다``/``되다``/``시키다``, and
Latin names before a particle. :func:`compound_joints` tells where a
compound's nouns meet (by python-mecab-ko only).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

__all__ = ["KoWord", "ko_words", "compound_joints", "mecab_available", "mecab_tagger"]

_HANGUL_SYL = re.compile(r"[\uac00-\ud7a3]")
_KO_WORD = re.compile(r"[0-9A-Za-z\uac00-\ud7a3]+(?:[-.&'][0-9A-Za-z\uac00-\ud7a3]+)*")
_CONTENT_TAGS = ("NNG", "NNP", "NR", "NP", "SL", "SN", "XR", "XPN", "XSN")
_MECAB: dict = {}


def mecab_available() -> bool:
    """Whether python-mecab-ko can be imported (it gives Korean morphemes; rules otherwise)."""
    return _mecab() is not None


def mecab_tagger():
    """python-mecab-ko's tagger (made on first use), or None without it."""
    return _mecab()


def _mecab():
    if "tagger" not in _MECAB:
        try:
            import mecab

            _MECAB["tagger"] = mecab.MeCab()
        except Exception:  # not installed, or its dictionary is missing
            _MECAB["tagger"] = None
    return _MECAB["tagger"]


@dataclass(frozen=True)
class KoWord:
    """A Korean word: a run of Hangul, Latin letters and digits between spaces and punctuation.

    ``stem`` is its noun part with the particles and endings after it
    stripped (``자원장벽을`` -> ``자원장벽``; ``""`` when the word does not start
    with a noun: a verb, an adverb); ``parts`` the offsets (in the text) of
    the stem's nouns when it is a compound (``자료공개``: 자료, 공개); ``ending``
    the coarse class of what follows the stem: ``""`` (nothing: a bare noun),
    ``"J"`` (a particle), ``"JC"`` (and: 과, 와), ``"XSV"`` (a noun made a
    verb: 촉진할), ``"E"`` (an ending); ``final`` the class of its last
    morpheme: ``""``, ``"J"``, ``"JC"``, ``"EC"`` (a connective ending:
    갈고, 조정해), ``"ETM"`` (an adnominal ending: 쌓은, 짐작할) or ``"E"``;
    ``pred`` says whether the word is a predicate; ``bound`` whether it
    starts with a bound noun (것, 수, 등); ``noun`` whether the stem is a noun
    a term can be (mecab's nouns, also of one syllable: 칩, 답; by rules, stems
    of two syllables or more).
    """

    text: str
    start: int
    end: int
    stem: str
    parts: tuple[tuple[int, int], ...]
    ending: str
    final: str
    pred: bool
    bound: bool
    noun: bool = False

    @property
    def stem_end(self) -> int:
        return self.start + len(self.stem)


def ko_words(text: str, rules: bool = False) -> list[KoWord]:
    """The Korean words of ``text`` with their stems (by python-mecab-ko, or by rules
    when it is missing or ``rules=True``)."""
    spans = [(m.start(), m.end()) for m in _KO_WORD.finditer(text)]
    tagger = None if rules else _mecab()
    if tagger is None:
        return [_rule_word(text, s, e) for s, e in spans]
    morphs = [(m.span.start, m.span.end, m.surface, m.pos) for m in tagger.parse(text)]
    out, k = [], 0
    for s, e in spans:
        while k < len(morphs) and morphs[k][1] <= s:
            k += 1
        j = k
        mine = []
        while j < len(morphs) and morphs[j][0] < e:
            mine.append(morphs[j])
            j += 1
        out.append(_mecab_word(text, s, e, mine))
    return out


def _tag(pos: str) -> str:
    return pos.split("+")[0]


_LATIN_RUN = re.compile(r"[A-Za-z0-9]+(?:[-.&'][A-Za-z0-9]+)*")


def _merge_latin(text: str, s: int, e: int, morphs) -> list:
    """Morphemes with each Latin name (``DeepSeek-R1``, which mecab cuts in three) as one ``SL``."""
    out = list(morphs)
    for m in _LATIN_RUN.finditer(text, s, e):
        if not re.search(r"[A-Za-z]", m.group()):
            continue
        inside = [x for x in out if x[0] >= m.start() and x[1] <= m.end()]
        if len(inside) > 1:
            at = out.index(inside[0])
            out = [x for x in out if x not in inside]
            out.insert(at, (m.start(), m.end(), m.group(), "SL"))
    return out


def _mecab_word(text: str, s: int, e: int, morphs) -> KoWord:
    morphs = _merge_latin(text, s, e, [m for m in morphs if m[0] >= s and m[1] <= e] or morphs)
    parts: list[tuple[int, int]] = []
    stem_end = s
    bound = bool(morphs) and _tag(morphs[0][3]) == "NNB"
    i = 0
    while i < len(morphs) and not bound:
        ms, me, surf, pos = morphs[i]
        tag = _tag(pos)
        if tag not in _CONTENT_TAGS or (tag == "XSN" and surf == "들") or (tag == "XSN" and i == 0):
            break
        if tag == "XSN" and parts:
            parts[-1] = (parts[-1][0], me)  # 민주화: the suffix stays with its noun
        elif tag != "XSN" and tag != "XPN":
            parts.append((ms, me))
        stem_end = me
        i += 1
    stem = text[s:stem_end]
    rest = morphs[i:]
    tags = [_tag(m[3]) for m in rest]
    full = [m[3] for m in rest]
    pred = any(t.startswith(("V", "XSV", "XSA", "VCP")) for t in tags) or (
        not stem and any(t.startswith(("V", "E")) for t in tags)
    )
    final = _final(full[-1].split("+")[-1], rest[-1][2]) if rest else ""
    if not rest:
        ending = ""
    elif tags[0] in ("XSV", "XSA"):
        ending = "XSV"
    elif tags[0].startswith("J") or (tags[0] == "XSN" and rest[0][2] == "들"):
        ending = "JC" if final == "JC" else "J"
    else:
        ending = "E"
    if not stem:
        parts = []
    noun = bool(stem) and not bound and (len(stem) >= 2 or _tag(morphs[0][3]) in ("NNG", "NNP", "SL", "SN"))
    return KoWord(text[s:e], s, e, stem, tuple(parts) if len(parts) > 1 else (), ending, final, pred, bound, noun)


def _final(tag: str, surface: str) -> str:
    if tag == "JC" or (tag.startswith("J") and surface in ("과", "와")):
        return "JC"
    if tag.startswith("J"):
        return "J"
    if tag in ("EC", "ETM"):
        return tag
    return "E" if tag.startswith("E") else ""


# particles, longest first; one-syllable ones are stripped only from words of three syllables or more
_PARTICLES = sorted(
    "에서부터 으로부터 에게서 에서는 에서도 에서의 으로는 으로도 으로서 으로써 이라고 이라는 이라면 이었다 였다 "
    "에서 에게 에는 에도 에의 까지 부터 처럼 보다 마다 조차 밖에 으로 로서 로써 이나 이며 이고 이란 이다 "
    "과 와 을 를 이 가 은 는 의 에 도 만 로 나 들".split(),
    key=len,
    reverse=True,
)
_CONJ = ("과", "와")
# the endings of 하다 / 되다 / 시키다 after a noun: 촉진할, 제창하는, 적용시킬
_HADA = sorted(
    "하는 하고 하여 하며 하면 하기 하게 하지 한다 했다 하다 했던 하던 하려는 하였다 하였고 해서 하거나 하도록 "
    "하면서 하지만 해야 할 한 함 해 "
    "되는 되고 되어 된다 되었다 된 될 됨 돼 시키는 시키고 시켜 시킨 시킬 시킴 적인 적으로 적이 적".split(),
    key=len,
    reverse=True,
)
_BOUND = ("것", "수", "등", "때문", "데", "바", "뿐", "줄", "만큼")


def _rule_word(text: str, s: int, e: int) -> KoWord:
    w = text[s:e]
    latin = _LATIN_RUN.match(w)
    if latin and latin.end() == len(w) and re.search(r"[A-Za-z]", w):
        return KoWord(w, s, e, w, (), "", "", False, False, True)
    core = w
    ending = ""
    pred = False
    if latin and latin.end() < len(w) and w[latin.end() :] in _PARTICLES:  # X에, AI의
        return KoWord(
            w,
            s,
            e,
            latin.group(),
            (),
            "JC" if w[latin.end() :] in _CONJ else "J",
            "JC" if w[latin.end() :] in _CONJ else "J",
            False,
            False,
            True,
        )
    for h in _HADA:  # first: 제창하는 is 제창 + 하는, not 제창하 + 는
        rest = core[: -len(h)]
        if core.endswith(h) and len(rest) >= 2 and not h.startswith("적"):
            core, ending, pred = rest, "XSV", True
            break
        if core.endswith(h) and len(rest) >= 2 and h.startswith("적") and h != "적":
            core = rest + "적"
            ending = "J"
            break
    if not ending:
        for p in _PARTICLES:
            rest = core[: -len(p)]
            if core.endswith(p) and len(rest) >= (1 if len(p) > 1 else 2) and (len(p) > 1 or len(core) >= 3):
                core = rest
                ending = "JC" if p in _CONJ else "J"
                if core.endswith("들") and len(core) >= 3:  # 업체들이: the plural too
                    core = core[:-1]
                break
    if not ending and len(core) >= 2 and core.endswith(("다", "고")):
        pred = True  # a native verb (갈고, 다름없다), no noun stem; the rules take 최고 for one too
    bound = core in _BOUND or (w[:1] in ("것", "수", "데") and w[1:] in _PARTICLES)
    # Latin glued to Hangul (AI기술): the parts are the two scripts
    parts = []
    for m in re.finditer(r"[A-Za-z0-9]+|[\uac00-\ud7a3]+", core):
        parts.append((s + m.start(), s + m.end()))
    stem = "" if pred and ending != "XSV" else core
    if pred and ending != "XSV":
        ending = "E"
    if ending in ("J", "JC"):
        final = ending
    elif pred or ending == "XSV":
        final = "EC" if w.endswith(_EC_ENDS) else "ETM" if _adnominal(w[-1]) else "E"
    else:
        final = ""
    return KoWord(
        w,
        s,
        e,
        stem,
        tuple(parts) if len(parts) > 1 and stem else (),
        ending,
        final,
        pred,
        bound,
        bool(stem) and not bound and (len(stem) >= 2 or not _HANGUL_SYL.match(stem)),
    )


_EC_ENDS = ("고", "며", "서", "게", "지", "어", "아", "해", "여", "면")


def _adnominal(syllable: str) -> bool:
    """은/는/을/할/한/된/될...: a syllable ending in ㄴ or ㄹ (the adnominal endings)."""
    o = ord(syllable) - 0xAC00
    return 0 <= o < 11172 and o % 28 in (4, 8)


def compound_joints(text: str) -> set[int] | Literal[False]:
    """Offsets where a noun starts right after another noun inside a Korean word
    (선진|기술, 자원|장벽: not after a prefix such as 비- in 비공개), by
    python-mecab-ko; ``False`` without it."""
    tagger = _mecab()
    if tagger is None:
        return False
    out: set[int] = set()
    prev = None
    for m in tagger.parse(text):
        tag = _tag(m.pos)
        if (
            prev is not None
            and prev[0] == m.span.start
            and tag in ("NNG", "NNP", "SL")
            and prev[1] in ("NNG", "NNP", "SL", "XSN")
        ):
            out.add(m.span.start)
        prev = (m.span.end, tag)
    return out

"""Words of a sentence, per language: what the terminology checks count and look for.

- **Chinese**: jieba words with their word class (``jieba.posseg``). jieba is
  imported and its dictionary loaded on first use only, so a Korean- or
  English-only run never pays for it; :func:`jieba_seconds` tells how long the
  load took. Inside :func:`extra_words` the words given (glossary terms) are
  in jieba's dictionary, so each is cut as one word; the dictionary is put
  back as it was afterwards. bitext keeps its own jieba tokenizer: the
  caller's ``jieba.dt`` is never touched.
- **Korean**: words (runs of Hangul, Latin letters and digits; an *eojeol*
  without its punctuation) and their stems, the particles and endings after a
  noun stripped (``자원장벽을`` -> ``자원장벽``, ``촉진할`` -> ``촉진``). With
  python-mecab-ko installed (imported on first use) the stems come from its
  morphemes; without it from rules (a list of particles and of the endings of
  ``하다``). They live in :mod:`bitext.check.ko_words` (:class:`KoWord`,
  :func:`ko_words`, :func:`compound_joints`, :func:`mecab_available`).
- **Spaced languages** (English, German, ...): words and word n-grams, case-folded.
- Other unspaced scripts (Japanese): runs of one script.

:func:`term_units` lists the candidate terms of a text (what the term
extraction pairs up); :class:`Finder` tells where a term occurs in a text by
the same conventions (a Chinese term on jieba's word boundaries, a Korean one
at the start of a word with anything after it, a spaced one on word
boundaries).
"""

from __future__ import annotations

import logging
import re
import time
import unicodedata
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Literal

from .ko_words import compound_joints, ko_words

__all__ = [
    "Token",
    "Unit",
    "Finder",
    "TERM_CLASSES",
    "zh_tokens",
    "term_units",
    "extra_words",
    "jieba_seconds",
    "general_probability",
    "spaced",
    "norm_key",
    "lang_base",
]

TERM_CLASSES = frozenset({"n", "nr", "nrfg", "nrt", "ns", "nt", "nz", "eng"})
"""jieba's word classes for terms: nouns, person names, places, organisations,
other proper nouns, English words."""

# classes that may start or sit inside a Chinese multi-word term (算力/n 资源/n, 新/a 路径/n)
_ZH_INNER = TERM_CLASSES | {"vn", "a", "j", "b", "an", "nl", "ng", "l", "s"}
# single words that are candidate terms beyond the term classes (verbs: see bitext.terms, which
# keeps those that recur: 开放 and 创新 are terms of an editorial on openness, 希望 is not)
_ZH_SINGLE = TERM_CLASSES | {"vn", "j", "nl", "i", "v"}

# jieba's classes of function words (particles, prepositions, conjunctions, punctuation ...)
_FUNCTION = frozenset("x uj ul uz ug uv ud u c p y e o r d m q f".split())
_UNSPACED = frozenset({"zh", "ja", "ko", "th", "lo", "km", "my", "bo"})
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_HANGUL_SYL = re.compile(r"[\uac00-\ud7a3]")
_LATIN_NAME = re.compile(r"[A-Za-z0-9]+(?:[-_.&'’][A-Za-z0-9]+)*\Z")
_SPACE = re.compile(r"\s+")
_POSSESSIVE = re.compile(r"['’]s\Z")


def spaced(lang: str | None) -> bool:
    """Whether the language separates its words with spaces (Korean does, by eojeol, but
    its words carry particles: it has its own rules here)."""
    return lang_base(lang) not in _UNSPACED


def lang_base(lang: str | None) -> str:
    """The language code without its region: ``zh-CN`` -> ``zh``."""
    return (lang or "").split("-")[0].lower()


def norm_key(text: str, lang: str | None) -> str:
    """The form terms are compared in: NFKC; spaces dropped in Chinese, Japanese and
    Korean (Korean spacing varies: 국가급, 국가 급); case-folded in spaced languages."""
    t = unicodedata.normalize("NFKC", text).strip()
    if spaced(lang):
        return _POSSESSIVE.sub("", _SPACE.sub(" ", t.casefold()))
    return _SPACE.sub("", t)


# --------------------------------------------------------------------------
# Chinese: jieba, lazily

_JIEBA: dict = {}


def _jieba():
    """bitext's own jieba POS tokenizer (loaded on first use)."""
    if "pos" not in _JIEBA:
        t0 = time.perf_counter()
        import jieba
        import jieba.posseg

        log = logging.getLogger("jieba")
        level = log.level
        log.setLevel(logging.WARNING)  # jieba announces its dictionary load on stderr
        try:
            tk = jieba.Tokenizer()
            tk.initialize()
            pos = jieba.posseg.POSTokenizer(tk)
        finally:
            log.setLevel(level)
        _JIEBA.update(pos=pos, tokenizer=tk, seconds=time.perf_counter() - t0)
    return _JIEBA["pos"]


def jieba_seconds() -> float | None:
    """Seconds jieba took to import and load its dictionary (None while it is not loaded)."""
    return _JIEBA.get("seconds")


_ABSENT = object()


@contextmanager
def extra_words(words):
    """Within the block, each of ``words`` that holds a Chinese character is one
    word to jieba (``add_word``, class ``nz`` unless jieba knows it); the
    dictionary is restored afterwards."""
    words = sorted({w for w in words if w and _HAN.search(w)})
    if not words:
        yield
        return
    pos = _jieba()
    tk = pos.tokenizer
    saved_freq: dict = {}
    saved_tag: dict = {}
    total = tk.total
    for w in words:
        for i in range(1, len(w) + 1):
            saved_freq.setdefault(w[:i], tk.FREQ.get(w[:i], _ABSENT))
        saved_tag.setdefault(w, pos.word_tag_tab.get(w, _ABSENT))
        tk.add_word(w, tag=pos.word_tag_tab.get(w) or "nz")
    pos.makesure_userdict_loaded()
    try:
        yield
    finally:
        for k, v in saved_freq.items():
            if v is _ABSENT:
                tk.FREQ.pop(k, None)
            else:
                tk.FREQ[k] = v
        for k, v in saved_tag.items():
            if v is _ABSENT:
                pos.word_tag_tab.pop(k, None)
            else:
                pos.word_tag_tab[k] = v
        tk.total = total


def general_probability(word: str) -> float:
    """jieba's estimate of how often ``word`` occurs in general Chinese text: its
    dictionary frequency, or the product of its pieces' frequencies (as jieba's
    ``suggest_freq`` reckons), over the dictionary's total. Names and new terms
    (汪淼, 资源门槛) come out rare, everyday words (中国, 小时) common."""
    tk = _jieba().tokenizer
    total = float(tk.total)
    p = 1.0
    for seg in tk.cut(word, HMM=False):
        p *= max(tk.FREQ.get(seg, 0), 1) / total
    return max(tk.FREQ.get(word, 0) / total, p)


@dataclass(frozen=True)
class Token:
    """A word of a text: its text, word class and character offsets."""

    text: str
    tag: str
    start: int
    end: int


def zh_tokens(text: str, hmm: bool = True) -> list[Token]:
    """jieba's words of ``text`` with their classes; Latin names (``DeepSeek-R1``) and
    names joined by a middle dot (``马克·安德森``) are one word each. ``hmm=False``: words of
    jieba's dictionary only (ten times faster; unknown words come out a character each)."""
    raw: list[Token] = []
    pos = 0
    for pair in _jieba().cut(text, HMM=hmm):
        w = pair.word
        raw.append(Token(w, pair.flag, pos, pos + len(w)))
        pos += len(w)
    out: list[Token] = []
    for t in raw:
        prev = out[-1] if out else None
        if prev is not None and prev.end == t.start:
            joined = prev.text + t.text
            if (
                _LATIN_NAME.match(joined)
                and (prev.tag in ("eng", "m", "x") or t.tag in ("eng", "m"))
                and re.search(r"[A-Za-z]", joined)
                and not joined.endswith(("-", ".", "'"))
            ):
                out[-1] = Token(joined, "eng", prev.start, t.end)
                continue
            if (
                prev.text in "-."
                and len(out) >= 2
                and out[-2].tag == "eng"
                and out[-2].end == prev.start
                and _LATIN_NAME.match(out[-2].text + joined)
            ):
                out[-2:] = [Token(out[-2].text + joined, "eng", out[-2].start, t.end)]
                continue
            if t.tag.startswith("nr") and len(out) >= 2 and prev.text in "·•・" and out[-2].tag.startswith("nr"):
                out[-2:] = [Token(out[-2].text + joined, "nr", out[-2].start, t.end)]
                continue
        out.append(t)
    return out


# --------------------------------------------------------------------------
# candidate terms


@dataclass(frozen=True)
class Unit:
    """A candidate term in a text: its text as written, the key it is counted
    by (:func:`norm_key`), its character offsets and its class (a jieba word
    class for Chinese; ``"ko"`` for a Korean stem, ``"ko-part"`` for a noun
    inside a Korean compound; ``"w"`` for a word or n-gram elsewhere)."""

    text: str
    key: str
    start: int
    end: int
    tag: str


# a small English stop list; other spaced languages rely on document frequency
_STOP_EN = frozenset(
    """a an the and or but nor of in on at to for from by with without into onto over under about as than then
    that this these those there here it its it's he him his she her hers they them their theirs we us our you your
    i me my mine who whom whose which what when where why how is are was were be been being am do does did done
    have has had having not no yes so if because while though although also too very can could would should will
    shall may might must just only even still yet all any some each every both either neither such more most less
    least much many few one ones up down out off again once own same other another ever never now s t d ll re ve
    said says say like get got go went come came see saw know knew make made upon whether himself herself itself
    themselves myself yourself ourselves""".split()
)
_SPACED_WORD = re.compile(r"[^\W\d_][\w]*(?:[-'’][^\W\d_][\w]*)*|\d+(?:[.,]\d+)*[A-Za-z]*")
_CLAUSE_BREAK = re.compile(r"[,.;:!?()\[\]{}\"“”‘’«»—–/]|\s['’]|['’]\s")


def term_units(text: str, lang: str | None, *, max_words: int | None = None, rules: bool = False) -> list[Unit]:
    """The candidate terms of ``text``: words of the term classes and runs of up to
    ``max_words`` words (default 3, 4 in spaced languages) (Chinese: jieba words; Korean: stems, nouns inside
    compounds and runs of bare nouns such as ``컴퓨팅 자원``; spaced
    languages: words and n-grams without a stop word at either end)."""
    b = lang_base(lang)
    if b == "zh":
        return _zh_units(text, max_words or 3)
    if b == "ko":
        return _ko_units(text, max_words or 3, rules)
    if spaced(lang):
        return _spaced_units(text, lang, max_words or 4)  # Chinese Academy of Sciences
    return _script_units(text, lang)


def _zh_units(text: str, max_words: int) -> list[Unit]:
    toks = zh_tokens(text)
    out = []
    for i, t in enumerate(toks):
        if t.tag in _ZH_SINGLE and (len(t.text) >= 2 or t.tag == "eng" or t.tag == "nz"):
            out.append(Unit(t.text, norm_key(t.text, "zh"), t.start, t.end, t.tag))
        if t.tag not in _ZH_INNER or not _zh_part(t):
            continue
        j = i
        while j + 1 < len(toks) and j - i + 1 < max_words:
            nxt = toks[j + 1]
            # jieba cuts unknown names (叶文洁 -> 叶文 洁): a character after a name joins it
            given = (
                toks[j].tag.startswith("nr")
                and len(nxt.text) == 1
                and _HAN.match(nxt.text)
                and nxt.tag not in _FUNCTION
                and len(toks[j].text) + 1 <= 4
            )
            if nxt.start != toks[j].end or not (given or (nxt.tag in _ZH_INNER and _zh_part(nxt))):
                break
            j += 1
            if nxt.tag in TERM_CLASSES or nxt.tag in ("vn", "j") or given:
                s = text[t.start : nxt.end]
                if len(s) <= 10:
                    out.append(Unit(s, norm_key(s, "zh"), t.start, nxt.end, "ngram"))
    return out


def _zh_part(t: Token) -> bool:
    """A word that can be part of a Chinese multi-word term: two characters or more, Latin, or a name."""
    return len(t.text) >= 2 or t.tag == "eng" or t.tag.startswith("nr")


def _ko_units(text: str, max_words: int, rules: bool) -> list[Unit]:
    words = ko_words(text, rules)
    out = []
    for i, w in enumerate(words):
        if not w.stem or w.bound:
            continue
        if w.noun:
            out.append(Unit(w.stem, norm_key(w.stem, "ko"), w.start, w.stem_end, "ko"))
        for a in range(len(w.parts)):  # nouns inside a compound, and runs of them
            for z in range(a, len(w.parts)):
                if a == 0 and z == len(w.parts) - 1:
                    continue
                s, e = w.parts[a][0], w.parts[z][1]
                sub = text[s:e]
                if len(sub) >= 2 or not _HANGUL_SYL.match(sub):
                    out.append(Unit(sub, norm_key(sub, "ko"), s, e, "ko-part"))
        # runs of bare nouns: 컴퓨팅 자원(의), 정치적 장벽
        j = i
        while j + 1 < len(words) and j - i + 1 < max_words:
            cur, nxt = words[j], words[j + 1]
            gap = text[cur.end : nxt.start]
            if cur.ending or not cur.stem or cur.bound or gap.strip() or not nxt.stem or nxt.bound:
                break
            j += 1
            run = text[w.start : nxt.stem_end]
            out.append(Unit(run, norm_key(run, "ko"), w.start, nxt.stem_end, "ko"))
    return out


def _spaced_units(text: str, lang: str | None, max_words: int) -> list[Unit]:
    stop = _STOP_EN if lang_base(lang) == "en" else frozenset()
    words = [m for m in _SPACED_WORD.finditer(text)]
    out = []
    for i, m in enumerate(words):
        w = m.group()
        k = norm_key(w, lang)
        if k in stop or k[0].isdigit():
            continue
        if len(k) >= 2:
            out.append(Unit(w, k, m.start(), m.end(), "w"))
        for j in range(i + 1, min(i + max_words, len(words))):
            if _CLAUSE_BREAK.search(text[words[j - 1].end() : words[j].start()]):
                break
            last = norm_key(words[j].group(), lang)
            if last in stop or last[0].isdigit():
                continue
            s = text[m.start() : words[j].end()]
            out.append(Unit(s, norm_key(s, lang), m.start(), words[j].end(), "w"))
    return out


_SCRIPT_RUN = re.compile(
    r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff々]+|[\u30a0-\u30ffー]+|[A-Za-z][A-Za-z0-9\-]*|"
    r"[\uac00-\ud7a3]+"
)


def _script_units(text: str, lang: str | None) -> list[Unit]:
    return [
        Unit(m.group(), norm_key(m.group(), lang), m.start(), m.end(), "run")
        for m in _SCRIPT_RUN.finditer(text)
        if len(m.group()) >= 2
    ]


# --------------------------------------------------------------------------
# finding a term


class Finder:
    """Where terms occur in one text, by the conventions of its language.

    - Chinese: the term on jieba's word boundaries (inside :func:`extra_words`
      for the terms, each is one word);
    - Korean: at the start of a word (after a space, punctuation or another
      script) or of a noun inside a compound (:func:`compound_joints`), with
      anything after it (particles, endings, the rest of a compound), spaces
      ignored: ``자원장벽`` is found in ``자원장벽을``, ``기술`` in ``선진기술``
      and ``국가 급`` in ``국가급``;
    - spaced languages: on word boundaries, case-folded, the last word
      optionally with ``s``, ``es`` or ``'s``;
    - other languages: anywhere.
    """

    def __init__(self, text: str, lang: str | None):
        self.lang = lang
        self.base = lang_base(lang)
        self.text = unicodedata.normalize("NFKC", text)
        if self.base in ("zh", "ko", "ja") or not spaced(lang):
            # spaceless copy and the offsets of its characters in the text
            self._idx = [i for i, c in enumerate(self.text) if not c.isspace()]
            self._flat = "".join(self.text[i] for i in self._idx)
        self._bounds: set[int] | None = None  # Chinese word boundaries, found when first asked
        self._joints: set[int] | Literal[False] | None = None  # Korean compound joints, likewise

    def find(self, term: str) -> list[tuple[int, int]]:
        """``(start, end)`` offsets (in the NFKC text) of each occurrence of ``term``."""
        key = norm_key(term, self.lang)
        if not key:
            return []
        if spaced(self.lang) and self.base != "ko":
            pat = r"(?<!\w)" + r"\s+".join(re.escape(p) for p in key.split(" ")) + r"(?:e?s|['’]s)?(?!\w)"
            return [(m.start(), m.end()) for m in re.finditer(pat, self.text.casefold())]
        flat_key = _SPACE.sub("", unicodedata.normalize("NFKC", term))
        out = []
        at = self._flat.find(flat_key)
        while at >= 0:
            s, e = self._idx[at], self._idx[at + len(flat_key) - 1] + 1
            if self._starts_word(s, e) and self._on_boundaries(s, e):
                out.append((s, e))
            at = self._flat.find(flat_key, at + 1)
        return out

    def _starts_word(self, s: int, e: int) -> bool:
        if self.base != "ko" or s == 0:
            return True
        prev, cur = self.text[s - 1], self.text[s]
        if not _HANGUL_SYL.match(cur):
            return not (cur.isalnum() and prev.isalnum() and not _HANGUL_SYL.match(prev))
        if not _HANGUL_SYL.match(prev):
            return True
        # inside a word, and not running on past its end: where a compound's noun starts
        # (기술 in 선진기술, not 공개 in 비공개); without mecab, any rendering of two syllables or more
        if any(c.isspace() for c in self.text[s:e]):
            return False
        if self._joints is None:
            self._joints = compound_joints(self.text)
        return s in self._joints if self._joints is not False else e - s >= 2

    def _on_boundaries(self, s: int, e: int) -> bool:
        if self.base != "zh" or not _HAN.search(self.text[s:e]):
            return True
        if self._bounds is None:
            toks = zh_tokens(self.text)
            self._bounds = {t.start for t in toks} | {t.end for t in toks}
        return s in self._bounds and e in self._bounds

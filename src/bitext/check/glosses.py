"""Translator's glosses in a Korean text: ``자원장벽(资源门槛)``, the original after its rendering.

Korean translators of Chinese write the original in brackets after their
rendering; :func:`find_glosses` finds each such bracket whose content is in
the bead's other side, and the Korean words it glosses (the span's rules are
in its docstring). A bracket with another rendering instead
(``자료공개(오픈소스, Open Source)``) makes that a synonym of the word.
Term extraction (:mod:`bitext.terms`) takes them as its strongest evidence.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from .ko_words import ko_words
from .words import lang_base, zh_tokens

__all__ = ["Gloss", "find_glosses"]

_BRACKET = re.compile(r"[(（]\s*([^()（）\n]{1,160}?)\s*[)）]")
_QUOTE_MARKS = "'\"‘’“”″`"
_CLOSERS = {">": "<", "》": "《", "」": "「", "』": "『", "〉": "〈", "】": "【", "]": "["}
_SEPARATOR = re.compile(r"-+>|→|—|–|·|、|,|，|/|~")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_HANGUL = re.compile(r"[\uac00-\ud7a3]")
_LATIN = re.compile(r"[A-Za-z]")
_FUNCTION_TAGS = frozenset("x uj ul uz ug uv ud u c p y e o".split())


@dataclass(frozen=True)
class Gloss:
    """A gloss in a Korean text: ``term`` in brackets after the words ``rendering`` at
    ``start:end`` (particles stripped). ``synonym``: the bracket holds another
    rendering of the same word (``자료공개(오픈소스)``), not the other side's words."""

    term: str
    rendering: str
    start: int
    end: int
    synonym: bool = False


def _script_of(lang: str | None):
    b = lang_base(lang)
    if b in ("zh", "ja"):
        return _HAN
    if b == "ko":
        return _HANGUL
    return _LATIN


def find_glosses(
    text: str, other: str, lang: str = "ko", other_lang: str = "zh", sim=None, rules: bool = False
) -> list[Gloss]:
    """The glosses of a Korean ``text`` whose other side (its bead's source) is ``other``.

    A bracket is a gloss when its content holds the other side's script and
    is found verbatim in ``other`` (case-folded), but not in brackets there (a
    bracket both sides have, such as ``(AI)``, is copied, not glossed). The
    rendering is the span before the bracket:

    - a quotation or title that closes right before the bracket
      (``<...>(关于...声明)``), or one the bracket closes (``‘해자(护城河)’``):
      its content, from the last separator inside (``-->``, ``—``, ``·``, a comma);
    - else the word the bracket is glued to, cut to the Sino-Korean reading
      of the gloss when the word ends with it (``시장구동(驱动)`` -> 구동); a
      bound noun and copula (``것이라고``) is skipped; extended to the left
      over ``-ㄹ 수 있다`` (짐작할 수가 있다), a verb joined by a connective
      ending (갈고 닦을), nouns joined by 과/와 while the gloss has more words
      (개방과 공용), and a bare noun (컴퓨팅 자원) when ``sim(gloss, [span,
      longer span])`` says the longer span is closer (or, without ``sim``,
      when it ends in 적: 정치적 장벽);
    - the particles after the last noun are stripped, and a one-word span
      that is a noun made a verb (촉진할, 제창하는) is cut to the noun.

    Brackets holding Korean or Latin text not found in ``other`` are synonyms
    of the noun they are glued to. Only Korean text has glosses (``[]`` otherwise).
    ``rules``: Korean words by rules even with python-mecab-ko installed.
    """
    if lang_base(lang) != "ko":
        return []
    script = _script_of(other_lang)
    other_n = unicodedata.normalize("NFKC", other)
    other_fold = other_n.casefold()
    words = None
    out: list[Gloss] = []
    for m in _BRACKET.finditer(text):
        content = m.group(1).strip()
        cn = unicodedata.normalize("NFKC", content)
        if not cn:
            continue
        if words is None:
            words = ko_words(text, rules)
        if script.search(cn) and cn.casefold() in other_fold:
            if f"({cn})".casefold() in other_fold or f"（{cn}）".casefold() in other_fold:
                continue  # the same bracket on both sides: copied, not a gloss
            span = _gloss_span(text, m, cn, words, other_lang, sim)
            if span:
                s, e = span
                out.append(Gloss(cn, _clean(text[s:e]), s, e))
        elif not _HAN.search(cn) and (_HANGUL.search(cn) or _LATIN.search(cn)) and cn.casefold() not in other_fold:
            w = next((w for w in words if w.end == m.start()), None)
            if w is None or not w.stem or len(w.stem) < 2:
                continue
            for part in re.split(r"\s*[,，、/;]\s*", cn):
                if part and part != w.stem:
                    out.append(Gloss(part, w.stem, w.start, w.stem_end, synonym=True))
    return out


def _clean(s: str) -> str:
    return " ".join(s.split())


def _gloss_words(gloss: str, lang: str | None) -> int:
    """How many content words the gloss has (jieba words for Chinese; else Han runs / words)."""
    if lang_base(lang) == "zh" and _HAN.search(gloss):
        # 降本增效 is one word to jieba but two to a translator (비용절감과 효율성증대): two characters a word at least
        words = sum(1 for t in zh_tokens(gloss) if t.tag not in _FUNCTION_TAGS)
        return max(1, words, len(_HAN.findall(gloss)) // 2)
    return max(1, len(re.findall(r"\w+", gloss)))


def _gloss_span(text: str, m: re.Match, gloss: str, words, other_lang, sim) -> tuple[int, int] | None:
    at = m.start()
    j = at - 1 if at > 0 and text[at - 1] == " " else at
    if j == 0:
        return None
    before = text[j - 1]
    if before in _CLOSERS or before in _QUOTE_MARKS:  # <title>(gloss), ‘quote’(gloss)
        opener = _opening(text, j - 1)
        if opener is None:
            return None
        return _strip_span(text, opener + 1, j - 1)
    k = next((i for i, w in enumerate(words) if w.end == j), None)
    if k is None:
        return None
    w = words[k]
    reading = _reading_suffix(text[w.start : j], gloss)
    if reading:
        return j - reading, j
    after = text[m.end()] if m.end() < len(text) else ""
    if after in _QUOTE_MARKS:  # ‘어리석은 ... 황당무계함(痴人说梦)’: the quotation, from its last separator
        q = _open_quote(text, w.start, after)
        if q is not None:
            seps = list(_SEPARATOR.finditer(text, q + 1, j))
            start = seps[-1].end() if seps else q + 1
            return _strip_span(text, start, j)
    if w.bound and k > 0 and not text[words[k - 1].end : w.start].strip():
        k -= 1  # 적용시킬 것이라고(上架): the bound noun and copula are grammar
    first = k
    n_words = _gloss_words(gloss, other_lang)
    serial = False
    while first > 0:
        cur, prev = words[first], words[first - 1]
        if text[prev.end : cur.start].strip():
            break
        if (
            cur.pred
            and not cur.stem
            and cur.text[:1] in ("있", "없")
            and prev.bound
            and prev.text[:1] == "수"
            and first >= 2
            and words[first - 2].final == "ETM"
            and not text[words[first - 2].end : prev.start].strip()
        ):
            first -= 2  # 짐작할 수가 있다
            continue
        if prev.final == "EC" and prev.pred and not serial:
            first -= 1  # 갈고 닦을, 조정해 적용시킬
            serial = True
            continue
        if prev.final == "JC" and prev.stem and k - first + 1 < n_words:
            first -= 1  # 개방과 공용, 비용절감과 효율성증대
            continue
        if not prev.ending and prev.stem and not prev.bound and cur.stem and _HANGUL.search(prev.stem):
            end = _span_end(words, first, k)
            if sim is not None:
                near, far = text[cur.start : end], text[prev.start : end]
                longer = sim(gloss, [near, far])
                take = longer[1] > longer[0]
            else:
                take = prev.stem.endswith("적")
            if take:
                first -= 1
                continue
        break
    return words[first].start, words[k].end if serial else _span_end(words, first, k)


def _span_end(words, first: int, last: int) -> int:
    """Where the span of ``words[first..last]`` ends: the last word's noun without its
    particles, or the whole word (a predicate, or a noun made a verb in a span of several words)."""
    w = words[last]
    if w.stem and (not w.pred or (w.ending == "XSV" and first == last)):
        return w.stem_end
    return w.end


def _strip_span(text: str, s: int, e: int) -> tuple[int, int] | None:
    while s < e and (text[s].isspace() or text[s] in _QUOTE_MARKS or text[s] in "<《「『〈【[-—>"):
        s += 1
    while e > s and (text[e - 1].isspace() or text[e - 1] in _QUOTE_MARKS):
        e -= 1
    return (s, e) if e > s else None


def _opening(text: str, close_at: int) -> int | None:
    """The opening mark of the quotation or title closed at ``close_at`` (same line, 200 characters at most)."""
    c = text[close_at]
    lo = max(0, close_at - 200)
    if c in _CLOSERS:
        i = text.rfind(_CLOSERS[c], lo, close_at)
        return i if i >= 0 and "\n" not in text[i:close_at] else None
    for i in range(close_at - 1, lo - 1, -1):
        if text[i] in _QUOTE_MARKS:
            return i
        if text[i] == "\n":
            return None
    return None


def _open_quote(text: str, before: int, close: str) -> int | None:
    """The quotation mark that opens the quotation a mark after the gloss closes, if no
    other mark lies between (translators mix ' ‘ ’ freely, so any mark opens)."""
    for i in range(before - 1, max(-1, before - 120), -1):
        ch = text[i]
        if ch in _QUOTE_MARKS:
            return i
        if ch in "\n.!?;:(（)）":
            return None
    return None


def _reading_suffix(word: str, gloss: str) -> int:
    """Length of the tail of ``word`` that spells the Sino-Korean reading of ``gloss``
    when it is shorter than the word (시장구동 ends with 驱动's 구동), else 0."""
    han = "".join(_HAN.findall(gloss))
    if not han or han != gloss or not _HANGUL.fullmatch(word[-1:] or " "):
        return 0
    from .sinokorean import syllable_options

    opts = syllable_options(han)
    tail = syllable_options(word[-len(han) :]) if len(word) > len(han) else None
    if tail and all(t & o for t, o in zip(tail, opts)):
        return len(han)
    return 0

"""Suspect pairs: numbers and Latin-script names that one side of a bead has and the other lacks.

>>> compare_pair("包括中国在内的60多个签署方", "중국을 포함한 70여 개 서명국이")["numbers"]
(['60'], ['70'])

:func:`extract_numbers` reads the numbers of a text (digits with thousands
separators and decimals as its language writes them, Chinese and Korean
units, scale words, Chinese and Sino-Korean numerals); :func:`extract_names`
its Latin-script words, apart from the glosses in brackets; :func:`compare_pair`
the numbers and names found on one side of a pair only, a name counting as
found when the other side writes it in Hangul (미스트랄 for Mistral).
:func:`bitext.check.coverage.coverage` reports the beads where it finds any as
suspect pairs.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections import Counter

from .phonetics import skeleton  # consonant skeletons: 미스트랄 sounds like Mistral

__all__ = ["extract_numbers", "extract_names", "compare_pair", "latin_script", "common_names"]


# --------------------------------------------------------------------------
# numbers

_HAN_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "兩": 2,
    "俩": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_HAN_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
_BIG_UNITS = {"万": 10**4, "萬": 10**4, "亿": 10**8, "億": 10**8, "兆": 10**12, "만": 10**4, "억": 10**8, "조": 10**12}
_SMALL_UNITS = {"十": 10, "百": 100, "千": 1000, "십": 10, "백": 100, "천": 1000}
_KO_DIGITS = {"영": 0, "공": 0, "일": 1, "이": 2, "삼": 3, "사": 4, "오": 5, "육": 6, "칠": 7, "팔": 8, "구": 9}
_KO_UNITS = {"십": 10, "백": 100, "천": 1000}

# a number: digits with optional thousands groups and decimals, not glued to Latin letters
_NUM = re.compile(r"(?<![A-Za-z0-9.,])(?<![A-Za-z]-)(\d+(?:[.,]\d+)*)(?![A-Za-z0-9])")
_UNIT_AFTER = re.compile(r"\s?([十百千万萬亿億兆십백천만억조]+)")
_SCALE_AFTER = re.compile(
    r"\s(thousand|million|billion|trillion|Tausend|Millionen|Million|Milliarden|Milliarde|Billionen|Billion"
    r"|mille|millions?|milliards?|billions?)\b"
)
_SCALES = {
    "thousand": 10**3,
    "tausend": 10**3,
    "mille": 10**3,
    "million": 10**6,
    "millions": 10**6,
    "millionen": 10**6,
    "billion": 10**9,
    "billions": 10**9,
    "milliarde": 10**9,
    "milliarden": 10**9,
    "milliard": 10**9,
    "milliards": 10**9,
    "trillion": 10**12,
}
# 2 500 with a (narrow) no-break or thin space: one number (NFKC turns them into spaces,
# so only groups of exactly three digits after a 1-3 digit head are joined)
_SPACE_GROUPS = re.compile(r"(?<![\d.,])\d{1,3}(?:[\u00a0\u202f\u2009 ]\d{3})+(?![\d.,]?\d)")
# 5cm, 3.5kg, 9m: a number and a unit symbol (but 7B, 5G, R1 are names)
_UNIT_GLUED = re.compile(
    r"(\d)(cm|mm|km|nm|kg|mg|ml|kb|mb|gb|tb|kw|mw|gw|kwh|hz|khz|mhz|ghz|am|pm|m|g|s|h|K)(?![A-Za-z])",
)
_DIGIT = re.compile(r"\d")
_CLOCK = re.compile(r"(?<![\d.,])(\d{1,2}) ?h ?(\d{2})(?![\d.,]?\d)")
_HAN_NUM = re.compile(r"[零〇一二两兩俩三四五六七八九十拾百佰千仟万萬亿億]+")
_KO_NUM = re.compile(r"[영공일이삼사오육칠팔구]?(?:[십백천][일이삼사오육칠팔구]?)+")


# languages that write 3,5 for 3.5 and 1.000 for 1000
_COMMA_DECIMAL = frozenset(
    "de fr es it pt nl ru uk pl cs sk sl hr sr bg ro hu sv da no nb nn fi et lv lt tr el id vi".split()
)


def _parse_digits(tok: str, comma_decimal: bool = False) -> float | None:
    """``1,000`` -> 1000 and ``3.5`` -> 3.5 (``1.000`` -> 1000 and ``3,5`` -> 3.5
    with ``comma_decimal``); a lone separator that cannot group thousands is a decimal point."""
    parts = re.split(r"[.,]", tok)
    if len(parts) == 1:
        return float(tok)
    seps = re.findall(r"[.,]", tok)
    thou, dec = (".", ",") if comma_decimal else (",", ".")
    grouped = 1 <= len(parts[0]) <= 3 and parts[0] != "0"
    if grouped and all(sp == thou for sp in seps) and all(len(p) == 3 for p in parts[1:]):
        return float("".join(parts))
    if (
        seps[-1] == dec
        and all(sp == thou for sp in seps[:-1])
        and (len(parts) == 2 or (grouped and all(len(p) == 3 for p in parts[1:-1])))
    ):
        return float("".join(parts[:-1]) + "." + parts[-1])
    if len(parts) == 2:  # 1,5 in English, 2.5 in German: still one number
        return float(parts[0] + "." + parts[1])
    return None


def _fmt_value(v: float) -> str:
    if v == int(v):
        return str(int(v))
    return f"{v:g}"


def _unit_value(units: str) -> int:
    val = 1
    for u in units:
        val *= _BIG_UNITS.get(u) or _SMALL_UNITS.get(u, 1)
    return val


def _han_value(s: str) -> int | None:
    """Value of a Chinese numeral (``一百八十`` -> 180, ``六十`` -> 60, ``两千万`` -> 2e7)."""
    total, section, digit = 0, 0, None
    for ch in s:
        if ch in _HAN_DIGITS:
            if digit is not None:  # digit by digit, as in 二〇二五
                digit = digit * 10 + _HAN_DIGITS[ch]
            else:
                digit = _HAN_DIGITS[ch]
        elif ch in _HAN_UNITS:
            section += (1 if digit is None else digit) * _HAN_UNITS[ch]
            digit = None
        elif ch in _BIG_UNITS:
            section += digit or 0
            total += max(section, 1) * _BIG_UNITS[ch]
            section, digit = 0, None
    section += digit or 0
    out = total + section
    return out if out or "零" in s or "〇" in s else None


def _ko_value(s: str) -> int | None:
    total, digit = 0, None
    for ch in s:
        if ch in _KO_DIGITS:
            digit = _KO_DIGITS[ch]
        elif ch in _KO_UNITS:
            total += (1 if digit is None else digit) * _KO_UNITS[ch]
            digit = None
    total += digit or 0
    return total or None


def extract_numbers(text: str, lang: str | None = None) -> tuple[Counter, set[float]]:
    """Numbers written with digits (a multiset of values) and numbers written in words.

    Full-width digits count as digits; a unit character after the digits
    multiplies them (``3万``, ``3만`` -> 30000), consecutive groups add up
    (``1억 5000만``). Digits glued to Latin letters (``R1``, ``GPT-4``, ``7B``)
    belong to names, not numbers. The second result holds the values of
    Chinese numerals (``六十``, ``十几``) and Sino-Korean numerals with a unit
    (``십이``, ``삼십``): they can explain a number written in digits on the
    other side but never raise a suspect themselves. ``lang``: with a
    language that writes decimal commas (``de``, ``fr`` ...), ``1.000`` is a
    thousand and ``3,5`` three and a half; otherwise ``1,000`` and ``3.5``.
    """
    t = unicodedata.normalize("NFKC", text)
    return _digit_numbers(t, lang), _numbers_in_words(t)


def _digit_numbers(t: str, lang: str | None) -> Counter:
    """The numbers written with digits in the NFKC text ``t`` (see :func:`extract_numbers`)."""
    if _DIGIT.search(t) is None:
        return Counter()
    comma = (lang or "").split("-")[0].lower() in _COMMA_DECIMAL
    t = _SPACE_GROUPS.sub(lambda m: re.sub(r"[\u00a0\u202f\u2009 ]", "", m.group()), t)
    t = _CLOCK.sub(r"\1.\2", t)  # 4 h 45 (French) is 4.45 (German: 4.45 Uhr)
    t = _UNIT_GLUED.sub(r"\1 \2", t)
    hard: Counter = Counter()
    matches = list(_NUM.finditer(t))
    i = 0
    while i < len(matches):
        m = matches[i]
        v = _parse_digits(m.group(1), comma)
        if v is None:
            i += 1
            continue
        end = m.end()
        u = _UNIT_AFTER.match(t, end)
        sc = _SCALE_AFTER.match(t, end)
        if sc:
            word = sc.group(1)
            # German Billion(en) is 10**12; English billion is 10**9
            v *= 10**12 if word in ("Billion", "Billionen") else _SCALES[word.lower()]
        elif u:
            v *= _unit_value(u.group(1))
            end = u.end()
            # 1억 5000만: a following group with a smaller unit adds up
            while i + 1 < len(matches):
                nxt = matches[i + 1]
                if t[end : nxt.start()].strip():
                    break
                u2 = _UNIT_AFTER.match(t, nxt.end())
                v2 = _parse_digits(nxt.group(1), comma)
                if not u2 or v2 is None or _unit_value(u2.group(1)) >= _unit_value(u.group(1)):
                    break
                v += v2 * _unit_value(u2.group(1))
                end, u = u2.end(), u2
                i += 1
        hard[v] += 1
        i += 1
    return hard


def _numbers_in_words(t: str) -> set[float]:
    """The values of the numbers the NFKC text ``t`` writes in words (see :func:`extract_numbers`)."""
    soft: set[float] = set()
    for m in _HAN_NUM.finditer(t):
        val = _han_value(m.group())
        if val is not None:
            soft.add(float(val))
            # 十几 / 几十: "ten-odd" explains 10..19; 六十多 explains 60
    for m in _KO_NUM.finditer(t):
        if not any(c in m.group() for c in _KO_UNITS):
            continue
        val = _ko_value(m.group())
        if val is not None:
            soft.add(float(val))
    soft |= {float(v) for v in _word_numbers(t)}
    return soft


# numbers written in words (English, German, French; native Korean): they explain a number in digits on the
# other side (fünf Uhr, 5 heures; dix-huit heures, 18.00 Uhr; Ninety-two hours, 92小时; 서른, 30)
_NUMBER_WORDS = {
    # English
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
    "hundred": 100,
    "thousand": 1000,
    "dozen": 12,
    # German (compounds are cut into these: einundzwanzig, zweihundert)
    "eins": 1,
    "ein": 1,
    "eine": 1,
    "zwei": 2,
    "drei": 3,
    "vier": 4,
    "fünf": 5,
    "sechs": 6,
    "sieben": 7,
    "sieb": 7,
    "acht": 8,
    "neun": 9,
    "zehn": 10,
    "elf": 11,
    "zwölf": 12,
    "zwanzig": 20,
    "dreißig": 30,
    "dreissig": 30,
    "vierzig": 40,
    "fünfzig": 50,
    "sechzig": 60,
    "siebzig": 70,
    "achtzig": 80,
    "neunzig": 90,
    "hundert": 100,
    "tausend": 1000,
    # French
    "un": 1,
    "une": 1,
    "deux": 2,
    "trois": 3,
    "quatre": 4,
    "cinq": 5,
    "sept": 7,
    "huit": 8,
    "neuf": 9,
    "dix": 10,
    "onze": 11,
    "douze": 12,
    "treize": 13,
    "quatorze": 14,
    "quinze": 15,
    "seize": 16,
    "vingt": 20,
    "vingts": 20,
    "trente": 30,
    "quarante": 40,
    "cinquante": 50,
    "soixante": 60,
    "cent": 100,
    "cents": 100,
    "mille": 1000,
    # native Korean (the counting words before a counter: 서른 명, 열두 제자)
    "하나": 1,
    "한": 1,
    "둘": 2,
    "두": 2,
    "셋": 3,
    "세": 3,
    "넷": 4,
    "네": 4,
    "다섯": 5,
    "여섯": 6,
    "일곱": 7,
    "여덟": 8,
    "아홉": 9,
    "열": 10,
    "스물": 20,
    "스무": 20,
    "서른": 30,
    "마흔": 40,
    "쉰": 50,
    "예순": 60,
    "일흔": 70,
    "여든": 80,
    "아흔": 90,
}
_NUMBER_JOINERS = frozenset({"and", "und", "et"})
_GERMAN_TEEN = re.compile(r"(drei|vier|fünf|sech|sieb|acht|neun)zehn\Z")
_NUMBER_MORPHEME = re.compile(
    "|".join(sorted(map(re.escape, [*_NUMBER_WORDS, *_NUMBER_JOINERS]), key=len, reverse=True))
)
_WORDISH = re.compile(r"[^\W\d_]+")


@functools.lru_cache(maxsize=65536)
def _morphemes(word: str) -> tuple[int, ...] | None:
    """The values of a word made of number words only (einundzwanzig: 1, 0, 20), else None."""
    w = word.casefold()
    teen = _GERMAN_TEEN.match(w)
    if teen:
        return (
            10
            + _NUMBER_WORDS.get(
                teen.group(1)
                if teen.group(1) not in ("sech", "sieb")
                else {"sech": "sechs", "sieb": "sieben"}[teen.group(1)],
                0,
            ),
        )
    out, at = [], 0
    while at < len(w):
        m = _NUMBER_MORPHEME.match(w, at)
        if m is None:
            return None
        out.append(_NUMBER_WORDS.get(m.group(), 0))
        at = m.end()
    return tuple(out) or None


def _word_numbers(text: str) -> set[int]:
    """The values of the numbers ``text`` writes in words: each word, and each run of number words
    (twenty-eight, quatre-vingt-dix, zweihundertfünfzig, two thousand and six)."""
    out: set[int] = set()
    run: list[int] = []

    def flush():
        if run:
            total = cur = 0
            for v in run:
                if v == 100:
                    cur = max(cur, 1) * 100
                elif v >= 1000:
                    total += max(cur, 1) * v
                    cur = 0
                elif v == 20 and cur in (4,):  # quatre-vingt(s)
                    cur = 80
                else:
                    cur += v
            out.add(total + cur)
            run.clear()

    for m in _WORDISH.finditer(text):
        vals = _morphemes(m.group())
        gap = text[m.start() - 1 : m.start()] if m.start() else ""
        if vals is None or (run and gap not in (" ", "-")):
            flush()
        if vals is None:
            continue
        if all(v == 0 for v in vals):  # a joiner alone: and, und, et
            if not run:
                continue
        out.update(v for v in vals if v)
        run.extend(vals)
    flush()
    out.discard(0)
    return out


# --------------------------------------------------------------------------
# Latin-script names

_LATIN_TOKEN = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[-_.&'’][A-Za-z0-9]+)*")
_BRACKETS = re.compile(r"\([^()]*\)|\[[^\[\]]*\]|（[^（）]*）|【[^【】]*】")
_ASCII_LETTER = re.compile(r"[A-Za-z]")
_LATIN_LETTER = re.compile(r"[A-Za-z\u00c0-\u024f]")
_LETTER = re.compile(r"[^\W\d_]")


def latin_script(text: str) -> bool:
    """True when ``text`` is written in Latin script (English, German, French ...): fewer
    than a fifth of its letters are of another script (Han, Hangul ...)."""
    t = text[:5000]
    letters = len(_LETTER.findall(t))
    return letters > 0 and letters - len(_LATIN_LETTER.findall(t)) < 0.2 * letters


# unit symbols are not names: 5cm may be "five centimetres" on the other side
_UNITS = frozenset("cm mm km nm kg mg ml kb mb gb tb kw mw gw kwh hz khz mhz ghz am pm".split())


def _name_key(tok: str) -> str:
    tok = tok.lower().replace("’", "'")
    if tok.endswith("'s"):
        tok = tok[:-2]
    return tok.strip("'.-_&")


def _display_names(text: str) -> dict[str, str]:
    t = unicodedata.normalize("NFKC", text)
    out: dict[str, str] = {}
    for tok in _LATIN_TOKEN.findall(t):
        out.setdefault(_name_key(tok), tok)
    return out


def extract_names(text: str) -> tuple[Counter, set[str]]:
    """Latin-script words of two letters or more (lower-cased): (outside brackets, inside brackets).

    Words in brackets are usually glosses a translator added (``오픈소스(Open
    Source)``): they match the other side's names but are not required there.
    """
    t = unicodedata.normalize("NFKC", text)
    if _ASCII_LETTER.search(t) is None:  # no word to find
        return Counter(), set()
    glossed: set[str] = set()
    for m in _BRACKETS.finditer(t):
        for tok in _LATIN_TOKEN.findall(m.group()):
            k = _name_key(tok)
            if sum(c.isalpha() for c in k) >= 2:
                glossed.add(k)
    outside = _BRACKETS.sub(" ", t)
    names: Counter = Counter()
    for tok in _LATIN_TOKEN.findall(outside):
        k = _name_key(tok)
        if sum(c.isalpha() for c in k) >= 2 and k not in _UNITS:
            names[k] += 1
    return names, glossed


_HANGUL_RUN = re.compile(r"[\uac00-\ud7a3]+")


def _transliterated(name: str, other: str) -> bool:
    """True if a Hangul word of ``other`` sounds like ``name`` (same consonant skeleton)."""
    sk = skeleton(name)
    if len(sk) < 2:
        return False
    for w in _HANGUL_RUN.findall(other):
        hs = skeleton(w)
        # the word may carry a particle: compare prefixes (short skeletons must match whole)
        if hs == sk or (len(sk) >= 3 and hs.startswith(sk) and len(hs) <= len(sk) + 2):
            return True
    return False


def _present(name: str, other_names: Counter, other_gloss: set[str], other_text_lower: str) -> bool:
    if name in other_names or name in other_gloss:
        return True
    parts = [p for p in re.split(r"[-_.&']", name) if p]
    if len(parts) > 1 and all(p in other_names or p in other_gloss or len(p) < 2 for p in parts):
        return True
    return re.search(r"(?<![a-z0-9])" + re.escape(name) + r"(?![a-z0-9])", other_text_lower) is not None


# --------------------------------------------------------------------------
# pairs


def compare_pair(
    src: str,
    tgt: str,
    *,
    src_lang: str | None = None,
    tgt_lang: str | None = None,
    src_latin: bool | None = None,
    tgt_latin: bool | None = None,
    ignore: frozenset | set = frozenset(),
) -> dict:
    """Numbers and names found on one side of a pair only.

    Returns ``{"numbers": (src_only, tgt_only), "names": (src_only, tgt_only)}``
    (lists of strings). Names are only looked for on a side that is not
    written in Latin script (on an English side every word would be a
    "name"); ``ignore`` holds lower-cased names common on both sides of the
    document; the languages tell how numbers are written (see :func:`extract_numbers`).
    """
    s_nfkc = unicodedata.normalize("NFKC", src)
    t_nfkc = unicodedata.normalize("NFKC", tgt)
    sh, th = _digit_numbers(s_nfkc, src_lang), _digit_numbers(t_nfkc, tgt_lang)
    s_only = sh - th
    t_only = th - sh
    # numbers in words only explain digits the other side lacks: read them when there are some
    ts = _numbers_in_words(t_nfkc) if s_only else set()
    ss = _numbers_in_words(s_nfkc) if t_only else set()
    num_s = sorted(_fmt_value(v) for v in s_only.elements() if v not in ts)
    num_t = sorted(_fmt_value(v) for v in t_only.elements() if v not in ss)
    src_latin = latin_script(src) if src_latin is None else src_latin
    tgt_latin = latin_script(tgt) if tgt_latin is None else tgt_latin
    sn, sg = extract_names(src)
    tn, tg = extract_names(tgt)
    s_low = s_nfkc.lower()
    t_low = t_nfkc.lower()
    names_s, names_t = [], []
    if not src_latin:
        names_s = sorted(
            n for n in sn if n not in ignore and not _present(n, tn, tg, t_low) and not _transliterated(n, tgt)
        )
    if not tgt_latin:
        names_t = sorted(
            n for n in tn if n not in ignore and not _present(n, sn, sg, s_low) and not _transliterated(n, src)
        )
    if names_s:
        d = _display_names(src)
        names_s = [d.get(n, n) for n in names_s]
    if names_t:
        d = _display_names(tgt)
        names_t = [d.get(n, n) for n in names_t]
    return {"numbers": (num_s, num_t), "names": (names_s, names_t)}


def common_names(alignment, share: float = 0.25) -> frozenset:
    """Names found in at least ``share`` of the sentences of both sides (``AI`` in an AI article)."""

    def doc_freq(sents):
        c: Counter = Counter()
        for s in sents:
            names, gloss = extract_names(s.text)
            c.update(set(names) | gloss)
        return c

    ns, nt = len(alignment.src_sentences), len(alignment.tgt_sentences)
    if not ns or not nt:
        return frozenset()
    fs, ft = doc_freq(alignment.src_sentences), doc_freq(alignment.tgt_sentences)
    return frozenset(k for k in fs if fs[k] >= max(2, share * ns) and ft.get(k, 0) >= max(2, share * nt))

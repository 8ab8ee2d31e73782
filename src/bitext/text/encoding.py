"""Decoding input bytes: UTF-8, or a legacy encoding only when the text it gives is sure.

A byte string that is not UTF-8 is decoded with every common legacy encoding
(:data:`LEGACY`). A decoding is kept only if its text is plausible:

- no C1 control, private-use or replacement character, few symbols of the
  kinds mojibake is made of (``¡£º«¹``, box drawing, half-width katakana
  beside CJK, small-form brackets);
- no word that mixes scripts (``cafй``, ``Wδndli``, ``и措橫``);
- Latin letters mostly ASCII (``ÉçÆÀ:ÖÐ¹ú`` is Chinese read as cp1252);
- Chinese written without spaces between characters (``茄惫绢 巩厘涝聪促`` is
  Korean read as GB18030), Korean with them (``櫓벌벴벌...`` for ten syllables
  and more is Chinese read as CP949);
- the script and the encoding fit the language: the one given, or else the one
  detected in that decoding (a French text is not in cp1250, so ``trčs`` is
  out when ``très`` is in).

One plausible text: it is the decoding. None, or several that differ (a short
file often fits more than one): :class:`EncodingError`, which lists what would
fit, so the user can name the encoding (``--encoding``).
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from functools import cache

__all__ = ["EncodingError", "decode", "LEGACY", "check_encoding"]


class EncodingError(ValueError):
    """The bytes cannot be decoded with confidence; the message says why and what
    would fit. ``line``: the 1-based line of the first byte that does not decode, where known."""

    def __init__(self, msg: str, line: int | None = None):
        super().__init__(msg)
        self.line = line


# tried in this order (equal texts keep the first name); a language's own
# encodings (_HOME) are tried too when the language is given
LEGACY = ("cp949", "gb18030", "big5", "cp932", "euc_jp", "cp1252", "cp1250", "cp1251")

# the legacy encodings each language is written in, tried when it is given (a
# language not listed: any); only encodings that map every byte they share with
# another the same way, so that one file does not decode two ways in one language
_HOME = {}
for _encs, _langs in (
    (("cp949",), "ko"),
    (("gb18030", "big5"), "zh"),
    (("cp932", "euc_jp"), "ja"),
    (("cp1252",), "en fr de es it pt nl ca sv da no nb nn fi is ga eu gl af id ms sw la oc lb fo wa br co"),
    (("cp1250",), "cs sk pl hu ro hr sl bs sq"),
    (("cp1251", "koi8_r"), "ru uk bg be mk sr kk ky mn tg"),
    (("cp1253",), "el"),
    (("cp1254",), "tr az"),
    (("cp1255",), "he yi"),
    (("cp1256",), "ar fa ur ps"),
    (("cp1257",), "et lv lt"),
    (("cp874",), "th"),
    (("cp1258",), "vi"),
):
    for _lang in _langs.split():
        _HOME[_lang] = _encs

# the script most of a language's letters are in (default: Latin)
_SCRIPT = {
    "ko": "hangul",
    "zh": "han",
    "ja": "kana",
    "el": "greek",
    "he": "hebrew",
    "yi": "hebrew",
    "th": "thai",
    **dict.fromkeys("ru uk bg be mk sr kk ky mn tg".split(), "cyrillic"),
    **dict.fromkeys("ar fa ur ps".split(), "arabic"),
}

_LATIN1_SYMBOLS = set("¡¢£¤¥¦§¨©ª¬®¯±²³´µ¶¸¹º¼½¾¿×÷")
_WORD = re.compile(r"\w+")


def _script(c: str) -> str | None:
    """The script of a letter (``None`` for digits, marks and other non-letters)."""
    o = ord(c)
    if o < 0x80:
        return "latin" if c.isalpha() else None
    if 0xAC00 <= o <= 0xD7A3 or 0x1100 <= o <= 0x11FF or 0x3130 <= o <= 0x318F:
        return "hangul"
    if 0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or 0xF900 <= o <= 0xFAFF or 0x20000 <= o <= 0x323AF:
        return "han"
    if 0x3040 <= o <= 0x30FF:
        return "kana"
    if not c.isalpha():
        return None
    name = unicodedata.name(c, "")
    for script in ("LATIN", "GREEK", "CYRILLIC", "HEBREW", "ARABIC", "THAI", "HALFWIDTH KATAKANA"):
        if name.startswith(script):
            return script.lower()
    return "other"


def _rare(c: str) -> bool:
    """A character that plain text hardly ever holds and mojibake often does."""
    o = ord(c)
    if 0x80 <= o <= 0x9F or 0xE000 <= o <= 0xF8FF or o == 0xFFFD:
        return True
    if c in _LATIN1_SYMBOLS:
        return True
    if 0x2500 <= o <= 0x259F or 0x2320 <= o <= 0x2321 or 0xFE30 <= o <= 0xFE6F:  # box drawing, small forms
        return True
    if 0x3130 <= o <= 0x318F:  # a lone Hangul letter
        return True
    return unicodedata.category(c) in ("Co", "Cn", "Cs")


@cache
def _common_han(c: str) -> bool:
    """In GB 2312, Big5, KS X 1001 or JIS X 0208 (the characters in everyday use)."""
    for enc in ("gb2312", "big5", "euc_kr", "euc_jp"):
        try:
            c.encode(enc)
            return True
        except UnicodeEncodeError:
            pass
    return False


def _implausible(text: str) -> str | None:
    """Why ``text`` looks like a wrong decoding, or ``None``."""
    sample = text[:100_000]
    non_ascii = [c for c in sample if ord(c) >= 0x80 and not c.isspace()]
    if not non_ascii:
        return None
    rare = sum(map(_rare, non_ascii))
    if rare > 0.02 * len(non_ascii):
        return f"{rare} unusual symbols"
    scripts: dict[str, int] = {}
    ascii_cjk = 0  # words of ASCII letters and CJK characters
    for word in _WORD.findall(sample):
        kinds = {s for s in map(_script, word) if s is not None}
        if kinds & {"han", "hangul", "kana"} and all(ord(c) < 0x80 or _script(c) != "latin" for c in word):
            ascii_cjk += "latin" in kinds
            kinds.discard("latin")  # ASCII letters beside CJK: 中国AI, OpenAI의
        if kinds >= {"han", "hangul"} or kinds >= {"han", "kana"}:
            kinds.discard("han")  # Korean and Japanese words hold Chinese characters
        if "halfwidth katakana" in kinds and len(kinds) == 1:
            kinds = {"kana"}
        if len(kinds) > 1:
            return f"a word mixes scripts ({word[:20]})"
        for c in word:
            kind = _script(c)
            if kind is not None:
                scripts[kind] = scripts.get(kind, 0) + 1
    if ascii_cjk and scripts.get("latin", 0) >= 0.5 * sum(scripts.values()):
        return "Chinese characters inside Latin words"
    if "halfwidth katakana" in scripts:
        return "half-width katakana"
    latin = [c for c in sample if _script(c) == "latin"]
    if len(latin) >= 4 and sum(ord(c) >= 0x80 for c in latin) > 0.4 * len(latin):
        return "most Latin letters are accented"
    cased = [c for c in non_ascii if c.isupper() or c.islower()]
    if len(cased) >= 8 and sum(map(str.isupper, cased)) > 0.5 * len(cased):
        return "mostly capital letters"
    han = scripts.get("han", 0)
    hangul = scripts.get("hangul", 0)
    if han >= 4:
        chars = set(re.findall(r"[\u3400-\u9fff\uf900-\ufaff]", sample))
        rare_han = sum(1 for c in chars if not _common_han(c))
        if rare_han > 0.1 * len(chars):
            return "uncommon Chinese characters"
    if han >= 8 and hangul < 0.1 * han and not scripts.get("kana"):
        spaced = len(re.findall(r"[\u4e00-\u9fff] +(?=[\u4e00-\u9fff])", sample))
        if spaced * 20 >= han:
            return "Chinese with spaces between words"
    if hangul >= 10:
        runs = re.findall(r"[\uac00-\ud7a3\u4e00-\u9fff]+", sample)
        if sum(len(r) for r in runs if len(r) > 12) > 0.5 * hangul:
            return "Korean without spaces between words"
    return None


def _fits(text: str, encodings: list[str], lang: str) -> bool:
    """Whether the text's letters are in ``lang``'s script and its encoding one ``lang`` is written in."""
    home = _HOME.get(lang.split("-")[0].lower())
    if home is not None and not set(home) & set(encodings):
        return False
    want = _SCRIPT.get(lang.split("-")[0].lower(), "latin")
    counts: dict[str, int] = {}
    for c in text[:100_000]:
        s = _script(c)
        if s is not None and not (want in ("hangul", "han", "kana") and ord(c) < 0x80):  # English words in CJK text
            counts[s] = counts.get(s, 0) + 1
    letters = sum(counts.values())
    if not letters:
        return True
    if want == "kana":
        return counts.get("kana", 0) + counts.get("han", 0) >= 0.5 * letters
    if want == "han":
        return counts.get("han", 0) >= 0.5 * letters and counts.get("hangul", 0) <= 0.05 * letters
    return counts.get(want, 0) >= 0.5 * letters


def check_encoding(name: str) -> str:
    """The codec's canonical name; :class:`LookupError` for an unknown one, or
    one that is not a text encoding (``base64``, ``undefined``)."""
    info = codecs.lookup(name)
    if not getattr(info, "_is_text_encoding", True):
        raise LookupError(f"{name!r} is not a text encoding")
    try:
        "bitext 0.\n".encode(info.name).decode(info.name)
    except (UnicodeError, ValueError, TypeError):  # 'undefined' refuses every text
        raise LookupError(f"{name!r} cannot decode text") from None
    return info.name


def decode(data: bytes, lang: str | None = None, encoding: str | None = None) -> tuple[str, str]:
    """``(text, encoding)`` of ``data``; :class:`EncodingError` when unsure.

    ``encoding`` given: decoded with it, strictly (the error names the line of
    the first byte it cannot decode). Else UTF-8 (with or without a BOM),
    UTF-16 with a BOM, or the one legacy encoding whose text is plausible
    (for ``lang`` when it is given).
    """
    if encoding:
        try:
            return data.decode(encoding), check_encoding(encoding)
        except UnicodeDecodeError as e:
            line = data[: e.start].count(b"\n") + 1
            raise EncodingError(f"not valid {encoding} (byte 0x{data[e.start]:02x})", line) from None
        except UnicodeError as e:  # a codec that says no without a position (punycode)
            raise EncodingError(f"not valid {encoding} ({e})") from None
    if data.startswith(codecs.BOM_UTF8):
        data = data[3:]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as e:
            line = data[: e.start].decode("utf-16", "replace").count("\n") + 1
            raise EncodingError("starts with a UTF-16 mark but is not UTF-16", line) from None
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as e:
        bad = e.start  # the first byte that is not UTF-8
    from .segment import LanguageError, detect_lang

    texts: dict[str, list[str]] = {}
    home = _HOME.get(lang.split("-")[0].lower(), ()) if lang else ()
    for enc in dict.fromkeys([*LEGACY, *home]):
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        texts.setdefault(text, []).append(enc)
    plausible = []
    for text, encs in texts.items():
        if _implausible(text):
            continue
        try:
            guess = lang or detect_lang(text)
        except LanguageError:
            guess = None
        if guess is None or _fits(text, encs, guess):
            plausible.append((text, encs))
    if len(plausible) == 1:
        return plausible[0][0], plausible[0][1][0]
    if not plausible:
        raise EncodingError(
            f"not UTF-8 (byte 0x{data[bad]:02x} here), and no common encoding gives plausible text; "
            "convert it to UTF-8 (iconv -f ENCODING -t UTF-8) or give --encoding",
            data[:bad].count(b"\n") + 1,
        )
    at = _first_difference([t for t, _ in plausible])
    shown = ", ".join(f"{encs[0]} ({' '.join(text[at : at + 16].split())!r})" for text, encs in plausible[:4])
    raise EncodingError(
        f"not UTF-8, and more than one encoding fits: {shown}; "
        f"give the right one with --encoding (e.g. --encoding {plausible[0][1][0]})"
    )


def _first_difference(texts: list[str]) -> int:
    """A little before the first place where the texts differ."""
    k = next((i for i, chars in enumerate(zip(*texts)) if len(set(chars)) > 1), 0)
    return max(0, k - 4)

"""Sentence splitting: text -> sentences with character offsets and paragraph ids.

A splitter is a function from text to a list of :class:`Sentence`. Every
sentence keeps ``start``/``end`` offsets into the text it was cut from, so
``text[s.start:s.end] == s.text`` always holds, and ``paragraph`` is the index
of the (non-empty) line it came from. A newline is always a boundary.

- Korean: kss (``punct`` backend), called once per paragraph (again with
  quotes blanked where an unclosed quote made kss swallow many sentences).
  A paragraph written without its full stops (more sentences ending in a bare
  final ending than in a mark) is cut at its final endings instead
  (:mod:`bitext.text.ko_endings`, with mecab's morphemes).
- Chinese: rules on 。！？ and half-width ?! that keep closing quotes and
  brackets with their sentence; a long paragraph with clause marks and far
  fewer of those than its length implies (classical text, transcripts) is
  cut at its clause marks (，；：) too.
- Anything else: pysbd's rules for the language (English rules when pysbd does
  not know it).

URLs are masked before any splitter runs, so no boundary ever falls inside one.

:func:`split` hands on no sentence longer than ``MAX_SENTENCE_CHARS``: a
longer one (a line without sentence punctuation, say) is cut further at
clause marks, then at whitespace, then anywhere, with a
:class:`LongSentenceWarning` that names the line (:func:`split_lines`, for
pre-split input, cuts nothing: the model reads the start of a long line). A paragraph longer than
``BLOCK_CHARS`` goes to the splitter in blocks cut at sentence ends, so its
time and memory grow linearly with its length.
"""

from __future__ import annotations

import os
import re
import sys
import unicodedata
import warnings
from dataclasses import dataclass
from functools import cache, lru_cache

from . import ko_endings

__all__ = [
    "Sentence",
    "split",
    "split_lines",
    "detect_lang",
    "join_sentences",
    "visible_chars",
    "LanguageError",
    "BlankLineError",
    "check_lang",
    "LongSentenceWarning",
    "MAX_SENTENCE_CHARS",
    "BLOCK_CHARS",
    "ZH_CLAUSE_END",
    "LID_MIN_CONFIDENCE",
    "PARALLEL_PARAGRAPHS",
    "script_conflict",
]


@dataclass(frozen=True)
class Sentence:
    """One sentence: its text, its ``[start, end)`` offsets and its paragraph."""

    text: str
    start: int
    end: int
    paragraph: int


def join_sentences(texts, lang: str | None) -> str:
    """Consecutive sentences as one text: without spaces in Chinese and
    Japanese (which write none between sentences), with one space elsewhere."""
    return ("" if lang in ("zh", "ja") else " ").join(texts)


def visible_chars(text: str) -> int:
    """The characters of ``text`` other than white space (what lengths and coverage count)."""
    return len("".join(text.split()))


class LanguageError(ValueError):
    """The language of a text could not be told."""


_LANG_CODE = re.compile(r"[A-Za-z]{2,8}(?:[-_][A-Za-z0-9]{1,8})*\Z")


def check_lang(code, what: str = "language") -> str | None:
    """Why ``code`` is not a language code (``zh``, ``ko``, ``pt-BR``), or ``None`` when it is."""
    if not isinstance(code, str):
        return f"{what} must be a language code (a str such as 'zh' or 'ko'), got {type(code).__name__}"
    if not _LANG_CODE.match(code):
        return f"{what} {code!r} is not a language code (e.g. zh, ko, en, pt-BR)"
    return None


_URL = re.compile(r"(?:https?://|ftp://|www\.)[^\s<>\"'“”‘’「」()（）]+", re.I)
_HANGUL = re.compile(r"[\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f]")
_HAN = re.compile(r"[\u4e00-\u9fff\u3400-\u4dbf\uf900-\ufaff]")
_KANA = re.compile(r"[\u3040-\u30ff]")


# a language identifier's least confidence in its best guess for a whole text
LID_MIN_CONFIDENCE = 0.5


@lru_cache(maxsize=1)
def _identifier():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def detect_lang(text: str) -> str:
    """The ISO 639-1 code of ``text``'s language; :class:`LanguageError` if unsure.

    Korean, Chinese and Japanese are told from the script, where it makes at
    least a tenth of the letters: Hangul means Korean (Korean text often
    quotes Chinese characters), kana means Japanese (which writes most words
    in Chinese characters), Han alone means Chinese. Other texts go to
    py3langid (langid.py's model: 97 languages, numpy only), whose best guess
    must have a probability of at least ``LID_MIN_CONFIDENCE``: a document of
    a few lines is enough, a short phrase or a page of numbers is not.
    """
    sample = text[:20000]
    hangul = len(_HANGUL.findall(sample))
    han = len(_HAN.findall(sample))
    kana = len(_KANA.findall(sample))
    # (a text in another script that quotes a few CJK words is not CJK text)
    cjk = hangul + han + kana
    if cjk and cjk >= 0.1 * sum(c.isalpha() for c in sample):
        if hangul >= 0.1 * (hangul + han):
            return "ko"
        if kana >= 0.1 * han:
            return "ja"
        return "zh"
    lang, p = _identifier().classify(_URL.sub(" ", sample))
    if lang == "zxx" or p < LID_MIN_CONFIDENCE:
        raise LanguageError(f"cannot tell the language of this text (best guess {lang!r}, probability {p:.2f})")
    return lang


# the script each of these languages is written in (the others are not checked)
_SCRIPT_OF = {
    **dict.fromkeys(("ko",), "Hangul"),
    **dict.fromkeys(("ja",), "kana"),
    **dict.fromkeys(("zh", "yue", "lzh", "wuu", "cmn"), "Chinese characters"),
    **dict.fromkeys(
        (
            "en",
            "de",
            "fr",
            "es",
            "it",
            "pt",
            "nl",
            "sv",
            "da",
            "no",
            "nb",
            "nn",
            "fi",
            "pl",
            "cs",
            "sk",
            "hu",
            "ro",
            "hr",
            "sl",
            "tr",
            "vi",
            "id",
            "ms",
            "ca",
            "et",
            "lv",
            "lt",
            "is",
            "ga",
            "tl",
            "sw",
            "eu",
            "gl",
            "sq",
            "af",
            "la",
            "eo",
        ),
        "Latin",
    ),
    **dict.fromkeys(("ru", "uk", "bg", "mk", "be", "kk", "ky", "mn", "sr"), "Cyrillic"),
    **dict.fromkeys(("ar", "fa", "ur", "ps"), "Arabic"),
    **dict.fromkeys(("he", "yi"), "Hebrew"),
    "el": "Greek",
    "th": "Thai",
    **dict.fromkeys(("hi", "mr", "ne"), "Devanagari"),
}
_SCRIPT_NAMES = {
    "LATIN": "Latin",
    "CYRILLIC": "Cyrillic",
    "ARABIC": "Arabic",
    "HEBREW": "Hebrew",
    "GREEK": "Greek",
    "THAI": "Thai",
    "DEVANAGARI": "Devanagari",
}


def _script(sample: str) -> str | None:
    """The script most of ``sample``'s letters are in, as :data:`_SCRIPT_OF` names it; ``None`` when unsure."""
    hangul, han, kana = len(_HANGUL.findall(sample)), len(_HAN.findall(sample)), len(_KANA.findall(sample))
    letters = sum(c.isalpha() for c in sample)
    if not letters:
        return None
    cjk = hangul + han + kana
    if cjk >= 0.5 * letters:
        if hangul >= 0.1 * (hangul + han):
            return "Hangul"
        return "kana" if kana >= 0.1 * han else "Chinese characters"
    counts: dict[str, int] = {}
    for c in sample:
        if c.isalpha() and ord(c) > 0x40:
            name = unicodedata.name(c, "").split(" ", 1)[0]
            counts[name] = counts.get(name, 0) + 1
    best = max(counts, key=lambda name: counts[name], default=None)
    return _SCRIPT_NAMES.get(best) if best and counts[best] >= 0.8 * letters else None


def script_conflict(text: str, lang: str) -> str | None:
    """Why ``text`` cannot be in ``lang`` (a language given, not detected):
    it is written in another script (``'ja'`` for Chinese without kana,
    ``'de'`` for Hangul), or ``None`` when the script fits or cannot be told."""
    want = _SCRIPT_OF.get(lang.replace("_", "-").split("-")[0].lower()) if isinstance(lang, str) else None
    if want is None:
        return None
    got = _script(text[:20000])
    if got is None or got == want:
        return None
    if want == "kana" and got == "Chinese characters":
        return f"the text is in Chinese characters without kana, not Japanese ({lang}); is it Chinese (zh)?"
    return f"the text is written in {got}, but {lang} is written in {want}"


def _mask_urls(text: str) -> str:
    """Replace each URL by as many letters, so offsets stay and no rule fires inside."""
    return _URL.sub(lambda m: "x" * len(m.group()), text)


# --- Chinese ---------------------------------------------------------------

_ZH_END = "。！？!?"
_ZH_CLOSE = "”’」』）)》〉】］]\"'"
# a run of terminators (or an ellipsis that closes a quote), then any closers
_ZH_BOUNDARY = re.compile(
    "(?:[%s]+|(?:…+|\\.{3,})(?=[%s]))[%s]*" % (re.escape(_ZH_END), re.escape(_ZH_CLOSE), re.escape(_ZH_CLOSE))
)


def _split_zh(par: str) -> list[tuple[int, int]]:
    spans, start = [], 0
    for m in _ZH_BOUNDARY.finditer(par):
        spans.append((start, m.end()))
        start = m.end()
    spans.append((start, len(par)))
    return spans


# --- Korean ----------------------------------------------------------------


@lru_cache(maxsize=1)
def _kss_split():
    """kss's sentence splitter, imported without kss/__init__ (which takes ~15 s
    to import every other kss module); falls back to the public entry point."""
    try:
        import importlib.util
        import types

        if "kss" not in sys.modules:
            spec = importlib.util.find_spec("kss")
            if spec is None or spec.submodule_search_locations is None:
                raise ImportError("kss is not installed as a package")
            pkg = types.ModuleType("kss")
            pkg.__path__ = list(spec.submodule_search_locations)
            pkg.__spec__ = spec
            sys.modules["kss"] = pkg
        from kss._modules.sentences.split_sentences import split_sentences

        return split_sentences
    except Exception:  # pragma: no cover - depends on kss internals
        sys.modules.pop("kss", None)
        from kss import Kss

        return Kss("split_sentences")


def _locate(par: str, pieces: list[str]) -> list[tuple[int, int]]:
    """Map sentence strings back to offsets in ``par`` (in order, whitespace-tolerant)."""
    spans, pos = [], 0
    for piece in pieces:
        piece = piece.strip()
        if not piece:
            continue
        at = par.find(piece, pos)
        if at < 0:  # the splitter changed whitespace: match char by char, skipping spaces
            chars = [c for c in piece if not c.isspace()]
            at = pos
            while at < len(par) and par[at].isspace():
                at += 1
            k, end = 0, at
            while end < len(par) and k < len(chars):
                if par[end] == chars[k]:
                    k += 1
                elif not par[end].isspace():
                    break
                end += 1
            if k < len(chars):  # give up on exact mapping: keep the rest as one sentence
                spans.append((pos, len(par)))
                return spans
            spans.append((at, end))
            pos = end
            continue
        spans.append((at, at + len(piece)))
        pos = at + len(piece)
    return spans


_KO_INNER_END = re.compile(r"[.!?。！？…]")


# kss keeps a quotation (and a <...>) together until it closes, so a quote that
# never closes, quotes used the wrong way round (’대화‘) or an arrow (-->) can
# swallow the rest of the paragraph. A paragraph where kss returns a piece this
# long with sentence ends inside is split again with those marks blanked
# (Korean sentences of more than 300 characters are rare).
_KO_LONG = 400
_KO_INNER_BOUNDARY = re.compile(r"[.!?。！？…][\"'“”‘’″`)\]]*\s")
_KSS_OPENING, _KSS_CLOSING = "\"“″'‘`<", "\"”″'’`>"
_KSS_EMBRACING = str.maketrans(dict.fromkeys(_KSS_OPENING + _KSS_CLOSING, " "))


def _split_ko(par: str) -> list[tuple[int, int]]:
    """A paragraph written without its full stops is cut at its final
    endings (ko_endings); any other goes to kss."""
    if ko_endings.unpunctuated(par):
        return ko_endings.spans_at(par, ko_endings.sentence_ends(par))
    return _split_ko_punct(par)


def _split_ko_punct(par: str) -> list[tuple[int, int]]:
    body = par.rstrip()
    while body and body[-1] in _ZH_CLOSE + ".!?。！？…":
        body = body[:-1]
    if not _KO_INNER_END.search(body):  # kss's punct backend splits only at punctuation
        return [(0, len(par))]
    spans = _locate(par, _kss_split()(par, backend="punct"))
    if any(e - s > _KO_LONG and _KO_INNER_BOUNDARY.search(par, s, e) for s, e in spans):
        blanked = par.translate(_KSS_EMBRACING)  # same length: the offsets hold for par
        spans = _reclaim_marks(par, _locate(blanked, _kss_split()(blanked, backend="punct")))
    return spans


def _reclaim_marks(par: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Give back to each sentence the blanked quotes right before it (opening)
    and right after it (closing)."""
    out: list[tuple[int, int]] = []
    for k, (s, e) in enumerate(spans):
        lo = out[-1][1] if out else 0
        hi = spans[k + 1][0] if k + 1 < len(spans) else len(par)
        while s > lo and par[s - 1] in _KSS_OPENING:
            s -= 1
        while e < hi and par[e] in _KSS_CLOSING:
            e += 1
        out.append((s, e))
    return out


# --- other languages -------------------------------------------------------

_PYSBD_LANGS = {
    "en",
    "hi",
    "mr",
    "zh",
    "es",
    "am",
    "ar",
    "hy",
    "bg",
    "ur",
    "ru",
    "pl",
    "fa",
    "nl",
    "da",
    "fr",
    "my",
    "el",
    "it",
    "ja",
    "de",
    "kk",
    "sk",
}


@cache
def _pysbd(lang: str):
    import pysbd

    return pysbd.Segmenter(language=lang if lang in _PYSBD_LANGS else "en", clean=False, char_span=True)


def _split_generic(par: str, lang: str) -> list[tuple[int, int]]:
    return [(s.start, s.end) for s in _pysbd(lang).segment(par)]


ZH_CLAUSE_END = re.compile("(?:[，；：;:]|,(?!\\d))[%s]*" % re.escape(_ZH_CLOSE))
"""Where a Chinese clause ends: a clause mark (not a comma inside a number), then closing quotes
(the cuts of long unpunctuated paragraphs here, and of :mod:`bitext.text.optional_cuts`)."""
_ZH_END_OR_CLAUSE = re.compile("%s|%s" % (_ZH_BOUNDARY.pattern, ZH_CLAUSE_END.pattern))
# a Chinese paragraph with clause marks and fewer 。！？ than one every this many Han characters
# (classical text, transcripts; the seed's longest sentence has 115) is cut at its clause marks
_ZH_HAN_PER_SENTENCE = 150


def _zh_unpunctuated(par: str) -> bool:
    han = len(_HAN.findall(par))
    if han < 2 * _ZH_HAN_PER_SENTENCE or len(ZH_CLAUSE_END.findall(par)) < 3:
        return False
    return han > _ZH_HAN_PER_SENTENCE * (len(_ZH_BOUNDARY.findall(par)) + 1)


def _split_zh_clauses(par: str) -> list[tuple[int, int]]:
    spans, start = [], 0
    for m in _ZH_END_OR_CLAUSE.finditer(par):
        if m.end() < len(par):
            spans.append((start, m.end()))
            start = m.end()
    spans.append((start, len(par)))
    return spans


def _paragraph_spans(text: str, lang: str) -> list[tuple[int, int]]:
    masked = _mask_urls(text)
    if lang == "zh":
        return _split_zh_clauses(masked) if _zh_unpunctuated(masked) else _split_zh(masked)
    if lang == "ko":
        # kss normalises nothing but whitespace, so the masked paragraph maps back 1:1
        return _split_ko(masked)
    return _split_generic(masked, lang)


# --- sentences too long, paragraphs too long --------------------------------

# the longest sentence split() hands on, in characters (the longest sentences
# of the seeds and the development sets have under 500)
MAX_SENTENCE_CHARS = 1000
# a paragraph longer than this goes to the language's splitter in blocks of
# BLOCK_CHARS / 2 to BLOCK_CHARS characters (pysbd's time grows with the
# square of a paragraph's length, kss's faster than linearly)
BLOCK_CHARS = 10_000


class LongSentenceWarning(UserWarning):
    """:func:`split` cut the sentences of one line that were longer than
    ``MAX_SENTENCE_CHARS`` into pieces.

    ``line``: the 1-based line number in the text; ``sentences``: how many
    such sentences the line had; ``chars``: the length of the longest;
    ``pieces``: how many pieces they became, each at most ``cap`` characters;
    ``punctuated``: whether the sentence had sentence punctuation inside that
    the language's splitter did not split at. ``side``: ``"src"`` or
    ``"tgt"`` when :func:`bitext.align` passes it on, else ``None``.
    """

    def __init__(
        self,
        line: int,
        chars: int,
        pieces: int,
        cap: int,
        sentences: int = 1,
        punctuated: bool = False,
        side: str | None = None,
    ):
        self.line, self.chars, self.pieces, self.cap = line, chars, pieces, cap
        self.sentences, self.punctuated, self.side = sentences, punctuated, side
        super().__init__(f"line {line}: {self.detail}")

    def fields(self) -> tuple[int, int, int, int, int, int]:
        """``(line, chars, pieces, cap, sentences, punctuated)``: the arguments that make it again."""
        return self.line, self.chars, self.pieces, self.cap, self.sentences, int(self.punctuated)

    @property
    def detail(self) -> str:
        """The message without its line number."""
        if self.sentences > 1:
            what = f"{self.sentences:,} sentences of up to {self.chars:,} characters were"
        else:
            what = f"a sentence of {self.chars:,} characters{'' if self.punctuated else ' without sentence punctuation'} was"
        return f"{what} cut into {self.pieces:,} pieces of at most {self.cap:,} characters"


_ANY_END = re.compile(r"[.!?。！？…]")
_CLOSERS = re.escape(_ZH_CLOSE)
# where a too-long sentence is cut, best first: sentence ends its splitter passed over, clause marks
_CUT_MARKS = (
    re.compile(r"[.!?。！？…]+[%s]*" % _CLOSERS),
    re.compile(r"[，、；：,;:﹐﹑﹔﹕]+[%s]*" % _CLOSERS),
)
_SPACE = re.compile(r"\s+")
# where a long paragraph is cut into blocks: a sentence end, then whitespace
_BLOCK_END = re.compile(r"[.!?。！？…]+[%s]*\s+" % _CLOSERS)


def _last_cut(text: str, lo: int, hi: int) -> int | None:
    """The last place in ``text[lo:hi]`` after a sentence end, else after a
    clause mark, else before whitespace; ``None`` if there is none."""
    for pattern in _CUT_MARKS:
        cut = None
        for m in pattern.finditer(text, lo, hi):
            cut = m.end()
        if cut is not None:
            return cut
    cut = None
    for m in _SPACE.finditer(text, lo, hi + 1):
        cut = m.start()
    return cut


def _cut_long(text: str, start: int, end: int, cap: int) -> list[tuple[int, int]]:
    """``text[start:end]`` in pieces of at most ``cap`` characters, each cut
    at the best place (:func:`_last_cut`) in the second half of its window of
    ``cap``, else anywhere in it, else after ``cap`` characters (not before a
    combining mark)."""
    pieces, pos = [], start
    while end - pos > cap:
        hi = pos + cap
        cut = _last_cut(text, pos + cap // 2, hi)
        if cut is None or cut <= pos:
            cut = _last_cut(text, pos + 1, hi)
        if cut is None or cut <= pos:
            cut = hi
            while cut > pos + 1 and unicodedata.combining(text[cut]):
                cut -= 1
        pieces.append((pos, cut))
        pos = cut
        while pos < end and text[pos].isspace():
            pos += 1
    if pos < end:
        pieces.append((pos, end))
    return pieces


def _blocks(body: str, lang: str) -> list[tuple[int, int, bool]]:
    """``body`` as ``(start, end, clean)`` blocks of at most ``BLOCK_CHARS``;
    ``clean``: the block ends at a sentence end (else at whitespace, or
    anywhere, inside a sentence far over ``MAX_SENTENCE_CHARS``)."""
    if len(body) <= BLOCK_CHARS:
        return [(0, len(body), True)]
    masked = _mask_urls(body)
    ends = _ZH_BOUNDARY if lang in ("zh", "ja") else _BLOCK_END  # (CJK writes no space after a sentence)
    out: list[tuple[int, int, bool]] = []
    pos = 0
    while len(body) - pos > BLOCK_CHARS:
        lo, hi = pos + BLOCK_CHARS // 2, pos + BLOCK_CHARS
        cut: int | None = None
        for m in ends.finditer(masked, lo, hi):
            cut = m.end()
        clean = cut is not None
        if cut is None:
            cut = max((m.start() for m in _SPACE.finditer(masked, lo, hi)), default=hi)
        out.append((pos, cut, clean))
        pos = cut
    out.append((pos, len(body), True))
    return out


def _trimmed(body: str, s: int, e: int) -> tuple[int, int]:
    while s < e and body[s].isspace():
        s += 1
    while e > s and body[e - 1].isspace():
        e -= 1
    return s, e


# a Korean text with more paragraphs than this is split in several processes
# (kss is pure Python, about 5 ms a sentence)
PARALLEL_PARAGRAPHS = 400


# kss memoizes its last 500 texts (their characters, analysed, and their
# sentences: about 120 bytes a character); after a text longer than this
# bitext clears those memos, so they hold at most 500 x this many characters
_KSS_FORGET_CHARS = 1000


def _forget_kss() -> None:
    """Clear kss's memos of whole texts (kss's internals: skipped where they differ)."""
    memos = [getattr(sys.modules.get("kss._modules.sentences.split_sentences"), "_split_sentences", None)]
    analyzers = sys.modules.get("kss._modules.morphemes.analyzers")
    memos += [getattr(c, "pos", None) for c in vars(analyzers).values() if isinstance(c, type)] if analyzers else []
    for memo in memos:
        clear = getattr(memo, "cache_clear", None)
        if clear is not None:
            clear()


def _block_spans(body: str, lang: str) -> list[tuple[int, int]]:
    if lang not in ("zh", "ko") and len(body) > MAX_SENTENCE_CHARS and not _ANY_END.search(body):
        return [(0, len(body))]  # too long, and pysbd (25 us a character) would find no sentence end
    spans = _paragraph_spans(body, lang)
    if lang == "ko" and len(body) > _KSS_FORGET_CHARS:
        _forget_kss()
    return spans


def _paragraph_spans_many(bodies: list[str], lang: str, workers: int | None) -> list[list[tuple[int, int]]]:
    workers = workers if workers is not None else (os.cpu_count() or 1)
    if lang != "ko" or workers < 2 or len(bodies) < PARALLEL_PARAGRAPHS:
        return [_block_spans(b, lang) for b in bodies]
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor

    from .._process import init_worker, interrupts_held, stop_pool

    _kss_split()  # import kss before forking, so each worker starts warm
    ctx = mp.get_context("fork") if "fork" in mp.get_all_start_methods() else None
    chunk = max(1, len(bodies) // (workers * 4))
    finished = False
    try:
        pool = ProcessPoolExecutor(workers, mp_context=ctx, initializer=init_worker)
    except (OSError, RuntimeError):  # no processes here: do it in this one
        return [_block_spans(b, lang) for b in bodies]
    try:
        with interrupts_held():  # map submits every chunk, so the workers start inside
            results = pool.map(_block_spans, bodies, [lang] * len(bodies), chunksize=chunk)
        out = list(results)
        finished = True
        return out
    except (OSError, RuntimeError):  # the workers could not start: do it in this one
        return [_block_spans(b, lang) for b in bodies]
    finally:
        stop_pool(pool, finished)


def split(text: str, lang: str | None = None, workers: int | None = None) -> list[Sentence]:
    """Split ``text`` into sentences; each non-empty line is a paragraph.

    ``lang`` is an ISO code (``ko``, ``zh``, ``en``, ``de`` ...); ``None``
    detects it (:func:`detect_lang`). Long Korean texts are split in
    ``workers`` processes (default: one per core; 1 turns it off).
    Sentences longer than ``MAX_SENTENCE_CHARS`` are cut further, with one
    :class:`LongSentenceWarning` per line where that happened.
    """
    if not isinstance(text, str):
        raise TypeError(
            f"text must be a str, got {type(text).__name__}"
            + ("; decode it first" if isinstance(text, (bytes, bytearray)) else "")
        )
    bad = check_lang(lang, "lang") if lang is not None else None
    if bad:
        raise (ValueError if isinstance(lang, str) else TypeError)(bad)
    surrogate = re.search("[\ud800-\udfff]", text)
    if surrogate:
        raise ValueError(
            f"text holds a lone surrogate (U+{ord(surrogate.group()):04X}) at offset {surrogate.start()}: "
            "not text that UTF-8 can hold"
        )
    if not text.strip():
        if lang is None:
            raise ValueError("text is empty: no sentences, and no language to detect")
        return []
    lang = lang or detect_lang(text)
    lines, starts, offset = [], [], 0
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        if body.strip():
            lines.append(body)
            starts.append(offset)
        offset += len(line)
    blocks = [_blocks(body, lang) for body in lines]
    block_spans = iter(
        _paragraph_spans_many([body[s:e] for body, bs in zip(lines, blocks) for s, e, _ in bs], lang, workers)
    )
    out: list[Sentence] = []
    counted_to, line_no = 0, 1
    for para, (body, base, bs) in enumerate(zip(lines, starts, blocks)):
        spans: list[tuple[int, int]] = []
        joined = False
        for s0, _, clean in bs:
            here = [(s0 + s, s0 + e) for s, e in next(block_spans)]
            if joined and here:  # the block boundary was inside a sentence
                here[0] = (spans.pop()[0], here[0][1])
            spans += here
            joined = not clean and bool(here)
        cut = []  # (length, pieces, punctuated) of each sentence over the cap
        for s, e in spans:
            s, e = _trimmed(body, s, e)
            pieces = [(s, e)] if e - s <= MAX_SENTENCE_CHARS else _cut_long(body, s, e, MAX_SENTENCE_CHARS)
            if len(pieces) > 1:
                cut.append((e - s, len(pieces), bool(_ANY_END.search(body, s, e - 1))))
            for ps, pe in pieces:
                ps, pe = _trimmed(body, ps, pe)
                if pe > ps:
                    out.append(Sentence(body[ps:pe], base + ps, base + pe, para))
        if cut:
            line_no += text.count("\n", counted_to, base)
            counted_to = base
            warnings.warn(
                LongSentenceWarning(
                    line_no,
                    max(c[0] for c in cut),
                    sum(c[1] for c in cut),
                    MAX_SENTENCE_CHARS,
                    sentences=len(cut),
                    punctuated=any(c[2] for c in cut),
                ),
                stacklevel=2,
            )
    return out


class BlankLineError(ValueError):
    """Pre-split input with a blank line inside: ``line`` is its 1-based number."""

    def __init__(self, line: int):
        self.line = line
        super().__init__(
            f"line {line} is blank; with --presplit every line holds one sentence and "
            "its 0-based line number is its id (remove the blank lines, or drop --presplit)"
        )


def split_lines(text: str) -> list[Sentence]:
    """One sentence per line (pre-split input); each line is its own paragraph.

    Only ``\n``, ``\r\n`` and ``\r`` end a line (a form feed or U+2028 inside a
    line, as ``pdftotext`` writes them, does not), so sentence ``i`` is line
    ``i``. A blank line before the last sentence would make ids drift from
    line numbers: :class:`BlankLineError`; blank lines at the end are dropped.
    """
    lines = re.split(r"\r\n|\r|\n", text)
    while lines and not lines[-1].strip():
        lines.pop()
    out, offset = [], 0
    for n, body in enumerate(lines):
        s, e = 0, len(body)
        while s < e and body[s].isspace():
            s += 1
        while e > s and body[e - 1].isspace():
            e -= 1
        if e == s:
            raise BlankLineError(n + 1)
        out.append(Sentence(body[s:e], offset + s, offset + e, n))
        offset += len(body) + (2 if text.startswith("\r\n", offset + len(body)) else 1)
    return out

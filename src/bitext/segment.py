"""Sentence splitting: text -> sentences with character offsets and paragraph ids.

A splitter is a function from text to a list of :class:`Sentence`. Every
sentence keeps ``start``/``end`` offsets into the text it was cut from, so
``text[s.start:s.end] == s.text`` always holds, and ``paragraph`` is the index
of the (non-empty) line it came from. A newline is always a boundary.

- Korean: kss (``punct`` backend), called once per paragraph (again with
  quotes blanked where an unclosed quote made kss swallow many sentences).
  A paragraph written without its full stops (more sentences ending in a bare
  final ending than in a mark) is cut at its final endings instead
  (:mod:`bitext.ko_endings`, with mecab's morphemes).
- Chinese: rules on 。！？ and half-width ?! that keep closing quotes and
  brackets with their sentence; a long paragraph with clause marks and far
  fewer of those than its length implies (classical text, transcripts) is
  cut at its clause marks (，；：) too.
- Anything else: pysbd's rules for the language (English rules when pysbd does
  not know it).

URLs are masked before any splitter runs, so no boundary ever falls inside one.
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass
from functools import lru_cache

from . import ko_endings

__all__ = ["Sentence", "split", "split_lines", "detect_lang", "join_sentences", "LanguageError"]


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


class LanguageError(ValueError):
    """The language of a text could not be told."""


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


def _mask_urls(text: str) -> str:
    """Replace each URL by as many letters, so offsets stay and no rule fires inside."""
    return _URL.sub(lambda m: "x" * len(m.group()), text)


# --- Chinese ---------------------------------------------------------------

_ZH_END = "。！？!?"
_ZH_CLOSE = "”’」』）)》〉】］]\"'"
# a run of terminators (or an ellipsis that closes a quote), then any closers
_ZH_BOUNDARY = re.compile(
    "(?:[%s]+|(?:…+|\\.{3,})(?=[%s]))[%s]*"
    % (re.escape(_ZH_END), re.escape(_ZH_CLOSE), re.escape(_ZH_CLOSE))
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
    out = []
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
    "en", "hi", "mr", "zh", "es", "am", "ar", "hy", "bg", "ur", "ru", "pl",
    "fa", "nl", "da", "fr", "my", "el", "it", "ja", "de", "kk", "sk",
}


@lru_cache(maxsize=None)
def _pysbd(lang: str):
    import pysbd

    return pysbd.Segmenter(language=lang if lang in _PYSBD_LANGS else "en", clean=False, char_span=True)


def _split_generic(par: str, lang: str) -> list[tuple[int, int]]:
    return [(s.start, s.end) for s in _pysbd(lang).segment(par)]


# where a Chinese clause ends: a clause mark (not a comma inside a number), then closing quotes
_ZH_CLAUSE_END = re.compile("(?:[，；：;:]|,(?!\\d))[%s]*" % re.escape(_ZH_CLOSE))
_ZH_END_OR_CLAUSE = re.compile("%s|%s" % (_ZH_BOUNDARY.pattern, _ZH_CLAUSE_END.pattern))
# a Chinese paragraph with clause marks and fewer 。！？ than one every this many Han characters
# (classical text, transcripts; the seed's longest sentence has 115) is cut at its clause marks
_ZH_HAN_PER_SENTENCE = 150


def _zh_unpunctuated(par: str) -> bool:
    han = len(_HAN.findall(par))
    if han < 2 * _ZH_HAN_PER_SENTENCE or len(_ZH_CLAUSE_END.findall(par)) < 3:
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


# a Korean text with more paragraphs than this is split in several processes
# (kss is pure Python, about 5 ms a sentence)
PARALLEL_PARAGRAPHS = 400


def _paragraph_spans_many(bodies: list[str], lang: str, workers: int | None) -> list[list[tuple[int, int]]]:
    workers = workers if workers is not None else (os.cpu_count() or 1)
    if lang != "ko" or workers < 2 or len(bodies) < PARALLEL_PARAGRAPHS:
        return [_paragraph_spans(b, lang) for b in bodies]
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor

    _kss_split()  # import kss before forking, so each worker starts warm
    ctx = mp.get_context("fork") if "fork" in mp.get_all_start_methods() else None
    chunk = max(1, len(bodies) // (workers * 4))
    try:
        with ProcessPoolExecutor(workers, mp_context=ctx) as pool:
            return list(pool.map(_paragraph_spans, bodies, [lang] * len(bodies), chunksize=chunk))
    except (OSError, RuntimeError):  # no processes here: do it in this one
        return [_paragraph_spans(b, lang) for b in bodies]


def split(text: str, lang: str | None = None, workers: int | None = None) -> list[Sentence]:
    """Split ``text`` into sentences; each non-empty line is a paragraph.

    ``lang`` is an ISO code (``ko``, ``zh``, ``en``, ``de`` ...); ``None``
    detects it (:func:`detect_lang`). Long Korean texts are split in
    ``workers`` processes (default: one per core; 1 turns it off).
    """
    lang = lang or detect_lang(text)
    lines, starts, offset = [], [], 0
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        if body.strip():
            lines.append(body)
            starts.append(offset)
        offset += len(line)
    out: list[Sentence] = []
    for para, (body, base, spans) in enumerate(zip(lines, starts, _paragraph_spans_many(lines, lang, workers))):
        for s, e in spans:
            # trim whitespace but keep offsets exact
            while s < e and body[s].isspace():
                s += 1
            while e > s and body[e - 1].isspace():
                e -= 1
            if e > s:
                out.append(Sentence(body[s:e], base + s, base + e, para))
    return out


def split_lines(text: str) -> list[Sentence]:
    """One sentence per non-empty line (pre-split input); each line is its own paragraph.

    Blank lines are skipped, so sentence ids are the numbers of the non-empty lines.
    """
    out, offset = [], 0
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        s, e = 0, len(body)
        while s < e and body[s].isspace():
            s += 1
        while e > s and body[e - 1].isspace():
            e -= 1
        if e > s:
            out.append(Sentence(body[s:e], offset + s, offset + e, len(out)))
        offset += len(line)
    return out

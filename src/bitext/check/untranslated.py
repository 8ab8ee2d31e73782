"""Untranslated and copied target sentences: a translation that is not one.

The aligner pairs a sentence left in the source language with its source
(the model maps both to the same vector), so the bead looks perfect.
:func:`untranslated_findings` looks at the letters instead:

- ``untranslated``: a target sentence, or a piece of one between full stops,
  written mostly in the source side's script (a Chinese sentence in a Korean
  or English translation); where both sides share a script (German and
  French), a sentence whose words in lower case py3langid reads as the
  source language (names, headings and addresses are written in capitals:
  ``Willy Auf der Maur, Seewen`` is the same in both). ``evidence["copy"]``
  says whether it is the source sentence itself;
- ``copied``: a target sentence that repeats another target sentence of the
  document word for word while their sources differ (a sentence pasted in
  the wrong place). Of the two, the one less like its own source is reported.

What a translation legitimately copies is not counted: glosses in brackets
(``잘했다(干得不错)``), URLs, e-mail addresses, numbers; a sentence of a few
letters (a name, a heading such as ``Zürich``) is too short to judge.
A script a tenth of a side's letters are written in is that side's own
(Japanese writes kana and Han), and not judged as the other side's.
"""

from __future__ import annotations

import functools
import re
import unicodedata

import numpy as np

from .records import Finding
from .words import lang_base

__all__ = ["untranslated_findings", "script_counts", "MIN_LETTERS"]

MIN_LETTERS = 4
"""A target sentence with fewer letters (outside brackets, URLs and numbers) is not judged."""
_SOURCE_SHARE = 0.5  # untranslated: at least this share of the letters in the source side's script ...
_OWN_SHARE = 0.3  # ... and less than this in the target side's own
_SAME_SCRIPT_WORDS = 4  # shared script: a sentence of this many words in lower case is judged by its language ...
_LID_MIN = 0.9  # ... when py3langid's probability (between the two languages) of the source's is at least this;
_FEW_WORDS = 2  # a sentence of 2 or 3 such words (Es geht zum Galenjoch) ...
_LID_FEW = 0.99  # ... needs this probability
_RUN_COPIED = (
    4  # a run of this many letters in the source's script, copied from the source, inside a target sentence ...
)
_RUN_LETTERS = 12  # ... or this many, copied or not, is a clause left untranslated
_RUN_WORDS_COPIED = 3  # in a script with capitals (names keep theirs), words in lower case instead of letters
_RUN_WORDS = 5
_CASED = ("latin", "cyrillic", "greek")
_CLAUSE_WORDS_COPIED = 3  # shared script: a clause of the source's own words, this many in lower case ...
_CLAUSE_WORDS = 4  # ... or of this many otherwise, is judged by its language ...
_LID_CLAUSE = 0.99  # ... when py3langid gives the source's this probability (_LID_MIN if it is the source verbatim)
_COPY_RATIO = 0.9  # shared script: this much like the source (difflib) is a copy of it
_DUPLICATE_CHARS = 20  # a repeated sentence shorter than this (letters and digits) may repeat legitimately
_DUPLICATE_SRC_COS = 0.8  # sources at least this alike: the repetition is the original's
_DUPLICATE_MARGIN = 0.05  # the copy is less like its source than the original by this much (cosine)

_LOWER_WORD = re.compile(r"(?<![^\W\d_])[^\W\d_A-ZÀ-ÞА-Я]{2,}(?![^\W\d_])")
_LETTER = re.compile(r"[^\W\d_]")
_CLAUSE = re.compile(r"[,;:，；：]\s*|(?<=[.!?])\s+")
_PIECE = re.compile(r"(?<=[。！？])\s*|(?<=[.!?])\s+")
_BRACKETS = re.compile(r"\([^()]*\)|（[^（）]*）|\[[^\[\]]*\]|【[^【】]*】|<[^<>]*>")
_URL = re.compile(r"(?:https?://|ftp://|www\.)\S+|\S+@\S+\.\w+", re.I)
# each script's code points (first, last)
_SCRIPT_RANGES = (
    ("han", ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF))),
    ("hangul", ((0xAC00, 0xD7A3), (0x1100, 0x11FF), (0x3130, 0x318F))),
    ("kana", ((0x3040, 0x30FF),)),
    ("latin", ((0x41, 0x5A), (0x61, 0x7A), (0xC0, 0x24F))),
    ("cyrillic", ((0x400, 0x4FF),)),
    ("greek", ((0x370, 0x3FF),)),
    ("arabic", ((0x600, 0x6FF),)),
)
_SCRIPTS = tuple(
    (name, re.compile("[" + "".join(f"\\u{lo:04x}-\\u{hi:04x}" for lo, hi in ranges) + "]"))
    for name, ranges in _SCRIPT_RANGES
)


@functools.lru_cache(maxsize=1)
def _script_table() -> dict[int, int]:
    """``str.translate`` table: each script's characters to a code letter of its own (a, b, c ...);
    every ASCII letter is Latin, so after it only the codes are ASCII letters."""
    table: dict[int, int] = {}
    for k, (_, ranges) in enumerate(_SCRIPT_RANGES):
        for lo, hi in ranges:
            table.update(dict.fromkeys(range(lo, hi + 1), ord("a") + k))
    return table


# a run of one script's letters with spaces, digits and punctuation between them (a letter of
# another script ends it)
@functools.cache
def _runs(script: str) -> re.Pattern | None:
    rx = dict(_SCRIPTS).get(script)
    return None if rx is None else re.compile(f"{rx.pattern}(?:[\\W\\d_]*{rx.pattern})*")


def _strip(text: str) -> str:
    """The text without brackets (glosses), URLs and e-mail addresses, unless nothing is left."""
    t = _URL.sub(" ", unicodedata.normalize("NFKC", text))
    bare = _BRACKETS.sub(" ", t)
    return bare if any(c.isalpha() for c in bare) else t


def script_counts(text: str) -> dict[str, int]:
    """Letters of each script in ``text`` (``han``, ``hangul``, ``kana``, ``latin`` ...; others as ``other``)."""
    out: dict[str, int] = {}
    letters = 0
    coded = text.translate(_script_table())
    for k, (name, _) in enumerate(_SCRIPT_RANGES):
        n = coded.count(chr(ord("a") + k))
        if n:
            out[name] = n
            letters += n
    other = len(_LETTER.findall(text)) - letters
    if other > 0:
        out["other"] = other
    return out


@functools.lru_cache(maxsize=4096)
def _bare_counts(text: str) -> tuple[str, dict[str, int]]:
    """:func:`_strip` of a sentence and :func:`script_counts` of that (kept: a side's script is
    read from its first sentences, and the target's are read again bead by bead; not to change)."""
    bare = _strip(text)
    return bare, script_counts(bare)


def _main_script(counts: dict[str, int]) -> str | None:
    return max(counts, key=counts.__getitem__) if counts else None


def _side_script(sents) -> tuple[str | None, frozenset]:
    """The main script of a side and the scripts its language writes (Japanese: kana and Han)."""
    total: dict[str, int] = {}
    for s in sents[:400]:
        for k, v in _bare_counts(s.text)[1].items():
            total[k] = total.get(k, 0) + v
    main = _main_script(total)
    letters = sum(total.values())
    # every script with a tenth of the letters is the language's own (Japanese: kana and Han)
    own = frozenset(k for k, v in total.items() if letters and v >= 0.1 * letters)
    return main, own


_NOT_ALNUM = re.compile(r"[\W_]+")  # [^\W_] is what str.isalnum() accepts


@functools.lru_cache(maxsize=4096)
def _norm(text: str) -> str:
    return _NOT_ALNUM.sub("", unicodedata.normalize("NFKC", text).casefold())


@functools.lru_cache(maxsize=1)
def _lid():
    """py3langid's identifier (langid.py's model, numpy only), with probabilities."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def _language_is_source(text: str, src_lang: str, tgt_lang: str) -> float | None:
    """py3langid's probability that ``text`` is in the source language rather than the target's
    (None when it does not know either language)."""
    probs = dict(_lid().rank(text))
    s, t = probs.get(lang_base(src_lang)), probs.get(lang_base(tgt_lang))
    if s is None or t is None or s + t <= 0:
        return None
    return s / (s + t)


def untranslated_findings(alignment) -> list[Finding]:
    """The ``untranslated`` and ``copied`` findings of an alignment (beads with both sides)."""
    a = alignment
    src_sents, tgt_sents = a.src_sentences, a.tgt_sentences
    if not src_sents or not tgt_sents:
        return []
    src_main, src_own = _side_script(src_sents)
    tgt_main, tgt_own = _side_script(tgt_sents)
    shared = src_main is None or tgt_main is None or src_main in tgt_own or tgt_main in src_own
    out: list[Finding] = []
    flagged: set[int] = set()
    for bi, b in enumerate(a.beads):
        if not b.src_ids or not b.tgt_ids:
            continue
        hits: list[tuple[int, str, dict]] = []
        for j in b.tgt_ids:
            text = tgt_sents[j].text
            bare, counts = _bare_counts(text)
            letters = sum(counts.values())
            if letters < MIN_LETTERS:
                continue
            if not shared:
                assert src_main is not None  # (not shared: each side has a main script)
                # the sentence, or a piece of it between full stops (a Chinese sentence the Korean
                # splitter left glued to the next Korean one)
                for piece in [bare] + (_PIECE.split(bare) if _PIECE.search(bare) else []):
                    pc = counts if piece is bare else script_counts(piece)
                    n = sum(pc.values())
                    if n < MIN_LETTERS:
                        continue
                    share = pc.get(src_main, 0) / n
                    own = sum(pc.get(k, 0) for k in tgt_own) / n
                    if share >= _SOURCE_SHARE and own < _OWN_SHARE:
                        ev: dict = {
                            "script": src_main,
                            "share": round(share, 3),
                            "copy": bool(_norm(piece)) and _norm(piece) in _norm(b.src),
                        }
                        if piece is not bare:
                            ev["text"] = piece.strip()
                        hits.append((j, "untranslated", ev))
                        break
                else:
                    run = _source_run(bare, src_main, b.src)
                    if run is not None:
                        hits.append((j, "untranslated", run))
                continue
            # a shared script: the source's language, told by the words in lower case (names,
            # headings and addresses are in capitals and digits: Willy Auf der Maur, Seewen)
            words = _LOWER_WORD.findall(bare)
            if (
                len(words) < _FEW_WORDS
                or not a.src_lang
                or not a.tgt_lang
                or lang_base(a.src_lang) == lang_base(a.tgt_lang)
            ):
                continue
            p = _language_is_source(" ".join(words), a.src_lang, a.tgt_lang)
            tn = _norm(text)
            src_norm = _norm(b.src)
            copy = bool(tn) and (
                tn == src_norm
                or (tn in src_norm and len(tn) >= 0.5 * len(src_norm))
                or _ratio(tn, src_norm) >= _COPY_RATIO
            )
            if p is not None and p >= (_LID_MIN if len(words) >= _SAME_SCRIPT_WORDS else _LID_FEW):
                hits.append((j, "untranslated", {"language": a.src_lang, "probability": round(p, 3), "copy": copy}))
                continue
            left = _source_clause(bare, a.src_lang, a.tgt_lang, b.src)
            if left is not None:
                hits.append((j, "untranslated", left))
        for j, kind, ev in hits:
            flagged.add(j)
            ev = {"tgt_ids": [j], **ev}
            out.append(Finding(bi, b.src_ids, b.tgt_ids, b.src, b.tgt, b.score, kind, f"{_what(ev)} (target {j})", ev))
    out += _duplicates(a, flagged)
    return out


def _source_run(text: str, script: str, src: str) -> dict | None:
    """A clause left in the source script inside a target sentence written in its own: the longest
    run of the source script's letters (spaces, digits and punctuation between them allowed) that
    is the bead's source verbatim and holds at least ``_RUN_COPIED`` letters, or any such run of
    ``_RUN_LETTERS`` (brackets, URLs are already out of ``text``). ``None`` if there is none."""
    runs = _runs(script)
    if runs is None:
        return None
    letter = dict(_SCRIPTS)[script]
    best = None
    for m in runs.finditer(text):
        n = len(letter.findall(m.group()))
        if n < _RUN_COPIED or (best is not None and n <= best[0]):
            continue
        piece = m.group()
        copy = _norm(piece) in _norm(src)
        if script in _CASED:  # names keep their capitals: judge the words in lower case
            words = len(_LOWER_WORD.findall(piece))
            enough = words >= _RUN_WORDS_COPIED if copy else words >= _RUN_WORDS
        else:
            enough = copy or n >= _RUN_LETTERS
        if enough:
            best = (n, piece.strip(), copy)
    if best is None:
        return None
    letters = sum(script_counts(text).values())
    return {"script": script, "share": round(best[0] / max(letters, 1), 3), "copy": best[2], "text": best[1]}


def _source_clause(text: str, src_lang: str, tgt_lang: str, src: str) -> dict | None:
    """A shared script: a clause of a target sentence (between clause marks) left in the source
    language: ``_CLAUSE_WORDS`` or more words in lower case (``_CLAUSE_WORDS_COPIED`` when they are
    the source's own, verbatim) that py3langid reads as the source
    language with probability ``_LID_CLAUSE``, or ``_LID_MIN`` when the clause is the source's own
    words verbatim."""
    for piece in _CLAUSE.split(text):
        words = _LOWER_WORD.findall(piece)
        copy = bool(_norm(piece)) and _norm(piece) in _norm(src)
        if len(words) < (_CLAUSE_WORDS_COPIED if copy else _CLAUSE_WORDS):
            continue
        p = _language_is_source(" ".join(words), src_lang, tgt_lang)
        if p is None:
            continue
        if p >= (_LID_MIN if copy else _LID_CLAUSE):
            return {"language": src_lang, "probability": round(p, 3), "copy": copy, "text": piece.strip()}
    return None


def _what(ev: dict) -> str:
    """The line of an ``untranslated`` finding."""
    part = "part of the target sentence" if "text" in ev else "the target sentence"
    if ev.get("copy"):
        return f"{part} is the source itself" + (f": {ev['text']}" if "text" in ev else "")
    if "script" in ev:
        return f"{part} is in {ev['script']} script, as the source" + (f": {ev['text']}" if "text" in ev else "")
    return f"{part} is in {ev['language']}, the source language"


def _ratio(a: str, b: str) -> float:
    if not a or not b or min(len(a), len(b)) < 0.7 * max(len(a), len(b)):
        return 0.0
    import difflib

    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


def _duplicates(a, skip: set[int]) -> list[Finding]:
    """Target sentences that repeat another target sentence of a bead whose source differs."""
    tgt_sents = a.tgt_sentences
    groups: dict[str, list[int]] = {}
    for j, s in enumerate(tgt_sents):
        k = _norm(s.text)
        if len(k) >= _DUPLICATE_CHARS and j not in skip:
            groups.setdefault(k, []).append(j)
    groups = {k: v for k, v in groups.items() if len(v) > 1}
    if not groups:
        return []
    bead_of: dict[int, int] = {}
    for bi, b in enumerate(a.beads):
        for j in b.tgt_ids:
            bead_of[j] = bi
    sv, tv = a.src_vectors, a.tgt_vectors
    out = []
    for ids in groups.values():
        held = [(j, bead_of.get(j)) for j in ids]
        beads = [(j, bi) for j, bi in held if bi is not None and a.beads[bi].src_ids]
        for j, bi in beads:
            b = a.beads[bi]
            for j2, bi2 in beads:
                if bi2 == bi:
                    continue
                b2 = a.beads[bi2]
                if _norm(b.src) == _norm(b2.src):
                    continue
                if sv is not None and tv is not None:
                    if _cos(sv, b.src_ids, sv, b2.src_ids) >= _DUPLICATE_SRC_COS:
                        continue  # the sources say the same: a repetition of the original
                    mine = _cos(tv, [j], sv, b.src_ids)
                    theirs = _cos(tv, [j2], sv, b2.src_ids)
                    if mine > theirs - _DUPLICATE_MARGIN:
                        continue  # not clearly the worse of the two
                out.append(
                    Finding(
                        bi,
                        b.src_ids,
                        b.tgt_ids,
                        b.src,
                        b.tgt,
                        b.score,
                        "copied",
                        f"target {j} repeats target {j2}, the translation of other source "
                        f"sentences ({', '.join(map(str, b2.src_ids))})",
                        {"tgt_ids": [j], "copy_of": j2, "copy_of_src_ids": list(b2.src_ids)},
                    )
                )
                break
    return out


def _cos(va, ia, vb, ib) -> float:
    x = np.asarray(va[list(ia)], np.float32).mean(axis=0)
    y = np.asarray(vb[list(ib)], np.float32).mean(axis=0)
    return float(x @ y / max(np.linalg.norm(x) * np.linalg.norm(y), 1e-12))

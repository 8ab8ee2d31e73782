"""A bilingual file (TMX, XLIFF, bitext's TSV, JSONL or XLSX) as an :class:`~bitext.pipeline.Alignment`
whose beads are the file's units, so that every check of the coverage report runs on it.

Each unit's two sides are split into sentences, as :func:`bitext.align`
splits a paragraph (a unit is a paragraph: a sentence's ``paragraph`` is its
unit's index), and its bead holds them all: nothing is re-aligned, the file's
pairing stands. A side left empty makes a 1-0 (or 0-1) bead, an omission (or
addition) in the report. The score is the file's (bitext's own files carry
one), else 1: a person paired them. With a model (the default one unless
``model=False``) the sentences are encoded, so that the report can also find
sentences a unit leaves untranslated inside it (unmatched); a bead's
``similarity`` is then the cosine of its two sides.
"""

from __future__ import annotations

import os
import warnings

import numpy as np

from .formats.document import UnitFile, clean_paragraph
from .formats.registry import read_units
from .pipeline import Alignment, Bead
from .text.read import InputError
from .text.segment import LanguageError, Sentence, detect_lang, split

__all__ = ["read_bilingual", "units_alignment"]


def _sentences(texts: list[str], lang: str) -> list[Sentence]:
    """The sentences of each text, one paragraph a text (empty texts have none)."""
    body = "\n".join(texts)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sents = split(body, lang) if body.strip() else []
    owners = [i for i, t in enumerate(texts) if t.strip()]  # split numbers non-empty lines
    return [Sentence(s.text, s.start, s.end, owners[s.paragraph]) for s in sents]


def _lang(given, named, texts, path, flag: str) -> str:
    if given:
        return given
    if named:
        return named.replace("_", "-").split("-")[0].lower()  # zh-CN -> zh: the language bitext splits by
    sample = "\n".join(t for t in texts[:2000] if t)
    try:
        return detect_lang(sample)
    except LanguageError as e:
        raise InputError(f"{path}: {e}; give the language with {flag}") from None


def units_alignment(
    units: UnitFile,
    src_lang: str | None = None,
    tgt_lang: str | None = None,
    model=None,
    cache: bool = True,
    progress: bool = False,
) -> Alignment:
    """The :class:`~bitext.pipeline.Alignment` of a :class:`~bitext.formats.document.UnitFile` (see above)."""
    src_texts = [clean_paragraph(u.src) for u in units.units]  # one line a unit
    tgt_texts = [clean_paragraph(u.tgt) for u in units.units]
    src_lang = _lang(src_lang, units.src_lang, src_texts, units.path, "--src-lang")
    tgt_lang = _lang(tgt_lang, units.tgt_lang, tgt_texts, units.path, "--tgt-lang")
    src_sents, tgt_sents = _sentences(src_texts, src_lang), _sentences(tgt_texts, tgt_lang)
    by_unit: list[list[list[int]]] = [[[], []] for _ in units.units]
    for side, sents in ((0, src_sents), (1, tgt_sents)):
        for i, s in enumerate(sents):
            by_unit[s.paragraph][side].append(i)
    src_vec = tgt_vec = None
    embedder = None
    if model is not False and (src_sents or tgt_sents):
        from .embed import load_model
        from .embed.embedder import Embedder

        embedder = model if isinstance(model, Embedder) else load_model(model, cache=cache)
        dim = None
        vecs: list[np.ndarray | None] = []
        for sents in (src_sents, tgt_sents):
            v = embedder.spans([s.text for s in sents], 1, progress=None)[0] if sents else None
            vecs.append(v)
            dim = dim or (None if v is None else v.shape[1])
        src_vec, tgt_vec = (v if v is not None else np.zeros((0, dim or 1), np.float32) for v in vecs)
    beads = []
    for (s_ids, t_ids), u, s_text, t_text in zip(by_unit, units.units, src_texts, tgt_texts):
        if not s_ids and not t_ids:
            continue
        sim = 0.0
        if src_vec is not None and tgt_vec is not None and s_ids and t_ids:
            a, b = src_vec[s_ids].sum(axis=0), tgt_vec[t_ids].sum(axis=0)
            norm = float(np.linalg.norm(a) * np.linalg.norm(b))
            sim = float(a @ b) / norm if norm else 0.0
        score = 1.0 if u.score is None or not np.isfinite(u.score) else float(u.score)
        beads.append(Bead(tuple(s_ids), tuple(t_ids), s_text, t_text, score, sim))
    if not beads:
        raise InputError(f"{units.path}: no text in its units")
    return Alignment(
        beads,
        src_sents,
        tgt_sents,
        src_lang,
        tgt_lang,
        src_text="\n".join(src_texts),
        tgt_text="\n".join(tgt_texts),
        src_vectors=src_vec,
        tgt_vectors=tgt_vec,
        model=embedder,
    )


def read_bilingual(
    path: str | os.PathLike,
    src_lang: str | None = None,
    tgt_lang: str | None = None,
    model=None,
    fmt: str | None = None,
    cache: bool = True,
) -> Alignment:
    """The units of a TMX, XLIFF (1.x, 2.x), bitext TSV, JSONL or XLSX file as an Alignment (see above):
    ``bitext.coverage_report(bitext.read_bilingual("memory.tmx"))`` checks a translation memory."""
    return units_alignment(read_units(path, fmt, src_lang, tgt_lang), src_lang, tgt_lang, model, cache)

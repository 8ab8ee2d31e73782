"""Coverage report: is every source sentence translated, and is nothing added?

>>> from bitext.coverage import coverage
>>> report = coverage(bitext.align(zh_text, ko_text))        # doctest: +SKIP
>>> report.coverage, len(report.omissions), len(report.additions)   # doctest: +SKIP

For the whole document and for each source paragraph, :func:`coverage` reports

- **coverage**: the share of source sentences (and of source characters) that
  sit in a bead with a target side, a score at or above the threshold, and a
  target that resembles them (see *unmatched* below);
- **omissions**: source sentences with no translation: those the aligner put
  in 1-0 beads (``kind="unaligned"``) and those it grouped into a bead whose
  target sentences do not resemble them at all (``kind="unmatched"``: an
  untranslated sentence that the aligner merged into its neighbour's bead);
- **additions**: the same for target sentences (0-1 beads, unmatched target
  sentences): translator's notes, inserted text;
- **low-confidence beads**: beads with both sides and a score below the
  threshold;
- **suspect pairs**: beads whose numbers (digits, years, percentages) differ
  between the sides, or where a Latin-script name appears on one side only.

A sentence is *unmatched* when its best margin (cosine minus the mean cosine
of both sentences' nearest neighbours, as in the aligner) against the other
side of its bead lies more than ``unmatched_z`` robust standard deviations
below the document's median (or its best plain cosine more than
``unmatched_z + 1``: text like a URL resembles nothing, so its margin stays
high). Inside a bead of two or more sentences on one side, a sentence is also
unmatched when the bead without it resembles the other side better than the
whole bead does, by more than ``loo_gain`` (leave one out: an inserted
sentence on the subject of its neighbours passes the first test but lowers
its bead's similarity). The default threshold, ``unmatched_z`` and ``loo_gain`` were
calibrated on the development sets (``bench/calibrate_coverage.py``,
``docs/coverage.md``).

The module is callable: ``bitext.coverage(alignment)`` is
``bitext.coverage.coverage(alignment)``.

Command line: ``bitext coverage SRC TGT [--format text|json|html] [--threshold T]
[--unmatched-z Z|off] [--loo-gain G|off] [--glossary TSV] [--consistency]``.

With a glossary (``glossary=``, ``--glossary``), beads whose terms are not
rendered as it says are reported, and source terms rendered in more than
one way (:mod:`bitext.glossary`).
"""

from __future__ import annotations

import json
import math
import sys
import unicodedata
from dataclasses import dataclass, field, fields

from .suspects import common_names, compare_pair, extract_names, extract_numbers, latin_script
from .unmatched import DEFAULT_LOO_GAIN, DEFAULT_UNMATCHED_Z, unmatched_sentences

__all__ = [
    "coverage",
    "CoverageReport",
    "Omission",
    "Addition",
    "LowConfidence",
    "Suspect",
    "ParagraphCoverage",
    "DEFAULT_THRESHOLD",
    "DEFAULT_UNMATCHED_Z",
    "DEFAULT_LOO_GAIN",
    "extract_numbers",
    "extract_names",
    "compare_pair",
    "add_cli",
]

DEFAULT_THRESHOLD = 0.60
"""Beads scored below this are *low-confidence* (chosen by ``bench/calibrate_coverage.py``)."""

# --------------------------------------------------------------------------
# report data


class _Record:
    """``to_dict`` for the report's records: fields in order, tuples as lists, floats rounded."""

    def to_dict(self) -> dict:
        out = {}
        for f in fields(self):
            v = getattr(self, f.name)
            out[f.name] = list(v) if isinstance(v, tuple) else _round(v) if isinstance(v, float) else v
        return out


def _share(part: int, whole: int) -> float:
    """``part / whole``; an empty whole counts as fully covered."""
    return part / whole if whole else 1.0


@dataclass(frozen=True)
class Omission(_Record):
    """Source sentences with no translation (consecutive ids of one bead)."""

    src_ids: tuple[int, ...]
    text: str
    paragraph: int
    kind: str  # "unaligned" (a 1-0 bead) or "unmatched" (in a bead, but unlike its target)
    bead: int
    score: float


@dataclass(frozen=True)
class Addition(_Record):
    """Target sentences with no source (consecutive ids of one bead)."""

    tgt_ids: tuple[int, ...]
    text: str
    paragraph: int  # the target paragraph
    kind: str  # "unaligned" (a 0-1 bead) or "unmatched"
    bead: int
    score: float


@dataclass(frozen=True)
class LowConfidence(_Record):
    """A bead with both sides whose score is below the threshold."""

    bead: int
    src_ids: tuple[int, ...]
    tgt_ids: tuple[int, ...]
    src: str
    tgt: str
    score: float
    similarity: float


@dataclass(frozen=True)
class Suspect:
    """A bead whose numbers or Latin-script names differ between the sides."""

    bead: int
    src_ids: tuple[int, ...]
    tgt_ids: tuple[int, ...]
    src: str
    tgt: str
    score: float
    numbers_src_only: tuple[str, ...] = ()
    numbers_tgt_only: tuple[str, ...] = ()
    names_src_only: tuple[str, ...] = ()
    names_tgt_only: tuple[str, ...] = ()

    @property
    def reasons(self) -> list[str]:
        out = []
        if self.numbers_src_only:
            out.append("number only in source: " + ", ".join(self.numbers_src_only))
        if self.numbers_tgt_only:
            out.append("number only in target: " + ", ".join(self.numbers_tgt_only))
        if self.names_src_only:
            out.append("name only in source: " + ", ".join(self.names_src_only))
        if self.names_tgt_only:
            out.append("name only in target: " + ", ".join(self.names_tgt_only))
        return out

    def to_dict(self) -> dict:
        return {
            "bead": self.bead,
            "src_ids": list(self.src_ids),
            "tgt_ids": list(self.tgt_ids),
            "src": self.src,
            "tgt": self.tgt,
            "score": _round(self.score),
            "numbers": {"src_only": list(self.numbers_src_only), "tgt_only": list(self.numbers_tgt_only)},
            "names": {"src_only": list(self.names_src_only), "tgt_only": list(self.names_tgt_only)},
            "reasons": self.reasons,
        }


class _Shares:
    """Covered shares of a document or paragraph: ``covered_ids`` and
    ``covered_chars`` against the totals that :meth:`_totals` gives."""

    covered_ids: tuple[int, ...]
    covered_chars: int

    def _totals(self) -> tuple[int, int]:  # (sentences, characters)
        raise NotImplementedError

    @property
    def covered_sentences(self) -> int:
        return len(self.covered_ids)

    @property
    def coverage(self) -> float:
        """Share of source sentences that are covered (1.0 when there are none)."""
        return _share(self.covered_sentences, self._totals()[0])

    @property
    def char_coverage(self) -> float:
        """Share of source characters (not counting spaces) that are covered."""
        return _share(self.covered_chars, self._totals()[1])


@dataclass
class ParagraphCoverage(_Shares):
    """Coverage of one source paragraph (0-based, as in :class:`~bitext.segment.Sentence`)."""

    paragraph: int
    src_ids: tuple[int, ...]
    covered_ids: tuple[int, ...]
    chars: int
    covered_chars: int
    omissions: int = 0
    additions: int = 0
    low_confidence: int = 0
    suspects: int = 0

    @property
    def sentences(self) -> int:
        return len(self.src_ids)

    def _totals(self) -> tuple[int, int]:
        return self.sentences, self.chars

    def to_dict(self) -> dict:
        return {
            "paragraph": self.paragraph,
            "src_ids": list(self.src_ids),
            "sentences": self.sentences,
            "covered_sentences": self.covered_sentences,
            "coverage": _round(self.coverage),
            "chars": self.chars,
            "covered_chars": self.covered_chars,
            "char_coverage": _round(self.char_coverage),
            "omissions": self.omissions,
            "additions": self.additions,
            "low_confidence": self.low_confidence,
            "suspects": self.suspects,
        }


@dataclass
class CoverageReport(_Shares):
    """What :func:`coverage` finds; ``to_text()``, ``to_json()``, ``to_html()`` render it."""

    alignment: object = field(repr=False)
    threshold: float
    unmatched_z: float | None
    covered_ids: tuple[int, ...]
    src_chars: int
    covered_chars: int
    omissions: list[Omission]
    additions: list[Addition]
    low_confidence: list[LowConfidence]
    suspects: list[Suspect]
    paragraphs: list[ParagraphCoverage]
    statuses: list[str]  # one per bead: ok, suspect, term, low, unmatched, omission, addition
    # terminology (bitext.glossary): with a glossary or consistency=True
    term_misses: list = field(default_factory=list)  # [TermMiss]
    inconsistent_terms: list = field(default_factory=list)  # [Inconsistency]
    glossary: str | None = None  # the glossary's name, when one was checked
    consistency_checked: bool = False

    @property
    def src_sentences(self) -> int:
        return len(self.alignment.src_sentences)

    @property
    def tgt_sentences(self) -> int:
        return len(self.alignment.tgt_sentences)

    def _totals(self) -> tuple[int, int]:
        return self.src_sentences, self.src_chars

    @property
    def omitted_ids(self) -> set[int]:
        return {i for o in self.omissions for i in o.src_ids}

    @property
    def added_ids(self) -> set[int]:
        return {j for a in self.additions for j in a.tgt_ids}

    def to_dict(self) -> dict:
        a = self.alignment
        return {
            "version": 1,
            "src_lang": a.src_lang,
            "tgt_lang": a.tgt_lang,
            "threshold": self.threshold,
            "coverage": _round(self.coverage),
            "char_coverage": _round(self.char_coverage),
            "counts": {
                "src_sentences": self.src_sentences,
                "tgt_sentences": self.tgt_sentences,
                "beads": len(a.beads),
                "covered_sentences": self.covered_sentences,
                "src_chars": self.src_chars,
                "covered_chars": self.covered_chars,
                "omitted_sentences": len(self.omitted_ids),
                "added_sentences": len(self.added_ids),
                "low_confidence": len(self.low_confidence),
                "suspects": len(self.suspects),
                "term_misses": len(self.term_misses),
                "inconsistent_terms": len(self.inconsistent_terms),
            },
            "terms_checked": {"glossary": self.glossary, "consistency": self.consistency_checked},
            "term_misses": [m.to_dict() for m in self.term_misses],
            "inconsistent_terms": [x.to_dict() for x in self.inconsistent_terms],
            "omissions": [o.to_dict() for o in self.omissions],
            "additions": [x.to_dict() for x in self.additions],
            "low_confidence": [x.to_dict() for x in self.low_confidence],
            "suspects": [s.to_dict() for s in self.suspects],
            "paragraphs": [p.to_dict() for p in self.paragraphs],
            "beads": [
                {
                    "bead": i,
                    "src_ids": list(b.src_ids),
                    "tgt_ids": list(b.tgt_ids),
                    "score": _round(b.score),
                    "status": st,
                }
                for i, (b, st) in enumerate(zip(a.beads, self.statuses))
            ],
        }

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent) + "\n"

    def to_text(self, width: int = 100) -> str:
        return _render_text(self, width)

    def to_html(self, title: str | None = None) -> str:
        from .report import render_html

        return render_html(self, title=title)

    def render(self, fmt: str) -> str:
        """``text``, ``json`` or ``html``."""
        if fmt == "text":
            return self.to_text()
        if fmt == "json":
            return self.to_json()
        if fmt == "html":
            return self.to_html()
        raise ValueError(f"unknown format {fmt!r} (expected text, json or html)")

    def to_pandas(self, table: str = "beads"):
        """A DataFrame (needs pandas; columns in :mod:`bitext.frames`): ``"beads"``, one row
        a bead with its ``status``; ``"findings"``, one row an omission, addition,
        low-confidence bead or suspect; ``"paragraphs"``, one row a source paragraph."""
        from . import frames

        if table == "beads":
            return frames.beads_frame(self.alignment, self)
        if table == "findings":
            return frames.findings_frame(self)
        if table == "paragraphs":
            return frames.paragraphs_frame(self)
        raise ValueError(f"unknown table {table!r} (expected beads, findings or paragraphs)")

    def __repr__(self) -> str:
        from .display import report_repr

        return report_repr(self)

    def _repr_html_(self) -> str:
        from .display import report_html

        return report_html(self)


def _round(x: float, nd: int = 4):
    x = float(x)
    return None if math.isnan(x) else round(x, nd)


# --------------------------------------------------------------------------
# the report


def _chars(s: str) -> int:
    return sum(1 for c in s if not c.isspace())


def _runs(ids, sents) -> list[tuple[int, ...]]:
    """Split sorted ids into runs of consecutive ids within one paragraph."""
    out: list[list[int]] = []
    for i in sorted(ids):
        if out and i == out[-1][-1] + 1 and sents[i].paragraph == sents[out[-1][-1]].paragraph:
            out[-1].append(i)
        else:
            out.append([i])
    return [tuple(r) for r in out]


def coverage(alignment, threshold: float | None = None, *, unmatched_z: float | None = DEFAULT_UNMATCHED_Z,
             loo_gain: float | None = DEFAULT_LOO_GAIN, names: bool = True, numbers: bool = True,
             model=None, progress: bool = False, glossary=None, consistency: bool | None = None) -> CoverageReport:
    """Coverage report of an :class:`~bitext.pipeline.Alignment`.

    ``threshold``: beads with both sides scored below it are low-confidence
    and do not count as coverage (default :data:`DEFAULT_THRESHOLD`).
    ``unmatched_z``: how far below the document's typical in-bead similarity
    a sentence must be to count as untranslated inside its bead (``None``
    reports only what the aligner left unaligned). ``loo_gain``: a sentence
    inside a bead of two or more sentences on its side whose bead, without
    it, resembles the other side better by more than this is unmatched too
    (``None``: off). It encodes text, with ``model`` (an
    :class:`~bitext.embed.Embedder`, or what :func:`~bitext.embed.load_model`
    takes), by default the alignment's own: an alignment made by
    :func:`bitext.align` in this process has it, one unpickled (from a batch
    worker) does not, and without a model the test is skipped. It must be the
    model that made the alignment. ``progress``: a progress bar for the
    leave-one-out encodings of a long document. ``names``/``numbers``:
    look for suspect pairs by names and by numbers. ``glossary``: a
    :class:`~bitext.glossary.Glossary` (or a TSV file's path, or ``{term:
    renderings}``): beads whose source holds one of its terms and whose
    target none of its renderings are reported (:attr:`CoverageReport.term_misses`,
    bead status ``term``); ``consistency``: report source terms rendered in
    more than one way (:attr:`CoverageReport.inconsistent_terms`; default: when
    a glossary is given). See :mod:`bitext.glossary`.
    """
    if threshold is None:
        threshold = DEFAULT_THRESHOLD
    threshold = float(threshold)
    if not 0.0 <= threshold <= 1.0 or math.isnan(threshold):
        raise ValueError(f"threshold must be between 0 and 1, got {threshold}")
    a = alignment
    beads = list(a.beads)
    src_sents, tgt_sents = a.src_sentences, a.tgt_sentences
    if model is None:
        model = getattr(a, "model", None)
    elif not hasattr(model, "spans"):
        from .embed import load_model

        model = load_model(model)
    un_src, un_tgt = unmatched_sentences(a, unmatched_z, loo_gain, model, progress)
    terms_found = _terms(a, glossary, consistency, model)
    src_latin = latin_script(" ".join(s.text for s in src_sents[:200])) if src_sents else False
    tgt_latin = latin_script(" ".join(s.text for s in tgt_sents[:200])) if tgt_sents else False
    ignore = common_names(a) if names else frozenset()

    omissions: list[Omission] = []
    additions: list[Addition] = []
    low: list[LowConfidence] = []
    suspects: list[Suspect] = []
    statuses: list[str] = []
    covered: set[int] = set()
    src_par_of_bead: list[int] = []
    last_par = src_sents[0].paragraph if src_sents else 0

    for bi, b in enumerate(beads):
        par = src_sents[b.src_ids[0]].paragraph if b.src_ids else last_par
        last_par = src_sents[b.src_ids[-1]].paragraph if b.src_ids else last_par
        src_par_of_bead.append(par)
        if not b.tgt_ids:
            for run in _runs(b.src_ids, src_sents):
                omissions.append(Omission(run, _join(src_sents, run), src_sents[run[0]].paragraph,
                                          "unaligned", bi, b.score))
            statuses.append("omission")
            continue
        if not b.src_ids:
            for run in _runs(b.tgt_ids, tgt_sents):
                additions.append(Addition(run, _join(tgt_sents, run), tgt_sents[run[0]].paragraph,
                                          "unaligned", bi, b.score))
            statuses.append("addition")
            continue
        status = "ok"
        miss_s = [i for i in b.src_ids if i in un_src]
        miss_t = [j for j in b.tgt_ids if j in un_tgt]
        for run in _runs(miss_s, src_sents):
            omissions.append(Omission(run, _join(src_sents, run), src_sents[run[0]].paragraph,
                                      "unmatched", bi, b.score))
        for run in _runs(miss_t, tgt_sents):
            additions.append(Addition(run, _join(tgt_sents, run), tgt_sents[run[0]].paragraph,
                                      "unmatched", bi, b.score))
        if b.score < threshold:
            low.append(LowConfidence(bi, b.src_ids, b.tgt_ids, b.src, b.tgt, b.score, b.similarity))
            status = "low"
        else:
            covered.update(i for i in b.src_ids if i not in un_src)
        if names or numbers:
            cmp = compare_pair(b.src, b.tgt, src_lang=a.src_lang, tgt_lang=a.tgt_lang,
                               src_latin=src_latin, tgt_latin=tgt_latin, ignore=ignore)
            ns, nt = cmp["numbers"] if numbers else ([], [])
            ms, mt = cmp["names"] if names else ([], [])
            if ns or nt or ms or mt:
                suspects.append(Suspect(bi, b.src_ids, b.tgt_ids, b.src, b.tgt, b.score,
                                        tuple(ns), tuple(nt), tuple(ms), tuple(mt)))
                if status == "ok":
                    status = "suspect"
        if status == "ok" and terms_found is not None and bi in terms_found.missed_beads:
            status = "term"
        if miss_s or miss_t:
            status = "unmatched"
        statuses.append(status)

    # per source paragraph
    paragraphs: dict[int, ParagraphCoverage] = {}
    by_par: dict[int, list[int]] = {}
    for i, s in enumerate(src_sents):
        by_par.setdefault(s.paragraph, []).append(i)
    for p, ids in by_par.items():
        paragraphs[p] = ParagraphCoverage(
            p,
            tuple(ids),
            tuple(i for i in ids if i in covered),
            sum(_chars(src_sents[i].text) for i in ids),
            sum(_chars(src_sents[i].text) for i in ids if i in covered),
        )
    for o in omissions:
        paragraphs[o.paragraph].omissions += len(o.src_ids)
    for x in additions:
        p = src_par_of_bead[x.bead]
        if p in paragraphs:
            paragraphs[p].additions += len(x.tgt_ids)
    # a bead that spans paragraphs counts in each of them
    for x in low:
        for p in {src_sents[i].paragraph for i in x.src_ids}:
            paragraphs[p].low_confidence += 1
    for x in suspects:
        for p in {src_sents[i].paragraph for i in x.src_ids}:
            paragraphs[p].suspects += 1

    omissions.sort(key=lambda o: o.src_ids)
    additions.sort(key=lambda x: x.tgt_ids)
    return CoverageReport(
        alignment=a,
        threshold=threshold,
        unmatched_z=unmatched_z,
        covered_ids=tuple(sorted(covered)),
        src_chars=sum(_chars(s.text) for s in src_sents),
        covered_chars=sum(_chars(src_sents[i].text) for i in covered),
        omissions=omissions,
        additions=additions,
        low_confidence=low,
        suspects=suspects,
        paragraphs=[paragraphs[p] for p in sorted(paragraphs)],
        statuses=statuses,
        term_misses=terms_found.misses if terms_found else [],
        inconsistent_terms=terms_found.inconsistent if terms_found else [],
        glossary=terms_found.glossary if terms_found else None,
        consistency_checked=bool(terms_found and terms_found.consistent),
    )


def _terms(alignment, glossary, consistency, model):
    """The terminology findings (:func:`bitext.glossary.term_findings`), or None when not asked for."""
    if glossary is None and not consistency:
        return None
    from .glossary import as_glossary, term_findings

    return term_findings(alignment, as_glossary(glossary), consistent=glossary is not None if consistency is None
                         else consistency, model=model)


def _join(sents, ids) -> str:
    return " ".join(sents[i].text for i in ids)


# --------------------------------------------------------------------------
# text rendering


def _wrap(prefix: str, text: str, width: int) -> list[str]:
    """``prefix`` then ``text``, wrapped by display width (CJK characters count double)."""
    lines, cur, cur_w = [], prefix, _dw(prefix)
    indent = " " * _dw(prefix)
    for ch in text:
        w = 2 if unicodedata.east_asian_width(ch) in "WF" else 1
        if cur_w + w > width and cur.strip():
            lines.append(cur.rstrip())
            cur, cur_w = indent, len(indent)
            if ch == " ":
                continue
        cur += ch
        cur_w += w
    lines.append(cur.rstrip())
    return lines


def _dw(s: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)


def _ids_str(ids) -> str:
    ids = list(ids)
    if len(ids) > 2 and ids == list(range(ids[0], ids[-1] + 1)):
        return f"{ids[0]}-{ids[-1]}"
    return ",".join(str(i) for i in ids)


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def _render_text(r: CoverageReport, width: int) -> str:
    a = r.alignment
    sl, tl = a.src_lang, a.tgt_lang
    out = [
        f"Coverage report: {sl} -> {tl}: {r.src_sentences} source sentences, "
        f"{r.tgt_sentences} target sentences, {len(a.beads)} beads",
        f"(sentence ids and paragraphs count from 0; threshold {r.threshold:g}: "
        "a bead scored below it is low-confidence)",
        "",
        f"Coverage:        {r.covered_sentences}/{r.src_sentences} source sentences ({_pct(r.coverage)}), "
        f"{r.covered_chars}/{r.src_chars} characters ({_pct(r.char_coverage)})",
        f"Omissions:       {len(r.omitted_ids)} source sentence(s)",
        f"Additions:       {len(r.added_ids)} target sentence(s)",
        f"Low confidence:  {len(r.low_confidence)} bead(s)",
        f"Suspect pairs:   {len(r.suspects)} bead(s) whose numbers or names differ",
    ]
    if r.glossary is not None:
        out.append(f"Glossary terms:  {len(r.term_misses)} bead(s) with a term not rendered as {r.glossary} says")
    if r.consistency_checked:
        out.append(f"Inconsistent:    {len(r.inconsistent_terms)} source term(s) rendered in more than one way")
    if r.coverage == 1.0 and not r.omissions and not r.additions and not r.suspects and not r.low_confidence:
        out += ["", "Every source sentence is translated; nothing was added."]
    pars = r.paragraphs
    problem = [p for p in pars if p.coverage < 1 or p.omissions or p.additions or p.suspects or p.low_confidence]
    per_line = all(p.sentences == 1 for p in pars) and len(pars) > 1
    shown = pars if len(pars) <= 40 and not per_line else problem
    if shown:
        title = "Paragraphs" if shown is pars else "Paragraphs with findings"
        out += ["", f"{title} (source paragraph: sentence ids, coverage, findings)"]
        out.append(f"  {'par':>4} {'sentences':>10} {'covered':>8} {'coverage':>9} {'omit':>5} {'add':>4} {'low':>4} {'susp':>5}")
        for p in shown:
            out.append(
                f"  {p.paragraph:>4} {_ids_str(p.src_ids):>10} {p.covered_sentences:>4}/{p.sentences:<3} "
                f"{_pct(p.coverage):>9} {p.omissions:>5} {p.additions:>4} {p.low_confidence:>4} {p.suspects:>5}"
            )
    if r.omissions:
        out += ["", "Omissions: source sentences with no translation"]
        for o in r.omissions:
            why = "no counterpart" if o.kind == "unaligned" else f"aligned in bead {o.bead}, but unlike its target"
            out.append(f"  {sl} {_ids_str(o.src_ids)} (paragraph {o.paragraph}; {why}):")
            out += _wrap("    ", o.text, width)
    if r.additions:
        out += ["", "Additions: target sentences with no source"]
        for x in r.additions:
            why = "no counterpart" if x.kind == "unaligned" else f"aligned in bead {x.bead}, but unlike its source"
            out.append(f"  {tl} {_ids_str(x.tgt_ids)} (paragraph {x.paragraph}; {why}):")
            out += _wrap("    ", x.text, width)
    if r.low_confidence:
        out += ["", f"Low-confidence beads (score < {r.threshold:g})"]
        for x in r.low_confidence:
            out += _bead_lines(x, f", score {x.score:.2f}", sl, tl, width)
    if r.suspects:
        out += ["", "Suspect pairs: numbers or names differ"]
        for x in r.suspects:
            out += _bead_lines(x, ": " + "; ".join(x.reasons), sl, tl, width)
    if r.glossary is not None or r.consistency_checked:
        from .glossary import render_text

        out += render_text(r, lambda x, tail: _bead_lines(x, tail, sl, tl, width), _wrap, width)
    return "\n".join(out) + "\n"


def _bead_lines(x, tail: str, sl: str, tl: str, width: int) -> list[str]:
    """A finding about bead ``x`` (with ``bead``, ``src_ids``, ``tgt_ids``, ``src``, ``tgt``): its
    ids, ``tail``, and both sides wrapped."""
    return ([f"  bead {x.bead}: {sl} {_ids_str(x.src_ids)} <-> {tl} {_ids_str(x.tgt_ids)}{tail}"]
            + _wrap(f"    {sl}: ", x.src, width) + _wrap(f"    {tl}: ", x.tgt, width))


# --------------------------------------------------------------------------
# command line


def _threshold_arg(s: str) -> float:
    import argparse

    try:
        v = float(s)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {s!r}") from None
    if not 0.0 <= v <= 1.0:
        raise argparse.ArgumentTypeError(f"must be between 0 and 1, got {s}")
    return v


def _off_or_nonneg(s: str) -> float | None:
    """``off`` (None) or a number >= 0."""
    import argparse

    if s.strip().lower() in ("off", "none"):
        return None
    try:
        v = float(s)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number or 'off': {s!r}") from None
    if not v >= 0.0 or math.isinf(v):
        raise argparse.ArgumentTypeError(f"must be 0 or more (or 'off'), got {s}")
    return v


def add_cli(sub, add_common) -> None:
    """Add ``bitext coverage`` to the ``bitext`` command's subparsers."""
    p = sub.add_parser(
        "coverage",
        help="report untranslated and added sentences, low-confidence and suspect pairs",
        description="Align SRC with its translation TGT and report coverage: omissions, "
        "additions, low-confidence beads and pairs whose numbers or names differ.",
    )
    add_common(p)
    p.add_argument("--format", choices=("text", "json", "html"), default="text",
                   help="report format (default: text; html is one self-contained file)")
    p.add_argument("--threshold", type=_threshold_arg, default=None, metavar="T",
                   help=f"beads scored below T (0 to 1) are low-confidence (default: {DEFAULT_THRESHOLD})")
    p.add_argument("--unmatched-z", type=_off_or_nonneg, default=DEFAULT_UNMATCHED_Z, metavar="Z",
                   help="a sentence inside a bead is unmatched when its similarity lies Z robust standard "
                   f"deviations below the document's median; lower finds more (default: {DEFAULT_UNMATCHED_Z}; "
                   "'off': report only what the aligner left unaligned)")
    p.add_argument("--loo-gain", type=_off_or_nonneg, default=DEFAULT_LOO_GAIN, metavar="G",
                   help="a sentence inside a bead is unmatched when the bead without it resembles the other "
                   f"side better by more than G (cosine; default: {DEFAULT_LOO_GAIN}; 'off': no such test)")
    p.add_argument("--glossary", metavar="TSV",
                   help="report beads whose source holds a term of this glossary (term, tab, renderings "
                   "separated by |, optional note) and whose target none of its renderings; implies --consistency")
    p.add_argument("--consistency", action="store_true",
                   help="report source terms rendered in more than one way (needs jieba for Chinese)")
    p.set_defaults(func=_run_cli)


def _run_cli(args) -> int:
    from .cli import run_align_command

    fmt, threshold = args.format, args.threshold
    kw = {"unmatched_z": args.unmatched_z, "loo_gain": args.loo_gain, "progress": not args.quiet,
          "consistency": True if args.consistency else None}
    if args.glossary:  # read before aligning: a bad glossary fails at once
        from .glossary import GlossaryError, read_glossary

        try:
            kw["glossary"] = read_glossary(args.glossary)
        except GlossaryError as e:
            print(f"bitext coverage: error: {e}", file=sys.stderr)
            return 2

    def render(alignment) -> str:
        return coverage(alignment, threshold, **kw).render(fmt)

    return run_align_command(args, "bitext coverage", render)


# --------------------------------------------------------------------------
# ``bitext.coverage(alignment)``: the module is callable


from ._callable import make_callable  # noqa: E402

make_callable(__name__, "coverage")

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
  between the sides, or where a Latin-script name appears on one side only;
- **findings of the translation checks** (:class:`Finding`): target
  sentences left in the source language or copied (:mod:`bitext.check.untranslated`),
  names not rendered as the document renders them (:mod:`bitext.check.names`); other
  checks append their own findings.

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

``bitext.coverage(alignment)`` is ``bitext.check.coverage.coverage(alignment)``.
It runs the checks into the report; the parts live in their own modules:

- :mod:`bitext.check.suspects`: numbers and names that one side has and the other
  lacks (:func:`extract_numbers`, :func:`extract_names`, :func:`compare_pair`);
- :mod:`bitext.check.unmatched`: the unmatched sentences and the leave-one-out test;
- :mod:`bitext.check.records`: the records (:class:`CoverageReport` ...),
  their dicts, JSON and text; :mod:`bitext.views.report` writes the HTML.

Command line (:mod:`bitext.cli.coverage`): ``bitext coverage SRC TGT
[--format text|json|html] [--threshold T] [--unmatched-z Z|off] [--loo-gain G|off]
[--glossary TSV] [--consistency]``.

With a glossary (``glossary=``, ``--glossary``), beads whose terms are not
rendered as it says are reported, and source terms rendered in more than
one way (:mod:`bitext.check.glossary`).
"""

from __future__ import annotations

import math

from ..text.segment import visible_chars
from .clauses import clause_findings
from .records import (
    Addition,
    CoverageReport,
    Finding,
    LowConfidence,
    Omission,
    ParagraphCoverage,
    Suspect,
    finding_rank,
)
from .suspects import common_names, compare_pair, latin_script
from .unmatched import DEFAULT_LOO_GAIN, DEFAULT_UNMATCHED_Z, unmatched_sentences

__all__ = [
    "coverage",
    "DEFAULT_THRESHOLD",
]

DEFAULT_THRESHOLD = 0.60
"""Beads scored below this are *low-confidence* (chosen by ``bench/calibrate_coverage.py``)."""


def _runs(ids, sents) -> list[tuple[int, ...]]:
    """Split sorted ids into runs of consecutive ids within one paragraph."""
    out: list[list[int]] = []
    for i in sorted(ids):
        if out and i == out[-1][-1] + 1 and sents[i].paragraph == sents[out[-1][-1]].paragraph:
            out[-1].append(i)
        else:
            out.append([i])
    return [tuple(r) for r in out]


def coverage(
    alignment,
    threshold: float | None = None,
    *,
    unmatched_z: float | None = DEFAULT_UNMATCHED_Z,
    loo_gain: float | None = DEFAULT_LOO_GAIN,
    names: bool = True,
    numbers: bool = True,
    model=None,
    progress: bool = False,
    glossary=None,
    consistency: bool | None = None,
    untranslated: bool = True,
    clauses: bool | str = True,
) -> CoverageReport:
    """Coverage report of an :class:`~bitext.pipeline.Alignment`.

    ``threshold``: beads with both sides scored below it are low-confidence
    and do not count as coverage (default :data:`DEFAULT_THRESHOLD`).
    ``unmatched_z``: how far below the document's typical in-bead similarity
    a sentence must be to count as untranslated inside its bead (``None``
    reports only what the aligner left unaligned). ``loo_gain``: a sentence
    inside a bead of two or more sentences on its side whose bead, without
    it, resembles the other side better by more than this is unmatched too
    (``None``: off). It encodes text, with ``model`` (an
    :class:`~bitext.embed.embedder.Embedder`, or what :func:`~bitext.embed.load_model`
    takes), by default the alignment's own: an alignment made by
    :func:`bitext.align` in this process has it, one unpickled (from a batch
    worker) does not, and without a model the test is skipped. It must be the
    model that made the alignment. ``progress``: a progress bar for the
    leave-one-out encodings of a long document. ``names``/``numbers``:
    look for suspect pairs by names and by numbers. ``glossary``: a
    :class:`~bitext.check.glossary.Glossary` (or a TSV file's path, or ``{term:
    renderings}``): beads whose source holds one of its terms and whose
    target none of its renderings are reported (:attr:`CoverageReport.term_misses`,
    bead status ``term``); ``consistency``: report source terms rendered in
    more than one way (:attr:`CoverageReport.inconsistent_terms`; default: when
    a glossary is given). See :mod:`bitext.check.glossary`.

    The translation checks add :class:`Finding` records
    (:attr:`CoverageReport.findings`): ``untranslated``: target sentences left
    in the source language or copied (:mod:`bitext.check.untranslated`);
    ``names``: also beads whose names are not rendered as the document
    renders them (:mod:`bitext.check.names`). A bead with a finding takes the
    finding's kind as its status where it would be ``ok``, ``suspect`` or
    ``term`` (of several findings, the first kind of
    :data:`~bitext.check.records.FINDING_KINDS`); ``unmatched``, ``low``,
    ``omission`` and ``addition`` stay. A source sentence whose whole
    translation is untranslated or copied is not covered, nor are the
    characters of a clause left out (a ``clause_omitted`` finding's
    ``evidence["chars"]``). ``clauses``: look for clauses with no
    counterpart inside the beads that nothing else reports
    (:mod:`bitext.check.clauses`; it encodes text again with ``model``):
    findings ``clause_omitted``, ``clause_added``, ``mistranslation``;
    ``True`` is ``"strict"``, ``"sensitive"`` finds more and flags more
    (:data:`bitext.check.clauses.RULES`).
    """
    if not (hasattr(alignment, "beads") and hasattr(alignment, "src_sentences")):
        raise TypeError(f"alignment must be an Alignment (what bitext.align returns), got {type(alignment).__name__}")
    if threshold is None:
        threshold = DEFAULT_THRESHOLD
    if isinstance(threshold, bool) or not isinstance(threshold, (int, float)):
        raise TypeError(f"threshold must be a number from 0 to 1, got {type(threshold).__name__}")
    threshold = float(threshold)
    if not 0.0 <= threshold <= 1.0 or math.isnan(threshold):
        raise ValueError(f"threshold must be between 0 and 1, got {threshold}")
    a = alignment
    beads = list(a.beads)
    src_sents, tgt_sents = a.src_sentences, a.tgt_sentences
    if model is None:
        model = getattr(a, "model", None)
    elif not hasattr(model, "spans"):
        from ..embed import load_model

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
            omissions += _unpaired(Omission, b.src_ids, src_sents, "unaligned", bi, b.score)
            statuses.append("omission")
            continue
        if not b.src_ids:
            additions += _unpaired(Addition, b.tgt_ids, tgt_sents, "unaligned", bi, b.score)
            statuses.append("addition")
            continue
        status = "ok"
        miss_s = [i for i in b.src_ids if i in un_src]
        miss_t = [j for j in b.tgt_ids if j in un_tgt]
        omissions += _unpaired(Omission, miss_s, src_sents, "unmatched", bi, b.score)
        additions += _unpaired(Addition, miss_t, tgt_sents, "unmatched", bi, b.score)
        if b.score < threshold:
            low.append(LowConfidence(bi, b.src_ids, b.tgt_ids, b.src, b.tgt, b.score, b.similarity))
            status = "low"
        else:
            covered.update(i for i in b.src_ids if i not in un_src)
        if names or numbers:
            cmp = compare_pair(
                b.src,
                b.tgt,
                src_lang=a.src_lang,
                tgt_lang=a.tgt_lang,
                src_latin=src_latin,
                tgt_latin=tgt_latin,
                ignore=ignore,
            )
            ns, nt = cmp["numbers"] if numbers else ([], [])
            ms, mt = cmp["names"] if names else ([], [])
            if ns or nt or ms or mt:
                suspects.append(
                    Suspect(bi, b.src_ids, b.tgt_ids, b.src, b.tgt, b.score, tuple(ns), tuple(nt), tuple(ms), tuple(mt))
                )
                if status == "ok":
                    status = "suspect"
        if status == "ok" and terms_found is not None and bi in terms_found.missed_beads:
            status = "term"
        if miss_s or miss_t:
            status = "unmatched"
        statuses.append(status)

    findings: list[Finding] = []
    if untranslated:
        from .untranslated import untranslated_findings

        findings += untranslated_findings(a)
    if names:
        from .names import name_findings

        findings += name_findings(a)
    if clauses:
        findings += clause_findings(
            a,
            model,
            skip={bi for bi, st in enumerate(statuses) if st not in _CHECKED},
            progress=progress,
            rules="strict" if clauses is True else clauses,
        )
    findings.sort(key=lambda f: (f.bead, finding_rank(f.kind)))
    lost_chars = _apply_findings(findings, statuses, covered, src_sents)

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
            sum(visible_chars(src_sents[i].text) for i in ids),
            sum(visible_chars(src_sents[i].text) for i in ids if i in covered) - lost_chars.get(p, 0),
        )
    for o in omissions:
        paragraphs[o.paragraph].omissions += len(o.src_ids)
    for x in additions:
        p = src_par_of_bead[x.bead]
        if p in paragraphs:
            paragraphs[p].additions += len(x.tgt_ids)
    # a bead that spans paragraphs counts in each of them
    for lc in low:
        for p in {src_sents[i].paragraph for i in lc.src_ids}:
            paragraphs[p].low_confidence += 1
    for sus in suspects:
        for p in {src_sents[i].paragraph for i in sus.src_ids}:
            paragraphs[p].suspects += 1
    for bi in sorted({f.bead for f in findings}):
        for p in {src_sents[i].paragraph for i in beads[bi].src_ids}:
            paragraphs[p].findings += 1

    omissions.sort(key=lambda o: o.src_ids)
    additions.sort(key=lambda x: x.tgt_ids)
    return CoverageReport(
        alignment=a,
        threshold=threshold,
        unmatched_z=unmatched_z,
        covered_ids=tuple(sorted(covered)),
        src_chars=sum(visible_chars(s.text) for s in src_sents),
        covered_chars=sum(visible_chars(src_sents[i].text) for i in covered) - sum(lost_chars.values()),
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
        findings=findings,
    )


_UNCOVERING = ("untranslated", "copied")
_CHECKED = ("ok", "suspect", "term")  # the statuses whose beads the clause check looks into


def _apply_findings(findings, statuses: list[str], covered: set[int], src_sents) -> dict[int, int]:
    """Give each bead with findings its first finding's kind as status (over ``ok``, ``suspect``
    and ``term``); take out of ``covered`` the source sentences of beads whose every target
    sentence is untranslated or copied. Returns the characters of omitted clauses that do not
    count as covered, per source paragraph."""
    by_bead: dict[int, list[Finding]] = {}
    for f in findings:
        by_bead.setdefault(f.bead, []).append(f)
    lost: dict[int, int] = {}
    for bi, fs in by_bead.items():
        if statuses[bi] in ("ok", "suspect", "term"):
            statuses[bi] = min(fs, key=lambda f: finding_rank(f.kind)).kind
        bad = {j for f in fs if f.kind in _UNCOVERING for j in f.evidence.get("tgt_ids", f.tgt_ids)}
        if bad and bad >= set(fs[0].tgt_ids):
            covered.difference_update(fs[0].src_ids)
        for f in fs:
            at = f.evidence.get("sentence", f.src_ids[0] if f.src_ids else None)  # the clause's sentence
            if f.kind == "clause_omitted" and at in covered:
                n = min(int(f.evidence.get("chars", 0)), visible_chars(src_sents[at].text))
                par = src_sents[at].paragraph
                lost[par] = lost.get(par, 0) + n
    return lost


def _terms(alignment, glossary, consistency, model):
    """The terminology findings (:func:`bitext.check.glossary.term_findings`), or None when not asked for."""
    if glossary is None and not consistency:
        return None
    from .glossary import as_glossary, term_findings

    return term_findings(
        alignment,
        as_glossary(glossary),
        consistent=glossary is not None if consistency is None else consistency,
        model=model,
    )


def _unpaired(record, ids, sents, kind: str, bead: int, score: float) -> list:
    """An :class:`Omission` or :class:`Addition` (``record``) of each run of
    ``ids`` (:func:`_runs`), sentences of one side of bead ``bead``."""
    return [
        record(run, " ".join(sents[i].text for i in run), sents[run[0]].paragraph, kind, bead, score)
        for run in _runs(ids, sents)
    ]

"""pandas DataFrames of an alignment, a coverage report and a batch.

pandas is optional (``pip install "bitext[notebook]"``); it is imported when
a frame is first built.

>>> a.to_pandas()                      # doctest: +SKIP  one row a bead
>>> report.to_pandas()                 # doctest: +SKIP  the same, with each bead's status
>>> report.to_pandas("findings")       # doctest: +SKIP  omissions, additions, low-confidence beads, suspects
>>> report.to_pandas("paragraphs")     # doctest: +SKIP  coverage per source paragraph
>>> batch_frame("out/")                # doctest: +SKIP  one row a pair of a `bitext batch` folder

Columns
-------
**beads** (:func:`beads_frame`; index ``bead``, the bead's position from 0):
``src_ids``, ``tgt_ids`` (tuples of sentence ids, 0-based), ``kind``
(``"1-2"``), ``score`` (confidence in [0, 1]), ``similarity`` (cosine of the
two sides), ``src``, ``tgt`` (the text), and with a report ``status`` (``ok``,
``suspect``, ``low``, ``unmatched``, ``omission``, ``addition``).

**findings** (:func:`findings_frame`; one row a finding, in the order of the
report): ``finding`` (``omission``, ``addition``, ``low_confidence``,
``suspect``, or the kind of a finding of the translation checks:
``untranslated``, ``copied``, ``name`` ...), ``kind`` (``unaligned``: a 1-0
or 0-1 bead; ``unmatched``: a sentence inside a bead that does not resemble
the other side; empty for the other findings), ``bead``, ``src_ids``,
``tgt_ids``, ``paragraph`` (the source paragraph; for additions the target
paragraph), ``score``, ``src``, ``tgt``, ``reasons`` (why a bead is suspect,
``"; "``-joined, or the finding's message) and ``evidence`` (a finding's
evidence, a dict; None for the others).

**paragraphs** (:func:`paragraphs_frame`; index ``paragraph``):
``sentences``, ``covered_sentences``, ``coverage``, ``chars``,
``covered_chars``, ``char_coverage``, ``omissions``, ``additions``,
``low_confidence``, ``suspects``, ``findings``, ``src_ids``.

**batch** (:func:`batch_frame`; index ``id``): ``status`` (``ok``,
``skipped``, ``error``), ``n_src``, ``n_tgt``, ``n_beads``, ``coverage``
(from the coverage report when there is one, else the share of source
sentences in beads with a target side), ``omissions``, ``additions``
(sentences), ``low_confidence``, ``suspects``, ``findings`` (beads), ``warning`` (the
model does not read a language), ``error``, ``seconds``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from ..formats.summary import REPORT_SUFFIX, SUMMARY_NAME, check_id, read_summary

__all__ = [
    "beads_frame",
    "findings_frame",
    "paragraphs_frame",
    "batch_frame",
    "batch_reports",
    "BATCH_COLUMNS",
    "FINDINGS_COLUMNS",
]

FINDINGS_COLUMNS = (
    "finding",
    "kind",
    "bead",
    "src_ids",
    "tgt_ids",
    "paragraph",
    "score",
    "src",
    "tgt",
    "reasons",
    "evidence",
)
BATCH_COLUMNS = (
    "status",
    "n_src",
    "n_tgt",
    "n_beads",
    "coverage",
    "omissions",
    "additions",
    "low_confidence",
    "suspects",
    "findings",
    "warning",
    "error",
    "seconds",
)


def _pandas():
    try:
        import pandas
    except ImportError:
        raise ImportError('DataFrames need pandas: pip install "bitext[notebook]"') from None
    return pandas


def beads_frame(alignment, report=None):
    """One row a bead of ``alignment`` (with ``report``: and its status)."""
    pd = _pandas()
    beads = alignment.beads
    cols = {
        "src_ids": [tuple(b.src_ids) for b in beads],
        "tgt_ids": [tuple(b.tgt_ids) for b in beads],
        "kind": [b.kind for b in beads],
        "score": [float(b.score) for b in beads],
        "similarity": [float(b.similarity) for b in beads],
    }
    if report is not None:
        cols["status"] = list(report.statuses)
    cols["src"] = [b.src for b in beads]
    cols["tgt"] = [b.tgt for b in beads]
    return pd.DataFrame(cols, index=pd.RangeIndex(len(beads), name="bead"))


def _src_paragraph(alignment, ids) -> int | None:
    return alignment.src_sentences[ids[0]].paragraph if ids else None


def findings_frame(report):
    """One row a finding of ``report``: omissions, additions, low-confidence beads, suspects."""
    pd = _pandas()
    a = report.alignment
    rows: list[tuple] = []
    for o in report.omissions:
        rows.append(("omission", o.kind, o.bead, tuple(o.src_ids), (), o.paragraph, o.score, o.text, "", "", None))
    for x in report.additions:
        rows.append(("addition", x.kind, x.bead, (), tuple(x.tgt_ids), x.paragraph, x.score, "", x.text, "", None))
    for lc in report.low_confidence:
        rows.append(
            (
                "low_confidence",
                "",
                lc.bead,
                tuple(lc.src_ids),
                tuple(lc.tgt_ids),
                _src_paragraph(a, lc.src_ids),
                lc.score,
                lc.src,
                lc.tgt,
                "",
                None,
            )
        )
    for s in report.suspects:
        rows.append(
            (
                "suspect",
                "",
                s.bead,
                tuple(s.src_ids),
                tuple(s.tgt_ids),
                _src_paragraph(a, s.src_ids),
                s.score,
                s.src,
                s.tgt,
                "; ".join(s.reasons),
                None,
            )
        )
    for f in getattr(report, "findings", ()):
        rows.append(
            (
                f.kind,
                "",
                f.bead,
                tuple(f.src_ids),
                tuple(f.tgt_ids),
                _src_paragraph(a, f.src_ids),
                f.score,
                f.src,
                f.tgt,
                f.message,
                dict(f.evidence),
            )
        )
    df = pd.DataFrame(rows, columns=list(FINDINGS_COLUMNS))
    return df.astype({"bead": "int64", "score": "float64"})


def paragraphs_frame(report):
    """One row a source paragraph of ``report``."""
    pd = _pandas()
    rows = []
    for p in report.paragraphs:
        d = p.to_dict()
        d["src_ids"] = tuple(d["src_ids"])
        d["coverage"], d["char_coverage"] = float(p.coverage), float(p.char_coverage)
        rows.append(d)
    cols = [
        "paragraph",
        "sentences",
        "covered_sentences",
        "coverage",
        "chars",
        "covered_chars",
        "char_coverage",
        "omissions",
        "additions",
        "low_confidence",
        "suspects",
        "findings",
        "src_ids",
    ]
    return pd.DataFrame(rows, columns=cols).set_index("paragraph")


def _row(rec: dict) -> dict:
    row = {k: rec.get(k) for k in BATCH_COLUMNS}
    if rec.get("report_coverage") is not None:  # the report's coverage: confident, matching beads
        row["coverage"] = rec["report_coverage"]
    return row


def batch_reports(source) -> dict:
    """The coverage report of every pair of a batch: ``{id: report}``.

    ``source``: a ``bitext batch --coverage`` output folder (the values are
    the reports' JSON, as dicts) or results of :func:`~bitext.batch.align_many`
    run with ``coverage=True`` (the values are
    :class:`~bitext.check.records.CoverageReport`). Pairs without a report (errors)
    are left out.
    """
    if isinstance(source, (str, os.PathLike)):
        out = {}
        for rec in _summary_records(Path(source)):
            if check_id(rec["id"]):  # an id batch refuses (../secret) names no file of the folder
                continue
            path = Path(source) / f"{rec['id']}{REPORT_SUFFIX}"
            if rec.get("status") in ("ok", "skipped") and path.is_file():
                out[rec["id"]] = json.loads(path.read_text("utf-8"))
        return out
    return {r.id: r.report for r in source if getattr(r, "report", None) is not None}


def _summary_records(folder: Path) -> list[dict]:
    path = folder / SUMMARY_NAME
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no batch summary here (run bitext batch -o {folder} first)")
    return list(read_summary(path).values())


def batch_frame(source):
    """One row a pair: coverage, omissions, additions, low-confidence beads, warning, error.

    ``source``: a ``bitext batch`` output folder (its ``summary.jsonl``; the
    counts come from the summary, which ``--coverage`` fills) or the
    :class:`~bitext.batch.PairResult` objects :func:`~bitext.batch.align_many`
    yields (run with ``coverage=True`` for the counts). Without coverage
    reports, the counts are empty and ``coverage`` is the share of source
    sentences in beads with a target side.
    """
    pd = _pandas()
    if isinstance(source, (str, os.PathLike)):
        records = _summary_records(Path(source))
    else:
        records = [r.summary() for r in source]
    df = pd.DataFrame(
        [_row(rec) for rec in records],
        index=pd.Index([r["id"] for r in records], name="id"),
        columns=list(BATCH_COLUMNS),
    )
    return df.astype(
        {
            k: "Int64"
            for k in ("n_src", "n_tgt", "n_beads", "omissions", "additions", "low_confidence", "suspects", "findings")
        }
    )

"""How an :class:`~bitext.Alignment` and a coverage report show themselves.

``repr()`` is one line; in a notebook (``_repr_html_``) a compact summary and
the first beads, coloured by status, with a note of how many are not shown.
An alignment without a report gets the statuses that need no report:
``omission`` (1-0), ``addition`` (0-1), ``low`` (score below
:data:`~bitext.check.coverage.DEFAULT_THRESHOLD`), else ``ok``.
"""

from __future__ import annotations

from collections import Counter

from .markup import escape, id_list
from .report import status_style

__all__ = ["bead_statuses", "alignment_repr", "report_repr", "alignment_html", "report_html", "MAX_ROWS"]

MAX_ROWS = 20
"""Beads shown by ``_repr_html_``."""

_TEXT_CHARS = 160  # a bead's text is cut to this many characters in the notebook table


def bead_statuses(alignment, report=None) -> list[str]:
    """One status a bead: the report's, else what the beads alone tell."""
    if report is not None:
        return list(report.statuses)
    from ..check.coverage import DEFAULT_THRESHOLD

    out = []
    for b in alignment.beads:
        if not b.tgt_ids:
            out.append("omission")
        elif not b.src_ids:
            out.append("addition")
        else:
            out.append("low" if b.score < DEFAULT_THRESHOLD else "ok")
    return out


def _kinds(alignment) -> str:
    c = Counter(b.kind for b in alignment.beads)
    return ", ".join(f"{k}: {v}" for k, v in sorted(c.items(), key=lambda kv: -kv[1]))


def alignment_repr(a) -> str:
    n = len(a.beads)
    mean = sum(b.score for b in a.beads) / n if n else float("nan")
    return (
        f"<Alignment {a.src_lang}\u2192{a.tgt_lang}: {len(a.src_sentences)} x {len(a.tgt_sentences)} sentences, "
        f"{n} beads ({_kinds(a) or 'none'}), mean score {mean:.2f}>"
    )


def report_repr(r) -> str:
    a = r.alignment
    return (
        f"<CoverageReport {a.src_lang}\u2192{a.tgt_lang}: coverage {100 * r.coverage:.1f}% "
        f"({r.covered_sentences}/{r.src_sentences}), {len(r.omitted_ids)} omitted, {len(r.added_ids)} added, "
        f"{len(r.low_confidence)} low-confidence, {len(r.suspects)} suspect, {len(r.findings)} findings>"
    )


def _meaning(status: str, label: str) -> str:
    """What the legend adds to a status's name: ``omission`` has the label ``omission (no
    translation)``, so `` (no translation)``; ``ok`` has ``translated``, so ``: translated``."""
    if label == status:
        return ""
    if label.startswith(status):
        return label[len(status) :]
    return f": {label}"


def _cut(s: str) -> str:
    return s if len(s) <= _TEXT_CHARS else s[: _TEXT_CHARS - 1] + "\u2026"


_CELL = "padding:3px 6px;vertical-align:top;text-align:left;border-bottom:1px solid #ddd;"


def _table(a, statuses: list[str], max_rows: int) -> str:
    td = f'style="{_CELL}"'
    head = "".join(
        f"<th {td}>{h}</th>"
        for h in (
            "#",
            "status",
            "src ids",
            f"source ({escape(a.src_lang)})",
            f"target ({escape(a.tgt_lang)})",
            "tgt ids",
            "score",
        )
    )
    rows = []
    for i, (b, st) in enumerate(zip(a.beads[:max_rows], statuses)):
        _, col, bg = status_style(st)
        rows.append(
            f'<tr class="s-{escape(st)}" style="background:{bg}">'
            f'<td style="{_CELL}border-left:5px solid {col}">{i}</td>'
            f'<td {td}><span style="color:{col};font-weight:600">{escape(st)}</span></td>'
            f'<td {td}>{id_list(b.src_ids)}</td><td {td} lang="{escape(a.src_lang)}">{escape(_cut(b.src))}</td>'
            f'<td {td} lang="{escape(a.tgt_lang)}">{escape(_cut(b.tgt))}</td><td {td}>{id_list(b.tgt_ids)}</td>'
            f"<td {td}>{b.score:.2f}</td></tr>"
        )
    rest = len(a.beads) - max_rows
    note = (
        (f'<p class="more" style="color:#666">{rest} more beads not shown (all of them: <code>.to_pandas()</code>)</p>')
        if rest > 0
        else ""
    )
    legend = " ".join(
        f'<span style="color:{status_style(k)[1]}">&#9632; {escape(k)}</span>'
        f'<span style="color:#666">{escape(_meaning(k, status_style(k)[0]))}</span>'
        for k in dict.fromkeys(statuses)
    )
    return (
        f'<div style="font-size:90%">{legend}</div>'
        f'<table class="bitext-beads" style="border-collapse:collapse"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>{note}"
    )


def alignment_html(a, max_rows: int = MAX_ROWS) -> str:
    """The alignment for a notebook: summary line and the first ``max_rows`` beads."""
    return f"<div><p><b>{escape(alignment_repr(a)[1:-1])}</b></p>{_table(a, bead_statuses(a), max_rows)}</div>"


def report_html(r, max_rows: int = MAX_ROWS) -> str:
    """The report for a notebook: its counts and the first ``max_rows`` beads with their status."""
    a = r.alignment
    counts = (
        f"coverage <b>{100 * r.coverage:.1f}%</b> ({r.covered_sentences}/{r.src_sentences} source sentences), "
        f"<b>{len(r.omitted_ids)}</b> omitted, <b>{len(r.added_ids)}</b> added, "
        f"<b>{len(r.low_confidence)}</b> low-confidence (score &lt; {r.threshold:g}), "
        f"<b>{len(r.suspects)}</b> suspect, <b>{len(r.findings)}</b> findings of the translation checks"
        + (" (" + ", ".join(f"{n} {escape(k)}" for k, n in r.findings_by_kind().items()) + ")" if r.findings else "")
    )
    return (
        f"<div><p><b>Coverage report {escape(a.src_lang)}&#8594;{escape(a.tgt_lang)}</b>: {counts}; "
        f"{len(a.beads)} beads.</p>{_table(a, bead_statuses(a, r), max_rows)}</div>"
    )

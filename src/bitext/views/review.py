"""The review page: one offline HTML file in which a person corrects an alignment.

:func:`render_review` turns a :class:`~bitext.check.records.CoverageReport` into
a self-contained page (inline script and style, nothing fetched) holding
both sides' sentences, the beads with their score and status, the report's
findings and the header of :mod:`bitext.aligner.fixed` (languages, sentence
hashes). In the page a person merges, splits, moves and detaches sentences,
approves and comments beads, with undo and redo, from the mouse or the
keyboard; the state lives in the browser's ``localStorage``, keyed by the
two sentence hashes. The download (JSONL, TSV, TMX) feeds back into
``bitext align --fixed`` (:mod:`bitext.aligner.fixed`). ``bitext review`` is the
command (:mod:`bitext.cli.review`).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from ..check.records import FINDING_KINDS
from ..formats.positions import POSITION_KEYS, sentence_position
from ..text.segment import join_sentences
from .markup import escape
from .report import (
    CSS,
    ROW_BACKGROUNDS,
    STATUS_COLOURS,
    STATUS_LABELS,
    cards_html,
    findings_html,
    legend_html,
    status_style,
)

__all__ = ["render_review", "review_data"]

_DATA = Path(__file__).resolve().parent / "data"
_EDITED = ("#1565c0", "#e3f2fd")  # a bead edited by hand: outline, background
# the statuses a reviewer steps through ("next flag"), besides the kinds of the findings
_FLAGS = ("low", "unmatched", "suspect", "omission", "addition")


def review_data(report, name: str = "beads") -> dict:
    """What the page's script reads: sentences, beads with status, the JSONL header."""
    a = report.alignment
    why: dict[int, list[str]] = {}
    for f in getattr(report, "findings", ()):
        why.setdefault(f.bead, []).append(f"{f.kind.replace('_', ' ')}: {f.message}")
    for s in report.suspects:
        why.setdefault(s.bead, []).append("; ".join(s.reasons))
    beads = []
    for i, (b, st) in enumerate(zip(a.beads, report.statuses)):
        rec = {
            "s": list(b.src_ids),
            "t": list(b.tgt_ids),
            "score": round(b.score, 4),
            "sim": round(b.similarity, 4),
            "status": st,
        }
        if i in why:
            rec["why"] = "; ".join(why[i])
        for key in ("approved", "edited"):
            if getattr(b, key, False):
                rec[key] = True
        if getattr(b, "comment", ""):
            rec["comment"] = b.comment
        beads.append(rec)
    kinds = list(dict.fromkeys([*FINDING_KINDS, *(f.kind for f in getattr(report, "findings", ()))]))
    origin = hashlib.sha256(json.dumps(beads, sort_keys=True).encode("utf-8")).hexdigest()
    return {
        "header": a.jsonl_header(),
        "origin": origin,  # this page's beads as written: a saved state of other beads is another page's
        "name": name,
        "src": [s.text for s in a.src_sentences],
        "tgt": [s.text for s in a.tgt_sentences],
        "srcJoin": join_sentences(["", ""], a.src_lang),
        "tgtJoin": join_sentences(["", ""], a.tgt_lang),
        "srcMiss": sorted(report.omitted_ids),
        "tgtMiss": sorted(report.added_ids),
        "beads": beads,
        "labels": {**STATUS_LABELS, **{k: status_style(k)[0] for k in kinds}, "edited": "edited by hand"},
        "colours": {**STATUS_COLOURS, **{k: status_style(k)[1] for k in kinds}, "edited": _EDITED[0]},
        "backgrounds": {**ROW_BACKGROUNDS, **{k: status_style(k)[2] for k in kinds}, "edited": _EDITED[1]},
        "flags": list(_FLAGS) + kinds,
        # where each sentence sits in its document (paragraph, cue and timing ...), for the downloads
        "srcPos": _positions(a, "src"),
        "tgtPos": _positions(a, "tgt"),
    }


def _positions(a, side: str) -> list[dict] | None:
    """Each sentence's position on ``side`` (the keys the outputs write), or None for plain text."""
    if getattr(a, f"{side}_doc", None) is None:
        return None
    sents = a.src_sentences if side == "src" else a.tgt_sentences
    return [
        {k: w[k] for k in POSITION_KEYS if k in w} for w in (sentence_position(a, side, i) for i in range(len(sents)))
    ]


def _has_findings(report) -> bool:
    """Whether the report lists anything: the page opens its findings then."""
    return any(
        getattr(report, key, ())
        for key in ("omissions", "additions", "suspects", "low_confidence", "term_misses", "inconsistent_terms")
    )


def _json_for_script(data) -> str:
    """JSON that a ``<script>`` element holds as it is (no ``</`` to end it early)."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c")


def render_review(report, title: str | None = None, name: str = "beads") -> str:
    """The review page as one HTML document (a string). ``name``: the stem of the downloads."""
    a = report.alignment
    e = escape
    title = title or f"Review ({a.src_lang} \u2192 {a.tgt_lang})"
    css = CSS + (_DATA / "review.css").read_text("utf-8")
    script = (_DATA / "review.js").read_text("utf-8")
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="en"><head><meta charset="utf-8"><title>{e(title)}</title>'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<style>{css}</style></head><body>"
        f"<h1>{e(title)}</h1>"
        f'<p class="sub">{report.src_sentences} source sentences, {report.tgt_sentences} target sentences, '
        f"{len(a.beads)} beads as aligned. Correct the beads, approve them, then download: "
        "<code>bitext align SRC TGT --fixed FILE.jsonl</code> re-aligns around your fixes. "
        "Your work is kept in this browser until you download it.</p>"
        f'<div class="cards">{cards_html(report)}</div>'
        f'<details class="findings"{" open" if _has_findings(report) else ""}><summary>Findings</summary>'
        f"{findings_html(report)}</details>"
        '<div id="bar" class="bar-tools">'
        '<span id="progress" aria-live="polite"></span>'
        '<label><input type="checkbox" id="flagged"> flagged only <kbd>f</kbd></label>'
        '<input type="search" id="search" placeholder="search the text ( / )" aria-label="search">'
        '<button id="undo" title="undo (u, Ctrl+Z)">undo</button>'
        '<button id="redo" title="redo (r, Ctrl+Y)">redo</button>'
        '<button id="approve-shown" title="approve every bead shown">approve all shown</button>'
        '<span class="dl">download <button id="dl-jsonl">JSONL</button><button id="dl-tsv">TSV</button>'
        '<button id="dl-tmx">TMX</button></span>'
        '<span id="saved" class="note"></span>'
        "</div>"
        '<details class="keys"><summary>Keys</summary><p>'
        "<kbd>j</kbd>/<kbd>&#8595;</kbd> next bead, <kbd>k</kbd>/<kbd>&#8593;</kbd> previous, "
        "<kbd>m</kbd> merge with the next, <kbd>M</kbd> with the previous, "
        "<kbd>s</kbd> split (source first), <kbd>S</kbd> split the target, "
        "<kbd>[</kbd>/<kbd>]</kbd> move the first source sentence to the previous bead / the last to the next, "
        "<kbd>{</kbd>/<kbd>}</kbd> the same for the target, "
        "<kbd>o</kbd> detach the last source sentence (omission), <kbd>n</kbd> the last target sentence (addition), "
        "<kbd>a</kbd> approve (and go to the next), <kbd>c</kbd> comment, "
        "<kbd>u</kbd>/<kbd>Ctrl+Z</kbd> undo, <kbd>r</kbd>/<kbd>Ctrl+Y</kbd> redo, "
        "<kbd>f</kbd> flagged only, <kbd>/</kbd> search. With the mouse: click a bead, then its buttons; "
        "&#9986; between two sentences splits there.</p></details>"
        f'<div class="legend">{legend_html(report.statuses)}<span><i style="border-color:{_EDITED[0]};background:{_EDITED[1]}"></i>'
        "edited by hand</span></div>"
        f'<div id="beads" class="beads" data-src-lang="{e(a.src_lang)}" data-tgt-lang="{e(a.tgt_lang)}"></div>'
        f'<script type="application/json" id="bitext-data">{_json_for_script(review_data(report, name))}</script>'
        f"<script>{script}</script>"
        "</body></html>\n"
    )

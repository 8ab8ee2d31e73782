"""The HTML coverage report: one self-contained file, no dependencies.

:func:`render_html` turns a :class:`~bitext.check.records.CoverageReport` into a
page with inline CSS, a summary, per-paragraph coverage bars, the
alignment-path plot (the sentence similarity matrix as a heatmap with the
chosen beads outlined, as inline SVG) and the side-by-side table of beads
coloured by status. Nothing is fetched from anywhere: no scripts, fonts or
images outside the file. :func:`alignment_svg` and :func:`png_bytes` are
usable on their own.
"""

from __future__ import annotations

import base64
import struct
import zlib

import numpy as np

from .heatmap import similarity_cells
from .markup import escape, id_list

__all__ = [
    "CSS",
    "ROW_BACKGROUNDS",
    "render_html",
    "cards_html",
    "findings_html",
    "legend_html",
    "alignment_svg",
    "png_bytes",
    "STATUS_LABELS",
    "STATUS_COLOURS",
    "FINDING_COLOUR",
    "status_style",
    "MAX_PLOT_CELLS",
]

# the most cells of the report's similarity plot: a longer document's plot is
# the band around its path on a coarser grid (bitext.views.heatmap.similarity_cells)
MAX_PLOT_CELLS = 1_000_000

STATUS_LABELS = {
    "ok": "translated",
    "suspect": "suspect (numbers or names differ)",
    "term": "glossary term not rendered",
    "low": "low confidence",
    "unmatched": "contains an untranslated / added sentence",
    "omission": "omission (no translation)",
    "addition": "addition (no source)",
    # the kinds of the translation checks' findings (bitext.check.records.Finding)
    "untranslated": "untranslated (left in the source language)",
    "copied": "copied (repeats another sentence)",
    "clause_omitted": "a clause left out",
    "clause_added": "a clause added",
    "mistranslation": "mistranslation",
    "name": "wrong name",
    "number": "wrong number",
}
# outline / accent colour of each status (plot and table)
STATUS_COLOURS = {
    "ok": "#2e7d32",
    "suspect": "#ef6c00",
    "term": "#00838f",
    "low": "#f9a825",
    "unmatched": "#c2185b",
    "omission": "#d32f2f",
    "addition": "#6a1b9a",
    "untranslated": "#ad1457",
    "copied": "#ad1457",
    "clause_omitted": "#e64a19",
    "clause_added": "#8e24aa",
    "mistranslation": "#e64a19",
    "name": "#5d4037",
    "number": "#5d4037",
}
FINDING_COLOUR = ("#5d4037", "#efebe9")  # a finding of a kind not listed above: outline, background
ROW_BACKGROUNDS = {
    "ok": "#f1f8f1",
    "suspect": "#fff3e0",
    "term": "#e0f7fa",
    "low": "#fffde7",
    "unmatched": "#fce4ec",
    "omission": "#ffebee",
    "addition": "#f3e5f5",
    "untranslated": "#fce4ec",
    "copied": "#fce4ec",
    "clause_omitted": "#fbe9e7",
    "clause_added": "#f3e5f5",
    "mistranslation": "#fbe9e7",
    "name": "#efebe9",
    "number": "#efebe9",
}

# white -> blue, for similarity
_CMAP = np.array(
    [
        [255, 255, 255],
        [222, 235, 247],
        [158, 202, 225],
        [66, 146, 198],
        [8, 81, 156],
        [8, 48, 107],
    ],
    dtype=float,
)


def _colours(x: np.ndarray) -> np.ndarray:
    """Values in [0, 1] -> uint8 RGB."""
    x = np.clip(np.nan_to_num(x, nan=0.0), 0.0, 1.0) * (len(_CMAP) - 1)
    lo = np.floor(x).astype(int)
    hi = np.minimum(lo + 1, len(_CMAP) - 1)
    f = (x - lo)[..., None]
    return np.round(_CMAP[lo] * (1 - f) + _CMAP[hi] * f).astype(np.uint8)


def png_bytes(rgb: np.ndarray) -> bytes:
    """Encode an ``(h, w, 3)`` uint8 array as PNG (stdlib zlib only)."""
    rgb = np.ascontiguousarray(rgb, dtype=np.uint8)
    h, w, _ = rgb.shape
    raw = b"".join(b"\x00" + rgb[y].tobytes() for y in range(h))

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)

    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )


def _scale(sim: np.ndarray) -> tuple[np.ndarray, float, float]:
    finite = sim[np.isfinite(sim)]
    if not finite.size:
        return np.zeros_like(sim), 0.0, 1.0
    lo = float(max(np.percentile(finite, 5), 0.0))
    hi = float(finite.max())
    if hi - lo < 1e-6:
        hi = lo + 1e-6
    return (sim - lo) / (hi - lo), lo, hi


def alignment_svg(report, size: int = 640, max_rect_cells: int = 12_000) -> str:
    """The alignment-path plot as an inline SVG element.

    Rows are source sentences, columns target sentences; a cell's colour is
    the cosine similarity of the two sentence vectors. Each bead is outlined
    in the colour of its status; a 1-0 bead is a mark across its row, a 0-1
    bead a mark down its column. Small matrices are drawn cell by cell; big
    ones as one embedded PNG (one pixel a cell).
    """
    a = report.alignment
    n, m = len(a.src_sentences), len(a.tgt_sentences)
    if n == 0 or m == 0 or a.src_vectors is None or a.tgt_vectors is None:
        return '<p class="note">No similarity matrix to plot.</p>'
    # the whole matrix of a short document; of a long one the band around the
    # path on a grid of at most MAX_PLOT_CELLS (never n x m cosines in memory)
    sim = similarity_cells(a.src_vectors, a.tgt_vectors, a.beads, max(MAX_PLOT_CELLS, max_rect_cells))
    norm, lo, hi = _scale(sim)
    cell = max(min(size / max(n, m), 22.0), 0.5)
    pad_l, pad_t, pad_b = 44.0, 30.0, 56.0
    w, h = m * cell, n * cell
    W, H = pad_l + w + 12, pad_t + h + pad_b
    parts = [
        f'<svg class="plot" width="{W:.0f}" height="{H:.0f}" '
        f'viewBox="0 0 {W:.1f} {H:.1f}" role="img" aria-label="alignment path over the similarity matrix">',
        f"<title>Alignment path: {n} source x {m} target sentences</title>",
        f'<text x="{pad_l + w / 2:.1f}" y="14" class="axis" text-anchor="middle">'
        f"target sentences ({escape(a.tgt_lang)}) &#8594;</text>",
        f'<text x="12" y="{pad_t + h / 2:.1f}" class="axis" text-anchor="middle" '
        f'transform="rotate(-90 12 {pad_t + h / 2:.1f})">source sentences ({escape(a.src_lang)}) &#8594;</text>',
        f'<g transform="translate({pad_l},{pad_t})">',
        f'<rect x="0" y="0" width="{w:.1f}" height="{h:.1f}" fill="#fff" stroke="#999" stroke-width="0.5"/>',
    ]
    rgb = _colours(norm)
    if n * m <= max_rect_cells:
        cells = []
        for i in range(n):
            for j in range(m):
                r, g, b = rgb[i, j]
                if r == g == b == 255:
                    continue
                cells.append(
                    f'<rect x="{j * cell:.2f}" y="{i * cell:.2f}" width="{cell:.2f}" height="{cell:.2f}" '
                    f'fill="#{r:02x}{g:02x}{b:02x}"/>'
                )
        parts.append('<g shape-rendering="crispEdges">' + "".join(cells) + "</g>")
    else:
        data = base64.b64encode(png_bytes(rgb)).decode("ascii")
        parts.append(
            f'<image x="0" y="0" width="{w:.1f}" height="{h:.1f}" preserveAspectRatio="none" '
            f'style="image-rendering:pixelated" href="data:image/png;base64,{data}"/>'
        )
    # ticks every k sentences
    step = _tick_step(max(n, m), cell)
    for i in range(0, n, step):
        parts.append(f'<text x="-4" y="{(i + 0.5) * cell + 3:.1f}" class="tick" text-anchor="end">{i}</text>')
    for j in range(0, m, step):
        parts.append(f'<text x="{(j + 0.5) * cell:.1f}" y="{h + 11:.1f}" class="tick" text-anchor="middle">{j}</text>')
    # beads
    stroke = max(min(cell / 6, 2.5), 0.6)
    r_prev, c_prev = 0, 0
    for bi, (b, st) in enumerate(zip(a.beads, report.statuses)):
        label, col, _ = status_style(st)
        r0 = b.src_ids[0] if b.src_ids else r_prev
        c0 = b.tgt_ids[0] if b.tgt_ids else c_prev
        tip = escape(f"bead {bi} ({b.kind}, {label}), score {b.score:.2f}")
        if b.src_ids and b.tgt_ids:
            x, y = c0 * cell, r0 * cell
            bw, bh = len(b.tgt_ids) * cell, len(b.src_ids) * cell
            shape = (
                f'<rect x="{x:.2f}" y="{y:.2f}" width="{bw:.2f}" height="{bh:.2f}" fill="none" '
                f'stroke="{col}" stroke-width="{stroke:.2f}"/>'
            )
        elif b.src_ids:  # omission: a bar across its rows at the current column
            x, y = c0 * cell, r0 * cell
            bh = len(b.src_ids) * cell
            shape = (
                f'<rect x="{x - stroke:.2f}" y="{y:.2f}" width="{2 * stroke:.2f}" height="{bh:.2f}" '
                f'fill="{col}"/><line x1="0" y1="{y + bh / 2:.2f}" x2="{w:.2f}" y2="{y + bh / 2:.2f}" '
                f'stroke="{col}" stroke-width="{stroke / 2:.2f}" stroke-dasharray="3 3" opacity="0.6"/>'
            )
        else:  # addition: a bar down its columns at the current row
            x, y = c0 * cell, r0 * cell
            bw = len(b.tgt_ids) * cell
            shape = (
                f'<rect x="{x:.2f}" y="{y - stroke:.2f}" width="{bw:.2f}" height="{2 * stroke:.2f}" '
                f'fill="{col}"/><line x1="{x + bw / 2:.2f}" y1="0" x2="{x + bw / 2:.2f}" y2="{h:.2f}" '
                f'stroke="{col}" stroke-width="{stroke / 2:.2f}" stroke-dasharray="3 3" opacity="0.6"/>'
            )
        parts.append(f'<a href="#b{bi}"><g class="bead"><title>{tip}</title>{shape}</g></a>')
        if b.src_ids:
            r_prev = b.src_ids[-1] + 1
        if b.tgt_ids:
            c_prev = b.tgt_ids[-1] + 1
    parts.append("</g>")
    # colour bar
    cb_y = pad_t + h + 24
    stops = "".join(
        f'<stop offset="{k / (len(_CMAP) - 1):.2f}" stop-color="rgb({int(c[0])},{int(c[1])},{int(c[2])})"/>'
        for k, c in enumerate(_CMAP)
    )
    parts.append(
        f'<defs><linearGradient id="cbar">{stops}</linearGradient></defs>'
        f'<rect x="{pad_l}" y="{cb_y:.1f}" width="160" height="9" fill="url(#cbar)" stroke="#999" stroke-width="0.5"/>'
        f'<text x="{pad_l}" y="{cb_y + 21:.1f}" class="tick">{lo:.2f}</text>'
        f'<text x="{pad_l + 160}" y="{cb_y + 21:.1f}" class="tick" text-anchor="end">{hi:.2f}</text>'
        f'<text x="{pad_l + 170}" y="{cb_y + 8:.1f}" class="tick">cosine similarity</text>'
    )
    parts.append("</svg>")
    return "".join(parts)


def _tick_step(k: int, cell: float) -> int:
    for s in (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000):
        if s * cell >= 18:
            return s
    return 10000


CSS = """
:root { --fg: #1d1d1f; --muted: #666; --line: #ddd; }
* { box-sizing: border-box; }
body { font: 14px/1.5 -apple-system, "Segoe UI", "Noto Sans", "Noto Sans CJK SC", "Noto Sans CJK KR",
       "Malgun Gothic", "Microsoft YaHei", sans-serif; color: var(--fg); margin: 0; padding: 24px 32px; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 17px; margin: 28px 0 8px; }
.sub { color: var(--muted); margin: 0 0 16px; }
.cards { display: flex; flex-wrap: wrap; gap: 12px; }
.card { border: 1px solid var(--line); border-radius: 8px; padding: 10px 16px; min-width: 150px; }
.card .v { font-size: 24px; font-weight: 600; } .card .k { color: var(--muted); font-size: 12px; }
.card.bad .v { color: #d32f2f; } .card.warn .v { color: #ef6c00; } .card.good .v { color: #2e7d32; }
.legend span { display: inline-block; margin: 2px 12px 2px 0; }
.legend i { display: inline-block; width: 12px; height: 12px; border-radius: 2px; margin-right: 5px;
            vertical-align: -1px; border: 2px solid; }
.plotwrap { overflow-x: auto; }
svg.plot text.axis { font-size: 12px; fill: #333; } svg.plot text.tick { font-size: 10px; fill: #555; }
svg.plot .bead:hover rect { stroke-width: 3; }
table { border-collapse: collapse; width: 100%; }
table.beads td, table.beads th { border-bottom: 1px solid var(--line); padding: 6px 8px; vertical-align: top; }
table.beads th { text-align: left; background: #fafafa; position: sticky; top: 0; }
table.beads td.ids, table.beads td.num { white-space: nowrap; color: var(--muted); font-size: 12px; }
table.beads td.txt { width: 42%; }
table.beads tr td:first-child { border-left: 5px solid transparent; }
.st { font-size: 11px; font-weight: 600; white-space: nowrap; }
.miss { background: #f8bbd0; border-radius: 3px; }
.why { font-size: 12px; color: #bf360c; }
.bar { background: #eee; height: 10px; border-radius: 5px; width: 160px; display: inline-block; vertical-align: middle; }
.bar > b { display: block; height: 10px; border-radius: 5px; background: #2e7d32; }
table.pars td, table.pars th { padding: 3px 10px; text-align: right; border-bottom: 1px solid var(--line); }
table.pars { width: auto; }
ul.find li { margin: 4px 0; } .note { color: var(--muted); }
a { color: inherit; }
"""


def _sentences_html(sents, ids, flagged: set[int]) -> str:
    out = []
    for i in ids:
        t = escape(sents[i].text)
        out.append(
            f'<span class="miss" title="no similar sentence on the other side">{t}</span>' if i in flagged else t
        )
    return " ".join(out)


def _term_cards(report, card) -> list[str]:
    """Cards for the glossary and consistency checks, when they ran."""
    out = []
    if getattr(report, "glossary", None) is not None:
        out.append(
            card(
                len(report.term_misses),
                "beads with a glossary term not rendered",
                "warn" if report.term_misses else "good",
            )
        )
    if getattr(report, "consistency_checked", False):
        out.append(
            card(
                len(report.inconsistent_terms),
                "terms rendered in more than one way",
                "warn" if report.inconsistent_terms else "good",
            )
        )
    return out


def _term_findings(report) -> list[str]:
    """Findings list items for glossary misses and inconsistent renderings."""
    out = []
    for m in getattr(report, "term_misses", ()):
        out.append(
            f'<li class="f-term"><a href="#b{m.bead}"><b>glossary</b> bead {m.bead}</a>: {escape(m.reason)}</li>'
        )
    for x in getattr(report, "inconsistent_terms", ()):
        ways = ", ".join(
            f"{escape(r.text)} &#215;{r.count} (" + ", ".join(f'<a href="#b{b}">{b}</a>' for b in r.beads) + ")"
            for r in x.renderings
        )
        out.append(
            f'<li class="f-inconsistent"><b>inconsistent</b> {escape(x.term)} '
            f'<span class="note">({x.occurrences} occurrences)</span>: {ways}</li>'
        )
    return out


def cards_html(report) -> str:
    """The summary cards of a report: coverage, omissions, additions, low and suspect beads, terms."""

    def card(value, key, cls=""):
        return f'<div class="card {cls}"><div class="v">{value}</div><div class="k">{escape(key)}</div></div>'

    om_ids, add_ids = report.omitted_ids, report.added_ids
    cov_cls = "good" if report.coverage >= 0.999 else ("warn" if report.coverage >= 0.9 else "bad")
    return "".join(
        [
            card(
                f"{100 * report.coverage:.1f}%",
                f"coverage: {report.covered_sentences}/{report.src_sentences} source sentences",
                cov_cls,
            ),
            card(
                f"{100 * report.char_coverage:.1f}%",
                f"of characters: {report.covered_chars}/{report.src_chars}",
                cov_cls,
            ),
            card(len(om_ids), "omitted source sentences", "bad" if om_ids else "good"),
            card(len(add_ids), "added target sentences", "warn" if add_ids else "good"),
            card(
                len(report.low_confidence),
                f"low-confidence beads (score < {report.threshold:g})",
                "warn" if report.low_confidence else "good",
            ),
            card(len(report.suspects), "suspect pairs (numbers, names)", "warn" if report.suspects else "good"),
            card(
                len(getattr(report, "findings", ())),
                "findings of the translation checks"
                + (
                    ": " + ", ".join(f"{n} {k}" for k, n in report.findings_by_kind().items())
                    if getattr(report, "findings", ())
                    else ""
                ),
                "bad" if getattr(report, "findings", ()) else "good",
            ),
        ]
        + _term_cards(report, card)
    )


def status_style(status: str) -> tuple[str, str, str]:
    """The label, outline colour and row background of a bead status (a finding's kind not
    listed in :data:`STATUS_LABELS` is shown as it is, in :data:`FINDING_COLOUR`)."""
    if status in STATUS_LABELS:
        return STATUS_LABELS[status], STATUS_COLOURS[status], ROW_BACKGROUNDS[status]
    return status.replace("_", " "), FINDING_COLOUR[0], FINDING_COLOUR[1]


def legend_html(statuses=None) -> str:
    """One swatch a status: those of :data:`STATUS_LABELS` that are not findings' kinds, and the
    findings' kinds among ``statuses`` (the beads' statuses; all kinds when None)."""
    from ..check.records import FINDING_KINDS

    shown = [k for k in STATUS_LABELS if k not in FINDING_KINDS]
    extra = [k for k in dict.fromkeys(statuses) if k not in shown] if statuses is not None else list(FINDING_KINDS)
    return "".join(
        f'<span><i style="border-color:{col};background:{bg}"></i>{escape(label)}</span>'
        for label, col, bg in (status_style(k) for k in shown + extra)
    )


def findings_html(report) -> str:
    """The findings as a list, each linking to its bead (``#b<index>``)."""
    a = report.alignment
    sl, tl = a.src_lang, a.tgt_lang
    finds = []
    for o in report.omissions:
        why = "no counterpart" if o.kind == "unaligned" else "aligned, but unlike its target"
        finds.append(
            f'<li><a href="#b{o.bead}"><b>omission</b> {sl} {id_list(o.src_ids)}</a> '
            f'<span class="note">({why})</span>: {escape(o.text)}</li>'
        )
    for x in report.additions:
        why = "no counterpart" if x.kind == "unaligned" else "aligned, but unlike its source"
        finds.append(
            f'<li><a href="#b{x.bead}"><b>addition</b> {tl} {id_list(x.tgt_ids)}</a> '
            f'<span class="note">({why})</span>: {escape(x.text)}</li>'
        )
    for s in report.suspects:
        finds.append(f'<li><a href="#b{s.bead}"><b>suspect</b> bead {s.bead}</a>: {escape("; ".join(s.reasons))}</li>')
    for x in report.low_confidence:
        finds.append(f'<li><a href="#b{x.bead}"><b>low confidence</b> bead {x.bead}</a>: score {x.score:.2f}</li>')
    for f in getattr(report, "findings", ()):
        finds.append(
            f'<li class="f-{escape(f.kind)}"><a href="#b{f.bead}"><b>{escape(f.kind.replace("_", " "))}</b> '
            f"bead {f.bead}</a>: {escape(f.message)}</li>"
        )
    finds += _term_findings(report)
    if not finds:
        return '<p class="note">Nothing to report: every source sentence is translated and nothing was added.</p>'
    return f'<ul class="find">{"".join(finds)}</ul>'


def render_html(report, title: str | None = None) -> str:
    """The whole report as one HTML document (a string)."""
    a = report.alignment
    sl, tl = a.src_lang, a.tgt_lang
    title = title or f"Coverage report ({sl} \u2192 {tl})"
    om_ids = report.omitted_ids
    add_ids = report.added_ids
    susp = {s.bead: s for s in report.suspects}
    found: dict[int, list] = {}
    for f in getattr(report, "findings", ()):
        found.setdefault(f.bead, []).append(f)
    misses: dict[int, list] = {}
    for m in getattr(report, "term_misses", ()):
        misses.setdefault(m.bead, []).append(m)
    cards = cards_html(report)
    legend = legend_html(report.statuses)
    findings = findings_html(report)

    prow = []
    for p in report.paragraphs:
        prow.append(
            f"<tr><td>{p.paragraph}</td><td>{id_list(p.src_ids) if len(p.src_ids) < 4 else f'{p.src_ids[0]}&#8211;{p.src_ids[-1]}'}</td>"
            f'<td><span class="bar"><b style="width:{100 * p.coverage:.1f}%"></b></span></td>'
            f"<td>{100 * p.coverage:.0f}%</td><td>{p.omissions}</td><td>{p.additions}</td>"
            f"<td>{p.low_confidence}</td><td>{p.suspects}</td><td>{getattr(p, 'findings', 0)}</td></tr>"
        )
    pars = (
        '<table class="pars"><thead><tr><th>paragraph</th><th>sentence ids</th><th>coverage</th><th></th>'
        "<th>omitted</th><th>added</th><th>low</th><th>suspect</th><th>findings</th></tr></thead><tbody>"
        + "".join(prow)
        + "</tbody></table>"
    )
    if len(report.paragraphs) > 200:
        pars = f'<p class="note">{len(report.paragraphs)} paragraphs (one a line): see the table below.</p>'

    rows = []
    for bi, (b, st) in enumerate(zip(a.beads, report.statuses)):
        label, col, bg = status_style(st)
        why = "".join(
            f'<div class="why">{escape(f.kind.replace("_", " "))}: {escape(f.message)}</div>' for f in found.get(bi, ())
        )
        if bi in susp:
            why += f'<div class="why">{escape("; ".join(susp[bi].reasons))}</div>'
        why += "".join(f'<div class="why">{escape(m.reason)}</div>' for m in misses.get(bi, ()))
        rows.append(
            f'<tr id="b{bi}" class="s-{escape(st)}" style="background:{bg}">'
            f'<td class="num" style="border-left-color:{col}">{bi}</td>'
            f'<td><span class="st" style="color:{col}">{escape(label)}</span>{why}</td>'
            f'<td class="ids">{id_list(b.src_ids)}</td>'
            f'<td class="txt" lang="{escape(sl)}">{_sentences_html(a.src_sentences, b.src_ids, om_ids if b.tgt_ids else set())}</td>'
            f'<td class="txt" lang="{escape(tl)}">{_sentences_html(a.tgt_sentences, b.tgt_ids, add_ids if b.src_ids else set())}</td>'
            f'<td class="ids">{id_list(b.tgt_ids)}</td>'
            f'<td class="num">{b.score:.2f}</td></tr>'
        )
    table = (
        '<table class="beads"><thead><tr><th>#</th><th>status</th><th>src ids</th>'
        f"<th>source ({escape(sl)})</th><th>target ({escape(tl)})</th><th>tgt ids</th><th>score</th></tr></thead>"
        "<tbody>" + "".join(rows) + "</tbody></table>"
    )
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<style>{CSS}</style></head><body>"
        f"<h1>{escape(title)}</h1>"
        f'<p class="sub">{report.src_sentences} source sentences, {report.tgt_sentences} target sentences, '
        f"{len(a.beads)} beads. Sentence ids and paragraphs count from 0. A bead&#8217;s score is the "
        "estimated probability that it is right.</p>"
        f'<div class="cards">{cards}</div>'
        f"<h2>Findings</h2>{findings}"
        f"<h2>Coverage by paragraph</h2>{pars}"
        f'<h2>Alignment path</h2><div class="legend">{legend}</div><div class="plotwrap">{alignment_svg(report)}</div>'
        f'<h2>Beads</h2><div class="legend">{legend}</div>{table}'
        "</body></html>\n"
    )

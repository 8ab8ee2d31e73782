"""bitext's own bead files: TSV, JSON Lines, the ``beads`` id format, and TMX's writer
(:func:`format_beads`, :data:`FORMATS`).

Read back as translation units (:func:`read_units`), so that ``bitext coverage
pairs.tsv`` checks a file bitext (or a person editing it) made; each unit keeps
the bead's sentence ids and score. The registry (:mod:`bitext.formats.registry`)
reaches ``tsv``, ``jsonl`` and ``beads`` through :func:`write` and :func:`read_units`.
"""

from __future__ import annotations

import json
import math
import re
from xml.sax.saxutils import escape, quoteattr

from ..text.read import InputError, read_text
from .document import Unit, UnitFile
from .positions import POSITION_KEYS

__all__ = [
    "beads_to_tsv",
    "beads_to_jsonl",
    "beads_to_beads",
    "beads_to_tmx",
    "format_beads",
    "FORMATS",
    "read_units",
    "write",
]

FORMATS = ("tsv", "jsonl", "beads", "tmx")


def _ids(ids) -> str:
    return ",".join(str(i) for i in ids)


_BREAKS = re.compile("[\t\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")


def _clean(s: str) -> str:
    """One TSV cell: no tab, and nothing that a reader could take for a line end."""
    return _BREAKS.sub(" ", s)


def _num(x: float) -> str:
    return "nan" if math.isnan(x) else f"{x:.4f}"


def beads_to_tsv(beads) -> str:
    """Header ``src_ids tgt_ids score src tgt``; ids comma-separated, empty for a missing side.
    Reviewed beads (re-aligned with ``fixed=``) add ``approved edited comment``, as the
    review page's TSV does."""
    beads = list(beads)
    reviewed = any(hasattr(b, "approved") for b in beads)
    rows = ["src_ids\ttgt_ids\tscore\tsrc\ttgt" + ("\tapproved\tedited\tcomment" if reviewed else "")]
    for b in beads:
        row = f"{_ids(b.src_ids)}\t{_ids(b.tgt_ids)}\t{_num(b.score)}\t{_clean(b.src)}\t{_clean(b.tgt)}"
        if reviewed:
            row += (
                f"\t{int(getattr(b, 'approved', False))}\t{int(getattr(b, 'edited', False))}"
                f"\t{_clean(getattr(b, 'comment', ''))}"
            )
        rows.append(row)
    return "\n".join(rows) + "\n"


def beads_to_jsonl(beads, header: dict | None = None, positions=None) -> str:
    """One JSON object a bead; ``header`` (languages, sentence hashes, version:
    :func:`bitext.aligner.fixed.jsonl_header`) as the first line when given. A
    reviewed bead adds ``approved``, ``edited`` and ``comment``; ``positions``
    (:func:`bitext.formats.positions.bead_positions`) adds ``src_position`` and
    ``tgt_position``, where the bead's first sentence on each side sits in its
    document (``{"paragraph": 3}``, ``{"cue": 14, "start": "00:01:02,500", ...}``)."""
    lines = [] if header is None else [json.dumps(header, ensure_ascii=False) + "\n"]
    for n, b in enumerate(beads):
        rec = {
            "src_ids": list(b.src_ids),
            "tgt_ids": list(b.tgt_ids),
            "score": round(b.score, 4),
            "similarity": round(b.similarity, 4),
            "src": b.src,
            "tgt": b.tgt,
        }
        if hasattr(b, "approved"):
            rec.update(approved=b.approved, edited=b.edited, comment=b.comment)
        if positions is not None:
            for side, where in zip(("src", "tgt"), positions[n]):
                if where:
                    rec[f"{side}_position"] = where
        lines.append(json.dumps(rec, ensure_ascii=False) + "\n")
    return "".join(lines)


def beads_to_beads(beads) -> str:
    """``[i,j]:[k]:score`` per line, the format of Bertalign's and Vecalign's gold files."""
    return "".join(f"[{_ids(b.src_ids)}]:[{_ids(b.tgt_ids)}]:{_num(b.score)}\n" for b in beads)


# characters XML 1.0 cannot hold, even escaped (C0 controls other than tab,
# newline and carriage return, lone surrogates, U+FFFE and U+FFFF)
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _xml_text(s: str) -> str:
    return escape(_NOT_XML.sub("", s))


def beads_to_tmx(beads, src_lang: str, tgt_lang: str, positions=None) -> str:
    """TMX 1.4b, the translation-memory format CAT tools import: one ``<tu>``
    per bead with both sides (1-0 and 0-1 beads translate nothing), its
    confidence and sentence ids as ``<prop>``s, a reviewer's comment as a ``<note>``;
    ``positions`` (:func:`bitext.formats.positions.bead_positions`) adds a ``<prop>`` a
    key of each side's position (``x-bitext-src-paragraph``, ``x-bitext-tgt-cue``,
    ``x-bitext-tgt-start`` ...). Characters XML cannot hold (control characters) are
    dropped; the standard library escapes the rest."""
    from .._version import __version__

    src, tgt = quoteattr(src_lang), quoteattr(tgt_lang)
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<tmx version="1.4">',
        f'  <header creationtool="bitext" creationtoolversion={quoteattr(__version__)} segtype="sentence"'
        f' o-tmf="bitext" adminlang="en" srclang={src} datatype="plaintext"/>',
        "  <body>",
    ]
    for n, b in enumerate(beads):
        if not (b.src_ids and b.tgt_ids):
            continue
        where = [
            f'      <prop type="x-bitext-{side}-{k}">{_xml_text(str(v))}</prop>'
            for side, w in zip(("src", "tgt"), positions[n] if positions is not None else ({}, {}))
            for k, v in w.items()
        ]
        out += [
            "    <tu>",
            f'      <prop type="x-bitext-score">{_num(b.score)}</prop>',
            f'      <prop type="x-bitext-src-ids">{_ids(b.src_ids)}</prop>',
            f'      <prop type="x-bitext-tgt-ids">{_ids(b.tgt_ids)}</prop>',
            *where,
            *([f"      <note>{_xml_text(b.comment)}</note>"] if getattr(b, "comment", "") else []),
            f"      <tuv xml:lang={src}><seg>{_xml_text(b.src)}</seg></tuv>",
            f"      <tuv xml:lang={tgt}><seg>{_xml_text(b.tgt)}</seg></tuv>",
            "    </tu>",
        ]
    out += ["  </body>", "</tmx>"]
    return "\n".join(out) + "\n"


def format_beads(beads, fmt: str, src_lang: str | None = None, tgt_lang: str | None = None) -> str:
    """Beads as ``tsv``, ``jsonl``, ``beads`` or ``tmx`` (which needs the languages)."""
    if fmt == "tmx":
        if not (src_lang and tgt_lang):
            raise ValueError("the tmx format needs src_lang and tgt_lang")
        return beads_to_tmx(beads, src_lang, tgt_lang)
    if fmt == "tsv":
        return beads_to_tsv(beads)
    if fmt == "jsonl":
        return beads_to_jsonl(beads)
    if fmt == "beads":
        return beads_to_beads(beads)
    raise ValueError(f"unknown format {fmt!r} (expected one of {', '.join(FORMATS)})")


# --- read back as units -----------------------------------------------------------------------


def _parse_ids(s: str) -> tuple[int, ...]:
    s = s.strip().strip("[]")
    return tuple(int(x) for x in s.split(",") if x.strip())


def _read_score(x) -> float | None:
    try:
        return float(x)
    except (TypeError, ValueError):
        return None


def _tsv(path, text: str) -> list[Unit]:
    lines = text.split("\n")
    if not lines[0].startswith("src_ids\ttgt_ids\tscore"):
        raise InputError(f"{path}:1: not a bitext TSV (expected the header src_ids, tgt_ids, score, src, tgt)")
    units = []
    for no, line in enumerate(lines[1:], start=2):
        if not line:
            continue
        f = line.split("\t")
        if len(f) != 5:
            raise InputError(f"{path}:{no}: expected 5 tab-separated fields, got {len(f)}")
        try:
            where = {"line": no, "src_ids": _parse_ids(f[0]), "tgt_ids": _parse_ids(f[1])}
        except ValueError:
            raise InputError(f"{path}:{no}: bad sentence ids") from None
        units.append(Unit(f[3], f[4], _read_score(f[2]), None, where))
    return units


def _sentence_ids(ids) -> tuple[int, ...]:
    if not isinstance(ids, list) or not all(isinstance(i, int) and not isinstance(i, bool) and i >= 0 for i in ids):
        raise TypeError("sentence ids are a list of integers")
    return tuple(ids)


def _jsonl(path, text: str) -> tuple[list[Unit], dict]:
    """The beads of a bitext JSON Lines file as units (``where``: the line, the sentence ids, the
    similarity and the positions the file gives) and its header; :class:`InputError` naming the
    line of anything else (texts that are not strings, ids that are not integers)."""
    units, header = [], {}
    for no, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            r = json.loads(line)
            if isinstance(r, dict) and "bitext" in r and "src_ids" not in r:
                header = r
                continue
            if not isinstance(r, dict):
                raise TypeError("not an object")
            if not (isinstance(r["src"], str) and isinstance(r["tgt"], str)):
                raise TypeError("src and tgt are texts")
            where = {"line": no, "src_ids": _sentence_ids(r["src_ids"]), "tgt_ids": _sentence_ids(r["tgt_ids"])}
            if "similarity" in r:
                where["similarity"] = r["similarity"]
            for side in ("src", "tgt"):
                pos = r.get(f"{side}_position")
                if isinstance(pos, dict):
                    where.update((f"{side}_{k}", v) for k, v in pos.items() if k in POSITION_KEYS)
            units.append(Unit(r["src"], r["tgt"], _read_score(r.get("score")), None, where))
        except (ValueError, KeyError, TypeError, RecursionError):
            raise InputError(f"{path}:{no}: not a bitext JSON Lines bead") from None
    return units, header


def read_units(path, fmt: str | None = None, src_lang: str | None = None, tgt_lang: str | None = None) -> UnitFile:
    """The beads of a bitext TSV or JSONL file as units (languages from a JSONL header when given)."""
    fmt = fmt or str(path).rsplit(".", 1)[-1].lower()
    text = read_text(path)
    header: dict = {}
    if fmt == "jsonl":
        units, header = _jsonl(path, text)
    else:
        units = _tsv(path, text)
    if not units:
        raise InputError(f"{path}: no beads in this file")
    return UnitFile(units, src_lang or header.get("src_lang"), tgt_lang or header.get("tgt_lang"), fmt, str(path))


def write(alignment, fmt: str | None = None) -> str:
    """The alignment as ``tsv``, ``jsonl`` (with its header line and the beads' positions) or ``beads``."""
    if fmt == "jsonl":
        return alignment.to_jsonl() if hasattr(alignment, "to_jsonl") else _plain_jsonl(alignment)
    if fmt == "beads":
        return beads_to_beads(alignment.beads)
    return beads_to_tsv(alignment.beads)


def _plain_jsonl(alignment) -> str:
    from .positions import bead_positions

    return beads_to_jsonl(alignment.beads, positions=bead_positions(alignment))

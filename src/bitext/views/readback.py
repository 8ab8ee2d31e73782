"""Reading bitext's bead outputs back: TSV, JSON Lines and TMX files, and ``bitext batch`` folders.

:func:`read_beads` turns one output file back into an
:class:`~bitext.pipeline.Alignment` with its beads' ids, text and scores
(the sentences and vectors are not in the file: ``src_sentences`` and
``tgt_sentences`` are empty). :func:`read_batch` reads every completed pair
of a ``bitext batch`` output folder (its ``summary.jsonl`` names them and
their languages). The ``beads`` format holds no text and cannot be read back.
"""

from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET
from pathlib import Path

from ..formats.beads import _jsonl as beads_jsonl
from ..formats.beads import _tsv as beads_tsv
from ..formats.registry import BATCH_FORMATS as FORMATS
from ..formats.summary import SUMMARY_NAME, check_id
from ..text.read import InputError, read_text

__all__ = ["read_beads", "read_batch"]

_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def _ids(s: str) -> tuple[int, ...]:
    s = s.strip().strip("[]")
    return tuple(int(x) for x in s.split(",") if x.strip())


def _text(x) -> str | None:
    return x if isinstance(x, str) and x else None


def _score(x) -> float:
    try:
        return float(x)
    except (TypeError, ValueError):
        return float("nan")


def read_beads(path, fmt: str | None = None, src_lang: str | None = None, tgt_lang: str | None = None):
    """The beads of a ``tsv``, ``jsonl`` or ``tmx`` output file (format from the
    extension unless ``fmt`` names it) as an Alignment; :class:`InputError`
    naming the file (and line) when it cannot be read."""
    from ..pipeline import Alignment, Bead

    p = Path(path)
    fmt = fmt or p.suffix.lower().lstrip(".")
    fmt = "xliff" if fmt == "xlf" else fmt
    if fmt in ("xliff", "xlsx"):
        return _from_units(p, fmt, src_lang, tgt_lang)
    if fmt == "beads":
        raise InputError(f"{p}: the beads format holds no text; write tsv, jsonl or tmx to read it back")
    if fmt not in FORMATS:
        raise InputError(f"{p}: unknown output format {fmt!r} (expected tsv, jsonl, tmx, xliff or xlsx)")
    text = read_text(p)
    beads = []
    if fmt in ("tsv", "jsonl"):  # read as formats/beads.py reads them, each unit a bead
        units = beads_tsv(p, text) if fmt == "tsv" else beads_jsonl(p, text)[0]
        beads = [
            Bead(
                u.where["src_ids"],
                u.where["tgt_ids"],
                u.src,
                u.tgt,
                _score(u.score),
                _score(u.where.get("similarity", 0.0)),
            )
            for u in units
        ]
    else:
        try:
            root = ET.fromstring(text)
        except ET.ParseError as e:
            raise InputError(f"{p}: not valid TMX: {e}") from None
        header = root.find("header")
        src_lang = src_lang or (header.get("srclang") if header is not None else None)
        for tu in root.iter("tu"):
            props = {pr.get("type"): (pr.text or "") for pr in tu.findall("prop")}
            tuvs = tu.findall("tuv")
            segs = {tuv.get(_XML_LANG): "".join(seg.itertext()) for tuv in tuvs if (seg := tuv.find("seg")) is not None}
            langs = [tuv.get(_XML_LANG) for tuv in tuvs]
            if len(langs) != 2:
                continue
            s_lang = src_lang if src_lang in segs else langs[0]
            t_lang = next(x for x in langs if x != s_lang) if len(set(langs)) == 2 else langs[1]
            tgt_lang = tgt_lang or t_lang
            try:
                ids = _ids(props.get("x-bitext-src-ids", "")), _ids(props.get("x-bitext-tgt-ids", ""))
            except ValueError:
                raise InputError(f"{p}: bad sentence ids in a <tu>") from None
            beads.append(Bead(*ids, segs.get(s_lang, ""), segs.get(t_lang, ""), _score(props.get("x-bitext-score"))))
    return Alignment(beads, [], [], src_lang or "", tgt_lang or "")


def _from_units(p: Path, fmt: str, src_lang, tgt_lang):
    """An XLIFF or XLSX file bitext wrote: its units hold the beads' ids and scores."""
    from ..formats.document import MissingExtra
    from ..formats.registry import read_units
    from ..pipeline import Alignment, Bead

    try:
        units = read_units(p, fmt, src_lang, tgt_lang)
    except MissingExtra as e:
        raise InputError(f"{p}: {e}") from None
    beads = []
    for u in units.units:
        s_ids, t_ids = u.where.get("src_ids"), u.where.get("tgt_ids")
        if s_ids is None or t_ids is None:
            raise InputError(f"{p}:{u.where.get('line', '')}: not a bead bitext wrote (no sentence ids)")
        beads.append(Bead(tuple(s_ids), tuple(t_ids), u.src, u.tgt, _score(u.score)))
    return Alignment(beads, [], [], units.src_lang or "", units.tgt_lang or "")


def read_batch(outdir) -> tuple[dict, list[str]]:
    """The completed pairs of a ``bitext batch`` output folder: ``({id: Alignment}, skipped)``,
    where ``skipped`` says which pairs could not be read and why."""
    d = Path(outdir)
    summary = d / SUMMARY_NAME
    if not d.is_dir():
        raise InputError(f"{d}: no such folder")
    if not summary.is_file():
        raise InputError(f"{d}: no summary.jsonl: not an output folder of bitext batch")
    records: dict[str, dict] = {}
    for line in read_text(summary).split("\n"):
        try:
            r = json.loads(line)
        except (ValueError, RecursionError):
            continue  # a line cut short by a kill, or not one bitext wrote
        if isinstance(r, dict) and isinstance(r.get("id"), str):
            records[r["id"]] = r
    docs, skipped = {}, []
    for pid, r in records.items():
        why = check_id(pid)
        if why:  # an id bitext batch refuses names no output of it (../secret): never read
            skipped.append(f"{summary}: {why}; not an output of bitext batch")
            continue
        if r.get("status") not in ("ok", "skipped"):
            skipped.append(f"{pid}: not aligned ({r.get('error') or r.get('status')})")
            continue
        files = [d / f"{pid}.{fmt}" for fmt in FORMATS if (d / f"{pid}.{fmt}").is_file()]
        readable = [f for f in files if f.suffix != ".beads"]
        if not readable:
            why = "its output is in the beads format, which holds no text" if files else "no output file"
            skipped.append(f"{pid}: {why}")
            continue
        try:
            docs[pid] = read_beads(readable[0], src_lang=_text(r.get("src_lang")), tgt_lang=_text(r.get("tgt_lang")))
        except InputError as e:
            skipped.append(str(e))
            continue
        for key in ("src_lang", "tgt_lang"):
            if isinstance(r.get(key), str) and r[key]:
                setattr(docs[pid], key, r[key])
    if not docs:
        raise InputError(f"{os.fspath(d)}: no aligned pair to read" + (f" ({skipped[0]})" if skipped else ""))
    return docs, skipped

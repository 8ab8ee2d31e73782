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

from ..formats.beads import FORMATS
from ..text.read import InputError, read_text

__all__ = ["read_beads", "read_batch"]

_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def _ids(s: str) -> tuple[int, ...]:
    s = s.strip().strip("[]")
    return tuple(int(x) for x in s.split(",") if x.strip())


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
    if fmt == "beads":
        raise InputError(f"{p}: the beads format holds no text; write tsv, jsonl or tmx to read it back")
    if fmt not in FORMATS:
        raise InputError(f"{p}: unknown output format {fmt!r} (expected tsv, jsonl or tmx)")
    text = read_text(p)
    beads = []
    if fmt == "tsv":
        lines = text.split("\n")
        if not lines[0].startswith("src_ids\ttgt_ids\tscore"):
            raise InputError(f"{p}:1: not a bitext TSV (expected the header src_ids, tgt_ids, score, src, tgt)")
        for no, line in enumerate(lines[1:], start=2):
            if not line:
                continue
            f = line.split("\t")
            if len(f) != 5:
                raise InputError(f"{p}:{no}: expected 5 tab-separated fields, got {len(f)}")
            try:
                beads.append(Bead(_ids(f[0]), _ids(f[1]), f[3], f[4], _score(f[2])))
            except ValueError:
                raise InputError(f"{p}:{no}: bad sentence ids") from None
    elif fmt == "jsonl":
        for no, line in enumerate(text.split("\n"), start=1):
            if not line.strip():
                continue
            try:
                r = json.loads(line)
                if isinstance(r, dict) and "bitext" in r and "src_ids" not in r:
                    continue  # the header line (languages, sentence hashes, version)
                beads.append(Bead(tuple(r["src_ids"]), tuple(r["tgt_ids"]), r["src"], r["tgt"],
                                  _score(r.get("score")), _score(r.get("similarity", 0.0))))
            except (ValueError, KeyError, TypeError):
                raise InputError(f"{p}:{no}: not a bitext JSON Lines bead") from None
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
            segs = {tuv.get(_XML_LANG): "".join(tuv.find("seg").itertext()) for tuv in tuvs if tuv.find("seg") is not None}
            langs = [tuv.get(_XML_LANG) for tuv in tuvs]
            if len(langs) != 2:
                continue
            s_lang = src_lang if src_lang in segs else langs[0]
            t_lang = next(x for x in langs if x != s_lang) if len(set(langs)) == 2 else langs[1]
            tgt_lang = tgt_lang or t_lang
            beads.append(Bead(_ids(props.get("x-bitext-src-ids", "")), _ids(props.get("x-bitext-tgt-ids", "")),
                              segs.get(s_lang, ""), segs.get(t_lang, ""), _score(props.get("x-bitext-score"))))
    return Alignment(beads, [], [], src_lang or "", tgt_lang or "")


def read_batch(outdir) -> tuple[dict, list[str]]:
    """The completed pairs of a ``bitext batch`` output folder: ``({id: Alignment}, skipped)``,
    where ``skipped`` says which pairs could not be read and why."""
    d = Path(outdir)
    summary = d / "summary.jsonl"
    if not d.is_dir():
        raise InputError(f"{d}: no such folder")
    if not summary.is_file():
        raise InputError(f"{d}: no summary.jsonl: not an output folder of bitext batch")
    records: dict[str, dict] = {}
    for line in read_text(summary).split("\n"):
        try:
            r = json.loads(line)
        except ValueError:
            continue  # a line cut short by a kill
        if isinstance(r, dict) and isinstance(r.get("id"), str):
            records[r["id"]] = r
    docs, skipped = {}, []
    for pid, r in records.items():
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
            docs[pid] = read_beads(readable[0], src_lang=r.get("src_lang"), tgt_lang=r.get("tgt_lang"))
        except InputError as e:
            skipped.append(str(e))
            continue
        if r.get("src_lang"):
            docs[pid].src_lang = r["src_lang"]
        if r.get("tgt_lang"):
            docs[pid].tgt_lang = r["tgt_lang"]
    if not docs:
        raise InputError(f"{os.fspath(d)}: no aligned pair to read" + (f" ({skipped[0]})" if skipped else ""))
    return docs, skipped

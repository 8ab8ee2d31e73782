"""bitext's own bead files: TSV, JSON Lines and the ``beads`` id format.

Written by :mod:`bitext.io` (``beads_to_tsv``, ``Alignment.to_jsonl``,
``beads_to_beads``); read here as translation units, so that ``bitext
coverage pairs.tsv`` checks a file bitext (or a person editing it) made. Each
unit keeps the bead's sentence ids and score.
"""

from __future__ import annotations

import json

from ..io import InputError, read_text
from .document import Unit, UnitFile

__all__ = ["read_units", "write"]


def _ids(s: str) -> tuple[int, ...]:
    s = s.strip().strip("[]")
    return tuple(int(x) for x in s.split(",") if x.strip())


def _score(x) -> float | None:
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
            where = {"line": no, "src_ids": _ids(f[0]), "tgt_ids": _ids(f[1])}
        except ValueError:
            raise InputError(f"{path}:{no}: bad sentence ids") from None
        units.append(Unit(f[3], f[4], _score(f[2]), None, where))
    return units


def _jsonl(path, text: str) -> tuple[list[Unit], dict]:
    units, header = [], {}
    for no, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            r = json.loads(line)
            if isinstance(r, dict) and "bitext" in r and "src_ids" not in r:
                header = r
                continue
            where = {"line": no, "src_ids": tuple(r["src_ids"]), "tgt_ids": tuple(r["tgt_ids"])}
            units.append(Unit(str(r["src"]), str(r["tgt"]), _score(r.get("score")), None, where))
        except (ValueError, KeyError, TypeError):
            raise InputError(f"{path}:{no}: not a bitext JSON Lines bead") from None
    return units, header


def read_units(path, fmt: str | None = None, src_lang: str | None = None, tgt_lang: str | None = None) -> UnitFile:
    """The beads of a bitext TSV or JSONL file as units (languages from a JSONL header when given)."""
    fmt = fmt or str(path).rsplit(".", 1)[-1].lower()
    text = read_text(path)
    header = {}
    if fmt == "jsonl":
        units, header = _jsonl(path, text)
    else:
        units = _tsv(path, text)
    if not units:
        raise InputError(f"{path}: no beads in this file")
    return UnitFile(units, src_lang or header.get("src_lang"), tgt_lang or header.get("tgt_lang"), fmt, str(path))


def write(alignment, fmt: str | None = None) -> str:
    """The alignment as ``tsv``, ``jsonl`` (with its header line) or ``beads``."""
    from ..io import beads_to_beads, beads_to_tsv

    if fmt == "jsonl":
        return alignment.to_jsonl() if hasattr(alignment, "to_jsonl") else _plain_jsonl(alignment)
    if fmt == "beads":
        return beads_to_beads(alignment.beads)
    return beads_to_tsv(alignment.beads)


def _plain_jsonl(alignment) -> str:
    from ..io import beads_to_jsonl

    return beads_to_jsonl(alignment.beads)

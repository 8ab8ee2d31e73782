"""The records of a batch output folder: ``OUTDIR/summary.jsonl`` (a line per pair,
:data:`SUMMARY_KEYS`, with coverage reports :data:`REPORT_KEYS` too) and
``OUTDIR/<id>.coverage.json``. ``bitext batch`` writes them (:mod:`bitext.batch`);
the views read them back (:func:`bitext.views.frames.batch_frame`).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

__all__ = ["SUMMARY_NAME", "SUMMARY_KEYS", "REPORT_KEYS", "REPORT_SUFFIX", "read_summary", "check_id", "MAX_ID"]

SUMMARY_NAME = "summary.jsonl"
SUMMARY_KEYS = (
    "id",
    "status",
    "n_src",
    "n_tgt",
    "n_beads",
    "coverage",
    "seconds",
    "error",
    "src",
    "tgt",
    "src_lang",
    "tgt_lang",
    "warning",
    "src_file",
    "tgt_file",
)
# with coverage reports (``--coverage``): the report's coverage and counts, in the summary after SUMMARY_KEYS
REPORT_KEYS = ("report_coverage", "omissions", "additions", "low_confidence", "suspects", "findings", "finding_kinds")
REPORT_SUFFIX = ".coverage.json"  # OUTDIR/<id>.coverage.json


MAX_ID = 200
_ID = re.compile(r"[A-Za-z0-9._-]+\Z")


def check_id(pair_id: str) -> str | None:
    """Why ``pair_id`` cannot name a pair's files in the folder (``<id>.<format>``),
    or ``None`` when it can; a record with such an id is none of a batch's."""
    if not isinstance(pair_id, str):
        return f"id {pair_id!r} is not a text"
    if not pair_id:
        return "empty id"
    if len(pair_id) > MAX_ID:
        return f"id is {len(pair_id)} characters long (at most {MAX_ID})"
    if pair_id.startswith("."):
        return f"id {pair_id!r} starts with '.'"
    if not _ID.match(pair_id):
        bad = sorted({c for c in pair_id if not re.match(r"[A-Za-z0-9._-]", c)})
        return f"id {pair_id!r} has characters not allowed in a file name here: {' '.join(repr(c) for c in bad)} (use A-Z a-z 0-9 . _ -)"
    return None


def read_summary(path: Path) -> dict[str, dict]:
    """Last record per id; a line cut short by a kill is ignored."""
    out: dict[str, dict] = {}
    try:
        with open(path, encoding="utf-8") as f:
            for line in f:
                try:
                    rec = json.loads(line)
                except (ValueError, RecursionError):  # cut short by a kill, or not a line a batch wrote
                    continue
                if isinstance(rec, dict) and isinstance(rec.get("id"), str):
                    out[rec["id"]] = rec
    except FileNotFoundError:
        pass
    return out

"""The records of a batch output folder: ``OUTDIR/summary.jsonl`` (a line per pair,
:data:`SUMMARY_KEYS`, with coverage reports :data:`REPORT_KEYS` too) and
``OUTDIR/<id>.coverage.json``. ``bitext batch`` writes them (:mod:`bitext.batch`);
the views read them back (:func:`bitext.views.frames.batch_frame`).
"""

from __future__ import annotations

import json
from pathlib import Path

__all__ = ["SUMMARY_NAME", "SUMMARY_KEYS", "REPORT_KEYS", "REPORT_SUFFIX", "read_summary"]

SUMMARY_NAME = "summary.jsonl"
SUMMARY_KEYS = ("id", "status", "n_src", "n_tgt", "n_beads", "coverage", "seconds", "error", "src", "tgt",
                "src_lang", "tgt_lang", "warning", "src_file", "tgt_file")
# with coverage reports (``--coverage``): the report's coverage and counts, in the summary after SUMMARY_KEYS
REPORT_KEYS = ("report_coverage", "omissions", "additions", "low_confidence", "suspects")
REPORT_SUFFIX = ".coverage.json"  # OUTDIR/<id>.coverage.json


def read_summary(path: Path) -> dict[str, dict]:
    """Last record per id; a line cut short by a kill is ignored."""
    out: dict[str, dict] = {}
    try:
        with open(path, encoding="utf-8") as f:
            for line in f:
                try:
                    rec = json.loads(line)
                except ValueError:
                    continue
                if isinstance(rec, dict) and isinstance(rec.get("id"), str):
                    out[rec["id"]] = rec
    except FileNotFoundError:
        pass
    return out

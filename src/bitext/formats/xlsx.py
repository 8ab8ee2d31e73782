"""Spreadsheets (.xlsx), with openpyxl: a bilingual table a person can filter and annotate.

Written: one sheet ``beads``, a row a bead: its number, kind, sentence ids,
score, coverage status (``ok``, ``omission``, ``addition``, ``low``,
``suspect``, ``term``, ``unmatched``: :mod:`bitext.coverage`, when a report
is given), source, target, and, where the inputs were documents, the
position of each side. Text is written as text, never as a formula.

Read: the ``source`` and ``target`` columns of the first sheet whose first row
names them (and ``score``, ``source ids``, ``target ids`` where present), so a
table bitext wrote, sorted or edited by a person, reads back.
"""

from __future__ import annotations

import io
from typing import Any

from ..text.read import InputError
from .document import Unit, UnitFile, position_label
from .zipped import check_zip

__all__ = ["read_units", "write", "COLUMNS"]

COLUMNS = (
    "bead",
    "kind",
    "source ids",
    "target ids",
    "score",
    "status",
    "source",
    "target",
    "source position",
    "target position",
)
_WIDTHS = {
    "bead": 6,
    "kind": 6,
    "source ids": 10,
    "target ids": 10,
    "score": 7,
    "status": 10,
    "source": 60,
    "target": 60,
    "source position": 18,
    "target position": 18,
}
_FILL = {
    "omission": "F8CBAD",
    "addition": "FFE699",
    "low": "F4B183",
    "suspect": "FFD966",
    "term": "C9C9FF",
    "unmatched": "F8CBAD",
}
_MAX_CELL = 32767  # Excel's limit


def _ids(ids) -> str:
    return ",".join(str(i) for i in ids)


def _cell_text(s: str) -> str:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    s = ILLEGAL_CHARACTERS_RE.sub("", s)
    return s if len(s) <= _MAX_CELL else s[: _MAX_CELL - 1] + "\u2026"


def write(alignment, report=None) -> bytes:
    """The alignment as an XLSX workbook (``report``: its coverage report, for the status column)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment as CellAlignment
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    from .positions import bead_position

    statuses = list(report.statuses) if report is not None else None
    wb = Workbook()
    ws = wb.active
    ws.title = "beads"
    ws.append(list(COLUMNS))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    wrap = CellAlignment(wrap_text=True, vertical="top")
    fills = {k: PatternFill("solid", fgColor=v) for k, v in _FILL.items()}
    for n, b in enumerate(alignment.beads):
        status = statuses[n] if statuses is not None and n < len(statuses) else ""
        row = [
            n + 1,
            b.kind,
            _ids(b.src_ids),
            _ids(b.tgt_ids),
            round(float(b.score), 4),
            status,
            _cell_text(b.src),
            _cell_text(b.tgt),
            position_label(bead_position(alignment, b, "src")),
            position_label(bead_position(alignment, b, "tgt")),
        ]
        ws.append(row)
        r = ws.max_row
        for col in (3, 4, 6, 7, 8, 9, 10):
            cell = ws.cell(r, col)
            cell.data_type = "s"  # "=1+1" in a sentence stays text
            cell.alignment = wrap
        if status in fills:
            ws.cell(r, 6).fill = fills[status]
    for i, name in enumerate(COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = _WIDTHS[name]
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{ws.max_row}"
    info = wb.create_sheet("about")
    for k, v in (
        ("source language", alignment.src_lang),
        ("target language", alignment.tgt_lang),
        ("beads", len(alignment.beads)),
        ("made by", "bitext"),
    ):
        info.append([k, v])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _parse_ids(v) -> tuple[int, ...] | None:
    if v is None or v == "":
        return ()
    try:
        return tuple(int(x) for x in str(v).replace(" ", "").split(",") if x)
    except ValueError:
        return None


def read_units(path, fmt: str | None = None, src_lang: str | None = None, tgt_lang: str | None = None) -> UnitFile:
    """The rows of the XLSX file at ``path`` as units (see the module's doc)."""
    check_zip(path, "XLSX").close()
    from openpyxl import load_workbook

    try:
        wb = load_workbook(str(path), read_only=True, data_only=True)
    except Exception as e:  # openpyxl raises KeyError, InvalidFileException, lxml errors ... for a damaged book
        raise InputError(f"{path}: not a readable XLSX file ({type(e).__name__}: {e})") from None
    try:
        for ws in wb.worksheets:
            rows = ws.iter_rows(values_only=True)
            head = next(rows, None)
            names = [str(c).strip().lower() if c is not None else "" for c in (head or ())]
            if "source" in names and "target" in names:
                break
        else:
            raise InputError(f"{path}: no sheet whose first row names a 'source' and a 'target' column")
        col = {name: i for i, name in enumerate(names) if name}
        langs = {}
        if "about" in wb.sheetnames:
            for row in wb["about"].iter_rows(values_only=True):
                if row and len(row) > 1 and row[0]:
                    langs[str(row[0])] = row[1]
        units = []
        for no, row in enumerate(rows, start=2):
            cells = {name: row[i] for name, i in col.items() if i < len(row)}
            get = cells.get
            src, tgt = get("source"), get("target")
            if src in (None, "") and tgt in (None, ""):
                continue
            where: dict[str, Any] = {"line": no}
            s_ids, t_ids = _parse_ids(get("source ids")), _parse_ids(get("target ids"))
            if "source ids" in col and s_ids is not None and t_ids is not None:
                where.update(src_ids=s_ids, tgt_ids=t_ids)
            score = get("score")
            units.append(
                Unit(
                    "" if src is None else str(src),
                    "" if tgt is None else str(tgt),
                    float(score) if isinstance(score, (int, float)) else None,
                    None,
                    where,
                )
            )
    finally:
        wb.close()
    if not units:
        raise InputError(f"{path}: no rows with text under 'source' and 'target'")
    return UnitFile(
        units, src_lang or langs.get("source language"), tgt_lang or langs.get("target language"), "xlsx", str(path)
    )

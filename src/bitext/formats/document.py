"""A document read from a file: its paragraphs, in reading order, each with where it sits.

Every reader of a document format (:mod:`bitext.formats.registry`) returns a
:class:`Document`. Its :attr:`~Document.text` holds one paragraph a line, the
input that :func:`bitext.align` has always read, so a sentence's
``paragraph`` (its line among the non-empty lines) indexes
:attr:`Document.paragraphs`, and :meth:`Document.where` tells its position in
the file: paragraph number, line, cue and timing, chapter, page.

This module imports nothing outside the standard library: the readers load
their libraries only when a file of their format is read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

__all__ = [
    "Paragraph",
    "Document",
    "Unit",
    "UnitFile",
    "MissingExtra",
    "join_lines",
    "clean_paragraph",
    "position_label",
]


class MissingExtra(ImportError):
    """A format's library is not installed: the message names the extra to install."""


@dataclass(frozen=True)
class Paragraph:
    """One paragraph: its text (one line, no line break inside) and where it sits in the
    file (``paragraph``: its 1-based number among the paragraphs; ``line``, ``cue``,
    ``start``/``end`` (a cue's timing), ``chapter``, ``page``, ``kind`` where the format
    has them)."""

    text: str
    where: dict = field(default_factory=dict, hash=False, compare=False)


@dataclass
class Document:
    """The paragraphs of one file, in reading order.

    ``text``: one paragraph a line (for plain text, the file's text as it is,
    blank lines included, so that nothing changes for it); ``format``: the
    format it was read as (``txt``, ``docx``, ``html``, ``md``, ``srt``,
    ``vtt``, ``epub``, ``pdf``); ``warnings``: what the reader could not do
    well (a PDF's layout). Pass it to :func:`bitext.align` as a side: the
    alignment keeps it (``src_doc``, ``tgt_doc``) and outputs that can carry
    positions (XLIFF, XLSX, JSONL) do.
    """

    paragraphs: list[Paragraph]
    format: str = "txt"
    path: str | None = None
    warnings: list[str] = field(default_factory=list)
    text: str = ""

    def __post_init__(self):
        if not self.text:
            self.text = "\n".join(p.text for p in self.paragraphs)

    def __len__(self) -> int:
        return len(self.paragraphs)

    def where(self, paragraph: int) -> dict:
        """The position of paragraph ``paragraph`` (0-based, a sentence's ``paragraph``)."""
        if 0 <= paragraph < len(self.paragraphs):
            return dict(self.paragraphs[paragraph].where)
        return {}

    def __repr__(self) -> str:
        name = f" {self.path}" if self.path else ""
        return f"<Document{name}: {self.format}, {len(self.paragraphs)} paragraphs, {len(self.text):,} characters>"


@dataclass(frozen=True)
class Unit:
    """One translation unit of a bilingual file: source and target text (``""``: that
    side is empty), the score the file gives (``None``: none), its ``id`` in the file and
    its position (``line``; a TMX's or XLIFF's notes and context where they have them)."""

    src: str
    tgt: str
    score: float | None = None
    id: str | None = None
    where: dict = field(default_factory=dict, hash=False, compare=False)


@dataclass
class UnitFile:
    """The units of one bilingual file (TMX, XLIFF, bitext's TSV, JSONL or XLSX), in order,
    with the languages the file names (``None`` where it names none)."""

    units: list[Unit]
    src_lang: str | None
    tgt_lang: str | None
    format: str
    path: str | None = None

    def __len__(self) -> int:
        return len(self.units)

    def __repr__(self) -> str:
        return (
            f"<UnitFile {self.path or ''}: {self.format}, {len(self.units)} units, "
            f"{self.src_lang or '?'}-{self.tgt_lang or '?'}>"
        )


# characters that end a line for str.splitlines (and so for the splitter), other than \n
_LINE_BREAKS = re.compile("[\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029\t]")
_CJK = re.compile(
    r"[\u2e80-\u2fff\u3001-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uff60\u201c\u201d]"
)


def _cjk(c: str) -> bool:
    return bool(_CJK.match(c))


def join_lines(lines) -> str:
    """Lines of one paragraph as one line: joined with a space, or with nothing
    between two Chinese or Japanese characters (a line wrapped inside a
    Chinese sentence has no space at its end; Hangul words do)."""
    out = ""
    for line in lines:
        line = line.strip()
        if not line:
            continue
        if out and not (_cjk(out[-1]) and _cjk(line[0])):
            out += " "
        out += line
    return out


def clean_paragraph(text: str) -> str:
    """A paragraph's text on one line: line breaks inside it joined (:func:`join_lines`),
    tabs and other line-ending characters made spaces, runs of spaces made one."""
    text = _LINE_BREAKS.sub(lambda m: " " if m.group() == "\t" else "\n", text)
    if "\n" in text:
        text = join_lines(text.split("\n"))
    return " ".join(text.split())


def position_label(where: dict) -> str:
    """A position as people read it: ``chapter 2, paragraph 5``, ``cue 14 (00:01:02,500 --> 00:01:04,000)``."""
    parts = []
    for key in ("chapter", "page", "cue", "paragraph", "line"):
        if key in where:
            parts.append(f"{key} {where[key]}")
    text = ", ".join(parts)
    if "start" in where and "end" in where:
        text += f" ({where['start']} --> {where['end']})"
    return text

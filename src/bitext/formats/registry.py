"""Every file format bitext reads or writes, one module each, behind one interface.

A :class:`Format` names its module, the extensions it goes by, what it is
(``document``: one side of a pair, read into a
:class:`~bitext.formats.document.Document`; ``bilingual``: both sides, read
into translation units; an output), and the optional extra its library comes
in. Modules load only when a file of their format is read or written, so
``bitext align a.txt b.txt`` imports none of the format libraries.

- :func:`read_document` (``bitext.read_document``): a document, by extension or content.
- :func:`read_units`: the units of a bilingual file (TMX, XLIFF, bitext's TSV, JSONL, XLSX).
- :func:`output_format` and :func:`render`: what an ``-o`` file (or ``--format``) writes.

A reader module has ``read(path, encoding=None, lang=None) -> Document`` or
``read_units(path, src_lang=None, tgt_lang=None) -> UnitFile``; a writer
module ``write(alignment, report=None) -> str | bytes``, or, for a format
of several files (Moses), ``files(alignment, path) -> ({path: text}, notes)``.
"""

from __future__ import annotations

import importlib
import os
from dataclasses import dataclass

from ..text.read import InputError
from .document import Document, MissingExtra

__all__ = [
    "Format",
    "FORMATS",
    "DOCUMENT_FORMATS",
    "BILINGUAL_FORMATS",
    "OUTPUT_FORMATS",
    "BATCH_FORMATS",
    "format_named",
    "document_format",
    "bilingual_format",
    "output_format",
    "sniff",
    "read_document",
    "read_units",
    "render",
    "load",
    "FormatError",
]

EXTRA = "formats"


class FormatError(ValueError):
    """An output format or file name bitext does not write; the message lists the formats."""


@dataclass(frozen=True)
class Format:
    """One format: its ``name``, ``extensions`` (the first is the one bitext writes), its
    ``module``, whether it is read as a ``document`` or as ``bilingual`` units (or not
    read), whether bitext ``writes`` it, whether it is ``binary``, the Python modules it
    needs (``needs``) and the extra that installs them."""

    name: str
    extensions: tuple[str, ...]
    module: str
    reads: str | None = None
    writes: bool = False
    binary: bool = False
    needs: tuple[str, ...] = ()
    files: bool = False  # writes several files (a prefix, not a file name)
    wants_report: bool = False  # its writer shows each bead's coverage status
    description: str = ""

    @property
    def extension(self) -> str:
        return self.extensions[0]


FORMATS: tuple[Format, ...] = (
    Format("txt", ("txt", "text"), "bitext.formats.plain", "document", description="plain text, one paragraph a line"),
    Format(
        "docx",
        ("docx",),
        "bitext.formats.docx",
        "document",
        needs=("docx",),
        description="Word: paragraphs, headings, table cells, text boxes, footnotes",
    ),
    Format(
        "html",
        ("html", "htm", "xhtml"),
        "bitext.formats.html",
        "document",
        needs=("lxml.html",),
        description="web page: the visible text of block elements",
    ),
    Format(
        "md",
        ("md", "markdown"),
        "bitext.formats.markdown",
        "document",
        needs=("markdown_it",),
        description="Markdown: text without markup, code blocks left out",
    ),
    Format(
        "srt",
        ("srt",),
        "bitext.formats.subtitles",
        "document",
        needs=("srt",),
        description="SubRip subtitles: each cue a paragraph, with its timing",
    ),
    Format(
        "vtt",
        ("vtt",),
        "bitext.formats.subtitles",
        "document",
        needs=("webvtt",),
        description="WebVTT subtitles: each cue a paragraph, with its timing",
    ),
    Format(
        "epub",
        ("epub",),
        "bitext.formats.epub",
        "document",
        needs=("ebooklib.epub", "lxml.html"),
        description="e-book: chapters in spine order",
    ),
    Format(
        "pdf",
        ("pdf",),
        "bitext.formats.pdf",
        "document",
        needs=("pypdf",),
        description="PDF with a text layer (layout may break sentences)",
    ),
    Format(
        "tsv",
        ("tsv",),
        "bitext.formats.beads",
        "bilingual",
        writes=True,
        description="bitext's beads: ids, score, source, target (tab-separated)",
    ),
    Format(
        "jsonl",
        ("jsonl",),
        "bitext.formats.beads",
        "bilingual",
        writes=True,
        description="bitext's beads, one JSON object a line (feeds --fixed)",
    ),
    Format(
        "beads",
        ("beads",),
        "bitext.formats.beads",
        None,
        writes=True,
        description="sentence ids only, as gold files: [i,j]:[k]:score",
    ),
    Format(
        "tmx",
        ("tmx",),
        "bitext.formats.tmx",
        "bilingual",
        writes=True,
        needs=("translate.storage.tmx",),
        description="TMX 1.4 translation memory",
    ),
    Format(
        "xliff",
        ("xlf", "xliff"),
        "bitext.formats.xliff",
        "bilingual",
        writes=True,
        needs=("translate.storage.xliff", "translate.storage.xliff2"),
        description="XLIFF 1.2 (read: 1.x and 2.x), for CAT tools",
    ),
    Format(
        "xlsx",
        ("xlsx",),
        "bitext.formats.xlsx",
        "bilingual",
        writes=True,
        binary=True,
        needs=("openpyxl",),
        wants_report=True,
        description="spreadsheet: a bilingual table with score and coverage status",
    ),
    Format(
        "moses",
        (),
        "bitext.formats.moses",
        None,
        writes=True,
        files=True,
        description="Moses line-parallel files PREFIX.<src_lang> and PREFIX.<tgt_lang>",
    ),
)

DOCUMENT_FORMATS = tuple(f.name for f in FORMATS if f.reads == "document")
BILINGUAL_FORMATS = tuple(f.name for f in FORMATS if f.reads == "bilingual")
OUTPUT_FORMATS = tuple(f.name for f in FORMATS if f.writes)
BATCH_FORMATS = tuple(f.name for f in FORMATS if f.writes and not f.files)  # one file a pair: <id>.<name>

_BY_NAME = {f.name: f for f in FORMATS}
_BY_EXTENSION = {e: f for f in FORMATS for e in f.extensions}


def format_named(name: str) -> Format:
    """The format called ``name`` (or written with that extension)."""
    f = _BY_NAME.get(name.lower()) or _BY_EXTENSION.get(name.lower())
    if f is None:
        raise FormatError(f"unknown format {name!r} (bitext knows {', '.join(_BY_NAME)})")
    return f


def _extension(path) -> str:
    return os.path.splitext(os.fspath(path))[1].lower().lstrip(".")


def load(fmt: Format):
    """The module of ``fmt``, or :class:`MissingExtra` naming the extra that installs its library."""
    for name in fmt.needs:
        try:
            importlib.import_module(name)
        except ImportError as e:
            raise MissingExtra(
                f"reading and writing {fmt.name} files needs the {e.name or name} library: "
                f"pip install 'bitext[{EXTRA}]'"
            ) from None
    return importlib.import_module(fmt.module)


def sniff(path) -> str | None:
    """The format the first bytes of ``path`` show (zip members, PDF, XML roots, subtitles), or None."""
    try:
        with open(path, "rb") as f:
            head = f.read(4096)
    except OSError:
        return None
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        import zipfile

        try:
            with zipfile.ZipFile(path) as z:
                names = set(z.namelist())
        except (zipfile.BadZipFile, OSError):
            return None
        if "word/document.xml" in names:
            return "docx"
        if "xl/workbook.xml" in names:
            return "xlsx"
        if "META-INF/container.xml" in names or "mimetype" in names:
            return "epub"
        return None
    text = head.lstrip(b"\xef\xbb\xbf").lstrip().lower()
    if text.startswith(b"webvtt"):
        return "vtt"
    head_text = text[:2048]
    if b"<tmx" in head_text:
        return "tmx"
    if b"<xliff" in head_text:
        return "xliff"
    if text.startswith((b"<!doctype html", b"<html")) or (text.startswith(b"<?xml") and b"<html" in head_text):
        return "html"
    import re

    if re.match(rb"\d+\s*\r?\n\d{1,2}:\d\d:\d\d[,.]\d{1,3}\s*-->", text):
        return "srt"
    return None


def document_format(path, fmt: str | None = None) -> Format:
    """The document format of ``path``: ``fmt`` if given, else its extension, else its content, else text."""
    f: Format | None
    if fmt:
        f = format_named(fmt)
    else:
        f = _BY_EXTENSION.get(_extension(path))
        if f is None or f.reads != "document":
            name = sniff(path) if f is None else None
            f = _BY_NAME.get(name) if name else f
    if f is None:
        return _BY_NAME["txt"]
    if f.reads != "document":
        what = "a bilingual file" if f.reads == "bilingual" else f"a {f.name} file"
        raise InputError(
            f"{path}: {what}, not a document; give it alone to bitext coverage or bitext review "
            f"(document formats: {', '.join(DOCUMENT_FORMATS)})"
        )
    return f


def bilingual_format(path, fmt: str | None = None) -> Format | None:
    """The bilingual format of ``path`` (by ``fmt``, extension or content), or None if it is not one."""
    f: Format | None
    if fmt:
        f = format_named(fmt)
        return f if f.reads == "bilingual" else None
    f = _BY_EXTENSION.get(_extension(path))
    if f is None:
        f = _BY_NAME.get(sniff(path) or "")
    return f if f is not None and f.reads == "bilingual" else None


def read_document(path, encoding: str | None = None, lang: str | None = None, fmt: str | None = None) -> Document:
    """The paragraphs of ``path`` in reading order, as a :class:`~bitext.formats.document.Document`.

    The format comes from ``fmt``, the extension, or the first bytes (plain text
    otherwise). ``encoding`` and ``lang`` help decode text formats (plain text,
    HTML, Markdown, subtitles). Raises :class:`~bitext.text.read.InputError` naming the
    file for a file that cannot be read (damaged, encrypted, a zip bomb, a PDF
    without a text layer, no text at all), and
    :class:`~bitext.formats.document.MissingExtra` when the format's library is
    not installed.
    """
    f = document_format(path, fmt)
    doc = load(f).read(path, encoding=encoding, lang=lang)
    if not doc.paragraphs:
        raise InputError(f"{path}: no text in this {f.name} file")
    return doc


def read_units(path, fmt: str | None = None, src_lang: str | None = None, tgt_lang: str | None = None):
    """The translation units of a bilingual file (:class:`~bitext.formats.document.UnitFile`)."""
    f = bilingual_format(path, fmt)
    if f is None:
        raise InputError(f"{path}: not a bilingual file (bilingual formats: {', '.join(BILINGUAL_FORMATS)})")
    return load(f).read_units(path, fmt=f.name, src_lang=src_lang, tgt_lang=tgt_lang)


def _formats_line() -> str:
    return ", ".join(
        f"{f.name} ({', '.join('.' + e for e in f.extensions)})" if f.extensions else f.name
        for f in FORMATS
        if f.writes
    )


def output_format(path: str | None, fmt: str | None = None) -> Format:
    """What writing ``path`` (``None`` or ``-``: standard output) with ``--format fmt`` writes.

    ``fmt`` wins; else the extension names it; standard output, or a device or
    FIFO without an extension: TSV. An extension
    bitext does not write is refused with the list of formats
    (:class:`FormatError`), as is a binary or several-file format on standard
    output.
    """
    to_stdout = path in (None, "-")
    if fmt:
        f = _BY_NAME.get(fmt.lower())
        if f is None or not f.writes:
            raise FormatError(f"unknown output format {fmt!r}; bitext writes {_formats_line()}")
    elif to_stdout or (not _extension(path) and _is_stream(path)):
        f = _BY_NAME["tsv"]  # standard output, a device, a FIFO: a stream of TSV as ever
    else:
        ext = _extension(path)
        f = _BY_EXTENSION.get(ext)
        if f is None or not f.writes:
            what = f"the extension .{ext}" if ext else "no extension"
            raise FormatError(
                f"{path}: {what} names no output format; bitext writes {_formats_line()} (or name one with --format)"
            )
    if to_stdout and f.files:
        raise FormatError(f"the {f.name} format writes two files: give their common name with -o PREFIX")
    if to_stdout and f.binary:
        raise FormatError(f"the {f.name} format is a binary file: give it a name with -o FILE.{f.extension}")
    return f


def _is_stream(path) -> bool:
    import stat

    try:
        return not stat.S_ISREG(os.stat(path).st_mode) and not stat.S_ISDIR(os.stat(path).st_mode)
    except OSError:
        return False


def render(alignment, path: str | None, fmt: Format, report=None) -> tuple[dict, list[str]]:
    """The files that writing ``alignment`` to ``path`` in ``fmt`` makes: ``({path: text or bytes}, notes)``
    (``path`` ``None`` or ``-``: standard output); ``notes`` are lines for the user (what was left out)."""
    module = load(fmt)
    if fmt.files:
        return module.files(alignment, os.fspath(path or "-"))
    out = "-" if path is None or path == "-" else os.fspath(path)
    if fmt.wants_report:
        return {out: module.write(alignment, report=report)}, []
    return {out: module.write(alignment, fmt=fmt.name)}, []

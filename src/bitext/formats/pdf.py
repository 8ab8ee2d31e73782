"""PDF files with a text layer, read with pypdf, page by page in reading order.

A PDF holds lines, not paragraphs: a line is joined to the next
(:func:`~bitext.formats.document.join_lines`) unless the font size changes,
the space to the next line is clearly wider than the page's usual line
spacing, or the line ends a sentence and stops short of the page's longest
lines. That guess can fail (a sentence across a page break, columns, footnotes in the
flow), so every PDF read carries a warning. Each paragraph knows its
``page``. Refused: a PDF without a text layer (scanned: run OCR first), one
that needs a password, a damaged one.
"""

from __future__ import annotations

import re
import unicodedata
import warnings

from ..text.read import InputError
from .document import Document, Paragraph, clean_paragraph, join_lines
from .zipped import check_size

__all__ = ["read", "LAYOUT_WARNING"]

LAYOUT_WARNING = "a PDF's layout may break sentences (line ends, columns, page breaks); check the beads"

# Kangxi radicals and CJK radical forms: what many PDFs' font maps give for common Chinese characters
_RADICALS = re.compile("[\u2e80-\u2fdf]")


def _unradical(text: str) -> str:
    return _RADICALS.sub(lambda m: unicodedata.normalize("NFKC", m.group()), text)


_ENDS = re.compile(r"[.!?。！？…:：;；\"'”’」』)）]\s*$")


def _page_lines(page) -> list[tuple[str, float | None, float]]:
    """The page's lines as pypdf extracts them, each with its baseline height and font size
    (``None`` where pypdf's callbacks do not match its text)."""
    meta = [[None, 0.0]]

    def visit(text, cm, tm, font, size):
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        scale = abs(tm[3] * cm[3]) or 1.0
        for k, part in enumerate(text.split("\n")):
            if k:
                meta.append([None, 0.0])
            if part.strip():
                if meta[-1][0] is None:
                    meta[-1][0] = y
                meta[-1][1] = max(meta[-1][1], size * scale)

    text = _unradical(page.extract_text(visitor_text=visit) or "")
    lines = text.split("\n")
    if len(lines) != len(meta):
        return [(line, None, 0.0) for line in lines]
    return [(line, y, float(size or 0.0)) for line, (y, size) in zip(lines, meta)]


def _paragraphs(lines: list[tuple[str, float | None, float]]) -> list[str]:
    """Lines of one page grouped into paragraphs: a break where the font size changes, where the
    space above a line is clearly wider than the page's usual line spacing, or after a line that
    ends a sentence and stops short of the page's longest lines."""
    lines = [(t.strip(), y, size) for t, y, size in lines if t.strip()]
    if not lines:
        return []
    widths = sorted(len(t) for t, _, _ in lines)
    full = widths[int(0.8 * (len(widths) - 1))]  # a typical full line
    by_size: dict[int, list[float]] = {}  # line spacings between lines of one font size
    for a, b in zip(lines, lines[1:]):
        if a[1] is not None and b[1] is not None and a[1] > b[1] and abs(a[2] - b[2]) < 0.1 * max(a[2], 1):
            by_size.setdefault(round(a[2]), []).append(a[1] - b[1])

    def usual(size: float) -> float:
        gaps = sorted(by_size.get(round(size), []))
        return gaps[len(gaps) // 2] * 1.3 if len(gaps) >= 3 else 1.75 * size

    out, cur = [], []
    for i, (body, y, size) in enumerate(lines):
        cur.append(body)
        if i + 1 == len(lines):
            break
        _, ny, nsize = lines[i + 1]
        ends = len(body) < 0.85 * full and bool(_ENDS.search(body))
        if y is not None and ny is not None:
            resized = abs(size - nsize) > 0.1 * max(size, nsize, 1)
            spaced = y - ny > usual(size) or ny > y
            ends = ends or resized or spaced
        if ends:
            out.append(join_lines(cur))
            cur = []
    if cur:
        out.append(join_lines(cur))
    return out


def read(path, encoding: str | None = None, lang: str | None = None) -> Document:
    """The paragraphs of the PDF at ``path``, with a warning that its layout may break sentences."""
    p = check_size(path)
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reader = PdfReader(str(p))
            if reader.is_encrypted:
                try:
                    opened = bool(reader.decrypt(""))
                except Exception:  # an encryption pypdf cannot undo (needs cryptography)
                    opened = False
                if not opened:
                    raise InputError(f"{p}: encrypted PDF (it needs a password); save a copy without one")
            pages = [_page_lines(page) for page in reader.pages]
    except InputError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, OSError) as e:
        raise InputError(f"{p}: not a readable PDF file ({type(e).__name__}: {e})") from None
    except Exception as e:  # pypdf raises many kinds for a damaged file
        raise InputError(f"{p}: not a readable PDF file ({type(e).__name__}: {e})") from None
    if not any(t.strip() for lines in pages for t, _, _ in lines):
        raise InputError(
            f"{p}: no text layer (a scanned PDF?): run OCR first (e.g. ocrmypdf), then give bitext the result"
        )
    paragraphs: list[Paragraph] = []
    for number, lines in enumerate(pages, start=1):
        for body in _paragraphs(lines):
            body = clean_paragraph(body)
            if body:
                paragraphs.append(Paragraph(body, {"page": number, "paragraph": len(paragraphs) + 1}))
    return Document(paragraphs, "pdf", str(p), warnings=[LAYOUT_WARNING])

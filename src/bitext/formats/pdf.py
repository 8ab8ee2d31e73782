"""PDF files with a text layer, read with pypdf, page by page in reading order.

A PDF holds lines, not paragraphs: a line is joined to the next
(:func:`~bitext.formats.document.join_lines`) unless it ends a sentence and
stops short of the page's longest lines, or the next line is indented. That
guess can fail (a sentence across a page break, columns, footnotes in the
flow), so every PDF read carries a warning. Each paragraph knows its
``page``. Refused: a PDF without a text layer (scanned: run OCR first), one
that needs a password, a damaged one.
"""

from __future__ import annotations

import re
import unicodedata
import warnings

from ..io import InputError
from .document import Document, Paragraph, clean_paragraph, join_lines
from .zipped import check_size

__all__ = ["read", "LAYOUT_WARNING"]

LAYOUT_WARNING = "a PDF's layout may break sentences (line ends, columns, page breaks); check the beads"

# Kangxi radicals and CJK radical forms: what many PDFs' font maps give for common Chinese characters
_RADICALS = re.compile("[\u2e80-\u2fdf]")


def _unradical(text: str) -> str:
    return _RADICALS.sub(lambda m: unicodedata.normalize("NFKC", m.group()), text)


_ENDS = re.compile(r"[.!?。！？…:：;；\"'”’」』)）]\s*$")


def _paragraphs(lines: list[str]) -> list[str]:
    """Lines of one page grouped into paragraphs."""
    lines = [ln.rstrip() for ln in lines]
    widths = sorted(len(ln.strip()) for ln in lines if ln.strip())
    if not widths:
        return []
    full = widths[int(0.8 * (len(widths) - 1))]  # a typical full line
    out, cur = [], []
    for i, ln in enumerate(lines):
        body = ln.strip()
        if not body:
            if cur:
                out.append(join_lines(cur))
                cur = []
            continue
        cur.append(body)
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        short = len(body) < 0.85 * full
        indented = bool(nxt) and len(nxt) - len(nxt.lstrip()) > len(ln) - len(ln.lstrip())
        if (short and _ENDS.search(body)) or indented:
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
                    opened = reader.decrypt("")
                except Exception:  # an encryption pypdf cannot undo (needs cryptography)
                    opened = 0
                if not opened:
                    raise InputError(f"{p}: encrypted PDF (it needs a password); save a copy without one")
            pages = [_unradical(page.extract_text() or "") for page in reader.pages]
    except InputError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, OSError) as e:
        raise InputError(f"{p}: not a readable PDF file ({type(e).__name__}: {e})") from None
    except Exception as e:  # pypdf raises many kinds for a damaged file
        raise InputError(f"{p}: not a readable PDF file ({type(e).__name__}: {e})") from None
    if not any(t.strip() for t in pages):
        raise InputError(f"{p}: no text layer (a scanned PDF?): run OCR first (e.g. ocrmypdf), then give bitext "
                         "the result")
    paragraphs = []
    for number, text in enumerate(pages, start=1):
        for body in _paragraphs(text.split("\n")):
            body = clean_paragraph(body)
            if body:
                paragraphs.append(Paragraph(body, {"page": number, "paragraph": len(paragraphs) + 1}))
    return Document(paragraphs, "pdf", str(p), warnings=[LAYOUT_WARNING])

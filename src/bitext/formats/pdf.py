"""PDF files with a text layer, read with pypdf, page by page in reading order.

A PDF holds lines, not paragraphs: a line is joined to the next
(:func:`~bitext.formats.document.join_lines`) unless the font size changes,
the space to the next line is clearly wider than the page's usual line
spacing, or the line ends a sentence and stops short of the page's longest
lines. That guess can fail (a sentence across a page break, columns, footnotes in the
flow), so every PDF read carries a warning. Each paragraph knows its
``page``. In a Chinese or Japanese paragraph, the spaces pypdf puts between
characters where the glyph runs change are taken out. Refused: a PDF without a text layer (scanned: run OCR first), one
that needs a password, a damaged one.
"""

from __future__ import annotations

import re
import unicodedata
import warnings

from ..text.read import InputError
from .document import Document, Paragraph, _cjk, clean_paragraph, join_lines
from .zipped import check_size

__all__ = ["read", "LAYOUT_WARNING"]

LAYOUT_WARNING = "a PDF's layout may break sentences (line ends, columns, page breaks); check the beads"

# Kangxi radicals and CJK radical forms: what many PDFs' font maps give for common Chinese characters
_RADICALS = re.compile("[\u2e80-\u2fdf]")


# the CJK Radicals Supplement forms that are whole (mostly simplified) characters, as fonts map
# them (网⺠ for 网民): their equivalent ideographs (Unicode's EquivalentUnifiedIdeograph.txt);
# the Kangxi radicals have an NFKC form
_SUPPLEMENT = dict(
    zip(
        "\u2e9f\u2ea0\u2ec1\u2ec4\u2ec5\u2ec6\u2ec8\u2ec9\u2ecb\u2ed3\u2ed4\u2ed8\u2eda\u2edb\u2edc"
        "\u2edd\u2ee0\u2ee2\u2ee4\u2ee5\u2ee6\u2ee7\u2ee8\u2ee9\u2eea\u2eec\u2eee\u2ef0\u2ef3",
        "母民虎西见角讠贝车长门青页风飞食饣马鬼鱼鸟卤麦黄黾齐齿龙龟",
    )
)


def _unradical(text: str) -> str:
    return _RADICALS.sub(lambda m: _SUPPLEMENT.get(m.group()) or unicodedata.normalize("NFKC", m.group()), text)


# Han and kana: a paragraph mostly written in them is Chinese or Japanese, which puts no spaces
# between words; pypdf puts one wherever the glyph runs change (around punctuation, Latin, digits)
_HAN_KANA = re.compile("[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LETTER = re.compile(r"[^\W\d_]")
_HANGUL = re.compile("[\u1100-\u11ff\u3130-\u318f\uac00-\ud7a3]")
_SPACES = re.compile(r"(?<=\S) +(?=\S)")


def _tighten(text: str) -> str:
    """A Chinese or Japanese paragraph without the spaces pypdf leaves beside its characters and its
    punctuation (``社评 : 中国 AI“ 拥抱开源 ”`` -> ``社评:中国AI“拥抱开源”``); spaces between two
    words of another script (``Open Source``) and beside Hangul stay. Other paragraphs as they are."""
    letters = len(_LETTER.findall(text))
    if not letters or len(_HAN_KANA.findall(text)) < 0.5 * letters:
        return text

    def space(m: re.Match) -> str:
        a, b = text[m.start() - 1], text[m.end()]
        if _HANGUL.match(a) or _HANGUL.match(b):
            return m.group()
        return "" if _cjk(a) or _cjk(b) else m.group()

    return _SPACES.sub(space, text)


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
            body = _tighten(clean_paragraph(body))
            if body:
                paragraphs.append(Paragraph(body, {"page": number, "paragraph": len(paragraphs) + 1}))
    return Document(paragraphs, "pdf", str(p), warnings=[LAYOUT_WARNING])

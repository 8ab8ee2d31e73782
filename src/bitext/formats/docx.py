"""Word files (.docx), read with python-docx: paragraphs in reading order.

The body is walked in document order: paragraphs and headings, the cells of
tables (row by row, nested tables inside their cell), content controls, and
the text boxes anchored in a paragraph right after it (the DrawingML box,
not its VML copy for old readers). Footnotes and endnotes follow the body,
in the order they are referenced. A paragraph's text is the text of its runs
joined (runs split by editing, hyperlinks, tracked insertions), without
deleted text or field codes; a line break inside it joins its lines
(:func:`~bitext.formats.document.join_lines`); empty paragraphs are skipped.
Page headers and footers are left out, as a web page's are.
"""

from __future__ import annotations

from ..text.read import InputError
from .document import Document, Paragraph, clean_paragraph
from .zipped import check_zip

__all__ = ["read"]

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
_V = "{urn:schemas-microsoft-com:vml}"

_SKIP = {
    _W + "pPr",
    _W + "rPr",
    _W + "del",
    _W + "delText",
    _W + "instrText",
    _W + "moveFrom",
    _MC + "Fallback",
    _W + "sectPr",
    _W + "tblPr",
    _W + "trPr",
    _W + "tcPr",
    _W + "tblGrid",
}
_NOTE_REFS = {_W + "footnoteReference": "footnote", _W + "endnoteReference": "endnote"}


class _Walker:
    """Collects the paragraphs of one part in reading order."""

    def __init__(self):
        self.paragraphs: list[tuple[str, str]] = []  # (text, kind)
        self.note_refs: list[tuple[str, str]] = []  # (kind, id) in reading order

    def block(self, el, kind: str) -> None:
        for child in el:
            tag = child.tag
            if tag == _W + "p":
                self.paragraph(child, kind)
            elif tag == _W + "tbl":
                self.block(child, "table cell")
            elif tag in _SKIP or not isinstance(tag, str):
                continue
            else:  # rows, cells, content controls (sdt, sdtContent), customXml ...
                self.block(child, kind)

    def paragraph(self, p, kind: str) -> None:
        texts: list[str] = []
        boxes: list = []
        self._runs(p, texts, boxes)
        text = clean_paragraph("".join(texts))
        if text:
            self.paragraphs.append((text, "heading" if kind == "body" and _is_heading(p) else kind))
        for box in boxes:
            self.block(box, "text box")

    def _runs(self, el, texts: list[str], boxes: list) -> None:
        for c in el:
            tag = c.tag
            if not isinstance(tag, str) or tag in _SKIP:
                continue
            if tag == _W + "t":
                texts.append(c.text or "")
            elif tag in (_W + "tab", _W + "ptab"):
                texts.append(" ")
            elif tag in (_W + "br", _W + "cr"):
                texts.append("\n")
            elif tag == _W + "noBreakHyphen":
                texts.append("\u2011")
            elif tag == _W + "txbxContent":
                boxes.append(c)
            elif tag in _NOTE_REFS:
                self.note_refs.append((_NOTE_REFS[tag], c.get(_W + "id")))
            elif tag == _V + "textbox":
                continue  # the VML copy of a box whose DrawingML version was read
            else:
                self._runs(c, texts, boxes)


def _is_heading(p) -> bool:
    ppr = p.find(_W + "pPr")
    if ppr is None:
        return False
    style = ppr.find(_W + "pStyle")
    name = (style.get(_W + "val") or "").lower() if style is not None else ""
    return name.startswith(("heading", "title", "subtitle")) or ppr.find(_W + "outlineLvl") is not None


def _notes(doc, kind: str) -> dict[str, list[str]]:
    """The paragraphs of each footnote (or endnote) by id, separators left out."""
    from lxml import etree

    rel_end = "/footnotes" if kind == "footnote" else "/endnotes"
    for rel in doc.part.rels.values():
        if rel.reltype.endswith(rel_end) and not rel.is_external:
            parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
            root = etree.fromstring(rel.target_part.blob, parser)
            out = {}
            for note in root.findall(_W + kind):
                if note.get(_W + "type") in ("separator", "continuationSeparator", "continuationNotice"):
                    continue
                w = _Walker()
                w.block(note, kind)
                out[note.get(_W + "id")] = [t for t, _ in w.paragraphs]
            return out
    return {}


def read(path, encoding: str | None = None, lang: str | None = None) -> Document:
    """The paragraphs of the Word file at ``path`` (``encoding`` and ``lang`` are not used)."""
    check_zip(path, "DOCX").close()
    import docx

    try:
        doc = docx.Document(str(path))
        body = doc.element.body
        w = _Walker()
        w.block(body, "body")
        notes = {k: _notes(doc, k) for k in ("footnote", "endnote")}
    except InputError:
        raise
    except Exception as e:  # python-docx and lxml raise many kinds for a damaged package
        raise InputError(f"{path}: not a readable DOCX file ({type(e).__name__}: {e})") from None
    items = list(w.paragraphs)
    seen = set()
    for kind, nid in sorted(w.note_refs, key=lambda r: r[0] == "endnote"):  # footnotes, then endnotes
        if (kind, nid) in seen:
            continue
        seen.add((kind, nid))
        items += [(t, kind) for t in notes[kind].get(nid, [])]
    paragraphs: list[Paragraph] = []
    for text, kind in items:
        where: dict[str, int | str] = {"paragraph": len(paragraphs) + 1}
        if kind != "body":
            where["kind"] = kind
        paragraphs.append(Paragraph(text, where))
    return Document(paragraphs, "docx", str(path))

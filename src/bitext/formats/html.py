"""Web pages (.html), read with lxml: the visible text of block elements, one paragraph each.

Scripts, styles, navigation (``<nav>``, ``role="navigation"``), footers
(``<footer>``, ``role="contentinfo"``), the ``<head>``, forms' controls and
hidden elements are left out. Each block element (paragraph, heading, list
item, table cell, quotation, ``<div>`` text ...) is a paragraph; inline
markup (links, emphasis, ``<span>``) is joined into its block's text; a
``<br>`` joins the lines around it; whitespace is collapsed as a browser
does, and a line break between two Chinese characters joins them without a
space. :func:`paragraphs_of` serves EPUB chapters too.
"""

from __future__ import annotations

import re

from ..text.read import read_text
from .document import Document, Paragraph, clean_paragraph

__all__ = ["read", "paragraphs_of"]

_BLOCK = set(
    """address article aside blockquote body caption center dd details dialog dir div dl dt fieldset
figcaption figure form h1 h2 h3 h4 h5 h6 header hgroup hr html li main menu ol p pre section summary table
tbody td tfoot th thead tr ul legend""".split()
)
_DROP = set(
    """script style noscript template nav footer head svg math iframe object embed canvas button select
textarea input option datalist audio video map area""".split()
)
_DROP_ROLES = {"navigation", "contentinfo", "banner", "search"}
_KIND = {
    **{f"h{i}": "heading" for i in range(1, 7)},
    "li": "list item",
    "td": "table cell",
    "th": "table cell",
    "caption": "caption",
    "figcaption": "caption",
    "blockquote": "quotation",
    "dt": "term",
    "dd": "definition",
}
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)


def _tag(el) -> str | None:
    tag = el.tag
    if not isinstance(tag, str):
        return None  # a comment or a processing instruction
    return tag.rsplit("}", 1)[-1].lower()


def _dropped(el, tag: str) -> bool:
    if tag in _DROP:
        return True
    role = (el.get("role") or "").lower()
    if role in _DROP_ROLES:
        return True
    if el.get("hidden") is not None or (el.get("aria-hidden") or "").lower() == "true":
        return True
    return bool(_HIDDEN_STYLE.search(el.get("style") or ""))


class _Collector:
    def __init__(self):
        self.out: list[tuple[str, str]] = []  # (text, kind)
        self.buf: list[str] = []
        self.blocks: list[str] = []

    def flush(self) -> None:
        text = clean_paragraph("".join(self.buf))
        self.buf = []
        if text:
            kind = next((_KIND[t] for t in reversed(self.blocks) if t in _KIND), "")
            self.out.append((text, kind))

    def walk(self, el) -> None:
        tag = _tag(el)
        if tag is None:
            pass
        elif _dropped(el, tag):
            pass
        elif tag == "br":
            self.buf.append("\n")
        elif tag in _BLOCK:
            self.flush()
            self.blocks.append(tag)
            self.buf.append(el.text or "")
            for child in el:
                self.walk(child)
            self.flush()
            self.blocks.pop()
        elif tag == "img":
            pass
        else:
            self.buf.append(el.text or "")
            for child in el:
                self.walk(child)
        if el.tail:
            self.buf.append(el.tail)


def paragraphs_of(markup: str | bytes, where: dict | None = None) -> list[Paragraph]:
    """The paragraphs of an HTML or XHTML page, each with ``paragraph`` (its number here) and ``kind``."""
    import lxml.html
    from lxml import etree

    if isinstance(markup, str):
        markup = _XML_DECL.sub("", markup, count=1)
    if not (markup.strip() if isinstance(markup, str) else markup.strip()):
        return []
    try:
        root = lxml.html.document_fromstring(markup)
    except (etree.ParserError, ValueError):
        return []
    c = _Collector()
    c.walk(root)
    c.flush()
    out: list[Paragraph] = []
    for text, kind in c.out:
        w = dict(where or {})
        w["paragraph"] = len(out) + 1
        if kind:
            w["kind"] = kind
        out.append(Paragraph(text, w))
    return out


def read(path, encoding: str | None = None, lang: str | None = None) -> Document:
    """The visible paragraphs of the web page at ``path``."""
    return Document(paragraphs_of(read_text(path, encoding, lang)), "html", str(path))

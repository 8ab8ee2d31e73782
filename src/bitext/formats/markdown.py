"""Markdown (.md), read with markdown-it-py: the text without its markup.

Headings, paragraphs, list items, quotations and table cells (GitHub
tables) are paragraphs; emphasis, links and inline code keep their text;
images, code blocks and a YAML front matter are left out; an HTML block
gives its visible text (:mod:`bitext.formats.html`). Each paragraph knows
its line in the file.
"""

from __future__ import annotations

import re

from ..text.read import read_text
from .document import Document, Paragraph, clean_paragraph

__all__ = ["read", "paragraphs_of"]

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n.*?\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S)
_KIND = {
    "h1": "heading",
    "h2": "heading",
    "h3": "heading",
    "h4": "heading",
    "h5": "heading",
    "h6": "heading",
    "li": "list item",
    "td": "table cell",
    "th": "table cell",
    "blockquote": "quotation",
}


def _inline_text(token) -> str:
    parts = []
    for c in token.children or []:
        if c.type in ("text", "code_inline"):
            parts.append(c.content)
        elif c.type in ("softbreak", "hardbreak"):
            parts.append("\n")
    return "".join(parts)


def paragraphs_of(text: str) -> list[Paragraph]:
    """The paragraphs of a Markdown text, each with its ``paragraph`` number, ``line`` and ``kind``."""
    from markdown_it import MarkdownIt

    skipped = 0
    m = _FRONT_MATTER.match(text)
    if m:
        skipped = m.group().count("\n")
        text = text[m.end() :]
    md = MarkdownIt("commonmark").enable("table")
    out: list[Paragraph] = []
    stack: list[str] = []

    def add(body: str, line: int | None, kind: str) -> None:
        body = clean_paragraph(body)
        if body:
            where: dict[str, int | str] = {"paragraph": len(out) + 1}
            if line is not None:
                where["line"] = line + 1 + skipped
            if kind:
                where["kind"] = kind
            out.append(Paragraph(body, where))

    for t in md.parse(text):
        if t.nesting == 1:
            stack.append(t.tag)
        elif t.nesting == -1:
            if stack:
                stack.pop()
        elif t.type == "inline":
            kind = next((_KIND[tag] for tag in reversed(stack) if tag in _KIND), "")
            add(_inline_text(t), t.map[0] if t.map else None, kind)
        elif t.type == "html_block":
            from .html import paragraphs_of as html_paragraphs

            for p in html_paragraphs(t.content):
                add(p.text, t.map[0] if t.map else None, p.where.get("kind", ""))
    return out


def read(path, encoding: str | None = None, lang: str | None = None) -> Document:
    """The paragraphs of the Markdown file at ``path``."""
    return Document(paragraphs_of(read_text(path, encoding, lang)), "md", str(path))

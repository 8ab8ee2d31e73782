"""Plain text: one paragraph a line, read as it always was (:func:`bitext.text.read.read_text`)."""

from __future__ import annotations

from ..text.read import read_text
from .document import Document, Paragraph

__all__ = ["read", "document_of"]


def document_of(text: str, fmt: str = "txt", path=None) -> Document:
    """A :class:`Document` of ``text`` as it is: each non-empty line a paragraph (``line``: its
    number), counted as :func:`bitext.segment.split` counts them."""
    paragraphs: list[Paragraph] = []
    for no, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            paragraphs.append(Paragraph(line, {"paragraph": len(paragraphs) + 1, "line": no}))
    return Document(paragraphs, fmt, None if path is None else str(path), text=text)


def read(path, encoding: str | None = None, lang: str | None = None) -> Document:
    """The text file at ``path``: UTF-8 or a legacy encoding told with confidence."""
    return document_of(read_text(path, encoding, lang), "txt", path)

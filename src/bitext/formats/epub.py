"""E-books (.epub), read with ebooklib: the chapters in spine (reading) order.

Each spine document is read as a web page (:func:`bitext.formats.html.paragraphs_of`);
its paragraphs know their ``chapter`` (the number of the spine document that
holds text, from 1), their ``paragraph`` inside it and the chapter's ``file``.
Spine documents marked ``linear="no"`` are outside the reading order and left
out; the navigation document's ``<nav>`` gives no text. An e-book whose
chapters are encrypted (DRM) is refused; obfuscated fonts are not in the way.
"""

from __future__ import annotations

import re
import warnings

from ..text.read import InputError
from .document import Document, Paragraph
from .html import paragraphs_of
from .zipped import check_zip

__all__ = ["read"]

_CIPHER_URI = re.compile(rb'CipherReference[^>]*URI\s*=\s*"([^"]+)"')


def _check_drm(path) -> None:
    with check_zip(path, "EPUB") as z:
        names = set(z.namelist())
        if "META-INF/encryption.xml" in names:
            info = z.getinfo("META-INF/encryption.xml")
            data = z.read(info) if info.file_size < (4 << 20) else b""
            if any(
                not uri.lower().endswith((b".otf", b".ttf", b".woff", b".woff2")) for uri in _CIPHER_URI.findall(data)
            ):
                raise InputError(f"{path}: an encrypted (DRM-protected) EPUB; bitext reads only books without DRM")


def read(path, encoding: str | None = None, lang: str | None = None) -> Document:
    """The paragraphs of the e-book at ``path``, chapter by chapter."""
    _check_drm(path)
    from ebooklib import epub

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            book = epub.read_epub(str(path), {"ignore_ncx": True})
        chapters = []
        for idref, *rest in book.spine:
            if rest and str(rest[0]).lower() == "no":
                continue  # linear="no": outside the reading order (a pop-up note, a cover page)
            item = book.get_item_with_id(idref)
            if item is not None:
                chapters.append((item.get_name(), item.get_content()))
    except InputError:
        raise
    except Exception as e:  # ebooklib raises EpubException, KeyError, lxml errors ... for a damaged book
        raise InputError(f"{path}: not a readable EPUB file ({type(e).__name__}: {e})") from None
    paragraphs: list[Paragraph] = []
    number = 0
    for name, content in chapters:
        found = paragraphs_of(content, {"file": name})
        if found:
            number += 1
            paragraphs += [Paragraph(p.text, {"chapter": number, **p.where}) for p in found]
    return Document(paragraphs, "epub", str(path))

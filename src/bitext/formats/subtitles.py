"""Subtitles: SubRip (.srt, with srt) and WebVTT (.vtt, with webvtt-py).

Each cue is a paragraph: its text without styling tags (``<i>``, ``<v Name>``,
``{\\an8}``), its lines joined (:func:`~bitext.formats.document.join_lines`),
and its position: ``cue`` (its number in the file, from 1), ``start`` and
``end`` (the timing as the file writes it), ``id`` (a WebVTT cue's identifier
or an SRT cue's index). Outputs that carry positions (XLIFF, XLSX, JSONL)
carry the timing of each bead's first sentence.
"""

from __future__ import annotations

import re

from ..text.read import InputError, read_text
from .document import Document, Paragraph, clean_paragraph

__all__ = ["read"]

# styling: <i> <b> <u> <s> <font ...> (SubRip), <c.x> <v Name> <lang en> <ruby> <rt> and timestamps (WebVTT),
# {\an8} (ASS codes in SubRip); any other "<...>" is text (a title in angle brackets)
_TAGS = re.compile(r"</?(?:[ibus]|font|c|v|lang|ruby|rt)(?:[ .][^>\n]*)?>|<\d[\d:.]*>|\{\\[^}\n]*\}")


def _paragraph(text: str, where: dict) -> Paragraph | None:
    body = clean_paragraph(
        _TAGS.sub("", text).replace("&nbsp;", " ").replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")
    )
    return Paragraph(body, where) if body else None


def _srt(path, text: str) -> list[Paragraph]:
    import srt

    out = []
    try:
        for n, cue in enumerate(srt.parse(text, ignore_errors=False), start=1):
            p = _paragraph(
                cue.content,
                {
                    "cue": n,
                    "id": str(cue.index),
                    "start": srt.timedelta_to_srt_timestamp(cue.start),
                    "end": srt.timedelta_to_srt_timestamp(cue.end),
                },
            )
            if p:
                out.append(p)
    except srt.SRTParseError as e:
        m = re.search(r"at char (\d+)", str(e))
        line = text[: int(m.group(1))].count("\n") + 1 if m else None
        where = f"{path}:{line}" if line else str(path)
        raise InputError(
            f"{where}: not a SubRip cue (expected a number, then a line 'HH:MM:SS,mmm --> HH:MM:SS,mmm', then the text)"
        ) from None
    return out


def _vtt(path, text: str) -> list[Paragraph]:
    import webvtt
    from webvtt.errors import MalformedFileError

    if not text.lstrip("\ufeff").startswith("WEBVTT"):
        raise InputError(f"{path}:1: not a WebVTT file (it must start with WEBVTT)")
    try:
        captions = webvtt.from_string(text)
    except MalformedFileError as e:
        raise InputError(f"{path}: not a well-formed WebVTT file ({e})") from None
    out = []
    for n, c in enumerate(captions.captions, start=1):
        where = {"cue": n, "start": c.start, "end": c.end}
        if c.identifier:
            where["id"] = c.identifier
        p = _paragraph(c.raw_text if hasattr(c, "raw_text") else c.text, where)
        if p:
            out.append(p)
    return out


def read(path, encoding: str | None = None, lang: str | None = None) -> Document:
    """The cues of the subtitle file at ``path`` (SubRip or WebVTT, by its extension or first line)."""
    text = read_text(path, encoding, lang)
    vtt = str(path).lower().endswith(".vtt") or text.lstrip("\ufeff").startswith("WEBVTT")
    paragraphs = _vtt(path, text) if vtt else _srt(path, text)
    return Document(paragraphs, "vtt" if vtt else "srt", str(path))

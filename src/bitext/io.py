"""Reading input files and writing beads: TSV, JSON Lines, bead files, TMX; atomic writes."""

from __future__ import annotations

import json
import math
import os
import re
import tempfile
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

__all__ = [
    "InputError",
    "read_text",
    "write_atomic",
    "beads_to_tsv",
    "beads_to_jsonl",
    "beads_to_beads",
    "beads_to_tmx",
    "format_beads",
    "FORMATS",
]

FORMATS = ("tsv", "jsonl", "beads", "tmx")

_UMASK = os.umask(0)
os.umask(_UMASK)


class InputError(ValueError):
    """An input file cannot be used; the message names the file and the problem."""


def read_text(path: str | os.PathLike) -> str:
    """Read a text file as UTF-8, or in the encoding charset-normalizer is sure of.

    Refuses a missing, empty or binary file, and text whose encoding cannot be
    told with confidence, with an :class:`InputError` that names the file.
    """
    p = Path(path)
    try:
        data = p.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{p}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{p}: is a directory, not a text file") from None
    except OSError as e:
        raise InputError(f"{p}: cannot read: {e.strerror or e}") from None
    if not data.strip():
        raise InputError(f"{p}: file is empty")
    if b"\x00" in data[:65536] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError(f"{p}: looks like a binary file, not text")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = _decode_guess(p, data)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise InputError(f"{p}: file has no text")
    control = sum(1 for c in text[:65536] if ord(c) < 32 and c not in "\n\t\f\v")
    if control > 0.01 * min(len(text), 65536):
        raise InputError(f"{p}: looks like a binary file, not text")
    return text


def _decode_guess(p: Path, data: bytes) -> str:
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None or best.chaos > 0.2 or best.encoding is None:
        raise InputError(
            f"{p}: not UTF-8, and its encoding cannot be detected with confidence; "
            "convert it to UTF-8 (e.g. iconv -f CP949 -t UTF-8)"
        )
    return str(best)


def write_atomic(path: str | os.PathLike, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file and a rename."""
    p = Path(path)
    fd, tmp = tempfile.mkstemp(dir=p.parent if str(p.parent) else ".", prefix=f".{p.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
        os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp makes 0600; outputs get the usual mode
        os.replace(tmp, p)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def _ids(ids) -> str:
    return ",".join(str(i) for i in ids)


def _clean(s: str) -> str:
    return s.replace("\t", " ").replace("\n", " ").replace("\r", " ")


def _num(x: float) -> str:
    return "nan" if math.isnan(x) else f"{x:.4f}"


def beads_to_tsv(beads) -> str:
    """Header ``src_ids tgt_ids score src tgt``; ids comma-separated, empty for a missing side."""
    rows = ["src_ids\ttgt_ids\tscore\tsrc\ttgt"]
    for b in beads:
        rows.append(f"{_ids(b.src_ids)}\t{_ids(b.tgt_ids)}\t{_num(b.score)}\t{_clean(b.src)}\t{_clean(b.tgt)}")
    return "\n".join(rows) + "\n"


def beads_to_jsonl(beads) -> str:
    return "".join(
        json.dumps(
            {
                "src_ids": list(b.src_ids),
                "tgt_ids": list(b.tgt_ids),
                "score": round(b.score, 4),
                "similarity": round(b.similarity, 4),
                "src": b.src,
                "tgt": b.tgt,
            },
            ensure_ascii=False,
        )
        + "\n"
        for b in beads
    )


def beads_to_beads(beads) -> str:
    """``[i,j]:[k]:score`` per line, the format of Bertalign's and Vecalign's gold files."""
    return "".join(f"[{_ids(b.src_ids)}]:[{_ids(b.tgt_ids)}]:{_num(b.score)}\n" for b in beads)


# characters XML 1.0 cannot hold, even escaped (C0 controls other than tab,
# newline and carriage return, lone surrogates, U+FFFE and U+FFFF)
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _xml_text(s: str) -> str:
    return escape(_NOT_XML.sub("", s))


def beads_to_tmx(beads, src_lang: str, tgt_lang: str) -> str:
    """TMX 1.4b, the translation-memory format CAT tools import: one ``<tu>``
    per bead with both sides (1-0 and 0-1 beads translate nothing), its
    confidence and sentence ids as ``<prop>``s. Characters XML cannot hold
    (control characters) are dropped; the standard library escapes the rest."""
    from . import __version__

    src, tgt = quoteattr(src_lang), quoteattr(tgt_lang)
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<tmx version="1.4">',
        f'  <header creationtool="bitext" creationtoolversion={quoteattr(__version__)} segtype="sentence"'
        f' o-tmf="bitext" adminlang="en" srclang={src} datatype="plaintext"/>',
        "  <body>",
    ]
    for b in beads:
        if not (b.src_ids and b.tgt_ids):
            continue
        out += [
            "    <tu>",
            f'      <prop type="x-bitext-score">{_num(b.score)}</prop>',
            f'      <prop type="x-bitext-src-ids">{_ids(b.src_ids)}</prop>',
            f'      <prop type="x-bitext-tgt-ids">{_ids(b.tgt_ids)}</prop>',
            f"      <tuv xml:lang={src}><seg>{_xml_text(b.src)}</seg></tuv>",
            f"      <tuv xml:lang={tgt}><seg>{_xml_text(b.tgt)}</seg></tuv>",
            "    </tu>",
        ]
    out += ["  </body>", "</tmx>"]
    return "\n".join(out) + "\n"


def format_beads(beads, fmt: str, src_lang: str | None = None, tgt_lang: str | None = None) -> str:
    """Beads as ``tsv``, ``jsonl``, ``beads`` or ``tmx`` (which needs the languages)."""
    if fmt == "tmx":
        if not (src_lang and tgt_lang):
            raise ValueError("the tmx format needs src_lang and tgt_lang")
        return beads_to_tmx(beads, src_lang, tgt_lang)
    if fmt == "tsv":
        return beads_to_tsv(beads)
    if fmt == "jsonl":
        return beads_to_jsonl(beads)
    if fmt == "beads":
        return beads_to_beads(beads)
    raise ValueError(f"unknown format {fmt!r} (expected one of {', '.join(FORMATS)})")

"""Reading input files: :func:`read_text` (UTF-8, a given or a detected legacy encoding), :class:`InputError`."""

from __future__ import annotations

import os
from pathlib import Path

from .encoding import EncodingError, decode

__all__ = ["InputError", "read_text", "MAX_INPUT_BYTES"]


class InputError(ValueError):
    """An input file cannot be used; the message names the file and the problem."""


# the largest input file read (a text of 1 GiB is a library, not a document)
MAX_INPUT_BYTES = 1 << 30


def _read_bytes(p: Path) -> bytes:
    """The file's bytes, read in blocks: a device or a pipe that never ends
    (``/dev/zero``) is refused once it shows NUL bytes or passes the limit."""
    chunks: list[bytes] = []
    size = 0
    with open(p, "rb") as f:
        while True:
            block = f.read(1 << 20)
            if not block:
                return b"".join(chunks)
            if not chunks and b"\x00" in block[:65536] and not block.startswith((b"\xff\xfe", b"\xfe\xff")):
                return block  # binary: refused below from what it has
            chunks.append(block)
            size += len(block)
            if size > MAX_INPUT_BYTES:
                raise InputError(f"{p}: larger than {MAX_INPUT_BYTES >> 20} MiB; split it into documents")


def read_text(path: str | os.PathLike, encoding: str | None = None, lang: str | None = None) -> str:
    """Read a text file: UTF-8, the ``encoding`` given, or the one legacy encoding
    whose text is plausible (for ``lang``, when given; :mod:`bitext.text.encoding`).

    Refuses a missing, empty or binary file, and text whose encoding cannot be
    told with confidence, with an :class:`InputError` that names the file.
    Line ends become ``\n``.
    """
    p = Path(path)
    try:
        data = _read_bytes(p)
    except FileNotFoundError:
        raise InputError(f"{p}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{p}: is a directory, not a text file") from None
    except OSError as e:
        raise InputError(f"{p}: cannot read: {e.strerror or e}") from None
    if not data.strip():
        raise InputError(f"{p}: file is empty")
    if b"\x00" in data[:65536] and not data.startswith((b"\xff\xfe", b"\xfe\xff")) and not encoding:
        raise InputError(f"{p}: looks like a binary file, not text")
    try:
        text, _ = decode(data, lang, encoding)
    except EncodingError as e:
        raise InputError(f"{p}:{e.line}: {e}" if e.line else f"{p}: {e}") from None
    except LookupError:
        raise InputError(f"{p}: unknown encoding {encoding!r} (e.g. utf-8, cp949, gb18030, big5, cp1252)") from None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise InputError(f"{p}: file has no text")
    control = sum(1 for c in text[:65536] if ord(c) < 32 and c not in "\n\t\f\v")
    if control > 0.01 * min(len(text), 65536):
        raise InputError(f"{p}: looks like a binary file, not text")
    nul = text.find("\x00")
    if nul >= 0:  # late in the file: one NUL would reach every output
        raise InputError(
            f"{p}:{text.count(chr(10), 0, nul) + 1}: holds a NUL character: "
            "a binary file, or text with a byte of another file in it; remove it (tr -d '\\000')"
        )
    return text

"""Zip containers (DOCX, EPUB, XLSX) opened with bounds, before a library reads them.

:func:`check_zip` refuses, with an :class:`~bitext.text.read.InputError` that names
the file: a file that is not a zip (an Office file saved with a password is
an OLE container, not a zip), a zip with encrypted members, one whose members
would unpack to more than :data:`MAX_UNPACKED_BYTES` in all or that packs one
of them more than :data:`MAX_RATIO` times (a zip bomb). Python's ``zipfile``,
which python-docx, ebooklib and openpyxl read through, stops each member at
the size its entry declares (a member that inflates further fails its CRC),
so the declared sizes bound the bytes read.
"""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

from ..text.read import MAX_INPUT_BYTES, InputError

__all__ = ["check_zip", "check_size", "read_member", "MAX_UNPACKED_BYTES", "MAX_RATIO", "OLE_MAGIC"]

MAX_UNPACKED_BYTES = 512 << 20
"""The most a document's zip may unpack to (all members together)."""

MAX_RATIO = 200
"""The most one member of more than 1 MiB may be packed (text XML packs 5 to 30 times)."""

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _a(kind: str) -> str:
    return f"an {kind}" if kind[0] in "AEIOUX" else f"a {kind}"


def check_size(path) -> Path:
    """The path, when it is a file no larger than :data:`~bitext.text.read.MAX_INPUT_BYTES`."""
    p = Path(path)
    try:
        size = os.stat(p).st_size
    except FileNotFoundError:
        raise InputError(f"{p}: no such file") from None
    except OSError as e:
        raise InputError(f"{p}: cannot read: {e.strerror or e}") from None
    if p.is_dir():
        raise InputError(f"{p}: is a directory, not a document")
    if size == 0:
        raise InputError(f"{p}: file is empty")
    if size > MAX_INPUT_BYTES:
        raise InputError(f"{p}: larger than {MAX_INPUT_BYTES >> 20} MiB; split it into documents")
    return p


def check_zip(path, kind: str) -> zipfile.ZipFile:
    """The open zip of a ``kind`` file (``"DOCX"``, ``"EPUB"``, ``"XLSX"``), checked as above."""
    p = check_size(path)
    with open(p, "rb") as f:
        head = f.read(8)
    if head.startswith(OLE_MAGIC):
        raise InputError(
            f"{p}: an encrypted (password-protected) or old binary Office file, not {_a(kind)}; "
            "save it without a password, as a .docx or .xlsx"
        )
    try:
        z = zipfile.ZipFile(p)
    except zipfile.BadZipFile:
        raise InputError(f"{p}: not {_a(kind)} file (not a zip archive; damaged or another format)") from None
    except OSError as e:
        raise InputError(f"{p}: cannot read: {e.strerror or e}") from None
    try:
        infos = z.infolist()
        if any(i.flag_bits & 0x1 for i in infos):
            raise InputError(f"{p}: encrypted {kind} (a zip with a password); save it without one")
        total = sum(i.file_size for i in infos)
        if total > MAX_UNPACKED_BYTES:
            raise InputError(
                f"{p}: unpacks to {total >> 20:,} MiB, more than {MAX_UNPACKED_BYTES >> 20} MiB "
                f"(a zip bomb, or not a document)"
            )
        for i in infos:
            if i.file_size > (1 << 20) and i.file_size > MAX_RATIO * max(i.compress_size, 1):
                raise InputError(
                    f"{p}: {i.filename} unpacks {i.file_size // max(i.compress_size, 1):,} times "
                    f"its packed size (a zip bomb)"
                )
    except BaseException:
        z.close()
        raise
    return z


def read_member(z: zipfile.ZipFile, name: str, path, kind: str) -> bytes:
    """One member's bytes (at most its declared size); :class:`InputError` when it is missing or damaged."""
    try:
        return z.read(name)
    except KeyError:
        raise InputError(f"{path}: not {_a(kind)} file (no {name} inside)") from None
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as e:
        raise InputError(f"{path}: damaged {kind} file ({name}: {e})") from None

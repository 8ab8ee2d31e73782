"""Reading input files and writing beads: TSV, JSON Lines, bead files, TMX; atomic writes."""

from __future__ import annotations

import errno
import io
import json
import math
import os
import re
import stat
import sys
import tempfile
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from .encoding import EncodingError, decode

__all__ = [
    "InputError",
    "OutputError",
    "read_text",
    "check_output",
    "write_output",
    "write_atomic",
    "remove_stale_temps",
    "stale_temps",
    "temp_pattern",
    "shown",
    "write_stdout",
    "beads_to_tsv",
    "beads_to_jsonl",
    "beads_to_beads",
    "beads_to_tmx",
    "format_beads",
    "FORMATS",
    "MAX_INPUT_BYTES",
]

FORMATS = ("tsv", "jsonl", "beads", "tmx")

_UMASK = os.umask(0)
os.umask(_UMASK)


class InputError(ValueError):
    """An input file cannot be used; the message names the file and the problem."""


# the largest input file read (a text of 1 GiB is a library, not a document)
MAX_INPUT_BYTES = 1 << 30


def _read_bytes(p: Path) -> bytes:
    """The file's bytes, read in blocks: a device or a pipe that never ends
    (``/dev/zero``) is refused once it shows NUL bytes or passes the limit."""
    chunks, size = [], 0
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
    whose text is plausible (for ``lang``, when given; :mod:`bitext.encoding`).

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
        raise InputError(f"{p}:{text.count(chr(10), 0, nul) + 1}: holds a NUL character: "
                         "a binary file, or text with a byte of another file in it; remove it (tr -d '\\000')")
    return text


class OutputError(ValueError):
    """An output cannot be written where it was asked for; the message names it."""


def _is_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


# A temporary file is ``.NAME.XXXXXXXX.PID.bitext.tmp``: NAME is the target's
# name, cut to TEMP_NAME_BYTES bytes so that the whole stays far below the 255
# bytes a file name may have; XXXXXXXX is mkstemp's random part (created with
# O_EXCL, so never a file that was there), PID the writing process, and
# ``.bitext.tmp`` the mark that sets it apart from anyone else's file.
TEMP_MARK = ".bitext.tmp"
TEMP_NAME_BYTES = 80


def _temp_stem(name: str) -> str:
    """``name`` cut to :data:`TEMP_NAME_BYTES` bytes (on a character boundary)."""
    raw = os.fsencode(name)
    if len(raw) <= TEMP_NAME_BYTES:
        return name
    cut = raw[:TEMP_NAME_BYTES]
    while cut and (cut[-1] & 0xC0) == 0x80:  # inside a UTF-8 character: drop its start too
        cut = cut[:-1]
    if cut and cut[-1] >= 0xC0:
        cut = cut[:-1]
    return os.fsdecode(cut)


def temp_pattern(name: str) -> re.Pattern:
    """The names of the temporary files that writes of ``name`` make (group ``pid``)."""
    return re.compile(r"\.%s\.[a-z0-9_]{8}\.(?P<pid>\d+)%s\Z" % (re.escape(_temp_stem(name)), re.escape(TEMP_MARK)))


def _is_our_temp(p: Path) -> bool:
    """A regular file, not a link, of this user: what a write of ours leaves."""
    try:
        st = os.lstat(p)
    except OSError:
        return False
    return stat.S_ISREG(st.st_mode) and (not hasattr(os, "geteuid") or st.st_uid == os.geteuid())


def stale_temps(target: str | os.PathLike, any_pid: bool = False) -> list[Path]:
    """The temporary files that earlier writes of ``target`` left behind when
    they were killed: named as :func:`write_atomic` names them, by a process
    that is gone (``any_pid``: by any process, for a folder held under a lock)."""
    t = Path(target)
    pattern = temp_pattern(t.name)
    try:
        candidates = list(t.parent.glob(f".*{TEMP_MARK}"))
    except OSError:
        return []
    out = []
    for p in candidates:
        m = pattern.match(p.name)
        if not m or not _is_our_temp(p):
            continue
        pid = int(m.group("pid"))
        if any_pid or (pid != os.getpid() and not _is_alive(pid)):
            out.append(p)
    return out


def remove_stale_temps(target: str | os.PathLike, any_pid: bool = False) -> int:
    """Remove what :func:`stale_temps` finds; returns how many were removed.
    A file that is not named exactly as bitext names its temporaries is never
    touched (``.out.tsv.notes.1999.tmp`` is someone's file)."""
    removed = 0
    for p in stale_temps(target, any_pid):
        try:
            p.unlink()
            removed += 1
        except OSError:
            pass
    return removed


def _same_file(a: os.stat_result, b: os.stat_result) -> bool:
    return (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino)


def _input_of(st: os.stat_result, inputs) -> str | None:
    """The first of ``inputs`` that is the file ``st`` (by device and inode)."""
    for inp in inputs:
        try:
            other = os.stat(inp)
        except (OSError, ValueError, TypeError):
            continue
        if _same_file(other, st):
            return os.fspath(inp)
    return None


def _stdout_stat() -> os.stat_result | None:
    try:
        return os.fstat(sys.stdout.fileno())
    except (AttributeError, OSError, ValueError, io.UnsupportedOperation):
        return None


def check_output(path: str | os.PathLike, inputs=()) -> Path | None:
    """Where writing ``path`` would go, or :class:`OutputError` if it must not be written.

    ``-`` is standard output (``None``); it is refused when it is one of
    ``inputs`` (``>> zh.txt``, ``1<> zh.txt``), as ``cat`` refuses it. A link is
    followed: its target is written, not the link. Refused: a directory, a
    file that is one of ``inputs`` (compared by device and inode, so another
    name or a hard link of an input is caught too), a read-only file (no
    write bit for anyone, which root would otherwise overwrite), a file this
    user may not write, a missing folder.
    """
    if os.fspath(path) == "-":
        st = _stdout_stat()
        same = st is not None and stat.S_ISREG(st.st_mode) and _input_of(st, inputs)
        if same:
            raise OutputError(f"{shown(same)}: input file is output file (standard output is this input); "
                              "write the output to another file")
        return None
    real = Path(os.path.realpath(path))
    try:
        st = os.stat(real)
    except FileNotFoundError:
        st = None
    except OSError as e:
        raise OutputError(f"{shown(path)}: cannot write: {e.strerror or e}") from None
    if st is None:
        if not real.parent.is_dir():
            raise OutputError(f"{shown(path)}: cannot write: no such directory {shown(real.parent)}")
        return real
    if stat.S_ISDIR(st.st_mode):
        raise OutputError(f"{shown(path)}: is a directory; give a file name")
    same = _input_of(st, inputs)
    if same:
        raise OutputError(f"{shown(path)}: is an input of this run ({shown(same)}); write the output to another file")
    if stat.S_ISREG(st.st_mode):
        if not st.st_mode & 0o222:
            raise OutputError(f"{shown(path)}: is read-only; make it writable (chmod u+w) or write to another file")
        try:
            os.close(os.open(real, os.O_WRONLY))
        except OSError as e:
            raise OutputError(f"{shown(path)}: cannot write: {e.strerror or e}") from None
    return real


def write_output(path: str | os.PathLike, text: str, inputs=(), follow_links: bool = True) -> None:
    """Write ``text`` to ``path`` as a careful tool should (:func:`check_output` first).

    ``-``: standard output, as UTF-8 whatever the locale (the formats are
    UTF-8), with control characters shown as escapes when it is a terminal
    (:func:`shown`); a reader that closes it early (``| head``) makes this
    raise ``BrokenPipeError``. A regular file (new or not) is written to a
    temporary file beside it, then renamed over it, so a failed run leaves
    the old file as it was and no half-written one; the file keeps its mode
    (and, for root, its owner). A link's target is written, the link stays
    (``follow_links=False``: the link itself is replaced by the file). A
    device or a FIFO is written as a stream. Raises :class:`OutputError` or
    ``OSError``; nothing is left behind on either.
    """
    if not follow_links and os.fspath(path) != "-" and os.path.islink(path):
        check_output(path, inputs)  # an input behind the link is still refused
        write_atomic(path, text)
        return
    real = check_output(path, inputs)
    if real is None:
        write_stdout(text)
        return
    try:
        st = os.stat(real)
    except FileNotFoundError:
        st = None
    if st is not None and not stat.S_ISREG(st.st_mode):
        with open(real, "w", encoding="utf-8", newline="\n") as f:
            f.write(shown(text, keep="\n\t") if f.isatty() else text)  # -o /dev/tty: as standard output
        return
    write_atomic(real, text, mode=None if st is None else stat.S_IMODE(st.st_mode),
                 owner=None if st is None else (st.st_uid, st.st_gid))


def write_stdout(text: str) -> None:
    """``text`` on standard output, as :func:`write_output` says: every byte
    written or an ``OSError`` (``BrokenPipeError``: closed early)."""
    out = sys.stdout
    if out is None:  # started with stdout closed (>&-)
        raise OSError(errno.EBADF, "standard output is closed")
    try:
        fd = out.fileno()
    except (AttributeError, OSError, ValueError, io.UnsupportedOperation):
        fd = None  # a notebook's or a test's stream: it takes text
    if fd is None:
        out.write(text)
        out.flush()
        return
    out.flush()
    if os.isatty(fd):
        text = shown(text, keep="\n\t")
    data = memoryview(text.encode("utf-8", "backslashreplace"))
    while data:
        n = os.write(fd, data[: 1 << 20])
        data = data[n:]


def write_atomic(path: str | os.PathLike, text: str, mode: int | None = None, owner=None) -> None:
    """Write ``text`` to ``path`` through a temporary file and a rename.

    The temporary file (``.NAME.XXXXXXXX.PID.bitext.tmp``, NAME cut short for
    a long name) is created anew (never an existing file) and removed if
    anything fails; one left by a killed process is removed by the next write
    of the same file. ``mode``: the file's permission bits (default: the
    usual ``0666`` less the umask); ``owner``: ``(uid, gid)`` to keep, where
    allowed.
    """
    p = Path(path)
    remove_stale_temps(p)
    fd, tmp = tempfile.mkstemp(dir=p.parent if str(p.parent) else ".", prefix=f".{_temp_stem(p.name)}.",
                               suffix=f".{os.getpid()}{TEMP_MARK}")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o666 & ~_UMASK if mode is None else mode)  # mkstemp makes 0600
        if owner is not None and hasattr(os, "chown") and owner != (os.geteuid(), os.getegid()):
            try:
                os.chown(tmp, *owner)
            except OSError:
                pass
        os.replace(tmp, p)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


# C0 and C1 control characters, DEL, the marks that reorder text on a terminal, lone surrogates
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_NAMED = {"\n": "\\n", "\t": "\\t", "\r": "\\r"}


def shown(s, keep: str = "") -> str:
    """``s`` (a text or a path) with its control characters written as escapes
    (``\\x1b``, ``\\n``), as ``ls`` shows them, so that a file name or a text
    cannot move the cursor, retitle the terminal or break an error line; the
    characters in ``keep`` stay. The bytes of a file name that are not UTF-8
    show as ``\\xNN``."""
    s = os.fsdecode(s) if isinstance(s, (bytes, os.PathLike)) else str(s)

    def esc(m):
        c = m.group()
        if c in keep:
            return c
        o = ord(c)
        if 0xDC80 <= o <= 0xDCFF:  # a byte of a name that is not UTF-8 (surrogateescape)
            o -= 0xDC00
        return _NAMED.get(c) or (f"\\x{o:02x}" if o < 0x100 else f"\\u{o:04x}")

    return _CONTROL.sub(esc, s)


def _ids(ids) -> str:
    return ",".join(str(i) for i in ids)


_BREAKS = re.compile("[\t\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")


def _clean(s: str) -> str:
    """One TSV cell: no tab, and nothing that a reader could take for a line end."""
    return _BREAKS.sub(" ", s)


def _num(x: float) -> str:
    return "nan" if math.isnan(x) else f"{x:.4f}"


def beads_to_tsv(beads) -> str:
    """Header ``src_ids tgt_ids score src tgt``; ids comma-separated, empty for a missing side."""
    rows = ["src_ids\ttgt_ids\tscore\tsrc\ttgt"]
    for b in beads:
        rows.append(f"{_ids(b.src_ids)}\t{_ids(b.tgt_ids)}\t{_num(b.score)}\t{_clean(b.src)}\t{_clean(b.tgt)}")
    return "\n".join(rows) + "\n"


def beads_to_jsonl(beads, header: dict | None = None) -> str:
    """One JSON object a bead; ``header`` (languages, sentence hashes, version:
    :func:`bitext.fixed.jsonl_header`) as the first line when given. A
    reviewed bead adds ``approved``, ``edited`` and ``comment``."""
    lines = [] if header is None else [json.dumps(header, ensure_ascii=False) + "\n"]
    for b in beads:
        rec = {
            "src_ids": list(b.src_ids),
            "tgt_ids": list(b.tgt_ids),
            "score": round(b.score, 4),
            "similarity": round(b.similarity, 4),
            "src": b.src,
            "tgt": b.tgt,
        }
        if hasattr(b, "approved"):
            rec.update(approved=b.approved, edited=b.edited, comment=b.comment)
        lines.append(json.dumps(rec, ensure_ascii=False) + "\n")
    return "".join(lines)


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

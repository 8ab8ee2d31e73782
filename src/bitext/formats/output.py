"""Writing outputs safely: :func:`check_output`, :func:`write_output`, :func:`write_atomic`,
:func:`write_stdout`, :func:`write_files` (the files of one output, Moses' two or an XLSX's bytes,
all or none); :func:`shown`, a text or a file name as a terminal may show it."""

from __future__ import annotations

import errno
import io
import os
import re
import stat
import sys
import tempfile
from pathlib import Path

__all__ = [
    "OutputError",
    "check_output",
    "write_output",
    "write_atomic",
    "write_stdout",
    "remove_stale_temps",
    "stale_temps",
    "temp_pattern",
    "shown",
    "TEMP_MARK",
    "write_files",
]

_UMASK = os.umask(0)
os.umask(_UMASK)


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
    name or a hard link of an input is caught too), a block device (a disk; a
    character device such as ``/dev/null`` or a FIFO is written as a stream), a read-only file (no
    write bit for anyone, which root would otherwise overwrite), a file this
    user may not write, a missing folder.
    """
    if os.fspath(path) == "-":
        st = _stdout_stat()
        same = st is not None and stat.S_ISREG(st.st_mode) and _input_of(st, inputs)
        if same:
            raise OutputError(
                f"{shown(same)}: input file is output file (standard output is this input); "
                "write the output to another file"
            )
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
    if stat.S_ISBLK(st.st_mode):  # a disk or a partition: writing would overwrite what it holds
        raise OutputError(f"{shown(path)}: is a block device (a disk); give a file name")
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
    write_atomic(
        real,
        text,
        mode=None if st is None else stat.S_IMODE(st.st_mode),
        owner=None if st is None else (st.st_uid, st.st_gid),
    )


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
    fd, tmp = tempfile.mkstemp(
        dir=p.parent if str(p.parent) else ".", prefix=f".{_temp_stem(p.name)}.", suffix=f".{os.getpid()}{TEMP_MARK}"
    )
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


def write_files(files: dict, inputs=(), follow_links: bool = True) -> list[str]:
    """Write ``{path: text or bytes}``: every target checked first (:func:`check_output`), each
    written to a temporary file beside it, all renamed into place only when all are written; a
    failure removes the temporary files and leaves every target as it was. Text is written as
    UTF-8, bytes as they are; ``-`` is standard output (text only). ``follow_links=False``: a link
    is replaced by the file, as :func:`write_output` does. Returns the paths written; raises
    :class:`OutputError` or ``OSError`` with nothing changed."""
    if len(files) == 1:
        ((path, data),) = files.items()
        if path == "-" or isinstance(data, str):
            if path == "-" and isinstance(data, bytes):
                raise OutputError("a binary format cannot go to standard output; give -o FILE")
            write_output(path, data, inputs, follow_links=follow_links)
            return [path]
    targets = []
    for path, data in files.items():
        if path == "-":
            raise OutputError("a format of several files or a binary one cannot go to standard output; give -o")
        real = check_output(path, inputs)
        assert real is not None  # "-" was refused above
        if not follow_links and os.path.islink(path):
            real = Path(os.path.abspath(path))  # the link itself is replaced
        try:
            st = os.stat(real)
        except FileNotFoundError:
            st = None
        if st is not None and not stat.S_ISREG(st.st_mode):
            raise OutputError(f"{path}: not a regular file; write to a file")
        targets.append((path, real, data, st))
    done: list[tuple[str, Path]] = []
    try:
        for _, real, data, st in targets:
            remove_stale_temps(real)
            fd, tmp = tempfile.mkstemp(
                dir=real.parent, prefix=f".{_temp_stem(real.name)}.", suffix=f".{os.getpid()}{TEMP_MARK}"
            )
            done.append((tmp, real))
            with os.fdopen(fd, "wb") as f:
                f.write(data.encode("utf-8") if isinstance(data, str) else data)
                f.flush()
                os.fsync(f.fileno())
            os.chmod(tmp, 0o666 & ~_UMASK if st is None else stat.S_IMODE(st.st_mode))
        for tmp, real in done:
            os.replace(tmp, real)
    except BaseException:
        for tmp, _ in done:
            try:
                os.unlink(tmp)
            except OSError:
                pass
        raise
    return [p for p, *_ in targets]

"""Writing outputs safely: :func:`check_output`, :func:`write_output`, :func:`write_atomic`."""

from __future__ import annotations

import errno
import glob
import os
import stat
import sys
import tempfile
from pathlib import Path

__all__ = ["OutputError", "check_output", "write_output", "write_atomic", "remove_stale_temps"]

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


def remove_stale_temps(target: str | os.PathLike) -> int:
    """Remove the temporary files that earlier writes of ``target`` left behind
    when they were killed (``.NAME.XXXXXXXX.PID.tmp`` of a process that is gone).
    Returns how many were removed."""
    t = Path(target)
    removed = 0
    try:
        candidates = list(t.parent.glob(f".{glob.escape(t.name)}.*.tmp"))
    except OSError:
        return 0
    for p in candidates:
        pid = p.name[: -len(".tmp")].rsplit(".", 1)[-1]
        if pid.isdigit() and int(pid) != os.getpid() and not _is_alive(int(pid)):
            try:
                p.unlink()
                removed += 1
            except OSError:
                pass
    return removed


def check_output(path: str | os.PathLike, inputs=()) -> Path | None:
    """Where writing ``path`` would go, or :class:`OutputError` if it must not be written.

    ``-`` is standard output (``None``). A link is followed: its target is
    written, not the link. Refused: a directory, a file that is one of
    ``inputs`` (compared by device and inode, so another name or a hard link
    of an input is caught too), a read-only file (no write bit for anyone,
    which root would otherwise overwrite), a file this user may not write, a
    missing folder.
    """
    if os.fspath(path) == "-":
        return None
    real = Path(os.path.realpath(path))
    try:
        st = os.stat(real)
    except FileNotFoundError:
        st = None
    except OSError as e:
        raise OutputError(f"{path}: cannot write: {e.strerror or e}") from None
    if st is None:
        if not real.parent.is_dir():
            raise OutputError(f"{path}: cannot write: no such directory {real.parent}")
        return real
    if stat.S_ISDIR(st.st_mode):
        raise OutputError(f"{path}: is a directory; give a file name")
    for inp in inputs:
        try:
            other = os.stat(inp)
        except OSError:
            continue
        if (other.st_dev, other.st_ino) == (st.st_dev, st.st_ino):
            raise OutputError(f"{path}: is an input of this run ({inp}); write the output to another file")
    if stat.S_ISREG(st.st_mode):
        if not st.st_mode & 0o222:
            raise OutputError(f"{path}: is read-only; make it writable (chmod u+w) or write to another file")
        try:
            os.close(os.open(real, os.O_WRONLY))
        except OSError as e:
            raise OutputError(f"{path}: cannot write: {e.strerror or e}") from None
    return real


def write_output(path: str | os.PathLike, text: str, inputs=()) -> None:
    """Write ``text`` to ``path`` as a careful tool should (:func:`check_output` first).

    ``-``: standard output. A regular file (new or not) is written to a
    temporary file beside it, then renamed over it, so a failed run leaves
    the old file as it was and no half-written one; the file keeps its mode
    (and, for root, its owner). A link's target is written, the link stays.
    A device or a FIFO is written as a stream. Raises :class:`OutputError` or
    ``OSError``; nothing is left behind on either.
    """
    real = check_output(path, inputs)
    if real is None:
        if sys.stdout is None:  # started with stdout closed (>&-)
            raise OSError(errno.EBADF, "standard output is closed")
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    try:
        st = os.stat(real)
    except FileNotFoundError:
        st = None
    if st is not None and not stat.S_ISREG(st.st_mode):
        with open(real, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
        return
    write_atomic(real, text, mode=None if st is None else stat.S_IMODE(st.st_mode),
                 owner=None if st is None else (st.st_uid, st.st_gid))


def write_atomic(path: str | os.PathLike, text: str, mode: int | None = None, owner=None) -> None:
    """Write ``text`` to ``path`` through a temporary file and a rename.

    The temporary file (``.NAME.XXXXXXXX.PID.tmp``) is removed if anything
    fails; one left by a killed process is removed by the next write of the
    same file. ``mode``: the file's permission bits (default: the usual
    ``0666`` less the umask); ``owner``: ``(uid, gid)`` to keep, where allowed.
    """
    p = Path(path)
    remove_stale_temps(p)
    fd, tmp = tempfile.mkstemp(dir=p.parent if str(p.parent) else ".", prefix=f".{p.name}.", suffix=f".{os.getpid()}.tmp")
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

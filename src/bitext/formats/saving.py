"""Writing the files of one output together: all of them, or none.

:func:`write_files` checks every target first (:func:`bitext.io.check_output`:
never an input, a read-only file, a directory), writes each to a temporary
file beside it, and only when all are written renames them into place; a
failure removes the temporary files and leaves every target as it was. Text
is written as UTF-8, bytes as they are; ``-`` is standard output (text only).
"""

from __future__ import annotations

import os
import stat
import sys
import tempfile

from ..io import OutputError, check_output, remove_stale_temps, write_output

__all__ = ["write_files"]

_UMASK = os.umask(0)
os.umask(_UMASK)


def write_files(files: dict, inputs=()) -> list[str]:
    """Write ``{path: text or bytes}``; returns the paths written. Raises
    :class:`~bitext.io.OutputError` or ``OSError`` with nothing changed."""
    if len(files) == 1:
        (path, data), = files.items()
        if path == "-" or isinstance(data, str):
            if path == "-" and isinstance(data, bytes):
                raise OutputError("a binary format cannot go to standard output; give -o FILE")
            write_output(path, data, inputs)
            return [path]
    targets = []
    for path, data in files.items():
        if path == "-":
            raise OutputError("a format of several files or a binary one cannot go to standard output; give -o")
        real = check_output(path, inputs)
        try:
            st = os.stat(real)
        except FileNotFoundError:
            st = None
        if st is not None and not stat.S_ISREG(st.st_mode):
            raise OutputError(f"{path}: not a regular file; write to a file")
        targets.append((path, real, data, st))
    done: list[tuple[str, str]] = []
    try:
        for path, real, data, st in targets:
            remove_stale_temps(real)
            fd, tmp = tempfile.mkstemp(dir=real.parent, prefix=f".{real.name}.", suffix=f".{os.getpid()}.tmp")
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

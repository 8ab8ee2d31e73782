"""The on-disk cache: arrays keyed by a namespace (the model) and a hash of the texts.

Span vectors and sentence splits are stored here (:class:`DiskCache`); an
entry that does not verify is a miss, never a crash (docs/guarantees.md).
"""

from __future__ import annotations

import hashlib
import os
import stat
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np

__all__ = ["CACHE_FORMAT", "DiskCache", "default_cache_dir", "shape_check"]


def default_cache_dir() -> Path:
    """``$BITEXT_CACHE_DIR``, else ``$XDG_CACHE_HOME/bitext``, else ``~/.cache/bitext``."""
    if os.environ.get("BITEXT_CACHE_DIR"):
        return Path(os.environ["BITEXT_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "bitext"


# the on-disk layout of a cache entry; bump it when the layout changes, so old entries are misses
CACHE_FORMAT = 3
_MAGIC = b"bitext-cache\n"
_ALIGN = 64  # each array's bytes start at a multiple of this in the payload
_DIGEST = 32  # sha256


class DiskCache:
    """Arrays on disk, keyed by a namespace (the model) and a hash of the texts.

    ``root=None`` turns it off. Each entry is one file that holds its key's
    hash, the arrays' names, dtypes and shapes, and a sha256 of all of it.
    An entry that cannot be read or does not verify (truncated, garbled, an
    entry of another key copied over it, or arrays not of the shape the
    caller's ``check`` expects) is a miss: it is deleted, the caller
    recomputes, and the first such entry in a process is named on stderr.
    An entry is written to a temporary file in its folder and renamed over
    its name, so readers in other processes never see part of one; a write
    that fails (full disk, read-only or foreign folder) leaves no file behind
    and is ignored.
    """

    def __init__(self, root: Path | None, model_key: str):
        self.dir = None if root is None else Path(root) / model_key
        self._namespace = model_key

    def _key(self, kind: str, texts: Sequence[str]) -> str:
        """SHA-256 of the format, the namespace, the kind and the texts, each
        written as its length in bytes then its bytes: no two different lists
        of texts (``["a\\0", "b"]`` and ``["a", "\\0b"]``) share a key."""
        h = hashlib.sha256()
        for part in (f"bitext-cache-v{CACHE_FORMAT}", self._namespace, kind, *texts):
            data = part.encode("utf-8", "surrogatepass")
            h.update(len(data).to_bytes(8, "little"))
            h.update(data)
        return h.hexdigest()

    def _path(self, key: str) -> Path:
        assert self.dir is not None  # (the callers return first when the cache is off)
        return self.dir / key[:2] / f"{key}.v{CACHE_FORMAT}"

    def get(self, kind: str, texts: Sequence[str], check=None) -> dict | None:
        """The arrays stored for ``(kind, texts)``, or ``None``.

        ``check(arrays)`` may return a reason why the arrays are not what the
        caller expects (a wrong shape, say): the entry is then dropped as a
        broken one.
        """
        if self.dir is None:
            return None
        key = self._key(kind, texts)
        path = self._path(key)
        try:  # never blocks (a FIFO put there), never through a link
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0))
        except OSError:  # no entry (or an unreadable folder, or a link): a plain miss
            return None
        ident = None
        with os.fdopen(fd, "rb") as f:
            ident = os.fstat(fd)
            if not stat.S_ISREG(ident.st_mode):  # a FIFO, a device: not an entry of ours
                return None
            try:
                arrays = _read_entry(f, ident.st_size, key)
                why = check(arrays) if check is not None else None
            except Exception as e:  # whatever is in the file, it is only a miss
                why = _reason(e)
        if why is None:
            return arrays
        _drop(path, ident, why)
        return None

    def put(self, kind: str, texts: Sequence[str], arrays: dict) -> None:
        if self.dir is None:
            return
        key = self._key(kind, texts)
        path = self._path(key)
        tmp = None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
            with os.fdopen(fd, "wb") as f:
                _write_entry(f, key, arrays)
            os.replace(tmp, path)
            tmp = None
        except OSError:  # a read-only or full cache must never fail an alignment
            pass
        finally:
            if tmp is not None:
                try:
                    os.unlink(tmp)
                except OSError:
                    pass


class _BrokenEntry(ValueError):
    """A cache entry that does not verify."""


def _reason(e: Exception) -> str:
    if isinstance(e, _BrokenEntry):
        return str(e)
    return f"{type(e).__name__}: {e}" if str(e) else type(e).__name__


def _write_entry(f, key: str, arrays: dict) -> None:
    """``_MAGIC``, the header's length (8 bytes), the header (JSON: the key,
    each array's name, dtype, shape and offset, the payload's size), the
    payload (the arrays' bytes), the sha256 of header and payload."""
    import json

    items = [(str(name), np.asarray(a, order="C")) for name, a in arrays.items()]
    layout: list[list] = []  # [name, dtype, shape, offset] per array
    at = 0
    for name, a in items:
        if a.dtype.hasobject:
            raise TypeError(f"cannot cache an object array ({name})")
        at = -(-at // _ALIGN) * _ALIGN
        layout.append([name, a.dtype.str, list(a.shape), at])
        at += a.nbytes
    header = json.dumps({"key": key, "arrays": layout, "size": at}).encode()
    digest = hashlib.sha256(header)
    f.write(_MAGIC + len(header).to_bytes(8, "little") + header)
    written = 0
    for (_name, a), (_, _, _, off) in zip(items, layout):
        for chunk in (bytes(off - written), a.reshape(-1).view(np.uint8).data):
            digest.update(chunk)
            f.write(chunk)
        written = off + a.nbytes
    f.write(digest.digest())


def _read_entry(f, size: int, key: str) -> dict:
    """The arrays of an entry written by :func:`_write_entry` for ``key``;
    :class:`_BrokenEntry` (or another exception) for anything else."""
    import json

    head = len(_MAGIC) + 8
    if size < head + _DIGEST:
        raise _BrokenEntry(f"truncated ({size} bytes)" if size else "empty file")
    start = f.read(head)
    if start[: len(_MAGIC)] != _MAGIC:
        raise _BrokenEntry("not a bitext cache entry")
    n_header = int.from_bytes(start[len(_MAGIC) :], "little")
    if n_header > size - head - _DIGEST:
        raise _BrokenEntry("truncated")
    header = f.read(n_header)
    payload = bytearray(size - head - n_header - _DIGEST)  # the arrays' memory: read once, never copied
    if f.readinto(payload) != len(payload):
        raise _BrokenEntry("changed while read")
    stored = f.read(_DIGEST)
    digest = hashlib.sha256(header)
    digest.update(payload)
    if digest.digest() != stored:
        raise _BrokenEntry("checksum mismatch (truncated or garbled)")
    meta = json.loads(header)
    if meta.get("key") != key:
        raise _BrokenEntry("it holds another key's arrays")
    if meta.get("size") != len(payload):
        raise _BrokenEntry("truncated")
    out = {}
    for name, dtype, shape, off in meta["arrays"]:
        dt = np.dtype(dtype)
        if dt.hasobject:
            raise _BrokenEntry(f"object array {name}")
        count = int(np.prod(shape, dtype=np.int64))
        if off < 0 or off + count * dt.itemsize > len(payload):
            raise _BrokenEntry(f"array {name} outside the entry")
        out[name] = np.frombuffer(payload, dt, count, off).reshape(shape)
    return out


_warned_broken = False


def _drop(path: Path, ident: os.stat_result | None, why: str) -> None:
    """Delete a broken entry (unless another process has replaced it since) and say so once a process."""
    global _warned_broken
    try:
        now = os.stat(path)
        if ident is None or (now.st_ino, now.st_dev, now.st_mtime_ns) == (
            ident.st_ino,
            ident.st_dev,
            ident.st_mtime_ns,
        ):
            os.unlink(path)
    except OSError:
        pass
    if not _warned_broken:
        _warned_broken = True
        print(f"bitext: warning: dropped a broken cache entry ({path}): {why}; recomputed", file=sys.stderr)


def shape_check(expected: dict):
    """A ``check`` for :meth:`DiskCache.get`: the arrays are exactly ``expected``'s
    names, each of the given shape (``None``: any length on that axis) and
    floating point, without NaN or infinity."""

    def check(arrays: dict) -> str | None:
        if set(arrays) != set(expected):
            return f"arrays {sorted(arrays)}, expected {sorted(expected)}"
        for name, shape in expected.items():
            a = arrays[name]
            if a.ndim != len(shape) or any(w is not None and w != g for w, g in zip(shape, a.shape)):
                return f"array {name} of shape {a.shape}, expected {tuple('*' if w is None else w for w in shape)}"
            if a.dtype.kind != "f" or not np.isfinite(np.sum(a, dtype=np.float64)):  # NaN or infinity anywhere
                return f"array {name} is not finite floating point"
        return None

    return check

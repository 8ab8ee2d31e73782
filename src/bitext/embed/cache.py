"""The on-disk cache: arrays keyed by a namespace (the model) and a hash of the texts.

Span vectors and sentence splits are stored here (:class:`DiskCache`); an
entry that does not verify is a miss, never a crash (docs/guarantees.md).
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

__all__ = ["CACHE_FORMAT", "DiskCache", "default_cache_dir", "max_cache_bytes", "prune", "shape_check"]


def default_cache_dir() -> Path:
    """``$BITEXT_CACHE_DIR``, else ``$XDG_CACHE_HOME/bitext``, else ``~/.cache/bitext``."""
    if os.environ.get("BITEXT_CACHE_DIR"):
        return Path(os.environ["BITEXT_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "bitext"


def max_cache_bytes() -> int | None:
    """The size the cache is kept under: ``$BITEXT_CACHE_MAX_BYTES`` (a number of bytes, with an
    optional ``K``, ``M``, ``G`` or ``T``; ``0`` or ``none``: no bound), else 4 GiB."""
    raw = os.environ.get("BITEXT_CACHE_MAX_BYTES", "").strip()
    if not raw:
        return DEFAULT_MAX_BYTES
    if raw.lower() in ("0", "none", "off", "unlimited"):
        return None
    m = re.fullmatch(r"(\d+(?:\.\d+)?)\s*([KMGT]?)i?B?", raw, re.I)
    if not m:  # a bad value must not fail an alignment: the default, said once
        _warn_once("max", f"bitext: warning: BITEXT_CACHE_MAX_BYTES={raw!r} is not a size; using 4G")
        return DEFAULT_MAX_BYTES
    return int(float(m.group(1)) * 1024 ** "_KMGT".index(m.group(2).upper() or "_"))


# the on-disk layout of a cache entry; bump it when the layout changes, so old entries are misses
CACHE_FORMAT = 3
DEFAULT_MAX_BYTES = 4 << 30
PRUNE_EVERY = 3600.0  # seconds: the cache is looked over at most this often (a stamp file holds the time)
_STAMP = ".bitext-pruned"
_ENTRY = re.compile(r"[0-9a-f]{64}\.v(\d+)")  # an entry's name: its key, its format
_TEMP = re.compile(r"tmp[a-z0-9_]{8}\.tmp")  # a write's temporary file (tempfile.mkstemp)
_TEMP_AGE = 86400.0  # a temporary file this old is a killed writer's
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
            try:  # a used entry is a recent one: the last to go when the cache is pruned
                os.utime(path)
            except OSError:
                pass
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
        else:
            _prune_now_and_then(self.dir.parent)
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


_warned: set[str] = set()


def _warn_once(what: str, line: str) -> None:
    if what not in _warned:
        _warned.add(what)
        print(line, file=sys.stderr)


def _prune_now_and_then(root: Path) -> None:
    """:func:`prune` ``root`` if no process has in the last ``PRUNE_EVERY`` seconds (after a
    write, so a cache only read is never touched)."""
    stamp = root / _STAMP
    try:
        st = os.stat(stamp, follow_symlinks=False)
    except FileNotFoundError:
        st = None
    except OSError:
        return
    if st is not None and (not stat.S_ISREG(st.st_mode) or time.time() - st.st_mtime < PRUNE_EVERY):
        return  # looked over lately, or something not ours in the stamp's place: leave the cache alone
    try:  # the stamp first: processes starting together do not all look the cache over
        if st is None:
            fd = os.open(stamp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o644)
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write("the last time bitext looked this cache over (old formats removed, size bounded)\n")
        else:
            os.utime(stamp, follow_symlinks=False)
    except OSError:
        return
    prune(root)


def prune(root, max_bytes: int | None | str = "env") -> dict:
    """Look over the cache at ``root``: remove the entries of older formats (misses forever), the
    temporary files of writers killed a day ago or more, and, while the entries left weigh more than
    ``max_bytes`` (default :func:`max_cache_bytes`), the least recently used, down to nine tenths of
    it. Only files named as bitext names them, in its two-character folders, are removed: anything
    else in the folder is left as it is. Returns counts: ``{"stale": n, "temporary": n, "evicted": n,
    "bytes_left": n}``. Never raises for a file it cannot read or remove."""
    limit = max_cache_bytes() if isinstance(max_bytes, str) else max_bytes
    out = {"stale": 0, "temporary": 0, "evicted": 0, "bytes_left": 0}
    now = time.time()
    entries = []
    for space in _dirs(Path(root)):
        for sub in _dirs(space):
            if len(sub.name) != 2:
                continue
            try:
                names = list(os.scandir(sub))
            except OSError:
                continue
            for e in names:
                try:
                    st = e.stat(follow_symlinks=False)
                except OSError:
                    continue
                if not stat.S_ISREG(st.st_mode):
                    continue
                m = _ENTRY.fullmatch(e.name)
                if m and int(m.group(1)) != CACHE_FORMAT:
                    out["stale"] += _unlink(e.path)
                elif m:
                    entries.append((st.st_mtime, st.st_size, e.path))
                elif _TEMP.fullmatch(e.name) and now - st.st_mtime >= _TEMP_AGE:
                    out["temporary"] += _unlink(e.path)
    total = sum(size for _, size, _ in entries)
    if limit is not None and total > limit:
        entries.sort()
        for _, size, path in entries:
            if total <= 0.9 * limit:
                break
            if _unlink(path):
                out["evicted"] += 1
                total -= size
    out["bytes_left"] = total
    return out


def _dirs(path: Path) -> list[Path]:
    """The folders in ``path`` (not through links)."""
    try:
        return [Path(e.path) for e in os.scandir(path) if e.is_dir(follow_symlinks=False)]
    except OSError:
        return []


def _unlink(path: str) -> int:
    try:
        os.unlink(path)
        return 1
    except OSError:
        return 0


def _drop(path: Path, ident: os.stat_result | None, why: str) -> None:
    """Delete a broken entry (unless another process has replaced it since) and say so once a process."""
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
    _warn_once("broken", f"bitext: warning: dropped a broken cache entry ({path}): {why}; recomputed")


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

"""The output folder of a batch: what a run left there, and whether a rerun may use it.

``OUTDIR/summary.jsonl`` holds a line per pair (:data:`SUMMARY_KEYS`, with
coverage reports :data:`REPORT_KEYS` too); each pair writes
``OUTDIR/<id>.<format>`` (and ``OUTDIR/<id>.coverage.json``). A rerun skips a
pair whose record says it completed from the same inputs, unchanged since
(:func:`fingerprint`), with its outputs there (:func:`is_complete`). Before any
work the folder is checked (:func:`check_outdir`), locked (:class:`OutdirLock`)
and cleared of the temporary files of cut-short writes (:func:`clean_temp`).
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path
from typing import TYPE_CHECKING

from ..formats.output import TEMP_MARK, remove_stale_temps, shown
from ..formats.registry import BATCH_FORMATS as FORMATS
from ..formats.summary import REPORT_SUFFIX, SUMMARY_NAME, read_summary

if TYPE_CHECKING:
    from .manifest import PairSpec

__all__ = [
    "undo_empty_run",
    "LOCK_NAME",
    "BatchError",
    "OutdirBusy",
    "OutdirLock",
    "check_outdir",
    "clean_temp",
    "fingerprint",
    "is_complete",
    "output_names",
]

LOCK_NAME = ".bitext-batch.lock"


# raised here (the folder) and by the engines (a worker died, no Ray): defined in the
# module at the bottom of the batch, which every other part imports
class BatchError(RuntimeError):
    """The batch itself cannot go on (output folder in use, a worker died, no Ray)."""


class OutdirBusy(BatchError):
    """Another batch holds the output folder's lock: refused before any work."""


def output_names(specs: list[PairSpec], fmt: str) -> list[str]:
    """The files the pairs write in the output folder: ``<id>.<fmt>`` and ``<id>.coverage.json`` each."""
    return [f"{s.id}{ext}" for s in specs for ext in (f".{fmt}", REPORT_SUFFIX)]


def fingerprint(path: str) -> dict:
    """``{"size", "mtime_ns", "sha256"}`` of a file, to tell later whether it changed."""
    import hashlib

    h = hashlib.sha256()
    with open(path, "rb") as f:
        st = os.fstat(f.fileno())
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return {"size": st.st_size, "mtime_ns": st.st_mtime_ns, "sha256": h.hexdigest()}


def _unchanged(path: str, recorded) -> bool:
    """Whether the file holds what it held when ``recorded``: the same size and
    SHA-256. Size and time alone are not trusted: an edit in place can keep
    both (``sed -i`` then ``touch -r``); hashing reads the file once, far less
    than aligning it."""
    if not isinstance(recorded, dict) or not isinstance(recorded.get("sha256"), str):
        return False
    try:
        if os.stat(path).st_size != recorded.get("size"):
            return False
        return fingerprint(path)["sha256"] == recorded["sha256"]
    except OSError:
        return False


def is_complete(rec: dict | None, spec: PairSpec, output: Path, coverage: bool = False) -> bool:
    """A previous run aligned this pair from the same files, unchanged since, and its output
    (with ``coverage``: and its report) is there."""
    return (
        rec is not None
        and (
            not coverage
            or (rec.get("report_coverage") is not None and output.with_name(spec.id + REPORT_SUFFIX).is_file())
        )
        and rec.get("status") in ("ok", "skipped")
        and rec.get("src") == spec.src
        and rec.get("tgt") == spec.tgt
        and output.is_file()
        and _unchanged(spec.src, rec.get("src_file"))
        and _unchanged(spec.tgt, rec.get("tgt_file"))
    )


class OutdirLock:
    """An exclusive lock on the output folder (POSIX; nothing elsewhere)."""

    def __init__(self, outdir: Path):
        self.f = None
        try:
            import fcntl
        except ImportError:
            return
        self.f = open_no_follow(outdir / LOCK_NAME)
        try:
            fcntl.flock(self.f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self.f.close()
            self.f = None
            raise OutdirBusy(
                f"{outdir}: another bitext batch is writing to this folder; "
                "wait for it to end, or write to another folder"
            ) from None
        except OSError:  # a file system without locks: go on unlocked
            pass

    def release(self) -> None:
        if self.f is not None:
            self.f.close()
            self.f = None


def undo_empty_run(outdir: Path, summary_was_new: bool, lock_was_new: bool, folder_was_new: bool) -> None:
    """After a run that recorded no pair (the model failed to load, say):
    remove the empty summary and the lock file it created and, if it created
    the folder, the folder, so that a failed run leaves nothing behind."""
    for name, was_new in ((SUMMARY_NAME, summary_was_new), (LOCK_NAME, lock_was_new)):
        path = outdir / name
        try:
            if was_new and path.stat().st_size == 0:
                path.unlink()
        except OSError:
            pass
    if folder_was_new:
        try:
            outdir.rmdir()  # only if nothing else is there
        except OSError:
            pass


def clean_temp(outdir: Path, names: set[str]) -> None:
    """Remove the temporary files of writes a kill cut short: those named as
    :func:`bitext.formats.output.write_atomic` names the temporaries of these outputs
    (``.NAME.XXXXXXXX.PID.bitext.tmp``); under the folder's lock, every one of
    them is stale. No other file is touched."""
    try:
        if not any(p.name.endswith(TEMP_MARK) for p in outdir.iterdir()):
            return
    except OSError:
        return
    for name in names:
        remove_stale_temps(outdir / name, any_pid=True)


def open_no_follow(path: Path):
    """``path`` opened for appending (created if missing), never through a link
    nor into a FIFO or a device: :class:`BatchError` for those."""
    flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags, 0o666)
    except OSError as e:
        if os.path.islink(path):
            raise BatchError(
                f"{shown(path)}: is a symbolic link; bitext batch replaces no link in its folder: remove it"
            ) from None
        raise BatchError(f"{shown(path)}: cannot write: {e.strerror or e}") from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise BatchError(f"{shown(path)}: is not a regular file; remove it")
    os.set_blocking(fd, True)
    return os.fdopen(fd, "a", encoding="utf-8")


_OURS = re.compile(r"(?P<id>.+)(?:\.(?:%s)|%s)\Z" % ("|".join(FORMATS), re.escape(REPORT_SUFFIX)))


def _foreign_files(outdir: Path, previous: dict[str, dict]) -> list[str]:
    """Entries of ``outdir`` that no bitext batch wrote: not the summary, the
    lock, a temporary file, nor the output of a pair the summary records."""
    try:
        entries = list(outdir.iterdir())
    except OSError:
        return []
    out = []
    for p in entries:
        name = p.name
        if name in (SUMMARY_NAME, LOCK_NAME) or (name.startswith(".") and name.endswith(".tmp")):
            continue
        m = _OURS.match(name)
        if m and m.group("id") in previous and p.is_file() and not p.is_symlink():
            continue
        out.append(name)
    return sorted(out)


def check_outdir(outdir: Path, specs: list[PairSpec], fmt: str, force: bool, inputs=()) -> None:
    """Refuse, before any work: an output folder that is a file, one holding files
    bitext did not write (unless ``force``), and any output that is an input of
    the batch (a pair's file or the manifest), by device and inode."""
    if outdir.exists() and not outdir.is_dir():
        raise BatchError(f"{outdir}: is not a folder; give an output folder with -o")
    if not outdir.is_dir():
        return
    for name in [SUMMARY_NAME, LOCK_NAME] + output_names(specs, fmt):  # what the batch writes or opens
        try:
            st = os.lstat(outdir / name)
        except OSError:
            continue
        if stat.S_ISLNK(st.st_mode):
            raise BatchError(
                f"{outdir / name}: is a symbolic link; bitext batch follows no link in its output "
                "folder (it would write where the link points): remove it, --force or not"
            )
        if not stat.S_ISREG(st.st_mode):
            raise BatchError(f"{outdir / name}: is not a regular file; remove it, --force or not")
    previous = read_summary(outdir / SUMMARY_NAME)
    foreign = [] if force else _foreign_files(outdir, previous)
    if foreign:
        shown = ", ".join(foreign[:5]) + (f" and {len(foreign) - 5} more" if len(foreign) > 5 else "")
        raise BatchError(
            f"{outdir}: holds files bitext did not write ({shown}); "
            "give an empty or new folder, or --force to write beside them"
        )
    ours: dict[tuple[int, int], str] = {}
    for path in [x for s in specs for x in (s.src, s.tgt)] + [os.fspath(x) for x in inputs]:
        try:
            st = os.stat(path)
        except OSError:
            continue
        ours[(st.st_dev, st.st_ino)] = path
    for name in [SUMMARY_NAME] + output_names(specs, fmt):
        try:
            st = os.stat(outdir / name)
        except OSError:
            continue
        if (st.st_dev, st.st_ino) in ours:
            raise BatchError(
                f"{outdir / name}: is an input of this batch ({ours[(st.st_dev, st.st_ino)]}); "
                "write the outputs to another folder"
            )

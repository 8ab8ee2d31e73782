"""The pairs of a batch: :class:`PairSpec`, the manifest that lists them, and their checks.

A *manifest* lists the pairs, one a line, tab-separated, no header::

    # id   src_path        tgt_path        [src_lang  tgt_lang]
    ed-01  zh/ed-01.txt    ko/ed-01.txt
    ed-02  zh/ed-02.txt    ko/ed-02.txt    zh         ko

Relative paths are relative to the manifest's folder; ``#`` starts a comment
line; blank lines are skipped. :func:`read_manifest` reads one,
:func:`coerce_pairs` takes the pairs given in Python; both check every pair
(ids safe as file names and unique, languages well-formed) before any work and
raise :class:`ManifestError` listing every problem.
"""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

from ..formats.summary import SUMMARY_NAME, check_id

__all__ = ["PairSpec", "ManifestError", "read_manifest", "coerce_pairs", "MAX_REPORTED", "MAX_PAIRS"]

MAX_REPORTED = 20  # problems (or failed pairs) listed in one message
# bounds of one manifest: a pipe that never ends (``<(yes ...)``) or a device stops here
MAX_PAIRS = 1_000_000
MAX_LINES = 2_000_000  # comments and blank lines included
MAX_PROBLEMS = 1_000  # a manifest this wrong is not read to its end
MAX_LINE_BYTES = 1 << 16
MAX_MANIFEST_BYTES = 1 << 28


class ManifestError(ValueError):
    """The manifest (or the pairs given to :func:`~bitext.batch.align_many`) cannot be used.

    ``problems`` lists every problem found, each naming the line (or pair).
    """

    def __init__(self, problems: list[str], note: str = ""):
        self.problems = list(problems) + ([note] if note else [])
        shown = problems[:MAX_REPORTED]
        more = len(problems) - len(shown)
        msg = "\n".join(shown) + (f"\n... and {more} more problems" if more > 0 else "") + (f"\n{note}" if note else "")
        super().__init__(msg)


@dataclass(frozen=True)
class PairSpec:
    """One pair to align. Paths are absolute once they come out of :func:`read_manifest`."""

    id: str
    src: str
    tgt: str
    src_lang: str | None = None
    tgt_lang: str | None = None
    where: str = ""  # "manifest.tsv:12" or "pair 12", for messages
    encoding: str | None = None  # of both files (None: UTF-8 or detected)


def _check_lang(value: str, what: str) -> str | None:
    from ..text.segment import check_lang

    return check_lang(value, what) if value else None


class _Checker:
    """Ids safe and unique (also when case is folded), languages well-formed: one pair at a time."""

    def __init__(self, fmt: str | None):
        self.fmt = fmt
        self.seen: dict[str, PairSpec] = {}

    def problem(self, s: PairSpec) -> str | None:
        """``"where: why"`` for a bad pair, else ``None``."""
        why = check_id(s.id)
        if why is None:
            first = self.seen.get(s.id.lower())
            if first is not None:
                same = (
                    "" if first.id == s.id else f" (same file name as {first.id!r} on a case-insensitive file system)"
                )
                why = f"duplicate id {s.id!r}{same}; first at {first.where}"
            else:
                self.seen[s.id.lower()] = s
                if self.fmt and f"{s.id}.{self.fmt}".lower() == SUMMARY_NAME.lower():
                    why = f"id {s.id!r} would overwrite {SUMMARY_NAME}"
        if why is None:
            why = _check_lang(s.src_lang or "", "source language") or _check_lang(s.tgt_lang or "", "target language")
        if why is None and (not s.src or not s.tgt):
            why = "empty path"
        return f"{s.where}: {why}" if why else None


def _validate(specs: list[PairSpec], fmt: str | None) -> None:
    """:class:`ManifestError` listing every bad pair (:class:`_Checker`)."""
    check = _Checker(fmt)
    problems = [x for x in map(check.problem, specs) if x]
    if problems:
        raise ManifestError(problems)


def _abspath(base: Path, p: str) -> str:
    q = Path(os.path.expanduser(p))
    return os.path.abspath(q if q.is_absolute() else base / q)


def read_manifest(path: str | os.PathLike, fmt: str | None = None) -> list[PairSpec]:
    """Parse and check a manifest; raises :class:`ManifestError` listing every bad line.

    Checked before any work starts: the field count (3 or 5, tab-separated),
    ids (``[A-Za-z0-9._-]``, not starting with ``.``, at most 200 characters,
    unique), language codes. Relative paths become absolute, relative to the
    manifest's folder. With ``fmt``, an id whose output would overwrite
    ``summary.jsonl`` is refused too. ``path`` ``"-"`` reads standard input
    (``bitext match ... | bitext batch -``), relative paths relative to the
    current folder.
    """
    p = Path(path)
    base = Path.cwd() if os.fspath(path) == "-" else p.parent  # standard input: relative to the current folder
    specs: list[PairSpec] = []
    problems: list[str] = []
    check = _Checker(fmt)
    for n, line in _lines(p):
        if not line.strip() or line.startswith("#"):
            continue
        if len(specs) + len(problems) >= MAX_PAIRS:
            raise ManifestError([f"{p}:{n}: more than {MAX_PAIRS:,} pairs; split the manifest into several"])
        if len(problems) >= MAX_PROBLEMS:
            raise ManifestError(problems, f"{p}:{n}: stopped reading after {MAX_PROBLEMS:,} problems")
        where = f"{p}:{n}"
        fields = line.split("\t")
        if len(fields) not in (3, 5):
            hint = " (fields are separated by tabs, not spaces)" if len(fields) < 3 and " " in line else ""
            problems.append(
                f"{where}: expected 3 or 5 tab-separated fields (id, src_path, tgt_path[, src_lang, tgt_lang]), "
                f"got {len(fields)}{hint}"
            )
            continue
        pid, src, tgt = fields[:3]
        sl, tl = (fields[3].strip() or None, fields[4].strip() or None) if len(fields) == 5 else (None, None)
        if not src.strip() or not tgt.strip():
            problems.append(f"{where}: empty {'src_path' if not src.strip() else 'tgt_path'}")
            continue
        spec = PairSpec(pid, _abspath(base, src), _abspath(base, tgt), sl, tl, where)
        bad = check.problem(spec)
        if bad:
            problems.append(bad)
        else:
            specs.append(spec)
    if problems:
        raise ManifestError(problems)
    if not specs:
        raise ManifestError(
            [f"{p}: no pairs (one pair a line: id<TAB>src_path<TAB>tgt_path[<TAB>src_lang<TAB>tgt_lang])"]
        )
    return specs


def _lines(p: Path):
    """``(number, line)`` of each line of a manifest (``-``: standard input), read a
    bounded line at a time: a file (or pipe) that is binary (``/dev/zero``), endless or
    over :data:`MAX_MANIFEST_BYTES` is refused with a :class:`ManifestError`."""
    try:
        # standard input is read whole (up to the limit), so that closing the file leaves it open
        f = io.BytesIO(sys.stdin.buffer.read(MAX_MANIFEST_BYTES + 1)) if os.fspath(p) == "-" else open(p, "rb")
    except FileNotFoundError:
        raise ManifestError([f"{p}: no such file"]) from None
    except IsADirectoryError:
        raise ManifestError([f"{p}: is a directory, not a manifest"]) from None
    except OSError as e:
        raise ManifestError([f"{p}: cannot read: {e.strerror or e}"]) from None
    size = 0
    with f:
        for n in range(1, MAX_LINES + 2):
            try:
                raw = f.readline(MAX_LINE_BYTES + 1)
            except IsADirectoryError:
                raise ManifestError([f"{p}: is a directory, not a manifest"]) from None
            except OSError as e:
                raise ManifestError([f"{p}: cannot read: {e.strerror or e}"]) from None
            if not raw:
                return
            if b"\0" in raw:
                raise ManifestError([f"{p}:{n}: holds a NUL byte: a binary file, not a manifest"])
            if len(raw) > MAX_LINE_BYTES:
                raise ManifestError([f"{p}:{n}: a line of more than {MAX_LINE_BYTES:,} bytes: not a manifest"])
            size += len(raw)
            if size > MAX_MANIFEST_BYTES or n > MAX_LINES:
                raise ManifestError(
                    [
                        f"{p}:{n}: more than {MAX_MANIFEST_BYTES >> 20} MiB or {MAX_LINES:,} lines; "
                        "split the manifest into several"
                    ]
                )
            try:
                line = raw.decode("utf-8-sig" if n == 1 else "utf-8")
            except UnicodeDecodeError:
                raise ManifestError([f"{p}:{n}: not UTF-8; save the manifest as UTF-8"]) from None
            yield n, line.rstrip("\n").rstrip("\r")


def coerce_pairs(pairs: Iterable, fmt: str | None) -> list[PairSpec]:
    """The pairs given to :func:`~bitext.batch.align_many` as checked :class:`PairSpec`
    objects (from tuples, dicts or specs); raises :class:`ManifestError` listing every bad pair."""
    specs, problems = [], []
    for n, item in enumerate(pairs, 1):
        where = f"pair {n}"
        if isinstance(item, PairSpec):
            specs.append(item if item.where else PairSpec(**{**asdict(item), "where": where}))
            continue
        if isinstance(item, dict):
            try:
                pid = item["id"]
                src = item.get("src", item.get("src_path"))
                tgt = item.get("tgt", item.get("tgt_path"))
            except (KeyError, TypeError):
                problems.append(f"{where}: a dict needs the keys id, src and tgt")
                continue
            sl, tl = item.get("src_lang"), item.get("tgt_lang")
        elif isinstance(item, (tuple, list)) and len(item) in (3, 5):
            pid, src, tgt = item[:3]
            sl, tl = (item[3], item[4]) if len(item) == 5 else (None, None)
        else:
            problems.append(
                f"{where}: expected (id, src, tgt), (id, src, tgt, src_lang, tgt_lang) or a dict, got {item!r:.80}"
            )
            continue
        if src is None or tgt is None:
            problems.append(f"{where}: missing src or tgt path")
            continue
        specs.append(
            PairSpec(
                str(pid),
                os.path.abspath(os.fspath(src)),
                os.path.abspath(os.fspath(tgt)),
                sl or None,
                tl or None,
                where,
            )
        )
    try:
        _validate(specs, fmt)
    except ManifestError as e:
        problems += e.problems
    if problems:
        raise ManifestError(problems)
    return specs

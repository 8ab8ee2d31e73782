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

import os
import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Iterable

from ..formats.summary import SUMMARY_NAME

__all__ = ["PairSpec", "ManifestError", "read_manifest", "coerce_pairs", "check_id", "MAX_ID", "MAX_REPORTED"]

MAX_ID = 200
MAX_REPORTED = 20  # problems (or failed pairs) listed in one message
_ID = re.compile(r"[A-Za-z0-9._-]+\Z")


class ManifestError(ValueError):
    """The manifest (or the pairs given to :func:`~bitext.batch.align_many`) cannot be used.

    ``problems`` lists every problem found, each naming the line (or pair).
    """

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        shown = self.problems[:MAX_REPORTED]
        more = len(self.problems) - len(shown)
        msg = "\n".join(shown) + (f"\n... and {more} more problems" if more > 0 else "")
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


def check_id(pair_id: str) -> str | None:
    """Why ``pair_id`` cannot name an output file, or ``None`` when it can."""
    if not pair_id:
        return "empty id"
    if len(pair_id) > MAX_ID:
        return f"id is {len(pair_id)} characters long (at most {MAX_ID})"
    if pair_id.startswith("."):
        return f"id {pair_id!r} starts with '.'"
    if not _ID.match(pair_id):
        bad = sorted({c for c in pair_id if not re.match(r"[A-Za-z0-9._-]", c)})
        return f"id {pair_id!r} has characters not allowed in a file name here: {' '.join(repr(c) for c in bad)} (use A-Z a-z 0-9 . _ -)"
    return None


def _check_lang(value: str, what: str) -> str | None:
    from ..text.segment import check_lang

    return check_lang(value, what) if value else None


def _validate(specs: list[PairSpec], fmt: str | None) -> None:
    """Ids safe and unique (also when case is folded), languages well-formed."""
    problems = []
    seen: dict[str, PairSpec] = {}
    reserved = {SUMMARY_NAME.lower()}
    for s in specs:
        why = check_id(s.id)
        if why is None:
            first = seen.get(s.id.lower())
            if first is not None:
                same = "" if first.id == s.id else f" (same file name as {first.id!r} on a case-insensitive file system)"
                why = f"duplicate id {s.id!r}{same}; first at {first.where}"
            else:
                seen[s.id.lower()] = s
                if fmt and f"{s.id}.{fmt}".lower() in reserved:
                    why = f"id {s.id!r} would overwrite {SUMMARY_NAME}"
        if why is None:
            why = _check_lang(s.src_lang or "", "source language") or _check_lang(s.tgt_lang or "", "target language")
        if why is None and (not s.src or not s.tgt):
            why = "empty path"
        if why:
            problems.append(f"{s.where}: {why}")
    if problems:
        raise ManifestError(problems)


def _abspath(base: Path, p: str) -> str:
    q = Path(os.path.expanduser(p))
    return os.path.abspath(q if q.is_absolute() else base / q)


def read_manifest(path: str | os.PathLike, fmt: str | None = None) -> list[PairSpec]:
    """Parse and check a manifest; raises :class:`ManifestError` listing every bad line.

    ``path`` ``"-"`` reads standard input (``bitext match ... | bitext batch -``);
    its relative paths are relative to the current folder.

    Checked before any work starts: the field count (3 or 5, tab-separated),
    ids (``[A-Za-z0-9._-]``, not starting with ``.``, at most 200 characters,
    unique), language codes. Relative paths become absolute, relative to the
    manifest's folder. With ``fmt``, an id whose output would overwrite
    ``summary.jsonl`` is refused too.
    """
    p = Path(path)
    try:
        if os.fspath(path) == "-":
            import sys

            p, data = Path("<stdin>"), sys.stdin.buffer.read()
        else:
            data = p.read_bytes()
    except FileNotFoundError:
        raise ManifestError([f"{p}: no such file"]) from None
    except IsADirectoryError:
        raise ManifestError([f"{p}: is a directory, not a manifest"]) from None
    except OSError as e:
        raise ManifestError([f"{p}: cannot read: {e.strerror or e}"]) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        raise ManifestError([f"{p}:{line}: not UTF-8; save the manifest as UTF-8"]) from None
    base = Path.cwd() if os.fspath(path) == "-" else p.parent
    specs, problems = [], []
    for n, line in enumerate(text.split("\n"), 1):
        line = line.rstrip("\r")
        if not line.strip() or line.startswith("#"):
            continue
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
        specs.append(PairSpec(pid, _abspath(base, src), _abspath(base, tgt), sl, tl, where))
    try:
        _validate(specs, fmt)
    except ManifestError as e:
        problems += e.problems
    if problems:
        problems.sort(key=_line_number)
        raise ManifestError(problems)
    if not specs:
        raise ManifestError([f"{p}: no pairs (one pair a line: id<TAB>src_path<TAB>tgt_path[<TAB>src_lang<TAB>tgt_lang])"])
    return specs


def _line_number(msg: str) -> int:
    m = re.match(r".*?:(\d+): ", msg)
    return int(m.group(1)) if m else 0


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
            problems.append(f"{where}: expected (id, src, tgt), (id, src, tgt, src_lang, tgt_lang) or a dict, got {item!r:.80}")
            continue
        if src is None or tgt is None:
            problems.append(f"{where}: missing src or tgt path")
            continue
        specs.append(PairSpec(str(pid), os.path.abspath(os.fspath(src)), os.path.abspath(os.fspath(tgt)), sl or None, tl or None, where))
    try:
        _validate(specs, fmt)
    except ManifestError as e:
        problems += e.problems
    if problems:
        raise ManifestError(problems)
    return specs

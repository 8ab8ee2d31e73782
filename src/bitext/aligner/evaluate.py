"""Score sentence alignments against gold beads: strict and lax P/R/F1.

This is the metric of the Vecalign and Bertalign papers, and it agrees with
the reference scorer ``score.py`` used for the shared evaluation data.

A bead file holds one bead a line, ``[0,1]:[2]`` or ``[0,1]:[2]:0.873`` (the
optional third field is a score and is ignored), with ``[]`` for an empty
side; blank lines are skipped. Ids are 0-based sentence indices.

Semantics (per file pair, then micro-averaged: counts are summed over all
pairs and P/R/F1 are computed once):

- beads with both sides empty are ignored, and repeated beads count once;
- precision is over test beads, insertions and deletions included;
- strict: a test bead counts only if the very same bead is in gold;
- lax: a test bead also counts if the gold targets of its source ids overlap
  its target ids (so a test bead with an empty source side counts only when
  it matches exactly); recall is the same with gold and test swapped.

Command line: ``bitext eval GOLD TEST [GOLD TEST ...] [--json]``.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from os import PathLike
from typing import Any

__all__ = [
    "Bead",
    "BeadFormatError",
    "parse_beads",
    "read_beads",
    "score",
    "score_files",
    "format_table",
    "main",
]

Bead = tuple[tuple[int, ...], tuple[int, ...]]
"""One alignment bead: (source sentence ids, target sentence ids)."""

_IDS = r"\[\s*(\d+(?:\s*,\s*\d+)*)?\s*\]"
_SCORE = r"[-+]?(?:\d+\.?\d*(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?|nan|inf)"
_BEAD_RE = re.compile(rf"^{_IDS}:{_IDS}(?::\s*{_SCORE})?$")


class BeadFormatError(ValueError):
    """A line of a bead file is not ``[i,j]:[k]`` or ``[i,j]:[k]:score``."""


def _ids(group: str | None) -> tuple[int, ...]:
    if not group:
        return ()
    return tuple(int(x) for x in group.split(","))


def parse_beads(lines: Iterable[str], name: str = "<beads>") -> list[Bead]:
    """Parse bead lines; ``name`` is used in error messages.

    Blank lines are skipped. Raises :class:`BeadFormatError` naming
    ``name`` and the 1-based line number on the first malformed line.
    """
    beads: list[Bead] = []
    for lineno, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line:
            continue
        m = _BEAD_RE.match(line)
        if m is None:
            raise BeadFormatError(
                f"{name}:{lineno}: malformed bead line: '{line}' (expected [i,j]:[k] or [i,j]:[k]:score)"
            )
        try:
            beads.append((_ids(m.group(1)), _ids(m.group(2))))
        except ValueError:  # an id of thousands of digits (Python's int limit)
            raise BeadFormatError(
                f"{name}:{lineno}: a sentence id too long to read "
                f"({max(map(len, re.findall(r'[0-9]+', line))):,} digits)"
            ) from None
    return beads


def read_beads(path: str | PathLike[str]) -> list[Bead]:
    """Read a bead file (UTF-8). Raises OSError or :class:`BeadFormatError`
    (also for a binary file or a device that never ends, ``/dev/zero``)."""
    from pathlib import Path

    from ..text.read import InputError, _read_bytes

    try:
        data = _read_bytes(Path(path))  # bounded: a device that never ends stops at its first NULs
    except InputError as e:
        raise BeadFormatError(str(e)) from None
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise BeadFormatError(f"{path}:{line}: holds a NUL byte: a binary file, not beads")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        raise BeadFormatError(f"{path}:{line}: not UTF-8 text ({e.reason})") from None
    return parse_beads(text.split("\n"), name=str(path))


def _bead_type(bead: Bead) -> str:
    return f"{len(bead[0])}-{len(bead[1])}"


def _overlaps(side_map: dict[int, set[int]], src: tuple[int, ...], tgt: tuple[int, ...]) -> bool:
    """True if the targets mapped from ``src`` ids meet ``tgt`` (False if ``src`` is empty)."""
    if not src:
        return False
    cand: set[int] = set()
    for s in src:
        cand |= side_map.get(s, set())
    return bool(cand & set(tgt))


def _src2tgt(beads: Iterable[Bead]) -> dict[int, set[int]]:
    m: dict[int, set[int]] = defaultdict(set)
    for src, tgt in beads:
        for s in src:
            m[s].update(tgt)
    return m


def _prf(tp: int, n_test: int, found: int, n_gold: int) -> dict[str, float]:
    p = tp / n_test if n_test else 0.0
    r = found / n_gold if n_gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": p, "recall": r, "f1": f}


def score(pairs: Iterable[tuple[Sequence[Bead], Sequence[Bead]]]) -> dict[str, Any]:
    """Score (gold, test) bead lists, micro-averaged over all pairs.

    Returns ``{"strict": {precision, recall, f1}, "lax": {...},
    "by_type": {"1-1": {precision, recall, f1, gold, test}, ...},
    "gold_beads": N, "test_beads": M}``. ``by_type`` uses strict matching;
    a type ``x-y`` has ``x`` source ids and ``y`` target ids, and types are
    sorted by ``(x + y, x)``.
    """
    n_gold = n_test = 0
    strict_tp = lax_tp = strict_found = lax_found = 0
    type_gold: Counter[str] = Counter()
    type_test: Counter[str] = Counter()
    type_match: Counter[str] = Counter()

    for gold_list, test_list in pairs:
        gold = {(tuple(s), tuple(t)) for s, t in gold_list if s or t}
        test = {(tuple(s), tuple(t)) for s, t in test_list if s or t}
        n_gold += len(gold)
        n_test += len(test)
        gold_map = _src2tgt(gold)
        test_map = _src2tgt(test)
        for src, tgt in test:
            if (src, tgt) in gold:
                strict_tp += 1
                lax_tp += 1
                type_match[_bead_type((src, tgt))] += 1
            elif _overlaps(gold_map, src, tgt):
                lax_tp += 1
            type_test[_bead_type((src, tgt))] += 1
        for src, tgt in gold:
            if (src, tgt) in test:
                strict_found += 1
                lax_found += 1
            elif _overlaps(test_map, src, tgt):
                lax_found += 1
            type_gold[_bead_type((src, tgt))] += 1

    def type_key(t: str) -> tuple[int, int]:
        x, y = (int(v) for v in t.split("-"))
        return (x + y, x)

    by_type: dict[str, dict[str, Any]] = {}
    for t in sorted(set(type_gold) | set(type_test), key=type_key):
        entry: dict[str, Any] = _prf(type_match[t], type_test[t], type_match[t], type_gold[t])
        entry["gold"] = type_gold[t]
        entry["test"] = type_test[t]
        by_type[t] = entry

    return {
        "strict": _prf(strict_tp, n_test, strict_found, n_gold),
        "lax": _prf(lax_tp, n_test, lax_found, n_gold),
        "by_type": by_type,
        "gold_beads": n_gold,
        "test_beads": n_test,
    }


def score_files(paths: Sequence[str | PathLike[str]]) -> dict[str, Any]:
    """Score bead files given as ``GOLD TEST [GOLD TEST ...]`` (micro-averaged).

    Raises ValueError if the number of paths is zero or odd, and whatever
    :func:`read_beads` raises for a missing or malformed file.
    """
    paths = list(paths)
    if not paths or len(paths) % 2:
        raise ValueError(f"expected GOLD TEST pairs of bead files, got {len(paths)} path(s)")
    pairs = [(read_beads(g), read_beads(t)) for g, t in zip(paths[::2], paths[1::2])]
    return score(pairs)


def format_table(result: dict[str, Any]) -> str:
    """Render a :func:`score` result as a fixed-width text table."""
    lines = [
        f"gold beads: {result['gold_beads']}   test beads: {result['test_beads']}",
        "",
        f"{'':<8}{'P':>7}{'R':>7}{'F1':>7}",
    ]
    for kind in ("strict", "lax"):
        m = result[kind]
        lines.append(f"{kind:<8}{m['precision']:>7.3f}{m['recall']:>7.3f}{m['f1']:>7.3f}")
    lines += ["", f"{'type':<8}{'gold':>7}{'test':>7}{'P':>7}{'R':>7}{'F1':>7}"]
    for t, m in result["by_type"].items():
        lines.append(f"{t:<8}{m['gold']:>7}{m['test']:>7}{m['precision']:>7.3f}{m['recall']:>7.3f}{m['f1']:>7.3f}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """``bitext eval GOLD TEST [GOLD TEST ...] [--json]``; returns the exit status."""
    parser = argparse.ArgumentParser(
        prog="bitext eval",
        description="Score sentence alignments against gold beads "
        "(strict and lax precision/recall/F1, micro-averaged over file pairs).",
    )
    parser.add_argument(
        "files",
        nargs="+",
        metavar="GOLD TEST",
        help="pairs of bead files: gold first, then the alignment to score",
    )
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args(argv)

    try:
        result = score_files(args.files)
    except OSError as e:
        from ..formats.output import shown

        name = e.filename if e.filename is not None else "?"
        print(f"{parser.prog}: error: {shown(name)}: {e.strerror or e}", file=sys.stderr)
        return 2
    except ValueError as e:
        from ..formats.output import shown

        print(f"{parser.prog}: error: {shown(e)}", file=sys.stderr)
        return 2

    from ..formats.output import write_stdout

    write_stdout((json.dumps(result, indent=2) if args.json else format_table(result)) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())

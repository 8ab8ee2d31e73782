"""Build ``han_pinyin.txt``: the Mandarin readings of Han characters, without tones.

usage: python make_han_pinyin.py > han_pinyin.txt

Reads the single-character table of the PyPI package ``pypinyin`` (MIT;
its data come from the Unihan database's kHanyuPinyin, kMandarin and
kXHC1983 fields). Not imported by bitext: the table it writes ships with
the package, and bitext does not depend on pypinyin (whose import takes
most of a second). Only characters of the CJK Unified Ideographs block and
its extension A are kept.
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
    out.write("# Mandarin readings of Han characters, one character a line: the character, a tab, its readings\n"
              "# (toneless pinyin, ü written v, most common first). Derived by make_han_pinyin.py from the\n"
              "# single-character table of pypinyin (MIT), itself from the Unihan database.\n")
    for cp in sorted(pinyin_dict):
        if not (0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF):
            continue
        readings = list(dict.fromkeys(toneless(r) for r in pinyin_dict[cp].split(",") if r))
        if readings:
            out.write(f"{chr(cp)}\t{' '.join(readings)}\n")


if __name__ == "__main__":
    main()

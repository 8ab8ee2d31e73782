"""Beads of every development document and the seed, written to a folder, and two such folders compared.

usage: python bench/bead_snapshot.py OUTDIR [--eval-data DIR] [--model M]
       python bench/bead_snapshot.py --compare BEFORE AFTER

A refactoring must not change what the aligner outputs: take a snapshot
before, one after, and compare them. A snapshot holds one ``.beads`` file per
document (ids and confidence to 4 decimals: ``[i,j]:[k]:score``): MAC-Dev,
Text+Berg, the Bible zh-ko sets (verse and sentence level) and the seed.
``--compare`` prints each document whose beads or scores differ, and exits 1
if any does.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

SETS = {  # folder, source language, target language (one sentence a line)
    "mac": ("mac-dev-zh-en", "zh", "en"),
    "tb": ("text+berg-de-fr", "de", "fr"),
    "bible": ("bible-zh-ko", "zh", "ko"),
    "bible-sent": ("bible-zh-ko-sent", "zh", "ko"),
}


def documents(eval_dir: Path):
    """``(name, src, tgt, src_lang, tgt_lang, presplit)`` for every document."""
    for key, (folder, sl, tl) in SETS.items():
        d = eval_dir / folder
        if not d.is_dir():
            print(f"skipped {key}: no {d}", file=sys.stderr)
            continue
        for gold in sorted((d / "gold").iterdir()):
            yield (
                f"{key}-{gold.name}",
                (d / sl / gold.name).read_text("utf-8"),
                (d / tl / gold.name).read_text("utf-8"),
                sl,
                tl,
                True,
            )
    yield (
        "seed",
        (ROOT / "seeds/global-times-editorial.zh.txt").read_text("utf-8"),
        (ROOT / "seeds/global-times-editorial.ko.txt").read_text("utf-8"),
        "zh",
        "ko",
        False,
    )


def snapshot(outdir: Path, eval_dir: Path, model=None) -> None:
    import bitext
    from bitext.embed import load_model

    outdir.mkdir(parents=True, exist_ok=True)
    embedder = load_model(model)
    for name, src, tgt, sl, tl, presplit in documents(eval_dir):
        a = bitext.align(src, tgt, sl, tl, model=embedder, presplit=presplit)
        (outdir / f"{name}.beads").write_text(a.to_beads(), "utf-8")
        print(f"{name}: {len(a)} beads")


def compare(before: Path, after: Path) -> int:
    names = sorted({p.name for p in before.glob("*.beads")} | {p.name for p in after.glob("*.beads")})
    changed = 0
    for name in names:
        a, b = before / name, after / name
        if not (a.exists() and b.exists()):
            print(f"{name}: only in {'after' if b.exists() else 'before'}")
            changed += 1
            continue
        x, y = a.read_text("utf-8").splitlines(), b.read_text("utf-8").splitlines()
        ids = sum(p.rsplit(":", 1)[0] != q.rsplit(":", 1)[0] for p, q in zip(x, y)) + abs(len(x) - len(y))
        scores = sum(p != q for p, q in zip(x, y))
        if ids or scores:
            changed += 1
            print(f"{name}: {ids} beads differ, {scores} lines differ (of {len(x)} / {len(y)})")
    print(f"{len(names)} documents compared, {changed} changed")
    return 1 if changed else 0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("outdir", nargs="?")
    ap.add_argument("--compare", nargs=2, metavar=("BEFORE", "AFTER"))
    ap.add_argument("--eval-data", default=str(ROOT.parent / "shared" / "eval-data"))
    ap.add_argument("--model", default=None)
    args = ap.parse_args(argv)
    if args.compare:
        return compare(Path(args.compare[0]), Path(args.compare[1]))
    if not args.outdir:
        ap.error("give OUTDIR, or --compare BEFORE AFTER")
    snapshot(Path(args.outdir), Path(args.eval_data), args.model)
    return 0


if __name__ == "__main__":
    sys.exit(main())

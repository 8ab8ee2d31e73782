"""Sino-Korean reading vectors (bitext.sinokorean) on real zh-ko translations: a decision for #17.

usage: python bench/readings.py [--eval-data DIR] [--weights 0,0.2,0.3,0.4]

Scores ``AlignParams(reading_weight=w)`` on the Bible zh-ko sets (verse-level
gold, strict F1; and the sentence-split variant, unit-merged strict F1 as
../shared/tools/unit_score.py computes it) and on the seed editorial.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

import bitext  # noqa: E402
from accuracy import run_set  # noqa: E402
from bitext.align import AlignParams  # noqa: E402
from bitext.embed import load_model  # noqa: E402
from bitext.evaluate import parse_beads, read_beads, score  # noqa: E402


def unit_merge(test, gold):
    """Consecutive test beads inside one gold unit merged (unit_score.py's rule)."""
    su = {i: k for k, b in enumerate(gold) for i in b[0]}
    tu = {j: k for k, b in enumerate(gold) for j in b[1]}

    def unit(b):
        s = {su.get(i, -1) for i in b[0]} or {"NULL"}
        t = {tu.get(j, -2) for j in b[1]} or {"NULL"}
        if len(s) != 1 or len(t) != 1:
            return None
        s, t = s.pop(), t.pop()
        return t if s == "NULL" else s if t == "NULL" or s == t else None

    out, last = [], None
    for b in test:
        u = unit(b)
        if last is not None and u == last:
            out[-1] = (out[-1][0] + b[0], out[-1][1] + b[1])
        else:
            out.append(b)
        last = u
    return out


def bible(eval_dir: Path, name: str, embedder, params, merged: bool) -> float:
    d = eval_dir / name
    hit = n_gold = n_test = 0
    for gold_path in sorted((d / "gold").iterdir()):
        zh = (d / "zh" / gold_path.name).read_text("utf-8")
        ko = (d / "ko" / gold_path.name).read_text("utf-8")
        a = bitext.align(zh, ko, "zh", "ko", model=embedder, presplit=True, params=params)
        gold = [(tuple(s), tuple(t)) for s, t in read_beads(gold_path)]
        test = [(tuple(s), tuple(t)) for s, t in parse_beads(a.to_beads().splitlines())]
        if merged:
            test = unit_merge(test, gold)
        gs = set(gold)
        hit += sum(b in gs for b in test)
        n_gold += len(gold)
        n_test += len(test)
    p, r = hit / n_test, hit / n_gold
    return 2 * p * r / (p + r)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--eval-data", default=str(ROOT.parent / "shared" / "eval-data"))
    ap.add_argument("--weights", default="0,0.2,0.3,0.4")
    args = ap.parse_args(argv)
    eval_dir = Path(args.eval_data)
    embedder = load_model(None)
    print("strict F1: bible-zh-ko (verses), bible-zh-ko-sent (unit-merged), seed editorial")
    print(f"{'reading_weight':<16}{'bible':>10}{'bible-sent':>12}{'seed':>8}{'seconds':>9}")
    for w in (float(x) for x in args.weights.split(",")):
        t = time.perf_counter()
        params = AlignParams(reading_weight=w)
        verse = bible(eval_dir, "bible-zh-ko", embedder, params, merged=False)
        sent = bible(eval_dir, "bible-zh-ko-sent", embedder, params, merged=True)
        seed = run_set("seed", eval_dir, embedder, params)["strict"]["f1"]
        print(f"{w:<16}{verse:>10.3f}{sent:>12.3f}{seed:>8.3f}{time.perf_counter() - t:>9.1f}")


if __name__ == "__main__":
    main()

"""A clause left in the source language inside a translated sentence: found, and flags on clean text.

usage: nice python bench/untranslated_clauses.py [--eval-data DIR] [--every K] [--seed N]

An error shape ``../shared/tools/qa_inject.py`` does not make: in about one
1-1 gold bead in ``--every`` (default 30) source sentences of every
development document, one clause of the target sentence (cut as the injector
cuts clauses) is replaced by the source sentence's clause at the same relative
position, as a translator who left part of a sentence untranslated. Each
damaged document is aligned, one sentence a line, and the error counts as found
when a bead holding its source sentence is not ``ok`` in the coverage report.

The same damaged documents are scored twice in this process: with the checks
for a clause left in the source script or language (``_source_run``,
``_source_clause`` of :mod:`bitext.check.untranslated`) and without them
(the whole-sentence checks only). Then the untranslated check runs on every
clean document in both directions and its findings are counted.
"""

from __future__ import annotations

import argparse
import random
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

import qa  # noqa: E402  (bench/qa.py: the injector)

import bitext  # noqa: E402
from bitext.check import untranslated  # noqa: E402
from bitext.check.coverage import coverage  # noqa: E402
from bitext.embed import load_model  # noqa: E402

SETS = [("bible-zh-ko", "zh", "ko"), ("mac-dev-zh-en", "zh", "en"), ("text+berg-de-fr", "de", "fr")]


def damage(src, tgt, gold, rng, every, clauses):
    """The target with clauses left in the source language, and the damaged source sentence ids."""
    tgt = list(tgt)
    ones = [(s[0], t[0]) for s, t in gold if len(s) == 1 and len(t) == 1]
    rng.shuffle(ones)
    chosen: list[int] = []
    for i, j in ones:
        if len(chosen) >= max(1, len(src) // every):
            break
        cs, ct = clauses(src[i]), clauses(tgt[j])
        if len(cs) < 2 or len(ct) < 2 or any(abs(i - u) < 4 for u in chosen):
            continue
        k = rng.randrange(len(ct))
        k2 = min(len(cs) - 1, round(k * (len(cs) - 1) / max(1, len(ct) - 1)))
        tgt[j] = "".join(cs[k2].rstrip() + " " if x == k else c for x, c in enumerate(ct)).strip()
        chosen.append(i)
    return tgt, chosen


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--eval-data", default=str(ROOT.parent / "shared" / "eval-data"))
    ap.add_argument("--every", type=int, default=30)
    ap.add_argument("--seed", type=int, default=5)
    args = ap.parse_args(argv)
    inject = qa._qa_inject(ROOT.parent / "shared" / "tools" / "qa_inject.py")
    model = load_model(None)
    rng = random.Random(args.seed)
    run, clause = untranslated._source_run, untranslated._source_clause
    print(f"{'set':<17}{'errors':>7}{'before':>9}{'now':>9}   statuses now{'':<30}clean findings before -> now")
    for name, sl, tl in SETS:
        base = Path(args.eval_data) / name
        found = {"before": 0, "now": 0}
        total, statuses, clean = 0, Counter(), {"before": 0, "now": 0}
        for g in sorted((base / "gold").iterdir()):
            src = (base / sl / g.name).read_text("utf-8").splitlines()
            tgt = (base / tl / g.name).read_text("utf-8").splitlines()
            damaged, chosen = damage(src, tgt, inject.read_gold(g), rng, args.every, inject.clauses)
            total += len(chosen)
            a = bitext.align(src, damaged, sl, tl, model=model)
            clean_pairs = [bitext.align(src, tgt, sl, tl, model=model), bitext.align(tgt, src, tl, sl, model=model)]
            for when in ("before", "now"):
                if when == "before":
                    untranslated._source_run = lambda *x: None
                    untranslated._source_clause = lambda *x: None
                else:
                    untranslated._source_run, untranslated._source_clause = run, clause
                beads = coverage(a, model=model).to_dict()["beads"]
                for i in chosen:
                    st = [b["status"] for b in beads if i in b["src_ids"]]
                    found[when] += any(s != "ok" for s in st)
                    if when == "now":
                        statuses.update(st)
                clean[when] += sum(len(untranslated.untranslated_findings(c)) for c in clean_pairs)
        sts = ", ".join(f"{k} {v}" for k, v in statuses.most_common())
        print(
            f"{name:<17}{total:>7}{found['before'] / total:>9.2f}{found['now'] / total:>9.2f}   {sts:<40}  "
            f"{clean['before']} -> {clean['now']}"
        )


if __name__ == "__main__":
    main()

"""What the clause check (bitext.check.clauses) costs: coverage with and without it, in one process.

usage: python bench/clauses.py [--eval-data DIR] [--repeat N]

For the seed editorial (zh-ko, split by bitext) and Bible 003 (Matthew, bible-zh-ko, one verse a
line, --presplit), with the embedding cache off (every text encoded, as on a first run):

  align      bitext.align
  base       coverage(alignment, clauses=False): the report without the clause check
  clauses    coverage(alignment): with it (the strict rules, the default)
  ratio      (align + clauses) / (align + base): what `bitext coverage` costs more end to end
  ratio cov  clauses / base: the report alone
  sensitive  the same two ratios with coverage(alignment, clauses="sensitive")

plus how many beads the check tries and how many clauses it leaves out, one encoded text each. Each figure is the best of
--repeat runs (default 3: a shared machine is noisy). Its recall and clean flags come from
../shared/tools/qa_inject.py (docs/coverage.md, "Clauses without counterpart").
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

import bitext  # noqa: E402
from bitext.check import clauses  # noqa: E402
from bitext.check.coverage import coverage  # noqa: E402
from bitext.embed import load_model  # noqa: E402


def best(f, repeat):
    out, t = None, float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = f()
        t = min(t, time.perf_counter() - t0)
    return out, t


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--eval-data", default=str(ROOT.parent / "shared" / "eval-data"))
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)
    model = load_model(None, cache=False)
    bible = Path(args.eval_data) / "bible-zh-ko"
    pairs = [
        (
            "seed editorial",
            (ROOT / "seeds/global-times-editorial.zh.txt").read_text("utf-8"),
            (ROOT / "seeds/global-times-editorial.ko.txt").read_text("utf-8"),
            False,
        )
    ]
    if bible.is_dir():
        pairs.append(("Bible 003", (bible / "zh/003").read_text("utf-8"), (bible / "ko/003").read_text("utf-8"), True))
    else:
        print(f"({bible} not found: the seed only)")
    model.spans(["warm up"], 1)
    print(
        f"{'document':<16} {'beads':>6} {'align s':>8} {'base s':>7} {'clauses s':>9} {'ratio':>6} {'ratio cov':>9}"
        f" {'beads tried':>11} {'clauses':>7} {'findings':>8} {'sensitive: ratio':>16} {'ratio cov':>9}"
    )
    for name, src, tgt, presplit in pairs:
        a, t_align = best(
            lambda src=src, tgt=tgt, presplit=presplit: bitext.align(
                src, tgt, "zh", "ko", model=model, presplit=presplit
            ),
            args.repeat,
        )
        _, t_base = best(lambda a=a: coverage(a, clauses=False), args.repeat)
        r, t_cl = best(lambda a=a: coverage(a), args.repeat)
        _, t_sens = best(lambda a=a: coverage(a, clauses="sensitive"), args.repeat)
        ev = clauses.clause_evidence(a, model)
        texts = sum(len(rows) for *_, rows, _ in ev)  # clause-less texts (and the joined sides of n-m beads)
        print(
            f"{name:<16} {len(a.beads):>6} {t_align:>8.2f} {t_base:>7.2f} {t_cl:>9.2f} "
            f"{(t_align + t_cl) / (t_align + t_base):>6.2f} {t_cl / t_base:>9.2f} "
            f"{len({e[0] for e in ev}):>11} {texts:>7} {len(r.findings):>8} "
            f"{(t_align + t_sens) / (t_align + t_base):>16.2f} {t_sens / t_base:>9.2f}"
        )


if __name__ == "__main__":
    main()

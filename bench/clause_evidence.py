"""How well the clause check's evidence separates a dropped clause from a clean bead, per set.

usage: nice python bench/clause_evidence.py [--sets bible,mac,tb,seed] [--every K] [--work DIR]
                                            [--model NAME] [--budgets 2,5,10,25]

``../shared/tools/qa_inject.py`` drops one clause (a quarter to 60% of the
sentence) from a target sentence about every ``--every`` source sentences of
each development document (``--types clause`` only; the seed every sentence
it can). Each damaged and each clean document is aligned, one sentence a line,
with the model (default: bitext's; ``--model`` any other, to see whether it
would do better), and :func:`bitext.check.clauses.clause_evidence` measures,
on *every* bead's source side (the check itself only tries the beads its gate
lets through):

  z        the length surprise: how many standard deviations the target is
           shorter than the document's length model expects;
  gain     how much leaving the best source clause out raises the bead's cosine;
  low sim  how far the bead's cosine lies below the document's median, in robust spreads.

It prints, for the beads of the damaged documents that hold a dropped clause
and that no other check has flagged, against the clean documents' beads that
no check flags:

- the area under the ROC curve of each piece of evidence and of ``z + 10 gain``;
- the recall of clause drops (with those the other checks already flag) when
  the clean documents may get only 2, 5, 10, 25 more flagged beads (``--budgets``),
  for ``z`` alone and ``z + 10 gain``;
- what the ``strict`` and ``sensitive`` rules of the check find, and the clean
  beads they flag.

The issue's target, recall 0.9 with no more flags on clean text, needs an
evidence whose area is near 1: ``docs/coverage.md`` ("Clauses without
counterpart") gives the figures for the default model.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

import qa  # noqa: E402  (bench/qa.py: the sets, the seed as a gold set, the injector)

import bitext  # noqa: E402
from bitext.check import clauses  # noqa: E402
from bitext.check.coverage import coverage  # noqa: E402
from bitext.embed import load_model  # noqa: E402

# every bead's source side tried: no gate on the length surprise
_EVERY_SIDE = clauses.ClauseRules(math.inf, -math.inf, math.inf, None, math.inf, math.inf, math.inf, None, 99.0, 9.0)


def auc(pos, neg) -> float:
    """The probability that a positive scores above a negative (ties count a half)."""
    pos, neg = np.asarray(pos, float), np.asarray(neg, float)
    if not len(pos) or not len(neg):
        return float("nan")
    ranks = np.concatenate([pos, neg]).argsort(kind="stable").argsort() + 1.0
    # average ranks of ties
    allv = np.concatenate([pos, neg])
    for v in np.unique(allv):
        m = allv == v
        if m.sum() > 1:
            ranks[m] = ranks[m].mean()
    return float((ranks[: len(pos)].sum() - len(pos) * (len(pos) + 1) / 2) / (len(pos) * len(neg)))


def bead_evidence(a) -> dict[int, tuple[float, float, float]]:
    """``{bead index: (z, gain, low sim)}`` for the source side of every bead with two or more
    source clauses (one clause: gain 0), from :func:`clauses.clause_evidence`."""
    tried = clauses.clause_evidence(a, rules=_EVERY_SIDE)
    sims = np.array([b.similarity for b in a.beads if b.src_ids and b.tgt_ids])
    med = float(np.median(sims))
    spread = max(1.4826 * float(np.median(np.abs(sims - med))), 0.02)
    out = {}
    for bead, side, zs, cos, rows, _ in tried:
        if side != "src":
            continue
        pick = clauses._pick(rows, zs)
        out[bead] = (zs, pick[1] if pick else 0.0, (med - cos) / spread)
    return out


def collect(key: str, work: Path, every: int, model) -> dict:
    name, sl, tl, _ = qa.SETS[key]
    set_dir = qa._seed_set(work) if key == "seed" else Path(ROOT.parent / "shared" / "eval-data" / name)
    d = work / f"{key}-clause"
    if not (d / "key").is_dir():
        inject = qa._qa_inject(ROOT.parent / "shared" / "tools" / "qa_inject.py")
        ns = argparse.Namespace(
            set_dir=str(set_dir),
            out_dir=str(d),
            seed=11,
            every=1 if key == "seed" else every,
            types="clause",
            names=None,
        )
        qa._quiet(inject.make, ns)
    res: dict = {"errors": 0, "already": 0, "pos": [], "neg": [], "rules": {}}
    for r in ("strict", "sensitive"):
        res["rules"][r] = [0, 0]  # found (not already flagged), clean beads flagged
    for kf in sorted((d / "key").iterdir()):
        hits = {json.loads(x)["src"] for x in kf.read_text("utf-8").splitlines() if x.strip()}
        src = (d / "src" / kf.name).read_text("utf-8").splitlines()
        for which in ("tgt", "clean"):
            tgt = (d / which / kf.name).read_text("utf-8").splitlines()
            a = bitext.align(src, tgt, sl, tl, model=model)
            rep = coverage(a, clauses=False, model=model)
            status = [b["status"] for b in rep.to_dict()["beads"]]
            ev = bead_evidence(a)
            flagged = {r: {f.bead for f in clauses.clause_findings(a, model, rules=r)} for r in res["rules"]}
            for bi, b in enumerate(a.beads):
                held = which == "tgt" and bool(set(b.src_ids) & hits)
                if held:
                    res["errors"] += len(set(b.src_ids) & hits)
                if status[bi] != "ok":
                    res["already"] += held
                    continue
                if not (b.src_ids and b.tgt_ids):
                    continue
                f = ev.get(bi, (0.0, 0.0, 0.0))
                if held:
                    res["pos"].append(f)
                elif which == "clean":
                    res["neg"].append(f)
                for r, beads in flagged.items():
                    if bi in beads and held:
                        res["rules"][r][0] += 1
                    elif bi in beads and which == "clean":
                        res["rules"][r][1] += 1
    return res


def report(results: dict, budgets: list[int]) -> None:
    print("Area under the ROC curve: dropped clause vs clean bead (beads no other check flags)")
    print(f"{'set':<7}{'drops':>7}{'clean':>7}{'z':>8}{'gain':>8}{'low sim':>9}{'z+10gain':>10}")
    for key, r in results.items():
        p, n = np.array(r["pos"]).reshape(-1, 3), np.array(r["neg"]).reshape(-1, 3)
        cols = [auc(p[:, i], n[:, i]) for i in range(3)] + [auc(p[:, 0] + 10 * p[:, 1], n[:, 0] + 10 * n[:, 1])]
        widths = (8, 8, 9, 10)
        print(f"{key:<7}{len(p):>7}{len(n):>7}" + "".join(f"{c:>{w}.3f}" for c, w in zip(cols, widths)))
    print("\nRecall of dropped clauses (other checks' flags included) at a budget of more clean beads flagged")
    head = "".join(f"{f'{s}@{b}':>12}" for s in ("z", "z+10gain") for b in budgets)
    print(f"{'set':<7}{'errors':>7}{'other':>7}" + head + f"{'strict':>16}{'sensitive':>16}")
    for key, r in results.items():
        p, n = np.array(r["pos"]).reshape(-1, 3), np.array(r["neg"]).reshape(-1, 3)
        row = f"{key:<7}{r['errors']:>7}{r['already']:>7}"
        for score in (lambda x: x[:, 0], lambda x: x[:, 0] + 10 * x[:, 1]):
            sp, sn = score(p), np.sort(score(n))[::-1]
            for b in budgets:
                cut = sn[b] if len(sn) > b else -np.inf
                row += f"{(r['already'] + int((sp > cut).sum())) / max(r['errors'], 1):>12.2f}"
        for rule in ("strict", "sensitive"):
            f, c = r["rules"][rule]
            cell = f"{(r['already'] + f) / max(r['errors'], 1):.2f} (+{c})"
            row += f"{cell:>16}"
        print(row)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sets", default="bible,mac,tb,seed")
    ap.add_argument("--every", type=int, default=3)
    ap.add_argument("--work", default=None)
    ap.add_argument("--model", default=None)
    ap.add_argument("--budgets", default="2,5,10,25")
    args = ap.parse_args(argv)
    work = Path(args.work) if args.work else Path(tempfile.mkdtemp(prefix="bitext-clause-"))
    model = load_model(args.model)
    results = {}
    for key in args.sets.split(","):
        results[key] = collect(key, work, args.every, model)
        print(f"{key}: {results[key]['errors']} clause drops", file=sys.stderr)
    report(results, [int(b) for b in args.budgets.split(",")])


if __name__ == "__main__":
    main()

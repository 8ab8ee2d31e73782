"""Stress test on the one zh-ko gold we have: the seed editorial, perturbed.

usage: python bench/zhko_stress.py [--trials 40] [--seed 0]

The seed editorial aligns perfectly with the defaults, so it cannot tell two
settings apart. Each trial edits the Korean side the way real translations
and real pipelines differ, and derives the gold from the hand-checked seed
gold (``tests/data/global-times-editorial.zh-ko.beads``):

- delete a Korean sentence (its Chinese sentences become omissions when
  their whole translation is gone);
- insert a sentence from the other Korean seeds (same topic, Chinese AI;
  an addition);
- merge two neighbouring Korean sentences (their beads merge);
- split a Korean sentence at a space near its middle (same bead).

Each trial makes one to four edits. The script prints strict F1 over all
trials, and the recall and precision of omissions (1-0) and additions (0-1),
for each setting: first as the aligner's own beads, then as the coverage
report finds them (``bitext.coverage``: 1-0 / 0-1 beads plus the sentences it
reports ``unmatched`` inside a bead), counted by sentence.
"""

from __future__ import annotations

import argparse
import random
import sys
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

import bitext  # noqa: E402
from bitext.aligner.core import AlignParams  # noqa: E402
from bitext.aligner.evaluate import read_beads, score  # noqa: E402
from bitext.embed import load_model  # noqa: E402
from bitext.text.segment import Sentence, split  # noqa: E402

SETTINGS = {
    "defaults": {},
    "- n-m bead weight": {"nm_power": 0.25, "nm_cost": 0.0},
    "- anchors (? and !)": {"anchor_weight": 0.0},
    "- length model": {"len_weight": 0.0},
    "- paragraph evidence": {"par_cross": 0.0},
}


def foreign_sentences() -> list[str]:
    out = []
    for f in sorted((ROOT / "seeds").glob("00[1-9]_*.txt")):
        out += [s.text for s in split(f.read_text("utf-8"), "ko") if 20 <= len(s.text) <= 200]
    return out


def perturb(ko: list[Sentence], gold, foreign: list[str], rnd: random.Random):
    """Edited Korean sentences and the gold beads that go with them."""
    # items: (text, original Korean ids or None for a foreign sentence, paragraph)
    items = [(s.text, [j], s.paragraph) for j, s in enumerate(ko)]
    for _ in range(rnd.randint(1, 4)):
        op = rnd.choice(["delete", "insert", "merge", "split"])
        k = rnd.randrange(len(items))
        text, ids, par = items[k]
        if op == "delete" and ids is not None and len(items) > 2:
            del items[k]
        elif op == "insert":
            items.insert(k, (rnd.choice(foreign), None, par))
        elif (
            op == "merge"
            and k + 1 < len(items)
            and ids is not None
            and items[k + 1][1] is not None
            and items[k + 1][2] == par
        ):
            items[k : k + 2] = [(text + " " + items[k + 1][0], ids + items[k + 1][1], par)]
        elif op == "split" and ids is not None:
            cut = [i for i, c in enumerate(text) if c == " " and 0.3 < i / len(text) < 0.7]
            if cut:
                i = rnd.choice(cut)
                items[k : k + 1] = [(text[:i], ids, par), (text[i + 1 :], ids, par)]
    # gold: each original bead keeps its Chinese side and takes the items that
    # hold its Korean sentences; beads that share an item merge
    bead_of = {j: b for b, (_, t) in enumerate(gold) for j in t}
    groups: list[tuple[set, set]] = []  # (bead ids, item ids)
    owner: dict[int, int] = {}
    for n, (_, ids, _) in enumerate(items):
        if ids is None:
            continue
        beads = {bead_of[j] for j in ids}
        hit = {owner[b] for b in beads if b in owner}
        g = min(hit) if hit else len(groups)
        if not hit:
            groups.append((set(), set()))
        for h in sorted(hit - {g}, reverse=True):
            groups[g][0].update(groups[h][0])
            groups[g][1].update(groups[h][1])
            groups[h] = (set(), set())
        groups[g][0].update(beads)
        groups[g][1].add(n)
        for b in groups[g][0]:
            owner[b] = g
    new_gold = []
    for b, (s, _t) in enumerate(gold):
        if b not in owner and s:
            new_gold += [((i,), ()) for i in s]  # its whole translation was deleted
    for beads, its in groups:
        if beads:
            new_gold.append((tuple(sorted(i for b in beads for i in gold[b][0])), tuple(sorted(its))))
    new_gold += [((), (n,)) for n, (_, ids, _) in enumerate(items) if ids is None]
    pos = 0
    sents = []
    for text, _, par in items:
        sents.append(Sentence(text, pos, pos + len(text), par))
        pos += len(text) + 1
    return sents, [g for g in new_gold if g[0] or g[1]]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--trials", type=int, default=40)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    zh = split((ROOT / "seeds/global-times-editorial.zh.txt").read_text("utf-8"), "zh")
    ko = split((ROOT / "seeds/global-times-editorial.ko.txt").read_text("utf-8"), "ko")
    gold = read_beads(ROOT / "tests/data/global-times-editorial.zh-ko.beads")
    foreign = foreign_sentences()
    rnd = random.Random(args.seed)
    trials = [perturb(ko, gold, foreign, rnd) for _ in range(args.trials)]
    model = load_model(None)
    print(f"{args.trials} perturbed copies of the seed editorial (zh -> ko); strict F1, omissions and additions")
    print(f"{'':<40}{'aligner beads':^32}{'coverage report':^32}")
    print(f"{'setting':<30}{'strict F1':>10}" + f"{'omit R':>8}{'omit P':>8}{'add R':>8}{'add P':>8}" * 2)
    for name, change in SETTINGS.items():
        params = replace(AlignParams(), **change)
        pairs, counts = [], {k: [0, 0, 0] for k in ("om", "add", "cov_om", "cov_add")}  # right, gold, found
        for sents, g in trials:
            a = bitext.align(zh, sents, "zh", "ko", model=model, params=params)
            test = [(b.src_ids, b.tgt_ids) for b in a]
            pairs.append((g, test))
            for key, pick in (("om", lambda x: x[0] and not x[1]), ("add", lambda x: x[1] and not x[0])):
                gs, ts = {x for x in g if pick(x)}, {x for x in test if pick(x)}
                counts[key][0] += len(gs & ts)
                counts[key][1] += len(gs)
                counts[key][2] += len(ts)
            report = bitext.coverage(a)
            for key, gs, found in (
                ("cov_om", {x[0][0] for x in g if x[0] and not x[1]}, report.omitted_ids),
                ("cov_add", {x[1][0] for x in g if x[1] and not x[0]}, report.added_ids),
            ):
                counts[key][0] += len(gs & set(found))
                counts[key][1] += len(gs)
                counts[key][2] += len(found)
        f1 = score(pairs)["strict"]["f1"]
        cells = [counts[k][0] / max(counts[k][i], 1) for k in ("om", "add", "cov_om", "cov_add") for i in (1, 2)]
        print(f"{name:<30}{f1:>10.3f}" + "".join(f"{x:>8.3f}" for x in cells))
    print(f"(gold omissions {counts['om'][1]}, additions {counts['add'][1]})")


if __name__ == "__main__":
    main()

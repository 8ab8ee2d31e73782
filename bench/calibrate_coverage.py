"""Calibrate the defaults of ``bitext coverage`` on the development sets.

1. **Threshold.** Aligns MAC-Dev (zh-en) and Text+Berg (de-fr) with
   ``presplit=True``, labels every output bead with both sides *right* (the
   same bead is in gold) or *wrong*, and prints, for several thresholds, the
   precision and recall of "bead is right" among the beads scored at or above
   the threshold, and the same for the flagged ("low-confidence") beads being
   wrong. The chosen threshold is the highest at which at least half of the
   flagged beads (both sets pooled) are wrong, so that a low-confidence bead
   is more likely wrong than right; the F1-optimal threshold for flagging
   wrong beads is printed beside it.
2. **Unmatched sentences.** Simulates incomplete and padded translations:
   deletes ``--k`` target sentences (``--trials`` times per document) and
   inserts ``--k`` target sentences taken from other documents of the same
   set, on both dev sets and on the seed editorial, and prints the recall of
   the omissions / additions that :func:`bitext.check.coverage.coverage` reports,
   and how many sentences it flags on the untouched documents, for several
   values of ``unmatched_z`` and of ``loo_gain`` (the leave-one-out test).
3. **Web-page lines.** Inserts the byline, URL and source lines of the raw
   editorial page into its Korean side and counts those reported as additions.

usage: python bench/calibrate_coverage.py [--eval-data DIR] [--trials N] [--k K] [--sets mac,tb,seed]

Nothing from the dev sets is written anywhere; only figures are printed.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

import numpy as np  # noqa: E402

import bitext  # noqa: E402
from bitext.aligner.evaluate import read_beads  # noqa: E402
from bitext.check.coverage import DEFAULT_THRESHOLD, coverage  # noqa: E402
from bitext.check.unmatched import DEFAULT_LOO_GAIN, DEFAULT_UNMATCHED_Z  # noqa: E402
from bitext.embed import load_model  # noqa: E402
from bitext.text.segment import split  # noqa: E402

SETS = {"mac": ("mac-dev-zh-en", "zh", "en"), "tb": ("text+berg-de-fr", "de", "fr")}
THRESHOLDS = [0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95]
# (label, coverage() keywords): unmatched_z, and the leave-one-out test on top of the default z
CONFIGS = [("None", dict(unmatched_z=None))]
CONFIGS += [(f"z {z:g}", dict(unmatched_z=z, loo_gain=None)) for z in (2.0, 2.5, 3.0, 3.5)]
CONFIGS += [(f"2.5+{g:g}", dict(unmatched_z=2.5, loo_gain=g)) for g in (0.01, 0.02, 0.03)]


def dev_docs(eval_dir: Path, key: str):
    name, sl, tl = SETS[key]
    d = eval_dir / name
    for gold in sorted((d / "gold").iterdir()):
        src = [x for x in (d / sl / gold.name).read_text("utf-8").splitlines()]
        tgt = [x for x in (d / tl / gold.name).read_text("utf-8").splitlines()]
        yield gold.name, src, tgt, read_beads(gold), sl, tl


def _align(src, tgt, sl, tl, model, presplit=True):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if presplit:
            return bitext.align("\n".join(src) + "\n", "\n".join(tgt) + "\n", sl, tl, model=model, presplit=True)
        if not isinstance(src, str):  # (text, paragraph) pairs
            src, tgt = _text(src), _text(tgt)
        return bitext.align(src, tgt, sl, tl, model=model)


def _text(sents) -> str:
    """(text, paragraph) pairs -> one paragraph a line."""
    pars: dict[int, list[str]] = {}
    for t, p in sents:
        pars.setdefault(p, []).append(t)
    return "\n".join(" ".join(v) for _, v in sorted(pars.items())) + "\n"


# ------------------------------------------------------------------ threshold


def threshold_table(labelled: list[tuple[float, bool]]) -> list[dict]:
    scores = np.array([s for s, _ in labelled])
    right = np.array([r for _, r in labelled])
    rows = []
    for t in THRESHOLDS:
        kept = scores >= t
        p = right[kept].mean() if kept.any() else float("nan")
        r = kept[right].mean() if right.any() else float("nan")
        flagged = ~kept
        fp = (~right[flagged]).mean() if flagged.any() else float("nan")  # flagged beads that are wrong
        fr = flagged[~right].mean() if (~right).any() else float("nan")  # wrong beads that are flagged
        ff = 2 * fp * fr / (fp + fr) if flagged.any() and fp + fr > 0 else 0.0
        rows.append({"t": t, "P": p, "R": r, "flagged": int(flagged.sum()), "flagP": fp, "flagR": fr, "flagF1": ff})
    return rows


def print_threshold_table(name: str, labelled):
    n = len(labelled)
    wrong = sum(1 for _, r in labelled if not r)
    print(f"\n{name}: {n} beads with both sides, {wrong} wrong ({100 * wrong / max(n, 1):.1f}%)")
    print(
        f"{'threshold':>9} {'P(right)':>9} {'R(right)':>9} {'flagged':>8} {'P(wrong)':>9} {'R(wrong)':>9} {'F1(wrong)':>10}"
    )
    rows = threshold_table(labelled)
    for r in rows:
        print(
            f"{r['t']:>9.2f} {r['P']:>9.3f} {r['R']:>9.3f} {r['flagged']:>8d} {r['flagP']:>9.3f} {r['flagR']:>9.3f} {r['flagF1']:>10.3f}"
        )
    return rows


# ------------------------------------------------------------------ unmatched


class Tally:
    def __init__(self):
        self.om_exp = self.om_hit = self.om_false = 0
        self.add_exp = self.add_hit = self.add_false = 0
        self.clean_sents = self.clean_flags = 0

    def row(self, label: str) -> str:
        orr = self.om_hit / self.om_exp if self.om_exp else float("nan")
        arr = self.add_hit / self.add_exp if self.add_exp else float("nan")
        cf = 100 * self.clean_flags / self.clean_sents if self.clean_sents else float("nan")
        return (
            f"{label:>8} {orr:>10.3f} ({self.om_hit:>3}/{self.om_exp:<3}) {self.om_false:>6}"
            f" {arr:>10.3f} ({self.add_hit:>3}/{self.add_exp:<3}) {self.add_false:>6} {cf:>10.2f}"
        )


def simulate(docs, model, trials: int, k: int, rng: random.Random, presplit: bool, tallies: dict):
    """``docs``: (src sentences, tgt sentences, gold beads, sl, tl, pool of foreign tgt sentences)."""
    for src, tgt, gold, sl, tl, pool in docs:
        gold_add = {j for s, t in gold if not s for j in t}
        gold_om = {i for s, t in gold if not t for i in s}
        # untouched
        a = _align(src, tgt, sl, tl, model, presplit)
        for label, kw in CONFIGS:
            rep = coverage(a, **kw)
            flags = (rep.omitted_ids - gold_om) | {("t", j) for j in rep.added_ids - gold_add}
            tallies[label].clean_sents += len(src) + len(tgt)
            tallies[label].clean_flags += len(flags)
        for _ in range(trials):
            # deletions
            cand = [j for j in range(len(tgt)) if j not in gold_add]
            dele = set(rng.sample(cand, min(k, len(cand))))
            tgt2 = [t for j, t in enumerate(tgt) if j not in dele]
            expected = {i for s, t in gold if s and set(t) <= dele for i in s} | gold_om
            a = _align(src, tgt2, sl, tl, model, presplit)
            for label, kw in CONFIGS:
                got = coverage(a, **kw).omitted_ids
                tallies[label].om_exp += len(expected)
                tallies[label].om_hit += len(got & expected)
                tallies[label].om_false += len(got - expected)
            # insertions
            tgt3 = list(tgt)
            new_ids = list(range(len(tgt)))  # old id -> new id
            inserted = []
            for _ in range(k):
                p = rng.randrange(1, len(tgt3))
                new = rng.choice(pool)
                tgt3.insert(p, new if presplit else (new, tgt3[p - 1][1]))
                new_ids = [x + (x >= p) for x in new_ids]
                inserted = [x + (x >= p) for x in inserted] + [p]
            expected = set(inserted) | {new_ids[j] for j in gold_add}
            a = _align(src, tgt3, sl, tl, model, presplit)
            for label, kw in CONFIGS:
                got = coverage(a, **kw).added_ids
                tallies[label].add_exp += len(expected)
                tallies[label].add_hit += len(got & expected)
                tallies[label].add_false += len(got - expected)


def web_page_lines(model) -> None:
    """The lines a careless copy of a web page brings along: the six lines
    between the title and the body of the raw editorial page
    (``seeds/000_*.txt``: byline, reporter line, URL, original title, source
    URL, translator), inserted as their own paragraphs into the Korean text at
    the start, the middle and the end; how many the report lists as additions."""
    raw = sorted((ROOT / "seeds").glob("000_*.txt"))[0].read_text("utf-8").splitlines()
    lines = [x.strip() for x in raw[1:7]]
    zh = (ROOT / "seeds/global-times-editorial.zh.txt").read_text("utf-8")
    ko = (ROOT / "seeds/global-times-editorial.ko.txt").read_text("utf-8").strip().split("\n")
    rows = {"default": [0, []], "loo_gain=None": [0, []], "unmatched_z=None": [0, []]}
    kws = {"default": {}, "loo_gain=None": {"loo_gain": None}, "unmatched_z=None": {"unmatched_z": None}}
    total = 0
    for at in (1, len(ko) // 2, len(ko) - 1):
        a = _align(zh, "\n".join(ko[:at] + lines + ko[at:]) + "\n", "zh", "ko", model, presplit=False)
        total += len(lines)
        for name, kw in kws.items():
            added = coverage(a, **kw).added_ids
            for line in lines:
                ids = {j for j, s in enumerate(a.tgt_sentences) if s.text.strip() == line}
                if ids and ids <= added:
                    rows[name][0] += 1
                else:
                    rows[name][1].append(f"paragraph {at}: {line[:24]}")
    for name, (found, missed) in rows.items():
        print(
            f"  {name:<18} {found}/{total} reported as additions" + (f"; missed: {'; '.join(missed)}" if missed else "")
        )


def seed_docs():
    """The seed editorial as sentence lists (as ``bitext.align`` splits it) with its gold."""
    zh = (ROOT / "seeds/global-times-editorial.zh.txt").read_text("utf-8")
    ko = (ROOT / "seeds/global-times-editorial.ko.txt").read_text("utf-8")
    gold = read_beads(ROOT / "tests/data/global-times-editorial.zh-ko.beads")
    pool = []
    for f in sorted((ROOT / "seeds").glob("00[1-4]_*.txt")):
        pool += [s.text for s in split(f.read_text("utf-8"), "ko") if len(s.text) >= 25 and s.text.endswith("다.")]
    return [
        (
            [(s.text, s.paragraph) for s in split(zh, "zh")],
            [(s.text, s.paragraph) for s in split(ko, "ko")],
            gold,
            "zh",
            "ko",
            pool,
        )
    ]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--eval-data", default=str(ROOT.parent / "shared" / "eval-data"))
    ap.add_argument("--model", default=None)
    ap.add_argument("--sets", default="mac,tb,seed")
    ap.add_argument("--trials", type=int, default=3, help="deletion and insertion trials per document")
    ap.add_argument("--k", type=int, default=5, help="sentences deleted / inserted per trial")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--skip-threshold", action="store_true")
    ap.add_argument("--skip-unmatched", action="store_true")
    args = ap.parse_args(argv)
    model = load_model(args.model)
    eval_dir = Path(args.eval_data)
    keys = [k for k in args.sets.split(",") if k]
    t0 = time.perf_counter()

    if not args.skip_threshold:
        print("== 1. threshold: is a bead with both sides right (strict match with gold)?")
        pooled = []
        for key in keys:
            if key not in SETS:
                continue
            labelled, skips, skips_right = [], 0, 0
            for _, src, tgt, gold, sl, tl in dev_docs(eval_dir, key):
                g = {(tuple(s), tuple(t)) for s, t in gold}
                a = _align(src, tgt, sl, tl, model)
                for b in a:
                    if b.src_ids and b.tgt_ids:
                        labelled.append((b.score, (b.src_ids, b.tgt_ids) in g))
                    else:
                        skips += 1
                        skips_right += (b.src_ids, b.tgt_ids) in g
            print_threshold_table(SETS[key][0], labelled)
            print(f"  (1-0 and 0-1 beads: {skips}, of which {skips_right} in gold)")
            pooled += labelled
        rows = print_threshold_table("pooled dev sets", pooled)
        best_f1 = max(rows, key=lambda r: (round(r["flagF1"], 3), -r["t"]))
        ok = [r for r in rows if r["flagged"] and r["flagP"] >= 0.5]
        best = max(ok, key=lambda r: r["t"]) if ok else best_f1
        print(
            f"\nF1-optimal threshold: {best_f1['t']:.2f} (F1 of flagging wrong beads {best_f1['flagF1']:.3f}, "
            f"flags {best_f1['flagged']} beads, {100 * best_f1['flagP']:.1f}% of them wrong)"
        )
        print(
            f"chosen threshold:     {best['t']:.2f} (the highest at which at least half of the flagged beads are "
            f"wrong: {100 * best['flagP']:.1f}%; flags {best['flagged']} of {len(pooled)} beads and "
            f"{100 * best['flagR']:.1f}% of the wrong ones; keeps {100 * best['R']:.1f}% of the right ones)"
            f"   [current default: {DEFAULT_THRESHOLD}]"
        )

    if not args.skip_unmatched:
        print(
            f"\n== 2. unmatched sentences: {args.k} target sentences deleted / inserted, {args.trials} trials a document"
        )
        print(
            "   (None: only the aligner's 1-0 / 0-1 beads are reported; z Z: unmatched_z=Z without the"
            " leave-one-out test; 2.5+G: unmatched_z=2.5 and loo_gain=G)"
        )
        rng = random.Random(args.seed)
        for key in keys:
            tallies = {label: Tally() for label, _ in CONFIGS}
            if key == "seed":
                docs, presplit, name = seed_docs(), False, "seed editorial (zh-ko)"
            else:
                raw = list(dev_docs(eval_dir, key))
                docs = []
                for did, src, tgt, gold, sl, tl in raw:
                    pool = [t for d2, _, t2, _, _, _ in raw if d2 != did for t in t2 if len(t) > 30]
                    docs.append((src, tgt, gold, sl, tl, pool))
                presplit, name = True, SETS[key][0]
            simulate(docs, model, args.trials, args.k, rng, presplit, tallies)
            print(f"\n{name}")
            print(
                f"{'z+loo':>8} {'omission R':>10} {'(found)':>9} {'false':>6} {'addition R':>10} {'(found)':>9} {'false':>6} {'clean %':>10}"
            )
            for label, _ in CONFIGS:
                print(tallies[label].row(label))
        print(
            f"\n   clean %: sentences flagged (omission or addition) per 100 sentences of the untouched documents,"
            f" not counting gold 1-0 / 0-1 beads   [current defaults: z {DEFAULT_UNMATCHED_Z},"
            f" loo_gain {DEFAULT_LOO_GAIN}]"
        )
    if not args.skip_unmatched and "seed" in keys:
        print("\n== 3. web-page lines inserted into the seed's Korean side (6 lines x 3 places)")
        web_page_lines(model)
    print(f"\n({time.perf_counter() - t0:.0f} s)")


if __name__ == "__main__":
    main()

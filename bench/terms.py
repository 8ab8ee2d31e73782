"""Term extraction, measured: precision of the top 20 and top 50 pairs, recall of a hand-checked gold list.

usage: python bench/terms.py [--data DIR] [--sets seed,mac] [--ablation] [--show N] [--rules]

- seed: the seed editorial (zh -> ko), gold ``bench/data/terms-seed-zh-ko.tsv`` (the translator's
  31 gloss pairs and the other pairs checked by hand in both texts);
- mac: MAC-Dev chapter 006 (三体, zh -> en, read from ``../shared/eval-data`` or ``--data``), gold
  ``bench/data/terms-macdev-006-zh-en.tsv`` (names, places, organisations and terms; no text).

A listed pair is right when the gold has its source term with its rendering (compared spaceless
in Korean, case-folded in English). ``--ablation`` adds rows with each evidence left out and each
alone, the same pairs in other orders, and every Chinese verb as a candidate; ``--rules`` takes Korean stems by rules instead of python-mecab-ko; ``--show N`` prints the
first N pairs, marked. Also printed: how long jieba took to load its dictionary, and the run times.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

import bitext  # noqa: E402
from bitext.check import words  # noqa: E402
from bitext.check.ko_words import mecab_available  # noqa: E402
from bitext.check.term_list import TERM_FLOOR  # noqa: E402
from bitext.check.terms import EVIDENCE, terms  # noqa: E402
from bitext.check.words import norm_key  # noqa: E402
from bitext.embed import load_model  # noqa: E402

bitext_terms = sys.modules["bitext.check.terms"]  # the module, not the function: its _MIN_VERB_BEADS is varied

DATA = ROOT / "bench" / "data"
MAC_DOC = "006"


def read_gold(path: Path, tgt_lang: str) -> list[tuple[str, set[str], str]]:
    out = []
    for line in path.read_text("utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        src, tgt, kind = line.split("\t")
        out.append((src, {norm_key(t, tgt_lang) for t in tgt.split("|")}, kind))
    return out


def check_gold(gold, src_text: str, tgt_text: str, tgt_lang: str) -> list[str]:
    """Gold pairs whose source term or renderings are not in the texts (a typo in the list)."""
    flat_s = "".join(src_text.split())
    flat_t = norm_key(tgt_text, tgt_lang)
    bad = []
    for src, alts, _ in gold:
        if "".join(src.split()) not in flat_s:
            bad.append(f"source {src!r} not in the source text")
        if not any(a in flat_t for a in alts):
            bad.append(f"{src}: no rendering of {sorted(alts)} in the target text")
    return bad


def measure(pairs, gold, tgt_lang: str) -> dict:
    right = {(s, a) for s, alts, _ in gold for a in alts}
    ok = [(p.src, norm_key(p.tgt, tgt_lang)) in right for p in pairs]
    found = {(p.src, norm_key(p.tgt, tgt_lang)) for p in pairs}

    def recall(kind=None):
        sel = [g for g in gold if kind is None or g[2] == kind]
        hit = sum(1 for s, alts, _ in sel if any((s, a) in found for a in alts))
        return hit, len(sel)

    def prec(k):
        top = ok[:k]
        return sum(top) / len(top) if top else 0.0

    return {
        "p20": prec(20),
        "p50": prec(50),
        "recall": recall(),
        "gloss": recall("gloss"),
        "listed": len(pairs),
        "marks": ok,
    }


def fmt(r: dict) -> str:
    rh, rn = r["recall"]
    gh, gn = r["gloss"]
    gloss = f"{gh / gn:.3f} ({gh}/{gn})" if gn else "-"
    return f"{r['p20']:.2f} | {r['p50']:.2f} | {rh / rn:.3f} ({rh}/{rn}) | {gloss} | {r['listed']}"


def load_sets(args):
    out = {}
    if "seed" in args.sets:
        zh = (ROOT / "seeds/global-times-editorial.zh.txt").read_text("utf-8")
        ko = (ROOT / "seeds/global-times-editorial.ko.txt").read_text("utf-8")
        out["seed"] = (zh, ko, "zh", "ko", False, DATA / "terms-seed-zh-ko.tsv")
    if "mac" in args.sets:
        d = Path(args.data) / "mac-dev-zh-en"
        zh, en = d / "zh" / MAC_DOC, d / "en" / MAC_DOC
        if zh.is_file() and en.is_file():
            out["mac"] = (
                zh.read_text("utf-8"),
                en.read_text("utf-8"),
                "zh",
                "en",
                True,
                DATA / f"terms-macdev-{MAC_DOC}-zh-en.tsv",
            )
        else:
            print(f"(no MAC-Dev at {d}: skipped)")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument(
        "--data",
        default=str(ROOT.parent / "shared" / "eval-data"),
        help="the eval-data folder (default: ../shared/eval-data beside the repository)",
    )
    ap.add_argument("--sets", default="seed,mac")
    ap.add_argument("--ablation", action="store_true", help="also each evidence left out, and each alone")
    ap.add_argument("--rules", action="store_true", help="Korean stems by rules, not python-mecab-ko")
    ap.add_argument("--show", type=int, default=0, help="print the first N pairs of the full run, marked")
    args = ap.parse_args()

    t0 = time.perf_counter()
    model = load_model(None)
    t_model = time.perf_counter() - t0
    configs = [("all four", EVIDENCE)]
    if args.ablation:
        configs += [(f"- {e}", tuple(x for x in EVIDENCE if x != e)) for e in EVIDENCE]
        configs += [(f"{e} alone", (e,)) for e in EVIDENCE]
    print(
        f"model loaded in {t_model:.2f} s; python-mecab-ko: "
        f"{'no (rules)' if args.rules or not mecab_available() else 'yes'}"
    )
    for name, (src, tgt, sl, tl, presplit, gold_path) in load_sets(args).items():
        gold = read_gold(gold_path, tl)
        bad = check_gold(gold, src, tgt, tl)
        for line in bad:
            print(f"  gold problem: {line}")
        t0 = time.perf_counter()
        a = bitext.align(src, tgt, sl, tl, model=model, presplit=presplit)
        t_align = time.perf_counter() - t0
        print(
            f"\n{name}: {len(a.beads)} beads, aligned in {t_align:.2f} s; gold {gold_path.name}: {len(gold)} pairs "
            f"({sum(1 for g in gold if g[2] == 'gloss')} glosses)"
        )
        print("| evidence | P@20 | P@50 | recall (gold) | recall (glosses) | pairs listed | seconds |")
        print("|---|---|---|---|---|---|---|")
        for cname, ev in configs:
            t0 = time.perf_counter()
            found = terms(a, model=model, evidence=ev, rules=args.rules)
            dt = time.perf_counter() - t0
            r = measure(found.pairs, gold, tl)
            print(f"| {cname} | {fmt(r)} | {dt:.2f} |")
            if cname == "all four" and args.ablation:
                # the same pairs in other orders: by score alone, by score and termhood without recurrence
                for oname, key in (
                    ("ordered by score alone", lambda p: -p.score),
                    (
                        "ordered by score and termhood, not recurrence",
                        lambda p: -p.score * (TERM_FLOOR + (1 - TERM_FLOOR) * p.termhood),
                    ),
                ):
                    print(f"| {oname} | {fmt(measure(sorted(found.pairs, key=key), gold, tl))} | |")
                saved = bitext_terms._MIN_VERB_BEADS  # every Chinese verb a candidate, not only recurring ones
                bitext_terms._MIN_VERB_BEADS = 1
                try:
                    every = terms(a, model=model, rules=args.rules)
                finally:
                    bitext_terms._MIN_VERB_BEADS = saved
                print(f"| + every Chinese verb a candidate | {fmt(measure(every.pairs, gold, tl))} | |")
            if cname == "all four" and args.show:
                for p, ok in zip(found.pairs[: args.show], r["marks"]):
                    print(
                        f"    {'+' if ok else '-'} {p.score:.3f} {p.src} -> {p.tgt} "
                        f"({p.count}/{p.src_count}; {'+'.join(p.evidence)})"
                    )
                missed = [
                    g for g in gold if not any((g[0], x) in {(p.src, norm_key(p.tgt, tl)) for p in found} for x in g[1])
                ]
                print("    missed:", "; ".join(f"{s} -> {'|'.join(sorted(alts))}" for s, alts, _ in missed))
    js = words.jieba_seconds()
    base = _baseline()
    print(
        f"\njieba: imported and dictionary loaded in {js:.2f} s, once per process "
        f"({js / base:.1f}x a pure-Python loop of 10M additions, {base:.2f} s in this process)"
        if js is not None
        else "jieba: not loaded"
    )


def _baseline() -> float:
    """Seconds of a fixed pure-Python loop: timings on a shared machine are read as ratios to it."""
    t0 = time.perf_counter()
    sum(range(10_000_000))
    return time.perf_counter() - t0


if __name__ == "__main__":
    main()

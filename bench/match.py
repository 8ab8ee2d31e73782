"""``bitext match``: pair precision, recall and F1 on matching sets built from the dev data,
and time and memory from 1k documents a side up.

usage: python bench/match.py [--eval-data DIR] [--sets bible,mac,mac-sec,tb,tb-sec,seed]
                             [--sizes 1000,3000,10000] [--stand-in-sizes 30000,100000]
                             [--workers 1] [--quality-only | --scale-only]

**Quality.** Each set is written to a temporary folder as two collections
under shuffled names (random hex), each side with about a tenth of extra
documents whose counterpart was left out:

- ``bible``: the six books of bible-zh-ko (zh / ko) cut into chapters (209), a
  verse a line;
- ``mac``: the six MAC-Dev chapters (zh / en); ``mac-sec``: the same cut into
  sections of about 40 gold beads (33), whose neighbours tell the same story;
- ``tb``: the seven Text+Berg articles (de / fr); ``tb-sec``: the same in
  sections of about 40 beads (23);
- ``seed``: the seed editorial (zh) against its Korean translation and the
  four Korean articles on the same subject (seeds 001-004): one pair expected.

The texts are read from the eval data at run time; nothing is copied into
the project. Prints, per set, the documents, the gold pairs, the pairs found,
precision, recall and F1, the near misses and the seconds.

**Scale.** Synthetic collections of N documents a side (plus a tenth of
extras on each side): each document is 5 to 10 random verses of the Bible set
(Chinese on one side, the same verses in Korean on the other), so every
document is split and encoded as real text. Each size runs in a fresh
process with a cold private cache (the in-process engine, one BLAS thread):
seconds per stage, milliseconds per document (and against the first
size), peak RSS and the work folder's size, and the pair F1. Sizes under
``--stand-in-sizes`` run the same with a stand-in encoder (a vector per
verse, looked up: no model cost) to show how the rest grows where the model
would take hours on two cores; their encoding time is the splitting only.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

import numpy as np  # noqa: E402

EXTRA = 0.1  # share of documents on each side whose counterpart is left out


# --- the dev matching sets ---------------------------------------------------------


def _beads(path: Path):
    out = []
    for line in path.read_text("utf-8").splitlines():
        if line.strip():
            a, b = line.split(":")
            out.append(tuple([int(x) for x in s.strip()[1:-1].split(",") if x.strip()] for s in (a, b)))
    return out


def bible_chapters(eval_dir: Path):
    """``(name, zh, ko)`` per chapter of bible-zh-ko: the verses of the gold beads whose first verse is in it."""
    root = eval_dir / "bible-zh-ko"
    out = []
    for g in sorted((root / "gold").iterdir()):
        zh = (root / "zh" / g.name).read_text("utf-8").splitlines()
        ko = (root / "ko" / g.name).read_text("utf-8").splitlines()
        refs = (root / "refs" / g.name).read_text("utf-8").splitlines()
        chapters: dict = {}
        for (s, t), ref in zip(_beads(g), refs):
            name = ".".join(ref.split("-")[0].split(".")[:2])
            zs, ks = chapters.setdefault(name, ([], []))
            zs += s
            ks += t
        for name, (s, t) in chapters.items():
            out.append(
                (name, "\n".join(zh[i] for i in sorted(set(s))) + "\n", "\n".join(ko[j] for j in sorted(set(t))) + "\n")
            )
    return out


def sections(eval_dir: Path, name: str, sl: str, tl: str, size: int | None):
    """``(name, src, tgt)`` per document of a gold set, or per section of about ``size`` gold beads."""
    root = eval_dir / name
    out = []
    for g in sorted((root / "gold").iterdir()):
        src = (root / sl / g.name).read_text("utf-8").splitlines()
        tgt = (root / tl / g.name).read_text("utf-8").splitlines()
        beads = _beads(g)
        n = 1 if size is None else max(1, round(len(beads) / size))
        cuts = [round(k * len(beads) / n) for k in range(n + 1)]
        for k in range(n):
            part = beads[cuts[k] : cuts[k + 1]]
            s = sorted({i for b in part for i in b[0]})
            t = sorted({j for b in part for j in b[1]})
            out.append((f"{g.name}.{k}", "\n".join(src[i] for i in s) + "\n", "\n".join(tgt[j] for j in t) + "\n"))
    return out


def seed_set():
    zh = (ROOT / "seeds/global-times-editorial.zh.txt").read_text("utf-8")
    ko = (ROOT / "seeds/global-times-editorial.ko.txt").read_text("utf-8")
    others = [p.read_text("utf-8") for p in sorted((ROOT / "seeds").glob("00[1-4]_*.txt"))]
    return [("editorial", zh, ko)], [("", None, t) for t in others]


def write_set(d: Path, docs, extra_tgt=(), seed: int = 0):
    """Two folders under shuffled names, a tenth of each side's counterparts left out;
    returns the gold pairs ``{src file: tgt file}``."""
    rng = random.Random(seed)
    (d / "src").mkdir(parents=True)
    (d / "tgt").mkdir(parents=True)
    order = list(range(len(docs)))
    rng.shuffle(order)
    k = max(1, round(EXTRA * len(docs))) if len(docs) > 2 else 0
    no_tgt, no_src = set(order[:k]), set(order[k : 2 * k])
    gold = {}
    for n, (_, s, t) in enumerate(docs):
        sname, tname = f"{rng.getrandbits(48):012x}.txt", f"{rng.getrandbits(48):012x}.txt"
        if n not in no_src:
            (d / "src" / sname).write_text(s, "utf-8")
        if n not in no_tgt:
            (d / "tgt" / tname).write_text(t, "utf-8")
        if n not in no_src and n not in no_tgt:
            gold[sname] = tname
    for _, _, t in extra_tgt:
        (d / "tgt" / f"{rng.getrandbits(48):012x}.txt").write_text(t, "utf-8")
    return gold


def prf(found: dict, gold: dict) -> tuple[float, float, float]:
    tp = sum(1 for s, t in found.items() if gold.get(s) == t)
    p = tp / len(found) if found else 1.0
    r = tp / len(gold) if gold else 1.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def quality(eval_dir: Path, sets: list[str], workers: int, model, k: int) -> None:
    import bitext

    builders = {
        "bible": lambda: (bible_chapters(eval_dir), ()),
        "mac": lambda: (sections(eval_dir, "mac-dev-zh-en", "zh", "en", None), ()),
        "mac-sec": lambda: (sections(eval_dir, "mac-dev-zh-en", "zh", "en", 40), ()),
        "tb": lambda: (sections(eval_dir, "text+berg-de-fr", "de", "fr", None), ()),
        "tb-sec": lambda: (sections(eval_dir, "text+berg-de-fr", "de", "fr", 40), ()),
        "seed": seed_set,
    }
    print(
        "| set | src docs | tgt docs | gold pairs | found | precision | recall | F1 | near misses | chance cosine | seconds |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name in sets:
        docs, extra = builders[name]()
        with tempfile.TemporaryDirectory(prefix="bitext-bench-match-") as tmp:
            d = Path(tmp)
            gold = write_set(d, docs, extra) if name != "seed" else _write_seed(d, docs, extra)
            t = time.perf_counter()
            m = bitext.match(d / "src", d / "tgt", workers=workers, model=model, k=k)
            secs = time.perf_counter() - t
            found = {p.src: p.tgt for p in m.pairs}
            p, r, f = prf(found, gold)
            print(
                f"| {name} | {m.stats['n_src']} | {m.stats['n_tgt']} | {len(gold)} | {len(found)} | {p:.4f} | "
                f"{r:.4f} | {f:.4f} | {len(m.near_misses)} | {m.stats['theta']:.3f} | {secs:.1f} |",
                flush=True,
            )
            for s, t in found.items():
                if gold.get(s) != t:
                    e = next(x.evidence for x in m.pairs if x.src == s)
                    print(f"|   wrong: {s} -> {t} (gold {gold.get(s)}): {e.describe()} | | | | | | | | | | |")
            for s, t in gold.items():
                if found.get(s) != t:
                    near = [x for x in m.near_misses if x.src == s and x.tgt == t]
                    why = m.describe_near_miss(near[0]) if near else "not among the candidates, or nothing aligns"
                    print(f"|   missed: {s} -> {t}: {why} | | | | | | | | | | |")


def _write_seed(d: Path, docs, extra):
    (d / "src").mkdir(parents=True)
    (d / "tgt").mkdir(parents=True)
    _, zh, ko = docs[0]
    (d / "src" / "editorial.zh.txt").write_text(zh, "utf-8")
    (d / "tgt" / "editorial.ko.txt").write_text(ko, "utf-8")
    for n, (_, _, t) in enumerate(extra, 1):
        (d / "tgt" / f"{n:03d}.ko.txt").write_text(t, "utf-8")
    return {"editorial.zh.txt": "editorial.ko.txt"}


# --- scale -------------------------------------------------------------------------


def verse_pairs(eval_dir: Path):
    """The 1-1 verse pairs of bible-zh-ko that the splitter leaves whole on both sides
    (one sentence each, so that a sentence is a verse): ``(zh, ko)``."""
    from bitext.text.segment import split

    root = eval_dir / "bible-zh-ko"
    out = []
    for g in sorted((root / "gold").iterdir()):
        zh = (root / "zh" / g.name).read_text("utf-8").splitlines()
        ko = (root / "ko" / g.name).read_text("utf-8").splitlines()
        pairs = [(zh[s[0]], ko[t[0]]) for s, t in _beads(g) if len(s) == len(t) == 1]
        whole_zh = [len(x) == 1 for x in _split_lines([z for z, _ in pairs], "zh", split)]
        whole_ko = [len(x) == 1 for x in _split_lines([k for _, k in pairs], "ko", split)]
        out += [p for p, a, b in zip(pairs, whole_zh, whole_ko) if a and b]
    return out


def _split_lines(lines, lang, split):
    """The sentences of each line (one call for all lines: a line is a paragraph)."""
    out = [[] for _ in lines]
    for s in split("\n".join(lines), lang):
        out[s.paragraph].append(s)
    return out


def synthetic(d: Path, n: int, verses, seed: int = 1) -> dict:
    """``n`` pairs of documents (5 to 10 verses, the same in both languages) plus a
    tenth of extras on each side, as files under shuffled names; the gold pairs.
    The verses are dealt from the shuffled pool, reshuffled when it runs out, so
    documents share a verse only across rounds (10k documents: about ten rounds)."""
    rng = random.Random(seed)
    (d / "src").mkdir(parents=True)
    (d / "tgt").mkdir(parents=True)
    gold = {}
    k = round(EXTRA * n)
    deck: list = []
    for i in range(n + 2 * k):
        picks = []
        for _ in range(rng.randint(5, 10)):
            if not deck:
                deck = list(range(len(verses)))
                rng.shuffle(deck)
            picks.append(verses[deck.pop()])
        sname, tname = f"{i:07d}-{rng.getrandbits(32):08x}.txt", f"{rng.getrandbits(48):012x}.txt"
        if i < n + k:  # the last k have no source
            (d / "src" / sname).write_text("\n".join(z for z, _ in picks) + "\n", "utf-8")
        if i < n or i >= n + k:  # documents n .. n+k-1 have no target
            (d / "tgt" / tname).write_text("\n".join(o for _, o in picks) + "\n", "utf-8")
        if i < n:
            gold[sname] = tname
    return gold


class StandIn:
    """A stand-in encoder for the largest sizes: each verse's vector is looked up (a
    random unit vector per verse pair, the same in both languages, plus noise): no
    model cost, so the rest of the run shows."""

    bitext_key = "bench-stand-in"

    def __init__(self, verses, dim: int = 512, seed: int = 0):
        rng = np.random.default_rng(seed)
        self.where = {}
        for n, (z, k) in enumerate(verses):
            self.where.setdefault(z, n)
            self.where.setdefault(k, n)
        self.table = rng.standard_normal((len(verses) + 1, dim)).astype(np.float32)
        self.noise = rng.standard_normal((4096, dim)).astype(np.float32) * 0.5

    def encode(self, texts):
        ids = np.array([self.where.get(t, len(self.table) - 1) for t in texts])
        h = np.array([hash(t) % 4096 for t in texts])
        v = self.table[ids] + self.noise[h]
        return v / np.linalg.norm(v, axis=1, keepdims=True)


def one_size(args) -> None:
    """Run one size in this process; print a JSON line of figures."""
    import resource

    import bitext

    verses = verse_pairs(Path(args.eval_data))
    tmp = Path(tempfile.mkdtemp(prefix="bitext-bench-match-"))
    try:
        gold = synthetic(tmp / "docs", args.one_size, verses)
        os.environ["BITEXT_CACHE_DIR"] = str(tmp / "cache")
        model = StandIn(verses) if args.stand_in else None
        t = time.perf_counter()
        m = bitext.match(
            tmp / "docs" / "src",
            tmp / "docs" / "tgt",
            src_lang="zh",
            tgt_lang="ko",
            model=model,
            workers=args.workers,
            work_dir=tmp,
            progress=False,
            k=args.k,
        )
        secs = time.perf_counter() - t
        found = {p.src: p.tgt for p in m.pairs}
        p, r, f = prf(found, gold)
        s = m.stats
        print(
            json.dumps(
                {
                    "n": args.one_size,
                    "n_src": s["n_src"],
                    "n_tgt": s["n_tgt"],
                    "sentences": s["n_src_sentences"] + s["n_tgt_sentences"],
                    "candidates": s["candidates"],
                    "seconds": s["seconds"],
                    "total": secs,
                    "f1": f,
                    "work_mb": s.get("work_mb"),
                    "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                }
            )
        )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def scale(args) -> None:
    print(
        "| docs a side | model | sentences | candidates | encode s | search s | confirm s | total s | ms per doc | x first | peak RSS MB | work folder MB | F1 |"
    )
    print("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    runs = [(n, False) for n in args.sizes] + [(n, True) for n in args.stand_in_sizes]
    base = {}
    for n, stand_in in runs:
        cmd = [
            sys.executable,
            __file__,
            "--one-size",
            str(n),
            "--eval-data",
            args.eval_data,
            "--workers",
            str(args.workers),
            "--k",
            str(args.k),
        ] + (["--stand-in"] if stand_in else [])
        out = subprocess.run(cmd, capture_output=True, text=True)
        if out.returncode:
            print(f"| {n} | failed: {out.stderr.strip().splitlines()[-1:]} |")
            continue
        r = json.loads(out.stdout.strip().splitlines()[-1])
        docs = r["n_src"] + r["n_tgt"]
        per = 1000 * r["total"] / docs
        base.setdefault(stand_in, per)
        sec = r["seconds"]
        print(
            f"| {n:,} | {'stand-in' if stand_in else 'USE'} | {r['sentences']:,} | {r['candidates']:,} | "
            f"{sec['encode']:.1f} | {sec['search']:.1f} | {sec['confirm']:.1f} | {r['total']:.1f} | {per:.1f} | "
            f"{per / base[stand_in]:.2f} | {r['rss_mb']:.0f} | {r['work_mb'] or 0:.0f} | {r['f1']:.4f} |",
            flush=True,
        )


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--eval-data", default=str(ROOT.parent / "shared" / "eval-data"))
    ap.add_argument("--sets", default="bible,mac,mac-sec,tb,tb-sec,seed")
    ap.add_argument("--sizes", default="1000,3000,10000")
    ap.add_argument("--stand-in-sizes", default="30000,100000")
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--k", type=int, default=3, help="candidates each way (bitext.match's k)")
    ap.add_argument("--model", default=None, help="quality sets: a model other than the default")
    g = ap.add_mutually_exclusive_group()
    g.add_argument("--quality-only", action="store_true")
    g.add_argument("--scale-only", action="store_true")
    ap.add_argument("--one-size", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--stand-in", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.one_size:
        return one_size(args)
    args.sizes = [int(x) for x in args.sizes.split(",") if x]
    args.stand_in_sizes = [int(x) for x in args.stand_in_sizes.split(",") if x]
    print(
        f"bench/match.py, {time.strftime('%Y-%m-%d')}: {platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, workers {args.workers}\n"
    )
    if not args.scale_only:
        quality(Path(args.eval_data), args.sets.split(","), args.workers, args.model, args.k)
        print()
    if not args.quality_only:
        scale(args)


if __name__ == "__main__":
    main()

"""Strict and lax F1 of the aligner on the development sets and the seed gold.

usage: python bench/accuracy.py [--model M] [--eval-data DIR] [--sets mac,tb,seed] [--ablation | --spans]

M: ``multilingual-e5-small`` (the ``bitext[e5]`` extra; docs/benchmarks.md's "The same
evidence with another model") or a sentence-transformers name or folder.
``--spans`` (models other than the default): span vectors of joined text
against composed ones with the contested spans re-encoded at several
posterior thresholds: F1, and the tokens each setting has the model encode
against one pass over every sentence (every distinct text is encoded once,
the count is what each setting asks for).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

import numpy as np  # noqa: E402

import bitext  # noqa: E402
from bitext.aligner.core import AlignParams  # noqa: E402
from bitext.aligner.evaluate import parse_beads, read_beads, score  # noqa: E402
from bitext.embed import load_model  # noqa: E402

SETS = {
    "mac": ("mac-dev-zh-en", "zh", "en"),
    "tb": ("text+berg-de-fr", "de", "fr"),
}


def dev_pairs(eval_dir: Path, key: str):
    name, sl, tl = SETS[key]
    d = eval_dir / name
    for gold in sorted((d / "gold").iterdir()):
        yield (d / sl / gold.name).read_text("utf-8"), (d / tl / gold.name).read_text("utf-8"), gold, sl, tl


def run_set(key, eval_dir, embedder, params):
    pairs = []
    if key == "seed":
        zh = (ROOT / "seeds/global-times-editorial.zh.txt").read_text("utf-8")
        ko = (ROOT / "seeds/global-times-editorial.ko.txt").read_text("utf-8")
        a = bitext.align(zh, ko, "zh", "ko", model=embedder, params=params)
        pairs.append(
            (read_beads(ROOT / "tests/data/global-times-editorial.zh-ko.beads"), parse_beads(a.to_beads().splitlines()))
        )
    else:
        for src, tgt, gold, sl, tl in dev_pairs(eval_dir, key):
            a = bitext.align(src, tgt, sl, tl, model=embedder, presplit=True, params=params)
            pairs.append((read_beads(gold), parse_beads(a.to_beads().splitlines())))
    return score(pairs)


# each row switches one feature off (or replaces the scoring by Bertalign's);
# features that did not help were removed, their rows kept in docs/benchmarks.md
ABLATIONS = [
    ("full (defaults)", {}),
    ("- n-m bead weight", {"nm_power": 0.25, "nm_cost": 0.0}),
    ("- anchors (? and !)", {"anchor_weight": 0.0}),
    ("- length model", {"len_weight": 0.0}),
    ("- paragraph evidence", {"par_cross": 0.0}),
    ("- random-baseline normalisation", {"baseline": 0.0}),
    ("- centring (anisotropic models only)", {"centre_above": None}),
    (
        "- all of the above",
        {
            "len_weight": 0.0,
            "par_cross": 0.0,
            "baseline": 0.0,
            "centre_above": None,
            "nm_power": 0.25,
            "nm_cost": 0.0,
            "anchor_weight": 0.0,
        },
    ),
    (
        "Bertalign-like scoring",
        {
            "len_weight": 0.0,
            "par_cross": 0.0,
            "baseline": 0.0,
            "centre_above": None,
            "size_power": 0.0,
            "merge_cost": 0.0,
            "nm_power": 0.0,
            "nm_cost": 0.0,
            "anchor_weight": 0.0,
        },
    ),
]


class Counting:
    """Wraps a TextEmbedder's encoder: each distinct text is encoded once, and
    ``tokens`` counts the tokens of every text the embedder asks for."""

    def __init__(self, embedder):
        self.embedder, self.encoder = embedder, embedder._encoder
        self.memo, self.tokens = {}, 0
        self.bitext_key = getattr(self.encoder, "bitext_key", None)
        self.max_seq_length = getattr(self.encoder, "max_seq_length", None)
        embedder._encoder = self

    def encode(self, texts, **kw):
        texts = list(texts)
        self.embedder._encoder = self.encoder  # token counts and encoding by the model itself
        try:
            self.tokens += int(self.embedder.token_counts(texts).sum())
            new = [t for t in dict.fromkeys(texts) if t not in self.memo]
            new.sort(key=len)  # batches of like lengths, as TextEmbedder makes them
            for i in range(0, len(new), 64):
                self.memo.update(zip(new[i : i + 64], self.embedder._encode_batch(new[i : i + 64])))
        finally:
            self.embedder._encoder = self
        return np.stack([self.memo[t] for t in texts])

    def token_counts(self, texts):
        self.embedder._encoder = self.encoder
        try:
            return self.embedder.token_counts(texts)
        finally:
            self.embedder._encoder = self


def spans_tradeoff(args, keys):
    from bitext.embed.embedder import TextEmbedder

    embedder = load_model(args.model, cache=False)
    if not isinstance(embedder, TextEmbedder):
        raise SystemExit("--spans: the default model composes exact span vectors; give --model")
    counting = Counting(embedder)
    embedder.batch_size = 10**9  # one call a document: the counter sees every text asked for
    one_pass = {}
    for key in keys:  # one pass over every sentence: the unit of cost
        counting.tokens = 0
        embedder.compose, embedder.exact_spans = True, False
        run_set(key, Path(args.eval_data), embedder, AlignParams(contested_posterior=None))
        one_pass[key] = counting.tokens
    print(f"model: {args.model}; strict F1 (lax F1), tokens encoded against one pass over every sentence")
    print(f"{'span vectors':<42}" + "".join(f"{k:>24}" for k in keys))
    rows = [] if args.no_joined else [("joined text of every span (Bertalign)", False, None)]
    rows += [("composed, none re-encoded", True, None)]
    rows += [(f"composed, contested >= {p:g} re-encoded", True, p) for p in (0.5, 0.2, 0.1, 0.05, 0.02, 0.01)]
    for name, compose, post in rows:
        embedder.compose, embedder.exact_spans = compose, not compose
        cells = []
        for key in keys:
            counting.tokens = 0
            r = run_set(key, Path(args.eval_data), embedder, AlignParams(contested_posterior=post))
            cells.append(f"{r['strict']['f1']:.3f} ({r['lax']['f1']:.3f}) {counting.tokens / one_pass[key]:5.2f}x")
        print(f"{name:<42}" + "".join(f"{c:>24}" for c in cells), flush=True)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--model", default=None)
    ap.add_argument("--eval-data", default=str(ROOT.parent / "shared" / "eval-data"))
    ap.add_argument("--sets", default="mac,tb,seed")
    ap.add_argument("--ablation", action="store_true", help="also run with each feature switched off")
    ap.add_argument("--spans", action="store_true", help="joined against composed span vectors (needs --model)")
    ap.add_argument(
        "--no-joined",
        action="store_true",
        help="with --spans: leave out the joined-text row (it encodes about 13 passes' worth of tokens)",
    )
    args = ap.parse_args(argv)
    if args.spans:
        return spans_tradeoff(args, args.sets.split(","))
    embedder = load_model(args.model)
    keys = args.sets.split(",")
    rows = ABLATIONS if args.ablation else ABLATIONS[:1]
    print(f"model: {args.model or 'default (USE multilingual v3)'}; strict F1 (lax F1)")
    print(f"{'setting':<44}" + "".join(f"{k:>16}" for k in keys) + f"{'seconds':>9}")
    for name, change in rows:
        t = time.perf_counter()
        params = AlignParams(**change)
        cells = []
        for key in keys:
            r = run_set(key, Path(args.eval_data), embedder, params)
            cells.append(f"{r['strict']['f1']:.3f} ({r['lax']['f1']:.3f})")
        print(f"{name:<44}" + "".join(f"{c:>16}" for c in cells) + f"{time.perf_counter() - t:>9.1f}")


if __name__ == "__main__":
    main()

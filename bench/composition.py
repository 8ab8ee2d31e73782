"""How span vectors are made: accuracy and embedding time of several ways.

usage: python bench/composition.py [--eval-data DIR] [--sets mac,tb]

- pooled + joins (default): USE's pooled token sums of the sentences are added,
  corrected at each sentence boundary by re-encoding the 2 tokens either side
  (in a 6-token window), and the model's head runs once per span.
- pooled + exact joins: the same with USE's whole reach (4 tokens either side,
  16-token windows): the sums of the joined token sequence.
- pooled, no joins: the sentences' sums only (inner EOS/BOS removed).
- mean: the normalised sum of the sentence vectors (works with any model).
- re-encode: the joined text of every span is encoded (what Bertalign does).

Prints strict F1 per set and the embedding seconds (embedding cache off).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

from accuracy import dev_pairs  # noqa: E402

import bitext  # noqa: E402
from bitext.aligner.evaluate import parse_beads, read_beads, score  # noqa: E402
from bitext.embed.embedder import Embedder, TextEmbedder  # noqa: E402
from bitext.embed.use import USEEmbedder  # noqa: E402


class MeanEmbedder(Embedder):
    """Span vector = normalised sum of the sentence vectors."""

    key = "mean"

    def __init__(self, base: USEEmbedder):
        super().__init__(use_cache=False)
        self.base = base

    def spans(self, sentences, max_len, progress=None):
        v = self.base.spans(sentences, 1)[0]
        c = np.concatenate([np.zeros((1, v.shape[1]), np.float32), np.cumsum(v, axis=0)])
        out = []
        for k in range(1, max_len + 1):
            s = c[k:] - c[:-k]
            out.append(s / np.maximum(np.linalg.norm(s, axis=1, keepdims=True), 1e-9))
        return out


class Timed(Embedder):
    def __init__(self, inner):
        super().__init__(use_cache=False)
        self.inner, self.seconds = inner, 0.0

    def spans(self, sentences, max_len, progress=None):
        t = time.perf_counter()
        out = self.inner.spans(sentences, max_len)
        self.seconds += time.perf_counter() - t
        return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--eval-data", default=str(ROOT.parent / "shared" / "eval-data"))
    ap.add_argument("--sets", default="mac,tb")
    args = ap.parse_args(argv)
    base = USEEmbedder(use_cache=False)
    ways = {
        "pooled + joins (default)": base,
        "pooled + exact joins": USEEmbedder(use_cache=False, join_edge=4, join_context=4),
        "pooled, no joins": USEEmbedder(use_cache=False, join_edge=0),
        "mean of sentence vectors": MeanEmbedder(base),
        "re-encode joined text": None,  # per language: Chinese spans join without spaces
    }
    keys = args.sets.split(",")
    print(f"{'span vectors':<28}" + "".join(f"{k + ' F1':>10}{k + ' s':>9}" for k in keys))
    for name, emb in ways.items():
        row = ""
        for key in keys:
            pairs, secs = [], 0.0
            for src, tgt, gold, sl, tl in dev_pairs(Path(args.eval_data), key):
                if emb is None:
                    ts = Timed(TextEmbedder(base._use, joiner="" if sl == "zh" else " ", use_cache=False))
                    tt = Timed(TextEmbedder(base._use, joiner="" if tl == "zh" else " ", use_cache=False))
                    a = _align_two(src, tgt, sl, tl, ts, tt)
                    secs += ts.seconds + tt.seconds
                else:
                    timed = Timed(emb)
                    a = bitext.align(src, tgt, sl, tl, model=timed, presplit=True, cache=False)
                    secs += timed.seconds
                pairs.append((read_beads(gold), parse_beads(a.to_beads().splitlines())))
            row += f"{score(pairs)['strict']['f1']:>10.3f}{secs:>9.1f}"
        print(f"{name:<28}{row}", flush=True)


def _align_two(src, tgt, sl, tl, emb_src, emb_tgt):
    """bitext.align with a different embedder per side (joiners differ by language)."""
    from bitext import pipeline

    class Pair(Embedder):
        def __init__(self):
            super().__init__(use_cache=False)
            self.calls = 0

        def spans(self, sentences, max_len, progress=None):
            self.calls += 1
            return (emb_src if self.calls == 1 else emb_tgt).spans(sentences, max_len)

    return pipeline.align(src, tgt, sl, tl, model=Pair(), presplit=True, cache=False)


if __name__ == "__main__":
    main()

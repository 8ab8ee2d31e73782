"""Fit the bead confidence (logistic in cosine and bead size) on the development sets.

usage: python bench/calibrate.py [--eval-data DIR]

Aligns MAC-Dev zh-en and Text+Berg de-fr (pre-split) with the default model,
labels every output bead right (exactly in gold) or wrong, fits
P(right) = logistic(b0 + b1 * cosine + b2 * (a + b - 2)) by Newton's method,
and prints the coefficients and a reliability table (predicted against
observed accuracy per confidence bin). The fitted numbers are the defaults
``conf_*`` of :class:`bitext.align.AlignParams`.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

import bitext  # noqa: E402
from accuracy import SETS, dev_pairs  # noqa: E402
from bitext.embed import load_model  # noqa: E402
from bitext.evaluate import read_beads  # noqa: E402


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--eval-data", default=str(ROOT.parent / "shared" / "eval-data"))
    args = ap.parse_args(argv)
    model = load_model(None)
    X, Y, skips = [], [], []
    for key in SETS:
        for src, tgt, gold, sl, tl in dev_pairs(Path(args.eval_data), key):
            g = set(read_beads(gold))
            for b in bitext.align(src, tgt, sl, tl, model=model, presplit=True):
                right = (b.src_ids, b.tgt_ids) in g
                if b.src_ids and b.tgt_ids:
                    X.append([1.0, b.similarity, len(b.src_ids) + len(b.tgt_ids) - 2])
                    Y.append(float(right))
                else:
                    skips.append(float(right))
    X, Y = np.array(X), np.array(Y)
    w = np.zeros(3)
    for _ in range(50):
        p = 1 / (1 + np.exp(-X @ w))
        H = (X * (p * (1 - p))[:, None]).T @ X + 1e-6 * np.eye(3)
        w += np.linalg.solve(H, X.T @ (Y - p))
    print(f"beads: {len(Y)} with both sides (accuracy {Y.mean():.3f}); {len(skips)} 1-0/0-1 (precision {np.mean(skips) if skips else float('nan'):.3f})")
    print(f"conf_bias = {w[0]:.3f}, conf_sim = {w[1]:.3f}, conf_size = {w[2]:.3f}")
    p = 1 / (1 + np.exp(-X @ w))
    print(f"{'confidence':<12}{'beads':>7}{'predicted':>11}{'observed':>10}")
    for lo, hi in [(0, 0.5), (0.5, 0.7), (0.7, 0.8), (0.8, 0.9), (0.9, 0.95), (0.95, 1.01)]:
        m = (p >= lo) & (p < hi)
        if m.any():
            print(f"{lo:.2f}-{min(hi, 1):.2f}   {m.sum():>7}{p[m].mean():>11.3f}{Y[m].mean():>10.3f}")


if __name__ == "__main__":
    main()

"""Fit the bead confidence on the development sets.

usage: python bench/calibrate.py [--eval-data DIR] [--temp T]

Aligns MAC-Dev zh-en and Text+Berg de-fr (pre-split) with the default model,
labels every output bead right (exactly in gold) or wrong, and fits by
Newton's method

P(right) = logistic(b0 + b1 * cosine + b2 * (a + b - 2) + b3 * logit(posterior))

for the beads with both sides, where the posterior is the share of the aligner's path distribution that goes
through the bead (``bitext.aligner.dp.bead_posteriors``, temperature ``--temp``).
It prints the coefficients (the ``pconf_*`` defaults of
:class:`bitext.aligner.core.AlignParams`), a reliability table, and how well each
score ranks right above wrong beads (AUC) and its Brier score, for the old
confidence (cosine and size only) and the new one, also fitted on one set and
tested on the other. 1-0 and 0-1 beads get a fixed confidence: their
precision (``conf_skip``).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

from accuracy import SETS, dev_pairs  # noqa: E402

import bitext  # noqa: E402
from bitext.aligner.core import AlignParams  # noqa: E402
from bitext.aligner.evaluate import read_beads  # noqa: E402
from bitext.embed import load_model  # noqa: E402

BINS = [(0, 0.5), (0.5, 0.7), (0.7, 0.8), (0.8, 0.9), (0.9, 0.95), (0.95, 1.01)]


def fit(X: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """Logistic regression by Newton's method (a tiny ridge keeps it finite)."""
    w = np.zeros(X.shape[1])
    for _ in range(50):
        p = 1 / (1 + np.exp(-X @ w))
        H = (X * (p * (1 - p))[:, None]).T @ X + 1e-6 * np.eye(X.shape[1])
        w += np.linalg.solve(H, X.T @ (Y - p))
    return w


def auc(y: np.ndarray, s: np.ndarray) -> float:
    """Probability that a right bead scores above a wrong one (ties count half)."""
    pos, neg = s[y == 1], s[y == 0]
    if not len(pos) or not len(neg):
        return float("nan")
    return float(
        ((pos[:, None] > neg[None, :]).sum() + 0.5 * (pos[:, None] == neg[None, :]).sum()) / (len(pos) * len(neg))
    )


def logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-4, 1 - 1e-4)
    return np.log(p / (1 - p))


def collect(eval_dir: Path, temp: float):
    """Per set: rows (cosine, size, posterior, right) of two-sided beads, and (right,) of the others."""
    model = load_model(None)
    # identity coefficients: the bead score is then the posterior itself
    params = AlignParams(posterior_temp=temp, pconf_bias=0.0, pconf_sim=0.0, pconf_size=0.0, pconf_post=1.0)
    data = {}
    for key in SETS:
        two, one = [], []
        for src, tgt, gold, sl, tl in dev_pairs(eval_dir, key):
            g = set(read_beads(gold))
            for b in bitext.align(src, tgt, sl, tl, model=model, presplit=True, params=params):
                right = float((b.src_ids, b.tgt_ids) in g)
                if b.src_ids and b.tgt_ids:
                    two.append((b.similarity, len(b.src_ids) + len(b.tgt_ids) - 2, b.score, right))
                else:
                    one.append(right)
        data[key] = np.array(two).reshape(-1, 4), np.array(one)
    return data


def design(two: np.ndarray, old: bool = False) -> np.ndarray:
    base = [np.ones(len(two)), two[:, 0], two[:, 1]]
    return np.stack(base if old else base + [logit(two[:, 2])], axis=1)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--eval-data", default=str(ROOT.parent / "shared" / "eval-data"))
    ap.add_argument("--temp", type=float, default=AlignParams().posterior_temp)
    args = ap.parse_args(argv)
    data = collect(Path(args.eval_data), args.temp)
    two = np.concatenate([d[0] for d in data.values()])
    skips = np.concatenate([d[1] for d in data.values()])
    Y = two[:, 3]
    w_old = fit(design(two, old=True), Y)
    w = fit(design(two), Y)
    print(f"posterior temperature {args.temp}")
    print(
        f"beads: {len(Y)} with both sides (accuracy {Y.mean():.3f}); {len(skips)} 1-0/0-1 "
        f"(precision {skips.mean() if len(skips) else float('nan'):.3f}: conf_skip)"
    )
    print(f"pconf_bias = {w[0]:.3f}, pconf_sim = {w[1]:.3f}, pconf_size = {w[2]:.3f}, pconf_post = {w[3]:.3f}")
    print(
        f"(cosine and size only, posterior_temp=None: conf_bias = {w_old[0]:.3f}, conf_sim = {w_old[1]:.3f}, "
        f"conf_size = {w_old[2]:.3f})"
    )
    print()
    print(
        f"{'confidence':<12}{'beads':>7}{'predicted':>11}{'observed':>10}    {'old: beads':>10}{'predicted':>11}{'observed':>10}"
    )
    p = 1 / (1 + np.exp(-design(two) @ w))
    p_old = 1 / (1 + np.exp(-design(two, old=True) @ w_old))
    for lo, hi in BINS:
        cells = []
        for pp in (p, p_old):
            m = (pp >= lo) & (pp < hi)
            cells.append(
                f"{m.sum():>7}{pp[m].mean() if m.any() else float('nan'):>11.3f}"
                f"{Y[m].mean() if m.any() else float('nan'):>10.3f}"
            )
        print(f"{lo:.2f}-{min(hi, 1):.2f}   " + "    ".join(cells))
    print()
    print(f"{'fitted on':<10}{'tested on':<10}{'confidence':<22}{'AUC':>7}{'Brier':>8}")
    keys = list(data)
    for fit_on, test_on in [("all", "all")] + [(a, b) for a in keys for b in keys if a != b]:
        tr = two if fit_on == "all" else data[fit_on][0]
        te = two if test_on == "all" else data[test_on][0]
        for name, old in (("cosine, size (old)", True), ("+ posterior", False)):
            q = 1 / (1 + np.exp(-design(te, old) @ fit(design(tr, old), tr[:, 3])))
            print(f"{fit_on:<10}{test_on:<10}{name:<22}{auc(te[:, 3], q):>7.3f}{np.mean((q - te[:, 3]) ** 2):>8.4f}")


if __name__ == "__main__":
    main()

"""The alignment heatmap on long documents: time and memory of bitext.views.plots.plot_alignment.

usage: python bench/plots.py [--sizes 500,2000,20000,100000] [--dim 512]

For synthetic documents of n sentences a side (unit vectors of ``--dim``
dimensions, the target a noisy copy of the source, 1-1 beads), prints the
cells drawn, the wall time of plot_alignment plus one Agg draw (untraced), and
the peak traced memory (a second run); then, as the baseline, the same for the full n x m similarity
matrix (``Alignment.similarity_matrix``) where it fits in memory, and the ratio.
"""

from __future__ import annotations

import argparse
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from bitext.pipeline import Alignment, Bead  # noqa: E402
from bitext.text.segment import Sentence  # noqa: E402
from bitext.views import plots  # noqa: E402


def synthetic(n: int, dim: int, low_every: int = 0) -> Alignment:
    """n sentences a side (``s0``, ``s1`` ..., ten a paragraph): unit vectors of ``dim``
    dimensions, the target a noisy copy of the source, and 1-1 beads scored 0.95 (0.3 for
    every ``low_every``-th bead from the first, where ``low_every`` is given).
    tests/test_plots.py draws it too."""
    rng = np.random.default_rng(0)
    v = rng.standard_normal((n, dim)).astype(np.float32)
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    w = v + 0.3 * rng.standard_normal((n, dim)).astype(np.float32)
    w /= np.linalg.norm(w, axis=1, keepdims=True)
    sents = [Sentence(f"s{i}", 3 * i, 3 * i + 2, i // 10) for i in range(n)]
    beads = [Bead((i,), (i,), f"s{i}", f"s{i}", 0.3 if low_every and i % low_every == 0 else 0.95) for i in range(n)]
    return Alignment(beads, sents, list(sents), "en", "fr", src_vectors=v, tgt_vectors=w)


def measure(fn) -> tuple[float, float]:
    """Wall seconds of one untraced run, then the peak traced memory (MB) of a second one."""
    t = time.perf_counter()
    fn()
    dt = time.perf_counter() - t
    tracemalloc.start()
    fn()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return dt, peak / 2**20


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="500,2000,20000,100000")
    ap.add_argument("--dim", type=int, default=512)
    args = ap.parse_args()
    print(
        f"{'n':>7} {'cells drawn':>12} {'plot s':>8} {'peak MB':>8} {'full matrix s':>14} {'full MB':>8} {'MB ratio':>9}"
    )
    for n in (int(x) for x in args.sizes.split(",")):
        a = synthetic(n, args.dim)

        def plot(a=a):
            ax = plots.plot_alignment(a, colorbar=False)
            ax.figure.canvas.draw()
            plot.cells = ax.images[0].get_array().size
            plt.close(ax.figure)

        dt, mb = measure(plot)
        if n * n * 4 <= 2 * 2**30:  # the baseline: the whole float32 matrix, where it fits in 2 GB
            full_dt, full_mb = measure(a.similarity_matrix)
            base = f"{full_dt:14.2f} {full_mb:8.0f} {full_mb / mb:9.1f}"
        else:
            base = f"{'(' + format(n * n * 4 / 2**30, '.0f') + ' GB)':>14} {'':>8} {'':>9}"
        print(f"{n:7d} {plot.cells:12d} {dt:8.2f} {mb:8.1f} {base}")


if __name__ == "__main__":
    main()

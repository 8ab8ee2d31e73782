"""The review page at scale, and re-aligning around fixed beads.

usage: python bench/review.py [--copies 180] [--chromium PATH] [--sizes 5000,20000] [--runs 5]

Prints
  1. the review page of the seed editorial repeated to ~5,000 beads (``--copies``
     copies, each paragraph numbered): its size, the time headless Chromium takes
     to open it (navigation to the page's script done, and to the first frame
     after it), against the read-only coverage report of the same alignment
     opened in the same browser (the baseline); then each edit's response
     (the handler, the DOM change, the save to localStorage and a forced
     layout), median and worst of ``--runs`` on a bead in the middle;
  2. ``align_vectors`` against ``fixed.align_around`` with every 10th bead
     fixed, on synthetic span vectors of n source sentences (``--sizes``): the
     time and its growth with n (near-linear: about 4x for 4x the sentences).

Needs playwright (``pip install playwright``) and a chromium binary for part 1.
Timings on a shared machine are noisy: compare the ratios.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

import numpy as np  # noqa: E402
from speed import spans, synthetic  # noqa: E402

import bitext  # noqa: E402
from bitext.aligner.core import AlignParams, align_vectors  # noqa: E402
from bitext.aligner.fixed import Constraint, align_around  # noqa: E402
from bitext.check.coverage import coverage  # noqa: E402
from bitext.views.review import render_review  # noqa: E402

EDITS = [
    ("next bead", "j"),
    ("previous bead", "k"),
    ("merge", "m"),
    ("split", "s"),
    ("move", "}"),
    ("detach", "o"),
    ("approve", "a"),
    ("undo", "u"),
    ("redo", "r"),
]


def seed_copies(copies: int) -> tuple[str, str]:
    zh = (ROOT / "seeds/global-times-editorial.zh.txt").read_text("utf-8").strip()
    ko = (ROOT / "seeds/global-times-editorial.ko.txt").read_text("utf-8").strip()

    def number(text, k):
        return "\n".join(f"({k}.{i}) {line}" for i, line in enumerate(text.splitlines()))

    return "\n".join(number(zh, k) for k in range(copies)), "\n".join(number(ko, k) for k in range(copies))


_OPEN = """() => new Promise(done => requestAnimationFrame(() => setTimeout(() => done(performance.now()), 0)))"""
_MARK = """(name) => performance.getEntriesByName(name)[0].startTime"""
_EDIT = """(key) => new Promise(done => {
  const t = performance.now();
  document.dispatchEvent(new KeyboardEvent("keydown", {key, bubbles: true}));
  void document.body.offsetHeight;
  const handled = performance.now() - t;
  requestAnimationFrame(() => done([handled, performance.now() - t]));
})"""


def _open(browser, path: Path, ready_selector: str):
    ctx = browser.new_context()
    page = ctx.new_page()
    t0 = time.perf_counter()
    page.goto(path.as_uri(), wait_until="load")
    page.wait_for_selector(ready_selector, state="attached")
    frame = page.evaluate(_OPEN)
    wall = time.perf_counter() - t0
    if ready_selector.startswith("#beads"):  # every row in place (after the first frame, in slices)
        page.wait_for_selector("#beads.complete", state="attached")
        page.wait_for_function("performance.getEntriesByName('bitext:shown').length > 0")
        shown = page.evaluate(_MARK, "bitext:shown")
        return ctx, page, shown / 1000, wall, page.evaluate(_MARK, "bitext:complete") / 1000
    return ctx, page, frame / 1000, wall, frame / 1000


def page_figures(copies: int, chromium: str, runs: int) -> None:
    from playwright.sync_api import sync_playwright

    zh, ko = seed_copies(copies)
    t0 = time.perf_counter()
    a = bitext.align(zh, ko, "zh", "ko")
    report = coverage(a)
    t1 = time.perf_counter()
    d = Path(tempfile.mkdtemp(prefix="bitext-review-bench-"))
    page_path, base_path = d / "review.html", d / "report.html"
    page_path.write_text(render_review(report), "utf-8")
    t2 = time.perf_counter()
    base_path.write_text(report.to_html(), "utf-8")
    n = len(a)
    print(
        f"1. review page: {copies} copies of the seed, {len(a.src_sentences):,} + {len(a.tgt_sentences):,} "
        f"sentences, {n:,} beads"
    )
    print(
        f"   align + coverage {t1 - t0:.1f} s; page written in {t2 - t1:.2f} s, "
        f"{page_path.stat().st_size / 1e6:.1f} MB (coverage report {base_path.stat().st_size / 1e6:.1f} MB)"
    )
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
        opens, bases = [], []
        for _ in range(runs):
            ctx, page, frame, wall, _ = _open(browser, base_path, "table.beads")
            bases.append((frame, wall))
            ctx.close()
            ctx, page, frame, wall, complete = _open(browser, page_path, "#beads .bead")
            assert page.locator("#beads .bead").count() == n
            opens.append((frame, wall, complete))
            ctx.close()

        def med(xs, i):
            return statistics.median(x[i] for x in xs)

        print(
            f"   review page, median / worst of {runs} (s from navigation start): beads on screen "
            f"{med(opens, 0):.2f} / {max(o[0] for o in opens):.2f}; every row in place {med(opens, 2):.2f} / "
            f"{max(o[2] for o in opens):.2f}"
        )
        print(
            f"   wall from goto to the first frame after load: review {med(opens, 1):.2f} s, "
            f"coverage report of the same beads {med(bases, 1):.2f} s (ratio {med(opens, 1) / med(bases, 1):.2f})"
        )
        ctx, page, _, _, _ = _open(browser, page_path, "#beads .bead")
        mid = next(i for i in range(n // 2, n) if len(a[i].tgt_ids) > 1 and a[i].src_ids)  # one that splits
        page.locator("#beads .bead").nth(mid).locator(".meta").click()
        print(
            f"   edits on bead {mid} (handler + DOM + save + layout; to the next frame), ms, median / worst of {runs}:"
        )
        for name, key in EDITS:
            times = []
            for _ in range(runs):
                if key in "ur":  # something to undo (an approval), or to redo: not timed
                    page.evaluate(_EDIT, "a")
                    page.evaluate(_EDIT, "k")
                    if key == "r":
                        page.evaluate(_EDIT, "u")
                before = page.evaluate("bitextReview.edits()")
                times.append(page.evaluate(_EDIT, key))
                after = page.evaluate("bitextReview.edits()")
                assert after == before + {"j": 0, "k": 0, "u": -1}.get(key, 1), name
                if key not in "jku":  # leave the document as it was: undo the edit (not timed)
                    page.evaluate(_EDIT, "u")
                if key in "jk":
                    page.evaluate(_EDIT, "k" if key == "j" else "j")
                if key == "a" or key == "r":
                    page.evaluate(_EDIT, "k") if page.evaluate("bitextReview.cur()") != mid else None
                assert page.evaluate("bitextReview.cur()") == mid, (name, page.evaluate("bitextReview.cur()"), mid)
            h = [x[0] for x in times]
            f = [x[1] for x in times]
            print(
                f"     {name:14s} {statistics.median(h):6.1f} / {max(h):6.1f}   frame {statistics.median(f):6.1f} / {max(f):6.1f}"
            )
        ctx.close()
        browser.close()
    shutil.rmtree(d, ignore_errors=True)


def fixed_figures(sizes: list[int]) -> None:
    print("\n2. re-aligning around fixed beads: every 10th bead of the first alignment fixed (synthetic, d=512)")
    print(f"   {'n':>7} {'align_vectors s':>16} {'align_around s':>15} {'ratio':>6} {'growth':>7}")
    p = AlignParams()
    prev = None
    for n in sizes:
        rng = np.random.default_rng(0)
        m = int(n * 1.1)
        s, t = synthetic(n, m, 512, rng)
        ss, ts = spans(s, 5), spans(t, 5)
        ls, lt = np.full(n, 40), np.full(m, 36)
        t0 = time.perf_counter()
        beads = align_vectors(ss, ts, ls, lt, None, None, p)
        t1 = time.perf_counter()
        cons = [
            Constraint(b[0][0], b[0][-1] + 1, b[1][0], b[1][-1] + 1, approved=True)
            for b in beads[::10]
            if b[0] and b[1]
        ]
        out = align_around(cons, ss, ts, ls, lt, None, None, p)
        t2 = time.perf_counter()
        kept = {(b[0], b[1]) for b in out if b[4] is not None}
        assert len(kept) == len(cons)
        growth = f"{(t2 - t1) / prev:.2f}x" if prev else ""
        print(f"   {n:>7,} {t1 - t0:>16.2f} {t2 - t1:>15.2f} {(t2 - t1) / (t1 - t0):>6.2f} {growth:>7}")
        prev = t2 - t1


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--copies", type=int, default=180, help="copies of the seed (180: about 5,000 beads)")
    ap.add_argument("--chromium", default=shutil.which("chromium") or shutil.which("chromium-browser"))
    ap.add_argument("--sizes", default="5000,20000", help="source sentences for part 2, comma-separated")
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args(argv)
    if args.chromium:
        page_figures(args.copies, args.chromium, args.runs)
    else:
        print("1. skipped: no chromium binary (apt-get install -y chromium)")
    fixed_figures([int(x) for x in args.sizes.split(",")])
    return 0


if __name__ == "__main__":
    sys.exit(main())

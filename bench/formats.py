"""Import time of bitext and of each format reader and writer, and the time to read the seed in each format.

usage: python bench/formats.py [--runs 5] [--baseline SRC]

Prints
  1. ``import bitext`` and ``import bitext.cli`` in a fresh interpreter (median of the runs), and
     which format libraries they load (none: readers load lazily); with ``--baseline SRC`` (the src/
     folder of another checkout, e.g. main before the formats), the same for it and the ratio;
  2. for each format, the extra time to load its module and library after ``import bitext``
     (a fresh interpreter each run), and that time over ``import bitext``;
  3. reading the seed editorial (Chinese) in each document format against reading it as plain text.

Needs the formats extra (pip install ".[formats]"); tests/formats_build.py writes the files.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "tests"))

LIBRARIES = ("docx", "lxml", "markdown_it", "srt", "webvtt", "ebooklib", "pypdf", "translate", "openpyxl", "bs4")


def _fresh(code: str, src: Path = ROOT / "src") -> dict:
    import os

    env = dict(os.environ, PYTHONPATH=str(src))
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    return json.loads(r.stdout.strip().splitlines()[-1])


def _import_bitext(module: str, runs: int, src: Path = ROOT / "src") -> tuple[float, list[str]]:
    code = (
        f"import time, sys, json; t = time.perf_counter(); import {module}; "
        f"print(json.dumps([time.perf_counter() - t, sorted(m for m in {LIBRARIES!r} if m in sys.modules)]))"
    )
    out = []
    for _ in range(runs):
        out.append(_fresh(code, src))
    return statistics.median(o[0] for o in out), out[0][1]


def _load_format(name: str, runs: int) -> float:
    code = (
        "import time, json, bitext; from bitext.formats.registry import format_named, load; "
        f"t = time.perf_counter(); load(format_named({name!r})); print(json.dumps(time.perf_counter() - t))"
    )
    return statistics.median(_fresh(code) for _ in range(runs))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--baseline", type=Path, help="the src/ folder of another checkout to compare import times with")
    args = ap.parse_args()

    from bitext.formats.registry import FORMATS

    print("1. import time (fresh interpreter, median of", args.runs, "runs)")
    base, loaded = _import_bitext("bitext", args.runs)
    print(f"   import bitext      {base * 1000:7.0f} ms   format libraries loaded: {loaded or 'none'}")
    cli, loaded = _import_bitext("bitext.cli", args.runs)
    print(f"   import bitext.cli  {cli * 1000:7.0f} ms   format libraries loaded: {loaded or 'none'}")
    if args.baseline:
        # both trees copied to one temporary folder (where a tree lies changes its import time: the one
        # the venv installs in editable mode imports faster), runs interleaved so a busy machine weighs alike
        import shutil

        with tempfile.TemporaryDirectory() as d:
            here, there = Path(d) / "here", Path(d) / "baseline"
            shutil.copytree(ROOT / "src", here, ignore=shutil.ignore_patterns("__pycache__"))
            shutil.copytree(args.baseline, there, ignore=shutil.ignore_patterns("__pycache__"))
            _import_bitext("bitext.cli", 1, here), _import_bitext("bitext.cli", 1, there)  # byte-compile
            pairs = [
                (_import_bitext("bitext.cli", 1, here)[0], _import_bitext("bitext.cli", 1, there)[0])
                for _ in range(args.runs)
            ]
        ours, theirs = statistics.median(p[0] for p in pairs), statistics.median(p[1] for p in pairs)
        print(
            f"   import bitext.cli  {ours * 1000:7.0f} ms, baseline {args.baseline}: {theirs * 1000:.0f} ms "
            f"({ours / theirs:.2f}x)"
        )

    print("\n2. loading a format's module and library after import bitext (what its first file costs)")
    print(f"   {'format':8} {'module':28} {'ms':>7} {'/ import bitext':>16}")
    for f in FORMATS:
        t = _load_format(f.name, args.runs)
        print(f"   {f.name:8} {f.module:28} {t * 1000:7.0f} {t / base:15.2f}x")

    print("\n3. reading the seed editorial (zh) in each document format (after its library is loaded)")
    from formats_build import seed_paragraphs, write_docx, write_epub, write_html, write_markdown, write_srt, write_vtt

    import bitext

    zh = seed_paragraphs("zh")
    with tempfile.TemporaryDirectory() as d:
        d = Path(d)
        files = {
            "txt": ROOT / "seeds" / "global-times-editorial.zh.txt",
            "docx": write_docx(zh, d / "a.docx", box=True, footnote=True),
            "html": write_html(zh, d / "a.html"),
            "md": write_markdown(zh, d / "a.md"),
            "srt": write_srt(zh, d / "a.srt"),
            "vtt": write_vtt(zh, d / "a.vtt"),
            "epub": write_epub(zh, d / "a.epub", "zh"),
        }
        times = {}
        for name, path in files.items():
            bitext.read_document(path)  # the library loads
            runs = []
            for _ in range(max(args.runs, 5)):
                t = time.perf_counter()
                doc = bitext.read_document(path)
                runs.append(time.perf_counter() - t)
            times[name] = statistics.median(runs)
            assert [p.text for p in doc.paragraphs] == zh, name
        for name, t in times.items():
            print(f"   {name:5} {t * 1000:8.2f} ms  {t / times['txt']:7.1f}x plain text")


if __name__ == "__main__":
    main()

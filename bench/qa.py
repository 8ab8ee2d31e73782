"""Translation checks by error injection: recall per error kind and set, flags on clean text, time.

usage: nice python bench/qa.py [--sets bible,mac,tb,seed] [--every K] [--work DIR] [--docs 003,...]
                               [--baseline-src DIR --record-baseline] [--timing] [--json]

For each development set, ``qa_inject.py make`` (``../shared/tools``) damages
a copy of every target document with errors of seven kinds (a sentence
omitted, added, replaced by another of the document (``swap``), left in the
source language (``untranslated``); a clause dropped; a number changed; a
name swapped), one error about every ``--every`` source sentences, and keeps
the clean target beside it. This bench then aligns each damaged and each
clean pair (one sentence a line, as ``bitext coverage --presplit`` reads
them) and scores :func:`bitext.coverage.coverage` as ``qa_inject.py score``
does: an error is found when a bead that is not ``ok`` holds its source
sentence (for ``add``: the inserted target sentence); false flags are the
beads not ``ok`` that hold no error, per 100 beads of the damaged documents,
and all beads not ``ok`` per 100 beads of the clean ones.

Sets: ``bible`` (bible-zh-ko with ``../shared/qa/names-bible-dev.tsv``),
``mac`` (mac-dev-zh-en), ``tb`` (text+berg-de-fr), ``seed`` (the seed
editorial, split as ``bitext.align`` splits it, with the gold of
``tests/data/global-times-editorial.zh-ko.beads`` and the names of
``bench/data/names-seed-zh-ko.tsv``; it has few 1-1 beads, so it is damaged
with ``--seed-rounds`` injection seeds). Number errors need digits both sides
share, which the Bible lacks and the others have few of: ``--number-rounds``
more rounds inject only numbers, and as many only names where a names file is
given (one name about every ``3 * --every`` source sentences; on the seed,
every ``--every``).

The figures of the code before the translation checks (main at e0f77ac) are
read from ``bench/data/qa-baseline.json``; ``--baseline-src /tmp/base/src
--record-baseline`` (a checkout of that commit: ``git worktree add /tmp/base
e0f77ac``) computes them again in a subprocess that imports that code, with the
very same damaged documents, and writes the file. ``--timing`` times ``bitext
coverage`` on the seed and on Bible 003, with a cold embedding cache and a
warm one, for this code and the baseline's (needs ``--baseline-src``).

Nothing from the dev sets is written into the project; the damaged documents
go to ``--work`` (default: a temporary folder).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if not os.environ.get("BITEXT_QA_KEEP_PATH"):
    sys.path.insert(0, str(ROOT / "src"))

SHARED = ROOT.parent / "shared"
BASELINE = ROOT / "bench" / "data" / "qa-baseline.json"
SEED_NAMES = ROOT / "bench" / "data" / "names-seed-zh-ko.tsv"
KINDS = ["untranslated", "clause", "name", "number", "omit", "add", "swap"]
# set key: (folder in eval-data, source language, target language, names file)
SETS = {
    "bible": ("bible-zh-ko", "zh", "ko", SHARED / "qa" / "names-bible-dev.tsv"),
    "mac": ("mac-dev-zh-en", "zh", "en", None),
    "tb": ("text+berg-de-fr", "de", "fr", None),
    "seed": (None, "zh", "ko", SEED_NAMES),
}


def _qa_inject(path: Path):
    spec = importlib.util.spec_from_file_location("qa_inject", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _seed_set(folder: Path) -> Path:
    """The seed editorial as a gold set: sentences one a line, as ``bitext.align`` splits them."""
    from bitext.text.segment import split

    d = folder / "seed-set"
    for sub in ("zh", "ko", "gold"):
        (d / sub).mkdir(parents=True, exist_ok=True)
    for lang in ("zh", "ko"):
        text = (ROOT / f"seeds/global-times-editorial.{lang}.txt").read_text("utf-8")
        (d / lang / "seed").write_text("\n".join(s.text for s in split(text, lang)) + "\n", "utf-8")
    gold = (ROOT / "tests/data/global-times-editorial.zh-ko.beads").read_text("utf-8")
    (d / "gold" / "seed").write_text(gold, "utf-8")
    return d


def make_sets(
    work: Path, keys, eval_dir: Path, every: int, seed_rounds: int, number_rounds: int, inject: Path
) -> dict[str, list[Path]]:
    """Damaged copies of every set: ``{key: [round folders]}`` (``src``, ``tgt``, ``clean``, ``key``)."""
    qa = _qa_inject(inject)
    out: dict[str, list[Path]] = {}
    for key in keys:
        name, _, _, names = SETS[key]
        set_dir = _seed_set(work) if key == "seed" else eval_dir / name
        rounds = []
        # (injection seed, kinds, one error every so many source sentences)
        plans = [(s, None, every) for s in range(1, (seed_rounds if key == "seed" else 1) + 1)]
        plans += [(100 + s, "number", every) for s in range(1, number_rounds + 1)]
        if names:  # one name changed about every 3 * every sentences, as a translator might
            plans += [(200 + s, "name", 3 * every if key != "seed" else every) for s in range(1, number_rounds + 1)]
        for seed, types, k in plans:
            d = work / f"{key}-{seed}"
            if not (d / "key").is_dir():
                args = argparse.Namespace(
                    set_dir=str(set_dir),
                    out_dir=str(d),
                    seed=seed,
                    every=k,
                    types=types,
                    names=str(names) if names else None,
                )
                _quiet(qa.make, args)
            rounds.append(d)
        out[key] = rounds
    return out


def _quiet(fn, *args):
    import contextlib
    import io

    with contextlib.redirect_stdout(io.StringIO()):
        return fn(*args)


def _flagged(report: dict) -> list[tuple[set, set, str]]:
    return [(set(b["src_ids"]), set(b["tgt_ids"]), b["status"]) for b in report["beads"] if b["status"] != "ok"]


def score_rounds(rounds: list[Path], sl: str, tl: str, docs=None) -> dict:
    """Align and check every damaged and clean document of ``rounds``; count as ``qa_inject.py score``."""
    import bitext
    from bitext.embed import load_model

    coverage = bitext.coverage  # a function (and, before the house move, a callable module)

    model = load_model(None)
    res = {
        "found": Counter(),
        "total": Counter(),
        "beads_damaged": 0,
        "false_damaged": 0,
        "beads_clean": 0,
        "flags_clean": 0,
        "clean_status": Counter(),
        "clean_findings": Counter(),
        "seconds": 0.0,
        "missed": [],
    }
    clean_seen = set()
    for d in rounds:
        for kf in sorted((d / "key").iterdir()):
            if docs and kf.name not in docs:
                continue
            key = [json.loads(x) for x in kf.read_text("utf-8").splitlines() if x.strip()]
            src = (d / "src" / kf.name).read_text("utf-8").splitlines()
            reports = {}
            for which in ("tgt", "clean"):
                tgt = (d / which / kf.name).read_text("utf-8").splitlines()
                if which == "clean" and (kf.name, tuple(tgt)) in clean_seen:
                    continue  # the same clean document in another round
                t0 = time.perf_counter()
                a = bitext.align(src, tgt, sl, tl, model=model)
                r = coverage(a)
                res["seconds"] += time.perf_counter() - t0
                reports[which] = (r.to_dict(), r)
            fl = _flagged(reports["tgt"][0])
            hits_src = {e["src"] for e in key if e["src"] is not None}
            hits_tgt = {e["tgt_new"] for e in key if "tgt_new" in e}
            for e in key:
                res["total"][e["type"]] += 1
                ok = any(
                    (e["src"] is not None and e["src"] in s) or ("tgt_new" in e and e["tgt_new"] in t) for s, t, _ in fl
                )
                res["found"][e["type"]] += ok
                if not ok:
                    res["missed"].append(f"{d.name}/{kf.name} {e['type']} src {e['src']} {e.get('detail', '')}"[:160])
            res["beads_damaged"] += len(reports["tgt"][0]["beads"])
            res["false_damaged"] += sum(
                1
                for s, t, _ in fl
                if not (s & hits_src)
                and not (t & hits_tgt)
                and not any(x in s for e in key if e["type"] == "omit" for x in (e["src"] - 1, e["src"] + 1))
            )
            if "clean" in reports:
                clean_seen.add((kf.name, tuple((d / "clean" / kf.name).read_text("utf-8").splitlines())))
                cj, cr = reports["clean"]
                res["beads_clean"] += len(cj["beads"])
                cf = _flagged(cj)
                res["flags_clean"] += len(cf)
                res["clean_status"].update(st for _, _, st in cf)
                for f in getattr(cr, "findings", []):
                    res["clean_findings"][f.kind] += 1
    return res


def _jsonable(res: dict) -> dict:
    return {k: dict(v) if isinstance(v, Counter) else v for k, v in res.items()}


def run_current(rounds_by_set: dict, docs) -> dict:
    out = {}
    for key, rounds in rounds_by_set.items():
        _, sl, tl, _ = SETS[key]
        out[key] = _jsonable(score_rounds(rounds, sl, tl, docs))
    return out


def run_baseline(rounds_by_set: dict, docs, src: Path) -> dict:
    """The same scoring in a subprocess that imports the code of ``src``."""
    env = dict(os.environ, PYTHONPATH=str(src), BITEXT_QA_KEEP_PATH="1")
    job = {k: [str(r) for r in v] for k, v in rounds_by_set.items()}
    r = subprocess.run(
        [sys.executable, __file__, "--worker", json.dumps({"rounds": job, "docs": docs})],
        env=env,
        capture_output=True,
        text=True,
    )
    if r.returncode:
        raise SystemExit(f"baseline worker failed: {r.stderr[-2000:]}")
    return json.loads(r.stdout.strip().splitlines()[-1])


def _rate(found: int, total: int) -> str:
    return f"{found}/{total} {found / total:.2f}" if total else "-"


def print_table(cur: dict, base: dict | None) -> None:
    keys = list(cur)
    print("Recall per error kind (baseline e0f77ac -> this code), per set")
    head = f"{'kind':<13}" + "".join(f"{k:>26}" for k in keys) + f"{'all':>26}"
    print(head)

    def cell(res, kind):
        return _rate(res["found"].get(kind, 0), res["total"].get(kind, 0))

    def both(key, kind):
        c = cell(cur[key], kind) if kind else _rate(sum(cur[key]["found"].values()), sum(cur[key]["total"].values()))
        if base is None or key not in base:
            return c
        b = base[key]
        bb = cell(b, kind) if kind else _rate(sum(b["found"].values()), sum(b["total"].values()))
        return f"{bb.split()[-1]} -> {c}"

    for kind in KINDS + [None]:
        row = f"{kind or 'overall':<13}"
        for key in keys:
            row += f"{both(key, kind):>26}"
        tot_c = sum(cur[k]["found"].get(kind, 0) if kind else sum(cur[k]["found"].values()) for k in keys)
        tot_n = sum(cur[k]["total"].get(kind, 0) if kind else sum(cur[k]["total"].values()) for k in keys)
        allc = _rate(tot_c, tot_n)
        if base is not None and all(k in base for k in keys):
            bf = sum(base[k]["found"].get(kind, 0) if kind else sum(base[k]["found"].values()) for k in keys)
            allc = f"{bf / tot_n:.2f} -> {allc}" if tot_n else allc
        print(row + f"{allc:>26}")

    def per100(res, a, b):
        return 100 * res[a] / max(1, res[b])

    for label, a, b in (
        ("false flags / 100 beads, damaged", "false_damaged", "beads_damaged"),
        ("flags / 100 beads, clean", "flags_clean", "beads_clean"),
    ):
        row = f"{label}\n{'':<13}"
        for key in keys:
            c = per100(cur[key], a, b)
            row += f"{(f'{per100(base[key], a, b):.2f} -> ' if base and key in base else '') + f'{c:.2f}':>26}"
        tot = 100 * sum(cur[k][a] for k in keys) / max(1, sum(cur[k][b] for k in keys))
        if base and all(k in base for k in keys):
            bt = 100 * sum(base[k][a] for k in keys) / max(1, sum(base[k][b] for k in keys))
            row += f"{f'{bt:.2f} -> {tot:.2f}':>26}"
        else:
            row += f"{tot:>26.2f}"
        print(row)
    print("\nFlags on the clean documents by bead status (baseline -> this code), and findings by kind")
    for key in keys:
        b = base[key]["clean_status"] if base and key in base else {}
        c = cur[key]["clean_status"]
        sts = sorted(set(b) | set(c))
        print(
            f"  {key:<6} {cur[key]['beads_clean']} beads: "
            + ", ".join(f"{s} {b.get(s, 0)} -> {c.get(s, 0)}" for s in sts)
            + (
                "; findings: " + ", ".join(f"{k} {v}" for k, v in sorted(cur[key]["clean_findings"].items()))
                if cur[key]["clean_findings"]
                else ""
            )
        )
    print(
        "\nseconds aligning and checking (all rounds, this code; --timing compares with the baseline): "
        + ", ".join(f"{k} {cur[k]['seconds']:.1f}" for k in keys)
    )


# --------------------------------------------------------------------------
# timing


# CPU seconds (user + system, all threads) of each step: on a shared machine they vary less than wall time
_TIME_SCRIPT = r"""
import resource, sys
def cpu():
    return sum(u.ru_utime + u.ru_stime for u in (resource.getrusage(resource.RUSAGE_SELF),
                                                 resource.getrusage(resource.RUSAGE_CHILDREN)))
t0 = cpu()
import bitext
coverage = bitext.coverage
src = open(sys.argv[1], encoding="utf-8").read()
tgt = open(sys.argv[2], encoding="utf-8").read()
t1 = cpu()
a = bitext.align(src, tgt, sys.argv[3], sys.argv[4], presplit=sys.argv[5] == "1")
t2 = cpu()
r = coverage(a)
r.to_json()
t3 = cpu()
print(t1 - t0, t2 - t1, t3 - t2)
"""


def timing(baseline_src: Path, work: Path, eval_dir: Path, repeats: int) -> None:
    cases = [
        (
            "seed",
            ROOT / "seeds/global-times-editorial.zh.txt",
            ROOT / "seeds/global-times-editorial.ko.txt",
            "zh",
            "ko",
            "0",
        ),
        ("bible 003", eval_dir / "bible-zh-ko/zh/003", eval_dir / "bible-zh-ko/ko/003", "zh", "ko", "1"),
    ]
    print(
        "\nCPU seconds of import + align + coverage (median of runs, the two codes in turn; cold: an empty cache,\n"
        "so the embeddings and the table of jieba's names are computed; warm: both read from the cache)"
    )
    print(f"{'document':<11}{'cache':<7}{'baseline':>30}{'this code':>30}{'ratio':>7}")
    # both codes imported from compiled files (where PYTHONDONTWRITEBYTECODE is set, a checkout
    # never run before would compile every module in every run)
    for src in (baseline_src, ROOT / "src"):
        subprocess.run([sys.executable, "-m", "compileall", "-q", str(src)], check=True, capture_output=True)
    for name, s, t, sl, tl, pre in cases:
        for cold in (True, False):
            runs: dict[str, list[list[float]]] = {"baseline": [], "this": []}
            srcs = (("baseline", baseline_src), ("this", ROOT / "src"))
            # the two codes take turns, so that a busy spell of the shared machine falls on both
            for k in range(max(3, (repeats + 1) // 2) if cold else repeats + 1):
                for label, src in srcs:
                    cache = work / f"cache-{label}-{name.replace(' ', '')}-{'cold' if cold else 'warm'}"
                    if cold and cache.exists():
                        shutil.rmtree(cache)
                    env = dict(os.environ, PYTHONPATH=str(src), BITEXT_CACHE_DIR=str(cache))
                    r = subprocess.run(
                        [sys.executable, "-c", _TIME_SCRIPT, s, t, sl, tl, pre],
                        env=env,
                        check=True,
                        capture_output=True,
                        text=True,
                    )
                    if cold or k > 0:  # warm: the first run fills the cache
                        runs[label].append([float(x) for x in r.stdout.split()])
            got = {}
            for label, rs in runs.items():
                rs.sort(key=sum)
                got[label] = rs[len(rs) // 2]
            fmt = lambda x: f"{sum(x):.2f} ({x[0]:.2f}+{x[1]:.2f}+{x[2]:.2f})"  # noqa: E731
            print(
                f"{name:<11}{'cold' if cold else 'warm':<7}{fmt(got['baseline']):>30}{fmt(got['this']):>30}"
                f"{sum(got['this']) / sum(got['baseline']):>7.2f}"
            )


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--eval-data", default=str(SHARED / "eval-data"))
    ap.add_argument("--inject", default=str(SHARED / "tools" / "qa_inject.py"))
    ap.add_argument("--sets", default="bible,mac,tb,seed")
    ap.add_argument("--docs", default=None, help="only these documents (comma-separated file names)")
    ap.add_argument("--every", type=int, default=40)
    ap.add_argument("--seed-rounds", type=int, default=8)
    ap.add_argument("--number-rounds", type=int, default=2)
    ap.add_argument("--work", default=None)
    ap.add_argument("--baseline-src", default=None)
    ap.add_argument("--record-baseline", action="store_true")
    ap.add_argument("--no-baseline", action="store_true")
    ap.add_argument("--timing", action="store_true")
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--missed", action="store_true", help="list the errors not found")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--worker", default=None, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        job = json.loads(args.worker)
        print(
            json.dumps(
                run_current({k: [Path(x) for x in v] for k, v in job["rounds"].items()}, job["docs"]),
                ensure_ascii=False,
            )
        )
        return
    keys = [k for k in args.sets.split(",") if k]
    bad = set(keys) - set(SETS)
    if bad:
        raise SystemExit(f"unknown sets {sorted(bad)} (expected some of {', '.join(SETS)})")
    tmp = None
    if args.work is None:
        tmp = tempfile.TemporaryDirectory(prefix="bitext-qa-")
        work = Path(tmp.name)
    else:
        work = Path(args.work)
        work.mkdir(parents=True, exist_ok=True)
    docs = args.docs.split(",") if args.docs else None
    rounds = make_sets(
        work, keys, Path(args.eval_data), args.every, args.seed_rounds, args.number_rounds, Path(args.inject)
    )
    settings = {
        "every": args.every,
        "seed_rounds": args.seed_rounds,
        "number_rounds": args.number_rounds,
        "name_rounds": "3x every",
        "docs": docs,
    }
    base = None
    if args.baseline_src:
        base = run_baseline(rounds, docs, Path(args.baseline_src))
        if args.record_baseline:
            old = json.loads(BASELINE.read_text("utf-8")) if BASELINE.is_file() else {}
            old.setdefault("sets", {}).update(base)
            old["settings"] = settings
            old["code"] = "main e0f77ac"
            BASELINE.write_text(json.dumps(old, ensure_ascii=False, indent=1) + "\n", "utf-8")
    elif not args.no_baseline and BASELINE.is_file():
        rec = json.loads(BASELINE.read_text("utf-8"))
        if rec.get("settings") == settings:
            base = {k: v for k, v in rec["sets"].items() if k in keys}
        else:
            print(f"(the baseline in {BASELINE.name} was recorded with {rec.get('settings')}: not shown)")
    cur = run_current(rounds, docs)
    if args.json:
        print(json.dumps({"current": cur, "baseline": base}, ensure_ascii=False))
    print_table(cur, base)
    if args.missed:
        for key in keys:
            for m in cur[key]["missed"]:
                print(f"  missed {key}: {m}")
    if args.timing:
        if not args.baseline_src:
            raise SystemExit("--timing needs --baseline-src")
        timing(Path(args.baseline_src), work, Path(args.eval_data), args.repeats)
    if tmp is not None:
        tmp.cleanup()


if __name__ == "__main__":
    main()

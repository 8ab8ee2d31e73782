"""Tests for bitext.batch: manifests, broken pairs, resume, workers and Ray give the same bytes.

Real text: the pairs are paragraph ranges of the seed editorial (zh/ko). The
default model is loaded once in this process (threads=1, as batch workers
use it); the multi-process and Ray runs load it once per worker.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import json
import os
import shutil
import sys
from pathlib import Path

import pytest

import bitext
from bitext import batch
from bitext.batch import ManifestError, PairResult, align_many, engines, read_manifest
from bitext.batch.outdir import OutdirLock
from bitext.cli import main as cli_main

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"

# zh paragraph i (line) -> the ko lines (first, last) that translate it
ZH_KO = [(0, 0), (1, 1), (2, 3), (4, 6), (7, 10), (11, 12), (13, 16), (17, 19)]
GOOD = {"ed-title": (0, 1), "ed-p2": (2, 2), "ed-p5": (5, 5), "ed-end": (7, 7)}
BROKEN = {  # id -> (the file named in the error, what the error says)
    "gone": ("nope.zh", "no such file"),
    "hollow": ("empty.ko", "file is empty"),
    "blob": ("blob.zh", "binary"),
    "nolang": ("numbers.txt", "give src_lang and tgt_lang"),
}
ORDER = ["ed-title", "gone", "ed-p2", "hollow", "ed-p5", "blob", "nolang", "ed-end"]


def slice_pair(a: int, b: int) -> tuple[str, str]:
    zh = (SEEDS / "global-times-editorial.zh.txt").read_text("utf-8").splitlines()
    ko = (SEEDS / "global-times-editorial.ko.txt").read_text("utf-8").splitlines()
    return "\n".join(zh[a : b + 1]) + "\n", "\n".join(ko[ZH_KO[a][0] : ZH_KO[b][1] + 1]) + "\n"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """A folder with the texts and a manifest (relative paths, a comment, a blank line, languages on one line)."""
    d = tmp_path_factory.mktemp("corpus")
    (d / "texts").mkdir()
    for pid, (a, b) in GOOD.items():
        zh, ko = slice_pair(a, b)
        (d / "texts" / f"{pid}.zh").write_text(zh, "utf-8")
        (d / "texts" / f"{pid}.ko").write_text(ko, "utf-8")
    (d / "texts" / "empty.ko").write_text("", "utf-8")
    korean = (SEEDS / "001_4bb767f3172264fc.txt").read_bytes()
    (d / "texts" / "blob.zh").write_bytes(b"\x00".join(korean[i : i + 7] for i in range(0, 400, 7)))
    (d / "texts" / "numbers.txt").write_text("Tel. 031/525787, Fax 031/521570.\n", "utf-8")  # no language to tell
    rows = {pid: f"{pid}\ttexts/{pid}.zh\ttexts/{pid}.ko" for pid in GOOD}
    rows["ed-p5"] += "\tzh\tko"
    rows["gone"] = "gone\ttexts/nope.zh\ttexts/ed-p2.ko"
    rows["hollow"] = "hollow\ttexts/ed-p2.zh\ttexts/empty.ko"
    rows["blob"] = "blob\ttexts/blob.zh\ttexts/ed-p2.ko"
    rows["nolang"] = "nolang\ttexts/numbers.txt\ttexts/ed-p2.ko"
    lines = ["# editorial slices and broken pairs", ""] + [rows[i] for i in ORDER]
    (d / "pairs.tsv").write_text("\n".join(lines) + "\n", "utf-8")
    return d


@pytest.fixture(scope="module")
def model():
    from bitext.embed.use import USEEmbedder

    m = USEEmbedder(threads=1)
    _ = m._backend
    return m


@contextlib.contextmanager
def shared_model(model):
    """In-process CLI runs use the model already loaded instead of loading their own."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(engines, "_load", lambda *a, **k: model)
        yield


def run_cli(argv, model) -> tuple[int, str]:
    err = io.StringIO()
    with shared_model(model), contextlib.redirect_stderr(err):
        rc = cli_main(argv)
    return rc, err.getvalue()


def summary(outdir: Path) -> list[dict]:
    return [json.loads(line) for line in (outdir / "summary.jsonl").read_text("utf-8").splitlines()]


def outputs(outdir: Path, ext="tsv") -> dict[str, bytes]:
    return {p.stem: p.read_bytes() for p in sorted(outdir.glob(f"*.{ext}"))}


@pytest.fixture(scope="module")
def first_run(corpus, model, tmp_path_factory):
    out = tmp_path_factory.mktemp("run") / "out"
    rc, err = run_cli(["batch", str(corpus / "pairs.tsv"), "-o", str(out), "-q"], model)
    return rc, err, out


# --- manifests -------------------------------------------------------------------


def write_manifest(tmp_path, text: str) -> Path:
    p = tmp_path / "m.tsv"
    p.write_text(text, "utf-8")
    return p


def test_manifest_errors_name_path_and_line(tmp_path):
    m = write_manifest(
        tmp_path,
        "# comment\n"
        "a\tx.zh\tx.ko\n"  # 2
        "b\ty.zh\n"  # 3: 2 fields
        "a\tz.zh\tz.ko\n"  # 4: duplicate
        "c d\tz.zh\tz.ko\n"  # 5: space
        ".hidden\tz.zh\tz.ko\n"  # 6: leading dot
        "sub/up\tz.zh\tz.ko\n"  # 7: slash
        f"{'x' * 201}\tz.zh\tz.ko\n"  # 8: too long
        "e\tz.zh\tz.ko\tzh\n"  # 9: 4 fields
        "A\tz.zh\tz.ko\n"  # 10: same file name as 'a' on macOS/Windows
        "f g h\n"  # 11: spaces, not tabs
        "ok-1.v2_x\tz.zh\tz.ko\tzh\tko\n",
    )
    with pytest.raises(ManifestError) as e:
        read_manifest(m)
    problems = e.value.problems
    lines = [int(p.split(":")[1]) for p in problems]
    assert lines == [3, 4, 5, 6, 7, 8, 9, 10, 11]
    assert all(p.startswith(f"{m}:") for p in problems)
    text = "\n".join(problems)
    assert "expected 3 or 5 tab-separated fields" in problems[0] and "got 2" in problems[0]
    assert "duplicate id 'a'" in problems[1] and f"{m}:2" in problems[1]
    assert "' '" in problems[2]
    assert "starts with '.'" in problems[3]
    assert "'/'" in problems[4]
    assert "at most 200" in problems[5]
    assert "got 4" in problems[6]
    assert "case-insensitive" in problems[7]
    assert "separated by tabs" in problems[8]
    assert "ok-1.v2_x" not in text


def test_manifest_paths_comments_langs(corpus):
    specs = read_manifest(corpus / "pairs.tsv")
    assert [s.id for s in specs] == ORDER
    assert specs[0].src == str(corpus / "texts" / "ed-title.zh")  # relative to the manifest's folder
    assert specs[0].where == f"{corpus / 'pairs.tsv'}:3"
    p5 = specs[ORDER.index("ed-p5")]
    assert (p5.src_lang, p5.tgt_lang) == ("zh", "ko")
    assert specs[0].src_lang is None


def test_manifest_bad_language_and_empty(tmp_path):
    with pytest.raises(ManifestError, match=r"m.tsv:1: source language 'texts/a.zh'"):
        read_manifest(write_manifest(tmp_path, "a\tx\ty\ttexts/a.zh\tko\n"))
    with pytest.raises(ManifestError, match="no pairs"):
        read_manifest(write_manifest(tmp_path, "# only a comment\n\n"))
    with pytest.raises(ManifestError, match="no such file"):
        read_manifest(tmp_path / "absent.tsv")


def test_cli_bad_manifest_exits_2_before_any_work(tmp_path, capsys):
    m = write_manifest(tmp_path, "a\tx.zh\tx.ko\na\ty.zh\ty.ko\n")
    out = tmp_path / "out"
    assert cli_main(["batch", str(m), "-o", str(out), "-q"]) == 2
    err = capsys.readouterr().err
    assert f"{m}:2: duplicate id 'a'; first at {m}:1" in err
    assert not out.exists()


def test_cli_usage_errors(tmp_path, capsys):
    m = write_manifest(tmp_path, "a\tx.zh\tx.ko\n")
    assert cli_main(["batch", str(m), "-o", str(tmp_path / "o"), "--address", "1.2.3.4:6379"]) == 2
    assert "--address needs --engine ray" in capsys.readouterr().err
    with pytest.raises(SystemExit) as e:
        cli_main(["batch", str(m), "-o", str(tmp_path / "o"), "--workers", "0"])
    assert e.value.code == 2


def test_align_many_checks_pairs_up_front(tmp_path):
    with pytest.raises(ManifestError, match="pair 2: duplicate id 'a'; first at pair 1"):
        align_many([("a", "x", "y"), {"id": "a", "src": "x", "tgt": "y"}])
    with pytest.raises(ManifestError, match="pair 1: expected"):
        align_many([("a", "x")])
    with pytest.raises(ManifestError, match="would overwrite summary.jsonl"):
        align_many([("summary", "x", "y")], outdir=tmp_path, fmt="jsonl")
    with pytest.raises(ValueError, match="fmt applies"):
        align_many([("a", "x", "y")], fmt="tsv")
    with pytest.raises(ValueError, match="unknown engine"):
        align_many([("a", "x", "y")], engine="spark")

    class Encoder:
        def encode(self, texts):
            raise AssertionError("never called")

    with pytest.raises(ValueError, match="by name or path"):
        align_many([("a", "x", "y")], model=bitext.embed.load_model(Encoder()), workers=2)
    assert not list(tmp_path.iterdir())  # nothing was written


# --- a run with good and broken pairs ---------------------------------------------------


def test_batch_goes_on_past_broken_pairs(first_run, corpus):
    rc, err, out = first_run
    assert rc == 1
    assert set(outputs(out)) == set(GOOD)
    recs = summary(out)
    assert [r["id"] for r in recs] == ORDER  # manifest order
    by_id = {r["id"]: r for r in recs}
    for pid in GOOD:
        r = by_id[pid]
        assert r["status"] == "ok" and r["error"] is None
        assert r["n_src"] >= 1 and r["n_tgt"] >= r["n_src"] and r["n_beads"] >= 1
        assert 0.9 <= r["coverage"] <= 1.0 and r["seconds"] > 0
    for pid, (name, what) in BROKEN.items():
        r = by_id[pid]
        assert r["status"] == "error" and r["n_beads"] is None
        assert name in r["error"] and what in r["error"] and "\n" not in r["error"]
        assert f"failed: {pid}: " in err
    assert "bitext batch: 8 pairs" not in err  # --quiet


def test_outputs_match_single_pair_align(first_run, corpus, model):
    _, _, out = first_run
    zh = (corpus / "texts" / "ed-p2.zh").read_text("utf-8")
    ko = (corpus / "texts" / "ed-p2.ko").read_text("utf-8")
    assert (out / "ed-p2.tsv").read_text("utf-8") == bitext.align(zh, ko, model=model).format("tsv")
    # summary figures are those of the alignment
    a = bitext.align(*slice_pair(0, 1), model=model)
    r = next(r for r in summary(out) if r["id"] == "ed-title")
    assert (r["n_src"], r["n_tgt"], r["n_beads"]) == (len(a.src_sentences), len(a.tgt_sentences), len(a.beads))


def test_align_many_in_process_yields_alignments(corpus, model):
    pairs = [
        ("p2", corpus / "texts" / "ed-p2.zh", corpus / "texts" / "ed-p2.ko"),
        {"id": "gone", "src": corpus / "texts" / "nope.zh", "tgt": corpus / "texts" / "ed-p2.ko"},
        ("p5", str(corpus / "texts" / "ed-p5.zh"), str(corpus / "texts" / "ed-p5.ko"), "zh", "ko"),
    ]
    res = list(align_many(pairs, model=model, ordered=True))
    assert [(r.id, r.status) for r in res] == [("p2", "ok"), ("gone", "error"), ("p5", "ok")]
    assert isinstance(res[0], PairResult) and res[0].alignment is not None
    assert res[0].n_beads == len(res[0].alignment.beads)
    covered = sum(len(b.src_ids) for b in res[2].alignment if b.tgt_ids)
    assert res[2].coverage == round(covered / res[2].n_src, 4)
    assert res[1].alignment is None and "nope.zh: no such file" in res[1].error
    assert res[0].peak_rss_mb and res[0].peak_rss_mb > 50


def test_languages_detected_and_unread_ones_flagged(model, tmp_path):
    """Pairs in other languages need no language columns; a pair in a language
    the model does not read is aligned, flagged in the summary, and counted on stderr."""
    opening = Path(__file__).resolve().parent / "data" / "opening"
    m = write_manifest(
        tmp_path,
        f"en-de\t{opening / 'en.txt'}\t{opening / 'de.txt'}\nen-vi\t{opening / 'en.txt'}\t{opening / 'vi.txt'}\n",
    )
    out = tmp_path / "out"
    rc, err = run_cli(["batch", str(m), "-o", str(out), "-q"], model)
    assert rc == 0, err
    rows = {r["id"]: r for r in summary(out)}
    assert (rows["en-de"]["src_lang"], rows["en-de"]["tgt_lang"], rows["en-de"]["warning"]) == ("en", "de", None)
    assert (rows["en-vi"]["src_lang"], rows["en-vi"]["tgt_lang"]) == ("en", "vi")
    assert "does not read vi" in rows["en-vi"]["warning"]
    assert rows["en-de"]["n_beads"] == rows["en-vi"]["n_beads"] == 3
    assert "warning: en-vi: the model does not read vi" in err and "(1 of 2 pairs;" in err


def test_align_many_writes_tmx(corpus, model, tmp_path):
    import xml.etree.ElementTree as ET

    zh, ko = corpus / "texts" / "ed-p2.zh", corpus / "texts" / "ed-p2.ko"
    (r,) = list(align_many([("p2", zh, ko)], model=model, outdir=tmp_path / "out", fmt="tmx"))
    assert r.status == "ok" and r.output.endswith("p2.tmx")
    text = Path(r.output).read_text("utf-8")
    a = bitext.align(bitext.read_document(zh), bitext.read_document(ko), model=model)
    assert text == a.format("tmx")  # with each unit's paragraph and line, as batch reads documents
    assert '<prop type="x-bitext-src-line">' in text
    units = ET.fromstring(text.encode("utf-8")).find("body").findall("tu")
    assert len(units) == sum(1 for b in a if b.src_ids and b.tgt_ids) > 0


# --- resume -------------------------------------------------------------------------------


def test_rerun_resumes_after_a_kill(first_run, corpus, model, tmp_path):
    _, _, done = first_run
    out = tmp_path / "out"
    shutil.copytree(done, out)
    before = outputs(out)
    mtimes = {p.name: p.stat().st_mtime_ns for p in out.glob("*.tsv")}
    # simulate a kill: ed-p5's output is gone, ed-end's was never renamed into place
    # (its temporary file is left), and the summary stops in the middle of a line
    (out / "ed-p5.tsv").unlink()
    (out / "ed-end.tsv").rename(out / ".ed-end.tsv.k1ll3d00.999999.bitext.tmp")
    text = (out / "summary.jsonl").read_text("utf-8")
    cut = text.index('{"id": "ed-end"') + 20
    (out / "summary.jsonl").write_text(text[:cut], "utf-8")

    rc, _ = run_cli(["batch", str(corpus / "pairs.tsv"), "-o", str(out), "-q"], model)
    assert rc == 1
    status = {r["id"]: r["status"] for r in summary(out)}
    assert status == {
        "ed-title": "skipped",
        "ed-p2": "skipped",
        "ed-p5": "ok",
        "ed-end": "ok",
        "gone": "error",
        "hollow": "error",
        "blob": "error",
        "nolang": "error",
    }
    assert [r["id"] for r in summary(out)] == ORDER
    assert outputs(out) == before
    for name in ("ed-title.tsv", "ed-p2.tsv"):
        assert (out / name).stat().st_mtime_ns == mtimes[name]  # not rewritten
    assert not list(out.glob(".*.tmp"))
    skipped = next(r for r in summary(out) if r["id"] == "ed-p2")
    assert skipped["n_beads"] >= 1 and skipped["coverage"] > 0  # the counts of the run that did it

    # a third run has nothing left to do but the broken pairs; a fixed input is picked up
    (corpus / "texts" / "empty2.ko").write_text(slice_pair(2, 2)[1], "utf-8")
    manifest = (corpus / "pairs.tsv").read_text("utf-8").replace("texts/empty.ko", "texts/empty2.ko")
    m2 = tmp_path / "pairs.tsv"
    m2.write_text(manifest.replace("texts/", f"{corpus}/texts/"), "utf-8")
    rc, _ = run_cli(["batch", str(m2), "-o", str(out), "-q"], model)
    status = {r["id"]: r["status"] for r in summary(out)}
    assert rc == 1 and status["hollow"] == "ok" and status["ed-p5"] == "skipped"
    assert (out / "hollow.tsv").read_bytes() == before["ed-p2"]


def test_second_run_in_same_folder_is_refused(corpus, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    held = OutdirLock(out)
    try:
        with pytest.raises(batch.BatchError, match="another bitext batch"):
            next(align_many([("a", corpus / "texts" / "ed-p2.zh", corpus / "texts" / "ed-p2.ko")], outdir=out))
    finally:
        held.release()


def test_a_model_that_fails_to_load_leaves_nothing_behind(corpus, tmp_path, capsys):
    """The first pair finds that the model cannot load: no summary, lock or
    folder is left where there was none, and a folder that was there keeps
    exactly what it held."""
    new = tmp_path / "new" / "out"
    assert cli_main(["batch", str(corpus / "pairs.tsv"), "-o", str(new), "--device", "cuda", "-q"]) == 2
    assert "runs on the CPU only" in capsys.readouterr().err
    assert not new.exists() and (tmp_path / "new").exists()  # only what the run made is gone
    old = tmp_path / "old"
    old.mkdir()
    (old / "notes.txt").write_text("mine\n", "utf-8")
    assert cli_main(["batch", str(corpus / "pairs.tsv"), "-o", str(old), "--device", "cuda", "-q", "--force"]) == 2
    assert sorted(p.name for p in old.iterdir()) == ["notes.txt"]
    assert (old / "notes.txt").read_text("utf-8") == "mine\n"


# --- same bytes whatever runs it ------------------------------------------------------------


def good_pairs(corpus):
    return [spec for spec in read_manifest(corpus / "pairs.tsv") if spec.id in GOOD or spec.id == "blob"]


def test_two_workers_write_the_same_bytes(first_run, corpus, tmp_path):
    _, _, one = first_run
    out = tmp_path / "two"
    res = list(align_many(good_pairs(corpus), workers=2, outdir=out, cache=False))
    assert sorted(r.status for r in res) == ["error"] + ["ok"] * len(GOOD)
    workers = {r.worker for r in res}
    assert 1 <= len(workers) <= 2 and not any(w.endswith(f":{os.getpid()}") for w in workers)  # worker processes
    assert outputs(out) == outputs(one)
    assert [r["id"] for r in summary(out)] == [s.id for s in good_pairs(corpus)]


@pytest.mark.skipif(importlib.util.find_spec("ray") is None, reason="ray is not installed (pip install 'bitext[ray]')")
def test_ray_writes_the_same_bytes(first_run, corpus, tmp_path):
    import ray

    _, _, one = first_run
    out = tmp_path / "ray"
    env = {k: os.environ.pop(k) for k in ("RAY_ADDRESS",) if k in os.environ}
    try:
        res = list(align_many(good_pairs(corpus), engine="ray", workers=2, outdir=out, cache=False, fmt="tsv"))
    finally:
        os.environ.update(env)
    assert not ray.is_initialized()  # the instance it started is shut down
    assert sorted(r.status for r in res) == ["error"] + ["ok"] * len(GOOD)
    assert outputs(out) == outputs(one)
    blob = next(r for r in summary(out) if r["id"] == "blob")
    assert "blob.zh: looks like a binary file" in blob["error"]


def test_ray_missing_is_a_clear_usage_error(corpus, tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "ray", None)  # import ray -> ImportError
    with pytest.raises(batch.BatchError, match=r"pip install 'bitext\[ray\]'"):
        align_many([("a", "x", "y")], engine="ray")
    rc = cli_main(["batch", str(corpus / "pairs.tsv"), "-o", str(tmp_path / "o"), "--engine", "ray", "-q"])
    assert rc == 2
    assert "--engine ray needs Ray: pip install 'bitext[ray]'" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()

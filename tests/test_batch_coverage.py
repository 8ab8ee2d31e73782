"""Coverage of many documents: ``bitext batch --coverage`` (reports computed in the
workers, beside each alignment, counts in summary.jsonl) and the one table of a
batch, from its folder and from results in memory.

Real text: the seed editorial, an incomplete translation of it (one Korean
paragraph deleted), a padded one (a sentence of another Korean article on the
subject inserted) and a pair whose file is missing.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

import bitext
from bitext.batch import REPORT_SUFFIX, align_many
from bitext.check.coverage import coverage
from bitext.cli import main as cli_main

pd = pytest.importorskip("pandas", reason="needs the notebook extra: pip install 'bitext[notebook]'")
from bitext.views.frames import batch_frame, batch_reports  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
INSERTED = "실제로 미국 기업들은 수익 창출을 위해 제한적 사용, 고가 구독 중심의 사업모델을 유지해 왔다."
IDS = ["seed", "incomplete", "padded", "missing"]
DELETED = {11, 31, 42}  # ko sentences, each the whole translation of zh 7, 17 and 25 (tests/data/*.beads)


@pytest.fixture(scope="module")
def pairs(tmp_path_factory, editorial):
    from bitext.text.segment import split

    zh, ko = editorial
    d = tmp_path_factory.mktemp("pairs")
    kept, padded = {}, {}
    for j, s in enumerate(split(ko, "ko")):
        if j not in DELETED:
            kept.setdefault(s.paragraph, []).append(s.text)
        padded.setdefault(s.paragraph, []).append(s.text)
        if j == 9:  # inside the bead [6]:[9, 10], as in the notebook
            padded[s.paragraph].append(INSERTED)
    variants = {
        "seed": ko,
        "incomplete": "\n".join(" ".join(v) for _, v in sorted(kept.items())) + "\n",
        "padded": "\n".join(" ".join(v) for _, v in sorted(padded.items())) + "\n",
    }
    for pid, text in variants.items():
        (d / f"{pid}.zh").write_text(zh, "utf-8")
        (d / f"{pid}.ko").write_text(text, "utf-8")
    rows = [f"{pid}\t{pid}.zh\t{pid}.ko\tzh\tko" for pid in variants] + ["missing\tnope.zh\tseed.ko\tzh\tko"]
    (d / "pairs.tsv").write_text("\n".join(rows) + "\n", "utf-8")
    return d


@pytest.fixture(scope="module")
def cli_run(pairs, tmp_path_factory):
    """``bitext batch --coverage -w 2``, with the parent unable to compute a report."""
    out = tmp_path_factory.mktemp("out") / "batch"
    mp = pytest.MonkeyPatch()
    mp.setattr(
        sys.modules["bitext.check.coverage"],
        "coverage",
        lambda *a, **k: (_ for _ in ()).throw(AssertionError("report computed in the parent")),
    )
    try:
        code = cli_main(["batch", str(pairs / "pairs.tsv"), "-o", str(out), "-w", "2", "--coverage", "-q"])
    finally:
        mp.undo()
    return code, out


def test_cli_writes_reports_beside_alignments(cli_run, editorial, embedder):
    code, out = cli_run
    assert code == 1  # the missing pair failed, the others went on
    summary = [json.loads(x) for x in (out / "summary.jsonl").read_text("utf-8").splitlines()]
    assert [r["id"] for r in summary] == IDS
    by = {r["id"]: r for r in summary}
    assert by["missing"]["status"] == "error" and "report_coverage" not in by["missing"]
    assert not (out / f"missing{REPORT_SUFFIX}").exists()
    for pid in IDS[:3]:
        assert (out / f"{pid}.tsv").is_file()
        rep = json.loads((out / f"{pid}{REPORT_SUFFIX}").read_text("utf-8"))
        rec = by[pid]
        assert rec["report_coverage"] == rep["coverage"]
        assert rec["omissions"] == rep["counts"]["omitted_sentences"]
        assert rec["additions"] == rep["counts"]["added_sentences"]
        assert rec["low_confidence"] == rep["counts"]["low_confidence"]
        assert rec["suspects"] == rep["counts"]["suspects"]
        assert rec["findings"] == rep["counts"]["findings"]
        assert rec["finding_kinds"] == rep["counts"]["findings_by_kind"]
    # the seed's report is the one computed here (same model, threads=1 in the workers)
    zh, ko = editorial
    here = coverage(bitext.align(zh, ko, "zh", "ko", model=embedder)).to_dict()
    seed = json.loads((out / f"seed{REPORT_SUFFIX}").read_text("utf-8"))
    assert seed["counts"] == here["counts"] and seed["coverage"] == here["coverage"] == 1.0
    assert [a["tgt_ids"] for a in seed["additions"]] == [a["tgt_ids"] for a in here["additions"]]
    assert by["seed"]["omissions"] == 0 and by["seed"]["additions"] == 1  # the footnote
    incomplete = json.loads((out / f"incomplete{REPORT_SUFFIX}").read_text("utf-8"))
    assert {7, 17, 25} <= {i for o in incomplete["omissions"] for i in o["src_ids"]}
    assert by["incomplete"]["omissions"] >= 3 and by["incomplete"]["report_coverage"] < 0.9
    assert by["padded"]["additions"] >= 2  # the footnote and the inserted sentence


def test_batch_table_agrees_with_summary(cli_run):
    _, out = cli_run
    summary = {r["id"]: r for r in map(json.loads, (out / "summary.jsonl").read_text("utf-8").splitlines())}
    df = batch_frame(out)
    assert df.index.tolist() == IDS
    assert list(df.columns) == [
        "status",
        "n_src",
        "n_tgt",
        "n_beads",
        "coverage",
        "omissions",
        "additions",
        "low_confidence",
        "suspects",
        "findings",
        "warning",
        "error",
        "seconds",
    ]
    for pid, rec in summary.items():
        row = df.loc[pid]
        assert row["status"] == rec["status"]
        for k in ("n_src", "n_tgt", "n_beads", "omissions", "additions", "low_confidence", "suspects"):
            assert (pd.isna(row[k]) and rec.get(k) is None) or row[k] == rec[k], (pid, k)
        if rec["status"] == "ok":
            assert row["coverage"] == rec["report_coverage"]
    assert "nope.zh" in df.loc["missing", "error"] and pd.isna(df.loc["missing", "coverage"])
    reports = batch_reports(out)
    assert sorted(reports) == ["incomplete", "padded", "seed"]
    assert reports["seed"]["counts"]["added_sentences"] == 1


def test_rerun_keeps_the_counts(cli_run, pairs, capsys):
    code, out = cli_run
    before = batch_frame(out)
    assert cli_main(["batch", str(pairs / "pairs.tsv"), "-o", str(out), "--coverage", "-q"]) == 1
    after = batch_frame(out)
    done = before["status"] == "ok"
    assert (after.loc[done, "status"] == "skipped").all()
    cols = ["coverage", "omissions", "additions", "low_confidence", "suspects"]
    assert after.loc[done, cols].equals(before.loc[done, cols])


def test_in_memory_table_and_reports(pairs, cli_run, embedder):
    _, out = cli_run
    results = list(align_many(_specs(pairs), model=embedder, coverage=True, ordered=True))
    reports = batch_reports(results)
    assert sorted(reports) == ["incomplete", "padded", "seed"]
    assert all(r.alignment is res.alignment for res in results for r in [res.report] if r is not None)
    df = batch_frame(results)
    folder = batch_frame(out)
    cols = ["n_src", "n_tgt", "n_beads", "coverage", "omissions", "additions", "low_confidence", "suspects"]
    assert df[cols].equals(folder[cols]), (df[cols], folder[cols])
    assert df["status"].tolist() == ["ok", "ok", "ok", "error"]
    assert reports["incomplete"].omitted_ids and len(reports["padded"].added_ids) == df.loc["padded", "additions"]


def test_without_coverage_the_summary_is_as_before(pairs, embedder, tmp_path):
    results = list(align_many(_specs(pairs)[:1], model=embedder, outdir=tmp_path / "o"))
    line = json.loads((tmp_path / "o" / "summary.jsonl").read_text("utf-8"))
    assert "report_coverage" not in line and "omissions" not in line
    assert not list((tmp_path / "o").glob(f"*{REPORT_SUFFIX}"))
    df = batch_frame(results)
    assert df.loc["seed", "coverage"] == results[0].coverage and pd.isna(df.loc["seed", "omissions"])


def _specs(pairs):
    from bitext.batch import read_manifest

    return read_manifest(pairs / "pairs.tsv")

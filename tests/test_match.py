"""Tests for bitext.match (``bitext match``): which documents of two collections translate which.

Real text: the seed editorial (zh/ko), whole and cut into four parts (paragraph
ranges of one editorial: the same subject throughout, so each part must find
its own translation, not its neighbour), and the four Korean seed articles on
the same subject that translate nothing. The default model is loaded once
here (one BLAS thread, as workers use it).
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

import numpy as np
import pytest
from conftest import SEEDS, one_error_line

import bitext
from bitext.batch import engines
from bitext.cli import main as cli_main
from bitext.match import MatchError, collect
from bitext.match.result import pair_ids
from bitext.match.search import TopK, candidate_pairs, search_rows

OTHERS = sorted(SEEDS.glob("00[1-4]_*.txt"))  # Korean articles on the same subject, no counterpart
# zh paragraphs (lines) of each part -> the ko lines that translate them
PARTS = {"p1": ((0, 1), (0, 1)), "p2": ((2, 3), (2, 6)), "p3": ((4, 5), (7, 12)), "p4": ((6, 7), (13, 19))}
NAMES = {"p1": "k-93.txt", "p2": "k-07.txt", "p3": "k-51.txt", "p4": "k-28.txt"}  # shuffled target names


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


def run_cli(argv, model, stdin: str | None = None) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with (
        shared_model(model),
        contextlib.redirect_stdout(out),
        contextlib.redirect_stderr(err),
        pytest.MonkeyPatch.context() as mp,
    ):
        if stdin is not None:
            mp.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin.encode("utf-8")), encoding="utf-8"))
        rc = cli_main(argv)
    return rc, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def parts(tmp_path_factory, editorial):
    """zh/ holds the four parts of the editorial, ko/ their translations under other
    names and the four Korean articles; gold maps zh file to ko file."""
    zh, ko = (t.splitlines() for t in editorial)
    d = tmp_path_factory.mktemp("parts")
    (d / "zh").mkdir()
    (d / "ko").mkdir()
    for pid, ((a, b), (c, e)) in PARTS.items():
        (d / "zh" / f"{pid}.txt").write_text("\n".join(zh[a : b + 1]) + "\n", "utf-8")
        (d / "ko" / NAMES[pid]).write_text("\n".join(ko[c : e + 1]) + "\n", "utf-8")
    for p in OTHERS:
        shutil.copy(p, d / "ko" / p.name)
    return d, {f"{pid}.txt": NAMES[pid] for pid in PARTS}


def manifest_pairs(text: str) -> list[list[str]]:
    return [line.split("\t") for line in text.splitlines() if line and not line.startswith("#")]


# --- finding the pairs -------------------------------------------------------------


def test_the_editorial_against_its_translation_and_four_articles_on_its_subject_is_one_pair(tmp_path, editorial, model):
    (tmp_path / "zh").mkdir()
    (tmp_path / "ko").mkdir()
    (tmp_path / "zh" / "editorial.txt").write_text(editorial[0], "utf-8")
    (tmp_path / "ko" / "translation.txt").write_text(editorial[1], "utf-8")
    for p in OTHERS:
        shutil.copy(p, tmp_path / "ko" / p.name)
    m = bitext.match(tmp_path / "zh", tmp_path / "ko", model=model)
    assert [(p.src, p.tgt, p.src_lang, p.tgt_lang) for p in m.pairs] == [
        ("editorial.txt", "translation.txt", "zh", "ko")
    ]
    e = m.pairs[0].evidence
    assert e.src_coverage > 0.8 and e.tgt_coverage > 0.8 and e.order > 0.5
    assert sorted(m.unmatched_tgt) == sorted(p.name for p in OTHERS)
    # the four articles are near misses: same subject, few sentences align
    near = {n.tgt: n for n in m.near_misses}
    assert set(near) == {p.name for p in OTHERS}
    for n in near.values():
        assert n.src == "editorial.txt" and n.reason == "too few sentences align"
        assert n.evidence.score < 0.5 < e.score
        assert "same subject as editorial.txt, but only" in m.describe_near_miss(n)


def test_each_part_finds_its_own_translation_not_its_neighbour(parts, model):
    d, gold = parts
    m = bitext.match(d / "zh", d / "ko", model=model)
    assert {p.src: p.tgt for p in m.pairs} == gold
    assert sorted(m.unmatched_tgt) == sorted(p.name for p in OTHERS)
    assert m.unmatched_src == [] and m.skipped == []
    for p in m.pairs:
        assert p.score >= bitext.match.MIN_COVERAGE
    df = m.to_pandas()
    assert list(df[df.kind == "pair"].src) == [p.src for p in m.pairs]


def test_a_document_without_its_counterpart_stays_unpaired(parts, model, tmp_path):
    d, gold = parts
    shutil.copytree(d / "ko", tmp_path / "ko")
    (tmp_path / "ko" / NAMES["p3"]).unlink()  # p3's translation is gone; its neighbours are still there
    m = bitext.match(d / "zh", tmp_path / "ko", model=model)
    assert {p.src: p.tgt for p in m.pairs} == {k: v for k, v in gold.items() if k != "p3.txt"}
    assert m.unmatched_src == ["p3.txt"]


def test_texts_in_python_and_all_pairs(editorial, model):
    zh, ko = editorial
    m = bitext.match({"ed": zh}, [ko, OTHERS[0].read_text("utf-8")], model=model)
    assert [(p.src, p.tgt) for p in m.pairs] == [("ed", "0")]
    # a second copy of the translation: one to one keeps one, --all-pairs both; the other is "taken"
    m = bitext.match({"ed": zh}, {"a": ko, "b": ko}, model=model)
    assert len(m.pairs) == 1 and [n.reason for n in m.near_misses] == ["taken"]
    assert "pair better" in m.describe_near_miss(m.near_misses[0])
    m = bitext.match({"ed": zh}, {"a": ko, "b": ko}, model=model, one_to_one=False)
    assert sorted(p.tgt for p in m.pairs) == ["a", "b"]


def test_each_document_is_encoded_once_and_a_rerun_reads_the_cache(parts, model, monkeypatch):
    d, _ = parts
    calls = []
    pooled = type(model).pooled

    def counting(self, sentences, progress=None):
        calls.append(tuple(sentences))
        return pooled(self, sentences, progress)

    monkeypatch.setattr(type(model), "pooled", counting)
    monkeypatch.setenv("BITEXT_CACHE_DIR", str(d.parent / "fresh-cache"))
    model._cache.__init__(d.parent / "fresh-cache", model.key)
    bitext.match(d / "zh", d / "ko", model=model)
    n_docs = len(list((d / "zh").iterdir())) + len(list((d / "ko").iterdir()))
    assert len(calls) == n_docs and len(set(calls)) == n_docs
    calls.clear()
    bitext.match(d / "zh", d / "ko", model=model)
    assert calls == []


def test_two_workers_find_the_same_pairs(parts):
    d, gold = parts
    m = bitext.match(d / "zh", d / "ko", workers=2, chunk_docs=2, confirm_per_task=3)
    assert {p.src: p.tgt for p in m.pairs} == gold


@pytest.mark.skipif(importlib.util.find_spec("ray") is None, reason="ray is not installed (pip install 'bitext[ray]')")
def test_ray_actors_find_the_same_pairs(parts):
    import ray

    d, gold = parts
    m = bitext.match(d / "zh", d / "ko", engine="ray", workers=2, chunk_docs=2, search_rows_per_task=2)
    assert {p.src: p.tgt for p in m.pairs} == gold
    assert not ray.is_initialized()  # the instance it started is shut down


# --- the manifest, and bitext batch after it ---------------------------------------


def test_match_then_batch_aligns_the_pairs_it_found(parts, model, tmp_path):
    d, gold = parts
    manifest = tmp_path / "pairs.tsv"
    rc, out, err = run_cli(["match", str(d / "zh"), str(d / "ko"), "-o", str(manifest), "-q"], model)
    assert rc == 0 and out == "" and err == "", err
    rows = manifest_pairs(manifest.read_text("utf-8"))
    assert {Path(r[1]).name: Path(r[2]).name for r in rows} == gold
    assert all(r[3:] == ["zh", "ko"] for r in rows)
    assert rows[0][1] == "../" + os.path.relpath(d / "zh" / Path(rows[0][1]).name, tmp_path.parent)  # relative paths
    text = manifest.read_text("utf-8")
    assert "# score" in text and "near misses" in text and "with no counterpart" in text
    rc, _, err = run_cli(["batch", str(manifest), "-o", str(tmp_path / "out"), "-q"], model)
    assert rc == 0, err
    summary = [json.loads(x) for x in (tmp_path / "out" / "summary.jsonl").read_text("utf-8").splitlines()]
    assert {Path(s["src"]).name: Path(s["tgt"]).name for s in summary} == gold
    assert all(s["status"] == "ok" and s["coverage"] > 0.9 for s in summary)
    beads = (tmp_path / "out" / f"{summary[0]['id']}.tsv").read_text("utf-8").splitlines()
    assert len(beads) > 2


def test_match_piped_into_batch(parts, model, tmp_path):
    d, gold = parts
    rc, out, err = run_cli(["match", str(d / "zh"), str(d / "ko"), "-q"], model)
    assert rc == 0, err
    assert all(os.path.isabs(r[1]) and os.path.isabs(r[2]) for r in manifest_pairs(out))
    rc, _, err = run_cli(["batch", "-", "-o", str(tmp_path / "out"), "-q"], model, stdin=out)
    assert rc == 0, err
    assert len(list((tmp_path / "out").glob("*.tsv"))) == len(gold)


def test_jsonl_sides_write_the_paired_texts_for_batch(editorial, model, tmp_path):
    zh, ko = editorial
    src, tgt = tmp_path / "zh.jsonl", tmp_path / "ko.jsonl"
    src.write_text(json.dumps({"id": "社评/2025-02-14", "text": zh}, ensure_ascii=False) + "\n", "utf-8")
    tgt.write_text(
        "".join(
            json.dumps({"id": i, "text": t}, ensure_ascii=False) + "\n"
            for i, t in ((7, OTHERS[1].read_text("utf-8")), ("번역", ko))
        ),
        "utf-8",
    )
    manifest = tmp_path / "out" / "pairs.tsv"
    manifest.parent.mkdir()
    rc, _, err = run_cli(["match", str(src), str(tgt), "-o", str(manifest), "-q"], model)
    assert rc == 0, err
    ((pid, s, t, sl, tl),) = manifest_pairs(manifest.read_text("utf-8"))
    assert (sl, tl) == ("zh", "ko") and pid == "2025-02-14"
    assert (manifest.parent / s).read_text("utf-8").strip() == zh.strip()
    assert (manifest.parent / t).read_text("utf-8").strip() == ko.strip()
    assert s.startswith("pairs.docs/")


# --- bad input: one line, exit 2, nothing written ----------------------------------


@pytest.fixture
def sides(tmp_path, editorial):
    for side, text in (("zh", editorial[0]), ("ko", editorial[1])):
        (tmp_path / side).mkdir()
        (tmp_path / side / "a.txt").write_text(text, "utf-8")
    return tmp_path


def refused(argv, model, *needles, written=()):
    rc, out, err = run_cli(argv + ["-q"], model)
    assert rc == 2 and out == ""
    one_error_line(err, "bitext match: error:", *needles)
    for p in written:
        assert not os.path.lexists(p), p


def test_an_empty_folder_is_refused(sides, model):
    (sides / "empty").mkdir()
    refused(
        ["match", str(sides / "zh"), str(sides / "empty"), "-o", str(sides / "m.tsv")],
        model,
        "empty",
        "no documents",
        written=[sides / "m.tsv"],
    )


def test_a_binary_file_is_refused_and_skipped_with_skip_bad(sides, model):
    (sides / "ko" / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01" * 50)
    out = sides / "m.tsv"
    refused(
        ["match", str(sides / "zh"), str(sides / "ko"), "-o", str(out)],
        model,
        "photo.jpg",
        "binary",
        "--skip-bad",
        written=[out],
    )
    rc, _, err = run_cli(["match", str(sides / "zh"), str(sides / "ko"), "-o", str(out), "--skip-bad", "-q"], model)
    assert rc == 0
    assert "skipped:" in err and "photo.jpg" in err
    text = out.read_text("utf-8")
    assert [Path(r[2]).name for r in manifest_pairs(text)] == ["a.txt"]
    assert "documents skipped (cannot be read): 1" in text and "photo.jpg" in text


def test_an_unreadable_file_is_refused(sides, model):
    os.symlink(sides / "nowhere.txt", sides / "ko" / "gone.txt")  # a link to nothing: cannot be read
    refused(
        ["match", str(sides / "zh"), str(sides / "ko"), "-o", str(sides / "m.tsv")],
        model,
        "gone.txt",
        written=[sides / "m.tsv"],
    )


def test_duplicate_ids_in_jsonl_are_refused(sides, model, editorial):
    p = sides / "ko.jsonl"
    p.write_text(
        json.dumps({"id": "x", "text": editorial[1]}) + "\n" + json.dumps({"id": "x", "text": "다른 글."}) + "\n",
        "utf-8",
    )
    refused(
        ["match", str(sides / "zh"), str(p), "-o", str(sides / "m.tsv")],
        model,
        f"{p}:2",
        "duplicate id 'x'",
        "line 1",
        written=[sides / "m.tsv"],
    )
    p.write_text('{"id": "a", "text": "좋은 글."}\n{"id": "b" "text": "x"}\n', "utf-8")
    refused(["match", str(sides / "zh"), str(p), "-o", str(sides / "m.tsv")], model, f"{p}:2", "not a JSON line")


def test_the_manifest_may_not_be_an_input(sides, model, editorial):
    p = sides / "ko.jsonl"
    p.write_text(json.dumps({"id": "x", "text": editorial[1]}) + "\n", "utf-8")
    before = p.read_bytes()
    refused(["match", str(sides / "zh"), str(p), "-o", str(p)], model, "is an input")
    assert p.read_bytes() == before
    refused(
        ["match", str(sides / "zh"), str(sides / "ko"), "-o", str(sides / "ko" / "m.tsv")],
        model,
        "inside the input folder",
        written=[sides / "ko" / "m.tsv"],
    )
    refused(
        ["match", str(sides / "zh"), str(sides / "zh"), "-o", str(sides / "m.tsv")],
        model,
        "the same folder",
        written=[sides / "m.tsv"],
    )


def test_jsonl_to_standard_output_needs_a_docs_dir(sides, model, editorial):
    p = sides / "ko.jsonl"
    p.write_text(json.dumps({"id": "x", "text": editorial[1]}) + "\n", "utf-8")
    refused(["match", str(sides / "zh"), str(p)], model, "--docs-dir")


# --- the parts ---------------------------------------------------------------------


def test_collect_sides(tmp_path):
    (tmp_path / "d" / "sub").mkdir(parents=True)
    (tmp_path / "d" / "sub" / "b.txt").write_text("x", "utf-8")
    (tmp_path / "d" / "a.txt").write_text("x", "utf-8")
    (tmp_path / "d" / ".hidden").write_text("x", "utf-8")
    assert [d.id for d in collect(tmp_path / "d")] == ["a.txt", "sub/b.txt"]
    assert [d.id for d in collect(["x", "y"])] == ["0", "1"]
    with pytest.raises(MatchError, match="duplicate id 'a'"):
        collect([("a", "x"), ("a", "y")])
    with pytest.raises(MatchError, match="no such file"):
        collect(tmp_path / "missing")
    (tmp_path / "d" / "tab\there.txt").write_text("x", "utf-8")
    with pytest.raises(MatchError, match="a tab or a line break in the name"):
        collect(tmp_path / "d")


def test_documents_in_memory_and_in_jsonl_are_held_to_the_same_rules(tmp_path):
    seed = (SEEDS / "global-times-editorial.zh.txt").read_text("utf-8")
    jsonl = tmp_path / "docs.jsonl"
    for pid, text, why in (("", seed, "non-empty string or a number"), ("a", 3, "must be a string")):
        jsonl.write_text(json.dumps({"id": pid, "text": text}, ensure_ascii=False) + "\n", "utf-8")
        with pytest.raises(MatchError, match=why) as from_file:
            collect(jsonl)
        assert f"{jsonl}:1:" in str(from_file.value)
        with pytest.raises(MatchError, match=why) as from_list:
            collect([(pid, text)], "src")
        assert "src[0]:" in str(from_list.value)


def test_pair_ids_are_safe_file_names():
    ids = pair_ids(["a.txt", "sub/a.txt", "A.txt", "社评.txt", ".hidden", "x" * 300 + ".txt"])
    assert ids[:3] == ["a", "sub_a", "A-2"]
    assert ids[3].startswith("pair-4") and ids[4] == "hidden" and len(ids[5]) <= 200
    from bitext.formats.summary import check_id

    assert all(check_id(i) is None for i in ids)


def test_block_search_finds_the_exact_nearest_documents(tmp_path):
    rng = np.random.default_rng(0)
    src = rng.standard_normal((70, 16)).astype(np.float32)
    tgt = rng.standard_normal((130, 16)).astype(np.float32)
    src /= np.linalg.norm(src, axis=1, keepdims=True)
    tgt /= np.linalg.norm(tgt, axis=1, keepdims=True)
    tgt[5] = 0.0  # a document that failed
    np.save(tmp_path / "s.npy", src)
    np.save(tmp_path / "t.npy", tgt)
    top = TopK(70, 130, 3)
    for a in range(0, 70, 32):  # tasks of 32 rows, blocks of 50 targets
        top.add(search_rows(None, str(tmp_path / "s.npy"), str(tmp_path / "t.npy"), a, min(a + 32, 70), 3, block=50))
    pairs, sims, rank = candidate_pairs(top)
    full = src @ tgt.T
    full[:, 5] = -9
    want = {(i, int(j)) for i in range(70) for j in np.argsort(-full[i])[:3]}
    want |= {(int(i), j) for j in range(130) if j != 5 for i in np.argsort(-full[:, j])[:3]}
    assert {tuple(p) for p in pairs.tolist()} == want
    assert np.allclose(sims, full[pairs[:, 0], pairs[:, 1]], atol=1e-5)
    assert rank.min() == 0 and rank.max() == 2

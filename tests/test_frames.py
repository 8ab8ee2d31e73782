"""DataFrames, repr and notebook display of the seed's alignment and coverage report."""

from __future__ import annotations

import re

import pytest

from bitext.check.coverage import coverage

pd = pytest.importorskip("pandas", reason="needs the notebook extra: pip install 'bitext[notebook]'")

FOOTNOTE = "* 垓字"


@pytest.fixture(scope="module")
def seed(editorial_alignment):
    return editorial_alignment, coverage(editorial_alignment)


def test_alignment_frame(seed):
    a, _ = seed
    df = a.to_pandas()
    assert list(df.columns) == ["src_ids", "tgt_ids", "kind", "score", "similarity", "src", "tgt"]
    assert df.index.name == "bead" and len(df) == len(a)
    assert df["src_ids"].map(len).sum() == len(a.src_sentences) == 27
    assert df["tgt_ids"].map(len).sum() == len(a.tgt_sentences) == 44
    assert df["kind"].tolist() == [b.kind for b in a]
    assert df["score"].between(0, 1).all() and df["score"].dtype == float
    row = df.loc[df["tgt"].str.startswith(FOOTNOTE)]
    assert len(row) == 1 and row["src_ids"].iloc[0] == () and row["kind"].iloc[0] == "0-1"
    assert df.loc[0, "src"] == a[0].src


def test_report_frames(seed):
    a, r = seed
    beads = r.to_pandas()
    assert list(beads.columns) == ["src_ids", "tgt_ids", "kind", "score", "similarity", "status", "src", "tgt"]
    assert len(beads) == len(a)
    foot = beads[beads["tgt"].str.startswith(FOOTNOTE)]
    assert foot["status"].tolist() == ["addition"]
    assert (beads["status"] == "ok").sum() == len(a) - 2  # the footnote and the DeepSeek suspect

    f = r.to_pandas("findings")
    assert list(f.columns) == [
        "finding",
        "kind",
        "bead",
        "src_ids",
        "tgt_ids",
        "paragraph",
        "score",
        "src",
        "tgt",
        "reasons",
        "evidence",
    ]
    assert f["finding"].tolist() == ["addition", "suspect"]
    add = f.iloc[0]
    assert add["kind"] == "unaligned" and add["tgt"].startswith(FOOTNOTE) and add["bead"] == foot.index[0]
    sus = f.iloc[1]
    assert "DeepSeek" in sus["reasons"] and beads.loc[sus["bead"], "status"] == "suspect"

    p = r.to_pandas("paragraphs")
    assert p.index.name == "paragraph" and len(p) == len(r.paragraphs)
    assert p["sentences"].sum() == 27 and (p["coverage"] == 1.0).all()
    with pytest.raises(ValueError, match="findings"):
        r.to_pandas("nope")


def test_findings_of_an_incomplete_translation(editorial, embedder):
    import bitext
    from bitext.text.segment import split

    zh, ko = editorial
    sents = split(ko, "ko")
    pars = {}
    for j, s in enumerate(sents):
        if j not in (11, 31, 42):
            pars.setdefault(s.paragraph, []).append(s.text)
    a = bitext.align(zh, "\n".join(" ".join(v) for _, v in sorted(pars.items())), "zh", "ko", model=embedder)
    f = coverage(a).to_pandas("findings")
    om = f[f["finding"] == "omission"]
    assert {7, 17, 25} <= {i for ids in om["src_ids"] for i in ids}
    assert om["kind"].isin(["unaligned", "unmatched"]).all()
    for _, row in om.iterrows():
        assert row["paragraph"] == a.src_sentences[row["src_ids"][0]].paragraph


def test_repr_is_short(seed):
    a, r = seed
    ra, rr = repr(a), repr(r)
    assert len(ra) < 200 and len(rr) < 200
    assert "27 x 44 sentences" in ra and f"{len(a)} beads" in ra and "0-1: 1" in ra
    assert "coverage 100.0% (27/27)" in rr and "1 added" in rr and "1 suspect" in rr


def test_repr_html(seed):
    a, r = seed
    for obj in (a, r):
        h = obj._repr_html_()
        assert h.count('<tr class="s-') == 20
        assert f"{len(a) - 20} more beads not shown" in h
    assert "coverage <b>100.0%</b>" in r._repr_html_()


def test_frames_need_pandas_named(monkeypatch, seed):
    import builtins

    real = builtins.__import__

    def no_pandas(name, *args, **kw):
        if name == "pandas":
            raise ImportError("no pandas")
        return real(name, *args, **kw)

    monkeypatch.setattr(builtins, "__import__", no_pandas)
    with pytest.raises(ImportError, match=re.escape('pip install "bitext[notebook]"')):
        seed[0].to_pandas()


def test_legend_names_each_status_once(seed):
    """The legend above the beads: each status with what it means, never its label twice over
    ("omission (omission (no translation))")."""
    import html

    def legend(obj) -> str:
        part = obj._repr_html_().split('<div style="font-size:90%">', 1)[1].split("<table", 1)[0]
        return html.unescape(re.sub(r"<[^>]+>", "", part))

    a, r = seed
    assert legend(r) == "■ ok: translated ■ suspect (numbers or names differ) ■ addition (no source)"
    assert legend(a) == "■ ok: translated ■ addition (no source)"

"""Re-aligning around fixed beads (``--fixed``), the JSONL header, and bad fixed files."""

import hashlib
import json

import pytest
from conftest import SEEDS, bead_ids, jsonl_beads, one_error_line

import bitext
from bitext.cli import main

ZH = str(SEEDS / "global-times-editorial.zh.txt")
KO = str(SEEDS / "global-times-editorial.ko.txt")


def _jsonl(path):
    return jsonl_beads(path.read_text("utf-8"))


def _write(path, header, beads):
    path.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in [header, *beads]), "utf-8")


_ids = bead_ids


@pytest.fixture(scope="module")
def aligned(tmp_path_factory):
    d = tmp_path_factory.mktemp("fixed")
    out = d / "seed.jsonl"
    assert main(["align", ZH, KO, "-o", str(out), "-q"]) == 0  # jsonl from the extension
    return out


def test_header_names_languages_version_and_sentence_hashes(aligned, editorial_alignment):
    header, beads = _jsonl(aligned)
    a = editorial_alignment
    assert header["bitext"] == bitext.__version__
    assert (header["src_lang"], header["tgt_lang"]) == ("zh", "ko")
    assert header["src_sha256"] == hashlib.sha256("\n".join(s.text for s in a.src_sentences).encode()).hexdigest()
    assert header["tgt_sha256"] == hashlib.sha256("\n".join(s.text for s in a.tgt_sentences).encode()).hexdigest()
    assert (header["src_sentences"], header["tgt_sentences"]) == (27, 44)
    assert _ids(beads) == [(b.src_ids, b.tgt_ids) for b in a]
    assert "approved" not in beads[0]  # plain alignment: no review fields


def test_all_approved_returns_exactly_the_approved_beads(aligned, tmp_path):
    header, beads = _jsonl(aligned)
    for b in beads:
        b["approved"] = True
    beads[5]["comment"] = "checked against the print edition"
    fixed = tmp_path / "approved.jsonl"
    _write(fixed, header, beads)
    out = tmp_path / "again.jsonl"
    assert main(["align", ZH, KO, "--fixed", str(fixed), "-o", str(out), "-q"]) == 0
    header2, again = _jsonl(out)
    assert header2 == header
    assert _ids(again) == _ids(beads)
    assert all(b["approved"] and not b["edited"] and b["score"] == 1.0 for b in again)
    assert [b["src"] for b in again] == [b["src"] for b in beads] and [b["tgt"] for b in again] == [
        b["tgt"] for b in beads
    ]
    assert again[5]["comment"] == "checked against the print edition"


def test_one_bead_moved_by_hand_its_neighbours_follow(aligned, tmp_path):
    header, beads = _jsonl(aligned)
    k = _ids(beads).index(((3,), (3, 4)))
    assert _ids(beads)[k + 1] == ((4,), (5, 6, 7))
    # a reviewer moves target sentence 4 from bead k to the next bead: bead k is edited
    beads[k]["tgt_ids"] = [3]
    beads[k]["edited"] = True
    fixed = tmp_path / "moved.jsonl"
    _write(fixed, header, beads)
    out = tmp_path / "moved-out.jsonl"
    assert main(["align", ZH, KO, "--fixed", str(fixed), "-o", str(out), "-q"]) == 0
    _, again = _jsonl(out)
    got = _ids(again)
    assert got[:k] == _ids(beads)[:k]  # before the fix: aligned as before
    assert got[k] == ((3,), (3,)) and again[k]["edited"] and again[k]["score"] == 1.0
    assert got[k + 1] == ((4,), (4, 5, 6, 7))  # the neighbour takes the sentence the fix let go
    assert got[k + 2 :] == _ids(beads)[k + 2 :]  # the rest as before
    assert "edited" not in again[k + 1]


def test_api_fixed_from_a_file_or_from_beads(aligned, editorial, embedder, tmp_path):
    zh, ko = editorial
    header, beads = _jsonl(aligned)
    beads[0]["approved"] = True
    beads[0]["src_ids"], beads[0]["tgt_ids"] = [0, 1], [0, 1]  # merged by hand
    beads[1]["src_ids"], beads[1]["tgt_ids"] = [], []
    del beads[1]
    fixed = tmp_path / "merged.jsonl"
    _write(fixed, header, beads)
    a = bitext.align(zh, ko, model=embedder, fixed=fixed)
    assert (a[0].src_ids, a[0].tgt_ids) == ((0, 1), (0, 1)) and a[0].approved
    assert (a[1].src_ids, a[1].tgt_ids) == ((2,), (2,)) and not hasattr(a[1], "approved")
    b = bitext.align(zh, ko, model=embedder, fixed=[((0, 1), (0, 1))])
    assert [(x.src_ids, x.tgt_ids) for x in b] == [(x.src_ids, x.tgt_ids) for x in a]
    # an omission placed by hand: the fixed 1-0 bead stays where it is, the rest is re-aligned
    c = bitext.align(zh, ko, model=embedder, fixed=[((12,), ())])
    kinds = [(x.src_ids, x.tgt_ids) for x in c]
    assert ((12,), ()) in kinds
    assert sorted(j for x in c for j in x.tgt_ids) == list(range(44))
    with pytest.raises(ValueError, match="out of range"):
        bitext.align(zh, ko, model=embedder, fixed=[((30,), (1,))])


def _bad(tmp_path, capsys, name, header, beads, raw=None, line=None, needle=""):
    fixed = tmp_path / name
    if raw is None:
        _write(fixed, header, beads)
    else:
        fixed.write_text(raw, "utf-8")
    out = tmp_path / (name + ".out.jsonl")
    html = tmp_path / (name + ".html")
    assert main(["align", ZH, KO, "--fixed", str(fixed), "-o", str(out), "-q"]) == 2
    where = f"{fixed}:{line}" if line else str(fixed)
    msg = one_error_line(capsys.readouterr().err, where, needle)
    assert not out.exists()
    assert main(["review", ZH, KO, "--fixed", str(fixed), "-o", str(html), "-q"]) == 2
    assert one_error_line(capsys.readouterr().err, where, needle).split("error: ", 1)[1] == msg.split("error: ", 1)[1]
    assert not html.exists()
    assert not [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_fixed_file_of_other_text_is_refused(aligned, tmp_path, capsys):
    header, beads = _jsonl(aligned)
    for b in beads:
        b["approved"] = True
    edited = dict(header, src_sha256=hashlib.sha256(b"the text as it was").hexdigest())
    _bad(tmp_path, capsys, "stale.jsonl", edited, beads, line=1, needle="source sentences do not match")
    split_otherwise = dict(header, tgt_sha256="0" * 64, tgt_sentences=45)
    _bad(
        tmp_path,
        capsys,
        "resplit.jsonl",
        split_otherwise,
        beads,
        line=1,
        needle="45 sentences in the file, 44 in the text",
    )


def test_overlapping_unordered_and_out_of_range_fixed_beads_are_refused(aligned, tmp_path, capsys):
    header, beads = _jsonl(aligned)
    for b in beads[:6]:
        b["approved"] = True
    over = [dict(b) for b in beads]
    over[4] = dict(over[4], src_ids=[3, 4])  # src 3 is bead 3's too
    _bad(tmp_path, capsys, "overlap.jsonl", header, over, line=6, needle="overlaps the one on line 5")
    swapped = [dict(b) for b in beads]
    swapped[2], swapped[3] = swapped[3], swapped[2]
    _bad(tmp_path, capsys, "order.jsonl", header, swapped, line=5, needle="out of order")
    far = [dict(b) for b in beads]
    far[5] = dict(far[5], src_ids=[27])
    _bad(tmp_path, capsys, "range.jsonl", header, far, line=7, needle="src id 27 out of range")
    gap = [dict(b) for b in beads]
    gap[1] = dict(gap[1], tgt_ids=[1, 3])
    _bad(tmp_path, capsys, "gap.jsonl", header, gap, line=3, needle="not consecutive")


def test_malformed_jsonl_line_is_refused(aligned, tmp_path, capsys):
    lines = aligned.read_text("utf-8").splitlines()
    lines[4] = lines[4][:-7]  # cut short
    _bad(tmp_path, capsys, "cut.jsonl", None, None, raw="\n".join(lines) + "\n", line=5, needle="not a JSON line")
    _bad(
        tmp_path,
        capsys,
        "noheader.jsonl",
        None,
        None,
        raw="\n".join(lines[1:4]) + "\n",
        line=1,
        needle="no header line",
    )
    lines = aligned.read_text("utf-8").splitlines()
    rec = json.loads(lines[3])
    rec["src_ids"] = "3"
    lines[3] = json.dumps(rec)
    _bad(
        tmp_path, capsys, "ids.jsonl", None, None, raw="\n".join(lines) + "\n", line=4, needle="src_ids must be a list"
    )


def test_fixed_file_is_an_input_never_overwritten(aligned, tmp_path, capsys):
    fixed = tmp_path / "mine.jsonl"
    fixed.write_bytes(aligned.read_bytes())
    before = fixed.read_bytes()
    assert main(["align", ZH, KO, "--fixed", str(fixed), "-o", str(fixed), "-q"]) == 2
    one_error_line(capsys.readouterr().err, str(fixed), "is an input of this run")
    assert fixed.read_bytes() == before


# -- comments on beads that are not fixed (issue #26) ------------------------------------------------


def test_comments_on_beads_not_approved_stay_on_their_sentences(aligned, tmp_path, capsys):
    """A reviewer comments on beads 2 and 14 without approving them, and approves bead 20:
    every output of --fixed keeps both comments on the same sentences, without a warning."""
    import re
    import xml.etree.ElementTree as ET

    header, beads = _jsonl(aligned)
    beads[2]["comment"] = "OpenAI의 CEO 이름 표기 확인"
    beads[14]["comment"] = "60多个国家 → 60여 개국: 수 확인"
    beads[20]["approved"] = True
    fixed = tmp_path / "commented.jsonl"
    _write(fixed, header, beads)
    out = tmp_path / "again.jsonl"
    assert main(["align", ZH, KO, "--fixed", str(fixed), "-o", str(out), "-q"]) == 0
    assert "warning" not in capsys.readouterr().err
    _, again = _jsonl(out)
    assert _ids(again) == _ids(beads)
    comments = {i: b["comment"] for i, b in enumerate(again) if b.get("comment")}
    assert comments == {2: beads[2]["comment"], 14: beads[14]["comment"]}
    assert not again[2]["approved"] and not again[2]["edited"] and again[20]["approved"]
    # the same in TSV (the review page's columns) and TMX (a note)
    tsv = tmp_path / "again.tsv"
    assert main(["align", ZH, KO, "--fixed", str(fixed), "-o", str(tsv), "-q"]) == 0
    rows = [r.split("\t") for r in tsv.read_text("utf-8").splitlines()]
    assert rows[0] == ["src_ids", "tgt_ids", "score", "src", "tgt", "approved", "edited", "comment"]
    assert [r[7] for r in rows[1:]].count("") == len(beads) - 2 and rows[3][7] == beads[2]["comment"]
    assert rows[21][5] == "1" and rows[15][7] == beads[14]["comment"]
    tmx = tmp_path / "again.tmx"
    assert main(["align", ZH, KO, "--fixed", str(fixed), "-o", str(tmx), "-q"]) == 0
    notes = [tu.find("note").text for tu in ET.parse(tmx).getroot().iter("tu") if tu.find("note") is not None]
    assert notes == [beads[2]["comment"], beads[14]["comment"]]
    # reopened with bitext review --fixed: the page holds them
    page = tmp_path / "review.html"
    assert main(["review", ZH, KO, "--fixed", str(fixed), "-o", str(page), "-q"]) == 0
    data = json.loads(re.search(r'id="bitext-data">(.*?)</script>', page.read_text("utf-8"), re.S).group(1))
    assert {i: b["comment"] for i, b in enumerate(data["beads"]) if b.get("comment")} == comments


def test_a_comment_whose_bead_was_realigned_away_moves_with_a_warning(aligned, editorial, embedder, tmp_path, capsys):
    """Bead k (3)-(3,4) has a comment; the reviewer gives its target 4 to the next bead by
    hand. The commented bead cannot come back: the comment moves to the bead that now holds
    source 3, marked with the bead it was made on, and a warning names the line."""
    header, beads = _jsonl(aligned)
    k = _ids(beads).index(((3,), (3, 4)))
    beads[k]["comment"] = "4번 문장은 다음 문장의 번역"
    beads[k + 1]["tgt_ids"] = [4, 5, 6, 7]
    beads[k + 1]["edited"] = True
    fixed = tmp_path / "moved.jsonl"
    _write(fixed, header, beads)
    out = tmp_path / "moved-out.jsonl"
    assert main(["align", ZH, KO, "--fixed", str(fixed), "-o", str(out), "-q"]) == 0
    err = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert len(err) == 1, err
    assert err[0].startswith(
        f"bitext align: warning: {fixed}:{k + 2}: the comment '4번 문장은 다음 문장의 번역' was made on bead 3:3,4"
    )
    assert "now on bead 3:3" in err[0]
    _, again = _jsonl(out)
    assert _ids(again)[k : k + 2] == [((3,), (3,)), ((4,), (4, 5, 6, 7))]
    assert again[k]["comment"] == "(on 3:3,4 before re-aligning) 4번 문장은 다음 문장의 번역"
    assert not again[k]["approved"] and not again[k]["edited"]
    assert sum(bool(b.get("comment")) for b in again) == 1
    # in Python: a warning of its own class, the comment on the bead
    zh, ko = editorial
    from bitext.aligner.fixed import CommentMovedWarning

    with pytest.warns(CommentMovedWarning, match="made on bead 3:3,4") as caught:
        a = bitext.align(zh, ko, model=embedder, fixed=fixed)
    assert caught[0].message.line == k + 2 and caught[0].message.bead == "3:3"
    assert a[k].comment == again[k]["comment"]
    # a format without comments says so
    beads_out = tmp_path / "moved.beads"
    assert main(["align", ZH, KO, "--fixed", str(fixed), "-o", str(beads_out), "-q"]) == 0
    err = capsys.readouterr().err
    assert f"warning: 1 of the reviewers' comments are not in {beads_out}: the beads format has no comments" in err

"""Clauses without counterpart inside a bead (bitext.clauses) on the seed editorial (zh-ko):
a clause dropped from the Korean is found and named, the clean seed raises nothing."""

from __future__ import annotations

import json

import bitext
from bitext.check.clauses import clause_findings, clause_spans
from bitext.check.coverage import coverage

# the translator's example: the Korean sentence that renders 只有美英两国的代表没有签字
SIGNED = " 그렇지만 미국과 영국 대표들은 서명하지 않았다."
# a clause of a Korean sentence (its Chinese: 当中国以谦逊开放的姿态融入全球技术网络,)
HUMBLE = "중국이 겸손하고 개방적인 자세로 전(全)세계 기술네트워크에 융합될 때, "
HUMBLE_ZH = "当中国以谦逊开放的姿态融入全球技术网络,"


def _report(zh, ko, embedder, **kw):
    return coverage(bitext.align(zh, ko, "zh", "ko", model=embedder), **kw)


def test_clause_spans_cut_at_marks_and_korean_connectives():
    zh = "得益于中国强大的工业产业链支撑,AI技术在中国的落地速度令人惊叹。"
    assert [zh[a:b] for a, b in clause_spans(zh, "zh")] == [
        "得益于中国强大的工业产业链支撑,",
        "AI技术在中国的落地速度令人惊叹。",
    ]
    # Korean without commas: after its connective endings, not after particles that end alike (-에서, -께서)
    ko = "여호와께서 모세에게 이르시되 너는 이스라엘 자손에게 고하여 나를 위하여 예물을 가져오라 하고"
    assert [ko[a:b] for a, b in clause_spans(ko, "ko")] == [
        "여호와께서 모세에게 이르시되",
        "너는 이스라엘 자손에게 고하여",
        "나를 위하여",
        "예물을 가져오라 하고",
    ]
    # a comma inside a number cuts nothing; a piece too short to mean anything joins its neighbour
    en = "They paid 1,000 dollars, she said."
    assert [en[a:b] for a, b in clause_spans(en, "en")] == [en]
    assert clause_spans("", "zh") == []


def test_clean_seed_raises_no_clause_finding(editorial_alignment):
    report = coverage(editorial_alignment)
    assert report.findings == []
    assert not {"clause_omitted", "clause_added", "mistranslation"} & set(report.statuses)
    assert report.char_coverage == 1.0


def test_dropped_sentence_that_was_a_clause_of_the_chinese_is_found(editorial, embedder):
    zh, ko = editorial
    assert SIGNED in ko
    report = _report(zh, ko.replace(SIGNED, ""), embedder)
    omitted = [f for f in report.findings if f.kind == "clause_omitted"]
    assert [f.evidence["clause"] for f in omitted] == ["只有美英两国的代表没有签字。"]
    f = omitted[0]
    assert "没有签字" in f.src and report.statuses[f.bead] == "clause_omitted"
    assert f.evidence["gain"] > 0 and f.message.startswith("source clause with no counterpart")
    # the sentence still counts as covered, its clause's characters do not
    assert report.coverage == 1.0
    assert report.covered_chars == report.src_chars - f.evidence["chars"] == report.src_chars - 14
    assert sum(p.covered_chars for p in report.paragraphs) == report.covered_chars
    # the JSON that qa_inject and other tools read has the finding and the bead's status
    js = json.loads(report.to_json())
    assert js["findings"][0]["kind"] == "clause_omitted" and js["findings"][0]["evidence"]["chars"] == 14
    assert js["beads"][f.bead]["status"] == "clause_omitted"


def test_dropped_korean_clause_is_found(editorial, embedder):
    zh, ko = editorial
    assert HUMBLE in ko
    report = _report(zh, ko.replace(HUMBLE, ""), embedder)
    assert [(f.kind, f.evidence["clause"]) for f in report.findings] == [("clause_omitted", HUMBLE_ZH)]
    assert report.findings[0].evidence["length_z"] > 2
    assert report.char_coverage < 1.0


def test_clause_check_can_be_switched_off(editorial, embedder):
    zh, ko = editorial
    a = bitext.align(zh, ko.replace(SIGNED, ""), "zh", "ko", model=embedder)
    report = coverage(a, clauses=False)
    assert report.findings == [] and report.char_coverage == 1.0
    # without a model (an alignment from a batch worker) nothing is checked
    a.model = None
    assert clause_findings(a) == []
    assert clause_findings(a, embedder)  # given the model, the check runs


def test_replaced_clause_is_a_mistranslation(editorial, embedder):
    zh, ko = editorial
    # a clause of the Korean replaced by one about something else: the length still fits
    other = "미국 주식시장에서는 엔비디아 주가가 하루 만에 17% 폭락했고, "
    a = bitext.align(zh, ko.replace(HUMBLE, other), "zh", "ko", model=embedder)
    # the strict rules leave it to the name check (中国 is not rendered, 미국 is there) ...
    strict = coverage(a)
    assert [f.kind for f in strict.findings] == ["name"] and HUMBLE_ZH in strict.findings[0].src
    # ... the sensitive ones see the clause that translates nothing
    report = coverage(a, clauses="sensitive")
    mis = [f for f in report.findings if f.kind == "mistranslation"]
    assert [f.evidence["tgt"]["clause"] for f in mis] == [other.strip()]
    assert HUMBLE_ZH in mis[0].src and report.statuses[mis[0].bead] == "mistranslation"


def test_cli_reports_the_clause_and_can_switch_it_off(editorial, embedder, monkeypatch, tmp_path, capsys):
    from bitext.cli import main

    monkeypatch.setattr("bitext.embed.load_model", lambda *a, **k: embedder)
    zh, ko = editorial
    src, tgt = tmp_path / "zh.txt", tmp_path / "ko.txt"
    src.write_text(zh, "utf-8")
    tgt.write_text(ko.replace(SIGNED, ""), "utf-8")
    assert main(["coverage", str(src), str(tgt), "--format", "json", "-q"]) == 0
    report = json.loads(capsys.readouterr().out)
    omitted = [f for f in report["findings"] if f["kind"] == "clause_omitted"]
    assert [f["evidence"]["clause"] for f in omitted] == ["只有美英两国的代表没有签字。"]
    assert report["beads"][omitted[0]["bead"]]["status"] == "clause_omitted"
    assert main(["coverage", str(src), str(tgt), "--format", "json", "-q", "--clauses", "off"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert not [f for f in report["findings"] if f["kind"].startswith("clause")]
    assert report["char_coverage"] == 1.0

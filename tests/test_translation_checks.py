"""The translation checks of the coverage report on real text: the seed editorial (zh-ko) with a
name changed in Hangul, a sentence left in Chinese, a sentence pasted twice; the opening of the
editorial in German and French with a sentence left in German. The untouched texts raise none."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import bitext
from bitext.check.coverage import coverage
from bitext.check.names import anchors
from bitext.check.phonetics import similarity, skeleton
from bitext.check.records import FINDING_KINDS, Finding
from bitext.text.segment import split

ROOT = Path(__file__).resolve().parents[1]
ZH = (ROOT / "seeds" / "global-times-editorial.zh.txt").read_text("utf-8")
KO = (ROOT / "seeds" / "global-times-editorial.ko.txt").read_text("utf-8")
OPENING = ROOT / "tests" / "data" / "opening"


@pytest.fixture(scope="module")
def model():
    from bitext.embed import load_model

    return load_model(None)


@pytest.fixture(scope="module")
def clean(model):
    return coverage(bitext.align(ZH, KO, "zh", "ko", model=model))


def report_of(ko: str, model):
    return coverage(bitext.align(ZH, ko, "zh", "ko", model=model))


def findings_with(report, kind: str, src_id: int) -> list[Finding]:
    return [f for f in report.findings if f.kind == kind and src_id in f.src_ids]


def zh_id(fragment: str) -> int:
    return next(i for i, s in enumerate(split(ZH, "zh")) if fragment in s.text)


# ----------------------------------------------------------------- the clean seed


def test_clean_seed_raises_no_finding(clean):
    assert clean.findings == []
    assert not set(clean.statuses) & set(FINDING_KINDS)
    assert clean.to_dict()["counts"]["findings"] == 0
    assert clean.coverage == 1.0


def test_the_document_teaches_how_china_is_rendered(clean):
    named = {(x.src, x.tgt) for x in anchors(clean.alignment) if x.name}
    assert ("中国", "중국") in named


# ----------------------------------------------------------------- wrong names


def test_a_name_changed_in_hangul_is_found(model, clean):
    """올트만 (奥尔特曼, Altman) becomes 머스크 (Musk): the name occurs once, so its sound tells."""
    assert KO.count("올트만") == 1
    r = report_of(KO.replace("올트만", "머스크"), model)
    at = zh_id("奥尔特曼")
    found = findings_with(r, "name", at)
    assert len(found) == 1, r.findings
    f = found[0]
    assert f.evidence["name"] == "奥尔特曼" and "奥尔特曼" in f.message
    assert r.statuses[f.bead] == "name"
    # nothing else changed: no other finding
    assert [x for x in r.findings if x is not f] == []


def test_another_name_of_the_document_is_found(model):
    """중국 becomes 미국 in one sentence: 中国 is rendered 중국 in every other bead."""
    ko_sents = split(KO, "ko")
    target = next(s.text for s in ko_sents if s.text.startswith("중국이 제시한 답은"))
    r = report_of(KO.replace(target, target.replace("중국", "미국")), model)
    found = findings_with(r, "name", zh_id("中国给出的答案"))
    assert len(found) == 1, r.findings
    assert found[0].evidence["name"] == "中国" and found[0].evidence["expected"] == "중국"
    assert "미국" in found[0].message


def test_a_name_of_the_document_seen_once_elsewhere_is_found(model):
    """애플 (苹果, Apple: a word to jieba) becomes 호주, the rendering of 澳大利亚 in another
    sentence: the source has nothing that accounts for 호주 here."""
    assert KO.count("애플") == 1 and KO.count("호주") == 1
    r = report_of(KO.replace("애플", "호주"), model)
    found = findings_with(r, "name", zh_id("苹果与阿里合作"))
    assert len(found) == 1, r.findings
    ev = found[0].evidence
    assert ev["why"] == "rare name" and ev["found"] == ["호주"] and ev["found_for"] == ["澳大利亚"]
    assert "호주" in found[0].message and "澳大利亚" in found[0].message
    assert ev["name"] is None and "nothing in the source" in found[0].message  # no name of the source is missing
    assert [f for f in r.findings if f.kind == "name" and f is not found[0]] == []


def test_a_transliterated_name_seen_once_is_found(model):
    """마크 앤더슨 (马克·安德森: jieba calls 安德森 a person, not a transliteration) becomes 프랑스."""
    assert KO.count("마크 앤더슨") == 1
    r = report_of(KO.replace("마크 앤더슨", "프랑스"), model)
    found = findings_with(r, "name", zh_id("马克·安德森"))
    assert len(found) == 1, r.findings
    assert "安德森" in found[0].evidence["name"]


def test_a_chinese_place_in_english_is_not_a_wrong_name(model):
    """English writes Chinese places in pinyin or by names of its own (Ürümqi, Peking): a place
    seen once is not held against a translation into English by sound."""
    from bitext.check.names import name_findings

    a = bitext.align(
        ["今天乌鲁木齐下了一场大雪。", "王小明坐火车去了北京。"],
        ["It snowed heavily in Ürümqi today.", "Wang Xiaoming took the train to Peking."],
        "zh",
        "en",
        model=model,
    )
    assert name_findings(a) == []


def test_names_and_words_told_apart():
    """A rendering that reads or sounds syllable by syllable like its source is a name (바리새:
    바 for fa, 리 and 새 the readings of 利 and 赛); one that is all readings is a word (사자, 使者),
    and so is one with a syllable that neither reads nor sounds like its character (영광, 荣耀)."""
    from bitext.check.names import _is_name, _syllable_by_syllable

    assert _syllable_by_syllable("法利赛", "바리새") and _syllable_by_syllable("摩押", "모압")
    assert _syllable_by_syllable("法利赛人", "바리새")  # a character more on one side
    assert not _syllable_by_syllable("使者", "사자") and not _syllable_by_syllable("荣耀", "영광")
    assert _is_name("法利赛", "바리새", None, 20, 0.95, 0.8)
    assert not _is_name("先知", "선지자", None, 20, 0.95, 0.8)
    assert not _is_name("荣耀", "영광", None, 20, 0.95, 0.8)  # jieba tags 荣耀 nr
    assert not _is_name("使者", "사자가", None, 20, 0.95, 0.8)


def test_a_rendering_is_not_heard_in_two_words_side_by_side():
    """바벨론 (bln) is not rendered by 보라 날 (b-l n), nor 중국 by 창조하기 (one change in three)."""
    from bitext.check.names import Anchor, _rendered_by_sound, _Target

    babylon = Anchor("巴比伦", "바벨론", 10, 0.9, True)
    assert not _rendered_by_sound(babylon, _Target("보라 날이 밝았다", "ko"))
    assert _rendered_by_sound(babylon, _Target("바빌론으로 갔다", "ko"))  # another spelling of it
    china = Anchor("中国", "중국", 10, 0.9, True)
    assert not _rendered_by_sound(china, _Target("함께 창조하기를 기대한다", "ko"))


def test_anchors_are_the_same_whatever_the_hash_seed(clean, tmp_path):
    """Ties between anchors were broken by the order of sets, which follows PYTHONHASHSEED."""
    import os
    import pickle
    import subprocess
    import sys

    path = tmp_path / "alignment.pkl"
    path.write_bytes(pickle.dumps(clean.alignment))
    script = (
        "import pickle, sys; from bitext.check.names import anchors; "
        "a = pickle.load(open(sys.argv[1], 'rb')); print(sorted((x.src, x.tgt, x.name) for x in anchors(a)))"
    )
    outs = set()
    for seed in ("1", "2", "3"):
        env = dict(os.environ, PYTHONHASHSEED=seed, PYTHONPATH=str(ROOT / "src"))
        r = subprocess.run([sys.executable, "-c", script, str(path)], env=env, capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
        outs.add(r.stdout)
    assert len(outs) == 1


# ----------------------------------------------------------------- untranslated and copied


def test_a_sentence_left_in_chinese_is_found(model, clean):
    ko_sents = split(KO, "ko")
    zh = next(s.text for s in split(ZH, "zh") if s.text.startswith("当前,全球AI发展"))
    ko = next(s.text for s in ko_sents if s.text.startswith("지금 글로벌 AI 발전은"))
    r = report_of(KO.replace(ko, zh), model)
    found = findings_with(r, "untranslated", zh_id("当前,全球AI发展"))
    assert len(found) == 1, r.findings
    assert found[0].evidence["copy"] is True and found[0].evidence["script"] == "han"
    assert r.statuses[found[0].bead] == "untranslated"
    # its source sentence is not covered any more
    assert zh_id("当前,全球AI发展") not in r.covered_ids
    assert r.covered_sentences == clean.covered_sentences - 1


def test_glosses_are_not_untranslated(clean):
    """The seed's Korean carries Chinese glosses in brackets (잘했다(干得不错)) and a footnote
    of Chinese words: neither is untranslated text."""
    assert "干得不错" in KO and "垓字" in KO
    assert not [f for f in clean.findings if f.kind == "untranslated"]


def test_a_sentence_pasted_in_the_wrong_place_is_copied(model):
    ko_sents = split(KO, "ko")
    first = next(s.text for s in ko_sents if s.text.startswith("DeepSeek는 일부 모델 기능의"))
    victim = next(s.text for s in ko_sents if s.text.startswith("중국이 겸손하고 개방적인"))
    r = report_of(KO.replace(victim, first), model)
    found = findings_with(r, "copied", zh_id("当中国以谦逊开放的姿态"))
    assert len(found) == 1, r.findings
    assert r.alignment.tgt_sentences[found[0].evidence["copy_of"]].text == first


def test_german_left_in_a_french_translation(model):
    de = (OPENING / "de.txt").read_text("utf-8")
    fr = (OPENING / "fr.txt").read_text("utf-8")
    de_s, fr_s = split(de, "de"), split(fr, "fr")
    assert coverage(bitext.align(de, fr, "de", "fr", model=model)).findings == []
    damaged = fr.replace(fr_s[1].text, de_s[1].text)
    r = coverage(bitext.align(de, damaged, "de", "fr", model=model))
    found = findings_with(r, "untranslated", 1)
    assert len(found) == 1, r.findings
    assert found[0].evidence["language"] == "de"


def test_a_clause_left_in_chinese_inside_a_korean_sentence_is_found(model, clean):
    """Half a Korean sentence replaced by the Chinese it translates: the rest is still Korean, so
    the sentence as a whole is not in Chinese script, but the Chinese run copied from the source is."""
    zh_clause = "全球科技以及经济发展,也是在遵循着“开源”的逻辑。"
    ko_clause = "글로벌 과학기술과 경제발전도 역시 '자료개방'의 논리를 따르고 있음을 목격하고 있다."
    assert zh_clause in ZH and ko_clause in KO
    r = report_of(KO.replace(ko_clause, zh_clause), model)
    found = findings_with(r, "untranslated", zh_id("我们看到,AI的技术发展"))
    assert len(found) == 1, r.findings
    ev = found[0].evidence
    assert ev["copy"] is True and ev["script"] == "han"
    assert ev["text"].startswith("全球科技以及经济发展") and ev["share"] < 0.5  # not mostly Chinese
    assert "全球科技" in found[0].message
    assert [f for f in r.findings if f is not found[0]] == []


def test_a_german_clause_inside_a_french_sentence_is_found(model):
    de = (OPENING / "de.txt").read_text("utf-8")
    fr = (OPENING / "fr.txt").read_text("utf-8")
    de_clause = "einem der wettbewerbsfähigsten Unternehmen der Branche"
    fr_clause = "l'une des entreprises les plus compétitives du domaine"
    assert de_clause in de and fr_clause in fr
    r = coverage(bitext.align(de, fr.replace(fr_clause, de_clause), "de", "fr", model=model))
    found = findings_with(r, "untranslated", 1)
    assert len(found) == 1, r.findings
    assert found[0].evidence["language"] == "de" and found[0].evidence["copy"] is True
    assert found[0].evidence["text"] == de_clause


# ----------------------------------------------------------------- where findings show


@pytest.fixture(scope="module")
def damaged(model):
    return report_of(KO.replace("올트만", "머스크"), model)


def test_findings_in_text_json_html(damaged):
    f = damaged.findings[0]
    text = damaged.to_text()
    assert "Findings:        1: 1 name" in text and f.message in text
    d = json.loads(damaged.to_json())
    assert d["counts"]["findings"] == 1 and d["counts"]["findings_by_kind"] == {"name": 1}
    assert d["findings"][0]["kind"] == "name" and d["findings"][0]["evidence"]["name"] == "奥尔特曼"
    assert d["beads"][f.bead]["status"] == "name"
    assert sum(p["findings"] for p in d["paragraphs"]) == 1
    html = damaged.to_html()
    assert "wrong name" in html and f'href="#b{f.bead}"' in html


def test_findings_in_frames_and_review(damaged):
    pytest.importorskip("pandas")
    from bitext.views.review import review_data

    df = damaged.to_pandas("findings")
    row = df[df.finding == "name"]
    assert len(row) == 1 and row.iloc[0].evidence["name"] == "奥尔特曼"
    assert damaged.to_pandas().status.tolist().count("name") == 1
    data = review_data(damaged)
    assert "name" in data["flags"] and data["labels"]["name"] == "wrong name"
    bead = data["beads"][damaged.findings[0].bead]
    assert bead["status"] == "name" and "奥尔特曼" in bead["why"]


def test_finding_kinds_not_known_to_the_report_show_as_they_are(damaged):
    """A check may add a kind of its own: it shows as its status with the generic colour."""
    from dataclasses import replace

    from bitext.views.report import FINDING_COLOUR, status_style

    f = replace(damaged.findings[0], kind="register")
    r = coverage(damaged.alignment)
    r.findings = [f]
    r.statuses[f.bead] = "register"
    assert status_style("register")[1] == FINDING_COLOUR[0]
    assert "register" in r.to_html() and "register" in r.to_text()


def test_checks_can_be_turned_off(damaged):
    r = coverage(damaged.alignment, names=False, untranslated=False)
    assert r.findings == []


def test_sounds():
    assert skeleton("奥尔特曼") == skeleton("올트만") == skeleton("Altman")
    assert similarity(skeleton("希律"), skeleton("헤롯")) == 1.0  # the t Korean adds to Herod
    assert similarity(skeleton("奥尔特曼"), skeleton("머스크")) < 0.5


def test_a_clause_left_out_is_not_covered(model, clean, monkeypatch):
    """The plumbing a clause check uses: a ``clause_omitted`` finding takes its characters out of
    the character coverage (of the document and of its paragraph) and gives the bead its status."""
    import bitext.check.untranslated as untranslated

    a = clean.alignment
    bi = next(i for i, b in enumerate(a.beads) if b.src_ids and b.tgt_ids and len(b.src) > 40)
    b = a.beads[bi]
    clause = b.src[:12]
    extra = Finding(
        bi,
        b.src_ids,
        b.tgt_ids,
        b.src,
        b.tgt,
        b.score,
        "clause_omitted",
        f"not translated: {clause}",
        {"clause": clause, "chars": 12},
    )
    real = untranslated.untranslated_findings
    monkeypatch.setattr(untranslated, "untranslated_findings", lambda al: real(al) + [extra])
    r = coverage(a)
    assert r.findings == [extra] and r.statuses[bi] == "clause_omitted"
    assert r.covered_chars == clean.covered_chars - 12
    assert r.coverage == clean.coverage  # the sentence is translated, in part
    par = a.src_sentences[b.src_ids[0]].paragraph
    p, q = (next(x for x in rep.paragraphs if x.paragraph == par) for rep in (r, clean))
    assert p.covered_chars == q.covered_chars - 12 and p.findings == 1
    assert json.loads(r.to_json())["findings"][0]["evidence"] == {"clause": clause, "chars": 12}

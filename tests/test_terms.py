"""Terminology on the seed editorial: glossary check, consistent renderings, term extraction
(bitext.check.glossary, bitext.check.terms, bitext.check.glosses, bitext.check.words, bitext.check.ko_words). Accuracy figures
are in bench/terms.py, not here."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import bitext
from bitext.check import words
from bitext.check.coverage import coverage
from bitext.check.glossary import Glossary, GlossaryError, check_glossary, consistency, parse_glossary, read_glossary
from bitext.check.glosses import find_glosses
from bitext.check.ko_words import ko_words, mecab_available
from bitext.check.terms import terms
from bitext.check.words import Finder, extra_words, zh_tokens
from bitext.cli import main
from bitext.views.readback import read_batch, read_beads

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
ZH, KO = SEEDS / "global-times-editorial.zh.txt", SEEDS / "global-times-editorial.ko.txt"
GOLD = ROOT / "bench" / "data" / "terms-seed-zh-ko.tsv"
HAS_MECAB = mecab_available()


def gloss_gold() -> list[tuple[str, str]]:
    out = []
    for line in GOLD.read_text("utf-8").splitlines():
        if line and not line.startswith("#"):
            src, tgt, kind = line.split("\t")
            if kind == "gloss":
                out.append((src, tgt))
    return out


@pytest.fixture(scope="module")
def seed_terms(editorial_alignment, embedder):
    return terms(editorial_alignment, model=embedder)


@pytest.fixture(scope="module")
def seed_glossary():
    # 芯片 (chip) is 칩 in the translation: the glossary's 반도체 is wrong on purpose; the rest are right
    return Glossary.of(
        {
            "芯片": "반도체",
            "云计算": "클라우드컴퓨팅",
            "巴黎": "파리",
            "资源门槛": "자원장벽",
            "开源": "자료공개|오픈소스",
            "百度": "바이두",
        }
    )


@pytest.fixture(scope="module")
def seed_report(editorial_alignment, embedder, seed_glossary):
    return coverage(editorial_alignment, glossary=seed_glossary, model=embedder)


# ------------------------------------------------------------------ words


def test_korean_stems_and_finder():
    for rules in [False, True] if HAS_MECAB else [True]:
        got = {
            w.text: w.stem for w in ko_words("높게 쌓은 자원장벽을 촉진할 AI기술 업체들이 DeepSeek-R1은", rules=rules)
        }
        assert got["자원장벽을"] == "자원장벽" and got["촉진할"] == "촉진" and got["DeepSeek-R1은"] == "DeepSeek-R1", (
            got
        )
    f = Finder("높게 쌓은 자원장벽을(资源门槛) 제공하는 국가급 AI기술, 선진기술", "ko")
    assert f.find("자원장벽") and f.find("국가 급") and f.find("기술")  # particles after, spacing, after Latin
    assert len(f.find("기술")) == 2 and f.find("장벽")  # a noun inside a compound
    if HAS_MECAB:
        assert not f.find("원장") and not Finder("비공개 자료", "ko").find("공개")  # not a noun's start
    e = Finder("Two satellites and Wang Miao's antenna.", "en")
    assert e.find("satellite") and e.find("wang miao") and e.find("Antenna") and not e.find("ant")


def test_jieba_cuts_glossary_terms_as_one_word_and_is_restored():
    text = "同为AI领域最富竞争力的企业"
    before = [t.text for t in zh_tokens(text)]
    assert "领域最富" not in before
    with extra_words(["领域最富"]):
        assert "领域最富" in [t.text for t in zh_tokens(text)]
        assert Finder(text, "zh").find("领域最富")
    assert [t.text for t in zh_tokens(text)] == before
    assert not Finder("中国AI企业拥抱开源", "zh").find("国A")  # not on word boundaries
    assert words.jieba_seconds() > 0


def test_korean_or_english_run_never_imports_jieba(tmp_path):
    """A Korean-English alignment, its coverage with consistency and its terms: no jieba."""
    ko = "\n".join(KO.read_text("utf-8").splitlines()[1:3])
    en = (ROOT / "tests" / "data" / "opening" / "en.txt").read_text("utf-8")
    code = (
        "import sys, bitext\n"
        "from bitext.check.coverage import coverage\n"
        f"a = bitext.align({ko!r}, {en!r}, 'ko', 'en')\n"
        "r = coverage(a, glossary={'인공지능': 'artificial intelligence'}, consistency=True)\n"
        "t = bitext.terms(a)\n"
        "assert len(t) > 0, 'no terms'\n"
        "print('jieba' in sys.modules, len(t))\n"
    )
    env = {
        "PYTHONPATH": str(ROOT / "src"),
        "PATH": "/usr/bin:/bin",
        "BITEXT_CACHE_DIR": str(tmp_path),
        "HOME": str(tmp_path),
    }
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=600)
    assert r.returncode == 0, r.stderr[-2000:]
    assert r.stdout.split()[0] == "False", r.stdout


# ------------------------------------------------------------------ glossary files


@pytest.mark.parametrize(
    "text,line,what",
    [
        ("开源\t자료공개\n人工智能\n", 2, "got one field"),
        ("开源\t자료공개\n\t인공지능\n", 2, "source term (field 1) is empty"),
        ("开源\t자료공개\n# note\n开源\t오픈소스\n", 3, "duplicate term 开源 (first on line 1)"),
        ("开源\t \n", 1, "no rendering"),
    ],
)
def test_bad_glossary_names_file_and_line(tmp_path, text, line, what):
    p = tmp_path / "g.tsv"
    p.write_text(text, "utf-8")
    with pytest.raises(GlossaryError) as e:
        read_glossary(p)
    assert str(e.value).startswith(f"{p}:{line}: ") and what in str(e.value), str(e.value)


def test_bad_glossary_fails_the_command_with_exit_2(tmp_path, capsys):
    bad = tmp_path / "g.tsv"
    bad.write_text("开源\t자료공개\n人工智能\n", "utf-8")
    binary = tmp_path / "g.bin"
    binary.write_bytes(b"\x00\x01\x02PNG\x00" * 50)
    for path, what in ((bad, f"{bad}:2:"), (binary, f"{binary}: looks like a binary file")):
        for cmd in ("coverage", "terms"):
            rc = main([cmd, str(ZH), str(KO), "--glossary", str(path), "-q"])
            err = capsys.readouterr().err
            assert rc == 2
            assert err.count("\n") == 1 and what in err and "Traceback" not in err, err


def test_glossary_format_reads_comments_notes_and_several_renderings():
    g = parse_glossary("# a comment\n\n开源\t자료공개 | 오픈소스\tthe key term\n算力资源\t컴퓨팅 자원\n", "g.tsv")
    assert [e.term for e in g] == ["开源", "算力资源"]
    assert g.entries[0].renderings == ("자료공개", "오픈소스") and g.entries[0].note == "the key term"
    assert g.entries[1].line == 4


# ------------------------------------------------------------------ glossary check


def test_wrong_rendering_flagged_in_its_bead_only(seed_report, editorial_alignment):
    a = editorial_alignment
    chip = [i for i, b in enumerate(a.beads) if "芯片" in b.src]
    assert len(chip) == 1
    misses = seed_report.term_misses
    by_term = {}
    for m in misses:
        by_term.setdefault(m.term, []).append(m.bead)
    assert by_term.get("芯片") == chip
    # the right renderings are not flagged (资源门槛 is also glossed: 자원장벽(资源门槛))
    assert not {"云计算", "巴黎", "资源门槛", "百度"} & set(by_term)
    # 开源 is 자료개방 in two beads that have neither 자료공개 nor 오픈소스: flagged, with what they have
    assert all(a.beads[b].tgt.count("자료개방") and "자료공개" not in a.beads[b].tgt for b in by_term["开源"])
    assert all(m.found == "자료개방" for m in misses if m.term == "开源")
    miss = next(m for m in misses if m.term == "芯片")
    assert "반도체" in miss.reason and miss.tgt == a.beads[chip[0]].tgt and "칩" in miss.tgt
    assert seed_report.statuses[chip[0]] == "term"


def test_gloss_counts_as_rendering(editorial_alignment):
    """자원장벽(资源门槛): the bracket renders 资源门槛 whatever the glossary says."""
    g = Glossary.of({"资源门槛": "자원문턱"})
    assert check_glossary(editorial_alignment, g) == []


def test_glossary_findings_in_text_json_html(seed_report):
    text = seed_report.to_text()
    assert "Glossary terms not rendered" in text and "glossary term 芯片: expected 반도체" in text
    assert "glossary term 开源: expected 자료공개 | 오픈소스; the translation has 자료개방" in text
    d = json.loads(seed_report.to_json())
    assert d["counts"]["term_misses"] == len(seed_report.term_misses) > 0
    assert {m["term"] for m in d["term_misses"]} >= {"芯片"}
    assert "term" in {b["status"] for b in d["beads"]}
    assert d["terms_checked"]["consistency"] is True
    html = seed_report.to_html()
    assert 'class="s-term"' in html and "glossary term not rendered" in html and "반도체" in html


def test_cli_coverage_with_glossary(tmp_path, capsys):
    g = tmp_path / "g.tsv"
    g.write_text("芯片\t반도체\n云计算\t클라우드컴퓨팅\n", "utf-8")
    out = tmp_path / "r.json"
    assert main(["coverage", str(ZH), str(KO), "--glossary", str(g), "--format", "json", "-o", str(out), "-q"]) == 0
    d = json.loads(out.read_text("utf-8"))
    assert [m["term"] for m in d["term_misses"]] == ["芯片"]
    assert d["terms_checked"]["glossary"] == str(g)


# ------------------------------------------------------------------ consistency


def test_open_source_rendered_several_ways(seed_report):
    found = {x.term: x for x in seed_report.inconsistent_terms}
    x = found["开源"]
    assert x.occurrences == 15
    ways = {r.text: r.count for r in x.renderings}
    assert ways["자료공개"] == 12 and ways["오픈소스"] == 1 and ways["자료개방"] == 4, ways
    assert x.renderings[0].text == "자료공개"
    assert "开源" in seed_report.to_text() and "inconsistent" in seed_report.to_html()


def test_consistency_without_glossary_finds_computing_power(editorial_alignment, embedder, seed_terms):
    found = {x.term: x for x in consistency(editorial_alignment, links=seed_terms)}
    assert "开源" in found
    # 算力 is 연산 (능력) in one bead and 계산력 in the next
    ways = {r.text for r in found["算力"].renderings}
    assert {"계산력"} <= ways and any(w.startswith("연산") for w in ways), ways


# ------------------------------------------------------------------ extraction


def test_gloss_pairs_extracted_with_their_korean_words(seed_terms):
    pairs = {(p.src, p.tgt) for p in seed_terms}
    gold = gloss_gold()
    assert len(gold) == 31
    missed = [g for g in gold if g not in pairs]
    assert not missed, missed
    p = next(p for p in seed_terms if p.src == "算力资源")
    assert p.tgt == "컴퓨팅 자원" and "gloss" in p.evidence and p.bead == 6


@pytest.mark.parametrize("rules", [True, False] if HAS_MECAB else [True])
def test_gloss_spans_without_the_model(editorial_alignment, rules):
    """Korean words by rules or by mecab: the same spans, where the spans need no model."""
    spans = {}
    for b in editorial_alignment.beads:
        for g in find_glosses(b.tgt, b.src, "ko", "zh", rules=rules):
            spans[g.term] = g.rendering
    assert spans["降本增效"] == "비용절감과 효율성증대" and spans["略见一斑"] == "짐작할 수가 있다"
    assert spans["切磋"] == "갈고 닦을" and spans["驱动"] == "구동" and spans["迭代"] == "대체물 등장"
    assert spans["全"] == "전" and spans["政治壁垒"] == "정치적 장벽" and spans["倡导"] == "제창"
    assert spans["行业"] == "업체" and spans["适配"] == "적용" and spans["上架"] == "조정해 적용시킬"
    assert "脫" not in spans  # 탈(脫)중심화: the Chinese has 去, not 脫
    assert spans["오픈소스"] == "자료공개"  # a synonym in brackets


def test_top_pairs_are_right_and_tsv_reads_back_as_glossary(seed_terms):
    top = [(p.src, p.tgt) for p in seed_terms[:10]]
    assert ("资源门槛", "자원장벽") in top or ("资源门槛", "자원장벽") in [(p.src, p.tgt) for p in seed_terms[:30]]
    assert next(p for p in seed_terms if p.src == "中国").tgt == "중국"
    tsv = seed_terms.to_tsv()
    g = parse_glossary(tsv, "terms.tsv")
    entry = next(e for e in g if e.term == "开源")
    assert entry.renderings[:2] == ("자료공개", "자료개방") and "오픈소스" in entry.renderings
    assert "bead" in entry.note


def test_evidence_can_be_chosen(editorial_alignment, embedder):
    only = terms(editorial_alignment, model=embedder, evidence=("gloss",))
    assert only and all(set(p.evidence) <= {"gloss", "synonym", "identical"} for p in only)
    with pytest.raises(ValueError):
        terms(editorial_alignment, evidence=("magic",))


def test_terms_cli_writes_an_editable_glossary(tmp_path):
    out = tmp_path / "terms.tsv"
    assert main(["terms", str(ZH), str(KO), "-o", str(out), "-q"]) == 0
    g = read_glossary(out)
    assert any(e.term == "资源门槛" and e.renderings[0] == "자원장벽" for e in g)
    assert main(["coverage", str(ZH), str(KO), "--glossary", str(out), "-q", "-o", str(tmp_path / "r.txt")]) == 0


def test_terms_cli_json_holds_the_synonyms(tmp_path):
    # a synonym's features name the rendering it stands for (a string, not a number to round)
    out = tmp_path / "terms.json"
    assert main(["terms", str(ZH), str(KO), "--format", "json", "-o", str(out), "-q"]) == 0
    pairs = json.loads(out.read_text("utf-8"))
    syn = next(p for p in pairs if p["src"] == "开源" and p["tgt"] == "오픈소스")
    assert syn["evidence"] == ["synonym"] and syn["features"] == {"of": "자료공개"}
    best = pairs[0]
    assert best["features"] and all(isinstance(v, float) and round(v, 4) == v for v in best["features"].values())


# ------------------------------------------------------------------ batch folders


def test_read_beads_back(editorial_alignment, tmp_path):
    a = editorial_alignment
    for fmt in ("tsv", "jsonl", "tmx"):
        p = tmp_path / f"x.{fmt}"
        p.write_text(a.format(fmt), "utf-8")
        back = read_beads(p)
        both = [b for b in a.beads if b.src_ids and b.tgt_ids] if fmt == "tmx" else a.beads
        assert [(b.src_ids, b.tgt_ids, b.src, b.tgt) for b in back.beads] == [
            (b.src_ids, b.tgt_ids, b.src, b.tgt) for b in both
        ], fmt
    (tmp_path / "x.beads").write_text(a.to_beads(), "utf-8")
    with pytest.raises(bitext.text.read.InputError):
        read_beads(tmp_path / "x.beads")


def test_terms_over_a_batch_folder(embedder, tmp_path, capsys):
    from bitext.batch import align_many

    out = tmp_path / "out"
    list(align_many([("ed", str(ZH), str(KO))], model=embedder, outdir=out, fmt="jsonl"))
    docs, skipped = read_batch(out)
    assert list(docs) == ["ed"] and not skipped and docs["ed"].src_lang == "zh"
    found = terms(docs, model=embedder)
    p = next(p for p in found if p.src == "资源门槛")
    assert p.tgt == "자원장벽" and p.doc == "ed"
    assert main(["terms", "--batch", str(out), "-q"]) == 0
    assert "资源门槛\t자원장벽" in capsys.readouterr().out
    assert main(["terms", "--batch", str(tmp_path / "nowhere")]) == 2
    assert "no such folder" in capsys.readouterr().err

"""Korean without full stops: cut at final endings (bitext.text.ko_endings).

The seeds' Korean with every sentence's final mark removed, a chapter of the
Korean Bible from the shared evaluation data (which has almost no final
punctuation), and the punctuated seeds, which must split as before."""

import re
import sys

import pytest
from conftest import EVAL_DATA, ROOT, SEEDS

from bitext.text import ko_endings
from bitext.text.segment import split

sys.path.insert(0, str(ROOT / "bench"))
from ko_unpunct import chapters, inner_ends, seed_gold, without_final_marks  # noqa: E402

BIBLE = EVAL_DATA / "bible-zh-ko"


def test_seed_paragraph_without_full_stops_splits_at_its_endings():
    ko = (SEEDS / "global-times-editorial.ko.txt").read_text("utf-8")
    par = ko.splitlines()[2]
    assert par.startswith("사실이 증명하듯") and par.count(". ") == 2
    bare = par.replace(". ", " ").rstrip(".")
    sents = split(bare, "ko")
    assert [s.text for s in sents] == [
        '사실이 증명하듯, 중국 AI기업은 "자료공개"를 통해 자체 발전을 위한 새로운 경로를 개척하였다',
        '이뿐 아니라 AI기업의 국제협력 수요를 촉진시키고, 글로벌 AI 생태계가 "자료공개" 방향으로 전환하도록 추동하고 있다',
        "DeepSeek는 일부 모델 기능의 무료개방을 통하여, AI시대의 디지털 혜택을 각각 네티즌 개인에게 공평하게 분배하고 있다",
    ]
    for s in sents:
        assert bare[s.start : s.end] == s.text and s.paragraph == 0


def test_seeds_without_full_stops_boundary_f1():
    """All five seeds, final marks removed: at least 0.9 of the sentence
    boundaries inside paragraphs found (F1), where bitext found none before;
    quotations (…없다. 하지만 …있다”고 강조했다) stay whole."""
    hit = found = gold = 0
    for name, text, located in seed_gold():
        bare, ends, _ = without_final_marks(text, located)
        sents = split(bare, "ko", workers=1)
        for s in sents:
            assert bare[s.start : s.end] == s.text
        got = inner_ends(sents)
        hit, found, gold = hit + len(got & ends), found + len(got), gold + len(ends)
        if name.startswith("001"):
            quoted = [s.text for s in sents if "해결책을 가지고 있다”고 강조했다" in s.text]
            assert quoted and "사용할 수 없다. 하지만" in quoted[0]
    assert gold == 86
    assert 2 * hit / (found + gold) >= 0.9


def test_punctuated_seeds_split_as_before():
    """The punctuated seeds stay on kss's path: bitext's sentences are the
    hand-checked ones except at the places marked as kss's mistakes."""
    for _name, text, located in seed_gold():
        for par in text.splitlines():
            assert not ko_endings.unpunctuated(par), par
        got = [(s.start, s.end) for s in split(text, "ko", workers=1)]
        right = [(a, b) for _, a, b, marked in located if not marked]
        wrong = [(a, b) for _, a, b, marked in located if marked]
        assert set(right) <= set(got)
        for a, b in set(got) - set(right):
            assert any(wa <= a and b <= wb or a <= wa and wb <= b for wa, wb in wrong), text[a:b]


def _chapter(book: str, chapter: int):
    """The Korean verses of one chapter (1-based) of the shared Bible data."""
    lines = (BIBLE / "ko" / book).read_text("utf-8").splitlines()
    return [lines[i] for i in chapters(EVAL_DATA, book, "ko")[chapter - 1]]


@pytest.mark.skipif(not BIBLE.is_dir(), reason="../shared/eval-data/bible-zh-ko is not here")
def test_bible_chapter_ends_sentences_at_final_endings():
    """Isaiah 1 as one paragraph (31 verses, no full stops): every verse that
    closes in a final ending (-니라, -도다, -리라, -노라 ...) ends a sentence;
    one that closes in a connective (피곤하였으며, 버리고) does not."""
    verses = _chapter("001", 1)
    assert len(verses) == 31
    text = " ".join(verses)
    sents = split(text, "ko")
    assert 25 <= len(sents) <= 45
    ends = {s.end for s in sents}
    pos, closed, joined = 0, 0, 0
    for v in verses[:-1]:
        pos += len(v)
        last = v.split()[-1]
        if re.search(r"(니라|도다|로다|리라|노라|어다|이라)$", last):
            assert pos in ends, last
            closed += 1
        elif re.search(r"(며|고)$", last):
            assert pos not in ends, last
            joined += 1
        pos += 1
    assert closed >= 20 and joined >= 3
    for s in sents:
        assert text[s.start : s.end] == s.text


def test_without_mecab_the_spelling_rules_split_and_warn(monkeypatch):
    """A machine without python-mecab-ko: the rules on spelling alone, and one warning."""
    ko_endings._analyser.cache_clear()
    monkeypatch.setitem(sys.modules, "mecab", None)  # import mecab raises ImportError
    try:
        with pytest.warns(RuntimeWarning, match="python-mecab-ko"):
            assert ko_endings.morphology_backend() == "rules"
        par = "90년대 컴퓨터를 기억하시나요 당시 윈도우는 돈 주고 사야 했지만, 리눅스는 무료로 공개되어 있었죠 딥시크의 성공 비결도 이와 유사합니다"
        assert [s.text for s in split(par, "ko")] == [
            "90년대 컴퓨터를 기억하시나요",
            "당시 윈도우는 돈 주고 사야 했지만, 리눅스는 무료로 공개되어 있었죠",
            "딥시크의 성공 비결도 이와 유사합니다",
        ]
    finally:
        ko_endings._analyser.cache_clear()
    monkeypatch.undo()
    assert ko_endings.morphology_backend() == "mecab"


@pytest.mark.skipif(not BIBLE.is_dir(), reason="../shared/eval-data/bible-zh-ko is not here")
def test_mecab_tells_nouns_from_endings():
    """유다 (Judah) ends like -다 but is a name: mecab keeps it inside the
    sentence, where the spelling alone cuts after it."""
    verses = _chapter("001", 1)[:2]
    par = " ".join(verses)
    assert par.startswith("유다 왕 웃시야와")
    assert ko_endings.morphology_backend() == "mecab"
    ends = {s.end for s in split(par, "ko")}
    assert 2 not in ends and len(verses[0]) in ends
    spelled = ko_endings.spans_at(par, ko_endings.sentence_ends(par, morphology=False))
    assert spelled[0] == (0, 2)


def test_chinese_without_full_stops_is_cut_at_its_clause_marks():
    """The same for Chinese: two of the editorial's paragraphs as one line,
    their 。 made commas, as in text without full stops (classical Chinese,
    transcripts): cut at the clause marks instead of staying one sentence;
    the punctuated paragraph keeps its 。 sentences."""
    zh = (SEEDS / "global-times-editorial.zh.txt").read_text("utf-8")
    par = "".join(zh.splitlines()[1:3])
    assert par.count("。") == 5 and par.endswith("。")
    bare = par[:-1].replace("。", "，")
    sents = [s.text for s in split(bare, "zh")]
    assert len(sents) == sum(bare.count(c) for c in "，,;:") + 1
    assert sents[0] == "中国人工智能(AI)技术的突破在国际间引发持续回响，"
    assert "同为AI领域最富竞争力的企业," in sents
    assert "OpenAI的首席执行官奥尔特曼近日公开称赞DeepSeek“干得不错”," in sents
    assert len(split(par, "zh")) == 5

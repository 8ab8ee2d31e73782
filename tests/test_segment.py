import pytest
from conftest import DATA, SEEDS

from bitext.text.segment import LanguageError, detect_lang, split, split_lines


def _check_offsets(text, sents):
    for s in sents:
        assert text[s.start : s.end] == s.text


def test_editorial_chinese_sentences(editorial):
    zh, _ = editorial
    sents = split(zh, "zh")
    _check_offsets(zh, sents)
    assert len(sents) == 27
    assert [s.paragraph for s in sents].count(7) == 6  # the last paragraph: 6 sentences
    # closing quotes stay with their sentence; half-width ?, ; : never split inside quotes/URLs
    assert sents[5].text.endswith("礼物”。")
    assert sents[22].text == "是继续依赖算力霸权构筑技术高墙,还是通过普惠合作实现共同繁荣?"
    # a ';' is no sentence boundary
    assert "厚望;当苹果" in sents[2].text
    assert sents[0].text == "社评:中国AI“拥抱开源”给世界的启示"


def test_editorial_korean_sentences(editorial):
    _, ko = editorial
    sents = split(ko, "ko")
    _check_offsets(ko, sents)
    assert len(sents) == 44
    assert len({s.paragraph for s in sents}) == 20
    texts = [s.text for s in sents]
    # kss must not split inside a gloss or before ': AI의'
    assert any("‘잘했다(干得不错)’고" in t for t in texts)
    assert "이로부터 다음 사실을 예측할 수 있다: AI의 미래는 개방과 공용에(开放与共享) 달려 있다." in texts
    assert texts[34].startswith("* 垓字")
    assert texts[38] == "계속해서 컴퓨팅파워의 패권에 의존하여 높은 기술 장벽을 구축할 것인가?"


def test_newline_is_always_a_boundary():
    text = "첫 문장은 마침표가 없다\n둘째 줄도 없다\n\n셋째"
    sents = split(text, "ko")
    assert [s.text for s in sents] == ["첫 문장은 마침표가 없다", "둘째 줄도 없다", "셋째"]
    assert [s.paragraph for s in sents] == [0, 1, 2]
    _check_offsets(text, sents)


def test_no_split_inside_url_decimal_abbreviation():
    zh = "详情见https://example.com/a?b=1!c 价格是3.5元。他说“好!”然后走了。"
    got = [s.text for s in split(zh, "zh")]
    assert got == ["详情见https://example.com/a?b=1!c 价格是3.5元。", "他说“好!”", "然后走了。"]
    en = "Dr. Smith paid $3.50 at www.example.com/x.html today. Then he left, e.g. at 5 p.m. on Monday. OK."
    got = [s.text for s in split(en, "en")]
    assert got[0] == "Dr. Smith paid $3.50 at www.example.com/x.html today."
    assert got[-1] == "OK."
    ko = "자세한 내용은 https://a.kr/b.c?d=1 에서 확인. 가격은 3.5달러다. 끝."
    got = [s.text for s in split(ko, "ko")]
    assert got[0] == "자세한 내용은 https://a.kr/b.c?d=1 에서 확인."
    assert "3.5달러다." in got[1]


def test_noisy_korean_seed_keeps_offsets():
    for path in sorted(SEEDS.glob("00[1-4]_*.txt")):
        text = path.read_text("utf-8")
        sents = split(text, "ko")
        _check_offsets(text, sents)
        assert len(sents) > 10
        # URLs come through whole
        for s in sents:
            if "http" in s.text:
                assert " " not in s.text[s.text.index("http") :].split()[0]


def test_korean_without_line_breaks_is_not_swallowed(editorial):
    """kss keeps a quotation or a <...> open until it closes. In the Korean
    editorial written as one line, twice over, its <...> title and an arrow
    (-->) would make one "sentence" of 2,099 characters out of 25; bitext
    splits such a paragraph again with those marks blanked."""
    _, ko = editorial
    per_line = [s.text for s in split(ko, "ko", workers=1)]
    one = " ".join(line.strip() for line in (ko + "\n" + ko).splitlines() if line.strip())
    sents = split(one, "ko", workers=1)
    _check_offsets(one, sents)
    assert max(len(s.text) for s in sents) < 300
    assert len(sents) >= 80  # 2 x 44, less the lines without a full stop that join the next
    # the quotes blanked for kss are back in their sentences
    assert sum(s.text in per_line for s in sents) >= 76
    assert any(s.text.startswith("‘해자(护城河)’") for s in sents)


def test_detect_lang():
    assert detect_lang("中国人工智能技术的突破。") == "zh"
    assert detect_lang("중국의 인공지능(AI)기술 돌파는 반향을 일으키고 있다(干得不错).") == "ko"
    assert detect_lang("OpenAI의 CEO Sam Altman은 DeepSeek이 good job을 했다고 말했다.") == "ko"
    # English that quotes a Chinese word is English
    en = (DATA / "opening" / "en.txt").read_text("utf-8")
    assert detect_lang(en.replace("Chinese artificial", "Chinese (中国人工智能) artificial")) == "en"
    # too little text to be sure of, or no language at all
    for text in ("An English sentence.", "Sam Altman, OpenAI, DeepSeek", "2025-02-12 10:00"):
        with pytest.raises(LanguageError, match="cannot tell the language"):
            detect_lang(text)


@pytest.mark.parametrize("lang", ["en", "de", "fr", "ru", "vi", "ja"])
def test_detect_lang_of_other_languages(lang):
    """The editorial's opening paragraph in six more languages: told by
    py3langid (Japanese by its kana), then split by that language's rules."""
    text = (DATA / "opening" / f"{lang}.txt").read_text("utf-8")
    assert detect_lang(text) == lang
    sents = split(text)
    _check_offsets(text, sents)
    assert len(sents) == 3
    assert "OpenAI" in sents[1].text and "Mistral" in sents[2].text


def test_split_lines_ids_are_line_numbers():
    sents = split_lines("a\n b \nc\n")
    assert [(s.text, s.paragraph) for s in sents] == [("a", 0), ("b", 1), ("c", 2)]

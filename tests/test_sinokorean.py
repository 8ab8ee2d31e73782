"""Sino-Korean readings: the table and the bigrams; sentence lists keep their paragraphs."""
import bitext
from bitext.segment import split
from bitext.sinokorean import applies, reading_overlap, reading_tokens, readings


def test_table_reads_simplified_forms_through_their_variants():
    table = readings()
    assert table["人"] == "인" and table["國"] == "국"
    assert table["发"] == "발"  # simplified: read as 發
    assert table["为"] == "위"  # 为 -> 為 -> 爲
    assert len(table) > 10000


def test_chinese_words_meet_their_korean_readings():
    zh = set(reading_tokens("人工智能的发展"))
    ko = set(reading_tokens("인공지능의 발전은 빠르다"))
    # 인공 공지 지능 발전 (지능 as 지응: an initial ㄴ is read as ㅇ, see below)
    assert {"인공", "공지", "발전"} <= zh & ko and len(zh & ko) == 4
    # 理由 is written 이유 in Korean: initial ㄹ/ㄴ are read as ㅇ on both sides
    assert set(reading_tokens("理由")) & set(reading_tokens("이유"))
    # a Chinese gloss inside Korean text is read too
    assert "자원" in reading_tokens("자원장벽(资源门槛)") and reading_tokens("资源").count("자원") == 1
    assert applies("zh", "ko") and applies("ko", "ja") and not applies("zh", "en")


def test_reading_overlap_is_the_share_of_syllables_a_word_spells():
    assert reading_overlap("技术", "기술") == reading_overlap("기술", "技术") == 1.0
    assert reading_overlap("理由", "이유") == 1.0  # initial ㄹ read as ㅇ
    assert reading_overlap("技术", "AI기술") == 0.8  # AI is one more unit: 2 * 2 / (2 + 3)
    assert reading_overlap("资源门槛", "자원장벽") == 0.5  # 资源 is 자원; 门槛 is not 장벽
    assert reading_overlap("软件", "소프트웨어") == 0.0  # a loanword, not a reading
    assert reading_overlap("技术", "技术") == 0.0 and reading_overlap("AI", "AI") == 0.0  # no Hangul on either side


def test_sentence_lists_keep_their_paragraphs(editorial, embedder):
    zh, ko = editorial
    zs, ks = split(zh, "zh"), split(ko, "ko")
    a = bitext.align(zs, ks, model=embedder)
    b = bitext.align(zh, ko, model=embedder)
    assert a.to_beads() == b.to_beads()
    assert a.src_lang == "zh" and a.tgt_lang == "ko"

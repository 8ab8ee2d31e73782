"""Sino-Korean readings: the table and what term extraction reads of it; sentence lists keep their paragraphs."""

import bitext
from bitext.check.sinokorean import applies, reading_overlap, readings, syllable_options
from bitext.text.segment import split


def test_table_reads_simplified_forms_through_their_variants():
    table = readings()
    assert table["人"] == "인" and table["國"] == "국"
    assert table["发"] == "발"  # simplified: read as 發
    assert table["为"] == "위"  # 为 -> 為 -> 爲
    assert len(table) > 10000


def test_readings_apply_to_korean_with_chinese_or_japanese():
    assert applies("zh", "ko") and applies("ko", "ja") and not applies("zh", "en")
    # a Han run reads as the syllables of each character, initial ㄴ/ㄹ as ㅇ (理由 is 이유)
    assert syllable_options("理由") == [{"이"}, {"유"}] and syllable_options("이유") == [{"이"}, {"유"}]
    assert "발" in syllable_options("发展")[0]


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

"""Sino-Korean readings: the table, the bigrams, and the signal on the seed editorial."""
import numpy as np

import bitext
from bitext.align import AlignParams
from bitext.evaluate import parse_beads, read_beads, score
from bitext.segment import split
from bitext.sinokorean import applies, reading_tokens, reading_vectors, readings, with_readings

from conftest import DATA, SEEDS


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


def test_readings_find_the_translation_on_the_seed():
    zh = [s.text for s in split((SEEDS / "global-times-editorial.zh.txt").read_text("utf-8"), "zh")]
    ko = [s.text for s in split((SEEDS / "global-times-editorial.ko.txt").read_text("utf-8"), "ko")]
    gold = [(s, t) for s, t in read_beads(DATA / "global-times-editorial.zh-ko.beads") if s and t]
    zv, kv = reading_vectors(zh, ko)

    def unit(v):
        return v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-9)

    src = unit(np.array([zv[list(s)].sum(0) for s, _ in gold]))
    tgt = unit(np.array([kv[list(t)].sum(0) for _, t in gold]))
    sim = src @ tgt.T
    # each Chinese bead's nearest Korean bead, by readings alone, is its translation
    assert (sim.argmax(axis=1) == np.arange(len(gold))).mean() >= 0.85
    assert np.diag(sim).mean() > 0.6 > sim[~np.eye(len(gold), dtype=bool)].mean() + 0.4


def test_with_readings_keeps_unit_vectors_and_falls_back():
    rng = np.random.default_rng(0)
    spans = [rng.normal(size=(5 - k, 8)).astype(np.float32) for k in range(2)]
    spans = [s / np.linalg.norm(s, axis=1, keepdims=True) for s in spans]
    vectors = np.zeros((5, 4), np.float32)
    vectors[2, 1] = 3.0  # one sentence with readings
    out = with_readings(spans, vectors, 0.4)
    assert [o.shape for o in out] == [(5, 12), (4, 12)]
    assert np.allclose(np.linalg.norm(out[0], axis=1), 1, atol=1e-5)
    # no readings: the model vector alone (renormalised)
    assert np.allclose(out[0][0, :8], spans[0][0], atol=1e-5) and not out[0][0, 8:].any()


def test_alignment_with_readings_on_the_seed(editorial, embedder):
    zh, ko = editorial
    a = bitext.align(zh, ko, "zh", "ko", model=embedder, params=AlignParams(reading_weight=0.3))
    gold = read_beads(DATA / "global-times-editorial.zh-ko.beads")
    assert score([(gold, parse_beads(a.to_beads().splitlines()))])["strict"]["f1"] >= 0.95
    assert a.src_vectors.shape[1] > 512  # the aligner compared model + reading vectors


def test_sentence_lists_keep_their_paragraphs(editorial, embedder):
    zh, ko = editorial
    zs, ks = split(zh, "zh"), split(ko, "ko")
    a = bitext.align(zs, ks, model=embedder)
    b = bitext.align(zh, ko, model=embedder)
    assert a.to_beads() == b.to_beads()
    assert a.src_lang == "zh" and a.tgt_lang == "ko"

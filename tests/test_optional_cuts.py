"""Optional cuts: Korean without full stops is aligned in finer pieces, and
the pieces the aligner keeps together are joined again (bitext.text.optional_cuts)."""

import sys

import numpy as np
import pytest
from conftest import DATA, EVAL_DATA, ROOT

import bitext
from bitext.aligner.evaluate import read_beads, score
from bitext.text import optional_cuts
from bitext.text.segment import split

sys.path.insert(0, str(ROOT / "bench"))
from ko_unpunct import chapter_text, verse_beads, without_final_marks  # noqa: E402

BIBLE = EVAL_DATA / "bible-zh-ko"


@pytest.fixture(scope="module")
def bare_editorial(editorial):
    """The seed editorial with its Korean's final marks removed, and where its gold's sentences lie in it."""
    zh, ko = editorial
    located = [(s.text, s.start, s.end, False) for s in split(ko, "ko")]
    bare, _, spans = without_final_marks(ko, located)
    return zh, bare, [(a, b, i) for i, (a, b) in enumerate(spans)]


def test_pieces_cover_the_sentences_and_join_back(bare_editorial):
    _, ko, _ = bare_editorial
    assert optional_cuts.needs_cuts(ko, "ko")
    sents = split(ko, "ko")
    pieces, joins = optional_cuts.cut(ko, sents, "ko")
    assert len(pieces) > len(sents) and len(joins) == len(pieces)
    for p in pieces:
        assert ko[p.start : p.end] == p.text
    # a sentence's last piece is never joined to the next sentence
    assert sum(1 for w in joins if w == 0) == len(sents)
    # one bead per sentence: rejoining gives the sentences back, and their span vectors
    beads, k = [], 0
    for i in range(len(sents)):
        j = k
        while joins[j] > 0:
            j += 1
        beads.append(((i,), tuple(range(k, j + 1)), 0.5, 0.5))
        k = j + 1
    spans = [np.random.default_rng(k).normal(size=(len(pieces) - k, 4)) for k in range(5)]
    out, joined, vectors = optional_cuts.rejoin(beads, ko, pieces, joins, spans, 1)
    assert joined == sents
    assert [b[1] for b in out] == [(i,) for i in range(len(sents))]
    first = beads[0][1]
    assert np.array_equal(vectors[0], spans[len(first) - 1][first[0]])


def test_punctuated_pairs_are_not_cut(editorial, embedder):
    zh, ko = editorial
    assert not optional_cuts.needs_cuts(ko, "ko") and not optional_cuts.needs_cuts(zh, "zh")
    a = bitext.align(zh, ko, "zh", "ko", model=embedder)
    assert a.tgt_sentences == split(ko, "ko") and a.src_sentences == split(zh, "zh")


def test_editorial_without_full_stops_aligns_as_the_punctuated_one(bare_editorial, embedder):
    """The Korean without final marks: cut finer, aligned, joined back; the
    beads are the gold's (by offsets), as they are for the punctuated text."""
    zh, ko, ko_units = bare_editorial
    a = bitext.align(zh, ko, "zh", "ko", model=embedder)
    for s in a.tgt_sentences:
        assert ko[s.start : s.end] == s.text
    zh_units = [(s.start, s.end, i) for i, s in enumerate(split(zh, "zh"))]
    gold = read_beads(DATA / "global-times-editorial.zh-ko.beads")
    assert score([(gold, verse_beads(a, zh_units, ko_units))])["strict"]["f1"] >= 0.95
    assert len(a.tgt_vectors) == len(a.tgt_sentences)


@pytest.mark.skipif(not BIBLE.is_dir(), reason="../shared/eval-data/bible-zh-ko is not here")
def test_bible_verses_come_out_where_the_alignment_supports_them(embedder):
    """Hebrews 1-4 (each chapter one paragraph a side): with the optional
    cuts, more verses come out as 1-1 beads than when the Korean is only split
    at its final endings (bench/ko_unpunct.py measures the F1)."""

    def chapters(side, n=4):
        text, verses = chapter_text(EVAL_DATA, "005", side)
        text = "\n".join(text.split("\n")[:n])
        return text, [v for v in verses if v[1] <= len(text)]

    (zh, zv), (ko, kv) = chapters("zh"), chapters("ko")
    assert zh.count("\n") == 3 and len(kv) > 50

    def one_to_one(a):
        beads = verse_beads(a, zv, kv)
        return sum(1 for z, k in beads if len(z) == 1 and len(k) == 1)

    cut = bitext.align(zh, ko, "zh", "ko", model=embedder)
    alone = bitext.align(zh, split(ko, "ko"), "zh", "ko", model=embedder)
    assert one_to_one(cut) > 1.5 * one_to_one(alone)
    for s in cut.tgt_sentences:
        assert ko[s.start : s.end] == s.text

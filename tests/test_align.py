import numpy as np
import pytest
from conftest import DATA

import bitext
from bitext.aligner.core import AlignParams, align_vectors, band, bead_types, centred
from bitext.aligner.evaluate import parse_beads, read_beads, score
from bitext.embed.embedder import Embedder


def _covers_in_order(beads, n, m):
    src = [i for b in beads for i in b.src_ids]
    tgt = [j for b in beads for j in b.tgt_ids]
    assert src == list(range(n)) and tgt == list(range(m))


def test_editorial_against_hand_gold(editorial_alignment):
    a = editorial_alignment
    gold = read_beads(DATA / "global-times-editorial.zh-ko.beads")
    r = score([(gold, parse_beads(a.to_beads().splitlines()))])
    assert r["strict"]["f1"] >= 0.95, a.to_beads()
    _covers_in_order(a.beads, 27, 44)


def test_editorial_bead_types(editorial_alignment):
    kinds = {(b.src_ids, b.tgt_ids): b.kind for b in editorial_alignment}
    assert kinds.get(((12,), (19, 20, 21, 22))) == "1-4"  # one Chinese sentence, four Korean
    assert kinds.get(((), (34,))) == "0-1"  # the translator's footnote
    assert kinds.get(((9,), (13, 14, 15))) == "1-3"  # runs across two Korean paragraphs


def test_scores_are_probabilities(editorial_alignment):
    scores = np.array([b.score for b in editorial_alignment])
    assert ((scores >= 0) & (scores <= 1)).all()
    # real translations score high
    assert np.median(scores[[b.kind != "0-1" for b in editorial_alignment]]) > 0.7


def test_omitted_translation_is_a_deletion(editorial, embedder):
    zh, ko = editorial
    lines = ko.splitlines()
    # drop the Korean translation of zh 21 (ko 37, the first sentence of paragraph 17)
    lines[17] = lines[17][lines[17].index("계속해서") :]
    a = bitext.align(zh, "\n".join(lines), model=embedder)
    pairs = {(b.src_ids, b.tgt_ids) for b in a}
    assert ((21,), ()) in pairs
    assert ((22,), (37, 38)) in pairs  # the ids after the gap shift by one
    # a whole Korean paragraph left out (ko 27-28, the translation of zh 15)
    lines = ko.splitlines()
    del lines[12]
    a = bitext.align(zh, "\n".join(lines), model=embedder)
    assert ((15,), ()) in {(b.src_ids, b.tgt_ids) for b in a}


def test_list_input_and_presplit(embedder):
    src = ["今天天气很好。", "我们去公园散步吧。", "公园里有很多人。"]
    tgt = ["오늘은 날씨가 좋다.", "공원에 산책하러 가자.", "공원에는 사람이 많다."]
    a = bitext.align(src, tgt, model=embedder)
    assert [(b.src_ids, b.tgt_ids) for b in a] == [((0,), (0,)), ((1,), (1,)), ((2,), (2,))]
    b = bitext.align("\n".join(src), "\n".join(tgt), model=embedder, presplit=True)
    assert b.to_beads() == a.to_beads()
    assert a.to_tsv().splitlines()[0] == "src_ids\ttgt_ids\tscore\tsrc\ttgt"
    assert a.to_jsonl().count("\n") == 4  # the header line, then one line a bead


def test_a_side_without_sentences_is_all_omissions(embedder, tmp_path):
    # bitext.align refuses an empty side (ValueError naming it, tests/test_hostile.py); the aligner
    # itself, given no target sentence, makes each source sentence its own bead at a 1-0 bead's confidence
    src = ["今天天气很好。", "我们去公园散步吧。"]
    with pytest.raises(ValueError, match="tgt is empty"):
        bitext.align(src, [], "zh", "ko", model=embedder)
    spans = embedder.spans(src, 1)
    empty = [np.zeros((0, spans[0].shape[1]), np.float32)]
    beads = align_vectors(spans, empty, np.array([len(s) for s in src]), np.zeros(0))
    assert [tuple(b) for b in beads] == [
        ((0,), (), 0.0, AlignParams().conf_skip),
        ((1,), (), 0.0, AlignParams().conf_skip),
    ]
    a = bitext.align(src, ["오늘은 날씨가 좋다."], "zh", "ko", model=embedder)
    # an alignment read back from its file has no vectors to compare: one clear error
    from bitext.views.readback import read_beads as read_back

    (tmp_path / "a.tsv").write_text(a.to_tsv(), "utf-8")
    with pytest.raises(ValueError, match="no sentence vectors"):
        read_back(tmp_path / "a.tsv").similarity_matrix()


def test_languages_detected_and_unread_language_warns(embedder, recwarn):
    """Languages other than Chinese and Korean are detected too; a language
    the model does not read (Vietnamese for USE) is aligned with a warning."""
    en = (DATA / "opening" / "en.txt").read_text("utf-8")
    ru = (DATA / "opening" / "ru.txt").read_text("utf-8")
    vi = (DATA / "opening" / "vi.txt").read_text("utf-8")
    a = bitext.align(en, ru, model=embedder)
    assert (a.src_lang, a.tgt_lang) == ("en", "ru")
    assert [b.kind for b in a] == ["1-1"] * 3
    assert not [w for w in recwarn if "does not read" in str(w.message)]
    with pytest.warns(UserWarning, match=r"does not read vi: .*multilingual-e5-small"):
        a = bitext.align(en, vi, model=embedder)
    assert (a.src_lang, a.tgt_lang) == ("en", "vi")


def test_bead_types_cover_x_plus_y_up_to_6():
    types = set(bead_types(6, 5))
    assert {(1, 0), (0, 1), (1, 1), (1, 4), (4, 1), (3, 3), (1, 5), (2, 4)} <= types
    assert all(a + b <= 6 for a, b in types)


def test_band_is_linear_not_quadratic():
    n = m = 20000
    pts = [(i, i) for i in range(0, n, 7)]
    lo, hi = band(n, m, pts, 1, 8)
    cells = int((hi - lo + 1).sum())
    assert cells < 40 * n  # a full matrix would be 4e8 cells
    assert lo[0] == 0 and hi[-1] == m
    assert (np.diff(lo) >= 0).all() and (np.diff(hi) >= 0).all()


def test_aligner_recovers_planted_beads():
    # random unit vectors where a target span of two is the normalised sum of its parts
    rng = np.random.default_rng(0)
    n = 300
    src = rng.normal(size=(n, 64)).astype(np.float32)
    src /= np.linalg.norm(src, axis=1, keepdims=True)
    # target: sentence 50 is split in two halves, sentence 120 is dropped, one insertion at 200
    tgt, gold = [], []
    for i in range(n):
        if i == 120:
            gold.append(((i,), ()))
            continue
        if i == 200:
            tgt.append(rng.normal(size=64).astype(np.float32))
            gold.append(((), (len(tgt) - 1,)))
        if i == 50:
            noise = 0.1 * rng.normal(size=64).astype(np.float32)
            tgt += [src[i] + noise, src[i] - noise]
            gold.append(((i,), (len(tgt) - 2, len(tgt) - 1)))
            continue
        tgt.append(src[i] + 0.05 * rng.normal(size=64).astype(np.float32))
        gold.append(((i,), (len(tgt) - 1,)))
    tgt = np.array(tgt)
    tgt /= np.linalg.norm(tgt, axis=1, keepdims=True)

    def spans(v, k):
        out = []
        for size in range(1, k + 1):
            s = np.array([v[i : i + size].sum(0) for i in range(len(v) - size + 1)])
            out.append(s / np.linalg.norm(s, axis=1, keepdims=True))
        return out

    beads = align_vectors(spans(src, 5), spans(tgt, 5), np.full(n, 30), np.full(len(tgt), 30), params=AlignParams())
    got = [(s, t) for s, t, *_ in beads]
    r = score([(gold, got)])
    assert r["strict"]["f1"] > 0.97
    assert ((50,), (50, 51)) in got
    assert ((120,), ()) in got


def test_question_and_exclamation_marks_are_anchors():
    from bitext.aligner.anchors import anchor_counts

    zh = [
        "你明天会来吗？",
        "我们在车站见面。",
        "那里人很多。",
        "太好了！",
        "DeepSeek 在 2025 年发布了新模型。",
        "大家都很高兴。",
    ]
    en = [
        "Will you come tomorrow?",
        "We will meet at the station.",
        "It is crowded there.",
        "Great!",
        "DeepSeek released a new model in 2025.",
        "Everyone was happy.",
    ]
    s, t = anchor_counts(zh, en)
    assert s.shape == (6, 2) and t.shape == (6, 2)  # the marks only: two columns
    assert s[0].tolist() == t[0].tolist() == [1, 0]  # the full-width ？ counts as ?
    assert s[3].tolist() == t[3].tolist() == [0, 1]
    assert not s[[1, 2, 4, 5]].any() and not t[[1, 2, 4, 5]].any()


def _all_paths(n, m, types):
    """Every monotone bead path from (0, 0) to (n, m), as lists of (end row, end col, type)."""
    if (n, m) == (0, 0):
        return [[]]
    out = []
    for t, (a, b) in enumerate(types):
        if a <= n and b <= m:
            out += [p + [(n, m, t)] for p in _all_paths(n - a, m - b, types)]
    return out


def _seed_band(editorial, embedder):
    """A full band over 3 x 5 seed sentences, scored with their span cosines."""
    from bitext.aligner.core import bead_types
    from bitext.aligner.dp import NEG, band_cells

    zh, ko = editorial
    src = [s.text for s in bitext.split(zh, "zh")][3:6]
    tgt = [s.text for s in bitext.split(ko, "ko")][3:8]
    n, m = len(src), len(tgt)
    ss, ts = embedder.spans(src, 4), embedder.spans(tgt, 4)
    types = bead_types(6, 4)
    lo, hi = np.zeros(n + 1, np.int64), np.full(n + 1, m, np.int64)
    offs, row, col = band_cells(lo, hi)
    scores = np.full((len(types), len(row)), NEG, np.float32)
    for t, (a, b) in enumerate(types):
        for q, (r, c) in enumerate(zip(row, col)):
            if r >= a and c >= b:
                scores[t, q] = -0.1 if a == 0 or b == 0 else float(ss[a - 1][r - a] @ ts[b - 1][c - b]) - 0.3
    return scores, types, offs, lo, hi, n, m


def _enumerated_posteriors(scores, types, offs, n, m, temp):
    """Every bead's share of exp(score / temp) summed over every path, by enumeration."""
    weights, z = {}, 0.0
    for p in _all_paths(n, m, types):
        w = np.exp(sum(float(scores[t, offs[r] + c]) for r, c, t in p) / temp)
        z += w
        for bead in p:
            weights[bead] = weights.get(bead, 0.0) + w
    return {bead: w / z for bead, w in weights.items()}


def test_bead_posteriors_match_enumeration(editorial, embedder):
    """Forward-backward over the band gives the same posteriors as summing
    exp(score / temp) over every path, on the seed's own span cosines."""
    from bitext.aligner.dp import bead_posteriors, best_path

    scores, types, offs, lo, hi, n, m = _seed_band(editorial, embedder)
    temp = 0.05
    path = best_path(scores, types, offs, lo, hi, n, m)
    got = bead_posteriors(scores, types, offs, lo, hi, n, m, path, temp)
    post = _enumerated_posteriors(scores, types, offs, n, m, temp)
    assert np.allclose(got, [post[bead] for bead in path], atol=1e-6)
    assert 0.0 < min(got) and max(got) <= 1.0


def test_cell_posteriors_match_enumeration(editorial, embedder):
    """The posterior of every bead the band holds, not only the best path's."""
    from bitext.aligner.dp import cell_posteriors

    scores, types, offs, lo, hi, n, m = _seed_band(editorial, embedder)
    got = cell_posteriors(scores, types, offs, lo, hi, n, m, 0.05)
    post = _enumerated_posteriors(scores, types, offs, n, m, 0.05)
    want = np.zeros_like(got)
    for (r, c, t), w in post.items():
        want[t, offs[r] + c] = w
    assert np.allclose(got, want, atol=1e-6)
    assert (want > 0.01).sum() > n + m  # beads off the best path carry weight too


def test_contested_spans_are_the_multi_sentence_spans_of_likely_beads(editorial_alignment):
    """On the seed, the spans of every 1-n bead the aligner chose are contested,
    and far fewer spans than the band holds."""
    from bitext.aligner.core import contested_spans
    from bitext.pipeline import _text_len

    a = editorial_alignment
    ss = a.model.spans([s.text for s in a.src_sentences], 5)
    ts = a.model.spans([s.text for s in a.tgt_sentences], 5)
    ls = np.array([_text_len(s.text) for s in a.src_sentences])
    lt = np.array([_text_len(s.text) for s in a.tgt_sentences])
    ps = np.array([s.paragraph for s in a.src_sentences])
    pt = np.array([s.paragraph for s in a.tgt_sentences])
    src, tgt = contested_spans(ss, ts, ls, lt, ps, pt)
    got = {("s",) + tuple(x) for x in src.tolist()} | {("t",) + tuple(x) for x in tgt.tolist()}
    chosen = {("t", b.tgt_ids[0], len(b.tgt_ids)) for b in a if len(b.tgt_ids) > 1}
    chosen |= {("s", b.src_ids[0], len(b.src_ids)) for b in a if len(b.src_ids) > 1}
    assert len(chosen) >= 5 and chosen <= got
    assert all(k >= 2 for _, _, k in got)
    every = sum(len(v) for v in ss[1:]) + sum(len(v) for v in ts[1:])
    assert len(got) < every / 4


def test_confidence_drops_next_to_an_omission(editorial, editorial_alignment, embedder):
    """The confidence reflects how sure the path is, not only the bead's cosine:
    next to a deleted translation the same right bead scores much lower."""
    from bitext.check.coverage import DEFAULT_THRESHOLD

    clean = {(b.src_ids, b.tgt_ids): b for b in editorial_alignment}
    # on the clean seed no right bead is low-confidence
    assert min(b.score for b in editorial_alignment if b.src_ids and b.tgt_ids) >= DEFAULT_THRESHOLD
    zh, ko = editorial
    lines = ko.splitlines()
    lines[17] = lines[17][lines[17].index("계속해서") :]  # drop ko 37, the translation of zh 21
    beads = {(b.src_ids, b.tgt_ids): b for b in bitext.align(zh, "\n".join(lines), model=embedder)}
    after, before = beads[((22,), (37, 38))], clean[((22,), (38, 39))]
    assert abs(after.similarity - before.similarity) < 1e-4  # the same sentences ...
    assert after.score < before.score - 0.15  # ... but the path around them is less sure
    plain = bitext.align(zh, "\n".join(lines), model=embedder, params=AlignParams(posterior_temp=None))
    assert {(b.src_ids, b.tgt_ids) for b in plain} == set(beads)  # the posteriors change no bead


class _Cone(Embedder):
    """The default model's span vectors pushed into a narrow cone around one
    direction, as some models place every sentence (multilingual-e5: cosine
    0.8 between unrelated sentences)."""

    def __init__(self, inner):
        self.inner = inner
        super().__init__(use_cache=False)

    def spans(self, sentences, max_len, progress=None):
        u = np.random.default_rng(0).standard_normal(512)
        u /= np.linalg.norm(u)
        out = []
        for v in self.inner.spans(sentences, max_len, progress):
            w = v + 2.0 * u
            out.append((w / np.linalg.norm(w, axis=1, keepdims=True)).astype(np.float32))
        return out


def test_anisotropic_model_is_centred(editorial, embedder):
    zh, ko = editorial
    gold = read_beads(DATA / "global-times-editorial.zh-ko.beads")

    def f1(model, **kw):
        a = bitext.align(zh, ko, model=model, params=AlignParams(**kw))
        return a, score([(gold, parse_beads(a.to_beads().splitlines()))])["strict"]["f1"]

    cone = _Cone(embedder)
    a, centred_f1 = f1(cone)
    assert a.similarity_matrix().mean() > 0.8  # every pair looks alike
    _, raw_f1 = f1(cone, centre_above=None)
    assert centred_f1 == 1.0
    assert raw_f1 < centred_f1  # without centring the cone costs beads
    # the default model is spread out (random pairs ~0.1): left as it is
    ss = embedder.spans([s.text for s in a.src_sentences], 5)
    ts = embedder.spans([s.text for s in a.tgt_sentences], 5)
    cs, ct = centred(ss, ts)
    assert cs is ss and ct is ts

"""Is a candidate pair a translation? What the aligner finds when it aligns the two documents.

A pair of documents on the same subject has sentences that are close, here
and there; a translation has sentences that align *in order*, most of them,
on both sides. :func:`pair_evidence` aligns the two documents' sentence
vectors with the aligner's dynamic program
(:func:`~bitext.aligner.core.align_vectors`: monotone beads, 1-1 to 3-1,
sentences left out) and counts the sentences of each side that sit in a bead
whose cosine is above *chance* for its type: ``theta[(a, b)]``, the 99th
percentile of the cosines of spans of ``a`` and ``b`` sentences of the two
sides that do not translate each other (:func:`chance_level`, measured on
the collections themselves, so that it follows the model and the language
pair). The pair's score is the smaller of the two coverages. It is a
translation when the score is at least ``MIN_COVERAGE`` and as many aligned
sentences are unlikely by chance (:func:`chance_of`, at most
``MAX_CHANCE``): short documents need most of their sentences aligned.

The other evidence is reported, not decided on: the share of 1-1 beads among
the aligned ones, and ``order``, the longest run in order of mutual nearest
sentences above chance, over the shorter side's sentence count (a measure
the dynamic program does not impose). On the dev sets (bench/match.py) the
coverage alone separates translations from same-subject documents best; the
share of 1-1 beads does not separate them at all (a Bible chapter's
neighbour aligns 1-1 as often as its translation).
"""

from __future__ import annotations

import bisect
import functools
import math
from dataclasses import dataclass

import numpy as np

from ..aligner.core import AlignParams, align_vectors
from ..embed.embedder import composed_spans

__all__ = [
    "Evidence",
    "FIELDS",
    "pair_evidence",
    "confirm_pairs",
    "chance_level",
    "chance_tail",
    "chance_of",
    "MIN_COVERAGE",
    "MAX_CHANCE",
    "MATCH_PARAMS",
]

MIN_COVERAGE = 0.35  # of each side's sentences, in beads above chance
MAX_CHANCE = 1e-3  # the largest probability that as many sentences align by chance
# the share of sentences of two unrelated documents that align by chance: measured on each run
# (0.03 to 0.05 on the dev sets, bench/match.py); this where a collection is too small to measure it
DEFAULT_ALIGNED = 0.05
MIN_NULL = 50

# beads of up to 4 sentences (1-3, 2-2, 3-1): a fifth of the time of the aligner's full
# set of bead types; posteriors off (the beads' confidence is not used here)
MATCH_PARAMS = AlignParams(max_bead=4, max_side=3, posterior_temp=None)


# the columns of an evidence row (what a worker returns for each pair)
FIELDS = ("score", "src_coverage", "tgt_coverage", "one_to_one", "order", "n_src", "n_tgt")


@dataclass(frozen=True)
class Evidence:
    """What aligning a candidate pair found.

    ``src_coverage``/``tgt_coverage``: the share of each side's sentences in
    beads above chance; ``score``: the smaller of the two; ``one_to_one``:
    the share of those beads that are 1-1; ``order``: mutual nearest
    sentences above chance that run in order, over the shorter side's
    sentence count; ``n_src``/``n_tgt``: sentence counts; ``doc_cosine``: of
    the two document vectors; ``chance``: the probability that as many
    sentences of the weaker side would align by chance (:func:`chance_of`).
    """

    score: float
    src_coverage: float
    tgt_coverage: float
    one_to_one: float
    order: float
    n_src: int
    n_tgt: int
    doc_cosine: float
    chance: float = 1.0

    @classmethod
    def from_row(cls, row, doc_cosine: float, chance: float = 1.0) -> Evidence:
        r = [round(float(x), 4) for x in row]
        return cls(
            r[0], r[1], r[2], r[3], r[4], int(r[5]), int(r[6]), round(float(doc_cosine), 4), float(f"{chance:.3g}")
        )

    def to_dict(self) -> dict:
        return {k: getattr(self, k) for k in FIELDS + ("doc_cosine", "chance")}

    def describe(self) -> str:
        """``"95% of 27 source and 91% of 44 target sentences align"``."""
        return (
            f"{self.src_coverage:.0%} of {self.n_src} source and {self.tgt_coverage:.0%} of {self.n_tgt} "
            f"target sentences align"
        )

    def details(self) -> str:
        """The rest of the evidence: 1-1 beads, order, document cosine."""
        return (
            f"1-1 beads {self.one_to_one:.0%}, in order {self.order:.0%}, "
            f"document cosine {self.doc_cosine:.2f}, chance {self.chance:.2g}"
        )


def _lis(seq) -> int:
    """Length of the longest strictly increasing subsequence."""
    tails: list = []
    for x in seq:
        i = bisect.bisect_left(tails, x)
        if i == len(tails):
            tails.append(x)
        else:
            tails[i] = x
    return len(tails)


def pair_evidence(src, tgt, theta: dict, params=None) -> np.ndarray:
    """The evidence row of one pair (:data:`FIELDS`); ``src``/``tgt``: ``(vectors,
    lengths, paragraphs)`` (unit sentence vectors, non-space characters, paragraph ids);
    ``theta``: the chance level of each bead type ``(a, b)`` (:func:`chance_level`)."""
    params = params or MATCH_PARAMS
    (sv, sl, sp), (tv, tl, tp) = src, tgt
    n, m = len(sv), len(tv)
    span = min(params.max_side, params.max_bead - 1)
    beads = align_vectors(composed_spans(sv, sl, span), composed_spans(tv, tl, span), sl, tl, sp, tp, params)
    good = [(len(s), len(t)) for s, t, sim, _ in beads if s and t and sim >= theta[(len(s), len(t))]]
    cs = sum(a for a, _ in good) / n
    ct = sum(b for _, b in good) / m
    sims = sv @ tv.T
    best_t, best_s = sims.argmax(1), sims.argmax(0)
    mutual = [j for i, j in enumerate(best_t.tolist()) if best_s[j] == i and sims[i, j] >= theta[(1, 1)]]
    one = sum(1 for a, b in good if a == b == 1) / len(good) if good else 0.0
    return np.array([min(cs, ct), cs, ct, one, _lis(mutual) / min(n, m), n, m], np.float64)


def confirm_pairs(
    model,
    work: str,
    pairs: np.ndarray,
    src_locs: dict,
    tgt_locs: dict,
    theta: dict,
    centre=None,
    shuffled: bool = False,
    tag=None,
) -> tuple:
    """A worker's task: the evidence rows of ``pairs`` (``(p, 2)`` document indices), whose
    documents' sentences are at ``src_locs[i]``/``tgt_locs[j]`` in the work folder.
    ``centre``: the two sides' mean sentence vectors, subtracted first (for models whose
    vectors crowd into a cone), or ``None``. ``shuffled``: the target's sentences in a
    random order (what aligns then is chance, even in a translation). Returns ``(tag, rows)``
    (``tag``: the caller's, as given, ``pairs`` when ``None``)."""
    from .vectors import SentenceStore

    store = SentenceStore(work)
    rows = np.zeros((len(pairs), len(FIELDS)))
    for k, (i, j) in enumerate(pairs.tolist()):
        s = store.get("src", src_locs[i])
        t = store.get("tgt", tgt_locs[j])
        if centre is not None:
            s, t = _centred(s, centre[0]), _centred(t, centre[1])
        if shuffled:
            order = np.random.default_rng([i, j]).permutation(len(t[0]))
            t = (t[0][order], t[1][order], np.arange(len(order)))
        rows[k] = pair_evidence(s, t, theta)
    return (pairs if tag is None else tag), rows


def _centred(side, mu):
    v = side[0] - mu
    v /= np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-9)
    return (v, side[1], side[2])


def _span_sims(s, t, a: int, b: int, rng, most: int = 16) -> tuple[np.ndarray, np.ndarray]:
    """Cosines of up to ``most`` random spans of ``a`` source sentences with up to ``most``
    random spans of ``b`` target sentences, and how far apart each pair of spans lies
    (relative positions)."""
    n, m = len(s[0]) - a + 1, len(t[0]) - b + 1
    if n < 1 or m < 1:
        return np.zeros(0), np.zeros(0)
    i = np.sort(rng.choice(n, min(n, most), replace=False))
    j = np.sort(rng.choice(m, min(m, most), replace=False))
    sv = _spans_at(s, i, a)
    tv = _spans_at(t, j, b)
    ps = (i + a / 2) / len(s[0])
    pt = (j + b / 2) / len(t[0])
    return (sv @ tv.T).ravel(), np.abs(ps[:, None] - pt[None, :]).ravel()


def _spans_at(side, starts: np.ndarray, k: int) -> np.ndarray:
    """The composed vectors of the spans of ``k`` sentences at ``starts`` (as
    :func:`~bitext.embed.embedder.composed_spans` makes them)."""
    v, w = side[0], np.asarray(side[1], np.float32)
    x = sum(v[starts + d] * w[starts + d, None] for d in range(k))
    return x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-9)


def chance_level(
    store,
    src_locs: list,
    tgt_locs: list,
    centre=None,
    samples: int = 1000,
    seed: int = 0,
    quantile: float = 0.99,
    per_pair: int = 64,
    off: float = 0.3,
    params=None,
) -> tuple[dict, float]:
    """``(theta, mean)``: for each bead type ``(a, b)`` of ``params``, the
    ``quantile`` of the cosines of spans of ``a`` source and ``b`` target
    sentences that do not translate each other; and the mean cosine of two
    such sentences.

    Sampled: ``samples`` random pairs of documents (one of each side); of
    each, up to ``per_pair`` span pairs of every type that lie at least
    ``off`` apart in relative position (so that spans of a pair that happens
    to be a translation are not each other's translations). A span's vector
    is composed from its sentences' as in the confirmation, so that a bead of
    three sentences, whose vector drifts toward what the whole collection
    shares, is held to its own chance level. ``src_locs``/``tgt_locs``: the
    documents' locations in ``store`` (:class:`~bitext.match.vectors.SentenceStore`).
    """
    params = params or MATCH_PARAMS
    types = [
        (a, b) for a in range(1, params.max_side + 1) for b in range(1, params.max_side + 1) if a + b <= params.max_bead
    ]
    rng = np.random.default_rng(seed)
    vals: dict = {ab: [] for ab in types}
    for _ in range(samples):
        s = store.get("src", src_locs[rng.integers(len(src_locs))])
        t = store.get("tgt", tgt_locs[rng.integers(len(tgt_locs))])
        if centre is not None:
            s, t = _centred(s, centre[0]), _centred(t, centre[1])
        for a, b in types:
            sims, dist = _span_sims(s, t, a, b, rng)
            x = sims[dist >= off]
            if len(x) > per_pair:
                x = x[rng.choice(len(x), per_pair, replace=False)]
            vals[(a, b)].append(x)
    theta = {}
    for ab in types:
        x = np.concatenate(vals[ab]) if vals[ab] else np.zeros(0)
        theta[ab] = float(np.quantile(x, quantile)) if len(x) >= 100 else None
    one = np.concatenate(vals[(1, 1)]) if vals[(1, 1)] else np.zeros(0)
    base = theta[(1, 1)] if theta[(1, 1)] is not None else 1.0
    # a type too rare to measure (short documents) is held to the 1-1 level, or the highest measured
    top = max([v for v in theta.values() if v is not None], default=base)
    theta = {ab: (v if v is not None else max(base, top)) for ab, v in theta.items()}
    return theta, float(one.mean()) if len(one) else 0.0


@functools.lru_cache(maxsize=65536)
def chance_tail(n: int, x: int, p: float) -> float:
    """``P(X >= x)`` for ``X ~ Binomial(n, p)``: the chance that ``x`` of ``n`` sentences
    align above chance when each does with probability ``p``."""
    if x <= 0:
        return 1.0
    if x > n:
        return 0.0
    lp, lq = math.log(p), math.log1p(-p)
    terms = [
        math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1) + k * lp + (n - k) * lq
        for k in range(x, n + 1)
    ]
    top = max(terms)
    return min(1.0, math.exp(top) * sum(math.exp(t - top) for t in terms))


def chance_of(rows: np.ndarray, null_rows: np.ndarray) -> tuple[np.ndarray, float]:
    """For each evidence row, the probability that as many sentences of its weaker side
    align by chance, and ``p``, the share of sentences that align by chance:
    in ``null_rows``, the evidence of random pairs of documents that are not
    candidates (at least 1%; ``DEFAULT_ALIGNED`` when there are fewer than
    ``MIN_NULL`` such pairs, in a small collection).

    A document of one sentence is too short to tell a translation from chance;
    of two or three, all must align.
    """
    fr = np.concatenate([null_rows[:, 1], null_rows[:, 2]]) if len(null_rows) >= MIN_NULL else np.zeros(0)
    p = round(max(float(fr.mean()), 0.01) if len(fr) else DEFAULT_ALIGNED, 4)
    out = np.ones(len(rows))
    for k, r in enumerate(rows.tolist()):
        n, m = int(r[5]), int(r[6])
        out[k] = max(chance_tail(n, int(round(r[1] * n)), p), chance_tail(m, int(round(r[2] * m)), p))
    return out, p

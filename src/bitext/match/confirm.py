"""Is a candidate pair a translation? What the aligner finds when it aligns the two documents.

A pair of documents on the same subject has sentences that are close, here
and there; a translation has sentences that align *in order*, nearly all of
them, on both sides. :func:`pair_evidence` aligns the two documents'
sentence vectors with the aligner's dynamic program
(:func:`~bitext.align.align_vectors`: monotone beads, 1-1 to 3-1, sentences
left out) and counts the sentences of each side that sit in a bead whose
cosine is above *chance*: ``theta``, the 99th percentile of the cosines of
sentences of the two sides that do not translate each other
(:func:`chance_level`, measured on the collections themselves, so that it
follows the model and the language pair). The pair's score is the smaller of
the two coverages; at ``MIN_COVERAGE`` (half the sentences of each side) or
more, the pair is a translation.

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
from dataclasses import dataclass

import numpy as np

from ..align import AlignParams, align_vectors
from ..embedder import composed_spans

__all__ = ["Evidence", "FIELDS", "pair_evidence", "confirm_pairs", "chance_level", "MIN_COVERAGE", "MATCH_PARAMS"]

MIN_COVERAGE = 0.5

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
    the two document vectors.
    """

    score: float
    src_coverage: float
    tgt_coverage: float
    one_to_one: float
    order: float
    n_src: int
    n_tgt: int
    doc_cosine: float

    @classmethod
    def from_row(cls, row, doc_cosine: float) -> "Evidence":
        r = [float(x) for x in row]
        return cls(*(round(x, 4) for x in r[:5]), int(r[5]), int(r[6]), round(float(doc_cosine), 4))

    def to_dict(self) -> dict:
        return {k: getattr(self, k) for k in FIELDS + ("doc_cosine",)}

    def describe(self) -> str:
        """``"95% of 27 source and 91% of 44 target sentences align"``."""
        return (f"{self.src_coverage:.0%} of {self.n_src} source and {self.tgt_coverage:.0%} of {self.n_tgt} "
                f"target sentences align")

    def details(self) -> str:
        """The rest of the evidence: 1-1 beads, order, document cosine."""
        return (f"1-1 beads {self.one_to_one:.0%}, in order {self.order:.0%}, "
                f"document cosine {self.doc_cosine:.2f}")


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


def pair_evidence(src, tgt, theta: float, params=None) -> np.ndarray:
    """The evidence row of one pair (:data:`FIELDS`); ``src``/``tgt``: ``(vectors,
    lengths, paragraphs)`` (unit sentence vectors, non-space characters, paragraph ids)."""
    params = params or MATCH_PARAMS
    (sv, sl, sp), (tv, tl, tp) = src, tgt
    n, m = len(sv), len(tv)
    span = min(params.max_side, params.max_bead - 1)
    beads = align_vectors(composed_spans(sv, sl, span), composed_spans(tv, tl, span), sl, tl, sp, tp, params)
    good = [(len(s), len(t)) for s, t, sim, _ in beads if s and t and sim >= theta]
    cs = sum(a for a, _ in good) / n
    ct = sum(b for _, b in good) / m
    sims = sv @ tv.T
    best_t, best_s = sims.argmax(1), sims.argmax(0)
    mutual = [j for i, j in enumerate(best_t.tolist()) if best_s[j] == i and sims[i, j] >= theta]
    one = sum(1 for a, b in good if a == b == 1) / len(good) if good else 0.0
    return np.array([min(cs, ct), cs, ct, one, _lis(mutual) / min(n, m), n, m], np.float64)


def confirm_pairs(model, work: str, pairs: np.ndarray, src_locs: dict, tgt_locs: dict, theta: float,
                  centre=None) -> tuple[np.ndarray, np.ndarray]:
    """A worker's task: the evidence rows of ``pairs`` (``(p, 2)`` document indices), whose
    documents' sentences are at ``src_locs[i]``/``tgt_locs[j]`` in the work folder.
    ``centre``: the two sides' mean sentence vectors, subtracted first (for models whose
    vectors crowd into a cone), or ``None``. Returns ``(pairs, rows)``."""
    from .vectors import SentenceStore

    store = SentenceStore(work)
    rows = np.zeros((len(pairs), len(FIELDS)))
    for k, (i, j) in enumerate(pairs.tolist()):
        s = store.get("src", src_locs[i])
        t = store.get("tgt", tgt_locs[j])
        if centre is not None:
            s, t = _centred(s, centre[0]), _centred(t, centre[1])
        rows[k] = pair_evidence(s, t, theta)
    return pairs, rows


def _centred(side, mu):
    v = side[0] - mu
    v /= np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-9)
    return (v, side[1], side[2])


def chance_level(store, src_locs: list, tgt_locs: list, centre=None, samples: int = 2000, seed: int = 0,
                 quantile: float = 0.99) -> tuple[float, float]:
    """``(theta, mean)``: the ``quantile`` and the mean of the cosines of sentences of
    the two sides that do not translate each other.

    Sampled: ``samples`` random pairs of documents (one of each side); for each,
    one random sentence of either document against every sentence of the
    other but its nearest (which may be its translation, when the two
    documents happen to be one). ``src_locs``/``tgt_locs``: the documents'
    locations in ``store`` (:class:`~bitext.match.vectors.SentenceStore`).
    """
    rng = np.random.default_rng(seed)
    vals = []
    for _ in range(samples):
        s = store.get("src", src_locs[rng.integers(len(src_locs))])[0]
        t = store.get("tgt", tgt_locs[rng.integers(len(tgt_locs))])[0]
        if centre is not None:
            s, t = _centred((s, 0, 0), centre[0])[0], _centred((t, 0, 0), centre[1])[0]
        for a, b in ((s, t), (t, s)):
            if len(b) < 2:
                continue
            row = b @ a[rng.integers(len(a))]
            vals.append(np.delete(row, row.argmax()))
    if not vals:
        return 1.0, 0.0
    x = np.concatenate(vals)
    return float(np.quantile(x, quantile)), float(x.mean())

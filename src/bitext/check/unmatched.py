"""Unmatched sentences: those that sit in a bead but are not translated there.

A sentence is *unmatched* when its best margin (cosine minus the mean cosine
of both sentences' nearest neighbours, as in the aligner) against the other
side of its bead lies more than ``z`` robust standard deviations below the
document's median, or its best plain cosine more than ``z + 1`` (text like a
URL resembles nothing, so its margin stays high). The median and spread are
those of the sentence-to-sentence margins; the one source sentence of a 1-n
bead is judged by the best of its margins against each of the n and against
the n as a whole (the sum of their vectors, with its own neighbourhood): a
sentence the translation splits in three resembles none of the three much.
(Only there: against the whole, a sentence inserted beside others on the same
subject passed, in ``bench/calibrate_coverage.py``'s trials: Text+Berg
additions 224 to 218 of 246 with every side of two or more, and one of the
seed's 18 with the target of n-1 beads.) Inside a bead of two or
more sentences on one side, a sentence is also unmatched when the bead
without it resembles the other side better than the whole bead does, by more
than ``loo_gain`` (leave one out: it encodes the bead's text again, with the
model that made the alignment). :func:`unmatched_sentences` finds both;
:func:`bitext.check.coverage.coverage` reports them as omissions and additions of
kind ``"unmatched"``.

A sentence left in the source language is the model's near twin of its source
and close to every source sentence on its subject, so it raises the
neighbourhood of the sources around it a little. Setting such sentences
aside (found untranslated or copied: not judged, nobody's neighbour, not in
the median and spread) was measured and dropped: on ``bench/qa.py`` it found
nothing more and added 7 false flags in the damaged documents (1,893 to
1,900); what the copy had tipped on the seed was the sentence of a 1-3 bead
judged against the three pieces only (:func:`_best`).
"""

from __future__ import annotations

import numpy as np

from ..text.segment import join_sentences
from .robust import median, spread

__all__ = ["unmatched_sentences", "DEFAULT_UNMATCHED_Z", "DEFAULT_LOO_GAIN"]

DEFAULT_UNMATCHED_Z = 2.5
"""A sentence is *unmatched* when its in-bead margin is this many robust standard
deviations below the document's median, or its in-bead cosine this many plus one
(chosen by ``bench/calibrate_coverage.py``)."""

_KNN = 4  # neighbours for the margin, as in the aligner
_MIN_STATS = 8  # fewer in-bead margins than this: use the fallback median/spread
_FALLBACK_MEDIAN = 0.10  # typical median and spread of in-bead margins on the dev sets
_FALLBACK_SPREAD = 0.10
_FALLBACK_COS_MEDIAN = 0.45
_COS_EXTRA_Z = 1.0  # the cosine test is stricter than the margin test by this many z
_MIN_SPREAD = 0.04
_LOO_Z = 1.0  # leave-one-out tries only sentences this many robust spreads below the median margin

DEFAULT_LOO_GAIN = 0.02
"""A sentence inside a bead of two or more sentences on its side is also
*unmatched* when the bead without it resembles the other side better by more
than this (cosine); chosen by ``bench/calibrate_coverage.py``."""


def _margins(src: np.ndarray, tgt: np.ndarray, block: int = 1024):
    """Row and column neighbourhoods: mean of the ``_KNN`` best cosines, blockwise."""
    n, m = len(src), len(tgt)
    k_r, k_c = min(_KNN, m), min(_KNN, n)
    rn = np.zeros(n, np.float32)
    top_c = np.full((0, m), -np.inf, np.float32)
    for s in range(0, n, block):
        c = src[s : s + block] @ tgt.T
        rn[s : s + block] = np.sort(np.partition(c, m - k_r, axis=1)[:, m - k_r :], axis=1).mean(axis=1)
        both = np.concatenate([top_c, c], axis=0)
        kk = min(k_c, len(both))
        top_c = np.partition(both, len(both) - kk, axis=0)[len(both) - kk :]
    cn = top_c.mean(axis=0) if len(top_c) else np.zeros(m, np.float32)
    return rn, cn


def _wholes(sides: list[list[int]], vectors: np.ndarray, others: np.ndarray):
    """``{k: unit vector}`` of the sides of two or more sentences (the sum of their vectors), and
    ``{k: neighbourhood}``: the mean of the ``_KNN`` best cosines of each with ``others``."""
    at = [k for k, ids in enumerate(sides) if len(ids) > 1]
    if not at:
        return {}, {}
    w = np.stack([vectors[sides[k]].sum(axis=0) for k in at]).astype(np.float32)
    w /= np.maximum(np.linalg.norm(w, axis=1, keepdims=True), 1e-12)
    wn = _margins(w, others)[0]
    return dict(zip(at, w)), dict(zip(at, wn))


def _best(mine: np.ndarray, my_n: np.ndarray, theirs: np.ndarray, their_n: np.ndarray, whole=None, whole_n=None):
    """Of each of ``mine`` (vectors, neighbourhoods) against the other side of its bead: its best
    margin and its best cosine against each of that side's sentences (``theirs``, ``their_n``),
    and its best margin counting that side as a whole too (``whole``, ``whole_n``: given for the
    source sentence of a 1-n bead, which the translation split in n: it resembles none of the n
    much, and all of them well)."""
    cos = mine @ theirs.T
    mm = cos - 0.5 * (my_n[:, None] + their_n[None, :])
    best_m, best_c = mm.max(axis=1), cos.max(axis=1)
    if whole is None:
        return best_m, best_c, best_m
    return best_m, best_c, np.maximum(best_m, mine @ whole - 0.5 * (my_n + whole_n))


def _one_to_one(beads, sv, rn, tv, cn) -> dict[int, tuple[float, float, float]]:
    """What :func:`_best` gives the sentences of the 1-1 beads (the same for both), all at once:
    ``{bead: (margin, cosine, margin)}``."""
    ones = [k for k, (s, t) in enumerate(beads) if len(s) == 1 and len(t) == 1]
    if not ones:
        return {}
    i = np.array([beads[k][0][0] for k in ones])
    j = np.array([beads[k][1][0] for k in ones])
    cos = (sv[i][:, None, :] @ tv[j][:, :, None])[:, 0, 0]  # each pair's product, as _best's
    margin = cos - 0.5 * (rn[i] + cn[j])
    return {k: (x, c, x) for k, x, c in zip(ones, margin.tolist(), cos.tolist())}


def _cut(v: np.ndarray, z: float, kind: int) -> float:
    """``median - z * robust spread`` of ``v`` (fallbacks for short documents)."""
    if len(v) >= _MIN_STATS:
        med = median(v)
        sd = max(spread(v, med), _MIN_SPREAD)
    elif kind == 0:
        med, sd = _FALLBACK_MEDIAN, _FALLBACK_SPREAD
    else:
        med, sd = _FALLBACK_COS_MEDIAN, _FALLBACK_SPREAD
    return med - z * sd


def unmatched_sentences(
    alignment, z: float | None, loo_gain: float | None = None, model=None, progress: bool = False
) -> tuple[set[int], set[int]]:
    """Source and target sentences whose bead partner(s) do not resemble them
    (none when ``z`` is None: the leave-one-out test runs only with the first,
    and only with a ``model``; ``progress``: a progress bar for its encodings)."""
    sv, tv = alignment.src_vectors, alignment.tgt_vectors
    if z is None or sv is None or tv is None or not len(sv) or not len(tv):
        return set(), set()
    rn, cn = _margins(sv, tv)

    paired = [b for b in alignment.beads if b.src_ids and b.tgt_ids]
    if not paired:
        return set(), set()
    beads = [(list(b.src_ids), list(b.tgt_ids)) for b in paired]
    # the target side of a 1-n bead as a whole: its vectors' sum, and its own neighbourhood among
    # the source sentences
    whole_t, wn_t = _wholes([t if len(s) == 1 else [] for s, t in beads], tv, sv)
    # per sentence, its best margin and its best cosine against the other side of its bead
    # (and the margin counting the bead's other side as a whole too)
    src_m: dict[int, tuple[float, float, float]] = {}
    tgt_m: dict[int, tuple[float, float, float]] = {}
    ones = _one_to_one(beads, sv, rn, tv, cn)
    for k, (s, t) in enumerate(beads):
        if k in ones:
            src_m[s[0]] = tgt_m[t[0]] = ones[k]
            continue
        for i, x, c, w in zip(s, *_best(sv[s], rn[s], tv[t], cn[t], whole_t.get(k), wn_t.get(k))):
            src_m[i] = (float(x), float(c), float(w))
        for j, x, c, w in zip(t, *_best(tv[t], cn[t], sv[s], rn[s])):
            tgt_m[j] = (float(x), float(c), float(w))

    def low(d: dict[int, tuple[float, float, float]]) -> set[int]:
        # the cuts come from the sentence-to-sentence figures, as calibrated; a sentence its bead's
        # other side translates as a whole is not below the margin's
        cuts = [_cut(np.fromiter((v[k] for v in d.values()), float), z + k * _COS_EXTRA_Z, k) for k in (0, 1)]
        return {i for i, v in d.items() if v[2] < cuts[0] or v[1] < cuts[1]}

    low_s, low_t = low(src_m), low(tgt_m)
    if loo_gain is not None and model is not None:
        low_s |= _left_out(alignment, model, paired, src_m, low_s, "src", loo_gain, progress)
        low_t |= _left_out(alignment, model, paired, tgt_m, low_t, "tgt", loo_gain, progress)
    return low_s, low_t


def _joined(sents, ids, lang: str) -> str:
    return join_sentences((sents[i].text for i in ids), lang)


def _left_out(
    alignment, model, paired, margins: dict, already: set[int], side: str, gain: float, progress: bool = False
) -> set[int]:
    """Sentences of ``side`` in beads of two or more sentences on that side
    whose bead resembles the other side better without them: the cosine of
    the other side with the bead's joined text minus the sentence is more than
    ``gain`` above its cosine with the whole bead. Only sentences whose margin
    lies ``_LOO_Z`` robust spreads below the document's median are tried (each
    try encodes the bead's text again)."""
    a = alignment
    if not margins:
        return set()
    cut = _cut(np.fromiter((v[0] for v in margins.values()), float), _LOO_Z, 0)
    mine, theirs = (a.src_sentences, a.tgt_sentences) if side == "src" else (a.tgt_sentences, a.src_sentences)
    lang, other_lang = (a.src_lang, a.tgt_lang) if side == "src" else (a.tgt_lang, a.src_lang)
    texts: list[str] = []
    jobs: list[tuple[int, list[int]]] = []  # (index of the other side's text, candidates)
    for b in paired:
        ids, other = (b.src_ids, b.tgt_ids) if side == "src" else (b.tgt_ids, b.src_ids)
        cand = [i for i in ids if margins[i][0] < cut and i not in already] if len(ids) > 1 else []
        if not cand:
            continue
        jobs.append((len(texts), cand))
        texts.append(_joined(theirs, other, other_lang))
        texts.append(_joined(mine, ids, lang))
        texts += [_joined(mine, [i for i in ids if i != c], lang) for c in cand]
    if not texts:
        return set()
    bar = None
    if progress and len(texts) >= 200:
        from tqdm import tqdm

        bar = tqdm(total=len(texts), unit="text", desc=f"leave-one-out ({side})", leave=False)
    try:
        v = np.asarray(model.spans(texts, 1, progress=bar.update if bar else None)[0], np.float32)
    finally:
        if bar:
            bar.close()
    v /= np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-12)
    out = set()
    for at, cand in jobs:
        whole = float(v[at] @ v[at + 1])
        for q, c in enumerate(cand):
            if float(v[at] @ v[at + 2 + q]) - whole > gain:
                out.add(c)
    return out

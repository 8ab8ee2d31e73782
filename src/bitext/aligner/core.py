"""Sentence alignment by dynamic programming: numpy functions, plain data in and out.

Input: for each side, span vectors (``spans[k-1][i]`` is the unit vector of
sentences ``i .. i+k-1``), sentence lengths in characters and, optionally,
paragraph ids. Output: beads ``(src_ids, tgt_ids, cosine, confidence)``
covering both sides in order.

If the model crowds every sentence into a narrow cone (random pairs of the
two sides score above ``centre_above`` on average, as with multilingual-e5),
each side's vectors are first centred on their mean (:func:`centred`).

Two passes keep time and memory near-linear in document length:

1. **Anchors.** 1-1 cosines, turned into margins (cosine minus the mean
   cosine of both sentences with the other side, minus ``anchor_offset``),
   feed a match/skip dynamic program over the whole similarity matrix; long
   documents are first averaged in blocks of ``k`` sentences: blocks of up to
   ``window / 2`` sentences (the band keeps its width) while they bring the
   matrix below ``max_cells / 4``, else the smallest blocks that bring it below
   ``max_cells``, whose path is then refined to sentences inside a wide band.
   The matched pairs with a positive margin are anchors.
2. **Beads.** A second dynamic program, restricted to a band of ``window``
   sentences around the path through the anchors, chooses among all bead types
   ``a-b`` with ``a + b <= max_bead`` (plus 1-0 and 0-1). The band is stored
   row by row (ragged), so memory is ``O((n + m) * window)``.

A bead's score is ``((a + b) / 2) ** size_power * (cosine - baseline -
cost(a, b))`` minus the length and paragraph terms described in
:class:`AlignParams`; the program maximises the sum. An n-m bead (both sides
of two or more sentences) stands for several beads of the alternative paths,
so it weighs ``((a + b) / 2) ** nm_power``, with the larger ``nm_power``.
Each output bead carries its cosine and a calibrated confidence (see
``docs/beads.md``). The confidence also weighs the bead's *posterior*: the
share of all paths near the best one, each weighted by ``exp(score /
posterior_temp)``, that contain the bead (forward-backward over a narrow band
around the best path, :func:`bitext.aligner.dp.bead_posteriors`): a bead that another way of
cutting the same sentences nearly beats is less sure than its cosine says.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .dp import NEG, band_cells, bead_posteriors, best_path, cell_posteriors

__all__ = [
    "AlignParams",
    "align_vectors",
    "contested_spans",
    "anchors",
    "band",
    "bead_types",
    "centred",
    "span_sums",
    "unit_rows",
    "Bead",
]

Bead = tuple[tuple[int, ...], tuple[int, ...], float, float]


@dataclass
class AlignParams:
    """Knobs of the aligner (defaults tuned on the development sets)."""

    max_bead: int = 6  # largest a + b of an a-b bead
    max_side: int = 5  # largest a (or b) of a bead
    window: int = 6  # band half-width around the anchor path, in sentences
    max_cells: int = 16_000_000  # largest first-pass matrix before block averaging
    anchor_offset: float = 0.15  # first pass: least margin (cosine above the mean cosine) of an anchor
    skip: float = -0.10  # score of a 1-0 or 0-1 bead
    merge_cost: float = 0.03  # cost per sentence beyond 2 in a bead
    nm_cost: float = 0.03  # extra cost of an n-m bead with n, m > 1 (rare in translations)
    size_power: float = 0.25  # a bead's weight is ((a + b) / 2) ** size_power ...
    nm_power: float = 0.5  # ... or ** nm_power for an n-m bead with n, m > 1
    baseline: float = 1.0  # weight of the mean cosine with random sentences, subtracted
    baseline_samples: int = 256
    centre_above: float | None = (
        0.5  # centre each side's vectors when random pairs' mean cosine exceeds this (None: never)
    )
    centre_min: int = 16  # ... and each side has at least this many sentences
    len_weight: float = 0.04  # weight of the length log-likelihood
    len_var: float = 6.8  # Gale-Church variance of length differences per character
    anchor_weight: float = 0.02  # bonus for shared anchors (? and !)
    par_cross: float = 0.10  # cost for a bead that crosses a paragraph boundary
    cut_cost: float = (
        0.15  # cost for a bead that ends at an optional cut (inside a sentence; see bitext.text.optional_cuts)
    )
    posterior_temp: float | None = 0.04  # temperature of the path distribution behind the confidence (None: off)
    posterior_window: int = 3  # band half-width around the best path for the posteriors
    # models whose span vectors are composed from sentence vectors (TextEmbedder): the
    # spans in beads of at least this posterior get the vectors of their joined text
    # (None: the composed vectors as they are)
    contested_posterior: float | None = 0.1
    # confidence without posteriors (posterior_temp=None): logistic(conf_bias + conf_sim
    # * cosine + conf_size * (a + b - 2)); all fitted on the development sets
    # (bench/calibrate.py; docs/benchmarks.md)
    conf_bias: float = 0.678
    conf_sim: float = 4.204
    conf_size: float = -0.882
    conf_skip: float = 0.54  # confidence of a 1-0 / 0-1 bead (its precision on the dev sets)
    # with posteriors (posterior_temp set), beads with both sides: logistic(pconf_bias
    # + pconf_sim * cosine + pconf_size * (a + b - 2) + pconf_post * logit(posterior))
    pconf_bias: float = 0.351
    pconf_sim: float = 0.134
    pconf_size: float = -0.043
    pconf_post: float = 0.623


def bead_types(max_bead: int = 6, max_side: int = 5) -> list[tuple[int, int]]:
    """All bead types ``(a, b)``: 1-0 and 0-1, and ``a, b >= 1`` with ``a + b <= max_bead``."""
    types = [(1, 0), (0, 1)]
    for s in range(2, max_bead + 1):
        for a in range(1, s):
            b = s - a
            if a <= max_side and b <= max_side:
                types.append((a, b))
    return types


# --------------------------------------------------------------------------
# similarity helpers


def unit_rows(x: np.ndarray) -> np.ndarray:
    """``x`` with each row scaled to length 1, in place (all-zero rows stay zero)."""
    x /= np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-9)
    return x


def _block_mean(v: np.ndarray, k: int) -> np.ndarray:
    n = len(v)
    nb = -(-n // k)
    pad = nb * k - n
    if pad:
        v = np.concatenate([v, np.zeros((pad, v.shape[1]), v.dtype)])
    return unit_rows(v.reshape(nb, k, -1).sum(axis=1))


def _match_path(score: np.ndarray) -> list[tuple[int, int]]:
    """Monotone set of cells maximising the sum of ``score`` (skips are free)."""
    score = np.asarray(score, np.float32)
    n, m = score.shape
    diag = np.zeros((n + 1, m + 1), bool)
    left = np.zeros((n + 1, m + 1), bool)
    # best sums up to the previous row and this one; base: this row before moving left
    prev, row, base = np.zeros(m + 1, np.float32), np.empty(m + 1, np.float32), np.zeros(m + 1, np.float32)
    d = np.empty(m, np.float32)
    for i in range(1, n + 1):  # five numpy calls a row, into buffers made once
        np.add(prev[:-1], score[i - 1], out=d)
        np.greater(d, prev[1:], out=diag[i, 1:])
        np.maximum(prev[1:], d, out=base[1:])
        np.maximum.accumulate(base, out=row)
        np.greater(row, base, out=left[i])
        prev, row = row, prev
    path = []
    i, j = n, m
    while i > 0 and j > 0:
        if left[i, j]:
            j -= 1
        elif diag[i, j]:
            path.append((i - 1, j - 1))
            i, j = i - 1, j - 1
        else:
            i -= 1
    return path[::-1]


def anchors(src: np.ndarray, tgt: np.ndarray, p: AlignParams) -> tuple[list[tuple[int, int]], int]:
    """First pass: 1-1 anchor pairs ``(i, j)`` and the block size they were found at."""
    n, m = len(src), len(tgt)
    k = 1
    while (n / k) * (m / k) > p.max_cells / 4:
        k += 1
    if 2 * k > p.window:
        # blocks this wide need a refinement pass anyway: make them as small
        # as max_cells allows (otherwise they are free: the band keeps its width)
        k = 1
        while (n / k) * (m / k) > p.max_cells:
            k += 1
    s, t = (src, tgt) if k == 1 else (_block_mean(src, k), _block_mean(tgt, k))
    sim = s @ t.T
    # cosine above the sentences' mean cosine: near-duplicate sentences
    # (repeated headers, refrains) do not cancel each other out as with k-NN
    margin = sim - 0.5 * (sim.mean(axis=1)[:, None] + sim.mean(axis=0)[None, :]) - p.anchor_offset
    path = _match_path(margin)
    return [(i, j) for i, j in path if margin[i, j] > 0], k


def band(n: int, m: int, points, block: int, window: int):
    """Column range ``[lo[r], hi[r]]`` for each row ``r = 0..n`` around the anchor
    path; ``points``: ``(row, col)`` pairs (in blocks of ``block`` sentences)."""
    ij = np.asarray(points, dtype=np.int64).reshape(-1, 2)
    i, j = ij[:, 0], ij[:, 1]
    pi = np.concatenate([[0, n], np.minimum(i * block, n), np.minimum((i + 1) * block, n)])
    pj = np.concatenate([[0, m], np.minimum(j * block, m), np.minimum((j + 1) * block, m)])
    order = np.lexsort((pj, pi))  # by row, then column
    pi, pj = pi[order], np.maximum.accumulate(pj[order])
    rows = np.arange(n + 1)
    # the path at row r lies right of every point above it and left of every point below
    before = np.searchsorted(pi, rows, side="left") - 1
    after = np.searchsorted(pi, rows, side="right")
    lo = np.where(before >= 0, pj[np.clip(before, 0, None)], 0)
    hi = np.where(after < len(pi), pj[np.clip(after, None, len(pi) - 1)], m)
    w = max(window, 2 * block)
    # widen by w rows and w columns (running min / max keep the band monotone)
    lo_w = np.minimum.accumulate(lo[::-1])[::-1]  # already monotone; shift rows
    lo_w = np.concatenate([np.zeros(w, lo.dtype), lo])[: n + 1]
    hi_w = np.concatenate([hi, np.full(w, m, hi.dtype)])[w:]
    lo = np.clip(np.minimum(lo, lo_w) - w, 0, m)
    hi = np.clip(np.maximum(hi, hi_w) + w, 0, m)
    lo[0], hi[n] = 0, m
    return lo.astype(np.int64), hi.astype(np.int64)


# --------------------------------------------------------------------------
# the banded dynamic program


def span_sums(x: np.ndarray, k: int) -> np.ndarray:
    """Sums of every ``k`` consecutive rows of ``x`` (1-D or 2-D): ``len(x) - k + 1`` rows."""
    x = np.asarray(x)
    c = np.concatenate([np.zeros((1,) + x.shape[1:]), np.cumsum(x, axis=0, dtype=np.float64)])
    return (c[k:] - c[:-k]).astype(np.float32)


def centred(src_spans, tgt_spans, above: float | None = 0.5, min_len: int = 16):
    """Span vectors of both sides, each side centred on its mean sentence
    vector (and renormalised) if the model is *anisotropic*: if a random
    pair of sentences from the two sides has a mean cosine above ``above``.

    Some models put every sentence in a narrow cone (multilingual-e5: 0.80
    for unrelated sentences, 0.9 for translations), which leaves the scores
    little contrast against the length and skip terms; centring restores
    it. USE's random pairs score 0.09, so its vectors are left as they are.
    The mean of ``x @ y`` over all pairs is ``mean(x) @ mean(y)``. Sides
    shorter than ``min_len`` sentences are left alone: their mean is mostly
    their content.
    """
    if above is None or min(len(src_spans[0]), len(tgt_spans[0])) < min_len:
        return src_spans, tgt_spans
    mu_s = src_spans[0].mean(axis=0, dtype=np.float64)
    mu_t = tgt_spans[0].mean(axis=0, dtype=np.float64)
    if float(mu_s @ mu_t) <= above:
        return src_spans, tgt_spans

    return (
        [unit_rows((v - mu_s).astype(np.float32)) for v in src_spans],
        [unit_rows((v - mu_t).astype(np.float32)) for v in tgt_spans],
    )


def _span_crosses(par: np.ndarray | None, k: int, n: int) -> np.ndarray:
    """Number of paragraph boundaries inside each span of k sentences."""
    if par is None or k == 1:
        return np.zeros(max(n - k + 1, 0), np.float32)
    change = (np.diff(par) != 0).astype(np.float32)
    return span_sums(change, k - 1)


def _ends_at(cuts: np.ndarray | None, k: int, ends: np.ndarray) -> np.ndarray | float:
    """1 where a bead of k sentences (k > 0) that ends before ``ends`` ends at an optional cut."""
    if cuts is None or k == 0:
        return 0.0
    return cuts[ends - 1]


def _one_blas_thread(fn):
    """Run ``fn`` with BLAS single-threaded: the band's matrix products are
    small, and threads only wait on each other."""
    import functools

    @functools.wraps(fn)
    def run(*args, **kwargs):
        try:
            from threadpoolctl import threadpool_limits
        except ImportError:  # pragma: no cover
            return fn(*args, **kwargs)
        with threadpool_limits(1, user_api="blas"):
            return fn(*args, **kwargs)

    return run


def align_vectors(*args, **kwargs) -> list[Bead]:
    """Align two documents given their span vectors; return beads in order.

    Arguments as :func:`_align_vectors` (BLAS runs single-threaded).
    """
    return _one_blas_thread(_align_vectors)(*args, **kwargs)


def _align_vectors(
    src_spans: list[np.ndarray],
    tgt_spans: list[np.ndarray],
    src_len: np.ndarray,
    tgt_len: np.ndarray,
    src_par: np.ndarray | None = None,
    tgt_par: np.ndarray | None = None,
    params: AlignParams | None = None,
    src_anchors: np.ndarray | None = None,
    tgt_anchors: np.ndarray | None = None,
    src_cuts: np.ndarray | None = None,
    tgt_cuts: np.ndarray | None = None,
) -> list[Bead]:
    """Align two documents given their span vectors; return beads in order.

    ``src_anchors``/``tgt_anchors``: optional ``(n, h)``/``(m, h)`` count
    matrices of lexical anchors shared by both sides (see :mod:`bitext.aligner.anchors`).
    ``src_cuts``/``tgt_cuts``: optional 0/1 per sentence, 1 where the boundary
    after it is an optional cut inside a sentence (a bead ending there pays ``cut_cost``).
    """
    p = params or AlignParams()
    n, m = len(src_len), len(tgt_len)
    if n == 0 or m == 0:
        return [((i,), (), 0.0, p.conf_skip) for i in range(n)] + [((), (j,), 0.0, p.conf_skip) for j in range(m)]
    band_ = _score_band(
        src_spans, tgt_spans, src_len, tgt_len, src_par, tgt_par, p, src_anchors, tgt_anchors, src_cuts, tgt_cuts
    )
    src_spans, tgt_spans = band_.src_spans, band_.tgt_spans
    scores, types, offs, lo, hi = band_.scores, band_.types, band_.offs, band_.lo, band_.hi
    path = best_path(scores, types, offs, lo, hi, n, m)
    post = {}
    if p.posterior_temp:
        near = _near_path(band_, path, p.posterior_window)
        post = dict(zip(path, bead_posteriors(*near, n, m, path, p.posterior_temp)))
    beads = []
    for r, c, t in path:
        a, b = types[t]
        beads.append([r - a, a, c - b, b, post.get((r, c, t))])
    out = []
    for i, a, j, b, pr in beads:
        sim = float(src_spans[a - 1][i] @ tgt_spans[b - 1][j]) if a and b else 0.0
        out.append((tuple(range(i, i + a)), tuple(range(j, j + b)), sim, _confidence(sim, a, b, p, pr)))
    return out


@dataclass
class _Band:
    """The scored band of one document pair: every bead type's score at every band cell."""

    src_spans: list  # the span vectors as scored (centred where the model needs it)
    tgt_spans: list
    types: list  # bead types (a, b), the rows of ``scores``
    scores: np.ndarray  # (len(types), ncell)
    offs: np.ndarray  # the ragged band: row r holds cells offs[r] .. offs[r + 1] - 1,
    lo: np.ndarray  # ... columns lo[r] .. hi[r]
    hi: np.ndarray


def _score_band(
    src_spans,
    tgt_spans,
    src_len,
    tgt_len,
    src_par,
    tgt_par,
    p: AlignParams,
    src_anchors=None,
    tgt_anchors=None,
    src_cuts=None,
    tgt_cuts=None,
) -> _Band:
    """Both passes' set-up: anchors, the band around them, and the score of
    every bead type at every band cell (``n, m >= 1``)."""
    n, m = len(src_len), len(tgt_len)
    src_spans, tgt_spans = centred(src_spans, tgt_spans, p.centre_above, p.centre_min)
    src_len = np.maximum(np.asarray(src_len, np.float32), 1)
    tgt_len = np.maximum(np.asarray(tgt_len, np.float32), 1)
    types = bead_types(p.max_bead, p.max_side)
    types = [(a, b) for a, b in types if a <= len(src_spans) and b <= len(tgt_spans) and a <= n and b <= m]

    pts, block = anchors(src_spans[0], tgt_spans[0], p)
    lo, hi = band(n, m, pts, block, p.window)
    if 2 * block > p.window:
        # the anchors came from blocks wider than the band: refine them to
        # sentences inside that (wide) band, then narrow the band around the
        # refined path
        pts = _refine_anchors(src_spans[0], tgt_spans[0], lo, hi, p)
        lo, hi = band(n, m, pts, 1, p.window)
    offs, cell_row, cell_col = band_cells(lo, hi)
    ncell = int(offs[-1])

    ratio = float(src_len.sum() / tgt_len.sum())  # length ratio of this document
    if p.baseline:
        # Vecalign-style normalisation: subtract each span's mean cosine with
        # random sentences of the other side (some sentences are close to everything)
        rng = np.random.default_rng(0)
        ts = tgt_spans[0][rng.choice(m, min(m, p.baseline_samples), replace=False)]
        ss = src_spans[0][rng.choice(n, min(n, p.baseline_samples), replace=False)]
        base_s = [p.baseline * 0.5 * (v @ ts.mean(axis=0)) for v in src_spans]
        base_t = [p.baseline * 0.5 * (v @ ss.mean(axis=0)) for v in tgt_spans]
    sims = _band_sims(src_spans, tgt_spans, types, offs, lo, hi)
    use_anchors = src_anchors is not None and tgt_anchors is not None and p.anchor_weight != 0
    if use_anchors:
        src_anc, tgt_anc = _SpanCounts(src_anchors), _SpanCounts(tgt_anchors)
    scores = np.full((len(types), ncell), NEG, np.float32)
    for t, (a, b) in enumerate(types):
        idx = np.nonzero((cell_row >= a) & (cell_col >= b))[0]
        cut: float | np.ndarray = 0.0
        if p.cut_cost and (src_cuts is not None or tgt_cuts is not None):
            cut = p.cut_cost * (_ends_at(src_cuts, a, cell_row[idx]) + _ends_at(tgt_cuts, b, cell_col[idx]))
        if a == 0 or b == 0:
            scores[t, idx] = p.skip - cut
            continue
        r, c = cell_row[idx] - a, cell_col[idx] - b  # the bead's first sentences
        sim = sims[t, idx]
        if p.baseline:
            sim -= base_s[a - 1][r] + base_t[b - 1][c]
        ls = span_sums(src_len, a)[r]
        lt = span_sums(tgt_len, b)[c] * ratio
        # Gale-Church: the length difference is normal with variance proportional to length
        z2 = (ls - lt) ** 2 / (p.len_var * (ls + lt) / 2)
        size = ((a + b) / 2) ** (p.nm_power if a > 1 and b > 1 else p.size_power)
        prior = p.merge_cost * max(a + b - 2, 0) + (p.nm_cost if a > 1 and b > 1 else 0.0)
        sim -= prior
        sim *= size
        sim -= p.len_weight * np.minimum(0.5 * z2, 8.0)
        if use_anchors:
            sim += size * p.anchor_weight * _anchor_match(src_anc, tgt_anc, a, b, r, c)
        if p.par_cross and (a > 1 or b > 1):
            sim -= p.par_cross * (_span_crosses(src_par, a, n)[r] + _span_crosses(tgt_par, b, m)[c])
        scores[t, idx] = sim - cut
    return _Band(src_spans, tgt_spans, types, scores, offs, lo, hi)


def _near_path(b: _Band, path, window: int) -> tuple[np.ndarray, list, np.ndarray, np.ndarray, np.ndarray]:
    """The scores, types and band of the cells within ``window`` sentences of
    ``path`` (inside the first band): the paths that compete with the best
    one lie there."""
    n, m = len(b.lo) - 1, int(b.hi[-1])
    lo2, hi2 = band(n, m, np.array(path)[:, :2], 1, window)
    lo2, hi2 = np.maximum(lo2, b.lo), np.minimum(hi2, b.hi)
    offs2, row2, col2 = band_cells(lo2, hi2)
    return b.scores[:, b.offs[row2] + col2 - b.lo[row2]], b.types, offs2, lo2, hi2


@_one_blas_thread
def contested_spans(
    src_spans,
    tgt_spans,
    src_len,
    tgt_len,
    src_par=None,
    tgt_par=None,
    params: AlignParams | None = None,
    src_anchors=None,
    tgt_anchors=None,
    src_cuts=None,
    tgt_cuts=None,
    *,
    min_posterior: float = 0.1,
):
    """The spans of two or more sentences that some likely path puts in a bead.

    Arguments as :func:`align_vectors`. Returns ``(src, tgt)``, each an
    ``(r, 2)`` int array of ``(start, k)``: the spans of every bead whose
    posterior (the share of the paths near the best one that contain it, as
    in :func:`bead_posteriors`, at ``posterior_temp`` or 0.04) is at least
    ``min_posterior``, with ``k >= 2`` on that side. When span vectors are
    only estimates (composed from sentence vectors), these are the spans
    whose exact vectors can change the beads.
    """
    p = params or AlignParams()
    n, m = len(src_len), len(tgt_len)
    none = np.zeros((0, 2), np.int64)
    if n == 0 or m == 0:
        return none, none
    b = _score_band(
        src_spans, tgt_spans, src_len, tgt_len, src_par, tgt_par, p, src_anchors, tgt_anchors, src_cuts, tgt_cuts
    )
    path = best_path(b.scores, b.types, b.offs, b.lo, b.hi, n, m)
    scores, types, offs, lo, hi = _near_path(b, path, p.posterior_window)
    post = cell_posteriors(scores, types, offs, lo, hi, n, m, p.posterior_temp or 0.04)
    row_of = np.repeat(np.arange(n + 1), np.diff(offs))
    col = np.arange(len(row_of)) - offs[row_of] + lo[row_of]
    src: set[tuple[int, int]] = set()
    tgt: set[tuple[int, int]] = set()
    for t, (a, bb) in enumerate(types):
        if a < 2 and bb < 2:
            continue
        q = np.nonzero(post[t] >= min_posterior)[0]
        if a >= 2:
            src.update((int(r) - a, a) for r in row_of[q])
        if bb >= 2:
            tgt.update((int(c) - bb, bb) for c in col[q])

    def as_array(x):
        return np.array(sorted(x), np.int64).reshape(-1, 2)

    return as_array(src), as_array(tgt)


def _confidence(sim: float, a: int, b: int, p: AlignParams, posterior: float | None = None) -> float:
    """Probability that a bead is exactly right, fitted on dev data: logistic in
    its cosine, its size and, when known, the log-odds of its posterior
    (:func:`bead_posteriors`). 1-0 and 0-1 beads get a fixed prior."""
    if a == 0 or b == 0:
        return p.conf_skip
    if posterior is None:
        x = p.conf_bias + p.conf_sim * sim + p.conf_size * (a + b - 2)
    else:
        q = min(max(posterior, 1e-4), 1 - 1e-4)
        x = p.pconf_bias + p.pconf_sim * sim + p.pconf_size * (a + b - 2) + p.pconf_post * np.log(q / (1 - q))
    return float(1.0 / (1.0 + np.exp(-x)))


class _SpanCounts:
    """Anchor counts of every span of k sentences, made once per k."""

    def __init__(self, counts: np.ndarray):
        self.counts = np.asarray(counts, np.float32)
        self._rows: dict[int, tuple[np.ndarray, np.ndarray]] = {}

    def __call__(self, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Counts of spans of ``k`` sentences and their squared norms."""
        if k not in self._rows:
            rows = span_sums(self.counts, k)
            self._rows[k] = rows, np.einsum("ij,ij->i", rows, rows)
        return self._rows[k]


def _anchor_match(sa: _SpanCounts, ta: _SpanCounts, a, b, r, c):
    """Containment of the smaller side's anchors in the other side, for the beads
    whose spans start at ``r`` and ``c``; 0 where either side has no anchor
    (most cells, so only the others are computed)."""
    cs, ns = sa(a)
    ct, nt = ta(b)
    out = np.zeros(len(r), np.float32)
    q = np.nonzero((ns[r] > 0) & (nt[c] > 0))[0]
    if len(q):
        # the cells with anchors on both sides are few and scattered: row by row
        inter = np.concatenate(
            [np.einsum("ij,ij->i", cs[r[q[k : k + 8192]]], ct[c[q[k : k + 8192]]]) for k in range(0, len(q), 8192)]
        )
        small = np.minimum(ns[r[q]], nt[c[q]])
        out[q] = np.minimum(inter / small, 1.0)
    return out


def _refine_anchors(src, tgt, lo, hi, p):
    """Sentence-level 1-1 anchors inside a band: a match/skip program on
    cosines above the sentences' mean cosine (as in :func:`anchors`)."""
    n, m = len(src), len(tgt)
    offs, cell_row, cell_col = band_cells(lo, hi)
    rng = np.random.default_rng(0)
    mean_t = tgt[rng.choice(m, min(m, 512), replace=False)].mean(axis=0)
    mean_s = src[rng.choice(n, min(n, 512), replace=False)].mean(axis=0)
    types = [(1, 0), (0, 1), (1, 1)]
    scores = np.zeros((3, len(cell_row)), np.float32)
    idx = np.nonzero((cell_row >= 1) & (cell_col >= 1))[0]
    r, c = cell_row[idx] - 1, cell_col[idx] - 1
    margin = _band_dots(src, tgt, r, c) - 0.5 * ((src @ mean_t)[r] + (tgt @ mean_s)[c]) - p.anchor_offset
    scores[2] = NEG
    scores[2, idx] = margin
    path = best_path(scores, types, offs, lo, hi, n, m)
    out = []
    for row, col, t in path:
        if t == 2 and scores[2, offs[row] + col - lo[row]] > 0:
            out.append((row - 1, col - 1))
    return out


def _band_sims(src_spans, tgt_spans, types, offs, lo, hi, rows: int = 32) -> np.ndarray:
    """Cosine of every bead type's spans at every band cell: ``(len(types), ncell)``.

    Tiles of ``rows`` rows: the tile's source spans of size ``a`` against its
    target spans of every size ``b`` (stacked), one matrix product per ``a``.
    Cells where a bead does not fit (the first rows and columns) hold junk; 1-0
    and 0-1 rows hold 0.
    """
    n = len(lo) - 1
    sims = np.zeros((len(types), int(offs[-1])), np.float32)
    by_a: dict[int, list[tuple[int, int]]] = {}
    for t, (a, b) in enumerate(types):
        if a and b:
            by_a.setdefault(a, []).append((b, t))
    if not by_a:
        return sims
    bmax = max(b for v in by_a.values() for b, _ in v)
    edge = max(bmax, max(by_a))  # tiles closer than this to the start need clipping
    for r0 in range(0, n + 1, rows):
        r1 = min(r0 + rows, n + 1)
        s0, e0 = offs[r0], offs[r1]
        c_lo, c_hi = int(lo[r0]), int(hi[r1 - 1])
        crow = np.repeat(np.arange(r0, r1), offs[r0 + 1 : r1 + 1] - offs[r0:r1])
        ccol = np.arange(s0, e0) - offs[crow] + lo[crow]
        if r0 < edge or c_lo < edge:
            # the document's first rows or columns: type by type, clipped
            for a, bs in by_a.items():
                x0 = max(r0 - a, 0)
                x = src_spans[a - 1][x0 : max(r1 - a, 0)]
                for b, t in bs:
                    y0 = max(c_lo - b, 0)
                    y = tgt_spans[b - 1][y0 : max(c_hi - b + 1, 0)]
                    if len(x) and len(y):
                        i = np.clip(crow - a - x0, 0, len(x) - 1)
                        sims[t, s0:e0] = (x @ y.T)[i, np.clip(ccol - b - y0, 0, len(y) - 1)]
            continue
        w = c_hi - c_lo + 1
        # the tile's target spans of sizes 1..bmax, stacked: span size b starts at row (b - 1) * w
        y = np.concatenate([tgt_spans[b - 1][c_lo - b : c_hi - b + 1] for b in range(1, bmax + 1)])
        i, j = crow - r0, ccol - c_lo
        for a, bs in by_a.items():
            nb = max(b for b, _ in bs)
            prod = src_spans[a - 1][r0 - a : r1 - a] @ y[: nb * w].T
            shift = np.array([(b - 1) * w for b, _ in bs])
            sims[[t for _, t in bs], s0:e0] = prod[i[None, :], j[None, :] + shift[:, None]]
    return sims


def _band_dots(x: np.ndarray, y: np.ndarray, xi: np.ndarray, yi: np.ndarray, block: int = 4096) -> np.ndarray:
    """``x[xi[q]] . y[yi[q]]`` for every cell q; xi is sorted, so rows come in blocks."""
    out = np.empty(len(xi), np.float32)
    for s in range(0, len(xi), block):
        e = min(s + block, len(xi))
        r0, r1 = xi[s], xi[e - 1] + 1
        c0, c1 = yi[s:e].min(), yi[s:e].max() + 1
        mat = x[r0:r1] @ y[c0:c1].T
        out[s:e] = mat[xi[s:e] - r0, yi[s:e] - c0]
    return out

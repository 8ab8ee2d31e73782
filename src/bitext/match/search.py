"""Candidates: the nearest documents of the other side by document vector, both ways.

Exact search, a block at a time: :func:`search_rows` (a worker's task) takes
a run of source rows and scans every target vector in blocks of ``block``
rows of the memory-mapped file, keeping the ``k`` best targets of each
source row and the ``k`` best source rows of each target; :class:`TopK`
merges the tasks' results in the driver. Memory is the blocks and the
``k``-lists, whatever the collections' sizes; time is ``n_src x n_tgt x
dim`` multiply-adds, a few ms per document at 100k a side, far below what
splitting and encoding it costs (figures and the case for an approximate
index beyond a million documents a side: docs/scaling.md).
"""

from __future__ import annotations

import numpy as np

__all__ = ["search_rows", "TopK", "candidate_pairs"]


def _top(sims: np.ndarray, k: int, axis: int) -> tuple[np.ndarray, np.ndarray]:
    """Indices and values of the ``k`` largest entries along ``axis`` (unordered)."""
    k = min(k, sims.shape[axis])
    idx = np.argpartition(-sims, k - 1, axis=axis)
    idx = idx[:, :k] if axis == 1 else idx[:k].T
    vals = np.take_along_axis(sims, idx, axis=1) if axis == 1 else np.take_along_axis(sims.T, idx, axis=1)
    return idx, vals


def _merge(idx_a, val_a, idx_b, val_b, k: int):
    """Row-wise top ``k`` of two candidate lists."""
    idx = np.concatenate([idx_a, idx_b], 1)
    val = np.concatenate([val_a, val_b], 1)
    if idx.shape[1] > k:
        keep = np.argpartition(-val, k - 1, axis=1)[:, :k]
        idx, val = np.take_along_axis(idx, keep, 1), np.take_along_axis(val, keep, 1)
    return idx, val


def search_rows(model, src_file: str, tgt_file: str, a: int, b: int, k: int, block: int = 8192):
    """The ``k`` nearest targets of source rows ``a:b`` and, among those rows, the
    ``k`` nearest sources of every target: ``(a, row_idx, row_sim, col_idx, col_sim)``.
    Zero rows (documents that failed) never come out as neighbours."""
    src = np.asarray(np.load(src_file, mmap_mode="r")[a:b], np.float32)
    tgt = np.load(tgt_file, mmap_mode="r")
    n, m = len(src), len(tgt)
    dead_src = ~src.any(1)
    row_idx = np.zeros((n, 0), np.int64)
    row_sim = np.zeros((n, 0), np.float32)
    kc = min(k, n)
    col_idx = np.zeros((m, kc), np.int64)
    col_sim = np.zeros((m, kc), np.float32)
    for c in range(0, m, block):
        t = np.asarray(tgt[c : c + block], np.float32)
        sims = src @ t.T
        sims[:, ~t.any(1)] = -2.0
        sims[dead_src] = -2.0
        i, v = _top(sims, k, 1)
        row_idx, row_sim = _merge(row_idx, row_sim, i + c, v, k)
        i, v = _top(sims, kc, 0)
        col_idx[c : c + len(t)], col_sim[c : c + len(t)] = i + a, v
    return a, row_idx, row_sim, col_idx, col_sim


class TopK:
    """The driver's merge of :func:`search_rows` results: the ``k`` best targets of
    each source and the ``k`` best sources of each target."""

    def __init__(self, n_src: int, n_tgt: int, k: int):
        self.k = k
        self.row_idx = np.full((n_src, k), -1, np.int64)
        self.row_sim = np.full((n_src, k), -2.0, np.float32)
        self.col_idx = np.full((n_tgt, 0), -1, np.int64)
        self.col_sim = np.full((n_tgt, 0), -2.0, np.float32)

    def add(self, result) -> None:
        a, ri, rs, ci, cs = result
        self.row_idx[a : a + len(ri), : ri.shape[1]] = ri
        self.row_sim[a : a + len(ri), : ri.shape[1]] = rs
        self.col_idx, self.col_sim = _merge(self.col_idx, self.col_sim, ci, cs, self.k)


def candidate_pairs(top: TopK) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The union of both directions' neighbours: ``(pairs (p, 2), document cosine (p,),
    rank (p,))``, sorted by source then target, each pair once; ``rank`` is the
    pair's best place (0: nearest) in the source's list or the target's."""

    def ranked(idx, sim):
        order = np.argsort(-sim, axis=1, kind="stable")
        return np.take_along_axis(idx, order, 1), np.take_along_axis(sim, order, 1)

    ri, rs = ranked(top.row_idx, top.row_sim)
    ci, cs = ranked(top.col_idx, top.col_sim)
    n, k = ri.shape
    m, kc = ci.shape
    pairs = np.concatenate(
        [np.stack([np.repeat(np.arange(n), k), ri.ravel()], 1), np.stack([ci.ravel(), np.repeat(np.arange(m), kc)], 1)]
    )
    sims = np.concatenate([rs.ravel(), cs.ravel()])
    rank = np.concatenate([np.tile(np.arange(k), n), np.tile(np.arange(kc), m)])
    keep = (pairs >= 0).all(1) & (sims > -1.5)
    pairs, sims, rank = pairs[keep], sims[keep], rank[keep]
    if not len(pairs):
        return pairs.reshape(0, 2), sims, rank
    order = np.lexsort((rank, pairs[:, 1], pairs[:, 0]))  # each pair's best rank first
    pairs, sims, rank = pairs[order], sims[order], rank[order]
    first = np.ones(len(pairs), bool)
    first[1:] = (pairs[1:] != pairs[:-1]).any(1)
    return pairs[first], sims[first], rank[first]

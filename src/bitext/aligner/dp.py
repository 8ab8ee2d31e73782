"""The banded dynamic programs of the aligner: numpy functions, plain data in and out.

A *band* is ragged: row ``r`` (``0 .. n``) holds the cells of columns
``lo[r] .. hi[r]``, stored one after the other (:func:`band_cells`). A *bead
type* ``(a, b)`` ends at a cell ``(r, c)`` and starts at ``(r - a, c - b)``;
``scores[t, q]`` is the score of the bead of type ``types[t]`` that ends at
cell ``q`` (``NEG`` where there is none). :func:`best_path` maximises the
summed score over monotone paths from ``(0, 0)`` to ``(n, m)``;
:func:`bead_posteriors` and :func:`cell_posteriors` weigh every path by
``exp(score / temp)`` and give the share of the weight through the chosen
beads, or through every bead the band holds.
"""

from __future__ import annotations

import numpy as np

__all__ = ["NEG", "band_cells", "cell_index", "best_path", "bead_posteriors", "cell_posteriors"]

NEG = np.float32(-1e30)


def band_cells(lo, hi):
    """Ragged band storage: row offsets, and the row and column of every cell."""
    width = hi - lo + 1
    offs = np.zeros(len(lo) + 1, np.int64)
    np.cumsum(width, out=offs[1:])
    cell_row = np.repeat(np.arange(len(lo)), width)
    cell_col = np.arange(int(offs[-1])) - offs[cell_row] + lo[cell_row]
    return offs, cell_row, cell_col


def _row_runs(skip: np.ndarray, offs: np.ndarray, n: int):
    """The row of every band cell, whether it has a left neighbour in its row
    (``inner``), and the running sum of the 0-1 scores ``skip`` along each row
    from the row's first cell (float64)."""
    ncell = len(skip)
    row_of = np.repeat(np.arange(n + 1), np.diff(offs))
    first = offs[:-1]
    inner = np.ones(ncell, bool)
    inner[first[first < ncell]] = False
    run = np.cumsum(np.where(inner, skip, 0.0), dtype=np.float64)
    return row_of, inner, run - run[first][row_of]


def best_path(scores, types, offs, lo, hi, n, m, chunk: int = 512):
    """Maximise the summed bead scores over monotone paths inside the band.

    Row by row (a bead of ``a >= 1`` source sentences reaches back ``a`` rows,
    all bead types at once); 0-1 beads move along a row, which a running
    maximum solves in one pass. The gather indices of a chunk of rows are
    computed together, and its back pointers once the chunk is done, so that
    a row costs a handful of numpy calls.
    """
    a_arr = np.array([a for a, _ in types])
    b_arr = np.array([b for _, b in types])
    t01 = types.index((0, 1))
    ncell = scores.shape[1]
    D = np.full(ncell + 1, NEG, np.float32)  # the last cell is a sentinel: out of band
    back = np.zeros(ncell, np.int8)
    ta = a_arr >= 1
    A, B = a_arr[ta], b_arr[ta]
    tidx = np.nonzero(ta)[0]
    sub = scores[tidx]
    skip = scores[t01]
    row_of, inner, C = _row_runs(skip, offs, n)
    C = C.astype(np.float32)
    for r0 in range(0, n + 1, chunk):
        r1 = min(r0 + chunk, n + 1)
        s0, e0 = offs[r0], offs[r1]
        rows = row_of[s0:e0]
        cols = np.arange(s0, e0) - offs[rows] + lo[rows]
        pidx = cell_index(rows[None, :] - A[:, None], cols[None, :] - B[:, None], offs, lo, hi, n, ncell)
        for r in range(r0, r1):
            s, e = offs[r], offs[r + 1]
            val = (D[pidx[:, s - s0 : e - s0]] + sub[:, s:e]).max(axis=0)
            if r == 0:
                val[0] = 0.0  # lo[0] == 0: the empty prefix
            # 0-1 moves inside the row: D[c] = max(val[c], D[c-1] + skip[c])
            c = C[s:e]
            val -= c
            np.maximum.accumulate(val, out=val)
            val += c
            D[s:e] = val
        # back pointers of the chunk: the best bead, unless a 0-1 move from
        # the left does better
        cand = D[pidx] + sub[:, s0:e0]
        best = cand.argmax(axis=0)
        bead = cand[best, np.arange(e0 - s0)]
        if r0 == 0:
            bead[0] = 0.0
        left = np.full(e0 - s0, -np.inf, np.float32)
        q = np.nonzero(inner[s0:e0])[0]
        left[q] = D[s0 + q - 1] + skip[s0 + q]
        back[s0:e0] = np.where(left > bead, t01, tidx[best])
    # backtrack
    path = []
    r, c = n, m
    while r > 0 or c > 0:
        t = int(back[offs[r] + c - lo[r]])
        path.append((r, c, t))
        a, b = types[t]
        r, c = r - a, c - b
    return path[::-1]


# --------------------------------------------------------------------------
# posteriors: how much of the path distribution goes through each chosen bead


def cell_index(rows, cols, offs, lo, hi, n, ncell):
    """Index of cell ``(rows, cols)`` in the ragged band, or ``ncell`` where out of it."""
    rr = np.clip(rows, 0, n)
    ok = (rows >= 0) & (rows <= n) & (cols >= lo[rr]) & (cols <= hi[rr])
    return np.where(ok, offs[rr] + cols - lo[rr], ncell)


def bead_posteriors(scores, types, offs, lo, hi, n, m, path, temp: float, chunk: int = 512) -> np.ndarray:
    """Posterior probability of each bead of ``path`` (as returned by :func:`best_path`).

    Every monotone path through the band is weighted by ``exp(score / temp)``;
    the forward-backward algorithm sums the weights of the paths through each
    bead, divided by the sum over all paths. A bead that the best path
    barely prefers to another way of cutting the same sentences gets a low
    posterior, whatever its cosine.
    """
    F, Bk, Z, inv = _forward_backward(scores, types, offs, lo, hi, n, m, temp, chunk)
    a_arr = np.array([a for a, _ in types])
    b_arr = np.array([b for _, b in types])
    t01 = types.index((0, 1))
    ncell = scores.shape[1]
    r, c, t = (np.array(x) for x in zip(*path))
    q = offs[r] + c - lo[r]
    a, b = a_arr[t], b_arr[t]
    prev = np.where(t == t01, q - 1, cell_index(r - a, c - b, offs, lo, hi, n, ncell))
    lp = F[prev] + inv * scores[t, q].astype(np.float64) + Bk[q] - Z
    return np.clip(np.exp(np.minimum(lp, 0.0)), 0.0, 1.0)


def cell_posteriors(scores, types, offs, lo, hi, n, m, temp: float, chunk: int = 512) -> np.ndarray:
    """Posterior probability of every bead the band holds: ``(len(types), ncell)``,
    entry ``[t, q]`` for the bead of type ``types[t]`` that ends at cell ``q``
    (arguments and path weights as :func:`bead_posteriors`)."""
    F, Bk, Z, inv = _forward_backward(scores, types, offs, lo, hi, n, m, temp, chunk)
    ncell = scores.shape[1]
    row_of, inner, _ = _row_runs(np.zeros(ncell), offs, n)
    col = np.arange(ncell) - offs[row_of] + lo[row_of]
    out = np.zeros((len(types), ncell))
    for t, (a, b) in enumerate(types):
        if a == 0:  # 0-1 moves along the row
            prev = np.where(inner, np.arange(ncell) - 1, ncell)
        else:
            prev = cell_index(row_of - a, col - b, offs, lo, hi, n, ncell)
        lp = F[prev] + inv * scores[t].astype(np.float64) + Bk[:ncell] - Z
        out[t] = np.exp(np.minimum(lp, 0.0))
    return out


def _forward_backward(scores, types, offs, lo, hi, n, m, temp: float, chunk: int = 512):
    """Log path weights into (``F``) and out of (``Bk``) every band cell, the
    log total ``Z`` and ``1 / temp``. Same recurrences as :func:`best_path` with
    log-sum-exp in place of max (0-1 moves along a row by a running log-sum-exp)."""
    a_arr = np.array([a for a, _ in types])
    b_arr = np.array([b for _, b in types])
    t01 = types.index((0, 1))
    ncell = scores.shape[1]
    ta = a_arr >= 1
    A, B = a_arr[ta], b_arr[ta]
    tidx = np.nonzero(ta)[0]
    inv = 1.0 / temp
    # scores / temp; impossible beads (NEG) stay finite, the out-of-band sentinel column is as low
    sub = np.empty((len(tidx), ncell + 1))
    np.multiply(scores[tidx], inv, out=sub[:, :ncell])
    sub[:, ncell] = NEG * inv
    tsel = np.arange(len(tidx))[:, None]
    row_of, _, C = _row_runs(scores[t01].astype(np.float64) * inv, offs, n)
    low = -1e300

    def grid(r0, r1):
        s0, e0 = offs[r0], offs[r1]
        rows = row_of[s0:e0]
        return rows, np.arange(s0, e0) - offs[rows] + lo[rows]

    F = np.full(ncell + 1, low)
    for r0 in range(0, n + 1, chunk):
        r1 = min(r0 + chunk, n + 1)
        rows, cols = grid(r0, r1)
        pidx = cell_index(rows[None, :] - A[:, None], cols[None, :] - B[:, None], offs, lo, hi, n, ncell)
        s0 = offs[r0]
        for r in range(r0, r1):
            s, e = offs[r], offs[r + 1]
            x = F[pidx[:, s - s0 : e - s0]]
            x += sub[:, s:e]
            val = np.logaddexp.reduce(x, axis=0)
            if r == 0:
                val[0] = 0.0
            c = C[s:e]
            val -= c
            np.logaddexp.accumulate(val, out=val)
            val += c
            F[s:e] = val
    Z = F[offs[n] + m - lo[n]]
    Bk = np.full(ncell + 1, low)
    for r1 in range(n + 1, 0, -chunk):
        r0 = max(r1 - chunk, 0)
        rows, cols = grid(r0, r1)
        sidx = cell_index(rows[None, :] + A[:, None], cols[None, :] + B[:, None], offs, lo, hi, n, ncell)
        ssub = sub[tsel, sidx]  # the score of each successor bead, gathered once a chunk
        s0 = offs[r0]
        for r in range(r1 - 1, r0 - 1, -1):
            s, e = offs[r], offs[r + 1]
            x = Bk[sidx[:, s - s0 : e - s0]]
            x += ssub[:, s - s0 : e - s0]
            val = np.logaddexp.reduce(x, axis=0)
            if r == n:
                val[m - lo[n]] = 0.0
            c = C[s:e]
            val += c
            val = val[::-1]
            np.logaddexp.accumulate(val, out=val)
            val = val[::-1]
            val -= c
            Bk[s:e] = val
    return F, Bk, Z, inv

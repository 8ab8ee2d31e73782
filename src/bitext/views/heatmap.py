"""The similarity matrix that a plot draws, bounded in cells: the whole
``n x m`` cosine matrix of a short document, else the band around the
alignment path on a coarser grid (numpy only; :mod:`bitext.views.plots` draws it
with matplotlib, :mod:`bitext.views.report` as an SVG)."""

from __future__ import annotations

import numpy as np

__all__ = ["similarity_cells", "bead_boxes"]

_BAND_BLOCK = 1 << 20  # cells of one block of the band's matrix products (8 MB)


def _grid(n: int, m: int, max_cells: int) -> tuple[int, int]:
    """Rows and columns of a grid of at most ``max_cells`` with about the document's shape."""
    rows = int(min(n, max(1, np.sqrt(max_cells * n / m))))
    return rows, int(min(m, max(1, max_cells // rows)))


def bead_boxes(beads):
    """``(row, col, height, width)`` of each bead in sentence coordinates (empty sides at the running position)."""
    r = c = 0
    out = []
    for b in beads:
        r0 = b.src_ids[0] if b.src_ids else r
        c0 = b.tgt_ids[0] if b.tgt_ids else c
        out.append((r0, c0, len(b.src_ids), len(b.tgt_ids)))
        if b.src_ids:
            r = b.src_ids[-1] + 1
        if b.tgt_ids:
            c = b.tgt_ids[-1] + 1
    return out


def _path_columns(boxes, n: int) -> np.ndarray:
    """For each source sentence, the target position the path passes at its row."""
    r0, c0, h, w = (np.array(x, dtype=np.float64) for x in zip(*boxes)) if boxes else (np.zeros(0),) * 4
    h_int = h.astype(np.int64)
    bead = np.repeat(np.arange(len(h_int)), h_int)  # the bead of each source sentence, in order
    k = np.arange(len(bead)) - np.repeat(np.cumsum(h_int) - h_int, h_int)  # its place in the bead
    pos = np.zeros(n)
    pos[(r0[bead] + k).astype(np.int64)] = c0[bead] + (k + 0.5) * w[bead] / h[bead]
    return pos


def _band_max(src, tgt, rows_i: np.ndarray, centre: np.ndarray, offsets: np.ndarray, out, shape) -> None:
    """Fold the cosines of source rows ``rows_i`` (consecutive) with the targets near
    ``centre`` into ``out`` (a grid of ``shape`` over ``n x m``), keeping the highest:
    one matrix product over the targets the rows need, halved while that span is too wide."""
    n, m = len(src), len(tgt)
    lo = max(0, int(centre.min() + offsets[0]))
    hi = min(m, int(centre.max() + offsets[-1]) + 1)
    if (hi - lo) * len(rows_i) > _BAND_BLOCK and len(rows_i) > 1:
        half = len(rows_i) // 2
        _band_max(src, tgt, rows_i[:half], centre[:half], offsets, out, shape)
        _band_max(src, tgt, rows_i[half:], centre[half:], offsets, out, shape)
        return
    block = src[rows_i[0] : rows_i[-1] + 1] @ tgt[lo:hi].T
    j = np.clip(centre[:, None] + offsets[None, :], 0, m - 1)  # (rows, band)
    sims = block[np.arange(len(rows_i))[:, None], j - lo]
    np.fmax.at(out, ((rows_i * shape[0] // n)[:, None], j * shape[1] // m), sims.astype(np.float64))


def similarity_cells(
    src_vectors: np.ndarray, tgt_vectors: np.ndarray, beads=(), max_cells: int = 250_000
) -> np.ndarray:
    """What :func:`plot_alignment` draws: the ``n x m`` cosine matrix when it has
    at most ``max_cells`` cells; else the band around the path of ``beads`` on a
    grid of at most ``max_cells`` (the document's shape kept): each cell the
    highest cosine of the sentences it covers within about a cell and a half of
    the path, NaN (blank) off the band. The band costs ``n x (2 * band + 1)``
    dot products, in matrix products of about a million cells (8 MB) each."""
    n, m = len(src_vectors), len(tgt_vectors)
    if n * m <= max_cells:
        return np.asarray(src_vectors @ tgt_vectors.T, dtype=np.float64)
    rows, cols = _grid(n, m, max_cells)
    half = int(np.ceil(1.5 * m / cols)) + 2
    offsets = np.arange(-half, half + 1)
    centre = np.rint(_path_columns(bead_boxes(beads), n)).astype(np.int64)
    grid = np.full((rows, cols), np.nan)
    step = max(1, _BAND_BLOCK // (4 * len(offsets)))
    for lo in range(0, n, step):
        i = np.arange(lo, min(n, lo + step))
        _band_max(src_vectors, tgt_vectors, i, centre[i], offsets, grid, (rows, cols))
    return grid

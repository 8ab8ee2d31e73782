"""matplotlib figures of an alignment, a coverage report and a batch.

matplotlib is optional (``pip install "bitext[notebook]"``). Every function
draws on ``ax`` (a new figure when ``None``) and returns the Axes.

- :func:`plot_alignment`: the similarity heatmap with the chosen beads drawn
  on it, coloured by status;
- :func:`plot_paragraphs`: coverage per source paragraph;
- :func:`plot_scores`: the distribution of bead confidence, threshold marked;
- :func:`plot_batch`: coverage per pair of a batch, sorted, the pairs below a
  cut-off named.

The heatmap never builds a matrix of more than ``max_cells`` (default
:data:`MAX_CELLS`, 250,000: 500 x 500) cells. A longer document is drawn as
the band around the alignment path on a downsampled grid: each cell holds
the highest cosine among the sentence pairs it covers near the path, cells
off the band are blank (:func:`similarity_cells`). The sentence matrix is
never made: the band costs about ``n x 3m/cols`` dot products, in blocks of
about a million cells.
"""

from __future__ import annotations

import numpy as np

from .display import bead_statuses
from .heatmap import bead_boxes, similarity_cells
from .report import STATUS_COLOURS, status_style

__all__ = ["plot_alignment", "plot_paragraphs", "plot_scores", "plot_batch", "similarity_cells", "MAX_CELLS"]

MAX_CELLS = 250_000
"""The most similarity cells :func:`plot_alignment` computes (500 x 500)."""

_MAX_BEAD_BOXES = 400  # more beads than this are drawn as one line collection, not a box each


def _plt():
    try:
        import matplotlib.pyplot as plt
    except ImportError:
        raise ImportError('plots need matplotlib: pip install "bitext[notebook]"') from None
    return plt


def _axes(ax, figsize):
    if ax is not None:
        return ax
    _, ax = _plt().subplots(figsize=figsize)
    return ax


def _split(obj):
    """``(alignment, report or None)`` of an Alignment or a CoverageReport."""
    if hasattr(obj, "statuses") and hasattr(obj, "alignment"):
        return obj.alignment, obj
    return obj, None


def plot_alignment(
    obj, ax=None, *, max_cells: int = MAX_CELLS, title: str | None = None, colorbar: bool = True, legend: bool = True
):
    """The similarity heatmap (source rows, target columns) with the beads drawn on it.

    ``obj``: an :class:`~bitext.Alignment` (statuses from the beads alone:
    omission, addition, low, ok) or a coverage report (its statuses). A bead
    with both sides is a box, a 1-0 bead a bar across its rows, a 0-1 bead a
    bar down its columns, in the colour of its status; past 400 beads each
    bead is a stroke along the path. Past ``max_cells`` cells only the band
    around the path is drawn, downsampled (see the module doc). ``legend``:
    the colour of each status drawn, in the upper right corner (away from
    the path); ``colorbar``: the scale of the similarity.
    """
    plt = _plt()
    a, report = _split(obj)
    if a.src_vectors is None or a.tgt_vectors is None:
        raise ValueError("this alignment has no sentence vectors (made by bitext.align, not read from a file)")
    n, m = len(a.src_sentences), len(a.tgt_sentences)
    ax = _axes(ax, (7.5, 5.5))
    sim = similarity_cells(a.src_vectors, a.tgt_vectors, a.beads, max_cells)
    im = ax.imshow(sim, cmap="Blues", aspect="auto", interpolation="nearest", extent=(-0.5, m - 0.5, n - 0.5, -0.5))
    statuses = bead_statuses(a, report)
    boxes = bead_boxes(a.beads)
    if len(boxes) <= _MAX_BEAD_BOXES:
        from matplotlib.patches import Rectangle

        for (r0, c0, h, w), st in zip(boxes, statuses):
            col = status_style(st)[1]
            if h and w:
                ax.add_patch(Rectangle((c0 - 0.5, r0 - 0.5), w, h, fill=False, edgecolor=col, linewidth=2))
            elif h:  # omission: a bar on its rows
                ax.add_patch(Rectangle((c0 - 0.7, r0 - 0.5), 0.4, h, color=col))
                ax.axhline(r0, color=col, linestyle=":", linewidth=1)
            else:  # addition: a bar on its columns
                ax.add_patch(Rectangle((c0 - 0.5, r0 - 0.7), w, 0.4, color=col))
                ax.axvline(c0, color=col, linestyle=":", linewidth=1)
    else:
        from matplotlib.collections import LineCollection

        segs = [((c0 - 0.5, r0 - 0.5), (c0 + w - 0.5, r0 + h - 0.5)) for r0, c0, h, w in boxes]
        ax.add_collection(LineCollection(segs, colors=[status_style(s)[1] for s in statuses], linewidths=1.5))
    ax.set_xlim(-0.5, m - 0.5)
    ax.set_ylim(n - 0.5, -0.5)
    ax.set_xlabel(f"target sentences ({a.tgt_lang})")
    ax.set_ylabel(f"source sentences ({a.src_lang})")
    shown = "" if sim.shape == (n, m) else f" (band, {sim.shape[0]} x {sim.shape[1]} cells)"
    ax.set_title(title or f"alignment path over the similarity matrix{shown}")
    if legend:
        from matplotlib.patches import Patch

        ax.legend(
            handles=[
                Patch(facecolor="none", edgecolor=status_style(k)[1], linewidth=2, label=status_style(k)[0])
                for k in dict.fromkeys(statuses)
            ],
            loc="upper right",
            fontsize="small",
            framealpha=0.9,
            title="beads",
            title_fontsize="small",
        )
    if colorbar:
        plt.colorbar(im, ax=ax, label="cosine similarity", shrink=0.8)
    return ax


def _coverage_colours(values) -> list[str]:
    return [
        STATUS_COLOURS["ok"] if v >= 0.999 else STATUS_COLOURS["suspect"] if v >= 0.8 else STATUS_COLOURS["omission"]
        for v in values
    ]


def plot_paragraphs(report, ax=None, *, title: str = "coverage by source paragraph"):
    """Coverage (%) of each source paragraph: green full, orange 80% or more, red below."""
    ax = _axes(ax, (7.5, 2.8))
    pars = report.paragraphs
    cov = [p.coverage for p in pars]
    ax.bar([p.paragraph for p in pars], [100 * c for c in cov], color=_coverage_colours(cov), width=0.8)
    if len(pars) <= 40:
        ax.set_xticks([p.paragraph for p in pars])
    ax.set_ylim(0, 105)
    ax.set_xlabel("source paragraph")
    ax.set_ylabel("coverage (%)")
    ax.set_title(title)
    return ax


def plot_scores(obj, ax=None, *, threshold: float | None = None, bins: int = 20, title: str = "bead confidence"):
    """Histogram of the confidence of the beads with both sides, the threshold as a line.

    ``obj``: an Alignment or a coverage report (whose threshold is the default)."""
    from ..check.coverage import DEFAULT_THRESHOLD

    a, report = _split(obj)
    if threshold is None:
        threshold = report.threshold if report is not None else DEFAULT_THRESHOLD
    ax = _axes(ax, (6, 3))
    scores = np.array([b.score for b in a.beads if b.src_ids and b.tgt_ids], dtype=float)
    edges = np.linspace(0, 1, bins + 1)
    below = scores < threshold
    ax.hist(
        [scores[below], scores[~below]],
        bins=edges,
        stacked=True,
        color=[STATUS_COLOURS["low"], STATUS_COLOURS["ok"]],
        label=[f"below {threshold:g}: {int(below.sum())}", f"at or above: {int((~below).sum())}"],
    )
    ax.axvline(threshold, color="#333", linestyle="--", linewidth=1.2)
    ax.set_xlim(0, 1)
    ax.set_xlabel("score (estimated probability that the bead is right)")
    ax.set_ylabel("beads")
    ax.set_title(title)
    ax.legend(loc="upper left", fontsize="small")
    return ax


def plot_batch(source, ax=None, *, cutoff: float = 0.9, max_named: int = 40, title: str = "coverage per pair"):
    """Coverage of every pair of a batch, sorted, lowest at the top; the pairs
    below ``cutoff`` are red and named (all pairs are named when there are
    at most ``max_named``). Pairs that failed are counted in the title.

    ``source``: a DataFrame from :func:`~bitext.views.frames.batch_frame`, a batch
    output folder, or :func:`~bitext.batch.align_many` results."""
    from .frames import batch_frame

    df = source if hasattr(source, "columns") else batch_frame(source)
    cov = df["coverage"].astype(float)
    failed = int(cov.isna().sum())
    cov = cov.dropna().sort_values(ascending=True)
    n = len(cov)
    ax = _axes(ax, (7, max(2.5, min(12, 0.28 * n + 1.2))))
    low = (cov < cutoff).to_numpy()
    y = np.arange(n)
    ax.barh(
        y,
        100 * cov.to_numpy(),
        color=[STATUS_COLOURS["omission"] if x else STATUS_COLOURS["ok"] for x in low],
        height=0.8,
    )
    ax.axvline(100 * cutoff, color="#333", linestyle="--", linewidth=1)
    named = y if n <= max_named else y[low][:max_named]
    ax.set_yticks(named)
    ax.set_yticklabels([str(cov.index[i]) for i in named])
    for tick, i in zip(ax.get_yticklabels(), named):
        if low[i]:
            tick.set_color(STATUS_COLOURS["omission"])
            tick.set_fontweight("bold")
    ax.set_ylim(n - 0.5, -0.5)
    ax.set_xlim(0, 100)
    ax.set_xlabel("coverage (%)")
    ax.set_title(f"{title}: {int(low.sum())} of {n} below {100 * cutoff:g}%" + (f", {failed} failed" if failed else ""))
    return ax

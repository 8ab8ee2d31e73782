"""bitext.views.plots under the Agg backend: the figures draw what they say, and the
heatmap stays within its cell budget on a long document."""

from __future__ import annotations

import sys
import tracemalloc

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib", reason="needs the notebook extra: pip install 'bitext[notebook]'")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from conftest import ROOT  # noqa: E402

from bitext.check.coverage import coverage  # noqa: E402
from bitext.pipeline import Alignment, Bead  # noqa: E402
from bitext.views import plots  # noqa: E402
from bitext.views.report import STATUS_COLOURS  # noqa: E402

sys.path.insert(0, str(ROOT / "bench"))
from plots import synthetic  # noqa: E402  (bench/plots.py: the long synthetic document)


@pytest.fixture(scope="module")
def report(editorial_alignment):
    return coverage(editorial_alignment)


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def _hex(rgba) -> str:
    return matplotlib.colors.to_hex(rgba)


def test_heatmap_of_the_seed(report):
    a = report.alignment
    fig, ax = plt.subplots()
    assert plots.plot_alignment(report, ax=ax) is ax
    fig.canvas.draw()
    img = ax.images[0].get_array()
    assert img.shape == (27, 44)
    assert np.allclose(img, a.similarity_matrix())
    edges = [_hex(p.get_edgecolor()) for p in ax.patches if not p.get_fill()]
    assert len(edges) == len(a) - 1  # every bead with both sides is a box; the footnote is a bar
    assert edges.count(STATUS_COLOURS["suspect"]) == 1
    bars = [_hex(p.get_facecolor()) for p in ax.patches if p.get_fill()]
    assert bars == [STATUS_COLOURS["addition"]]


def test_paragraphs_and_scores(report):
    ax = plots.plot_paragraphs(report)
    heights = [p.get_height() for p in ax.patches]
    assert heights == [100 * p.coverage for p in report.paragraphs] and len(heights) == 8
    ax2 = plots.plot_scores(report)
    ax2.figure.canvas.draw()
    both = [b for b in report.alignment if b.src_ids and b.tgt_ids]
    assert sum(p.get_height() for p in ax2.patches) == len(both)
    assert [line.get_xdata()[0] for line in ax2.lines] == [report.threshold]
    ax3 = plots.plot_scores(report.alignment, threshold=0.99)
    assert "below 0.99" in ax3.get_legend().get_texts()[0].get_text()


def test_heatmap_budget_on_20k_sentences(monkeypatch):
    a = synthetic(20_000, 32, low_every=1000)

    def refuse(self):
        raise AssertionError("the plot built the n x m matrix")

    monkeypatch.setattr(Alignment, "similarity_matrix", refuse)
    tracemalloc.start()
    try:
        ax = plots.plot_alignment(a, colorbar=False)
        ax.figure.canvas.draw()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    img = ax.images[0].get_array()
    assert img.size <= plots.MAX_CELLS and img.shape == (500, 500)
    assert peak < 300e6, peak  # the full float32 matrix alone would be 1.6 GB
    # the band follows the path: the diagonal cells hold the matching sentences, off the band is blank
    band = ~np.isnan(img.filled(np.nan))
    assert band.all(axis=1).sum() == 0 and band.any(axis=1).all()
    assert (img.argmax(axis=1) == np.arange(500)).mean() > 0.99
    assert "band, 500 x 500 cells" in ax.get_title()
    seg = ax.collections[0]
    assert len(seg.get_segments()) == 20_000
    assert sum(_hex(c) == STATUS_COLOURS["low"] for c in seg.get_colors()) == 20


def test_similarity_cells_band_is_the_max_near_the_path():
    rng = np.random.default_rng(1)
    s, t = rng.standard_normal((60, 4)), rng.standard_normal((40, 4))
    beads = [Bead((i,), (2 * i // 3,), "", "", 1.0) for i in range(60)]
    full = s @ t.T
    assert np.allclose(plots.similarity_cells(s, t, beads, 2400), full)
    small = plots.similarity_cells(s, t, beads, 150)
    assert small.size <= 150
    rows, cols = small.shape
    for r in range(rows):
        for c in range(cols):
            block = full[[i for i in range(60) if i * rows // 60 == r]][
                :, [j for j in range(40) if j * cols // 40 == c]
            ]
            if not np.isnan(small[r, c]):
                assert small[r, c] <= block.max() + 1e-12
    diag = [small[i * rows // 60, (2 * i // 3) * cols // 40] for i in range(60)]
    assert not np.isnan(diag).any()  # the path's cells are in the band


def test_plot_batch_sorted_and_named():
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame({"coverage": [1.0, 0.5, 0.95, None, 0.8]}, index=pd.Index(["a", "b", "c", "d", "e"], name="id"))
    ax = plots.plot_batch(df, cutoff=0.9)
    ax.figure.canvas.draw()
    assert [t.get_text() for t in ax.get_yticklabels()] == ["b", "e", "c", "a"]
    assert [p.get_width() for p in ax.patches] == [50.0, 80.0, 95.0, 100.0]
    assert "2 of 4 below 90%" in ax.get_title() and "1 failed" in ax.get_title()
    many = pd.DataFrame({"coverage": np.linspace(0.5, 1, 100)}, index=[f"p{i}" for i in range(100)])
    ax2 = plots.plot_batch(many, cutoff=0.6)
    names = [t.get_text() for t in ax2.get_yticklabels()]
    assert names == [f"p{i}" for i in range(20)]  # only the pairs below the cut-off


def test_band_follows_a_path_with_gaps():
    """Omissions (1-0 runs) and a long addition (0-k) move the band with the path."""
    rng = np.random.default_rng(2)
    beads, i, j = [], 0, 0
    for kind, count in (("1-1", 300), ("0-1", 150), ("1-1", 200), ("1-0", 60), ("1-2", 100), ("1-1", 90)):
        for _ in range(count):
            s, t = {"1-1": (1, 1), "0-1": (0, 1), "1-0": (1, 0), "1-2": (1, 2)}[kind]
            beads.append(Bead(tuple(range(i, i + s)), tuple(range(j, j + t)), "", "", 0.9))
            i, j = i + s, j + t
    n, m = i, j
    src, tgt = rng.standard_normal((n, 8)), rng.standard_normal((m, 8))
    full = src @ tgt.T
    grid = plots.similarity_cells(src, tgt, beads, 10_000)
    rows, cols = grid.shape
    assert grid.size <= 10_000
    for b in beads:
        for si in b.src_ids:
            for tj in b.tgt_ids:  # every pair on the path is in the band, and the cell holds at least its cosine
                cell = grid[si * rows // n, tj * cols // m]
                assert not np.isnan(cell) and cell >= full[si, tj] - 1e-12
    assert np.isnan(grid).mean() > 0.5  # off the band is blank


def test_html_report_plot_of_20k_sentences_is_bounded(monkeypatch):
    """The coverage report's SVG draws the band on a grid of at most MAX_PLOT_CELLS
    pixels: it never builds the n x m matrix (1.6 GB in float32 at 20k)."""
    import base64
    import struct
    from types import SimpleNamespace

    from bitext.views.report import MAX_PLOT_CELLS, alignment_svg

    a = synthetic(20_000, 32, low_every=1000)

    def refuse(self):
        raise AssertionError("the report built the n x m matrix")

    monkeypatch.setattr(Alignment, "similarity_matrix", refuse)
    report = SimpleNamespace(alignment=a, statuses=["low" if b.score < 0.5 else "ok" for b in a.beads])
    tracemalloc.start()
    try:
        svg = alignment_svg(report)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 300e6, peak
    png = base64.b64decode(svg.split('href="data:image/png;base64,')[1].split('"')[0])
    width, height = struct.unpack(">II", png[16:24])  # the IHDR chunk
    assert width * height <= MAX_PLOT_CELLS and width == height == 1000
    assert svg.count("<rect") > 20_000 // 2  # the beads are drawn, one mark each


def test_heatmap_has_a_legend_of_the_statuses_drawn(report, editorial_alignment):
    from bitext.views.report import STATUS_LABELS

    ax = plots.plot_alignment(report)
    legend = ax.get_legend()
    assert legend is not None
    shown = [t.get_text() for t in legend.get_texts()]
    assert shown == [STATUS_LABELS[k] for k in ("ok", "suspect", "addition")]  # the statuses of the seed's beads
    assert [_hex(h.get_edgecolor()) for h in legend.legend_handles] == [
        STATUS_COLOURS[k] for k in ("ok", "suspect", "addition")
    ]
    # an alignment without a report: the statuses the beads alone give
    ax = plots.plot_alignment(editorial_alignment)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [STATUS_LABELS["ok"], STATUS_LABELS["addition"]]
    assert plots.plot_alignment(report, legend=False).get_legend() is None

"""notebooks/coverage.ipynb runs top to bottom and shows what it says it shows."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "coverage.ipynb"

nbformat = pytest.importorskip("nbformat", reason="needs the notebook extra: pip install 'bitext[notebook]'")
nbclient = pytest.importorskip("nbclient", reason="needs the notebook extra: pip install 'bitext[notebook]'")
pytest.importorskip("ipykernel", reason="needs the notebook extra: pip install 'bitext[notebook]'")
pytest.importorskip("matplotlib", reason="needs the notebook extra: pip install 'bitext[notebook]'")
pytest.importorskip("pandas", reason="needs the notebook extra: pip install 'bitext[notebook]'")


def test_committed_notebook_has_no_outputs():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, "clear the notebook's outputs"


@pytest.fixture(scope="module")
def executed():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(
        nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(ROOT)}}
    )
    client.execute()
    return nb


def _text(cell) -> str:
    out = []
    for o in cell.get("outputs", []):
        if o.output_type == "stream":
            out.append(o.text)
        elif o.output_type in ("execute_result", "display_data") and "text/plain" in o.data:
            out.append(o.data["text/plain"])
    return "".join(out)


def _cell(nb, marker: str):
    cells = [c for c in nb.cells if c.cell_type == "code" and marker in c.source]
    assert cells, marker
    return cells[0]


def test_no_errors(executed):
    for cell in executed.cells:
        for o in cell.get("outputs", []):
            assert o.output_type != "error", o


def test_bead_table(executed):
    aligned = _text(_cell(executed, "alignment = bitext.align(zh, ko"))
    n_beads = int(re.search(r"(\d+) beads", aligned).group(1))
    cell = _cell(executed, "beads = bead_table(alignment, report)")
    text = _text(cell)
    rows = int(re.search(r"bead table: (\d+) rows", text).group(1))
    assert rows == n_beads
    assert 27 <= rows <= 44  # 27 zh sentences, 44 ko sentences
    html = [o.data["text/html"] for o in cell.outputs if o.output_type == "execute_result" and "text/html" in o.data]
    assert html, "the table is shown as HTML"
    body = html[0].split("<tbody>", 1)[1]
    assert body.count("<tr") == rows


def test_seed_findings_listed(executed):
    text = _text(_cell(executed, "def list_findings(report)"))
    assert "omissions (0):" in text
    assert "* 垓字" in text


def test_deleted_sentences_reported(executed):
    sim = _text(_cell(executed, "deleted = {11, 31, 42}"))
    expected = [int(x) for x in re.search(r"without translation: \[([\d, ]+)\]", sim).group(1).split(",")]
    assert expected == [7, 17, 25]
    text = _text(_cell(executed, "list_findings(report2)"))
    omitted = [int(x) for x in re.search(r"omitted zh ids: \[([\d, ]*)\]", text).group(1).split(",") if x.strip()]
    assert set(expected) <= set(omitted), text
    assert "all deleted translations reported: True" in text
    for i in expected:
        assert re.search(rf"zh \[{i}\] \[(unaligned|unmatched)\]", text), text


def test_figures(executed):
    pngs = [o for c in executed.cells for o in c.get("outputs", [])
            if o.output_type == "display_data" and "image/png" in o.get("data", {})]
    assert len(pngs) >= 3  # path, paragraphs, incomplete translation


def test_padded_translation_reported(executed):
    text = _text(_cell(executed, "ko_padded = "))
    m = re.search(r"inserted ko (\d+) sits in bead \[6\]:\[([\d, ]+)\]", text)
    assert m, text
    new_id, bead = int(m.group(1)), [int(x) for x in m.group(2).split(",")]
    assert bead[0] < new_id < bead[-1]  # inside the bead, between two real translations
    assert "default: added ko ids" in text and "inserted sentence reported: True" in text
    assert "loo_gain=None" in text and text.count("inserted sentence reported: False") == 1
    findings = _text(_cell(executed, "report3 = coverage(alignment3)"))
    assert f"ko [{new_id}] [unmatched]" in findings
    assert "omissions (0):" in findings

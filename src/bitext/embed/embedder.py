"""Embedders: what the aligner needs of a model, unit vectors for every run of
1..k consecutive sentences (*span vectors*).

An *encoder* is any object with ``encode(list[str]) -> np.ndarray``; a
sentence-transformers ``SentenceTransformer`` already is one.
:class:`TextEmbedder` turns one into an :class:`Embedder`: each sentence is
encoded once, a span's vector is composed from its sentences' vectors, and
the exact vectors (of the joined text) of the spans that matter are asked for
with :meth:`TextEmbedder.joined`. The default model has its own embedder with
exact compositions (:mod:`bitext.embed.use`); :func:`bitext.embed.load_model` picks one.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from ..text.segment import visible_chars
from .cache import DiskCache, default_cache_dir, shape_check

__all__ = [
    "Encoder",
    "Embedder",
    "TextEmbedder",
    "ModelLoadError",
    "composed_spans",
    "normalize_rows",
    "unique_texts",
    "safe_key",
    "MAX_INPUT_CHARS",
    "MAX_INPUT_TOKENS",
]


# What a model reads of one text (a sentence; for other models than USE a
# span's joined text): its first MAX_INPUT_CHARS characters, and of those
# (USE) the first MAX_INPUT_TOKENS token ids. The splitter hands on no
# sentence over 1,000 characters (bitext.text.segment.MAX_SENTENCE_CHARS), so
# this cuts only a pre-split line (or a span of other models) that long; it
# bounds the memory of one batch (USE: at most USEEmbedder.batch_tokens
# tokens) and the time of one text. sentence-transformers models cut their
# input at their own max_seq_length (a few hundred tokens) as well.
MAX_INPUT_CHARS = 4000
MAX_INPUT_TOKENS = 2048


class Encoder(Protocol):
    def encode(self, sentences: list[str], /) -> np.ndarray: ...


class ModelLoadError(RuntimeError):
    """A model could not be loaded (bad name or path, missing extra, no network)."""


def normalize_rows(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float32)
    n = np.linalg.norm(x, axis=-1, keepdims=True)
    n[n == 0] = 1.0
    return x / n


class Embedder:
    """Base class: sentence vectors and span vectors for one model."""

    key = "model"  # names the model in the cache
    languages: frozenset[str] | None = None  # the languages the model reads, where known
    # whether spans() gives every span's own vector; if not (composed estimates),
    # joined() gives the exact ones of the spans asked for
    exact_spans = True

    def __init__(self, cache_dir: Path | str | None = None, use_cache: bool = True):
        root = (Path(cache_dir) if cache_dir else default_cache_dir()) if use_cache else None
        self._cache = DiskCache(root, self.key)

    @property
    def cache_dir(self) -> Path | None:
        """The folder of the cache this model reads and writes, or None when it was loaded with
        ``cache=False`` (the other caches of a run, such as the table of jieba's names, follow it)."""
        return None if self._cache.dir is None else self._cache.dir.parent

    def encode(self, sentences: Sequence[str]) -> np.ndarray:
        """Unit vectors, one row per sentence."""
        return self.spans(sentences, 1)[0]

    def spans(self, sentences: Sequence[str], max_len: int, progress=None) -> list[np.ndarray]:
        """``out[k-1][i]`` is the unit vector of sentences ``i .. i+k-1`` (shape ``(n-k+1, d)``)."""
        raise NotImplementedError


def unique_texts(texts: list[str]) -> tuple[list[str], np.ndarray]:
    """The distinct texts, sorted, and the index of each text among them: what
    ``np.unique(..., return_inverse=True)`` gives, without the copy numpy
    makes of every string when it builds an object array of them (12 bytes a
    character)."""
    uniq = sorted(set(texts))
    where = {t: i for i, t in enumerate(uniq)}
    return uniq, np.fromiter((where[t] for t in texts), np.int64, len(texts))


class TextEmbedder(Embedder):
    """Any ``encode(list[str])`` encoder.

    ``compose=True`` (the default) encodes each sentence once and composes
    the vector of a span of sentences from theirs, each weighted by its
    token count (the mean of a mean-pooling model's token vectors, were
    tokens not to see across the boundary): exact for a single sentence, an
    estimate for longer spans, so :attr:`exact_spans` is ``False`` and the
    pipeline asks :meth:`joined` for the exact vectors of the spans that
    some likely path puts in a bead (:func:`bitext.aligner.core.contested_spans`).
    The cost is about one encoding pass instead of five. ``compose=False``
    embeds every span's joined text, as Bertalign does (trade-off:
    ``docs/benchmarks.md``).
    """

    def __init__(
        self,
        encoder: Encoder,
        key: str | None = None,
        joiner: str = " ",
        batch_size: int = 64,
        compose: bool = True,
        **kw,
    ):
        self.key = safe_key(key or getattr(encoder, "bitext_key", None) or type(encoder).__name__)
        self._encoder = encoder
        self.joiner = joiner
        self.batch_size = batch_size
        self.compose = compose
        self.exact_spans = not compose
        super().__init__(**kw)

    def _encode_texts(self, texts: list[str], progress=None) -> np.ndarray:
        kind = f"vectors-in{MAX_INPUT_CHARS}"
        hit = self._cache.get(kind, texts, shape_check({"v": (len(texts), None)}))
        if hit is not None:
            if progress:
                progress(len(texts))
            return hit["v"]
        uniq, inverse = unique_texts(texts)
        # sort by length so a batch pads little
        order = sorted(range(len(uniq)), key=lambda i: len(uniq[i]))
        vecs: np.ndarray | None = None
        for b in range(0, len(order), self.batch_size):
            idx = order[b : b + self.batch_size]
            v = self._encode_batch([uniq[i] for i in idx])
            if vecs is None:
                vecs = np.empty((len(uniq), v.shape[1]), np.float32)
            vecs[idx] = v
            if progress:
                progress(len(idx))
        if vecs is None:  # no texts (the callers return first)
            return np.zeros((0, 1), np.float32)
        out = normalize_rows(vecs[inverse])
        self._cache.put(kind, texts, {"v": out})
        return out

    def _encode_batch(self, texts: list[str]) -> np.ndarray:
        enc: Any = self._encoder  # sentence-transformers' keywords where it takes them
        texts = [t[:MAX_INPUT_CHARS] for t in texts]
        try:
            v = enc.encode(texts, batch_size=len(texts), show_progress_bar=False, convert_to_numpy=True)
        except TypeError:
            v = enc.encode(texts)
        return np.asarray(v, dtype=np.float32)

    def token_counts(self, texts: Sequence[str]) -> np.ndarray:
        """How many tokens the model reads of each text: the encoder's own
        ``token_counts``, else its (Hugging Face) tokenizer's, else the
        non-space characters."""
        texts = [t[:MAX_INPUT_CHARS] for t in texts]
        enc: Any = self._encoder  # what it has beyond encode() is looked for
        if hasattr(enc, "token_counts"):
            counts = enc.token_counts(texts)
        elif callable(getattr(enc, "tokenizer", None)):
            limit = getattr(enc, "max_seq_length", None) or 512
            counts = [
                len(ids)
                for b in range(0, len(texts), 512)
                for ids in enc.tokenizer(texts[b : b + 512], truncation=True, max_length=limit)["input_ids"]
            ]
        else:
            counts = [visible_chars(t) for t in texts]
        return np.maximum(np.asarray(counts, np.float32), 1.0)

    def spans(self, sentences, max_len, progress=None):
        sentences = list(sentences)
        n = len(sentences)
        if not self.compose:
            return self._joined_spans(sentences, max_len, progress)
        if n == 0:
            return [np.zeros((0, 1), np.float32) for _ in range(max_len)]
        return composed_spans(self._encode_texts(sentences, progress), self.token_counts(sentences), max_len)

    def joined(self, sentences: Sequence[str], spans: np.ndarray, progress=None) -> np.ndarray:
        """Unit vectors of the joined text of each span ``(start, k)`` of ``sentences``."""
        texts = [self.joiner.join(sentences[i : i + k]) for i, k in np.asarray(spans).reshape(-1, 2).tolist()]
        if not texts:
            return np.zeros((0, 1), np.float32)
        return self._encode_texts(texts, progress)

    def _joined_spans(self, sentences, max_len, progress):
        n = len(sentences)
        texts = []
        for k in range(1, max_len + 1):
            texts += [self.joiner.join(sentences[i : i + k]) for i in range(n - k + 1)]
        if not texts:
            return [np.zeros((0, 1), np.float32) for _ in range(max_len)]
        v = self._encode_texts(texts, progress)
        out, at = [], 0
        for k in range(1, max_len + 1):
            c = max(n - k + 1, 0)
            out.append(v[at : at + c])
            at += c
        return out


def composed_spans(vectors: np.ndarray, weights: np.ndarray, max_len: int) -> list[np.ndarray]:
    """Span vectors composed from sentence vectors: ``out[k-1][i]`` is the unit
    vector of ``sum(weights[j] * vectors[j] for j in i .. i+k-1)``."""
    v = np.asarray(vectors, np.float32) * np.asarray(weights, np.float32)[:, None]
    c = np.zeros((len(v) + 1, v.shape[1]), np.float64)
    np.cumsum(v, axis=0, dtype=np.float64, out=c[1:])
    out = [np.array(vectors, np.float32)]
    for k in range(2, max_len + 1):
        out.append(normalize_rows(c[k:] - c[:-k]) if len(v) >= k else np.zeros((0, v.shape[1]), np.float32))
    return out


def safe_key(s: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in s)[-80:] or "model"

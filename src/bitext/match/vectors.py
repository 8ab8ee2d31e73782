"""Each document split and encoded once: sentence vectors on disk, a vector per document.

:func:`encode_chunk` is the worker's task: it reads a run of documents of
one side, splits them (with the cache of splits), encodes their sentences
with the model (with the embedding cache) and writes the sentence vectors of
the run to the work folder as one float16 array (``src-000012.npy``, with
their lengths and paragraphs beside it). It returns what the driver keeps:
for each document its sentence count, language and length-weighted sum of
sentence vectors, or why it could not be read.

:class:`SideIndex` is the driver's record of a side (where each document's
sentences are, its language) and :func:`write_doc_vectors` the side's
document vectors: each document's length-weighted mean sentence vector, less
the side's mean sentence vector, made unit length, in a float32 memmap
(``src.docs.npy``). Centring on the side's mean removes what every document
of a collection shares (the Bible's register, a site's boilerplate): on the
Bible chapters it lifts the true counterpart's rank from top-10 in 91% of
chapters to top-5 in 99.5% (bench/match.py, docs/scaling.md).
"""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass, field

import numpy as np

from ..batch.pair import LazyModel, one_line
from ..text.read import InputError
from ..text.segment import visible_chars
from .documents import Document

__all__ = [
    "EncodedChunk",
    "SideIndex",
    "SentenceStore",
    "encode_chunk",
    "write_doc_vectors",
    "text_lengths",
    "CENTRE_MIN_DOCS",
]


def text_lengths(texts) -> np.ndarray:
    """Non-space characters of each text (at least 1), as the aligner counts them."""
    return np.fromiter((max(1, visible_chars(t)) for t in texts), np.int32)


@dataclass
class EncodedChunk:
    """What a worker returns for a run of documents (``first`` is the first one's index)."""

    side: str
    chunk: int
    first: int
    counts: np.ndarray  # sentences per document (0: it failed)
    langs: list  # language per document (None: it failed)
    wsum: np.ndarray  # (n_docs, d) float32: sum of length x sentence vector
    wlen: np.ndarray  # (n_docs,) float64: sum of lengths
    vsum: np.ndarray  # (d,) float64: sum of all sentence vectors (for the side's mean)
    errors: list = field(default_factory=list)  # (document index, message)
    dim: int = 0


def chunk_path(work: str, side: str, chunk: int, what: str = "") -> str:
    return os.path.join(work, f"{side}-{chunk:06d}{what}.npy")


def encode_chunk(
    model,
    side: str,
    chunk: int,
    first: int,
    docs: list[Document],
    lang: str | None,
    encoding: str | None,
    cache: bool,
    work: str,
) -> EncodedChunk:
    """Read, split and encode ``docs`` (a worker task); never raises for a bad document."""
    from ..pipeline import segment_side
    from ..text.segment import LanguageError

    vecs: list[np.ndarray] = []
    meta: list[np.ndarray] = []
    counts: list[int] = []
    langs: list[str | None] = []
    errors: list[tuple[int, str]] = []
    sums: list[np.ndarray | None] = []
    lens: list[float] = []
    for k, doc in enumerate(docs):
        try:
            text = doc.read(encoding, lang)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                try:
                    sents, dlang = segment_side(text, lang, False, cache)
                except LanguageError as e:
                    flag = "--src-lang" if side == "src" else "--tgt-lang"
                    raise InputError(f"{doc.where}: {e}; give the language with {flag}") from None
                texts = [s.text for s in sents]
                if not texts:
                    raise InputError(f"{doc.where}: no sentences")
                if isinstance(model, LazyModel):
                    model = model.get()
                v = np.asarray(model.encode(texts), np.float32)
        except InputError as e:
            errors.append((first + k, one_line(e)))
            counts.append(0)
            langs.append(None)
            sums.append(None)
            lens.append(0.0)
            continue
        except Exception as e:  # an input the splitter or the model cannot take: this document fails
            from ..embed.embedder import ModelLoadError

            if isinstance(e, ModelLoadError):
                raise
            errors.append((first + k, one_line(f"{doc.where}: {type(e).__name__}: {e}")))
            counts.append(0)
            langs.append(None)
            sums.append(None)
            lens.append(0.0)
            continue
        w = text_lengths(texts)
        vecs.append(v)
        meta.append(np.stack([w, np.fromiter((s.paragraph for s in sents), np.int32, len(sents))], 1))
        counts.append(len(texts))
        langs.append(dlang)
        sums.append((v * w[:, None]).sum(0))
        lens.append(float(w.sum()))
    dim = vecs[0].shape[1] if vecs else 0
    if vecs:
        _save(chunk_path(work, side, chunk), np.concatenate(vecs).astype(np.float16))
        _save(chunk_path(work, side, chunk, ".len"), np.concatenate(meta).astype(np.int32))
        vsum = np.concatenate(vecs).sum(0, dtype=np.float64)
    else:
        vsum = np.zeros(0)
    wsum = np.zeros((len(docs), dim), np.float32)
    for k, s in enumerate(sums):
        if s is not None:
            wsum[k] = s
    return EncodedChunk(side, chunk, first, np.array(counts, np.int32), langs, wsum, np.array(lens), vsum, errors, dim)


def _save(path: str, a: np.ndarray) -> None:
    tmp = f"{path}.{os.getpid()}.tmp"
    with open(tmp, "wb") as f:
        np.save(f, a)
    os.replace(tmp, path)


class SideIndex:
    """The driver's record of one side after encoding: for each document its
    chunk, its first sentence's row there, its sentence count and language."""

    def __init__(self, side: str, docs: list[Document]):
        n = len(docs)
        self.side, self.docs = side, docs
        self.chunk = np.full(n, -1, np.int32)
        self.start = np.zeros(n, np.int64)
        self.count = np.zeros(n, np.int32)
        self.langs: list = [None] * n
        self.errors: dict[int, str] = {}
        self.vsum: np.ndarray | None = None
        self.n_sents = 0
        self.wlen = np.zeros(n)

    def add(self, r: EncodedChunk, wsum_out: np.ndarray | None) -> None:
        """Record a chunk's result; its weighted sums go to ``wsum_out`` (rows of the side)."""
        at = 0
        for k, c in enumerate(r.counts.tolist()):
            i = r.first + k
            if c:
                self.chunk[i], self.start[i], self.count[i] = r.chunk, at, c
                self.langs[i] = r.langs[k]
                at += c
        for i, msg in r.errors:
            self.errors[i] = msg
        if r.dim and wsum_out is not None:
            wsum_out[r.first : r.first + len(r.counts)] = r.wsum
            self.wlen[r.first : r.first + len(r.counts)] = r.wlen
            self.vsum = r.vsum if self.vsum is None else self.vsum + r.vsum
            self.n_sents += int(r.counts.sum())

    @property
    def ok(self) -> np.ndarray:
        """Indices of the documents that were read and encoded."""
        return np.flatnonzero(self.count > 0)

    @property
    def mean(self) -> np.ndarray:
        """The side's mean sentence vector."""
        if self.vsum is None:
            raise ValueError(f"no document of the {self.side} side was encoded")
        return (self.vsum / max(self.n_sents, 1)).astype(np.float32)

    def location(self, i: int) -> tuple[int, int, int]:
        return int(self.chunk[i]), int(self.start[i]), int(self.count[i])


# a side of fewer documents is not centred: its mean is mostly those documents' own content
CENTRE_MIN_DOCS = 16


def write_doc_vectors(index: SideIndex, wsum: np.ndarray, path: str, block: int = 8192) -> np.ndarray:
    """Unit document vectors ``unit(wsum - wlen * mean)`` of a side to ``path`` (a memmap, float32),
    a block of rows at a time; failed documents get zero rows. A side of fewer than
    ``CENTRE_MIN_DOCS`` documents is not centred."""
    mu = index.mean.astype(np.float32) if len(index.ok) >= CENTRE_MIN_DOCS else np.zeros(wsum.shape[1], np.float32)
    out = np.lib.format.open_memmap(path, mode="w+", dtype=np.float32, shape=wsum.shape)
    for a in range(0, len(wsum), block):
        x = np.asarray(wsum[a : a + block], np.float32) - index.wlen[a : a + block, None].astype(np.float32) * mu
        x /= np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-9)
        x[index.count[a : a + block] == 0] = 0.0
        out[a : a + block] = x
    out.flush()
    return out


class SentenceStore:
    """Reads the sentence vectors, lengths and paragraphs of documents from a work
    folder's chunk files: the rows of one document at a time (a seek and a read;
    each file's header is read once), so that memory stays that of the document."""

    def __init__(self, work: str):
        self.work = work
        self._heads: dict = {}

    def _rows(self, path: str, start: int, n: int) -> np.ndarray:
        head = self._heads.get(path)
        with open(path, "rb") as f:
            if head is None:
                fmt = np.lib.format
                version = fmt.read_magic(f)
                read = fmt.read_array_header_1_0 if version == (1, 0) else fmt.read_array_header_2_0
                shape, _, dtype = read(f)
                head = self._heads[path] = (f.tell(), shape[1:], dtype)
            at, tail, dtype = head
            row = int(np.prod(tail, dtype=np.int64)) * dtype.itemsize
            f.seek(at + start * row)
            data = f.read(n * row)
        return np.frombuffer(data, dtype).reshape((n, *tail))

    def get(self, side: str, loc: tuple[int, int, int]):
        """``(vectors float32 (n, d), lengths int, paragraphs int)`` of the document at ``loc``."""
        chunk, start, n = loc
        v = self._rows(chunk_path(self.work, side, chunk), start, n)
        m = self._rows(chunk_path(self.work, side, chunk, ".len"), start, n)
        return v.astype(np.float32), m[:, 0].astype(np.int64), m[:, 1].astype(np.int64)

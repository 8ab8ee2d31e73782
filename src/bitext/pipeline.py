"""The pipeline: text -> sentences -> span vectors -> beads -> :class:`Alignment`."""

from __future__ import annotations

import re
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from .aligner.anchors import anchor_counts
from .aligner.core import AlignParams, align_vectors
from .embed import language_warning, load_model
from .embed.cache import DiskCache, default_cache_dir
from .embed.embedder import Embedder
from .formats import beads as _formats
from .formats.document import Document
from .text import ko_endings, optional_cuts
from .text import segment as _segment
from .text.segment import (
    BlankLineError,
    LongSentenceWarning,
    Sentence,
    check_lang,
    detect_lang,
    join_sentences,
    script_conflict,
    split,
    split_lines,
    visible_chars,
)

if TYPE_CHECKING:
    from .aligner.fixed import Comment, Constraint

__all__ = ["Bead", "ReviewedBead", "Alignment", "align", "segment_side"]

SPLIT_VERSION = 2  # bump when the splitters change, so cached splits are not reused


@dataclass(frozen=True)
class Bead:
    """One aligned group: source and target sentence ids (0-based), their text, a score.

    ``score`` is the bead's confidence in [0, 1]: the estimated probability
    that the bead is right (see ``docs/beads.md``). Insertions and omissions
    (one side empty) carry the confidence that the sentence has no
    counterpart.
    """

    src_ids: tuple[int, ...]
    tgt_ids: tuple[int, ...]
    src: str
    tgt: str
    score: float
    similarity: float = 0.0

    @property
    def kind(self) -> str:
        """The bead type, e.g. ``"1-2"``."""
        return f"{len(self.src_ids)}-{len(self.tgt_ids)}"


@dataclass(frozen=True)
class ReviewedBead(Bead):
    """A bead with a person's verdict: ``approved``, ``edited`` by hand, a ``comment``."""

    approved: bool = False
    edited: bool = False
    comment: str = ""


@dataclass
class Alignment:
    """The beads of one document pair, in order, with the sentences they index."""

    beads: list[Bead]
    src_sentences: list[Sentence]
    tgt_sentences: list[Sentence]
    src_lang: str
    tgt_lang: str
    timings: dict = field(default_factory=dict)
    src_text: str | None = None
    tgt_text: str | None = None
    src_vectors: np.ndarray | None = field(default=None, repr=False)
    tgt_vectors: np.ndarray | None = field(default=None, repr=False)
    model: Embedder | None = field(default=None, repr=False, compare=False)  # the one that made the vectors
    src_doc: Document | None = field(default=None, repr=False, compare=False)  # where each paragraph sits
    tgt_doc: Document | None = field(default=None, repr=False, compare=False)

    def __getstate__(self) -> dict:
        # the model stays in the process that made the alignment: pickling it
        # would send a whole sentence-transformers model with every batch result
        state = dict(self.__dict__)
        state["model"] = None
        return state

    def __iter__(self) -> Iterator[Bead]:
        return iter(self.beads)

    def __len__(self) -> int:
        return len(self.beads)

    def __getitem__(self, i):
        return self.beads[i]

    def similarity_matrix(self) -> np.ndarray:
        """Cosine similarity of every source sentence with every target sentence.

        ``n x m``: meant for plots and inspection of short documents, not for
        long ones (the aligner itself never builds it).
        """
        if self.src_vectors is None or self.tgt_vectors is None:
            raise ValueError("this alignment has no sentence vectors (made by bitext.align, not read from a file)")
        return self.src_vectors @ self.tgt_vectors.T

    def to_tsv(self) -> str:
        return _formats.beads_to_tsv(self.beads)

    def jsonl_header(self) -> dict:
        """The header line of :meth:`to_jsonl`: version, languages, sentence hashes (:mod:`bitext.aligner.fixed`)."""
        from .aligner.fixed import jsonl_header

        return jsonl_header(
            self.src_lang, self.tgt_lang, (s.text for s in self.src_sentences), (s.text for s in self.tgt_sentences)
        )

    def to_jsonl(self) -> str:
        from .formats.positions import bead_positions

        return _formats.beads_to_jsonl(self.beads, self.jsonl_header(), bead_positions(self))

    def to_beads(self) -> str:
        return _formats.beads_to_beads(self.beads)

    def to_tmx(self) -> str:
        from .formats.positions import bead_positions

        return _formats.beads_to_tmx(self.beads, self.src_lang, self.tgt_lang, bead_positions(self))

    def format(self, fmt: str, report=None) -> str | bytes:
        """Serialise as ``tsv``, ``jsonl``, ``beads``, ``tmx``, ``xliff`` or ``xlsx`` (bytes; the
        coverage status of each bead from ``report``, ``bitext.coverage_report(alignment)``, when
        given). Moses writes two files: :meth:`save`."""
        from .formats.registry import format_named, render

        f = format_named(fmt)
        if f.files or not f.writes:
            raise ValueError(f"the {f.name} format cannot be one text; use save(path, {f.name!r})")
        files, _ = render(self, None, f, report)
        return files["-"]

    def save(self, path, fmt: str | None = None, report=None) -> list[str]:
        """Write the alignment to ``path`` in ``fmt`` (default: the extension names it), safely
        (:func:`bitext.formats.output.write_files`: nothing half-written is left); returns the files
        written (Moses: ``path.<src_lang>`` and ``path.<tgt_lang>``). ``report``
        (``bitext.coverage_report(alignment)``) fills an XLSX's status column."""
        from .formats.output import write_files
        from .formats.registry import output_format, render

        f = output_format(path, fmt)
        files, _ = render(self, path, f, report)
        write_files(files)
        return list(files)

    def to_pandas(self):
        """One row a bead: ``src_ids``, ``tgt_ids``, ``kind``, ``score``, ``similarity``,
        ``src``, ``tgt`` (index ``bead``; see :mod:`bitext.views.frames`). Needs pandas."""
        from .views.frames import beads_frame

        return beads_frame(self)

    def __repr__(self) -> str:
        from .views.display import alignment_repr

        return alignment_repr(self)

    def _repr_html_(self) -> str:
        from .views.display import alignment_html

        return alignment_html(self)


_SURROGATE = re.compile("[\ud800-\udfff]")


def _check_text(name: str, text: str) -> None:
    """``ValueError`` naming the argument for a text UTF-8 cannot hold (a lone surrogate)."""
    m = _SURROGATE.search(text)
    if m:
        raise ValueError(
            f"{name} holds a lone surrogate (U+{ord(m.group()):04X}) at offset {m.start()}: not text "
            "that UTF-8 can hold; decode the bytes with errors='replace', or read the file with "
            "bitext.text.read.read_text"
        )


def _check_side(name: str, side) -> None:
    """``TypeError`` naming the argument unless ``side`` is a text or a list of texts or Sentences;
    ``ValueError`` for an empty one, or one with a lone surrogate."""
    if isinstance(side, str):
        if not side.strip():
            raise ValueError(f"{name} is empty: there is no text to align")
        _check_text(name, side)
        return
    if isinstance(side, (bytes, bytearray)):
        raise TypeError(
            f"{name} is bytes: decode it first (e.g. {name}.decode('utf-8')), "
            "or read the file with bitext.text.read.read_text"
        )
    if not isinstance(side, (list, tuple)):
        kind = "a generator or iterator" if hasattr(side, "__next__") else type(side).__name__
        raise TypeError(
            f"{name} must be a text (str) or a list of sentences, got {kind}"
            + (f"; pass list({name})" if hasattr(side, "__iter__") else "")
        )
    for i, x in enumerate(side):
        if isinstance(x, Sentence):
            x = x.text
        elif not isinstance(x, str):
            raise TypeError(f"{name}[{i}] is {type(x).__name__}, not str (a list of sentences holds texts)")
        _check_text(f"{name}[{i}]", x)
    if not any(x.text.strip() if isinstance(x, Sentence) else x.strip() for x in side):
        raise ValueError(f"{name} is empty: there is no sentence to align")


def _sample(side) -> str:
    """The start of a side, to tell its script."""
    if isinstance(side, str):
        return side[:20000]
    return "\n".join(x.text if isinstance(x, Sentence) else x for x in side[:200])[:20000]


def segment_side(
    text_or_lines, lang: str | None, presplit: bool, cache: bool = False, side: str | None = None
) -> tuple[list[Sentence], str]:
    """Sentences of one side and its language (cached on disk with ``cache=True``).

    The :class:`~bitext.text.segment.LongSentenceWarning` of each line where the
    splitter cut a sentence (also when the split comes from the cache) is
    issued with ``side`` set.
    """
    if (
        isinstance(text_or_lines, (list, tuple))
        and text_or_lines
        and all(isinstance(s, Sentence) for s in text_or_lines)
    ):
        sents = list(text_or_lines)  # split by the caller: offsets and paragraphs as given
        return sents, lang or detect_lang("\n".join(s.text for s in sents))
    if isinstance(text_or_lines, (list, tuple)):
        sents, pos = [], 0
        for i, s in enumerate(text_or_lines):
            s = str(s)
            sents.append(Sentence(s, pos, pos + len(s), i))
            pos += len(s) + 1
        text = "\n".join(str(s) for s in text_or_lines)
        return sents, lang or detect_lang(text)
    text = str(text_or_lines)
    lang = lang or detect_lang(text)
    if presplit:
        try:
            return split_lines(text), lang
        except BlankLineError as e:
            raise ValueError(f"{side or 'text'}: {e}") from None
    store = DiskCache(default_cache_dir() if cache else None, f"split-v{SPLIT_VERSION}")
    backend = f"ko-{ko_endings.backend_name()}" if lang == "ko" else lang  # Korean splits differ without mecab
    kind = f"{backend}-cap{_segment.MAX_SENTENCE_CHARS}-block{_segment.BLOCK_CHARS}"
    hit = store.get(kind, [text], _split_check(text))
    cut: list[tuple[int, int, int, int, int, int]]  # LongSentenceWarning.fields() of each sentence cut
    if hit is not None:
        sents = [Sentence(text[s:e], int(s), int(e), int(p)) for s, e, p in hit["spe"].tolist()]
        cut = hit["cut"].tolist()
    else:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            sents = split(text, lang)
        cut = [w.message.fields() for w in caught if isinstance(w.message, LongSentenceWarning)]
        for w in caught:
            if not isinstance(w.message, LongSentenceWarning):
                warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
        store.put(
            kind,
            [text],
            {
                "spe": np.array([(s.start, s.end, s.paragraph) for s in sents], np.int64).reshape(-1, 3),
                "cut": np.array(cut, np.int64).reshape(-1, 6),
            },
        )
    for line, chars, pieces, cap, count, punctuated in cut:
        warnings.warn(LongSentenceWarning(line, chars, pieces, cap, count, bool(punctuated), side=side), stacklevel=2)
    return sents, lang


def _split_check(text: str):
    """A ``check`` for a cached split of ``text``: sentences in order inside
    the text, none across a line break; cut records of six positive ints."""

    def check(arrays: dict) -> str | None:
        if set(arrays) != {"spe", "cut"}:
            return f"arrays {sorted(arrays)}, expected ['cut', 'spe']"
        spe, cut = arrays["spe"], arrays["cut"]
        if spe.dtype != np.int64 or spe.ndim != 2 or spe.shape[1] != 3:
            return f"sentence offsets of dtype {spe.dtype} and shape {spe.shape}"
        if cut.dtype != np.int64 or cut.ndim != 2 or cut.shape[1] != 6 or (cut[:, :5] < 1).any():
            return "malformed records of cut sentences"
        s, e, p = spe.T
        if len(spe) and not (
            s[0] >= 0
            and e[-1] <= len(text)
            and (s < e).all()
            and (s[1:] >= e[:-1]).all()
            and p[0] >= 0
            and (p[1:] >= p[:-1]).all()
        ):
            return "sentence offsets outside the text or out of order"
        if any("\n" in text[a:b] for a, b in zip(s.tolist(), e.tolist())):
            return "a sentence across a line break"
        return None

    return check


def _text_len(s: str) -> int:
    return visible_chars(s) or 1


def align(
    src,
    tgt,
    src_lang: str | None = None,
    tgt_lang: str | None = None,
    model=None,
    presplit: bool = False,
    *,
    params: AlignParams | None = None,
    cache: bool = True,
    progress: bool = False,
    fixed=None,
) -> Alignment:
    """Align ``src`` with its translation ``tgt``.

    ``src``/``tgt``: a text (one paragraph per line, or one sentence per line
    with ``presplit=True``), a :class:`~bitext.formats.document.Document`
    (:func:`bitext.read_document`: the alignment keeps it as ``src_doc`` or
    ``tgt_doc``, and outputs carry each bead's position), a list of sentence strings, or a list of
    :class:`~bitext.text.segment.Sentence` (split by the caller; their paragraph
    ids count as evidence). Languages are
    detected when not given (:func:`~bitext.text.segment.detect_lang`).
    ``model``: ``None`` for the default offline model, a sentence-transformers
    name or path, an object with ``encode``, or a loaded :class:`~bitext.embed.embedder.Embedder`.
    ``fixed``: beads to keep as they are, as hard constraints; only the
    stretches between them are aligned (:mod:`bitext.aligner.fixed`): the path of a
    JSONL file bitext wrote (its approved and edited beads; its sentence
    hashes must match), or a list of beads, dicts with ``src_ids`` and
    ``tgt_ids``, or ``(src_ids, tgt_ids)`` pairs. Fixed beads come back as
    :class:`ReviewedBead`, with confidence 1. The comments of a file's
    other beads are kept on their sentences
    (:func:`~bitext.aligner.fixed.place_comments`; a comment whose bead was
    re-aligned away moves, with a :class:`~bitext.aligner.fixed.CommentMovedWarning`).
    """
    src_doc = src if isinstance(src, Document) else None
    tgt_doc = tgt if isinstance(tgt, Document) else None
    src = src.text if src_doc is not None else src
    tgt = tgt.text if tgt_doc is not None else tgt
    for name, side in (("src", src), ("tgt", tgt)):
        _check_side(name, side)
    for name, lang, side in (("src_lang", src_lang, src), ("tgt_lang", tgt_lang, tgt)):
        why = lang is not None and check_lang(lang, name)
        if why:
            raise (TypeError if not isinstance(lang, str) else ValueError)(why)
        conflict = lang is not None and script_conflict(_sample(side), lang)
        if conflict:
            warnings.warn(f"{name}: {conflict}", stacklevel=2)
    t0 = time.perf_counter()
    src_sents, src_lang = segment_side(src, src_lang, presplit, cache, side="src")
    tgt_sents, tgt_lang = segment_side(tgt, tgt_lang, presplit, cache, side="tgt")
    cons: list[Constraint] | None = None
    comments: list[Comment] = []
    if fixed is not None:
        from .aligner.fixed import fixed_and_comments

        cons, comments = fixed_and_comments(fixed, [s.text for s in src_sents], [s.text for s in tgt_sents])
    src_text = None if isinstance(src, (list, tuple)) else str(src)
    tgt_text = None if isinstance(tgt, (list, tuple)) else str(tgt)
    # Korean without full stops: both sides cut finer, and the aligner decides (optional_cuts);
    # not with fixed beads, whose ids are those of the sentences as split
    joins: list[list[float] | None] = [None, None]
    if (
        cons is None
        and not presplit
        and (optional_cuts.needs_cuts(src_text, src_lang) or optional_cuts.needs_cuts(tgt_text, tgt_lang))
    ):
        if src_text is not None:
            src_sents, joins[0] = optional_cuts.cut(src_text, src_sents, src_lang)
        if tgt_text is not None:
            tgt_sents, joins[1] = optional_cuts.cut(tgt_text, tgt_sents, tgt_lang)
    if src_lang == tgt_lang:
        warnings.warn(f"both sides are in the same language ({src_lang})", stacklevel=2)
    t1 = time.perf_counter()
    embedder = model if isinstance(model, Embedder) else load_model(model, cache=cache)
    unread = language_warning(embedder, src_lang, tgt_lang)
    if unread:
        warnings.warn(unread, stacklevel=2)
    p = params or AlignParams()
    max_span = min(p.max_side, p.max_bead - 1)
    bar = _progress(len(src_sents) + len(tgt_sents), progress)
    update = bar.update if bar else None
    src_spans = embedder.spans([s.text for s in src_sents], max_span, progress=update)
    tgt_spans = embedder.spans([s.text for s in tgt_sents], max_span, progress=update)
    if bar:
        bar.close()
    t2 = time.perf_counter()
    per_line = presplit or _is_str_list(src)
    shared = None
    if p.anchor_weight:
        shared = anchor_counts([s.text for s in src_sents], [s.text for s in tgt_sents])
    evidence = (
        np.array([_text_len(s.text) for s in src_sents]),
        np.array([_text_len(s.text) for s in tgt_sents]),
        None if per_line else np.array([s.paragraph for s in src_sents]),
        None if per_line else np.array([s.paragraph for s in tgt_sents]),
        p,
        *(shared or (None, None)),
        *(() if cons is not None else (None if j is None else np.array(j, np.float32) for j in joins)),
    )
    encoding = 0.0  # seconds spent encoding contested spans, counted as embedding
    if embedder.exact_spans or p.contested_posterior is None:
        beads = _align_through(cons, src_spans, tgt_spans, *evidence)
    else:
        texts = ([s.text for s in src_sents], [s.text for s in tgt_sents])
        beads, encoding = _align_exact_where_contested(
            embedder, texts, [src_spans, tgt_spans], cons, evidence, progress
        )
    src_vectors, tgt_vectors = src_spans[0], tgt_spans[0]
    if src_text is not None and joins[0] and any(joins[0]):
        beads, src_sents, src_vectors = optional_cuts.rejoin(beads, src_text, src_sents, joins[0], src_spans, 0)
    if tgt_text is not None and joins[1] and any(joins[1]):
        beads, tgt_sents, tgt_vectors = optional_cuts.rejoin(beads, tgt_text, tgt_sents, joins[1], tgt_spans, 1)
    t3 = time.perf_counter()
    out = [
        _bead(
            s,
            t,
            join_sentences((src_sents[i].text for i in s), src_lang),
            join_sentences((tgt_sents[j].text for j in t), tgt_lang),
            float(conf),
            float(sim),
            *fix,
        )
        for s, t, sim, conf, *fix in beads
    ]
    if comments:  # those of beads not fixed: on the same sentences, or moved with a warning
        out = _with_comments(out, comments)
    return Alignment(
        out,
        src_sents,
        tgt_sents,
        src_lang,
        tgt_lang,
        timings={"segment": t1 - t0, "embed": t2 - t1 + encoding, "align": t3 - t2 - encoding},
        src_text=src_text,
        tgt_text=tgt_text,
        src_vectors=src_vectors,
        tgt_vectors=tgt_vectors,
        model=embedder,
        src_doc=src_doc,
        tgt_doc=tgt_doc,
    )


def _align_exact_where_contested(
    embedder, texts, spans, cons, evidence, progress, rounds: int = 3
) -> tuple[list[tuple], float]:
    """Beads from composed span vectors, made exact where they matter.

    First the spans of two or more sentences that a likely path puts in a
    bead (:func:`~bitext.aligner.core.contested_spans`) get the vectors of their
    joined text; then the beads are aligned, and while a bead of the result
    holds a span whose vector is still composed, that span is encoded too
    and the beads aligned again (at most ``rounds`` times). ``spans`` (each
    side's list of span arrays) is updated in place. Returns the beads and
    the seconds spent encoding.
    """
    from .aligner.core import contested_spans

    p = evidence[4]
    exact: list[set[tuple[int, int]]] = [set(), set()]
    seconds = 0.0

    def make_exact(wanted) -> bool:
        nonlocal seconds
        t = time.perf_counter()
        new = [[(i, k) for i, k in map(tuple, w.tolist()) if (i, k) not in done] for w, done in zip(wanted, exact)]
        bar = _progress(sum(map(len, new)), progress, "spans in doubt")
        for side, todo in enumerate(new):
            if todo:
                vecs = embedder.joined(texts[side], np.array(todo), progress=bar.update if bar else None)
                for (i, k), v in zip(todo, vecs):
                    spans[side][k - 1][i] = v
                exact[side].update(todo)
        if bar:
            bar.close()
        seconds += time.perf_counter() - t
        return any(new)

    make_exact(contested_spans(*spans, *evidence, min_posterior=p.contested_posterior))
    beads = _align_through(cons, *spans, *evidence)
    for _ in range(rounds):
        held = [
            {(b[0][0], len(b[0])) for b in beads if len(b[0]) > 1},
            {(b[1][0], len(b[1])) for b in beads if len(b[1]) > 1},
        ]
        if not make_exact([np.array(sorted(h), np.int64).reshape(-1, 2) for h in held]):
            break
        beads = _align_through(cons, *spans, *evidence)
    return beads, seconds


def _align_through(cons, *args) -> list[tuple]:
    """:func:`~bitext.aligner.core.align_vectors`, or, with constraints, the same around them."""
    if cons is None:
        return align_vectors(*args)
    from .aligner.fixed import align_around

    return align_around(cons, *args)


def _bead(s, t, src: str, tgt: str, score: float, sim: float, fix=None) -> Bead:
    if fix is None:
        return Bead(s, t, src, tgt, score, sim)
    return ReviewedBead(s, t, src, tgt, score, sim, fix.approved, fix.edited, fix.comment)


def _with_comments(beads: list[Bead], comments) -> list[Bead]:
    """``beads`` with the comments of beads that were not fixed
    (:func:`~bitext.aligner.fixed.place_comments`), joined with `` / `` after
    a bead's own; a plain bead with a comment becomes a :class:`ReviewedBead`."""
    from .aligner.fixed import place_comments

    out = list(beads)
    for i, texts in place_comments(out, comments).items():
        b = out[i]
        own = getattr(b, "comment", "")
        out[i] = ReviewedBead(
            b.src_ids,
            b.tgt_ids,
            b.src,
            b.tgt,
            b.score,
            b.similarity,
            getattr(b, "approved", False),
            getattr(b, "edited", False),
            " / ".join([own, *texts] if own else texts),
        )
    return out


def _is_str_list(x) -> bool:
    return isinstance(x, (list, tuple)) and not (x and isinstance(x[0], Sentence))


def _progress(total: int, enabled: bool, desc: str = "embedding"):
    if not enabled or total < 200:
        return None
    from tqdm import tqdm

    return tqdm(total=total, unit="sent" if desc == "embedding" else "span", desc=desc, leave=False)

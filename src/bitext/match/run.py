""":func:`match`: the stages, run on the batch engines (this process, local processes or Ray).

1. **Encode** (:func:`~bitext.match.vectors.encode_chunk`, runs of
   ``chunk_docs`` documents per task): every document is read, split and
   encoded once; sentence vectors go to the work folder, a document vector
   per document to a memmap.
2. **Search** (:func:`~bitext.match.search.search_rows`, ``search_rows_per_task``
   source documents per task): the ``2k`` nearest documents of the other
   side, both ways.
3. **Confirm** (:func:`~bitext.match.confirm.confirm_pairs`, ``confirm_per_task``
   candidates per task): the chance level of each bead type
   (:func:`~bitext.match.confirm.chance_level`) and how much aligns in
   random pairs of documents; then each of the ``k`` nearest aligned, and the
   next ``k`` of the documents that found no pair.
4. **Choose** (:func:`~bitext.match.result.choose`, in the driver): pairs one
   to one, best first; near misses.

The driver holds a few hundred bytes per document and per candidate; the
vectors stay on disk in the work folder (``work_dir``: a temporary folder
by default, removed at the end; on a Ray cluster, a folder every node sees).
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time

import numpy as np

from ..batch.engines import ENGINES, Job, Workers, check_engine
from .confirm import MAX_CHANCE, MIN_COVERAGE, Evidence, chance_level, chance_of, confirm_pairs
from .documents import MatchError, collect
from .result import DocPair, Matching, NearMiss, choose, pair_ids
from .search import TopK, candidate_pairs, search_rows
from .vectors import SentenceStore, SideIndex, encode_chunk, write_doc_vectors

__all__ = ["match", "CENTRE_ABOVE"]

# as the aligner (bitext.aligner.core.centred): a model whose unrelated sentences average a cosine
# above this (multilingual-e5: 0.8) has its sentence vectors centred on each side's mean
CENTRE_ABOVE = 0.5
NULL_PAIRS = 200  # random pairs of documents aligned to measure how much aligns by chance


def match(
    src,
    tgt,
    *,
    src_lang: str | None = None,
    tgt_lang: str | None = None,
    model=None,
    k: int = 3,
    min_coverage: float = MIN_COVERAGE,
    max_chance: float = MAX_CHANCE,
    one_to_one: bool = True,
    workers: int = 1,
    engine: str = "local",
    address: str | None = None,
    threads: int | None = 1,
    cache: bool = True,
    cache_dir=None,
    device: str | None = None,
    batch_size: int | None = None,
    encoding: str | None = None,
    skip_bad: bool = False,
    work_dir=None,
    chunk_docs: int = 64,
    search_rows_per_task: int = 2048,
    confirm_per_task: int = 256,
    progress: bool = False,
) -> Matching:
    """Find which documents of ``src`` translate which of ``tgt``.

    ``src``, ``tgt``: a folder of text files, a JSONL file of
    ``{"id": ..., "text": ...}`` lines, a mapping from ids to texts, or a
    list of texts (see :func:`~bitext.match.documents.collect`).
    Returns a :class:`~bitext.match.result.Matching`: its ``pairs`` (best
    first), near misses, documents with no counterpart;
    ``write_manifest(path)`` writes the manifest ``bitext batch`` aligns.

    A candidate is one of the ``k`` nearest documents of the other side (by
    document vector, either way; the next ``k`` for a document that found no
    pair among them); it is a pair when aligning the two puts at least
    ``min_coverage`` of the sentences of each side in beads above chance, and
    the probability of aligning as many by chance is at most ``max_chance``
    (:mod:`bitext.match.confirm`). ``one_to_one`` (default): a document is in
    one pair at most, the best-scored first; otherwise in every pair it makes.

    ``src_lang``/``tgt_lang``: the language of every document of that side
    (default: detected per document). ``model``, ``device``, ``batch_size``,
    ``threads``, ``cache``, ``cache_dir``, ``encoding``, ``workers``,
    ``engine``, ``address``: as :func:`bitext.batch.align_many`.
    ``skip_bad``: documents that cannot be read (missing, empty, binary,
    undecodable, no language to tell) are left out and listed in
    ``skipped``; otherwise the first of them stops the run with a
    :class:`~bitext.match.documents.MatchError` naming it. ``work_dir``:
    where the vectors are kept while the run lasts. ``progress``: bars on stderr.
    """
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r} (expected one of {', '.join(ENGINES)})")
    for name, v in (
        ("workers", workers),
        ("k", k),
        ("chunk_docs", chunk_docs),
        ("search_rows_per_task", search_rows_per_task),
        ("confirm_per_task", confirm_per_task),
    ):
        if not isinstance(v, int) or isinstance(v, bool) or v < 1:
            raise ValueError(f"{name} must be a positive integer, got {v!r}")
    if not 0.0 < min_coverage <= 1.0:
        raise ValueError(f"min_coverage must be in (0, 1], got {min_coverage!r}")
    if address and engine != "ray":
        raise ValueError("address applies to engine='ray' only")
    _same_input(src, tgt)
    src_docs = collect(src, "src")
    tgt_docs = collect(tgt, "tgt")
    check_engine(model, workers, engine)
    if model is not None and not isinstance(model, (str, os.PathLike)) and workers == 1 and engine == "local":
        from ..embed import load_model

        model = load_model(model, cache=cache, cache_dir=cache_dir)  # an encoder object, in this process
    job = Job(
        model,
        threads,
        cache,
        None if cache_dir is None else os.fspath(cache_dir),
        None,
        None,
        False,
        False,
        False,
        {"device": device, "batch_size": batch_size},
    )
    work = tempfile.mkdtemp(prefix="bitext-match-", dir=None if work_dir is None else os.fspath(work_dir))
    try:
        with Workers(job, workers, engine, address) as pool:
            return _run(
                pool,
                work,
                src_docs,
                tgt_docs,
                src_lang,
                tgt_lang,
                encoding,
                cache,
                k,
                min_coverage,
                max_chance,
                one_to_one,
                skip_bad,
                chunk_docs,
                search_rows_per_task,
                confirm_per_task,
                progress,
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _same_input(src, tgt) -> None:
    if isinstance(src, (str, os.PathLike)) and isinstance(tgt, (str, os.PathLike)):
        try:
            if os.path.samefile(src, tgt):
                raise MatchError(
                    f"{tgt}: the source and target are the same {'folder' if os.path.isdir(src) else 'file'}"
                )
        except OSError:
            pass


def _bar(total: int, desc: str, unit: str, on: bool):
    if not on:
        return None
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, unit=unit, file=sys.stderr, dynamic_ncols=True)


def _run(
    pool: Workers,
    work,
    src_docs,
    tgt_docs,
    src_lang,
    tgt_lang,
    encoding,
    cache,
    k,
    min_coverage,
    max_chance,
    one_to_one,
    skip_bad,
    chunk_docs,
    rows_per_task,
    pairs_per_task,
    progress,
) -> Matching:
    t0 = time.perf_counter()
    sides = {"src": SideIndex("src", src_docs), "tgt": SideIndex("tgt", tgt_docs)}
    langs = {"src": src_lang, "tgt": tgt_lang}
    wsum = {}
    # 1. encode
    tasks = []
    for start in range(0, max(len(src_docs), len(tgt_docs)), chunk_docs):  # both sides interleaved
        for side, docs in (("src", src_docs), ("tgt", tgt_docs)):
            if start < len(docs):
                tasks.append(
                    (
                        side,
                        start // chunk_docs,
                        start,
                        docs[start : start + chunk_docs],
                        langs[side],
                        encoding,
                        cache,
                        work,
                    )
                )
    bar = _bar(len(src_docs) + len(tgt_docs), "encoding", "doc", progress)
    try:
        for r in pool.map(encode_chunk, tasks):
            index = sides[r.side]
            if r.dim and r.side not in wsum:
                wsum[r.side] = np.lib.format.open_memmap(
                    os.path.join(work, f"{r.side}.wsum.npy"),
                    mode="w+",
                    dtype=np.float32,
                    shape=(len(index.docs), r.dim),
                )
            index.add(r, wsum.get(r.side))
            if r.errors and not skip_bad:
                raise MatchError(_unreadable(r.errors))
            if bar is not None:
                bar.update(len(r.counts))
                bad = sum(len(s.errors) for s in sides.values())
                if bad:
                    bar.set_postfix_str(f"{bad} skipped", refresh=False)
    finally:
        if bar is not None:
            bar.close()
    for name, index in sides.items():
        if not len(index.ok):
            raise MatchError(
                f"no {'source' if name == 'src' else 'target'} document could be read: "
                f"{next(iter(index.errors.values()))}"
            )
    dims = {wsum[s].shape[1] for s in wsum}
    if len(dims) > 1:
        raise MatchError(f"the two sides' vectors differ in size ({sorted(dims)})")
    files = {}
    for name, index in sides.items():
        files[name] = os.path.join(work, f"{name}.docs.npy")
        write_doc_vectors(index, wsum[name], files[name])
    wsum.clear()
    t1 = time.perf_counter()
    # 2. search: the 2k nearest each way; the first k are candidates, the next k are
    # candidates of the documents still without a pair after the first round
    src, tgt = sides["src"], sides["tgt"]
    top = TopK(len(src_docs), len(tgt_docs), 2 * k)
    searches = [
        (files["src"], files["tgt"], a, min(a + rows_per_task, len(src_docs)), 2 * k)
        for a in range(0, len(src_docs), rows_per_task)
    ]
    bar = _bar(len(src_docs), "searching", "doc", progress)
    for r in pool.map(search_rows, searches):
        top.add(r)
        if bar is not None:
            bar.update(len(r[1]))
    if bar is not None:
        bar.close()
    pairs, doc_cos, rank = candidate_pairs(top)
    del top
    t2 = time.perf_counter()
    # 3. confirm
    store = SentenceStore(work)
    src_ok = [src.location(i) for i in src.ok.tolist()]
    tgt_ok = [tgt.location(j) for j in tgt.ok.tolist()]
    centre = None
    theta, mean = chance_level(store, src_ok, tgt_ok)
    if mean > CENTRE_ABOVE:
        centre = (src.mean, tgt.mean)
        theta, mean = chance_level(store, src_ok, tgt_ok, centre)
    # how much aligns by chance: random pairs of documents that are not near each other
    null = _random_pairs(src.ok, tgt.ok, pairs, NULL_PAIRS)
    null_rows = np.zeros((len(null), 7))
    _confirm(pool, work, null, np.arange(len(null)), null_rows, src, tgt, theta, centre, pairs_per_task, None)
    rows = np.zeros((len(pairs), 7))
    first = np.flatnonzero(rank < k)
    bar = _bar(len(first), "confirming", "pair", progress)
    _confirm(pool, work, pairs, first, rows, src, tgt, theta, centre, pairs_per_task, bar)
    chance, p_null = chance_of(rows[first], null_rows)
    chosen, _ = choose(pairs[first], rows[first, 0], doc_cos[first], min_coverage, one_to_one, chance, max_chance)
    paired_s = set(pairs[first[chosen], 0].tolist())
    paired_t = set(pairs[first[chosen], 1].tolist())
    second = np.flatnonzero(
        (rank >= k) & ~(np.isin(pairs[:, 0], list(paired_s)) & np.isin(pairs[:, 1], list(paired_t)))
    )
    if len(second):
        if bar is not None:
            bar.total += len(second)
            bar.refresh()
        _confirm(pool, work, pairs, second, rows, src, tgt, theta, centre, pairs_per_task, bar)
    if bar is not None:
        bar.close()
    done = np.concatenate([first, second])
    pairs, doc_cos, rows = pairs[done], doc_cos[done], rows[done]
    chance, _ = chance_of(rows, null_rows)
    t3 = time.perf_counter()
    # 4. choose
    chosen, taken = choose(pairs, rows[:, 0], doc_cos, min_coverage, one_to_one, chance, max_chance)
    ev = lambda n: Evidence.from_row(rows[n], doc_cos[n], float(chance[n]))  # noqa: E731
    sid = [d.id for d in src_docs]
    tid = [d.id for d in tgt_docs]
    ids = pair_ids([sid[int(pairs[n, 0])] for n in chosen.tolist()])
    found = [
        DocPair(
            pid,
            sid[int(pairs[n, 0])],
            tid[int(pairs[n, 1])],
            src.langs[int(pairs[n, 0])],
            tgt.langs[int(pairs[n, 1])],
            ev(n),
        )
        for pid, n in zip(ids, chosen.tolist())
    ]
    paired_s = {int(pairs[n, 0]) for n in chosen.tolist()}
    paired_t = {int(pairs[n, 1]) for n in chosen.tolist()}
    partner_s = {int(pairs[n, 0]): int(pairs[n, 1]) for n in chosen.tolist()}
    partner_t = {int(pairs[n, 1]): int(pairs[n, 0]) for n in chosen.tolist()}
    near = []
    for n in taken.tolist():
        i, j = int(pairs[n, 0]), int(pairs[n, 1])
        rival = f"{sid[i]} with {tid[partner_s[i]]}" if i in partner_s else f"{tid[j]} with {sid[partner_t[j]]}"
        near.append(NearMiss(sid[i], tid[j], "taken", ev(n), rival))
    near += _best_unpaired(pairs, rows, paired_s, paired_t, sid, tid, ev, min_coverage, set(taken.tolist()))
    skipped = [(name, ix.docs[i].id, msg) for name, ix in sides.items() for i, msg in sorted(ix.errors.items())]
    unmatched_s = [sid[i] for i in src.ok.tolist() if i not in paired_s]
    unmatched_t = [tid[j] for j in tgt.ok.tolist() if j not in paired_t]
    t4 = time.perf_counter()
    work_mb = sum(e.stat().st_size for e in os.scandir(work) if e.is_file()) / 2**20
    stats = {
        "n_src": len(src_docs),
        "n_tgt": len(tgt_docs),
        "n_src_sentences": src.n_sents,
        "n_tgt_sentences": tgt.n_sents,
        "candidates": len(pairs),
        "theta": round(theta[(1, 1)], 4),
        "theta_by_bead": {f"{a}-{b}": round(v, 4) for (a, b), v in theta.items()},
        "chance_mean": round(mean, 4),
        "chance_aligned": p_null,
        "centred": centre is not None,
        "min_coverage": min_coverage,
        "max_chance": max_chance,
        "k": k,
        "seconds": {
            "encode": round(t1 - t0, 3),
            "search": round(t2 - t1, 3),
            "confirm": round(t3 - t2, 3),
            "choose": round(t4 - t3, 3),
        },
        "work_mb": round(work_mb, 1),
    }
    return Matching(
        found, near, unmatched_s, unmatched_t, skipped, {d.id: d for d in src_docs}, {d.id: d for d in tgt_docs}, stats
    )


def _random_pairs(src_ok: np.ndarray, tgt_ok: np.ndarray, near: np.ndarray, n: int, seed: int = 0) -> np.ndarray:
    """Up to ``n`` distinct random pairs of documents, none of them among ``near`` (the candidates)."""
    rng = np.random.default_rng(seed)
    taken = set(map(tuple, near.tolist()))
    out: set = set()
    for _ in range(4):
        draw = np.stack([rng.choice(src_ok, n), rng.choice(tgt_ok, n)], 1).tolist()
        out.update(p for p in map(tuple, draw) if p not in taken)
        if len(out) >= n:
            break
    return np.array(sorted(out)[:n], np.int64).reshape(-1, 2)


def _confirm(
    pool: Workers, work, pairs, which, rows, src, tgt, theta, centre, per_task, bar, shuffled: bool = False
) -> None:
    """The evidence rows of ``pairs[which]`` (into ``rows``), ``per_task`` pairs a task."""

    def tasks():  # made as the workers ask for them: a million candidates never sit in memory as tasks
        for a in range(0, len(which), per_task):
            at = which[a : a + per_task]
            chunk = pairs[at]
            yield (
                work,
                chunk,
                {i: src.location(i) for i in set(chunk[:, 0].tolist())},
                {j: tgt.location(j) for j in set(chunk[:, 1].tolist())},
                theta,
                centre,
                shuffled,
                at,
            )

    for at, ev in pool.map(confirm_pairs, tasks()):
        rows[at] = ev
        if bar is not None:
            bar.update(len(at))


def _best_unpaired(pairs, rows, paired_s, paired_t, sid, tid, ev, min_coverage, taken: set) -> list[NearMiss]:
    """For each document left without a pair, its best candidate (if some sentences
    align), unless it is already a near miss as one ``taken`` by a better pair."""
    best: dict = {}
    for n, (i, j) in enumerate(pairs.tolist()):
        for key, free in ((("src", i), i not in paired_s), (("tgt", j), j not in paired_t)):
            if free and rows[n, 0] > 0 and (key not in best or rows[n, 0] > rows[best[key], 0]):
                best[key] = n
    out, seen = [], set()
    for key in sorted(best, key=lambda x: -rows[best[x], 0]):
        n = best[key]
        if n in seen or n in taken:
            continue
        seen.add(n)
        why = "too few sentences align" if rows[n, 0] < min_coverage else "too short to tell from chance"
        out.append(NearMiss(sid[int(pairs[n, 0])], tid[int(pairs[n, 1])], why, ev(n)))
    return out


def _unreadable(errors: list) -> str:
    msg = errors[0][1]
    more = len(errors) - 1
    tail = f" (and {more} more in this run of documents)" if more else ""
    return f"{msg}{tail}; --skip-bad (skip_bad=True) leaves out the documents that cannot be read"

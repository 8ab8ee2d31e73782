"""Align many document pairs: :func:`align_many` (``bitext batch`` on the command line).

The pairs come from a manifest (:func:`read_manifest`, see :mod:`bitext.batch.manifest`)
or from Python. Every pair writes ``OUTDIR/<id>.<format>`` atomically and one
line of ``OUTDIR/summary.jsonl``. A pair that fails (a missing, empty, binary
or undecodable file, a language that cannot be told) is recorded as an error
and the batch goes on. A rerun skips the pairs a previous run completed, so a
killed batch resumes where it stopped (:mod:`bitext.batch.outdir`).

Engines (:mod:`bitext.batch.engines`): ``local`` runs in this process
(``workers=1``) or in a pool of spawned processes; ``ray`` runs the same job
on Ray actors (``bitext[ray]``). Each worker loads the model once and uses
``threads`` BLAS threads (default 1), so outputs are byte-identical whatever
the engine and the worker count. Each pair is :func:`align_pair`
(:mod:`bitext.batch.pair`). See ``docs/scaling.md``.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Generator, Iterable, Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Any

from ..formats.output import write_atomic
from ..formats.registry import BATCH_FORMATS as FORMATS
from ..formats.summary import MAX_ID, REPORT_KEYS, REPORT_SUFFIX, SUMMARY_KEYS, SUMMARY_NAME, check_id, read_summary
from .engines import ENGINES, Job, check_engine, run_inprocess, run_pool, run_ray
from .manifest import ManifestError, PairSpec, coerce_pairs, read_manifest
from .outdir import (
    LOCK_NAME,
    BatchError,
    OutdirLock,
    check_outdir,
    clean_temp,
    fingerprint,
    is_complete,
    open_no_follow,
    output_names,
    undo_empty_run,
)
from .pair import PairResult, align_pair

__all__ = [
    "PairSpec",
    "PairResult",
    "ManifestError",
    "BatchError",
    "align_many",
    "align_pair",
    "read_manifest",
    "check_id",
    "fingerprint",
    "SUMMARY_NAME",
    "SUMMARY_KEYS",
    "REPORT_KEYS",
    "REPORT_SUFFIX",
    "MAX_ID",
    "ENGINES",
]


def align_many(
    pairs: Iterable,
    *,
    model=None,
    workers: int = 1,
    engine: str = "local",
    fmt: str | None = None,
    outdir: str | os.PathLike | None = None,
    cache: bool = True,
    cache_dir: str | os.PathLike | None = None,
    resume: bool = True,
    threads: int | None = 1,
    address: str | None = None,
    ordered: bool = False,
    progress: bool = False,
    encoding: str | None = None,
    force: bool = False,
    inputs: Iterable = (),
    coverage: bool = False,
    device: str | None = None,
    batch_size: int | None = None,
) -> Generator[PairResult, None, None]:
    """Align many pairs; yields a :class:`PairResult` per pair as it finishes.

    ``pairs``: ``(id, src_path, tgt_path)`` or ``(id, src_path, tgt_path,
    src_lang, tgt_lang)`` tuples, dicts with those keys (``src``/``tgt``), or
    :class:`PairSpec` (as :func:`read_manifest` returns). Every pair is checked
    (ids, duplicates) before any work: :class:`ManifestError` otherwise.

    Without ``outdir`` each result carries its ``alignment`` (from worker
    processes too: it is pickled back). With ``outdir`` each pair is written
    to ``outdir/<id>.<fmt>`` (``fmt`` defaults to ``tsv``) and a line to
    ``outdir/summary.jsonl`` as it finishes; pairs a previous run completed are
    yielded as ``"skipped"`` (unless ``resume=False``); when the iteration
    ends, ``summary.jsonl`` is rewritten with one line per pair in input order.

    ``workers``: processes (``engine="local"``, spawned; 1 runs in this
    process) or Ray actors (``engine="ray"``; ``address`` or ``$RAY_ADDRESS``
    joins a cluster, else a local Ray instance is started and shut down).
    ``model``: ``None`` (default model), a name or path that each worker
    loads once, or, in process only, a loaded :class:`~bitext.embed.embedder.Embedder`.
    ``device``, ``batch_size``: where a sentence-transformers model runs and
    how many texts it encodes at once (:func:`~bitext.embed.load_model`).
    ``threads``: BLAS threads per worker (default 1; the floating-point sums
    depend on it, so keep it fixed to compare runs). ``ordered``: yield in
    input order rather than as pairs finish. ``progress``: a bar on stderr.

    ``encoding``: of every input file (default: UTF-8, or a legacy encoding
    detected with confidence). ``outdir`` must be new, empty or a folder
    that bitext batches wrote (``force=True`` writes beside other files);
    no output may be one of the pairs' files or of ``inputs`` (the manifest):
    :class:`BatchError` before any work. A pair whose input changed since
    the run that completed it (size and time, else its SHA-256) is aligned
    again.

    ``coverage``: each worker also computes the pair's coverage report
    (:class:`PairResult` says what goes where; with ``outdir`` the reports are
    ``outdir/<id>.coverage.json``); :func:`bitext.views.frames.batch_frame` makes
    the table of all pairs.

    Errors in a pair are results (``status="error"``), never exceptions;
    :class:`BatchError` or :class:`~bitext.embed.embedder.ModelLoadError` stop the batch.
    """
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r} (expected one of {', '.join(ENGINES)})")
    if not isinstance(workers, int) or workers < 1:
        raise ValueError(f"workers must be a positive integer, got {workers!r}")
    if threads is not None and (not isinstance(threads, int) or threads < 1):
        raise ValueError(f"threads must be a positive integer or None, got {threads!r}")
    if outdir is None and fmt is not None:
        raise ValueError("fmt applies to the files written to outdir; without outdir, use result.alignment.format(fmt)")
    if outdir is not None:
        fmt = fmt or "tsv"
        if fmt not in FORMATS:
            raise ValueError(f"unknown format {fmt!r} (expected one of {', '.join(FORMATS)})")
    if address and engine != "ray":
        raise ValueError("address applies to engine='ray' only")
    specs = coerce_pairs(pairs, fmt)
    if encoding:
        specs = [PairSpec(**{**asdict(sp), "encoding": encoding}) for sp in specs]
    if outdir is not None:
        assert fmt is not None  # (set above)
        check_outdir(Path(os.path.abspath(outdir)), specs, fmt, force, inputs)
    check_engine(model, workers, engine)
    folder_was_new = outdir is not None and not os.path.lexists(outdir)
    if outdir is not None:
        try:
            Path(outdir).mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise BatchError(f"{outdir}: cannot create the output folder: {e.strerror or e}") from None
    job = Job(
        model,
        threads,
        cache,
        None if cache_dir is None else os.fspath(cache_dir),
        fmt,
        None if outdir is None else os.path.abspath(outdir),
        outdir is None,
        ordered,
        coverage,
        {"device": device, "batch_size": batch_size},
    )
    return _align_many(specs, job, workers, engine, address, resume, progress, folder_was_new)


def _align_many(
    specs, job: Job, workers, engine, address, resume, progress, folder_was_new: bool = False
) -> Generator[PairResult, None, None]:
    out = Path(job.outdir) if job.outdir else None
    lock = None
    summary_file = None
    summary_was_new = lock_was_new = False
    results: dict[str, dict] = {}
    bar = None
    try:
        previous: dict[str, dict] = {}
        if out is not None:
            try:
                out.mkdir(parents=True, exist_ok=True)
            except OSError as e:
                raise BatchError(f"{out}: cannot create the output folder: {e.strerror or e}") from None
            lock_was_new = not os.path.lexists(out / LOCK_NAME)
            lock = OutdirLock(out)
            assert job.fmt is not None  # (align_many sets it with an outdir)
            names = set(output_names(specs, job.fmt)) | {SUMMARY_NAME}
            clean_temp(out, names)
            previous = read_summary(out / SUMMARY_NAME)
        todo, skipped = [], []
        for s in specs:
            rec = previous.get(s.id)
            if (
                out is not None
                and resume
                and rec is not None
                and is_complete(rec, s, out / f"{s.id}.{job.fmt}", job.coverage)
            ):
                kept: dict[str, Any] = {
                    k: rec.get(k) for k in SUMMARY_KEYS + REPORT_KEYS if k not in ("status", "seconds")
                }
                r = PairResult(**kept, status="skipped", seconds=0.0, output=str(out / f"{s.id}.{job.fmt}"))
                skipped.append(r)
            else:
                todo.append(s)
        if out is not None:
            summary_path = out / SUMMARY_NAME
            summary_was_new = not os.path.lexists(summary_path)
            summary_file = open_no_follow(summary_path)
            if summary_file.tell() > 0:
                with open(summary_path, "rb") as f:
                    f.seek(-1, os.SEEK_END)
                    if f.read(1) != b"\n":  # a line cut short by a kill: end it
                        summary_file.write("\n")
                        summary_file.flush()
        if progress:
            from tqdm import tqdm

            bar = tqdm(
                total=len(specs),
                initial=len(skipped),
                unit="pair",
                desc="aligning",
                file=sys.stderr,
                dynamic_ncols=True,
            )
        for r in skipped:
            results[r.id] = r.summary()
            yield r
        n = min(workers, len(todo))
        runner: Iterator[PairResult]
        if not todo:
            runner = iter(())
        elif engine == "ray":
            runner = run_ray(todo, job, n, address)
        elif n == 1:
            runner = run_inprocess(todo, job)
        else:
            runner = run_pool(todo, job, n)
        failed = 0
        try:
            for r in runner:
                rec = r.summary()
                results[r.id] = rec
                if summary_file is not None:
                    summary_file.write(json.dumps(rec, ensure_ascii=False) + "\n")
                    summary_file.flush()
                if bar is not None:
                    failed += r.status == "error"
                    bar.update(1)
                    if failed:
                        bar.set_postfix_str(f"{failed} failed", refresh=False)
                yield r
        finally:
            close = getattr(runner, "close", None)
            if close:
                close()
        if out is not None and summary_file is not None:
            summary_file.close()
            summary_file = None
            write_atomic(
                out / SUMMARY_NAME, "".join(json.dumps(results[s.id], ensure_ascii=False) + "\n" for s in specs)
            )
    finally:
        if bar is not None:
            bar.close()
        if summary_file is not None:
            summary_file.close()
        if lock is not None:
            lock.release()
        if out is not None and not results:
            undo_empty_run(out, summary_was_new, lock_was_new, folder_was_new)

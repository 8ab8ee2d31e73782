"""Align many document pairs: ``bitext batch`` and :func:`align_many`.

A *manifest* lists the pairs, one a line, tab-separated, no header::

    # id   src_path        tgt_path        [src_lang  tgt_lang]
    ed-01  zh/ed-01.txt    ko/ed-01.txt
    ed-02  zh/ed-02.txt    ko/ed-02.txt    zh         ko

Relative paths are relative to the manifest's folder; ``#`` starts a comment
line; blank lines are skipped. Every pair writes ``OUTDIR/<id>.<format>``
atomically and one line of ``OUTDIR/summary.jsonl``. A pair that fails (a
missing, empty, binary or undecodable file, a language that cannot be told)
is recorded as an error and the batch goes on. A rerun skips the pairs a
previous run completed, so a killed batch resumes where it stopped.

Engines: ``local`` runs in this process (``workers=1``) or in a pool of
spawned processes; ``ray`` runs the same job on Ray actors (``bitext[ray]``).
Each worker loads the model once and uses ``threads`` BLAS threads (default
1), so outputs are byte-identical whatever the engine and the worker count.
See ``docs/scaling.md``.
"""

from __future__ import annotations

import contextlib
import json
import logging
import multiprocessing
import os
import re
import socket
import sys
import time
import warnings
from collections import deque
from concurrent.futures import FIRST_COMPLETED, wait
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator

from ._process import init_worker, interrupts_held, stop_pool
from .io import FORMATS, InputError, OutputError, read_text, write_atomic, write_output

__all__ = [
    "PairSpec",
    "PairResult",
    "ManifestError",
    "BatchError",
    "align_many",
    "align_pair",
    "read_manifest",
    "check_id",
    "SUMMARY_NAME",
    "ENGINES",
]

SUMMARY_NAME = "summary.jsonl"
ENGINES = ("local", "ray")
SUMMARY_KEYS = ("id", "status", "n_src", "n_tgt", "n_beads", "coverage", "seconds", "error", "src", "tgt",
                "src_lang", "tgt_lang", "warning", "src_file", "tgt_file")
# with coverage reports (``--coverage``): the report's coverage and counts, in the summary after SUMMARY_KEYS
REPORT_KEYS = ("report_coverage", "omissions", "additions", "low_confidence", "suspects")
REPORT_SUFFIX = ".coverage.json"  # OUTDIR/<id>.coverage.json
MAX_ID = 200
_ID = re.compile(r"[A-Za-z0-9._-]+\Z")
_LOCK_NAME = ".bitext-batch.lock"
_MAX_REPORTED = 20  # manifest problems listed in one error


class ManifestError(ValueError):
    """The manifest (or the pairs given to :func:`align_many`) cannot be used.

    ``problems`` lists every problem found, each naming the line (or pair).
    """

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        shown = self.problems[:_MAX_REPORTED]
        more = len(self.problems) - len(shown)
        msg = "\n".join(shown) + (f"\n... and {more} more problems" if more > 0 else "")
        super().__init__(msg)


class BatchError(RuntimeError):
    """The batch itself cannot go on (output folder in use, a worker died, no Ray)."""


@dataclass(frozen=True)
class PairSpec:
    """One pair to align. Paths are absolute once they come out of :func:`read_manifest`."""

    id: str
    src: str
    tgt: str
    src_lang: str | None = None
    tgt_lang: str | None = None
    where: str = ""  # "manifest.tsv:12" or "pair 12", for messages
    encoding: str | None = None  # of both files (None: UTF-8 or detected)


@dataclass
class PairResult:
    """The outcome of one pair.

    ``status`` is ``"ok"``, ``"error"`` (``error`` says why, naming the file)
    or ``"skipped"`` (a previous run completed it; the counts are that run's).
    ``src_lang``/``tgt_lang`` are the languages given or detected; ``warning``
    says when the model does not read one of them. ``src_file``/``tgt_file``
    hold the size, modification time and SHA-256 of each input as it was
    read, so that a rerun notices an input edited since (:func:`fingerprint`).
    ``coverage`` is the share of source sentences in beads whose target side
    is not empty. ``alignment`` holds the :class:`~bitext.Alignment` when
    :func:`align_many` runs without ``outdir``; ``output`` is the file written
    when it runs with one. ``worker``, ``peak_rss_mb`` and ``cpu_seconds`` tell
    which process did the work, its peak resident memory so far and the CPU
    time the pair took (not in the summary).

    With ``coverage=True`` (``--coverage``) the worker also computes the
    pair's coverage report: ``report_coverage`` (its coverage),
    ``omissions`` and ``additions`` (sentences), ``low_confidence`` and
    ``suspects`` (beads) go to the summary, the report itself to
    ``report`` (without ``outdir``) or ``report_file``
    (``OUTDIR/<id>.coverage.json``).
    """

    id: str
    status: str
    n_src: int | None = None
    n_tgt: int | None = None
    n_beads: int | None = None
    coverage: float | None = None
    seconds: float = 0.0
    error: str | None = None
    src: str | None = None
    tgt: str | None = None
    src_lang: str | None = None
    tgt_lang: str | None = None
    warning: str | None = None
    src_file: dict | None = None
    tgt_file: dict | None = None
    alignment: Any = field(default=None, repr=False, compare=False)
    output: str | None = field(default=None, compare=False)
    worker: str | None = field(default=None, compare=False)
    peak_rss_mb: float | None = field(default=None, compare=False)
    cpu_seconds: float | None = field(default=None, compare=False)
    report_coverage: float | None = None
    omissions: int | None = None
    additions: int | None = None
    low_confidence: int | None = None
    suspects: int | None = None
    report: Any = field(default=None, repr=False, compare=False)
    report_file: str | None = field(default=None, compare=False)

    @property
    def ok(self) -> bool:
        return self.status in ("ok", "skipped")

    def summary(self) -> dict:
        """The line written to ``summary.jsonl``."""
        keys = SUMMARY_KEYS + (REPORT_KEYS if self.report_coverage is not None else ())
        return {k: getattr(self, k) for k in keys}


# --- manifest -----------------------------------------------------------------


def check_id(pair_id: str) -> str | None:
    """Why ``pair_id`` cannot name an output file, or ``None`` when it can."""
    if not pair_id:
        return "empty id"
    if len(pair_id) > MAX_ID:
        return f"id is {len(pair_id)} characters long (at most {MAX_ID})"
    if pair_id.startswith("."):
        return f"id {pair_id!r} starts with '.'"
    if not _ID.match(pair_id):
        bad = sorted({c for c in pair_id if not re.match(r"[A-Za-z0-9._-]", c)})
        return f"id {pair_id!r} has characters not allowed in a file name here: {' '.join(repr(c) for c in bad)} (use A-Z a-z 0-9 . _ -)"
    return None


def _check_lang(value: str, what: str) -> str | None:
    from .segment import check_lang

    return check_lang(value, what) if value else None


def _validate(specs: list[PairSpec], fmt: str | None) -> None:
    """Ids safe and unique (also when case is folded), languages well-formed."""
    problems = []
    seen: dict[str, PairSpec] = {}
    reserved = {SUMMARY_NAME.lower()}
    for s in specs:
        why = check_id(s.id)
        if why is None:
            first = seen.get(s.id.lower())
            if first is not None:
                same = "" if first.id == s.id else f" (same file name as {first.id!r} on a case-insensitive file system)"
                why = f"duplicate id {s.id!r}{same}; first at {first.where}"
            else:
                seen[s.id.lower()] = s
                if fmt and f"{s.id}.{fmt}".lower() in reserved:
                    why = f"id {s.id!r} would overwrite {SUMMARY_NAME}"
        if why is None:
            why = _check_lang(s.src_lang or "", "source language") or _check_lang(s.tgt_lang or "", "target language")
        if why is None and (not s.src or not s.tgt):
            why = "empty path"
        if why:
            problems.append(f"{s.where}: {why}")
    if problems:
        raise ManifestError(problems)


def _abspath(base: Path, p: str) -> str:
    q = Path(os.path.expanduser(p))
    return os.path.abspath(q if q.is_absolute() else base / q)


def read_manifest(path: str | os.PathLike, fmt: str | None = None) -> list[PairSpec]:
    """Parse and check a manifest; raises :class:`ManifestError` listing every bad line.

    Checked before any work starts: the field count (3 or 5, tab-separated),
    ids (``[A-Za-z0-9._-]``, not starting with ``.``, at most 200 characters,
    unique), language codes. Relative paths become absolute, relative to the
    manifest's folder. With ``fmt``, an id whose output would overwrite
    ``summary.jsonl`` is refused too.
    """
    p = Path(path)
    try:
        data = p.read_bytes()
    except FileNotFoundError:
        raise ManifestError([f"{p}: no such file"]) from None
    except IsADirectoryError:
        raise ManifestError([f"{p}: is a directory, not a manifest"]) from None
    except OSError as e:
        raise ManifestError([f"{p}: cannot read: {e.strerror or e}"]) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        raise ManifestError([f"{p}:{line}: not UTF-8; save the manifest as UTF-8"]) from None
    base = p.parent
    specs, problems = [], []
    for n, line in enumerate(text.split("\n"), 1):
        line = line.rstrip("\r")
        if not line.strip() or line.startswith("#"):
            continue
        where = f"{p}:{n}"
        fields = line.split("\t")
        if len(fields) not in (3, 5):
            hint = " (fields are separated by tabs, not spaces)" if len(fields) < 3 and " " in line else ""
            problems.append(
                f"{where}: expected 3 or 5 tab-separated fields (id, src_path, tgt_path[, src_lang, tgt_lang]), "
                f"got {len(fields)}{hint}"
            )
            continue
        pid, src, tgt = fields[:3]
        sl, tl = (fields[3].strip() or None, fields[4].strip() or None) if len(fields) == 5 else (None, None)
        if not src.strip() or not tgt.strip():
            problems.append(f"{where}: empty {'src_path' if not src.strip() else 'tgt_path'}")
            continue
        specs.append(PairSpec(pid, _abspath(base, src), _abspath(base, tgt), sl, tl, where))
    try:
        _validate(specs, fmt)
    except ManifestError as e:
        problems += e.problems
    if problems:
        problems.sort(key=_line_number)
        raise ManifestError(problems)
    if not specs:
        raise ManifestError([f"{p}: no pairs (one pair a line: id<TAB>src_path<TAB>tgt_path[<TAB>src_lang<TAB>tgt_lang])"])
    return specs


def _line_number(msg: str) -> int:
    m = re.match(r".*?:(\d+): ", msg)
    return int(m.group(1)) if m else 0


def _coerce(pairs: Iterable, fmt: str | None) -> list[PairSpec]:
    specs, problems = [], []
    for n, item in enumerate(pairs, 1):
        where = f"pair {n}"
        if isinstance(item, PairSpec):
            specs.append(item if item.where else PairSpec(**{**asdict(item), "where": where}))
            continue
        if isinstance(item, dict):
            try:
                pid = item["id"]
                src = item.get("src", item.get("src_path"))
                tgt = item.get("tgt", item.get("tgt_path"))
            except (KeyError, TypeError):
                problems.append(f"{where}: a dict needs the keys id, src and tgt")
                continue
            sl, tl = item.get("src_lang"), item.get("tgt_lang")
        elif isinstance(item, (tuple, list)) and len(item) in (3, 5):
            pid, src, tgt = item[:3]
            sl, tl = (item[3], item[4]) if len(item) == 5 else (None, None)
        else:
            problems.append(f"{where}: expected (id, src, tgt), (id, src, tgt, src_lang, tgt_lang) or a dict, got {item!r:.80}")
            continue
        if src is None or tgt is None:
            problems.append(f"{where}: missing src or tgt path")
            continue
        specs.append(PairSpec(str(pid), os.path.abspath(os.fspath(src)), os.path.abspath(os.fspath(tgt)), sl or None, tl or None, where))
    try:
        _validate(specs, fmt)
    except ManifestError as e:
        problems += e.problems
    if problems:
        raise ManifestError(problems)
    return specs


# --- the work on one pair (runs in the worker) ----------------------------------

_WORKER: dict = {}  # per process: "model", "error" (why the model did not load)


def _peak_rss_mb() -> float | None:
    try:
        import resource
    except ImportError:  # Windows
        try:
            import psutil

            return psutil.Process().memory_info().peak_wset / 2**20
        except Exception:
            return None
    r = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return r / 2**20 if sys.platform == "darwin" else r / 2**10


def _load(model_spec, threads: int | None, cache: bool, cache_dir):
    """Load the model a worker uses: ``model_spec`` is ``None`` (default model) or a name/path."""
    from .embed import USEEmbedder, load_model

    m = load_model(model_spec, cache=cache, cache_dir=cache_dir, threads=threads)
    if isinstance(m, USEEmbedder):
        m._backend  # load the weights now, not on the first pair
        return m
    if threads and "torch" in sys.modules:  # a sentence-transformers model
        sys.modules["torch"].set_num_threads(threads)
    return m


def _blas_limiter():
    """A ``threadpoolctl`` controller, or ``None`` when threadpoolctl is not installed."""
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:
        return None
    return ThreadpoolController()


def _init_worker(model_spec, threads, cache, cache_dir) -> None:
    """Pool initializer: load the model once; Ctrl-C is the parent's to handle."""
    init_worker()
    _load_worker(model_spec, threads, cache, cache_dir)


def _load_worker(model_spec, threads, cache, cache_dir) -> None:
    # The whole worker computes with `threads` BLAS threads: the model's own
    # limit covers only part of the work, and the default (all CPUs in every
    # worker) oversubscribes the machine and changes the floating-point sums.
    ctl = _blas_limiter() if threads else None
    if ctl is not None:
        ctl.limit(limits=threads, user_api="blas")
    _WORKER.clear()
    try:
        _WORKER["model"] = _load(model_spec, threads, cache, cache_dir)
    except Exception as e:  # reported by the first task, as a clear ModelLoadError, not a broken pool
        _WORKER["error"] = f"{type(e).__name__}: {e}"


class _ModelFailed:
    def __init__(self, msg: str):
        self.msg = msg


def _pool_task(spec: PairSpec, fmt, outdir, keep, coverage=False):
    if "error" in _WORKER:
        return _ModelFailed(_WORKER["error"])
    return align_pair(_WORKER["model"], spec, fmt, outdir, keep, coverage)


def _one_line(msg: str) -> str:
    return " ".join(str(msg).split()) or "unknown error"


def fingerprint(path: str) -> dict:
    """``{"size", "mtime_ns", "sha256"}`` of a file, to tell later whether it changed."""
    import hashlib

    h = hashlib.sha256()
    with open(path, "rb") as f:
        st = os.fstat(f.fileno())
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return {"size": st.st_size, "mtime_ns": st.st_mtime_ns, "sha256": h.hexdigest()}


def _unchanged(path: str, recorded) -> bool:
    """Whether the file is as ``recorded`` (same size and time, or same content)."""
    if not isinstance(recorded, dict):
        return False
    try:
        st = os.stat(path)
    except OSError:
        return False
    if st.st_size != recorded.get("size"):
        return False
    if st.st_mtime_ns == recorded.get("mtime_ns"):
        return True
    try:
        return fingerprint(path)["sha256"] == recorded.get("sha256")  # touched, not edited?
    except OSError:
        return False


def align_pair(model, spec: PairSpec, fmt: str | None = None, outdir: str | None = None, keep: bool = False,
               coverage: bool = False) -> PairResult:
    """Read, align and (with ``outdir``) write one pair, with ``coverage`` its
    coverage report too; never raises for a bad pair."""
    from .embed import ModelLoadError, language_warning
    from .pipeline import align
    from .segment import LanguageError, detect_lang

    t0, c0 = time.perf_counter(), time.process_time()
    worker = f"{socket.gethostname()}:{os.getpid()}"
    base = dict(src=spec.src, tgt=spec.tgt, worker=worker)
    try:
        src = read_text(spec.src, spec.encoding, spec.src_lang)
        tgt = read_text(spec.tgt, spec.encoding, spec.tgt_lang)
        try:
            files = {"src_file": fingerprint(spec.src), "tgt_file": fingerprint(spec.tgt)}
        except OSError:
            files = {}
        langs = []
        for path, text, given in ((spec.src, src, spec.src_lang), (spec.tgt, tgt, spec.tgt_lang)):
            try:
                langs.append(given or detect_lang(text))
            except LanguageError as e:
                raise InputError(f"{path}: {e}; give src_lang and tgt_lang in the manifest (fields 4 and 5)") from None
        if isinstance(model, _Lazy):  # the model loads with the first pair: not the pair's time
            t_load, c_load = time.perf_counter(), time.process_time()
            model = model.get()
            t0 += time.perf_counter() - t_load
            c0 += time.process_time() - c_load
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            a = align(src, tgt, langs[0], langs[1], model=model)
        out = None
        if outdir is not None:
            out = os.path.join(outdir, f"{spec.id}.{fmt}")
            write_output(out, a.format(fmt), (spec.src, spec.tgt))
        counts = _report(a, spec, outdir, keep) if coverage else {}
        n_src = len(a.src_sentences)
        covered = sum(len(b.src_ids) for b in a.beads if b.tgt_ids)
        return PairResult(
            spec.id, "ok", n_src, len(a.tgt_sentences), len(a.beads),
            round(covered / n_src, 4) if n_src else 0.0,
            round(time.perf_counter() - t0, 3), None,
            alignment=a if keep else None, output=out, peak_rss_mb=_peak_rss_mb(),
            cpu_seconds=round(time.process_time() - c0, 3), src_lang=langs[0], tgt_lang=langs[1],
            warning=language_warning(model, *langs), **files, **base, **counts,
        )
    except (InputError, OutputError) as e:
        msg = _one_line(e)
    except ModelLoadError:  # the batch cannot go on
        raise
    except OSError as e:  # writing the output
        msg = _one_line(f"{getattr(e, 'filename', None) or outdir}: cannot write: {e.strerror or e}")
    except Exception as e:  # a bug or an input the aligner cannot take: record it, go on
        msg = _one_line(f"{spec.src} / {spec.tgt}: {type(e).__name__}: {e}")
    return PairResult(spec.id, "error", seconds=round(time.perf_counter() - t0, 3), error=msg,
                      peak_rss_mb=_peak_rss_mb(), **base)


def _report(a, spec: PairSpec, outdir: str | None, keep: bool) -> dict:
    """The coverage report of one pair, written beside its alignment: PairResult fields."""
    from .coverage import coverage as coverage_report

    r = coverage_report(a)
    d = r.to_dict()
    c = d["counts"]
    out = {"report_coverage": d["coverage"], "omissions": c["omitted_sentences"], "additions": c["added_sentences"],
           "low_confidence": c["low_confidence"], "suspects": c["suspects"], "report": r if keep else None}
    if outdir is not None:
        out["report_file"] = os.path.join(outdir, f"{spec.id}{REPORT_SUFFIX}")
        write_output(out["report_file"], json.dumps(d, ensure_ascii=False, indent=2) + "\n", (spec.src, spec.tgt))
    return out


# --- engines ------------------------------------------------------------------------


@dataclass
class _Job:
    model: Any  # a loaded Embedder (in-process only), None, or a name/path
    threads: int | None
    cache: bool
    cache_dir: str | None
    fmt: str | None
    outdir: str | None
    keep: bool
    ordered: bool
    coverage: bool = False


def _model_spec(model, workers: int, engine: str):
    """What a worker needs to load the model itself: ``(spec, cache_dir)``."""
    from .embed import Embedder, USEEmbedder

    if model is None or isinstance(model, (str, os.PathLike)):
        return (None if model is None else os.fspath(model)), None
    if isinstance(model, USEEmbedder):
        d = model._cache.dir
        return None, (str(d.parent) if d is not None else None)
    raise ValueError(
        f"with workers={workers} and engine={engine!r} give the model by name or path "
        "(each worker loads it once), not as a loaded object"
    )


def _run_inprocess(todo: list[PairSpec], job: _Job) -> Iterator[PairResult]:
    from .embed import Embedder

    if isinstance(job.model, Embedder):
        model = job.model
    else:
        spec, cache_dir = _model_spec(job.model, 1, "local")
        model = _Lazy(lambda: _load(spec, job.threads, job.cache, cache_dir or job.cache_dir))
    ctl = _blas_limiter() if job.threads else None
    for s in todo:
        # the same BLAS threads as a worker process, restored before the caller's code runs
        with ctl.limit(limits=job.threads, user_api="blas") if ctl is not None else contextlib.nullcontext():
            r = align_pair(model, s, job.fmt, job.outdir, job.keep, job.coverage)
        yield r


class _Lazy:
    """A model loaded on first use: a batch whose pairs all fail never loads it."""

    def __init__(self, load):
        self._load, self._model = load, None

    def get(self):
        if self._model is None:
            self._model = self._load()
        return self._model


_DIED = (
    "a worker process died: out of memory, killed, or it could not start (workers are spawned: "
    "a script that calls align_many must guard its top level with `if __name__ == '__main__':`); "
    "rerun to resume"
)


def _run_pool(todo: list[PairSpec], job: _Job, workers: int) -> Iterator[PairResult]:
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    spec, cache_dir = _model_spec(job.model, workers, "local")
    ctx = multiprocessing.get_context("spawn")
    ex = ProcessPoolExecutor(workers, mp_context=ctx, initializer=_init_worker,
                             initargs=(spec, job.threads, job.cache, cache_dir or job.cache_dir))
    feed = iter(todo)
    pending: deque = deque()
    clean = False

    def submit() -> None:
        s = next(feed, None)
        if s is not None:
            with interrupts_held():  # a worker may start here
                pending.append(ex.submit(_pool_task, s, job.fmt, job.outdir, job.keep, job.coverage))

    try:
        for _ in range(2 * workers):  # a bounded queue: a million pairs never sit in memory as futures
            submit()
        while pending:
            if job.ordered:
                done = [pending.popleft()]
                wait(done)
            else:
                finished, _ = wait(pending, return_when=FIRST_COMPLETED)
                done = [f for f in pending if f in finished]
                for f in done:
                    pending.remove(f)
            for f in done:
                try:
                    r = f.result()
                except BrokenProcessPool:
                    raise BatchError(_DIED) from None
                if isinstance(r, _ModelFailed):
                    from .embed import ModelLoadError

                    raise ModelLoadError(f"a worker cannot load the model: {r.msg}")
                submit()
                yield r
        clean = True
    except BrokenProcessPool:
        raise BatchError(_DIED) from None
    finally:
        stop_pool(ex, clean)  # interrupted or abandoned: the workers stop now, not after their pair


class _RayWorker:
    """A Ray actor: loads the model once, then aligns pairs by path."""

    def __init__(self, model_spec, threads, cache, cache_dir):
        _load_worker(model_spec, threads, cache, cache_dir)

    def run(self, spec, fmt, outdir, keep, coverage=False):
        return _pool_task(spec, fmt, outdir, keep, coverage)


def _import_ray():
    try:
        import ray
        from ray.util import ActorPool
    except ImportError:
        raise BatchError("--engine ray needs Ray: pip install 'bitext[ray]'") from None
    return ray, ActorPool


def _run_ray(todo: list[PairSpec], job: _Job, workers: int, address: str | None) -> Iterator[PairResult]:
    ray, ActorPool = _import_ray()
    spec, cache_dir = _model_spec(job.model, workers, "ray")
    threads = job.threads or 1
    started = False
    if not ray.is_initialized():
        kw = dict(include_dashboard=False, logging_level=logging.ERROR, log_to_driver=False)
        address = address or os.environ.get("RAY_ADDRESS") or None
        if address:
            ray.init(address=address, **kw)
        else:
            # Ray workers import bitext by name: let them find the copy this process runs
            # (through the environment the local instance inherits; a runtime_env costs seconds)
            here = str(Path(__file__).resolve().parents[1])
            old = os.environ.get("PYTHONPATH")
            if here not in (old or "").split(os.pathsep):
                os.environ["PYTHONPATH"] = os.pathsep.join(x for x in (here, old) if x)
            try:
                ray.init(num_cpus=workers * threads, object_store_memory=128 * 2**20, **kw)
            finally:
                if old is None:
                    os.environ.pop("PYTHONPATH", None)
                else:
                    os.environ["PYTHONPATH"] = old
            started = True
    actors = []
    try:
        Actor = ray.remote(num_cpus=threads)(_RayWorker)
        actors = [Actor.remote(spec, threads, job.cache, cache_dir or job.cache_dir) for _ in range(workers)]
        pool = ActorPool(actors)
        run = (lambda a, s: a.run.remote(s, job.fmt, job.outdir, job.keep, job.coverage))
        it = pool.map(run, todo) if job.ordered else pool.map_unordered(run, todo)
        for r in it:
            if isinstance(r, _ModelFailed):
                from .embed import ModelLoadError

                raise ModelLoadError(f"a Ray worker cannot load the model: {r.msg}")
            yield r
    except ray.exceptions.RayActorError as e:
        raise BatchError(f"a Ray worker died ({_one_line(e)[:300]}); rerun the same command to resume") from None
    finally:
        for a in actors:
            try:
                ray.kill(a)
            except Exception:
                pass
        if started:
            ray.shutdown()


# --- the output folder --------------------------------------------------------------


def _read_summary(path: Path) -> dict[str, dict]:
    """Last record per id; a line cut short by a kill is ignored."""
    out: dict[str, dict] = {}
    try:
        with open(path, encoding="utf-8") as f:
            for line in f:
                try:
                    rec = json.loads(line)
                except ValueError:
                    continue
                if isinstance(rec, dict) and isinstance(rec.get("id"), str):
                    out[rec["id"]] = rec
    except FileNotFoundError:
        pass
    return out


def _complete(rec: dict | None, spec: PairSpec, output: Path, coverage: bool = False) -> bool:
    """A previous run aligned this pair from the same files, unchanged since, and its output
    (with ``coverage``: and its report) is there."""
    return (
        rec is not None
        and (not coverage or (rec.get("report_coverage") is not None
                              and output.with_name(spec.id + REPORT_SUFFIX).is_file()))
        and rec.get("status") in ("ok", "skipped")
        and rec.get("src") == spec.src
        and rec.get("tgt") == spec.tgt
        and output.is_file()
        and _unchanged(spec.src, rec.get("src_file"))
        and _unchanged(spec.tgt, rec.get("tgt_file"))
    )


class _Lock:
    """An exclusive lock on the output folder (POSIX; nothing elsewhere)."""

    def __init__(self, outdir: Path):
        self.f = None
        try:
            import fcntl
        except ImportError:
            return
        self.f = open(outdir / _LOCK_NAME, "a")
        try:
            fcntl.flock(self.f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self.f.close()
            self.f = None
            raise BatchError(f"{outdir}: another bitext batch is writing to this folder") from None
        except OSError:  # a file system without locks: go on unlocked
            pass

    def release(self) -> None:
        if self.f is not None:
            self.f.close()
            self.f = None


def _clean_temp(outdir: Path, names: set[str]) -> None:
    """Remove the temporary files of writes a kill cut short (``.NAME.XXXX[.PID].tmp``);
    under the folder's lock, every one of them is stale."""
    for p in outdir.glob(".*.tmp"):
        for name in names:
            middle = p.name[len(name) + 2:-4] if p.name.startswith(f".{name}.") else None
            if middle and re.fullmatch(r"[^.]+(?:\.\d+)?", middle):
                try:
                    p.unlink()
                except OSError:
                    pass
                break


_OURS = re.compile(r"(?P<id>.+)(?:\.(?:%s)|%s)\Z" % ("|".join(FORMATS), re.escape(REPORT_SUFFIX)))


def _foreign_files(outdir: Path, previous: dict[str, dict]) -> list[str]:
    """Entries of ``outdir`` that no bitext batch wrote: not the summary, the
    lock, a temporary file, nor the output of a pair the summary records."""
    try:
        entries = list(outdir.iterdir())
    except OSError:
        return []
    out = []
    for p in entries:
        name = p.name
        if name in (SUMMARY_NAME, _LOCK_NAME) or (name.startswith(".") and name.endswith(".tmp")):
            continue
        m = _OURS.match(name)
        if m and m.group("id") in previous and p.is_file() and not p.is_symlink():
            continue
        out.append(name)
    return sorted(out)


def _check_outdir(outdir: Path, specs: list[PairSpec], fmt: str, force: bool, inputs=()) -> None:
    """Refuse, before any work: an output folder that is a file, one holding files
    bitext did not write (unless ``force``), and any output that is an input of
    the batch (a pair's file or the manifest), by device and inode."""
    if outdir.exists() and not outdir.is_dir():
        raise BatchError(f"{outdir}: is not a folder; give an output folder with -o")
    if not outdir.is_dir():
        return
    previous = _read_summary(outdir / SUMMARY_NAME)
    foreign = [] if force else _foreign_files(outdir, previous)
    if foreign:
        shown = ", ".join(foreign[:5]) + (f" and {len(foreign) - 5} more" if len(foreign) > 5 else "")
        raise BatchError(f"{outdir}: holds files bitext did not write ({shown}); "
                         "give an empty or new folder, or --force to write beside them")
    ours: dict[tuple[int, int], str] = {}
    for path in [x for s in specs for x in (s.src, s.tgt)] + [os.fspath(x) for x in inputs]:
        try:
            st = os.stat(path)
        except OSError:
            continue
        ours[(st.st_dev, st.st_ino)] = path
    for name in [SUMMARY_NAME] + [f"{s.id}{ext}" for s in specs for ext in (f".{fmt}", REPORT_SUFFIX)]:
        try:
            st = os.stat(outdir / name)
        except OSError:
            continue
        if (st.st_dev, st.st_ino) in ours:
            raise BatchError(f"{outdir / name}: is an input of this batch ({ours[(st.st_dev, st.st_ino)]}); "
                             "write the outputs to another folder")


# --- the public entry point ------------------------------------------------------------


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
) -> Iterator[PairResult]:
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
    loads once, or, in process only, a loaded :class:`~bitext.embed.Embedder`.
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
    ``outdir/<id>.coverage.json``); :func:`bitext.frames.batch_frame` makes
    the table of all pairs.

    Errors in a pair are results (``status="error"``), never exceptions;
    :class:`BatchError` or :class:`~bitext.embed.ModelLoadError` stop the batch.
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
    specs = _coerce(pairs, fmt)
    if encoding:
        specs = [PairSpec(**{**asdict(sp), "encoding": encoding}) for sp in specs]
    if outdir is not None:
        _check_outdir(Path(os.path.abspath(outdir)), specs, fmt, force, inputs)
    if engine == "ray":
        _import_ray()
    if workers > 1 or engine == "ray":
        _model_spec(model, workers, engine)  # refuse a loaded non-default model now, not in the workers
    if outdir is not None:
        try:
            Path(outdir).mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise BatchError(f"{outdir}: cannot create the output folder: {e.strerror or e}") from None
    job = _Job(model, threads, cache, None if cache_dir is None else os.fspath(cache_dir),
               fmt, None if outdir is None else os.path.abspath(outdir), outdir is None, ordered, coverage)
    return _align_many(specs, job, workers, engine, address, resume, progress)


def _align_many(specs, job: _Job, workers, engine, address, resume, progress) -> Iterator[PairResult]:
    out = Path(job.outdir) if job.outdir else None
    lock = None
    summary_file = None
    bar = None
    try:
        previous: dict[str, dict] = {}
        if out is not None:
            try:
                out.mkdir(parents=True, exist_ok=True)
            except OSError as e:
                raise BatchError(f"{out}: cannot create the output folder: {e.strerror or e}") from None
            lock = _Lock(out)
            names = {f"{s.id}{ext}" for s in specs for ext in (f".{job.fmt}", REPORT_SUFFIX)} | {SUMMARY_NAME}
            _clean_temp(out, names)
            previous = _read_summary(out / SUMMARY_NAME)
        results: dict[str, dict] = {}
        todo, skipped = [], []
        for s in specs:
            rec = previous.get(s.id)
            if out is not None and resume and _complete(rec, s, out / f"{s.id}.{job.fmt}", job.coverage):
                r = PairResult(**{k: rec.get(k) for k in SUMMARY_KEYS + REPORT_KEYS if k not in ("status", "seconds")},
                               status="skipped", seconds=0.0, output=str(out / f"{s.id}.{job.fmt}"))
                skipped.append(r)
            else:
                todo.append(s)
        if out is not None:
            summary_path = out / SUMMARY_NAME
            summary_file = open(summary_path, "a", encoding="utf-8")
            if summary_file.tell() > 0:
                with open(summary_path, "rb") as f:
                    f.seek(-1, os.SEEK_END)
                    if f.read(1) != b"\n":  # a line cut short by a kill: end it
                        summary_file.write("\n")
                        summary_file.flush()
        if progress:
            from tqdm import tqdm

            bar = tqdm(total=len(specs), initial=len(skipped), unit="pair", desc="aligning",
                       file=sys.stderr, dynamic_ncols=True)
        for r in skipped:
            results[r.id] = r.summary()
            yield r
        n = min(workers, len(todo))
        if not todo:
            runner = iter(())
        elif engine == "ray":
            runner = _run_ray(todo, job, n, address)
        elif n == 1:
            runner = _run_inprocess(todo, job)
        else:
            runner = _run_pool(todo, job, n)
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
        if summary_file is not None:
            summary_file.close()
            summary_file = None
            write_atomic(out / SUMMARY_NAME,
                         "".join(json.dumps(results[s.id], ensure_ascii=False) + "\n" for s in specs))
    finally:
        if bar is not None:
            bar.close()
        if summary_file is not None:
            summary_file.close()
        if lock is not None:
            lock.release()


# --- command line --------------------------------------------------------------------


def _positive_int(s: str) -> int:
    import argparse

    try:
        v = int(s)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {s!r}") from None
    if v < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {v}")
    return v


def add_cli(sub, add_common=None) -> None:
    """Add ``bitext batch`` to the CLI's subparsers (``add_common`` is not used)."""
    from .cli import encoding_name
    from .embed import MODEL_HELP

    p = sub.add_parser(
        "batch",
        help="align many pairs listed in a manifest, in parallel; resumable",
        description=(
            "Align every pair of MANIFEST (tab-separated, one pair a line: "
            "id, src_path, tgt_path[, src_lang, tgt_lang]; paths relative to the manifest; "
            "'#' comments) into OUTDIR/<id>.<format>, with a line per pair in OUTDIR/summary.jsonl. "
            "A rerun skips the pairs already done. Exit status: 0 all pairs ok, 1 some pairs failed, "
            "2 bad manifest or usage."
        ),
    )
    p.add_argument("manifest", help="TSV file listing the pairs")
    p.add_argument("-o", "--outdir", required=True, help="output folder (created if needed)")
    p.add_argument("-w", "--workers", type=_positive_int, default=1, help="worker processes or Ray actors (default: 1)")
    p.add_argument("--engine", choices=ENGINES, default="local", help="local processes or Ray (default: local)")
    p.add_argument("--address", help="Ray cluster to join (default: $RAY_ADDRESS, else a local Ray instance)")
    p.add_argument("--format", choices=FORMATS, default="tsv", help="output format (default: tsv)")
    p.add_argument("--model", help=MODEL_HELP)
    p.add_argument("--threads", type=_positive_int, default=1,
                   help="BLAS threads per worker (default: 1; keep it fixed for reproducible outputs)")
    p.add_argument("--no-cache", action="store_true", help="do not read or write the embedding cache")
    p.add_argument("--force", action="store_true",
                   help="recompute every pair, also those a previous run completed, and write into a folder "
                   "that holds files bitext did not write")
    p.add_argument("--encoding", type=encoding_name,
                   help="encoding of every input file (default: UTF-8, or a legacy encoding detected with confidence)")
    p.add_argument("--coverage", action="store_true",
                   help="also compute each pair's coverage report (in the workers): OUTDIR/<id>.coverage.json, "
                   "and its coverage, omissions, additions, low-confidence beads and suspects in summary.jsonl")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar, no final counts")
    p.set_defaults(func=run_batch_command)


def run_batch_command(args) -> int:
    from .embed import ModelLoadError

    prog = "bitext batch"

    def fail(msg: str, code: int = 2) -> int:
        print(f"{prog}: error: {msg}", file=sys.stderr)
        return code

    if args.address and args.engine != "ray":
        return fail("--address needs --engine ray")
    try:
        specs = read_manifest(args.manifest, fmt=args.format)
    except ManifestError as e:
        return fail("bad manifest:\n" + str(e) if len(e.problems) > 1 else str(e))
    counts = {"ok": 0, "skipped": 0, "error": 0}
    errors, warned = [], []
    try:
        results = align_many(
            specs, model=args.model, workers=args.workers, engine=args.engine, fmt=args.format,
            outdir=args.outdir, cache=not args.no_cache, resume=not args.force, threads=args.threads,
            address=args.address, progress=not args.quiet, encoding=args.encoding, force=args.force,
            inputs=(args.manifest,), coverage=args.coverage,
        )
    except (ValueError, BatchError) as e:
        return fail(str(e))
    try:
        for r in results:
            counts[r.status] += 1
            if r.status == "error":
                errors.append(f"{r.id}: {r.error}")
            if r.warning:
                warned.append(f"{r.id}: {r.warning}")
    except KeyboardInterrupt:
        results.close()
        done = counts["ok"] + counts["error"]
        print(f"\n{prog}: interrupted after {done} pairs; run the same command again to resume", file=sys.stderr)
        return 130
    except ModelLoadError as e:
        return fail(str(e))
    except BatchError as e:
        return fail(str(e), 1)
    finally:
        results.close()
    if warned:
        print(f"{prog}: warning: {warned[0]} ({len(warned)} of {len(specs)} pairs; see their \"warning\" in {SUMMARY_NAME})",
              file=sys.stderr)
    for line in errors[:_MAX_REPORTED]:
        print(f"{prog}: failed: {line}", file=sys.stderr)
    if len(errors) > _MAX_REPORTED:
        print(f"{prog}: ... and {len(errors) - _MAX_REPORTED} more failures", file=sys.stderr)
    if not args.quiet:
        print(
            f"{prog}: {len(specs)} pairs: {counts['ok']} aligned, {counts['skipped']} already done, "
            f"{counts['error']} failed; summary in {os.path.join(args.outdir, SUMMARY_NAME)}",
            file=sys.stderr,
        )
    return 1 if counts["error"] else 0

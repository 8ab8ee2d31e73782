"""The ways to run the pairs of a batch: in this process, in a local process pool, or on Ray actors.

Each engine yields a :class:`~bitext.batch.pair.PairResult` per pair from
:func:`~bitext.batch.pair.align_pair`. Every worker (a spawned process or a Ray
actor) loads the model once, before its first pair, and computes with
``threads`` BLAS threads, so the outputs are byte-identical whatever the
engine and the worker count. The worker functions are module-level: the pool
and Ray find them by their qualified names.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import sys
from collections import deque
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .._process import init_worker, interrupts_held, stop_pool
from .manifest import PairSpec
from .outdir import BatchError
from .pair import LazyModel, PairResult, align_pair, one_line

__all__ = ["ENGINES", "Job", "Workers", "model_for_workers", "import_ray", "run_inprocess", "run_pool", "run_ray"]

ENGINES = ("local", "ray")

# --- in the worker -------------------------------------------------------------------

_WORKER: dict = {}  # per process: "model", "error" (why the model did not load)


def _load(model_spec, threads: int | None, cache: bool, cache_dir, options: dict | None = None):
    """Load the model a worker uses: ``model_spec`` is ``None`` (default model) or a name/path;
    ``options``: more keywords of :func:`~bitext.embed.load_model` (``device``, ``batch_size``)."""
    from ..embed import load_model
    from ..embed.use import USEEmbedder

    m = load_model(model_spec, cache=cache, cache_dir=cache_dir, threads=threads, **(options or {}))
    if isinstance(m, USEEmbedder):
        _ = m._backend  # load the weights now, not on the first pair
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


def _init_worker(model_spec, threads, cache, cache_dir, options=None) -> None:
    """Pool initializer: load the model once; Ctrl-C is the parent's to handle."""
    init_worker()
    _load_worker(model_spec, threads, cache, cache_dir, options)


def _load_worker(model_spec, threads, cache, cache_dir, options=None) -> None:
    # The whole worker computes with `threads` BLAS threads: the model's own
    # limit covers only part of the work, and the default (all CPUs in every
    # worker) oversubscribes the machine and changes the floating-point sums.
    ctl = _blas_limiter() if threads else None
    if ctl is not None:
        ctl.limit(limits=threads, user_api="blas")
    _WORKER.clear()
    try:
        _WORKER["model"] = _load(model_spec, threads, cache, cache_dir, options)
    except Exception as e:  # reported by the first task, as a clear ModelLoadError, not a broken pool
        _WORKER["error"] = f"{type(e).__name__}: {e}"


class _ModelFailed:
    def __init__(self, msg: str):
        self.msg = msg


def _call(fn, args: tuple):
    """One task in a worker: ``fn(model, *args)`` with the worker's model."""
    if "error" in _WORKER:
        return _ModelFailed(_WORKER["error"])
    return fn(_WORKER["model"], *args)


# --- the engines ---------------------------------------------------------------------


@dataclass
class Job:
    """What every pair of a batch runs with (the model, its threads and cache; the output)."""

    model: Any  # a loaded Embedder (in-process only), None, or a name/path
    threads: int | None
    cache: bool
    cache_dir: str | None
    fmt: str | None
    outdir: str | None
    keep: bool
    ordered: bool
    coverage: bool = False
    model_options: dict = field(default_factory=dict)  # device, batch_size (load_model's keywords)


def model_for_workers(model, workers: int, engine: str):
    """What a worker needs to load the model itself: ``(spec, cache_dir)``."""
    from ..embed.use import USEEmbedder

    if model is None or isinstance(model, (str, os.PathLike)):
        return (None if model is None else os.fspath(model)), None
    if isinstance(model, USEEmbedder):
        d = model._cache.dir
        return None, (str(d.parent) if d is not None else None)
    raise ValueError(
        f"with workers={workers} and engine={engine!r} give the model by name or path "
        "(each worker loads it once), not as a loaded object"
    )


def check_engine(model, workers: int, engine: str) -> None:
    """Fail before any work, not in the workers: Ray missing for ``engine='ray'``, or a model
    given as a loaded object that workers cannot load (:func:`model_for_workers`)."""
    if engine == "ray":
        import_ray()
    if workers > 1 or engine == "ray":
        model_for_workers(model, workers, engine)


_DIED = (
    "a worker process died: out of memory, killed, or it could not start (workers are spawned: "
    "a script that calls align_many must guard its top level with `if __name__ == '__main__':`); "
    "rerun to resume"
)


class Workers:
    """``n`` workers that each load the job's model once and run tasks: in this
    process (``engine="local"``, ``n=1``), in spawned processes (``local``,
    ``n > 1``) or on Ray actors (``ray``).

    A task is ``fn(model, *args)``, ``fn`` a module-level function (the pool
    and Ray find it by its qualified name); in this process ``model`` is the
    job's loaded :class:`~bitext.embed.embedder.Embedder` or a
    :class:`~bitext.batch.pair.LazyModel` that loads on first use. :meth:`map` may
    be called several times: the workers stay up until :meth:`close` (or the
    end of a ``with`` block; one left by an exception or an abandoned
    iteration stops its workers at once).
    """

    def __init__(self, job: Job, n: int, engine: str = "local", address: str | None = None):
        self.job, self.n, self.engine = job, n, engine
        self._ex: Any = None  # a ProcessPoolExecutor (local, n > 1)
        self._ray: Any = None  # the ray module (engine ray)
        self._actors: list = []
        self._started_ray = False
        if engine == "ray":
            self._start_ray(address)
        elif n > 1:
            from concurrent.futures import ProcessPoolExecutor

            spec, cache_dir = model_for_workers(job.model, n, "local")
            self._ex = ProcessPoolExecutor(
                n,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_init_worker,
                initargs=(spec, job.threads, job.cache, cache_dir or job.cache_dir, job.model_options),
            )
        else:
            from ..embed.embedder import Embedder

            self._model: Embedder | LazyModel
            if isinstance(job.model, Embedder):
                self._model = job.model
            else:
                spec, cache_dir = model_for_workers(job.model, 1, "local")
                self._model = LazyModel(
                    lambda: _load(spec, job.threads, job.cache, cache_dir or job.cache_dir, job.model_options)
                )
            self._ctl = _blas_limiter() if job.threads else None

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, kind, value, tb) -> None:
        self.close(finished=kind is None)

    def map(self, fn, tasks, ordered: bool = False) -> Iterator:
        """``fn(model, *args)`` for each ``args`` tuple of ``tasks``, as they finish
        (``ordered``: in input order); at most two tasks per worker in flight, so
        a million tasks never sit in memory as futures."""
        if self._ex is not None:
            return self._map_pool(fn, tasks, ordered)
        if self.engine == "ray":
            return self._map_ray(fn, tasks, ordered)
        return self._map_here(fn, tasks)

    def _map_here(self, fn, tasks) -> Iterator:
        ctl, threads = self._ctl, self.job.threads
        for args in tasks:
            # the same BLAS threads as a worker process, restored before the caller's code runs
            with ctl.limit(limits=threads, user_api="blas") if ctl is not None else contextlib.nullcontext():
                r = fn(self._model, *args)
            yield r

    def _map_pool(self, fn, tasks, ordered: bool) -> Iterator:
        from concurrent.futures.process import BrokenProcessPool

        ex = self._ex
        assert ex is not None
        feed = iter(tasks)
        pending: deque = deque()

        def submit() -> None:
            args = next(feed, None)
            if args is not None:
                with interrupts_held():  # a worker may start here
                    pending.append(ex.submit(_call, fn, args))

        try:
            for _ in range(2 * self.n):
                submit()
            while pending:
                if ordered:
                    done = [pending.popleft()]
                    wait(done)
                else:
                    finished, _ = wait(pending, return_when=FIRST_COMPLETED)
                    done = [f for f in pending if f in finished]
                    for f in done:
                        pending.remove(f)
                for f in done:
                    r = f.result()
                    if isinstance(r, _ModelFailed):
                        from ..embed.embedder import ModelLoadError

                        raise ModelLoadError(f"a worker cannot load the model: {r.msg}")
                    submit()
                    yield r
        except BrokenProcessPool:
            raise BatchError(_DIED) from None

    def _start_ray(self, address: str | None) -> None:
        ray, _ = import_ray()
        job = self.job
        spec, cache_dir = model_for_workers(job.model, self.n, "ray")
        threads = job.threads or 1
        if not ray.is_initialized():
            kw = dict(include_dashboard=False, logging_level=logging.ERROR, log_to_driver=False)
            address = address or os.environ.get("RAY_ADDRESS") or None
            if address:
                ray.init(address=address, **kw)
            else:
                # Ray workers import bitext by name: let them find the copy this process runs
                # (through the environment the local instance inherits; a runtime_env costs seconds)
                here = str(Path(__file__).resolve().parents[2])
                old = os.environ.get("PYTHONPATH")
                if here not in (old or "").split(os.pathsep):
                    os.environ["PYTHONPATH"] = os.pathsep.join(x for x in (here, old) if x)
                try:
                    ray.init(num_cpus=self.n * threads, object_store_memory=128 * 2**20, **kw)
                finally:
                    if old is None:
                        os.environ.pop("PYTHONPATH", None)
                    else:
                        os.environ["PYTHONPATH"] = old
                self._started_ray = True
        self._ray = ray
        try:
            Actor = ray.remote(num_cpus=threads)(_RayWorker)
            self._actors = [
                Actor.remote(spec, threads, job.cache, cache_dir or job.cache_dir, job.model_options)
                for _ in range(self.n)
            ]
        except BaseException:
            self.close(False)
            raise

    def _map_ray(self, fn, tasks, ordered: bool) -> Iterator:
        from ray.util import ActorPool

        ray = self._ray
        pool = ActorPool(self._actors)

        def run(a, args):
            return a.run.remote(fn, args)

        it = pool.map(run, tasks) if ordered else pool.map_unordered(run, tasks)
        try:
            for r in it:
                if isinstance(r, _ModelFailed):
                    from ..embed.embedder import ModelLoadError

                    raise ModelLoadError(f"a Ray worker cannot load the model: {r.msg}")
                yield r
        except ray.exceptions.RayActorError as e:
            raise BatchError(f"a Ray worker died ({one_line(e)[:300]}); rerun the same command to resume") from None

    def close(self, finished: bool = True) -> None:
        """Stop the workers (at once, unless ``finished``: after their current task)."""
        if self._ex is not None:
            ex, self._ex = self._ex, None
            stop_pool(ex, finished)  # interrupted or abandoned: the workers stop now, not after their task
        if self._ray is not None:
            for a in self._actors:
                try:
                    self._ray.kill(a)
                except Exception:
                    pass
            self._actors = []
            if self._started_ray:
                self._ray.shutdown()
                self._started_ray = False
            self._ray = None


def _pair_tasks(todo: list[PairSpec], job: Job):
    return ((s, job.fmt, job.outdir, job.keep, job.coverage) for s in todo)


def run_inprocess(todo: list[PairSpec], job: Job) -> Iterator[PairResult]:
    """The pairs one after the other in this process (``workers=1``); the model loads with the first pair."""
    with Workers(job, 1) as w:
        yield from w.map(align_pair, _pair_tasks(todo, job))


def run_pool(todo: list[PairSpec], job: Job, workers: int) -> Iterator[PairResult]:
    """The pairs on ``workers`` spawned processes, at most two pairs per worker in flight."""
    with Workers(job, workers) as w:
        yield from w.map(align_pair, _pair_tasks(todo, job), job.ordered)


class _RayWorker:
    """A Ray actor: loads the model once, then runs tasks (pairs, by path)."""

    def __init__(self, model_spec, threads, cache, cache_dir, options=None):
        _load_worker(model_spec, threads, cache, cache_dir, options)

    def run(self, fn, args):
        return _call(fn, args)


def import_ray():
    """``(ray, ActorPool)``; :class:`~bitext.batch.outdir.BatchError` when Ray is not installed."""
    try:
        import ray
        from ray.util import ActorPool
    except ImportError:
        raise BatchError("--engine ray needs Ray: pip install 'bitext[ray]'") from None
    return ray, ActorPool


def run_ray(todo: list[PairSpec], job: Job, workers: int, address: str | None) -> Iterator[PairResult]:
    """The pairs on ``workers`` Ray actors: on the cluster at ``address`` (or ``$RAY_ADDRESS``),
    else on a local Ray instance started and shut down here."""
    with Workers(job, workers, "ray", address) as w:
        yield from w.map(align_pair, _pair_tasks(todo, job), job.ordered)

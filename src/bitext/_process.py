"""Worker processes that never outlive their parent and leave Ctrl-C to it."""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import threading


def exit_with_parent() -> None:
    """Exit when the parent process dies: a ``kill -9`` of the parent would
    otherwise leave its idle pool workers running, blocked on their queue."""
    from multiprocessing.connection import wait as wait_for

    parent = multiprocessing.parent_process()
    sentinel = getattr(parent, "sentinel", None)
    if sentinel is None:
        return

    def watch():
        wait_for([sentinel])
        os._exit(1)

    threading.Thread(target=watch, name="bitext-exit-with-parent", daemon=True).start()


def init_worker() -> None:
    """Pool initializer: Ctrl-C is the parent's to handle, and the worker exits with it."""
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    except KeyboardInterrupt:
        # a Ctrl-C that reached this worker before it could ignore one: the parent has it
        # too and stops the pool; a traceback from here would only hide its one line
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})  # held by interrupts_held
    exit_with_parent()


@contextlib.contextmanager
def interrupts_held():
    """Hold Ctrl-C back while worker processes start: a worker started with
    SIGINT blocked cannot die of it before :func:`init_worker` ignores it (a
    pool with a dead worker is broken, and its error would hide the Ctrl-C).
    The parent receives the held signal when the block ends."""
    if not hasattr(signal, "pthread_sigmask") or threading.current_thread() is not threading.main_thread():
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def stop_pool(pool, finished: bool) -> None:
    """Shut a ``ProcessPoolExecutor`` down; one that did not finish (interrupted,
    abandoned) has its workers stopped now, not after their current task."""
    if not finished:
        for p in list((getattr(pool, "_processes", None) or {}).values()):
            try:
                p.terminate()
            except Exception:
                pass
    pool.shutdown(wait=True, cancel_futures=True)

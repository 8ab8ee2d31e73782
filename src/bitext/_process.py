"""Worker processes that never outlive their parent and leave Ctrl-C to it."""

from __future__ import annotations

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
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    exit_with_parent()

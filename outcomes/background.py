"""Work a page hands to a second connection while it renders the rest (PostgreSQL).

A search's facets are counted by PostgreSQL while the page's entries are ranked, loaded and rendered in Python: in
one thread the two wait for each other; here the counting runs in a thread of the process on its own connection, so
the database and Python work at once (a rare word's page: its facet counts, ~10 ms of SQL, no longer add to it).

One thread per process, started on first use, its connection kept like a request's (CONN_MAX_AGE, health checks).
When that thread is busy with another request's work, or on SQLite, or inside a transaction (whose rows another
connection would not see: the test suite's), the work runs at once in the caller's thread, as it always did.
"""

import contextvars
import os
import threading
from concurrent.futures import ThreadPoolExecutor

from django.db import close_old_connections, connection, connections
from django.utils import translation


class Worker:
    """The process's background thread; a process forked from another makes its own."""

    def __init__(self):
        self.pid = os.getpid()
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="rabatkb-background")
        self.idle = threading.Semaphore(1)


_worker = None
_starting = threading.Lock()


def worker():
    global _worker
    with _starting:
        if _worker is None or _worker.pid != os.getpid():
            _worker = Worker()
        return _worker


def in_background(compute):
    """A function returning compute()'s result: computed in the background thread when it is free, else now."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return _now(compute)
    current = worker()
    if not current.idle.acquire(blocking=False):
        return _now(compute)
    try:
        # The caller's context (the request's memo, outcomes/caching.py) and language go along.
        job = contextvars.copy_context().run
        future = current.executor.submit(job, _run, current, translation.get_language(), compute)
    except BaseException:
        current.idle.release()
        raise
    return future.result


def _now(compute):
    value = compute()
    return lambda: value


def _run(current, language, compute):
    try:
        close_old_connections()  # what a request does first: a connection past its age or unusable is replaced
        with translation.override(language):
            return compute()
    finally:
        current.idle.release()


def close_connections():
    """Closes the background thread's connections (before the test database is dropped)."""
    if _worker is not None and _worker.pid == os.getpid():
        _worker.executor.submit(connections.close_all).result()

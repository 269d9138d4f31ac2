"""A query sent ahead on a second connection, its rows taken later (PostgreSQL).

A search's facet counts are SQL on the matching rows (~6–10 ms for a word in a few hundred entries at 100,000),
while the rest of its page is mostly Python: ranking, loading and rendering the cards. Sent ahead, the counting runs
in the database while the request's thread renders; the facets then take its rows instead of running it. No Python
thread: the query goes out on a connection of this process and thread, and its rows are read when asked for.

Nothing is sent on SQLite, nor inside a transaction (whose rows another connection would not see: the test suite's),
nor when the second connection cannot be had; then the query runs as always when its rows are needed.
A query sent and never taken (the page failed, or counted something else) is read and dropped before the next.
The second connection runs with the facets' budget as its `statement_timeout`: a query past it is cancelled by the
server and taking it raises the same cancellation as running it would (outcomes/facet_counting.py).
"""

import contextlib
import os
import threading
import weakref

import psycopg
from django.db import DatabaseError, connection
from psycopg import pq

_local = threading.local()
_opened = weakref.WeakSet()  # every thread's, for close_all()


class Sent:
    """The second connection of this process and thread, and the query in flight on it, if any."""

    def __init__(self, timeout_ms):
        self.raw = psycopg.connect(**connection.get_connection_params(), autocommit=True)
        self.raw.execute(f"SET statement_timeout = {int(timeout_ms)}")
        self.pid, self.timeout_ms, self.pending = os.getpid(), timeout_ms, None
        _opened.add(self)

    def send(self, sql, params):
        self.drain()
        query = psycopg.ClientCursor(self.raw).mogrify(sql, params)
        self.raw.pgconn.send_query(query.encode())
        self.pending = (sql, repr(params))

    def take(self, sql, params):
        if self.pending != (sql, repr(params)):
            return None
        self.pending = None
        rows, error = [], None
        while (result := self.raw.pgconn.get_result()) is not None:
            if result.status == pq.ExecStatus.TUPLES_OK:
                rows = [
                    [None if (value := result.get_value(row, column)) is None else value.decode()
                     for column in range(result.nfields)]
                    for row in range(result.ntuples)
                ]  # fmt: skip
            elif result.status == pq.ExecStatus.FATAL_ERROR:
                error = psycopg.errors.error_from_result(result, encoding="utf-8")
        if error is not None:
            if self.raw.pgconn.status != pq.ConnStatus.OK:  # lost, not refused: the caller runs the query itself
                raise psycopg.OperationalError(str(error))
            raise DatabaseError(str(error)) from error
        return rows

    def drain(self):
        self.pending = None
        while self.raw.pgconn.get_result() is not None:
            pass

    def close(self):
        self.pending = None
        self.raw.close()


def second_connection(timeout_ms):
    """This thread's Sent, opened on first use; None when sending ahead is not possible."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return None
    current = getattr(_local, "sent", None)
    if current is not None and (current.pid != os.getpid() or current.raw.closed or current.timeout_ms != timeout_ms):
        forget(current)
        current = None
    if current is None:
        try:
            current = _local.sent = Sent(timeout_ms)
        except (DatabaseError, psycopg.Error):
            return None
    return current


def send(sql, params, timeout_ms):
    """Sends the query on the second connection; whether it was sent."""
    sent = second_connection(timeout_ms)
    if sent is None:
        return False
    try:
        sent.send(sql, params)
    except psycopg.Error:
        forget(sent)
        return False
    return True


def take(sql, params):
    """[[column as text or None]] of the query sent ahead that is this one, or None when it was not sent."""
    sent = getattr(_local, "sent", None)
    if sent is None or sent.pid != os.getpid():
        return None
    try:
        return sent.take(sql, params)
    except psycopg.OperationalError:  # the connection was lost: the caller runs the query itself
        forget(sent)
        return None


def forget(sent):
    if getattr(_local, "sent", None) is sent:
        _local.sent = None
    if sent.pid == os.getpid():
        with contextlib.suppress(psycopg.Error):
            sent.close()


def close_all():
    """Closes the second connection of every thread of this process (before a test database is dropped)."""
    for sent in list(_opened):
        if sent.pid == os.getpid():
            with contextlib.suppress(psycopg.Error):
                sent.close()

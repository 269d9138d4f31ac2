"""A statement timeout for public requests on PostgreSQL, so no reader's question holds a worker for long.

Public pages and the API run with `SET statement_timeout = STATEMENT_TIMEOUT_MS`, sent before the request's first
query (a request that asks nothing of the database sends nothing) and kept to the last byte of the response (a
streamed export included). When the response is closed the connection goes back to the server's default, so the
curation admin, management commands (migrations, imports, backups) and anything else sharing a persistent
connection run unbounded. A query cancelled by the timeout answers 503 with an explanation (outcomes/ops/errors.py).

The SET and RESET go to the driver's connection, outside Django's query accounting: they are connection set-up,
not queries of the page, so the query counts the tests pin stay those of the page.
"""

from django.conf import settings
from django.core.signals import request_finished
from django.db import DatabaseError, connection
from django.dispatch import receiver


def is_public(request):
    match = request.resolver_match
    return match is not None and ("outcomes" in match.namespaces or "api" in match.namespaces)


class StatementTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if connection.vendor == "postgresql" and settings.STATEMENT_TIMEOUT_MS > 0 and is_public(request):
            _release(connection)  # one left by a response that was never closed
            connection.public_statement_timeout = _SetBeforeFirstQuery(int(settings.STATEMENT_TIMEOUT_MS))
            connection.execute_wrappers.append(connection.public_statement_timeout)
        return None


class _SetBeforeFirstQuery:
    """A query wrapper (connection.execute_wrappers) that sets the timeout once, just before the first query."""

    def __init__(self, milliseconds):
        self.milliseconds, self.applied = milliseconds, False

    def __call__(self, execute, sql, params, many, context):
        if not self.applied:
            with connection.wrap_database_errors:
                context["connection"].connection.execute(f"SET statement_timeout = {self.milliseconds}")
            self.applied = True
        return execute(sql, params, many, context)


@receiver(request_finished)
def reset_statement_timeout(**kwargs):
    _release(connection)


def _release(db):
    hook = getattr(db, "public_statement_timeout", None)
    if hook is None:
        return
    db.public_statement_timeout = None
    if hook in db.execute_wrappers:
        db.execute_wrappers.remove(hook)
    if hook.applied and db.connection is not None:
        try:
            with db.wrap_database_errors:
                db.connection.execute("RESET statement_timeout")
        except DatabaseError:
            pass  # a broken connection: close_old_connections drops it

"""A statement timeout for public requests on PostgreSQL, so no reader's question holds a worker for long.

Public pages and the API run with `SET statement_timeout = STATEMENT_TIMEOUT_MS`; every other request (the
curation admin, the language switch) resets it to the server's default, since persistent connections carry the
setting from one request to the next. Management commands (migrations, imports, backups) never pass here.
A query cancelled by the timeout answers 503 with an explanation (outcomes/ops/errors.py).

The SET is sent on the driver's connection, outside Django's query accounting: it is connection set-up, not one
of the page's queries, so the query counts the tests pin stay those of the page.
"""

from django.conf import settings
from django.db import connection

# Requests that must not touch the database at all (probes, redirects to static files).
EXEMPT_PATHS = ("/healthz", "/readyz", "/favicon.ico")


def is_public(request):
    match = request.resolver_match
    return match is not None and ("outcomes" in match.namespaces or "api" in match.namespaces)


class StatementTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def process_view(self, request, view_func, view_args, view_kwargs):
        if connection.vendor != "postgresql" or request.path in EXEMPT_PATHS:
            return None
        timeout = settings.STATEMENT_TIMEOUT_MS if is_public(request) else 0
        sql = f"SET statement_timeout = {int(timeout)}" if timeout else "RESET statement_timeout"
        with connection.wrap_database_errors:
            connection.ensure_connection()
            connection.connection.execute(sql)
        return None

    def __call__(self, request):
        return self.get_response(request)

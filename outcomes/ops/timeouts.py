"""A statement timeout for public requests on PostgreSQL, so no reader's question holds a worker for long.

Public pages and the API run with `SET statement_timeout = STATEMENT_TIMEOUT_MS`, from the view to the last byte
of the response (a streamed export included); when the response is closed the connection goes back to the
server's default, so the curation admin, management commands (migrations, imports, backups) and anything else
sharing a persistent connection run unbounded. A query cancelled by the timeout answers 503 with an explanation
(outcomes/ops/errors.py).

The SET and RESET are sent on the driver's connection, outside Django's query accounting: they are connection
set-up, not queries of the page, so the query counts the tests pin stay those of the page.
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
            with connection.wrap_database_errors:
                connection.ensure_connection()
                connection.connection.execute(f"SET statement_timeout = {int(settings.STATEMENT_TIMEOUT_MS)}")
            connection.public_statement_timeout = True
        return None


@receiver(request_finished)
def reset_statement_timeout(**kwargs):
    if not getattr(connection, "public_statement_timeout", False):
        return
    connection.public_statement_timeout = False
    if connection.connection is None:
        return
    try:
        with connection.wrap_database_errors:
            connection.connection.execute("RESET statement_timeout")
    except DatabaseError:
        pass  # a broken connection: close_old_connections drops it

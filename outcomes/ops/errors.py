"""The server-error handler (`handler500`): a database that cannot answer is a 503, not a 500.

Django turns any exception raised by a view *or a middleware* into the `handler500` response, called while the
exception is being handled, so `sys.exc_info()` tells what failed. Two database failures are not bugs of the
site and answer 503: the database is unreachable (connection refused, restarting, connection lost) and a
public request outran its statement timeout (outcomes/ops/timeouts.py). Both pages are static templates
rendered without a request, so no context processor touches the database; the API answers JSON.
"""

import sys

import psycopg
from django.db import InterfaceError, OperationalError, connections
from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.utils.cache import add_never_cache_headers

from .requestlog import current_request_id

RETRY_AFTER_SECONDS = 30


def server_error(request):
    error = sys.exc_info()[1]
    if is_statement_timeout(error):
        return _unavailable(request, "timeout")
    if is_database_unavailable(error):
        _drop_broken_connections()
        return _unavailable(request, "database")
    request_id = current_request_id()
    if _is_api(request):
        return JsonResponse({"error": "Erreur du serveur · Server error", "request_id": request_id}, status=500)
    return _render("500.html", 500, request_id)


def is_statement_timeout(error):
    return isinstance(error, OperationalError) and isinstance(error.__cause__, psycopg.errors.QueryCanceled)


def is_database_unavailable(error):
    """Connection refused or lost, the server restarting or shutting down (and SQLite's "database is locked")."""
    return isinstance(error, OperationalError | InterfaceError | psycopg.OperationalError | psycopg.InterfaceError)


def _drop_broken_connections():
    """A persistent connection (CONN_MAX_AGE) broken by the outage must not serve the next request."""
    for connection in connections.all(initialized_only=True):
        connection.close_if_unusable_or_obsolete()


_MESSAGES = {
    "database": (
        "Service momentanément indisponible · Service temporarily unavailable",
        "La base de données ne répond pas ; réessayez dans un instant.",
        "The database is not answering; please try again in a moment.",
    ),
    "timeout": (
        "Requête trop longue · Request took too long",
        "Cette requête a demandé trop de temps au serveur ; affinez la recherche (moins de résultats) et réessayez.",
        "This request took the server too long; narrow the search (fewer results) and try again.",
    ),
}


def _unavailable(request, reason):
    title, message_fr, message_en = _MESSAGES[reason]
    request_id = current_request_id()
    if _is_api(request):
        body = {"error": title, "reason": reason, "message_fr": message_fr, "message_en": message_en}
        body["request_id"] = request_id
        response = JsonResponse(body, status=503, json_dumps_params={"ensure_ascii": False})
    else:
        response = _render(
            "503.html", 503, request_id, title=title, message_fr=message_fr, message_en=message_en, reason=reason
        )
    if reason == "database":
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    add_never_cache_headers(response)
    return response


def _render(template_name, status, request_id, **context):
    body = loader.get_template(template_name).render({"request_id": request_id, **context})
    return HttpResponse(body, status=status)


def _is_api(request):
    return request.path.startswith("/api/")

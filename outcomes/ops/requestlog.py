"""One log line per request: its id, method, path, status, duration and number of database queries.

The request id is the caller's `X-Request-ID` when it looks like one (a proxy or load balancer may set it, so
one id follows a request through every log), otherwise a new one; it is echoed in the response's `X-Request-ID`,
attached to every log record written while the request runs (`RequestIdFilter`), and shown on the 500 page so a
user can quote it. `DJANGO_LOG_FORMAT=json` writes each record as one JSON object (`JsonFormatter`).
"""

import contextlib
import contextvars
import json
import logging
import re
import time
import uuid
from datetime import UTC, datetime

from django.db import connections

logger = logging.getLogger("rabatkb.requests")

_SANE_ID = re.compile(r"^[A-Za-z0-9._:-]{8,128}$")
_request_id = contextvars.ContextVar("request_id", default="")


def current_request_id():
    return _request_id.get()


class RequestLogMiddleware:
    """Outermost middleware: it sees the final status and the whole duration, streamed bodies included."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request.request_id = incoming if _SANE_ID.match(incoming) else uuid.uuid4().hex
        token = _request_id.set(request.request_id)
        counter = _QueryCounter()
        started = time.monotonic()
        try:
            with counter.installed():
                response = self.get_response(request)
            response["X-Request-ID"] = request.request_id
            if response.streaming:  # its queries run while the body is sent: count them and log when it ends
                counter.install()
                response._resource_closers.append(lambda: self._log(request, response, started, counter, True))
            else:
                self._log(request, response, started, counter)
            return response
        finally:
            _request_id.reset(token)

    def _log(self, request, response, started, counter, streamed=False):
        if streamed:
            counter.uninstall()
        duration_ms = round((time.monotonic() - started) * 1000, 1)
        fields = {
            "request_id": request.request_id,
            "method": request.method,
            "path": request.path,
            "status": response.status_code,
            "duration_ms": duration_ms,
            "queries": counter.count,
        }
        message = f"{request.method} {request.path} {response.status_code} {duration_ms} ms {counter.count} queries"
        logger.info(message, extra={"request_fields": fields, "request_id": request.request_id})


class _QueryCounter:
    """Counts the queries of every database connection this thread opens (Django counts them only in debug)."""

    def __init__(self):
        self.count = 0
        self._on = []

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)

    def install(self):
        for connection in connections.all():
            connection.execute_wrappers.append(self)
            self._on.append(connection)

    def uninstall(self):
        for connection in self._on:
            if self in connection.execute_wrappers:
                connection.execute_wrappers.remove(self)
        self._on = []

    @contextlib.contextmanager
    def installed(self):
        self.install()
        try:
            yield
        finally:
            self.uninstall()


class RequestIdFilter(logging.Filter):
    """Gives every record the id of the request being served ("-" outside requests)."""

    def filter(self, record):
        if not getattr(record, "request_id", None):
            record.request_id = _request_id.get() or "-"
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request id, and a request line's fields."""

    def format(self, record):
        data = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"),
            **getattr(record, "request_fields", {}),
        }
        if record.exc_info:
            data["exception"] = self.formatException(record.exc_info)
        return json.dumps(data, ensure_ascii=False, default=str)

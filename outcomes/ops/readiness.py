"""`/readyz`: may a load balancer send readers here? Yes only when the database and a shared cache answer.

`/healthz` (outcomes/views_health.py) only says the process answers; restarting it would not help when the
database is down, so an orchestrator restarts on `/healthz` and routes on `/readyz`. Each check runs in its own
thread with a deadline, so a database that hangs instead of refusing cannot hold the probe either.
"""

import concurrent.futures
import logging
import uuid

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.dummy import DummyCache
from django.core.cache.backends.locmem import LocMemCache
from django.db import connections
from django.http import JsonResponse
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_safe

logger = logging.getLogger("rabatkb.readiness")


def check_database():
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    finally:
        connections.close_all()  # this thread's own connection


def check_cache(alias):
    """A value written must come back; the project's Redis cache hides its errors, so a failure reads as a miss."""
    cache = caches[alias]
    key, value = f"readyz:{uuid.uuid4().hex}", uuid.uuid4().hex
    cache.set(key, value, timeout=10)
    if cache.get(key) != value:
        raise ConnectionError(f"cache {alias!r} did not keep a value")
    cache.delete(key)


def shared_caches():
    """The caches outside this process (Redis): a process's own memory has nothing to check."""
    return [alias for alias in settings.CACHES if not isinstance(caches[alias], LocMemCache | DummyCache)]


def checks():
    return {"database": check_database, **{f"cache:{alias}": _bind(check_cache, alias) for alias in shared_caches()}}


def _bind(check, alias):
    return lambda: check(alias)


@require_safe
def readyz(request):
    """200 {"status": "ok", "checks": {...}} or 503 {"status": "unavailable", "down": [...], ...}; the reason is
    logged, not shown: the probe is public and the errors name internal hosts."""
    timeout = settings.READINESS_TIMEOUT_SECONDS
    results = {}
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=4, thread_name_prefix="readyz")
    futures = {name: pool.submit(check) for name, check in checks().items()}
    done, _ = concurrent.futures.wait(futures.values(), timeout=timeout)
    for name, future in futures.items():
        if future not in done:
            results[name] = "timeout"
            logger.warning("readyz: %s gave no answer within %s s", name, timeout)
        elif future.exception() is not None:
            results[name] = "down"
            logger.warning("readyz: %s is down: %s", name, _first_line(future.exception()))
        else:
            results[name] = "ok"
    pool.shutdown(wait=False, cancel_futures=True)
    down = [name for name, result in results.items() if result != "ok"]
    body = {"status": "unavailable" if down else "ok", "checks": results}
    if down:
        body["down"] = down
    response = JsonResponse(body, status=503 if down else 200)
    add_never_cache_headers(response)
    return response


def _first_line(error):
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0] if text else ''}"[:200]

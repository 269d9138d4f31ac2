"""Exports run one at a time per client (`EXPORT_CONCURRENCY_PER_CLIENT`), so a few clients cannot hold every worker.

An export holds a slot in the cache from its first byte to its last (the slot is freed when the response is
closed, or after `EXPORT_SLOT_SECONDS` if a worker dies mid-way); a client without a free slot gets 429 with
`Retry-After`. With the shared Redis cache the limit holds across all workers and servers; with the
per-process memory cache, per worker. A cache that cannot answer never refuses an export: only a slot the cache
says is taken does.
"""

import functools
import uuid

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse

from rabatkb.client_ip import client_ip

RETRY_AFTER_SECONDS = 10


def one_export_per_client(view):
    """Wrap an export view (in the URLconf) with the per-client concurrency limit."""

    @functools.wraps(view)
    def limited(request, *args, **kwargs):
        limit = settings.EXPORT_CONCURRENCY_PER_CLIENT
        if limit <= 0:
            return view(request, *args, **kwargs)
        slot = _take_slot(client_ip(request) or "unknown", limit)
        if slot is None:
            return _too_many()
        try:
            response = view(request, *args, **kwargs)
        except BaseException:
            cache.delete(slot)
            raise
        response._resource_closers.append(functools.partial(cache.delete, slot))
        return response

    return limited


def _take_slot(address, limit):
    token = uuid.uuid4().hex
    for number in range(limit):
        key = f"export-slot:{address}:{number}"
        if cache.add(key, token, timeout=settings.EXPORT_SLOT_SECONDS) or cache.get(key) is None:
            return key
    return None


def _too_many():
    response = HttpResponse(
        "Un export est déjà en cours depuis votre adresse ; réessayez quand il sera terminé.\n"
        "An export from your address is already running; try again when it has finished.\n",
        status=429,
        content_type="text/plain; charset=utf-8",
    )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response

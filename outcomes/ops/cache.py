"""Django's Redis cache, made to degrade instead of fail: with Redis down the site is slower, not broken.

Django's `RedisCache` raises on any connection error, which would turn every page into a server error while
Redis restarts. Here a read that cannot reach Redis is a miss and a write is dropped (the value is recomputed,
as on a cold cache), with a warning in the log at most every `WARN_EVERY_SECONDS`. Short socket timeouts keep
an unreachable Redis from holding a request.
"""

import functools
import logging
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError, TimeoutError

logger = logging.getLogger("rabatkb.cache")

WARN_EVERY_SECONDS = 30
UNREACHABLE = (ConnectionError, TimeoutError, OSError)


def _degrades_to(fallback):
    def decorate(method):
        @functools.wraps(method)
        def wrapper(self, *args, **kwargs):
            try:
                return method(self, *args, **kwargs)
            except UNREACHABLE as error:
                self.warn(error)
                return fallback(*args, **kwargs) if callable(fallback) else fallback

        return wrapper

    return decorate


def _default(key, default=None, version=None):
    return default


class ResilientRedisCache(RedisCache):
    def __init__(self, server, params):
        options = {"socket_connect_timeout": 0.5, "socket_timeout": 1.0, **params.get("OPTIONS", {})}
        super().__init__(server, {**params, "OPTIONS": options})
        self._warned_at = None

    def warn(self, error):
        now = time.monotonic()
        if self._warned_at is None or now - self._warned_at >= WARN_EVERY_SECONDS:
            self._warned_at = now
            logger.warning("cache unreachable, serving without it: %s", error)

    @_degrades_to(_default)
    def get(self, key, default=None, version=None):
        return super().get(key, default, version)

    @_degrades_to({})
    def get_many(self, keys, version=None):
        return super().get_many(keys, version)

    @_degrades_to(False)
    def has_key(self, key, version=None):
        return super().has_key(key, version)

    @_degrades_to(False)
    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return super().add(key, value, timeout, version)

    @_degrades_to(None)
    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return super().set(key, value, timeout, version)

    @_degrades_to(lambda data, *args, **kwargs: list(data))
    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return super().set_many(data, timeout, version)

    @_degrades_to(False)
    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return super().touch(key, timeout, version)

    @_degrades_to(False)
    def delete(self, key, version=None):
        return super().delete(key, version)

    @_degrades_to(False)
    def delete_many(self, keys, version=None):
        return super().delete_many(keys, version)

    @_degrades_to(False)
    def clear(self):
        return super().clear()

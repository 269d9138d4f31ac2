"""Conditional requests for the public pages, and caching of what only changes when the content does.

Public pages only change when the secretariat writes something, so one number says whether a page may have
changed: `ContentVersion.version`, bumped by database triggers on every write to the app's tables. Anonymous
GET/HEAD requests to the `outcomes` URLs and the API get `ETag` and
`Cache-Control: public, max-age=PUBLIC_CACHE_SECONDS`; a request whose `If-None-Match` still matches gets a 304
without running the view (one tiny query). Signed-in users (staff, who see edit links and drafts) get
`Cache-Control: private, no-cache` and no ETag.

`cached_by_version(key, compute)` keeps an expensive result (counts over every entry) in Django's cache under
the current content version: correct by construction, since any write to the content changes the key.
"""

import contextvars
import functools
import hashlib
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.translation import get_language

PUBLIC_NAMESPACES = {"outcomes", "api"}  # the pages and the API
CACHE_SECONDS = 24 * 3600

# Within a request the version is read once (a dict while a request runs, None outside requests).
_request_memo = contextvars.ContextVar("content_version_memo", default=None)


def content_version():
    """The content's version as a string, "<counter>.<random token>"; read once per request."""
    memo = _request_memo.get()
    if memo is not None and "version" in memo:
        return memo["version"]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT version, token FROM {connection.ops.quote_name(version_table())} WHERE id = 1")
        row = cursor.fetchone()
    version = f"{row[0]}.{row[1]}" if row else "0.0"
    if memo is not None:
        memo["version"] = version
    return version


def cached_by_version(key, compute):
    """compute() once per content version, code release and language, then from the cache."""
    value = cached_or_none(key)
    if value is None:
        value = compute()
        cache.set(version_key(key), value, CACHE_SECONDS)
    return value


def cached_or_none(key):
    """What cached_by_version() keeps for `key`, or None when nothing is kept yet."""
    return cache.get(version_key(key))


def version_key(key):
    return f"rabatkb:{release()}:{content_version()}:{get_language()}:{key}"


# Small values every page reads (the names of the countries, themes…), held in this process for the current version.
_process_memo = {}


def memoized_by_version(key, compute):
    """compute() once per content version and language in this process: for small values read on most pages, which
    the shared cache would give back only after unpickling them, and which a query would cost more to fetch."""
    version = (content_version(), get_language())
    held = _process_memo.get(key)
    if held is None or held[0] != version:
        held = _process_memo[key] = (version, compute())
    return held[1]


def held_in_order(key, rows):
    """{pk: (position, row)} of every row `rows()` gives, held in this process for the content version."""
    return memoized_by_version(f"in-order:{key}", lambda: {row.pk: (n, row) for n, row in enumerate(rows())})


def held_objects(model):
    """Every object of `model` in the model's order, as held_in_order: the one place the countries, themes and
    organisations are held for the cards, the facets and the map."""
    return held_in_order(model._meta.label, lambda: model.objects.order_by(*model._meta.ordering, "pk"))


def forget_memos():
    _process_memo.clear()


@functools.cache
def release():
    """Changes when the code, templates or translations change, so a deployment also changes every ETag. A digest
    of the files' names within the project and their contents: every server running the same release gives the
    same ETag and shares the same cache keys, wherever it is installed and whenever its files were copied."""
    digest, base = hashlib.sha1(), Path(settings.BASE_DIR)
    for folder in ("templates", "locale", "outcomes", "rabatkb", "static"):
        for path in sorted((base / folder).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
                digest.update(path.relative_to(base).as_posix().encode() + b"\0")
                digest.update(path.read_bytes())
    return digest.hexdigest()[:10]


def public_etag():
    # The date too: entry pages cite the day they are read ("accessed on").
    return f'W/"{release()}-{content_version()}-{get_language()}-{timezone.localdate():%Y%m%d}"'


class PublicPageCacheMiddleware:
    """Answers conditional requests on the public pages (see the module docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def process_view(self, request, view_func, view_args, view_kwargs):
        request.public_etag = None
        if request.method not in ("GET", "HEAD") or not PUBLIC_NAMESPACES & set(request.resolver_match.namespaces):
            return None
        request.is_public_page = True
        if request.user.is_authenticated:
            return None
        request.public_etag = public_etag()
        return get_conditional_response(request, etag=request.public_etag)

    def __call__(self, request):
        memo = _request_memo.set({})
        try:
            response = self.get_response(request)
        finally:
            _request_memo.reset(memo)
        if not getattr(request, "is_public_page", False) or response.has_header("Cache-Control"):
            return response
        if not request.public_etag:
            patch_cache_control(response, private=True, no_cache=True)
        elif response.status_code in (200, 304) and not response.cookies:
            response.headers.setdefault("ETag", request.public_etag)
            patch_cache_control(response, public=True, max_age=settings.PUBLIC_CACHE_SECONDS)
        elif response.cookies:  # a page that sets a cookie (a CSRF token in a form) must not be shared
            patch_cache_control(response, private=True, no_cache=True)
        return response


# ------------------------------------------------------------------------------------------------ triggers

_POSTGRESQL_BUMP = """
  INSERT INTO {version_table} (id, version, token, changed_at)
  VALUES (1, 1, (random() * 1e15)::bigint, statement_timestamp())
  ON CONFLICT (id) DO UPDATE SET
    version = {version_table}.version + 1, token = excluded.token, changed_at = excluded.changed_at"""
_POSTGRESQL_FUNCTION = f"""
CREATE OR REPLACE FUNCTION outcomes_bump_content_version() RETURNS trigger AS $$
BEGIN{_POSTGRESQL_BUMP};
  RETURN NULL;
END $$ LANGUAGE plpgsql
"""
_POSTGRESQL_TRIGGER = """
CREATE OR REPLACE TRIGGER outcomes_content_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table}
FOR EACH STATEMENT EXECUTE FUNCTION outcomes_bump_content_version()
"""
_SQLITE_TRIGGER = """
CREATE TRIGGER "outcomes_content_version_{name}_{event}" AFTER {event} ON {table} BEGIN
  INSERT INTO {version_table} (id, version, token, changed_at) VALUES (1, 1, random(), CURRENT_TIMESTAMP)
  ON CONFLICT (id) DO UPDATE SET version = version + 1, token = excluded.token, changed_at = excluded.changed_at;
END
"""


def bump_content_version():
    """What the triggers do on a write (PostgreSQL), for a change outside the content tables that changes what pages
    read: the choice of kept searches (outcomes/kept_searches.py)."""
    with connection.cursor() as cursor:
        cursor.execute(_POSTGRESQL_BUMP.format(version_table=connection.ops.quote_name(version_table())))


def version_table():
    return apps.get_model("outcomes", "ContentVersion")._meta.db_table


def content_tables():
    """Every table of the app (many-to-many ones included) but the version's own."""
    models = apps.get_app_config("outcomes").get_models(include_auto_created=True)
    return sorted(model._meta.db_table for model in models if model._meta.db_table != version_table())


def install_version_triggers(using="default", **kwargs):
    """Idempotent; run after every migrate (post_migrate), so tables added or rebuilt later are covered too."""
    from django.db import connections

    conn = connections[using]
    existing = set(conn.introspection.table_names())
    if version_table() not in existing:
        return
    with conn.cursor() as cursor:
        if conn.vendor == "postgresql":
            cursor.execute(_POSTGRESQL_FUNCTION.format(version_table=conn.ops.quote_name(version_table())))
        for table in content_tables():
            if table not in existing:
                continue
            if conn.vendor == "postgresql":
                cursor.execute(_POSTGRESQL_TRIGGER.format(table=conn.ops.quote_name(table)))
            elif conn.vendor == "sqlite":
                for event in ("INSERT", "UPDATE", "DELETE"):
                    cursor.execute(f'DROP TRIGGER IF EXISTS "outcomes_content_version_{table}_{event}"')
                    trigger = _SQLITE_TRIGGER.format(
                        name=table,
                        event=event,
                        table=conn.ops.quote_name(table),
                        version_table=conn.ops.quote_name(version_table()),
                    )
                    cursor.execute(trigger)

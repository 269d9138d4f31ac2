"""The project as it is deployed: production settings from the environment, migrations, static files."""

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

BASE_DIR = Path(__file__).resolve().parent.parent

PRODUCTION_ENV = {
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": "a-production-like-secret-key-of-fifty-characters-or-more-0123456789",
    "DJANGO_ALLOWED_HOSTS": "kb.example.org,testserver",
    "DJANGO_CSRF_TRUSTED_ORIGINS": "https://kb.example.org",
}


def run_python(code_or_args, env_overrides, tmp_path=None):
    env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    env.update(env_overrides)
    args = code_or_args if isinstance(code_or_args, list) else ["-c", code_or_args]
    return subprocess.run([sys.executable, *args], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120)


def test_check_deploy_is_clean_with_production_environment():
    result = run_python(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_without_secret_key_refuses_to_start():
    env = {key: value for key, value in PRODUCTION_ENV.items() if key != "DJANGO_SECRET_KEY"}
    result = run_python(["manage.py", "check"], env)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


def test_static_files_are_served_hashed_and_compressed_with_debug_off(tmp_path):
    script = """
from django.core.management import call_command
import django
django.setup()
call_command("collectstatic", "--noinput", verbosity=0)
from django.templatetags.static import static
from django.test import Client
url = static("css/site.css")
assert url != "/static/css/site.css", url
response = Client().get(url, secure=True, HTTP_ACCEPT_ENCODING="gzip")
assert response.status_code == 200, response.status_code
assert "immutable" in response["Cache-Control"], response["Cache-Control"]
assert response.get("Content-Encoding") == "gzip", dict(response.headers)
print("served", url)
"""
    env = {**PRODUCTION_ENV, "DJANGO_SETTINGS_MODULE": "rabatkb.settings", "DJANGO_STATIC_ROOT": str(tmp_path)}
    result = run_python(script, env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "served /static/css/site." in result.stdout


CACHE_SETTINGS = "import json, rabatkb.settings as s; print(json.dumps(s.CACHES['default']))"


def cache_settings(**env):
    result = run_python(CACHE_SETTINGS, {"DJANGO_DEBUG": "true", "DJANGO_CACHE_URL": "", "REDIS_URL": "", **env})
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_without_a_cache_url_each_process_keeps_a_bounded_cache_in_memory():
    assert cache_settings() == {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "OPTIONS": {"MAX_ENTRIES": 5000},
        "KEY_PREFIX": "rabatkb",
    }
    assert cache_settings(DJANGO_CACHE_MAX_ENTRIES="20000")["OPTIONS"] == {"MAX_ENTRIES": 20000}


@pytest.mark.parametrize(
    ("env", "location"),
    [
        ({"DJANGO_CACHE_URL": "redis://cache.internal:6379/2"}, "redis://cache.internal:6379/2"),
        ({"REDIS_URL": "rediss://:secret@cache.internal:6380/0"}, "rediss://:secret@cache.internal:6380/0"),
        ({"DJANGO_CACHE_URL": "redis://a:6379/1", "REDIS_URL": "redis://b:6379/1"}, "redis://a:6379/1"),
    ],
)
def test_a_redis_url_selects_djangos_redis_cache(env, location):
    assert cache_settings(**env, DJANGO_CACHE_KEY_PREFIX="kb-staging") == {
        "BACKEND": "outcomes.ops.cache.ResilientRedisCache",  # Django's RedisCache that degrades when Redis is down
        "LOCATION": location,
        "KEY_PREFIX": "kb-staging",
    }


def test_a_cache_url_that_is_not_redis_refuses_to_start():
    result = run_python(CACHE_SETTINGS, {"DJANGO_DEBUG": "true", "DJANGO_CACHE_URL": "memcached://cache:11211"})
    assert result.returncode != 0
    assert "DJANGO_CACHE_URL (or REDIS_URL) must be a redis:// URL, not 'memcached://cache:11211'" in result.stderr


def test_the_redis_cache_stores_and_reads_back_through_the_redis_package():
    try:
        socket.create_connection(("127.0.0.1", 6379), 2).close()
    except OSError:
        pytest.skip("no Redis server on 127.0.0.1:6379")
    script = """
import uuid, django
django.setup()
from django.core.cache import caches
cache = caches["default"]
key = uuid.uuid4().hex
cache.set(key, {"entries": 84}, 30)
print(type(cache).__name__, cache.get(key))
cache.delete(key)
"""
    env = {"DJANGO_DEBUG": "true", "DJANGO_SETTINGS_MODULE": "rabatkb.settings"}
    result = run_python(script, {**env, "DJANGO_CACHE_URL": "redis://127.0.0.1:6379/0", "REDIS_URL": ""})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ResilientRedisCache {'entries': 84}"


def test_models_and_migrations_agree(db):
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def test_french_is_the_default_language_and_english_the_second(settings):
    assert settings.LANGUAGE_CODE == "fr"
    assert [code for code, _name in settings.LANGUAGES] == ["fr", "en"]
    assert settings.TIME_ZONE == "UTC"


@pytest.mark.django_db
def test_home_page_shows_published_meetings(client, make_meeting):
    make_meeting(title="Réunion thématique de haut niveau sur la gestion des frontières")
    response = client.get("/")
    assert response.status_code == 200
    assert "Réunion thématique de haut niveau sur la gestion des frontières" in response.content.decode()

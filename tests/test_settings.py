"""The project as it is deployed: production settings from the environment, migrations, static files."""

import os
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

"""Security headers on every kind of response the site sends: pages, errors, redirects, static files, the admin."""

import base64
import hashlib
from pathlib import Path

import pytest
import simple_history
from django.conf import settings
from django.test import Client

from outcomes.security import header_value

HISTORY_STYLE_HASH = "'sha256-XMXSevYjgSjXgRafBFDvtjwX+yyWLrxfso9DcNZ9UXM='"  # style="border-top: 0"
EXPECTED_CSP = (
    f"default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-hashes' {HISTORY_STYLE_HASH}; "
    "img-src 'self' data:; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


def assert_security_headers(response):
    assert response["Content-Security-Policy"] == EXPECTED_CSP
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_the_one_inline_style_allowed_is_the_history_list_s(settings):
    digest = base64.b64encode(hashlib.sha256(b"border-top: 0").digest()).decode()
    assert settings.SECURE_CSP["style-src"] == ["'self'", "'unsafe-hashes'", f"'sha256-{digest}'"]
    assert settings.SECURE_CSP["script-src"] == ["'self'"]
    history_list = Path(simple_history.__file__).parent / "templates/simple_history/object_history_list.html"
    assert 'style="border-top: 0"' in history_list.read_text()


def test_the_policy_setting_reads_as_the_header_value(settings):
    assert header_value(settings.SECURE_CSP) == EXPECTED_CSP
    assert header_value({"default-src": ["'self'", "data:"]}) == "default-src 'self' data:"


@pytest.fixture
def published_pages(make_entry, make_theme):
    theme = make_theme(slug="surveillance")
    entry = make_entry(countries=["SN"], themes=[theme])
    return {
        "home": "/",
        "home in English": "/en/",
        "meeting": entry.meeting.get_absolute_url(),
        "entry": entry.get_absolute_url(),
        "country": "/countries/SN/",
        "theme": theme.get_absolute_url(),
    }


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["home", "home in English", "meeting", "entry", "country", "theme"])
def test_html_pages_send_the_security_headers(client, published_pages, page):
    response = client.get(published_pages[page])
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert_security_headers(response)
    assert response["X-Frame-Options"] == "DENY"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path, content_type",
    [
        ("/entries.csv?country=SN", "text/csv"),
        ("/entries.json?country=SN", "application/json"),
        ("/api/", "application/json"),
        ("/api/entries/?country=SN", "application/json"),
        ("/api/entries/NOPE-1/", "application/json"),
        ("/api/entries/?page=0", "application/json"),
        ("/entries.csv?kind=nonsense", "text/plain"),
    ],
)
def test_exports_and_api_answers_send_the_security_headers(client, published_pages, path, content_type):
    response = client.get(path)
    assert response.status_code in {200, 400, 404}
    assert response["Content-Type"].startswith(content_type)
    assert_security_headers(response)


@pytest.mark.django_db
def test_not_found_answers_send_the_security_headers(client):
    response = client.get("/entries/NOPE-1/")
    assert response.status_code == 404
    assert_security_headers(response)
    assert response["X-Frame-Options"] == "DENY"


@pytest.mark.django_db
def test_redirects_send_the_security_headers(client, published_pages):
    response = client.get(published_pages["entry"].rstrip("/"))  # APPEND_SLASH redirect
    assert response.status_code == 301
    assert_security_headers(response)
    response = client.get(f"/{settings.ADMIN_PATH}")
    assert response.status_code == 302
    assert_security_headers(response)


@pytest.mark.django_db
def test_refused_posts_send_the_security_headers():
    response = Client(enforce_csrf_checks=True).post("/", {"text": "x"})
    assert response.status_code in {403, 405}
    assert_security_headers(response)


@pytest.mark.django_db
def test_admin_login_and_admin_pages_send_the_security_headers(client, admin_user):
    response = client.get(f"/{settings.ADMIN_PATH}login/")
    assert response.status_code == 200
    assert_security_headers(response)
    assert response["X-Frame-Options"] == "DENY"
    client.force_login(admin_user)
    for path in ["", "outcomes/entry/", "outcomes/entry/add/"]:
        response = client.get(f"/{settings.ADMIN_PATH}{path}")
        assert response.status_code == 200, path
        assert_security_headers(response)


def test_static_files_send_the_security_headers(settings):
    settings.WHITENOISE_USE_FINDERS = True  # serve from static/ without collectstatic, as whitenoise does in debug
    response = Client().get("/static/css/site.css")
    assert response.status_code == 200
    assert_security_headers(response)


def test_pages_carry_no_inline_script_or_style_the_policy_would_block(client, published_pages):
    for path in published_pages.values():
        body = client.get(path).content.decode()
        assert "<script>" not in body, path
        assert " style=" not in body, path
        assert " onclick=" not in body and " onload=" not in body, path

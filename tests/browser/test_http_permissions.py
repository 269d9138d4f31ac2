"""The curation permission matrix over real HTTP: urllib against the live server, cookies, CSRF and all."""

import http.cookiejar
import urllib.error
import urllib.parse
import urllib.request

import pytest
from django.conf import settings

from tests.test_permissions import HOSTILE_POST, snapshot, world, write_urls  # noqa: F401 (world is a fixture)

PASSWORD = "a-long-test-password-42"  # the password of tests/conftest.py's make_user


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """A bare HTTP client with a cookie jar that does not follow redirects: what a script against the site sees."""

    def __init__(self, base_url):
        self.base_url = base_url
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies), NoRedirect)

    def request(self, method, path, data=None):
        body = urllib.parse.urlencode(data or {}, doseq=True).encode() if method == "post" else None
        request = urllib.request.Request(self.base_url + path, data=body, method=method.upper())
        try:
            with self.opener.open(request, timeout=20) as response:
                return response.status, dict(response.headers), response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read().decode()

    def csrf_token(self):
        """The CSRF cookie's value, which Django accepts as the form token; the login page sets it (and a login
        rotates it)."""
        if not any(cookie.name == "csrftoken" for cookie in self.cookies):
            self.request("get", f"/{settings.ADMIN_PATH}login/")
        return next(cookie.value for cookie in self.cookies if cookie.name == "csrftoken")

    def log_in(self, username):
        token = self.csrf_token()
        status, headers, _body = self.request(
            "post",
            f"/{settings.ADMIN_PATH}login/",
            {
                "csrfmiddlewaretoken": token,
                "username": username,
                "password": PASSWORD,
                "next": f"/{settings.ADMIN_PATH}",
            },
        )
        assert status == 302 and headers["Location"] == f"/{settings.ADMIN_PATH}", (status, headers.get("Location"))


@pytest.fixture
def http_client(live_server):
    return Browser(live_server.url)


def test_anonymous_requests_to_the_admin_change_nothing_with_or_without_a_csrf_token(http_client, world):  # noqa: F811
    before = snapshot()
    login = f"/{settings.ADMIN_PATH}login/"
    for method, url in write_urls(world):
        status, headers, _body = http_client.request(method, url, HOSTILE_POST if method == "post" else None)
        if method == "get":
            assert status == 302 and headers["Location"].startswith(login), (method, url, status)
        else:
            assert status == 403, (method, url, status)  # no CSRF token: refused before anything else
    token = http_client.csrf_token()
    for method, url in write_urls(world):
        if method == "post":
            status, headers, _body = http_client.request(method, url, {**HOSTILE_POST, "csrfmiddlewaretoken": token})
            assert status == 302 and headers["Location"].startswith(login), (method, url, status)
    assert snapshot() == before


def test_staff_without_rights_change_nothing_over_http(http_client, world, make_user):  # noqa: F811
    make_user("intern", is_staff=True)
    http_client.log_in("intern")  # staff, but in no group: every admin page is forbidden
    token = http_client.csrf_token()
    before = snapshot()
    for method, url in write_urls(world):
        data = {**HOSTILE_POST, "csrfmiddlewaretoken": token} if method == "post" else None
        status, _headers, _body = http_client.request(method, url, data)
        assert status == 403, (method, url, status)
    assert snapshot() == before


def test_a_non_staff_account_cannot_log_in_to_the_admin(http_client, make_user):
    make_user("delegate")
    token = http_client.csrf_token()
    status, _headers, body = http_client.request(
        "post",
        f"/{settings.ADMIN_PATH}login/",
        {"csrfmiddlewaretoken": token, "username": "delegate", "password": PASSWORD},
    )
    assert status == 200
    assert "errornote" in body
    status, headers, _body = http_client.request("get", f"/{settings.ADMIN_PATH}")
    assert status == 302 and "/login/" in headers["Location"]


def test_the_secretariat_changes_an_entry_over_http(http_client, world, secretariat_user):  # noqa: F811
    from outcomes.models import Entry

    entry = world["entry"]
    http_client.log_in(secretariat_user.username)
    token = http_client.csrf_token()
    status, _headers, _body = http_client.request(
        "post",
        f"/{settings.ADMIN_PATH}outcomes/entry/",
        {"csrfmiddlewaretoken": token, **HOSTILE_POST, "action": "unpublish_selected", "_selected_action": entry.pk},
    )
    assert status == 302
    assert Entry.objects.get(pk=entry.pk).status == "draft"
    public_status, _headers, _body = Browser(http_client.base_url).request("get", entry.get_absolute_url())
    assert public_status == 410  # withdrawn for visitors at once (410 Gone: it was public)
    preview_status, headers, body = http_client.request("get", entry.get_absolute_url())
    assert preview_status == 200 and "Brouillon — non publié" in body  # the secretariat previews its draft
    assert "private" in headers["Cache-Control"]


def test_public_pages_refuse_every_anonymous_write(http_client, world):  # noqa: F811
    before = snapshot()
    entry = world["entry"]
    for path in ["/", entry.get_absolute_url(), "/entries/", "/entries.csv", "/api/entries/", "/countries/SN/"]:
        for method in ["post", "put", "delete", "patch"]:
            status, _headers, _body = http_client.request(method, path, {"text": "piraté"})
            assert status in {403, 405}, (method, path, status)
    assert snapshot() == before

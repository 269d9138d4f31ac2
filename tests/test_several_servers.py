"""Several app servers behind one proxy: two gunicorn processes on the same PostgreSQL database share one Redis.

The test starts its own Redis (`redis-server` on a free port, nothing saved) and two gunicorn processes of one
worker each, as two servers would run, on the test database. A write through one is seen at once through the
other, and the second answers a question the first computed from the shared cache without computing it again.
"""

import http.client
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection

from outcomes.caching import release
from outcomes.models import Country, Entry, EntryCountry, Status

ROOT = Path(settings.BASE_DIR)
PASSWORD = "several-servers-password-1234"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def needs(condition, reason):
    """Skip on a developer's machine, fail in CI (`make test` installs redis-server as it installs Chromium)."""
    if not condition:
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)


@pytest.fixture
def redis_url():
    executable = shutil.which("redis-server")
    needs(executable, "redis-server is not installed (make test installs it)")
    port = free_port()
    process = subprocess.Popen(
        [executable, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    client = redis.Redis(port=port)
    try:
        for _ in range(100):
            try:
                client.ping()
                break
            except redis.ConnectionError:
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=10)


class AppServer:
    """One gunicorn process (one worker) serving the project on the test database, as in production."""

    def __init__(self, redis_url, static_root):
        database = connection.settings_dict
        self.port = free_port()
        env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
        env.update(
            DJANGO_STATIC_ROOT=str(static_root),
            DJANGO_SETTINGS_MODULE="rabatkb.settings",
            DJANGO_DEBUG="false",
            DJANGO_SECRET_KEY="several-servers-test-secret-key-0123456789-abcdefghijklmnop",
            DJANGO_SECURE_SSL_REDIRECT="false",
            DJANGO_ALLOWED_HOSTS="127.0.0.1",
            DJANGO_CACHE_URL=redis_url,
            DATABASE_URL=f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
        )
        gunicorn = Path(sys.executable).with_name("gunicorn")
        self.process = subprocess.Popen(
            [str(gunicorn), "rabatkb.wsgi", "--workers", "1", "--bind", f"127.0.0.1:{self.port}"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for _ in range(200):
            try:
                if self.get("/healthz")[0] == 200:
                    return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise AssertionError(f"gunicorn did not start: {self.process.stderr.read().decode()}")

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def get(self, path, cookies=""):
        return self.send("GET", path, cookies=cookies)

    def send(self, method, path, body=None, cookies=""):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Cookie": cookies} if cookies else {}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        result = response.status, response.read().decode(), response
        conn.close()
        return result


@pytest.fixture
def two_servers(redis_url, tmp_path):
    if connection.vendor != "postgresql":  # the SQLite pass of `make test`: nothing to share between servers
        pytest.skip("several servers share a PostgreSQL database")
    static_root = tmp_path / "static"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "rabatkb.settings", "DJANGO_DEBUG": "true", "DATABASE_URL": ""}
    env["DJANGO_STATIC_ROOT"] = str(static_root)
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    servers = [AppServer(redis_url, static_root), AppServer(redis_url, static_root)]
    yield servers
    for server in servers:
        server.stop()


def cookies_of(response, jar):
    for header, value in response.getheaders():
        if header.lower() == "set-cookie":
            name, _, rest = value.partition("=")
            jar[name] = rest.split(";", 1)[0]
    return "; ".join(f"{name}={value}" for name, value in jar.items())


def csrf_token(html):
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def publish_through(server, entry, username):
    """What the secretariat does: sign in to the admin of `server` and publish `entry` with the list's action."""
    jar = {}
    admin = f"/{settings.ADMIN_PATH}"
    _status, html, response = server.get(f"{admin}login/")
    cookies = cookies_of(response, jar)
    form = f"csrfmiddlewaretoken={csrf_token(html)}&username={username}&password={PASSWORD}&next={admin}"
    status, _html, response = server.send("POST", f"{admin}login/", form, cookies)
    assert status == 302, "signing in failed"
    cookies = cookies_of(response, jar)
    _status, html, response = server.get(f"{admin}outcomes/entry/", cookies)
    cookies = cookies_of(response, jar)
    form = f"csrfmiddlewaretoken={csrf_token(html)}&action=publish_selected&_selected_action={entry.pk}&index=0"
    status, _html, _response = server.send("POST", f"{admin}outcomes/entry/", form, cookies)
    assert status == 302, "the admin action failed"


def redis_calls(url, command):
    stats = redis.Redis.from_url(url).info("commandstats")
    return stats.get(f"cmdstat_{command}", {}).get("calls", 0)


@pytest.mark.servers
@pytest.mark.django_db(transaction=True)
def test_a_write_through_one_server_is_seen_at_once_through_the_other_and_the_cache_is_shared(
    two_servers, redis_url, make_entry, make_session, django_user_model
):
    first, second = two_servers
    senegal, _ = Country.objects.get_or_create(code="SN", defaults={"name_fr": "Sénégal", "name_en": "Senegal"})
    session = make_session()
    shown = make_entry(session=session, text="Patrouilles conjointes aux frontières.")
    EntryCountry.objects.create(entry=shown, country=senegal)
    draft = make_entry(session=session, text="Un centre de formation commun.", status=Status.DRAFT)
    EntryCountry.objects.create(entry=draft, country=senegal)
    # Hashed as production checks it (the test settings hash with MD5, which the servers do not accept).
    password = PBKDF2PasswordHasher().encode(PASSWORD, "several-servers", iterations=1000)
    django_user_model.objects.create(username="secretariat", password=password, is_staff=True, is_superuser=True)
    question = "/entries/?country=SN&kind=good_practice"

    status, html, response = first.get(question)
    assert status == 200 and shown.reference in html and draft.reference not in html
    keys = redis.Redis.from_url(redis_url).keys("*facets*")
    assert keys, "the first server kept the facets of the question in Redis"

    sets, gets = redis_calls(redis_url, "set"), redis_calls(redis_url, "get")
    status, html_second, response_second = second.get(question)
    assert status == 200 and html_second == html
    assert response_second.getheader("ETag") == response.getheader("ETag")
    assert redis_calls(redis_url, "set") == sets, "the second server computed nothing: every part came from Redis"
    assert redis_calls(redis_url, "get") > gets

    publish_through(first, draft, "secretariat")
    assert Entry.objects.get(pk=draft.pk).status == Status.PUBLISHED
    status, html_after, response_after = second.get(question)
    assert status == 200 and draft.reference in html_after and shown.reference in html_after
    assert response_after.getheader("ETag") != response.getheader("ETag")


def test_the_release_in_the_etag_depends_on_file_contents_not_on_where_or_when_they_were_copied(tmp_path, settings):
    copies = []
    for number in (1, 2):
        copy = tmp_path / f"server-{number}" / "rabatkb-checkout"
        for folder in ("templates", "locale", "outcomes", "rabatkb", "static"):
            shutil.copytree(ROOT / folder, copy / folder, ignore=shutil.ignore_patterns("__pycache__"))
        copies.append(copy)
    os.utime(copies[1] / "templates" / "base.html", (1_000_000_000, 1_000_000_000))

    def release_of(base):
        settings.BASE_DIR = base
        return release.__wrapped__()

    assert release_of(copies[0]) == release_of(copies[1]) == release_of(ROOT)
    (copies[1] / "templates" / "base.html").write_text("changed", encoding="utf-8")
    assert release_of(copies[1]) != release_of(copies[0])

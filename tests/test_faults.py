"""Fault tests: the production server (gunicorn, debug off) under a steady stream of requests while its PostgreSQL,
then its Redis, is stopped and started again. Everything runs on 127.0.0.1 with private instances on free ports
(own data directory in a temporary folder); the shared PostgreSQL and Redis are never touched.

PostgreSQL runs as the `postgres` system user, so these tests need root: without it they are skipped with the
reason, except in CI (CI set), where they fail. `make test` installs redis-server when it is missing.
"""

import glob
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parent.parent
PAGES = ["/", "/entries/?country=SN", "/en/meetings/", "/api/entries/?country=SN"]
PRODUCTION_ENV = {
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": "fault-tests-only-secret-key-of-fifty-characters-or-more-0123456789",
    "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
    "DJANGO_SECURE_SSL_REDIRECT": "false",
    "DJANGO_LOG_LEVEL": "WARNING",
}


def require(ok, reason):
    """Skip on a developer's machine, fail in CI: a fault test that never runs proves nothing."""
    if not ok:
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(condition, seconds, what):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"{what}: not within {seconds} s")


def environment(**overrides):
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "DATABASE_URL"))}
    return {**env, **PRODUCTION_ENV, **overrides}


def manage(*args, env):
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout + result.stderr


# Private servers -------------------------------------------------------------------------------------------------


class PrivatePostgres:
    """A PostgreSQL cluster of its own in a temporary folder, on a free port, started and stopped at will."""

    def __init__(self, bin_dir, folder):
        self.bin_dir, self.folder, self.port = Path(bin_dir), Path(folder), free_port()
        self.data, self.process = self.folder / "data", None
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/postgres"

    def init(self):
        subprocess.run(
            [self.bin_dir / "initdb", "-D", self.data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C"],
            user="postgres",
            check=True,
            capture_output=True,
            timeout=120,
        )

    def start(self):
        options = ["-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "full_page_writes=off"]
        self.process = subprocess.Popen(
            [self.bin_dir / "postgres", "-D", self.data, "-p", str(self.port), "-k", self.folder, *options],
            user="postgres",
            stdout=subprocess.DEVNULL,
            stderr=open(self.folder / "postgres.log", "ab"),  # noqa: SIM115 (closed with the process)
        )
        wait_until(self.accepts_connections, 60, "PostgreSQL did not start")

    def accepts_connections(self):
        import psycopg

        try:
            psycopg.connect(self.url, connect_timeout=2).close()
            return True
        except psycopg.OperationalError:
            return False

    def stop(self):
        """A fast shutdown: open connections are closed, as when an operator restarts the server."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            self.process.wait(timeout=60)
        self.process = None


class PrivateRedis:
    def __init__(self):
        self.port, self.process = free_port(), None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )
        wait_until(self.responds, 30, "Redis did not start")

    def responds(self):
        import redis

        try:
            return self.client().ping()
        except redis.ConnectionError:
            return False

    def client(self):
        import redis

        return redis.Redis.from_url(self.url, socket_connect_timeout=1, retry=None)

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)
        self.process = None


class Gunicorn:
    def __init__(self, env, log_path):
        self.port, self.env, self.log_path = free_port(), env, log_path

    def __enter__(self):
        command = [sys.executable, "-m", "gunicorn", "rabatkb.wsgi", "-b", f"127.0.0.1:{self.port}", "-w", "2"]
        self.process = subprocess.Popen(
            [*command, "--timeout", "30", "--graceful-timeout", "5"],
            cwd=BASE_DIR,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=open(self.log_path, "ab"),  # noqa: SIM115 (closed with the process)
        )
        wait_until(lambda: get(self.port, "/healthz")[0] == 200, 60, "gunicorn did not start")
        return self

    def __exit__(self, *exc):
        self.process.terminate()
        self.process.wait(timeout=30)

    def log(self):
        return Path(self.log_path).read_text(errors="replace")


def get(port, path, timeout=10):
    """(status, headers, body); status None when the server could not be reached."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    except OSError:
        return None, {}, b""
    finally:
        connection.close()


@dataclass
class Answer:
    started: float
    seconds: float
    path: str
    status: int | None


class Traffic(threading.Thread):
    """A steady stream of requests over the site's pages, the API and /readyz, every answer recorded."""

    def __init__(self, port):
        super().__init__(daemon=True)
        self.port, self.answers, self.stopping = port, [], threading.Event()

    def run(self):
        paths = [*PAGES, "/readyz"]
        while not self.stopping.is_set():
            for path in paths:
                started = time.monotonic()
                status = get(self.port, path)[0]
                self.answers.append(Answer(started, time.monotonic() - started, path, status))
            time.sleep(0.02)

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stopping.set()
        self.join(timeout=30)

    def between(self, start, end, paths=None):
        """The answers to requests sent and answered between the two moments."""
        return [
            answer
            for answer in self.answers
            if start <= answer.started
            and answer.started + answer.seconds < end
            and (paths is None or answer.path in paths)
        ]


# Fixtures --------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def postgres_bin():
    require(os.geteuid() == 0 or os.environ.get("CI"), "starting a private PostgreSQL needs root (runs as postgres)")
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True) or [shutil.which("initdb")]
    require(found[0] is not None, "PostgreSQL's initdb is not installed")
    return Path(found[0]).parent


@pytest.fixture(scope="module")
def postgres(postgres_bin):
    """A private PostgreSQL with the site's tables and the real fixtures; stopped and removed at the end."""
    folder = tempfile.mkdtemp(prefix="rabatkb-faults-")
    shutil.chown(folder, "postgres", "postgres")
    server = PrivatePostgres(postgres_bin, folder)
    try:
        server.init()
        server.start()
        env = environment(DATABASE_URL=server.url)
        manage("migrate", "--noinput", env=env)
        manage("load_fixtures", env=env)
        yield server
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")
def static_root(tmp_path_factory):
    """collectstatic, as a deployment runs it: the error pages need the manifest of hashed files."""
    root = tmp_path_factory.mktemp("static")
    manage("collectstatic", "--noinput", env=environment(DJANGO_STATIC_ROOT=str(root)))
    return root


@pytest.fixture
def redis_server():
    require(shutil.which("redis-server"), "redis-server is not installed (make test installs it)")
    server = PrivateRedis()
    server.start()
    yield server
    server.stop()


# The tests -------------------------------------------------------------------------------------------------------


def test_postgresql_stopped_and_started_under_load_gives_503s_never_500s(postgres, static_root, tmp_path):
    env = environment(DATABASE_URL=postgres.url, DJANGO_STATIC_ROOT=str(static_root))
    with Gunicorn(env, tmp_path / "gunicorn.log") as server, Traffic(server.port) as traffic:
        time.sleep(1.5)
        stopping = time.monotonic()
        postgres.stop()
        down = time.monotonic()
        time.sleep(2.5)
        page = get(server.port, "/entries/")
        api = get(server.port, "/api/entries/")
        ready = get(server.port, "/readyz")
        restarting = time.monotonic()
        postgres.start()
        wait_until(lambda: get(server.port, "/readyz")[0] == 200, 30, "/readyz did not come back")
        back = time.monotonic()
        time.sleep(2)

    statuses = {answer.status for answer in traffic.answers}
    assert statuses <= {200, 503}, statuses  # never a 500, never a dropped connection
    assert {a.status for a in traffic.between(0, stopping)} == {200}
    during = traffic.between(down, restarting)
    assert len(during) >= 10
    assert {a.status for a in during} == {503}
    assert all(a.seconds < 5 for a in during)
    assert {a.status for a in traffic.between(back, float("inf"))} == {200}  # no error once it is back
    assert len(traffic.between(back, float("inf"))) >= 10

    assert page[0] == 503 and page[1]["Retry-After"] == "30"
    assert "Service temporarily unavailable" in page[2].decode()
    assert api[0] == 503 and json.loads(api[2])["reason"] == "database"
    assert ready[0] == 503 and json.loads(ready[2])["down"] == ["database"]
    assert "Internal Server Error" not in server.log()


def test_redis_stopped_and_started_under_load_keeps_the_site_serving(postgres, static_root, redis_server, tmp_path):
    env = environment(DATABASE_URL=postgres.url, DJANGO_STATIC_ROOT=str(static_root), DJANGO_CACHE_URL=redis_server.url)
    with Gunicorn(env, tmp_path / "gunicorn.log") as server, Traffic(server.port) as traffic:
        time.sleep(1.5)
        assert redis_server.client().dbsize() > 0  # the site does cache in this Redis
        stopping = time.monotonic()
        redis_server.stop()
        down = time.monotonic()
        time.sleep(2.5)
        ready = get(server.port, "/readyz")
        restarting = time.monotonic()
        redis_server.start()
        wait_until(lambda: get(server.port, "/readyz")[0] == 200, 30, "/readyz did not come back")
        back = time.monotonic()
        time.sleep(1.5)

    pages = set(PAGES)
    assert {a.status for a in traffic.answers if a.path in pages} == {200}  # before, during and after
    assert {a.status for a in traffic.between(0, stopping, pages)} == {200}
    during = traffic.between(down, restarting, pages)
    assert len(during) >= 10
    assert all(a.seconds < 3 for a in during)
    assert ready[0] == 503 and json.loads(ready[2])["down"] == ["cache:default"]
    assert {a.status for a in traffic.between(back, float("inf"))} == {200}
    assert "Internal Server Error" not in server.log()

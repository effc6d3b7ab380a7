"""More than one node: two `klient serve` and two `klient worker` processes, each with a
KLIENT_HOME of its own (as on separate machines), sharing one PostgreSQL database, one
Redis, the secret key and the files folder (docs/deployment.md).

One test, in three parts, because starting the four processes is most of its cost (and
two copies of the cluster, on two pytest-xdist workers, would share the Redis queue):

- sessions and sign-in throttling: a session made on one node works on the other, and
  failed sign-ins on both nodes add up to one lock;
- periodic jobs: both workers' schedulers enqueue each due periodic job, and it runs
  once (core.periodic_runs);
- the outbox: a worker killed with SIGKILL in the middle of a durable job; the sweep
  dispatches the job again, the other worker completes it, and its effect is there once.

Runs in CI's PostgreSQL run (KLIENT_DATABASE_URL, KLIENT_TEST_REDIS_URL); skipped on SQLite,
whose database is a file on one machine, and without a Redis to share.
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
import pytest
import redis

DATABASE_URL = os.environ.get("KLIENT_DATABASE_URL", "")
REDIS_URL = os.environ.get("KLIENT_TEST_REDIS_URL", "")
# The nodes' Redis database: not 0, which other tests' workers use (tests/cli).
REDIS_DB = 5
ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "Two-nodes-Passw0rd"
LOGIN_FAILURE_LIMIT = 3
TIMEOUT = 120  # seconds any one wait may take before the test gives up (a loaded machine)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        urllib.parse.urlparse(DATABASE_URL).scheme not in ("postgres", "postgresql"),
        reason="needs PostgreSQL (KLIENT_DATABASE_URL): nodes cannot share SQLite, "
        "a file on one machine",
    ),
    pytest.mark.skipif(
        not REDIS_URL, reason="needs Redis (KLIENT_TEST_REDIS_URL) for the shared job queue"
    ),
]

# The processes under test import the probe jobs right after Django starts, then run
# the real commands.
WORKER = """
import django, sys
django.setup()
import tests.deploy.probe_jobs
from klient.cli import main
sys.exit(main(["worker"]))
"""
SETUP = """
import django, sys
django.setup()
from django.core.management import call_command
from django.db import connection
from klient.core.services import user_create, workspace_create
call_command("migrate", interactive=False, verbosity=0)
with connection.cursor() as cursor:
    cursor.execute(
        "CREATE TABLE nodes_probe_effect (id serial PRIMARY KEY, kind text NOT NULL,"
        " key text NOT NULL, pid integer NOT NULL)"
    )
workspace = workspace_create(name="Two nodes")
user_create(workspace=workspace, username="alice", role="admin", password=sys.argv[1])
user_create(workspace=workspace, username="bob", role="agent", password=sys.argv[1])
"""
ENQUEUE = """
import django
django.setup()
import tests.deploy.probe_jobs as probe
print(probe.probe_write.enqueue(key="kill-1"))
"""
# The sweep, as the workers' periodic job runs it once a minute. It runs here with
# KLIENT_OUTBOX_REDISPATCH_AFTER=1 (a job's worker counts as dead after 1 s), the workers
# keep the default of 300 s: their own sweeps leave the killed job to this one.
SWEEP = """
import django, sys, time
django.setup()
import tests.deploy.probe_jobs
from klient.core.jobs import outbox_sweep
from klient.core.models import OutboxJob
outbox_id = int(sys.argv[1])
deadline = time.monotonic() + 30
while time.monotonic() < deadline:
    swept = outbox_sweep()
    if swept or not OutboxJob.objects.filter(pk=outbox_id, status="pending").exists():
        break
    time.sleep(0.2)
print(swept)
"""


# --- processes ---------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _with_db(url: str, name: str) -> str:
    return urllib.parse.urlparse(url)._replace(path=f"/{name}").geturl()


@dataclass
class Process:
    name: str
    popen: subprocess.Popen[bytes]
    log: Path

    def tail(self) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return f"--- {self.name} (pid {self.popen.pid}) ---\n" + "\n".join(text.splitlines()[-25:])


@dataclass
class Cluster:
    base: Path
    env: dict[str, str]
    db_url: str
    webs: list[tuple[Process, str]] = field(default_factory=list)
    workers: list[Process] = field(default_factory=list)

    def start(self, name: str, args: list[str], home: str) -> Process:
        log = self.base / f"{name}.log"
        with log.open("wb") as out:
            popen = subprocess.Popen(
                args,
                cwd=ROOT,
                env=dict(self.env, KLIENT_HOME=str(self.base / home)),
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        return Process(name, popen, log)

    def python(self, script: str, *args: str, **env: str) -> str:
        done = subprocess.run(
            [sys.executable, "-c", script, *args],
            cwd=ROOT,
            env=dict(self.env, KLIENT_HOME=str(self.base / "tools"), **env),
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()

    def sql(self, query: str, *params: Any) -> list[tuple[Any, ...]]:
        with psycopg.connect(self.db_url, autocommit=True) as conn:
            return conn.execute(query, params).fetchall()

    def logs(self) -> str:
        return "\n".join(p.tail() for p in [*(w for w, _ in self.webs), *self.workers])

    def wait(self, what: str, ready: Callable[[], Any]) -> Any:
        """Poll `ready` until it returns something truthy; fail with the logs after TIMEOUT."""
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            for process in [*(w for w, _ in self.webs), *self.workers]:
                if process.popen.poll() is not None and process.popen.returncode != -9:
                    raise AssertionError(f"{process.name} exited\n{self.logs()}")
            result = ready()
            if result:
                return result
            time.sleep(0.1)
        raise AssertionError(f"timed out waiting for {what}\n{self.logs()}")


def _start_early_in_a_minute() -> None:
    """Both workers' schedulers enqueue the due periodic jobs as they start: start them
    early in a minute, so that both do it for the same minute (no assertion on time)."""
    now = datetime.now(UTC)
    if now.second >= 40:
        time.sleep(60 - now.second - now.microsecond / 1e6 + 0.2)


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[Cluster]:
    db_name = urllib.parse.urlparse(DATABASE_URL).path.lstrip("/") + "_twonodes"
    admin_url = _with_db(DATABASE_URL, "postgres")
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{db_name}"')
    redis_url = _with_db(REDIS_URL, str(REDIS_DB))
    queue = redis.Redis.from_url(redis_url)
    queue.flushdb()
    (tmp_path / "files").mkdir()
    (tmp_path / "probe").mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("KLIENT_")}
    env.update(
        DJANGO_SETTINGS_MODULE="klient.settings",
        PYTHONPATH=os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep),
        # What every node shares (docs/deployment.md).
        KLIENT_DATABASE_URL=_with_db(DATABASE_URL, db_name),
        KLIENT_REDIS_URL=redis_url,
        KLIENT_SECRET_KEY=secrets.token_urlsafe(50),
        KLIENT_FILES_DIR=str(tmp_path / "files"),
        KLIENT_LOGIN_FAILURE_LIMIT=str(LOGIN_FAILURE_LIMIT),
        KLIENT_LOG_LEVEL="INFO",
        KLIENT_TEST_PROBE_DIR=str(tmp_path / "probe"),
    )
    cluster = Cluster(base=tmp_path, env=env, db_url=env["KLIENT_DATABASE_URL"])
    try:
        cluster.python(SETUP, PASSWORD)
        _start_early_in_a_minute()
        serve = [sys.executable, "-m", "klient.cli", "serve", "--no-migrate", "--workers", "1"]
        for index in (1, 2):
            port = _free_port()
            web = cluster.start(f"web{index}", [*serve, "--port", str(port)], f"web{index}")
            cluster.webs.append((web, f"http://127.0.0.1:{port}"))
        for index in (1, 2):
            cluster.workers.append(
                cluster.start(f"worker{index}", [sys.executable, "-c", WORKER], f"worker{index}")
            )
        for _web, url in cluster.webs:
            cluster.wait(f"{url} to serve", lambda url=url: _up(url))
        yield cluster
    finally:
        webs = [web for web, _url in cluster.webs]
        processes = [*webs, *cluster.workers]
        for process in processes:
            if process.popen.poll() is None:
                # gunicorn stops at once on SIGINT (SIGTERM waits for its requests).
                process.popen.send_signal(signal.SIGINT if process in webs else signal.SIGTERM)
        for process in processes:
            try:
                process.popen.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.popen.kill()
                process.popen.wait()
        queue.flushdb()
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')


# --- HTTP --------------------------------------------------------------------------------


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


@dataclass
class Response:
    status: int
    location: str
    body: str


class Browser:
    """One browser: a cookie jar, redirects not followed. Cookies do not depend on the
    port, so it sends node 1's cookies to node 2, as behind one address."""

    def __init__(self) -> None:
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), _NoRedirects()
        )

    def request(self, url: str, data: dict[str, str] | None = None) -> Response:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            with self.opener.open(urllib.request.Request(url, data=body), timeout=30) as reply:
                return Response(reply.status, reply.headers.get("Location", ""), _text(reply))
        except urllib.error.HTTPError as reply:
            return Response(reply.code, reply.headers.get("Location", ""), _text(reply))

    def csrf(self) -> str:
        return next(str(c.value) for c in self.cookies if c.name == "csrftoken")

    def post(self, url: str, data: dict[str, str]) -> Response:
        return self.request(url, {**data, "csrfmiddlewaretoken": self.csrf()})

    def login(self, node: str, username: str, password: str) -> Response:
        assert self.request(f"{node}/accounts/login/").status == 200
        return self.post(f"{node}/accounts/login/", {"username": username, "password": password})


def _text(reply: Any) -> str:
    return str(reply.read().decode("utf-8", errors="replace"))


def _up(url: str) -> bool:
    try:
        return Browser().request(f"{url}/accounts/login/").status == 200
    except OSError:
        return False


# --- the test ----------------------------------------------------------------------------


def test_two_nodes_share_sessions_throttling_periodic_runs_and_the_outbox(cluster: Cluster):
    _sessions_and_throttling_are_shared(cluster)
    _each_periodic_job_runs_once_per_minute(cluster)
    _a_job_whose_worker_is_killed_takes_effect_once(cluster)


def _sessions_and_throttling_are_shared(cluster: Cluster) -> None:
    node1, node2 = (url for _web, url in cluster.webs)
    browser = Browser()
    assert browser.request(f"{node2}/").location.startswith("/accounts/login/")

    signed_in = browser.login(node1, "alice", PASSWORD)
    assert (signed_in.status, signed_in.location) == (302, "/")
    home = browser.request(f"{node2}/")
    assert home.status == 200
    assert "alice" in home.body

    # Signing out on node 2 ends the session on node 1 too.
    assert browser.post(f"{node2}/accounts/logout/", {}).status == 302
    assert browser.request(f"{node1}/").location.startswith("/accounts/login/")

    # Failed sign-ins count on both nodes together; the lock holds on either.
    guesser = Browser()
    statuses = [
        guesser.login(node, "bob", "wrong-password").status for node in (node1, node2, node1)
    ]
    assert statuses == [200, 200, 429]  # the third failure reaches the limit of 3
    refused = guesser.login(node2, "bob", PASSWORD)
    assert refused.status == 429
    assert "Too many failed sign-in attempts" in refused.body


SKIPPED = re.compile(
    r"periodic job tests\.deploy\.probe_tick: the run due at (\S+) was taken by another "
    r"worker; skipped"
)


def _each_periodic_job_runs_once_per_minute(cluster: Cluster) -> None:
    def skips() -> list[str]:
        return [
            due
            for worker in cluster.workers
            for due in SKIPPED.findall(worker.log.read_text(errors="replace"))
        ]

    def ran_once_a_minute() -> list[str]:
        rows = cluster.sql("SELECT key FROM nodes_probe_effect WHERE kind = 'tick' ORDER BY key")
        minutes = [minute for (minute,) in rows]
        assert len(minutes) == len(set(minutes)), f"a minute's tick ran twice: {minutes}"
        return minutes

    def settled() -> bool:
        ran, skipped = ran_once_a_minute(), skips()
        return bool(skipped) and set(skipped) <= set(ran)

    # Each worker's scheduler enqueued the tick as it started, into the shared queue:
    # twice for one minute (either worker may run either copy). One copy ran, the
    # other found the minute claimed and skipped.
    cluster.wait("a tick enqueued twice for one minute to run once", settled)
    ran_once_a_minute()


def _a_job_whose_worker_is_killed_takes_effect_once(cluster: Cluster) -> None:
    probe = cluster.base / "probe"
    outbox_id = int(cluster.python(ENQUEUE))

    def started() -> list[int]:
        return [int(path.name.rsplit("-", 1)[1]) for path in probe.glob("started-kill-1-*")]

    # The job has written its effect row and sleeps, its transaction open: kill its worker.
    [pid] = cluster.wait("a worker to start the job", started)
    [victim] = [worker for worker in cluster.workers if worker.popen.pid == pid]
    [survivor] = [worker for worker in cluster.workers if worker is not victim]
    victim.popen.send_signal(signal.SIGKILL)
    victim.popen.wait(timeout=30)
    job_row = "SELECT status, attempts FROM core_outboxjob WHERE id = %s"
    assert cluster.sql(job_row, outbox_id) == [("pending", 1)]
    effects = "SELECT pid FROM nodes_probe_effect WHERE kind = 'job' AND key = 'kill-1'"
    assert cluster.sql(effects) == []  # the dead attempt's write was never committed

    # The sweep dispatches the job again and the surviving worker completes it.
    assert cluster.python(SWEEP, str(outbox_id), KLIENT_OUTBOX_REDISPATCH_AFTER="1") == "1"
    cluster.wait("the job to be done", lambda: cluster.sql(job_row, outbox_id)[0][0] == "done")
    assert cluster.sql(job_row, outbox_id) == [("done", 2)]
    assert cluster.sql(effects) == [(survivor.popen.pid,)]
    assert sorted(started()) == sorted([victim.popen.pid, survivor.popen.pid])

    # Nothing is left to dispatch, and the effect stays single.
    assert cluster.python(SWEEP, str(outbox_id), KLIENT_OUTBOX_REDISPATCH_AFTER="1") == "0"
    assert cluster.sql(effects) == [(survivor.popen.pid,)]

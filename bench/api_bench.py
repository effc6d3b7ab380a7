"""Client-360 phase: GET /api/v1/people/{id}/360 from the production server vs a bare handler.

Both are served by `gunicorn -w 2` on 127.0.0.1 and loaded the same way: `wrk`
(with a Lua script for p50/p95) when it is installed, else a small keep-alive
client in Python threads. The first is preferred: on a 2-core machine a Python
client takes CPU the servers need.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench.report import Report, percentile

REPO = Path(__file__).resolve().parent.parent
PATH = "/api/v1/people/{}/360"

WRK_SCRIPT = """
local ids = {%(ids)s}
local counter = 0
request = function()
  counter = counter + 1
  local id = ids[(counter %% #ids) + 1]
  return wrk.format("GET", "/api/v1/people/" .. id .. "/360",
                    {["Authorization"] = "Bearer %(token)s"})
end
done = function(summary, latency, requests)
  io.write(string.format(
    "WRK-JSON {\\"requests\\": %%d, \\"duration_us\\": %%d, \\"p50_us\\": %%d, \\"p95_us\\": %%d, "
    .. "\\"p99_us\\": %%d, \\"non2xx\\": %%d, \\"socket_errors\\": %%d}\\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def gunicorn_serving(app: str, *, env: dict[str, str], log: Path) -> Iterator[int]:
    """`gunicorn -w 2 APP` on a free loopback port until the block ends."""
    port = _free_port()
    with log.open("ab") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "-w",
                "2",
                "-b",
                f"127.0.0.1:{port}",
                "--pythonpath",
                str(REPO),
                app,
            ],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"gunicorn {app} exited; see {log}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                time.sleep(0.2)
        else:
            raise RuntimeError(f"gunicorn {app} did not start; see {log}")
        yield port
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _get(port: int, path: str, token: str) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path, headers={"Authorization": f"Bearer {token}"})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def _wrk(port: int, *, ids: list[int], token: str, seconds: float, connections: int) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT % {"ids": ",".join(map(str, ids)), "token": token})
    try:
        done = subprocess.run(
            [
                "wrk",
                "-t",
                "1",
                "-c",
                str(connections),
                "-d",
                f"{seconds:g}s",
                "--timeout",
                "10s",
                "-s",
                script.name,
                f"http://127.0.0.1:{port}",
            ],
            capture_output=True,
            text=True,
            check=True,
        )
    finally:
        os.unlink(script.name)
    line = next(x for x in done.stdout.splitlines() if x.startswith("WRK-JSON "))
    data = json.loads(line[len("WRK-JSON ") :])
    return {
        "rps": data["requests"] / (data["duration_us"] / 1e6),
        "p50_ms": data["p50_us"] / 1000,
        "p95_ms": data["p95_us"] / 1000,
        "p99_ms": data["p99_us"] / 1000,
        "requests": data["requests"],
        "errors": data["non2xx"] + data["socket_errors"],
        "client": "wrk",
    }


def _python_load(
    port: int, *, ids: list[int], token: str, seconds: float, connections: int
) -> dict:
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop_at = time.perf_counter() + seconds

    def worker(offset: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine: list[float] = []
        index = offset
        while time.perf_counter() < stop_at:
            index += connections
            started = time.perf_counter()
            try:
                conn.request(
                    "GET",
                    PATH.format(ids[index % len(ids)]),
                    headers={"Authorization": f"Bearer {token}"},
                )
                response = conn.getresponse()
                response.read()
                if response.status != 200:
                    errors[0] += 1
            except (OSError, http.client.HTTPException):
                errors[0] += 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                continue
            mine.append(time.perf_counter() - started)
        with lock:
            latencies.extend(mine)

    started = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(n,)) for n in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    return {
        "rps": len(latencies) / elapsed,
        "p50_ms": percentile(latencies, 0.5) * 1000,
        "p95_ms": percentile(latencies, 0.95) * 1000,
        "p99_ms": percentile(latencies, 0.99) * 1000,
        "requests": len(latencies),
        "errors": errors[0],
        "client": "python threads",
    }


ROUNDS = 3


def measure_pair(
    ports: dict[str, int], *, ids: list[int], token: str, seconds: float, connections: int
) -> dict[str, dict]:
    """Load each server in turn, ROUNDS times, alternating: other work on a shared machine
    then slows both alike instead of whichever ran while it happened. Requests/s is the
    total over all rounds; p50/p95 the median of the rounds'."""
    load = _wrk if shutil.which("wrk") else _python_load
    for port in ports.values():  # warm: imports, connections, page cache
        load(port, ids=ids, token=token, seconds=min(3.0, seconds), connections=connections)
    rounds: dict[str, list[dict]] = {name: [] for name in ports}
    for _ in range(ROUNDS):
        for name, port in ports.items():
            rounds[name].append(
                load(port, ids=ids, token=token, seconds=seconds / ROUNDS, connections=connections)
            )
    out = {}
    for name, runs in rounds.items():
        requests = sum(run["requests"] for run in runs)
        elapsed = sum(run["requests"] / run["rps"] for run in runs if run["rps"])
        out[name] = {
            "rps": requests / elapsed if elapsed else 0.0,
            "p50_ms": sorted(run["p50_ms"] for run in runs)[len(runs) // 2],
            "p95_ms": sorted(run["p95_ms"] for run in runs)[len(runs) // 2],
            "p99_ms": sorted(run["p99_ms"] for run in runs)[len(runs) // 2],
            "requests": requests,
            "errors": sum(run["errors"] for run in runs),
            "client": runs[0]["client"],
            "rounds_rps": [round(run["rps"]) for run in runs],
        }
    return out


def _selector_only(ids: list[int], admin: Any) -> dict:
    """In-process person_360 + orjson, when the endpoint is not there to be served."""
    import orjson

    from klient.contacts.selectors import person_360

    times = []
    for person_id in ids[:2000]:
        started = time.perf_counter()
        orjson.dumps(person_360(user=admin, person_id=person_id))
        times.append(time.perf_counter() - started)
    return {
        "p50_ms": percentile(times, 0.5) * 1000,
        "p95_ms": percentile(times, 0.95) * 1000,
        "rps_one_core": len(times) / sum(times),
    }


def phase_api(args: argparse.Namespace, ctx: dict[str, Any], report: Report) -> None:
    from django.db import connection

    from klient.contacts.models import Person
    from klient.core.models import User

    rnd = random.Random(args.seed + 11)
    max_id = Person.objects.order_by("-id").values_list("id", flat=True).first() or 0
    ids = [rnd.randint(1, max_id) for _ in range(5000)]
    admin = User.objects.get(pk=ctx["admin"].pk)
    connection.close()
    env = {
        **os.environ,
        "KLIENT_HOME": str(ctx["home"]),
        "KLIENT_DEBUG": "0",
        "DJANGO_SETTINGS_MODULE": "klient.settings",
        "BARE_SQLITE_PATH": ctx["sqlite_path"],
    }
    log = Path(ctx["home"]) / "gunicorn.log"
    token = ctx["token"]
    with (
        gunicorn_serving("klient.wsgi", env=env, log=log) as port,
        gunicorn_serving("bench.limits.bare_wsgi:application", env=env, log=log) as bare_port,
    ):
        status, body = _get(port, PATH.format(ids[0]), token)
        if status != 200:
            print(
                f"api     GET {PATH.format(ids[0])} -> {status}: {body[:200]!r}; "
                "measuring the selector in-process instead",
                flush=True,
            )
            selector = _selector_only(ids, admin)
            report.extra("api", endpoint_missing=True, status=status, selector=selector)
            print(
                f"api     person_360 + orjson in-process: p50 {selector['p50_ms']:.2f} ms, "
                f"p95 {selector['p95_ms']:.2f} ms, {selector['rps_one_core']:,.0f}/s on one core"
            )
            return
        product_sample = json.loads(body)
        status, body = _get(bare_port, PATH.format(ids[0]), token)
        bare_sample = json.loads(body) if status == 200 else {}
        measured = measure_pair(
            {"ours": port, "bare": bare_port},
            ids=ids,
            token=token,
            seconds=args.api_seconds,
            connections=args.api_connections,
        )
    ours, bare = measured["ours"], measured["bare"]
    report.figure(
        "api",
        "GET /people/{id}/360 req/s",
        ours["rps"],
        bare["rps"],
        limit_name="bare WSGI sqlite3+orjson"
        if ctx["vendor"] == "sqlite"
        else "bare WSGI psycopg+orjson",
        higher_is_better=True,
        goal=">= 0.40",
    )
    for key, label in (("p50_ms", "p50 ms"), ("p95_ms", "p95 ms")):
        report.figure(
            "api",
            f"GET /people/{{id}}/360 {label}",
            ours[key],
            bare[key],
            limit_name="bare WSGI",
            higher_is_better=False,
            goal="p95 < 20 ms" if key == "p95_ms" else "",
        )
    report.extra(
        "api",
        ours=ours,
        bare=bare,
        connections=args.api_connections,
        seconds=args.api_seconds,
        workers=2,
        same_keys=sorted(product_sample) == sorted(bare_sample),
        timeline_lengths=(
            len(product_sample.get("timeline", [])),
            len(bare_sample.get("timeline", [])),
        ),
    )
    print(
        f"api     load client {ours['client']}, {args.api_connections} connections, "
        f"{args.api_seconds:g} s; errors ours {ours['errors']}, bare {bare['errors']}; "
        f"same top-level keys: {sorted(product_sample) == sorted(bare_sample)}; "
        f"req/s per round ours {ours['rounds_rps']}, bare {bare['rounds_rps']}"
    )

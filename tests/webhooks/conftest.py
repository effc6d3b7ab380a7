"""Webhook fixtures: a real HTTP receiver on 127.0.0.1 (allowed through the guard's
allowlist), a guard that fails the test on any connection, and webhooks made through the
service."""

from __future__ import annotations

import socket
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.test import Client

from klient.webhooks import deliveries
from klient.webhooks.services import webhook_create

FIXED_NOW = 1_767_225_600  # 2026-01-01 00:00:00 UTC


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """Answers each POST with the next status of `statuses` (the last one repeats)."""

    port: int
    statuses: list[int] = field(default_factory=lambda: [200])
    answer: bytes = b'{"ok": true}'
    requests: list[Received] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/klient"

    def next_status(self) -> int:
        return self.statuses.pop(0) if len(self.statuses) > 1 else self.statuses[0]


@pytest.fixture
def receiver(settings):
    settings.KLIENT_WEBHOOK_ALLOW_PRIVATE = ["127.0.0.1/32"]
    state: dict[str, Receiver] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            target = state["receiver"]
            body = self.rfile.read(int(self.headers["Content-Length"]))
            target.requests.append(Received(self.path, dict(self.headers.items()), body))
            self.send_response(target.next_status())
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(target.answer)))
            self.end_headers()
            self.wfile.write(target.answer)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state["receiver"] = Receiver(port=server.server_address[1])
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield state["receiver"]
    server.shutdown()
    server.server_close()


@pytest.fixture
def no_connections(monkeypatch):
    """Any TCP connection attempt fails the test: refusals must come before one."""

    def refuse(*args: object, **kwargs: object) -> socket.socket:
        pytest.fail(f"a connection was attempted: {args!r}")

    monkeypatch.setattr(socket, "create_connection", refuse)


@pytest.fixture
def fixed_clock(monkeypatch):
    monkeypatch.setattr(deliveries, "unix_now", lambda: FIXED_NOW)
    return FIXED_NOW


@pytest.fixture
def hook(admin, receiver):
    """An active webhook of the admin's workspace to the receiver, for interactions."""
    return webhook_create(actor=admin, url=receiver.url, event_names=["interaction.created"])


@pytest.fixture
def client_for():
    """client_for(user) -> a Django test client signed in as that user."""

    def make(user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make

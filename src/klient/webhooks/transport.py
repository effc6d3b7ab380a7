"""One HTTP POST to a checked target (klient.webhooks.guard), standard library only.

The connection goes to the addresses the guard checked, never to a fresh lookup of the
name; the name still travels in the Host header and as TLS SNI, and the certificate is
verified against it. No redirect is followed (a 3xx is a failed attempt: it could point
anywhere) and proxy variables are ignored. Each socket operation times out after
`timeout` seconds and a watchdog ends the whole exchange after `deadline` seconds, so a
server dripping one byte at a time cannot hold a worker.
"""

from __future__ import annotations

import contextlib
import http.client
import socket
import ssl
import threading
import time
from dataclasses import dataclass

from klient.webhooks.guard import Target

# Enough of the answer for the log's excerpt; the rest is never read.
READ_BYTES = 4096


@dataclass(frozen=True)
class Answer:
    status: int
    body: str
    duration_ms: int


class DeliveryFailed(Exception):
    """No HTTP answer: the connection failed, timed out or was cut."""

    def __init__(self, message: str, *, duration_ms: int) -> None:
        super().__init__(message)
        self.duration_ms = duration_ms


class _Pinned:
    """Opens the TCP connection to the checked addresses, in their order."""

    raw: socket.socket | None = None

    def _open(self, addresses: tuple[str, ...], port: int, timeout: float) -> socket.socket:
        error: OSError | None = None
        for address in addresses:
            try:
                self.raw = socket.create_connection((address, port), timeout)
            except OSError as exc:
                error = exc
                continue
            return self.raw
        raise error or OSError("no address to connect to")


class _PinnedHTTP(_Pinned, http.client.HTTPConnection):
    def __init__(self, target: Target, *, timeout: float) -> None:
        super().__init__(target.host, target.port, timeout=timeout)
        self.addresses = target.addresses

    def connect(self) -> None:
        self.sock = self._open(self.addresses, self.port, self.timeout)  # type: ignore[arg-type]


class _PinnedHTTPS(_Pinned, http.client.HTTPSConnection):
    def __init__(self, target: Target, *, timeout: float) -> None:
        self.tls = ssl.create_default_context()
        super().__init__(target.host, target.port, timeout=timeout, context=self.tls)
        self.addresses = target.addresses

    def connect(self) -> None:
        raw = self._open(self.addresses, self.port, self.timeout)  # type: ignore[arg-type]
        try:
            self.sock = self.tls.wrap_socket(raw, server_hostname=self.host)
        except BaseException:
            raw.close()
            raise


def post(
    target: Target, *, body: bytes, headers: dict[str, str], timeout: float, deadline: float
) -> Answer:
    """POST `body`; the status and the start of the answer, or DeliveryFailed."""
    connection: _PinnedHTTP | _PinnedHTTPS = (
        _PinnedHTTPS(target, timeout=timeout)
        if target.scheme == "https"
        else _PinnedHTTP(target, timeout=timeout)
    )
    expired = threading.Event()

    def cut() -> None:
        # Shutting the socket down wakes the worker blocked on it (in the TLS handshake,
        # only the plain socket exists yet).
        expired.set()
        for sock in (connection.sock, connection.raw):
            if sock is not None:
                with contextlib.suppress(OSError):  # already closed
                    sock.shutdown(socket.SHUT_RDWR)

    watchdog = threading.Timer(deadline, cut)
    watchdog.daemon = True
    started = time.monotonic()
    watchdog.start()
    try:
        connection.request("POST", target.path, body=body, headers=headers)
        response = connection.getresponse()
        start = response.read(READ_BYTES)
    except (OSError, http.client.HTTPException, ssl.SSLError) as exc:
        message = (
            f"No complete answer within {deadline:g} s."
            if expired.is_set()
            else f"{type(exc).__name__}: {exc}".rstrip(": ")
        )
        raise DeliveryFailed(message, duration_ms=_since(started)) from exc
    finally:
        watchdog.cancel()
        connection.close()
    return Answer(
        status=response.status,
        body=start.decode("utf-8", errors="replace"),
        duration_ms=_since(started),
    )


def _since(started: float) -> int:
    return round((time.monotonic() - started) * 1000)

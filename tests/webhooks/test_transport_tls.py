"""https: the request goes to the checked address, while the TLS handshake names the host
(SNI) and the certificate is verified against it."""

from __future__ import annotations

import shutil
import socket
import ssl
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from klient.webhooks import transport
from klient.webhooks.guard import target_check
from klient.webhooks.transport import DeliveryFailed, post

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl is not installed")

HOST = "hooks.example"


@pytest.fixture
def certificate(tmp_path):
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", f"/CN={HOST}", "-addext", f"subjectAltName=DNS:{HOST}",
         "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return key, cert


@pytest.fixture
def tls_server(certificate, settings, monkeypatch):
    """An https server on 127.0.0.1 with a certificate for hooks.example, a name that
    resolves to it here; records the SNI names and Host headers it is sent."""
    settings.KLIENT_WEBHOOK_ALLOW_PRIVATE = ["127.0.0.1/32"]
    key, cert = certificate
    seen: dict[str, list[str]] = {"sni": [], "host": []}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers["Content-Length"]))
            seen["host"].append(self.headers["Host"])
            self.send_response(204)
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            pass

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    context.sni_callback = lambda sock, name, ctx: seen["sni"].append(name)
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    real = socket.getaddrinfo
    monkeypatch.setattr(
        socket,
        "getaddrinfo",
        lambda host, *args, **kwargs: real("127.0.0.1" if host == HOST else host, *args, **kwargs),
    )
    yield server.server_address[1], cert, seen
    server.shutdown()
    server.server_close()


def test_the_handshake_names_the_host_and_the_certificate_is_checked_against_it(
    tls_server, monkeypatch
):
    port, cert, seen = tls_server
    trusting = ssl.create_default_context(cafile=str(cert))
    monkeypatch.setattr(transport.ssl, "create_default_context", lambda: trusting)

    answer = post(
        target_check(f"https://{HOST}:{port}/in"), body=b"{}", headers={}, timeout=5, deadline=5
    )

    assert answer.status == 204
    assert seen == {"sni": [HOST], "host": [f"{HOST}:{port}"]}


def test_an_untrusted_certificate_fails_the_attempt(tls_server):
    port, _cert, seen = tls_server

    with pytest.raises(DeliveryFailed) as failed:
        post(
            target_check(f"https://{HOST}:{port}/in"),
            body=b"{}",
            headers={},
            timeout=5,
            deadline=5,
        )

    assert "CERTIFICATE_VERIFY_FAILED" in str(failed.value)
    assert seen["host"] == []

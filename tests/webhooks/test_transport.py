"""The transport's own deadline: a server that accepts and then dribbles or says nothing
cannot hold a worker past it."""

from __future__ import annotations

import socket
import threading

import pytest

from klient.webhooks.guard import target_check
from klient.webhooks.transport import DeliveryFailed, post


@pytest.fixture
def silent_server(settings):
    """Accepts connections and sends one byte of a status line every 50 ms, forever."""
    settings.KLIENT_WEBHOOK_ALLOW_PRIVATE = ["127.0.0.1/32"]
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def serve() -> None:
        connection, _ = listener.accept()
        with connection:
            while not stop.wait(0.05):
                try:
                    connection.sendall(b"H")
                except OSError:
                    return

    threading.Thread(target=serve, daemon=True).start()
    yield listener.getsockname()[1]
    stop.set()
    listener.close()


def test_an_answer_dribbling_past_the_deadline_is_cut_off(silent_server):
    target = target_check(f"http://127.0.0.1:{silent_server}/")

    with pytest.raises(DeliveryFailed) as failed:
        post(target, body=b"{}", headers={}, timeout=5, deadline=0.3)

    assert str(failed.value) == "No complete answer within 0.3 s."

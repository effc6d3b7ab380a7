"""Fixtures of the notifications tests: a real SMTP server on loopback, a client-facing
kind registered for the test, and a client with an email address and a mobile phone."""

from __future__ import annotations

import socket
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message

import pytest
from aiosmtpd.controller import Controller

from klient.contacts.services import person_create
from klient.notifications.kinds import Channel, KindTemplate, NotificationKind, notification_kinds

OFFER = "test.offer"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Inbox:
    """What the SMTP server received: the envelope recipients and the parsed message."""

    messages: list[tuple[list[str], Message]] = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((list(envelope.rcpt_tos), message_from_bytes(envelope.content)))
        return "250 OK"


class SmtpServer:
    def __init__(self, port: int) -> None:
        self.port = port
        self.inbox = Inbox()
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp(settings):
    """A real SMTP server on 127.0.0.1 that Django's SMTP backend sends to; started."""
    server = SmtpServer(free_port())
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    server.start()
    yield server
    server.stop()


@pytest.fixture
def smtp_down(smtp):
    """The same server, stopped: connections to its port are refused."""
    smtp.stop()
    return smtp


@pytest.fixture
def offer_kind():
    """A marketing kind for clients by email and SMS, with a placeholder of each sort."""
    kind = NotificationKind(
        key=OFFER,
        label="Offer",
        purpose="marketing",
        placeholders=("client.first_name", "deal.title", "url"),
        templates={
            Channel.EMAIL: KindTemplate(
                subject={"en": "An offer: {deal.title}", "ru": "Предложение: {deal.title}"},
                body={
                    "en": "Dear {client.first_name}, see {deal.title}.\n\n{url}",
                    "ru": "{client.first_name}, для вас: {deal.title}.\n\n{url}",
                },
            ),
            Channel.SMS: KindTemplate(
                body={
                    "en": "{client.first_name}: {deal.title}",
                    "ru": "{client.first_name}: {deal.title}",
                }
            ),
        },
        user_channels=frozenset(),
        client_channels=frozenset({Channel.EMAIL, Channel.SMS}),
    )
    notification_kinds.register(kind)
    yield kind
    notification_kinds.unregister(OFFER)


@pytest.fixture
def client_person(agent_a):
    return person_create(
        actor=agent_a,
        first_name="Анна",
        last_name="Клиентова",
        emails=["anna@client.example"],
        phones=["+7 916 123-45-67"],
        preferred_language="ru",
    )

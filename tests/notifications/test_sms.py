"""SMS: the file backend for development, the SMS.ru adapter replayed against the request
and answer its documentation shows, and numbers that cannot take an SMS."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest

from klient.notifications.channels.sms import (
    FileSmsProvider,
    SmsRefused,
    phone_is_mobile,
    sms_send,
)
from klient.notifications.channels.smsru import SmsProviderError, SmsRuProvider
from klient.notifications.models import MessageLog

SAMPLES = Path(__file__).parent / "samples"


def _sample(name: str) -> str:
    lines = (SAMPLES / name).read_text(encoding="utf-8").splitlines()
    return "\n".join(line for line in lines if not line.startswith("#"))


class ReplayTransport:
    """Answers every GET with one stored body, and keeps the URLs it was asked for."""

    def __init__(self, body: bytes, status: int = 200) -> None:
        self.body, self.status = body, status
        self.urls: list[str] = []

    def get(self, url: str, *, timeout: float) -> tuple[int, bytes]:
        self.urls.append(url)
        return self.status, self.body


def _provider(transport: ReplayTransport) -> SmsRuProvider:
    return SmsRuProvider(api_id="API_ID", transport=transport)


def test_the_request_is_the_documented_one_for_one_number():
    documented = urlsplit(_sample("smsru_send_request.txt").strip())
    transport = ReplayTransport(_sample("smsru_send_response.txt").encode())

    _provider(transport).send(to="+79255070602", text="hello world", sender="")

    sent = urlsplit(transport.urls[0])
    assert (sent.scheme, sent.netloc, sent.path) == (
        documented.scheme,
        documented.netloc,
        documented.path,
    )
    assert parse_qsl(sent.query) == [
        ("api_id", "API_ID"),
        ("to", "79255070602"),
        ("msg", "hello world"),
        ("json", "1"),
    ]
    assert dict(parse_qsl(documented.query))["msg"] == "hello world"


def test_the_sender_name_goes_as_from():
    transport = ReplayTransport(_sample("smsru_send_response.txt").encode())

    _provider(transport).send(to="+79255070602", text="Привет", sender="Romashka")

    assert dict(parse_qsl(urlsplit(transport.urls[0]).query))["from"] == "Romashka"


def test_an_accepted_number_gets_the_documented_sms_id():
    transport = ReplayTransport(_sample("smsru_send_response.txt").encode())

    assert _provider(transport).send(to="+79255070602", text="x", sender="") == "000000-10000000"


def test_a_refused_number_is_refused_for_good_with_the_providers_code():
    transport = ReplayTransport(_sample("smsru_send_response.txt").encode())

    with pytest.raises(SmsRefused) as refused:
        _provider(transport).send(to="+74993221627", text="x", sender="")

    assert str(refused.value).startswith("SMS.ru: 207 На этот номер")


def test_a_refused_request_is_an_error_to_retry():
    answer = {"status": "ERROR", "status_code": 200, "status_text": "Неправильный api_id"}
    transport = ReplayTransport(json.dumps(answer).encode())

    with pytest.raises(SmsProviderError, match="200 Неправильный api_id"):
        _provider(transport).send(to="+79255070602", text="x", sender="")


def test_an_http_error_is_an_error_to_retry():
    with pytest.raises(SmsProviderError, match="HTTP 503"):
        _provider(ReplayTransport(b"", status=503)).send(to="+79255070602", text="x", sender="")


def test_the_file_backend_writes_one_json_line_per_message(tmp_path):
    provider = FileSmsProvider(tmp_path)

    first = provider.send(to="+79161234567", text="Заказ в пути", sender="Romashka")
    provider.send(to="+359888123456", text="Поръчката пътува", sender="")

    [day] = tmp_path.iterdir()
    lines = [json.loads(line) for line in day.read_text(encoding="utf-8").splitlines()]
    assert [(line["to"], line["text"], line["sender"]) for line in lines] == [
        ("+79161234567", "Заказ в пути", "Romashka"),
        ("+359888123456", "Поръчката пътува", ""),
    ]
    assert lines[0]["id"] == first


@pytest.mark.parametrize(
    ("number", "mobile"),
    [
        ("+79161234567", True),  # Russian mobile
        ("+359888123456", True),  # Bulgarian mobile
        ("+74951234567", False),  # a Moscow landline
        ("+35921234567", False),  # a Sofia landline
        ("not a number", False),
    ],
)
def test_only_mobile_numbers_take_an_sms(number, mobile):
    assert phone_is_mobile(number) is mobile


@pytest.mark.django_db
def test_an_sms_to_a_landline_is_logged_as_skipped_not_queued(workspace):
    message = sms_send(workspace_id=workspace.pk, to="+74951234567", text="x", kind="test.sms")

    assert (message.status, message.skip_reason) == ("skipped", "not_mobile")
    assert MessageLog.objects.filter(status="queued").count() == 0


@pytest.mark.django_db
def test_an_sms_goes_out_through_the_configured_backend(
    workspace, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.KLIENT_HOME = tmp_path
    with django_capture_on_commit_callbacks(execute=True):
        message = sms_send(
            workspace_id=workspace.pk, to="+79161234567", text="Заказ в пути", kind="test.sms"
        )

    message.refresh_from_db()
    [day] = (tmp_path / "sms").iterdir()
    [line] = day.read_text(encoding="utf-8").splitlines()
    assert (message.status, message.provider_id) == ("sent", json.loads(line)["id"])

"""The SMS.ru adapter: `sms/send` of its HTTP API, answered in JSON (`json=1`).

Documented at https://sms.ru/api/send: a GET of
`https://sms.ru/sms/send?api_id=...&to=79255070602&msg=hello+world&json=1` (optional
`from`, the approved sender name, and `test=1`, which sends nothing) answers
`{"status": "OK", "status_code": 100, "sms": {"<number>": {"status": "OK",
"status_code": 100, "sms_id": "..."}}, "balance": ...}`; a number the provider will not
send to has `"status": "ERROR"` with its `status_code` and `status_text`. A request-level
error (a wrong api_id, no money left) has a top-level `"status": "ERROR"`.

So: a per-number ERROR is a refusal for good (`SmsRefused`); a top-level ERROR, an HTTP
error or a network failure is raised for the delivery job to retry, and shows on the
administrator's jobs page if it lasts. The HTTP transport is an interface, so tests
replay the documented samples without a network.
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Mapping
from typing import Protocol
from urllib.parse import urlencode

from klient.notifications.channels.sms import SmsRefused

SEND_URL = "https://sms.ru/sms/send"


class SmsProviderError(Exception):
    """The provider did not take the request (auth, balance, outage): retried."""


class HttpTransport(Protocol):
    def get(self, url: str, *, timeout: float) -> tuple[int, bytes]:
        """GET `url`; return the HTTP status and the body."""
        ...


class UrllibTransport:
    def get(self, url: str, *, timeout: float) -> tuple[int, bytes]:
        request = urllib.request.Request(url, headers={"User-Agent": "Klient"})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return int(response.status), bytes(response.read())
        except urllib.error.HTTPError as error:
            return int(error.code), error.read()


class SmsRuProvider:
    def __init__(
        self, *, api_id: str, transport: HttpTransport, timeout: float = 15, test: bool = False
    ) -> None:
        if not api_id:
            raise SmsProviderError("KLIENT_SMSRU_API_ID is not set")
        self.api_id = api_id
        self.transport = transport
        self.timeout = timeout
        self.test = test

    def request_url(self, *, to: str, text: str, sender: str) -> str:
        params: dict[str, str] = {"api_id": self.api_id, "to": to.lstrip("+"), "msg": text}
        if sender:
            params["from"] = sender
        if self.test:
            params["test"] = "1"
        params["json"] = "1"
        return f"{SEND_URL}?{urlencode(params)}"

    def send(self, *, to: str, text: str, sender: str) -> str:
        number = to.lstrip("+")
        status, body = self.transport.get(
            self.request_url(to=to, text=text, sender=sender), timeout=self.timeout
        )
        if status != 200:
            raise SmsProviderError(f"SMS.ru answered HTTP {status}")
        return sms_id_from_answer(json.loads(body), number=number)


def sms_id_from_answer(answer: Mapping[str, object], *, number: str) -> str:
    """The message id SMS.ru gave `number`, or the refusal / error it answered."""
    if answer.get("status") != "OK":
        code, text = answer.get("status_code"), answer.get("status_text", "")
        raise SmsProviderError(f"SMS.ru refused the request: {code} {text}".strip())
    results = answer.get("sms")
    entry = results.get(number) if isinstance(results, dict) else None
    if not isinstance(entry, dict):
        raise SmsProviderError(f"SMS.ru answered nothing for {number}")
    if entry.get("status") == "OK" and entry.get("sms_id"):
        return str(entry["sms_id"])
    raise SmsRefused(f"SMS.ru: {entry.get('status_code')} {entry.get('status_text', '')}".strip())

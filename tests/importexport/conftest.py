"""Helpers of the import/export tests: write a file, run an import as the CLI does."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from klient.importexport.models import ImportJob
from klient.importexport.services import import_run_cli
from tests.factories import TEST_PASSWORD


def csv_bytes(rows: list[list[Any]], *, delimiter: str = ",", encoding: str = "utf-8") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode(encoding)


@pytest.fixture
def write_file(tmp_path: Path):
    def write(name: str, content: bytes | str | list[list[Any]], **options: Any) -> Path:
        path = tmp_path / name
        if isinstance(content, list):
            content = csv_bytes(content, **options)
        if isinstance(content, str):
            content = content.encode(options.get("encoding", "utf-8"))
        path.write_bytes(content)
        return path

    return write


@pytest.fixture
def run_import():
    def run(user: Any, path: Path, **options: Any) -> ImportJob:
        options.setdefault("kind", "people")
        return import_run_cli(path=path, user=user, **options)

    return run


def client_for(user: Any) -> Client:
    client = Client()
    assert client.login(username=user.username, password=TEST_PASSWORD)
    return client


def body(response: Any) -> bytes:
    """The whole body; a streamed one is read once and kept on the response."""
    if not hasattr(response, "_test_body"):
        response._test_body = (
            b"".join(response.streaming_content) if response.streaming else response.content
        )
    return response._test_body


def csv_rows(response: Any) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body(response).decode("utf-8-sig"))))

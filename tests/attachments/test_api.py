"""The files API: list and upload on any record, metadata, download and delete; typed
422s for refused files, 404 for what the caller cannot see, 403 for read-only roles."""

from __future__ import annotations

import hashlib
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from klient.attachments import services
from klient.attachments.models import Attachment
from klient.attachments.services import attachment_add
from tests.api.client import ApiClient
from tests.attachments.samples import PDF, pdf_upload, stored_files

PERSON = "contacts.person"


def upload(api: ApiClient, kind: str, record_id: int, file, **data):
    return api.client.post(
        f"/api/v1/records/{kind}/{record_id}/attachments",
        {"file": file, **data},
        **api.headers,
    )


def test_upload_list_download_and_delete(agent_a, person_a, files_dir):
    api = ApiClient(agent_a)

    created = upload(api, PERSON, person_a.pk, pdf_upload(), description="Signed copy")

    assert created.status_code == 201, created.content
    body = created.json()
    attachment = Attachment.objects.get()
    assert body == {
        "id": attachment.pk,
        "subject_kind": PERSON,
        "subject_id": person_a.pk,
        "file_name": "contract.pdf",
        "content_type": "application/pdf",
        "size": len(PDF),
        "sha256": hashlib.sha256(PDF).hexdigest(),
        "description": "Signed copy",
        "uploaded_by_id": agent_a.pk,
        "created_at": body["created_at"],
        "content_url": f"/api/v1/attachments/{attachment.pk}/content",
    }
    listed = api.get(f"/records/{PERSON}/{person_a.pk}/attachments")
    assert listed.status_code == 200
    assert listed.json() == {"items": [body], "next_cursor": None}
    assert api.get(f"/attachments/{attachment.pk}").json() == body

    content = api.get(f"/attachments/{attachment.pk}/content")
    assert content.status_code == 200
    assert b"".join(content.streaming_content) == PDF
    assert content["Content-Type"] == "application/pdf"
    assert content["Content-Disposition"] == 'attachment; filename="contract.pdf"'
    assert content["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in content["Content-Security-Policy"]

    assert api.delete(f"/attachments/{attachment.pk}").status_code == 204
    assert not Attachment.objects.exists()
    assert api.get(f"/attachments/{attachment.pk}").status_code == 404


def test_a_too_large_file_is_a_typed_422(agent_a, person_a, settings, files_dir):
    settings.KLIENT_ATTACHMENT_MAX_BYTES = 1000
    response = upload(
        ApiClient(agent_a), PERSON, person_a.pk, SimpleUploadedFile("big.txt", b"a" * 1001)
    )

    assert response.status_code == 422
    assert response.json() == {
        "code": "file_too_large",
        "message": "The file is larger than 1000\xa0bytes, the most a file may be.",
        "fields": {"file": "The file is larger than 1000\xa0bytes, the most a file may be."},
    }
    assert stored_files(files_dir) == []


def test_a_body_far_past_the_limit_is_refused_before_it_is_read(agent_a, person_a, settings):
    settings.KLIENT_ATTACHMENT_MAX_BYTES = 10
    with mock.patch.object(services, "attachment_add") as add:
        response = upload(
            ApiClient(agent_a), PERSON, person_a.pk, SimpleUploadedFile("big.txt", b"a" * 200_000)
        )
    assert response.status_code == 422
    assert response.json()["code"] == "file_too_large"
    add.assert_not_called()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("page.html", b"<html><script>alert(1)</script></html>"),
        ("logo.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>"),
        ("notes.txt", b"<!doctype html><p>hi"),
        ("setup.exe", b"MZ\x90\x00" + b"\x00" * 64),
    ],
)
def test_a_refused_type_is_a_typed_422(agent_a, person_a, name, content, files_dir):
    response = upload(ApiClient(agent_a), PERSON, person_a.pk, SimpleUploadedFile(name, content))

    assert response.status_code == 422
    assert response.json()["code"] == "file_type_refused"
    assert set(response.json()["fields"]) == {"file"}
    assert stored_files(files_dir) == []


def test_an_upload_without_a_file_is_a_422(agent_a, person_a):
    response = ApiClient(agent_a).client.post(
        f"/api/v1/records/{PERSON}/{person_a.pk}/attachments",
        {"description": "x"},
        **ApiClient(agent_a).headers,
    )
    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"
    assert "file" in response.json()["fields"]


def test_an_analyst_reads_and_downloads_but_cannot_upload(agent_a, analyst, person_a):
    attachment = attachment_add(actor=agent_a, owner=(PERSON, person_a.pk), upload=pdf_upload())
    api = ApiClient(analyst)

    assert api.get(f"/records/{PERSON}/{person_a.pk}/attachments").status_code == 200
    assert api.get(f"/attachments/{attachment.pk}/content").status_code == 200
    refused = upload(api, PERSON, person_a.pk, pdf_upload())
    assert refused.status_code == 403
    assert refused.json()["code"] == "permission_denied"
    assert api.delete(f"/attachments/{attachment.pk}").status_code == 403


@pytest.mark.parametrize(
    ("role", "sees"),
    [
        ("admin", True),
        ("manager_a", True),
        ("agent_a2", True),
        ("analyst", True),
        ("agent_b", False),
        ("other_workspace_admin", False),
    ],
)
def test_files_are_seen_by_whoever_sees_the_record(request, agent_a, person_a, role, sees):
    attachment = attachment_add(actor=agent_a, owner=(PERSON, person_a.pk), upload=pdf_upload())
    api = ApiClient(request.getfixturevalue(role))

    listed = api.get(f"/records/{PERSON}/{person_a.pk}/attachments")
    detail = api.get(f"/attachments/{attachment.pk}")
    content = api.get(f"/attachments/{attachment.pk}/content")

    expected = 200 if sees else 404
    assert (listed.status_code, detail.status_code, content.status_code) == (
        expected,
        expected,
        expected,
    )
    if not sees:
        assert content.json()["code"] == "not_found"
        assert api.delete(f"/attachments/{attachment.pk}").status_code == 404
        assert upload(api, PERSON, person_a.pk, pdf_upload()).status_code == 404


def test_an_unknown_record_kind_is_a_404(agent_a, person_a):
    api = ApiClient(agent_a)
    assert api.get(f"/records/sales.nothing/{person_a.pk}/attachments").status_code == 404
    assert api.get(f"/records/not-a-kind/{person_a.pk}/attachments").status_code == 422


def test_a_missing_file_on_disk_is_a_404_not_a_500(agent_a, person_a, files_dir):
    attachment = attachment_add(actor=agent_a, owner=(PERSON, person_a.pk), upload=pdf_upload())
    (files_dir / attachment.storage_name).unlink()

    response = ApiClient(agent_a).get(f"/attachments/{attachment.pk}/content")

    assert response.status_code == 404
    assert response.json()["message"] == "The file is missing from storage."


def test_the_endpoints_are_in_the_openapi_schema(agent_a):
    paths = ApiClient(agent_a).client.get("/api/v1/openapi.json").json()["paths"]
    assert set(paths["/api/v1/records/{kind}/{record_id}/attachments"]) == {"get", "post"}
    assert set(paths["/api/v1/attachments/{attachment_id}"]) == {"get", "delete"}
    assert set(paths["/api/v1/attachments/{attachment_id}/content"]) == {"get"}
    post = paths["/api/v1/records/{kind}/{record_id}/attachments"]["post"]
    assert "multipart/form-data" in post["requestBody"]["content"]
    assert "422" in post["responses"]

"""The files panel on the client cards: list, upload (htmx and plain), refusals in the
reader's language, download through the permission-checked view, delete; per-role
visibility; a fixed number of queries whatever the number of files."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from klient.attachments.models import Attachment
from klient.attachments.services import attachment_add
from tests.attachments.samples import PDF, pdf_upload, stored_files, text_upload

PERSON = "contacts.person"
HTMX = {"HTTP_HX_REQUEST": "true"}


def panel_url(kind: str, record_id: int) -> str:
    return reverse("attachments:record_attachments", kwargs={"kind": kind, "record_id": record_id})


def card(person) -> str:
    return reverse("contacts:person_detail", args=[person.pk])


def test_the_person_card_lists_files_with_size_author_and_a_download_link(
    client_for, agent_a, person_a
):
    attachment = attachment_add(actor=agent_a, owner=(PERSON, person_a.pk), upload=pdf_upload())

    html = client_for(agent_a).get(card(person_a)).content.decode()

    assert f'id="attachments-contacts-person-{person_a.pk}"' in html
    assert f'href="/attachments/{attachment.pk}/download/">contract.pdf</a>' in html
    assert f"{len(PDF)}\xa0bytes · {agent_a.display_name}" in html
    assert 'enctype="multipart/form-data"' in html


def test_sizes_read_in_the_readers_language(client_for, agent_a, person_a):
    attachment_add(
        actor=agent_a,
        owner=(PERSON, person_a.pk),
        upload=SimpleUploadedFile("big.txt", b"x" * 1_300_000),
    )
    html = client_for(agent_a, "ru").get(card(person_a)).content.decode()
    assert "1,2\xa0МБ" in html
    assert "Файлы" in html


def test_the_organization_card_has_the_panel(client_for, agent_a, org_a):
    attachment_add(actor=agent_a, owner=("contacts.organization", org_a.pk), upload=text_upload())
    html = client_for(agent_a).get(reverse("contacts:organization_detail", args=[org_a.pk]))
    assert "notes.txt" in html.content.decode()


def test_an_htmx_upload_answers_with_the_panel_redrawn(client_for, agent_a, person_a, files_dir):
    response = client_for(agent_a).post(
        panel_url(PERSON, person_a.pk),
        {"file": pdf_upload("договор.pdf"), "description": "подписан"},
        **HTMX,
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "File “договор.pdf” attached." in html
    assert "подписан" in html
    attachment = Attachment.objects.get()
    assert (files_dir / attachment.storage_name).read_bytes() == PDF


def test_a_plain_upload_comes_back_to_the_card(client_for, agent_a, person_a):
    response = client_for(agent_a).post(panel_url(PERSON, person_a.pk), {"file": pdf_upload()})

    assert response.status_code == 302
    assert response["Location"] == card(person_a)
    assert Attachment.objects.count() == 1


def test_a_plain_refused_upload_comes_back_to_the_card_with_the_reason(
    client_for, agent_a, person_a, files_dir
):
    client = client_for(agent_a)
    page = SimpleUploadedFile("invoice.html", b"<html></html>")

    response = client.post(panel_url(PERSON, person_a.pk), {"file": page}, follow=True)

    assert response.redirect_chain == [(card(person_a), 302)]
    assert "Files of this type cannot be attached." in response.content.decode()
    assert stored_files(files_dir) == []


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "Files of this type cannot be attached."),
        ("ru", "Файлы такого типа прикрепить нельзя."),
        ("bg", "Файлове от този вид не могат да се прикачат."),
    ],
)
def test_a_refused_type_is_explained_in_the_readers_language(
    client_for, agent_a, person_a, files_dir, language, expected
):
    page = SimpleUploadedFile("invoice.html", b"<html><script>x()</script></html>")
    response = client_for(agent_a, language).post(
        panel_url(PERSON, person_a.pk), {"file": page}, **HTMX
    )

    assert response.status_code == 422
    assert expected in response.content.decode()
    assert stored_files(files_dir) == []


def test_a_too_large_file_is_explained(client_for, agent_a, person_a, settings, files_dir):
    settings.KLIENT_ATTACHMENT_MAX_BYTES = 1000
    response = client_for(agent_a).post(
        panel_url(PERSON, person_a.pk),
        {"file": SimpleUploadedFile("big.txt", b"a" * 1001)},
        **HTMX,
    )
    assert response.status_code == 422
    assert (
        "The file is larger than 1000\xa0bytes, the most a file may be."
        in response.content.decode()
    )
    assert stored_files(files_dir) == []


def test_a_body_far_past_the_limit_is_refused_before_the_csrf_check_reads_it(
    client_for, agent_a, person_a, settings
):
    settings.KLIENT_ATTACHMENT_MAX_BYTES = 10
    client = client_for(agent_a)
    client.handler.enforce_csrf_checks = True
    response = client.post(
        panel_url(PERSON, person_a.pk),
        {"file": SimpleUploadedFile("big.txt", b"a" * 200_000)},
        **HTMX,
    )
    assert response.status_code == 422
    assert "The file is larger than 10\xa0bytes" in response.content.decode()


def test_an_upload_without_the_csrf_token_is_refused(client_for, agent_a, person_a):
    client = client_for(agent_a)
    client.handler.enforce_csrf_checks = True
    response = client.post(panel_url(PERSON, person_a.pk), {"file": pdf_upload()})
    assert response.status_code == 403
    assert not Attachment.objects.exists()


def test_the_download_is_an_attachment_that_cannot_run(client_for, agent_a, person_a):
    attachment = attachment_add(
        actor=agent_a, owner=(PERSON, person_a.pk), upload=pdf_upload("Договор №5.pdf")
    )

    response = client_for(agent_a).get(
        reverse("attachments:attachment_download", args=[attachment.pk])
    )

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''%D0%94%D0%BE%D0%B3%D0%BE%D0%B2%D0%BE%D1%80%20%E2%84%965.pdf"
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == (
        "default-src 'none'; sandbox; frame-ancestors 'none'; base-uri 'none'"
    )
    assert response["Cache-Control"] == "private, no-store"


def test_files_are_never_reachable_by_a_static_url(client_for, agent_a, person_a, files_dir):
    attachment = attachment_add(actor=agent_a, owner=(PERSON, person_a.pk), upload=pdf_upload())
    client = client_for(agent_a)
    for url in (f"/static/{attachment.storage_name}", f"/{attachment.storage_name}"):
        assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("admin", 200),
        ("manager_a", 200),
        ("agent_a2", 200),
        ("analyst", 200),
        ("agent_b", 404),
        ("other_workspace_admin", 404),
    ],
)
def test_download_and_panel_follow_the_records_visibility(
    request, client_for, agent_a, person_a, role, status
):
    attachment = attachment_add(actor=agent_a, owner=(PERSON, person_a.pk), upload=pdf_upload())
    client = client_for(request.getfixturevalue(role))

    download = client.get(reverse("attachments:attachment_download", args=[attachment.pk]))
    panel = client.get(panel_url(PERSON, person_a.pk), **HTMX)

    assert (download.status_code, panel.status_code) == (status, status)


def test_an_analyst_sees_the_files_but_no_upload_form_nor_delete(
    client_for, agent_a, analyst, person_a
):
    attachment_add(actor=agent_a, owner=(PERSON, person_a.pk), upload=pdf_upload())
    client = client_for(analyst)

    html = client.get(card(person_a)).content.decode()
    assert "contract.pdf" in html
    assert 'enctype="multipart/form-data"' not in html
    assert "/delete/" not in html
    refused = client.post(panel_url(PERSON, person_a.pk), {"file": pdf_upload()}, **HTMX)
    assert refused.status_code == 403
    assert not Attachment.objects.filter(uploaded_by=analyst).exists()


def test_a_colleague_sees_delete_only_on_their_own_files(client_for, agent_a, agent_a2, person_a):
    mine = attachment_add(actor=agent_a2, owner=(PERSON, person_a.pk), upload=text_upload())
    theirs = attachment_add(actor=agent_a, owner=(PERSON, person_a.pk), upload=pdf_upload())

    html = client_for(agent_a2).get(card(person_a)).content.decode()

    assert f"/attachments/{mine.pk}/delete/" in html
    assert f"/attachments/{theirs.pk}/delete/" not in html


def test_delete_removes_the_file_and_comes_back_to_the_card(
    client_for, agent_a, person_a, files_dir, django_capture_on_commit_callbacks
):
    attachment = attachment_add(actor=agent_a, owner=(PERSON, person_a.pk), upload=pdf_upload())

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(agent_a).post(
            reverse("attachments:attachment_delete", args=[attachment.pk])
        )

    assert response.status_code == 302
    assert response["Location"] == card(person_a)
    assert stored_files(files_dir) == []


def test_another_team_cannot_delete(client_for, agent_a, agent_b, person_a):
    attachment = attachment_add(actor=agent_a, owner=(PERSON, person_a.pk), upload=pdf_upload())
    response = client_for(agent_b).post(
        reverse("attachments:attachment_delete", args=[attachment.pk])
    )
    assert response.status_code == 404
    assert Attachment.objects.filter(pk=attachment.pk).exists()


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_card_costs_the_same_queries_for_one_file_as_for_twenty(client_for, agent_a, person_a):
    client = client_for(agent_a)
    attachment_add(actor=agent_a, owner=(PERSON, person_a.pk), upload=text_upload("0.txt"))
    few = _queries(client, card(person_a))
    for index in range(1, 20):
        attachment_add(
            actor=agent_a, owner=(PERSON, person_a.pk), upload=text_upload(f"{index}.txt")
        )
    assert _queries(client, card(person_a)) == few

"""Adding and deleting files: stored under KLIENT_FILES_DIR by a random name, typed from
the bytes, audited and on the timeline; refused past the limits with nothing left on
disk; a rolled-back add leaves no file and a delete removes it once committed."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from klient.activities.models import Interaction
from klient.attachments import services
from klient.attachments.errors import (
    AttachmentEmpty,
    AttachmentLimitReached,
    AttachmentTooLarge,
    AttachmentTypeRefused,
)
from klient.attachments.models import Attachment
from klient.attachments.services import attachment_add, attachment_delete
from klient.core.errors import NotFound, PermissionDenied
from klient.core.models import AuditEvent
from tests.attachments.samples import PDF, pdf_upload, stored_files, text_upload

PERSON = "contacts.person"


def test_a_file_is_stored_under_the_files_folder_by_a_random_name(agent_a, person_a, files_dir):
    attachment = attachment_add(
        actor=agent_a, owner=(PERSON, person_a.pk), upload=pdf_upload(), description=" Signed "
    )

    now = timezone.now()
    assert re.fullmatch(
        rf"attachments/{agent_a.workspace_id}/{now:%Y}/{now:%m}/[0-9a-f]{{40}}",
        attachment.storage_name,
    )
    assert (files_dir / attachment.storage_name).read_bytes() == PDF
    assert stored_files(files_dir) == [files_dir / attachment.storage_name]  # no staging left
    assert (attachment.file_name, attachment.content_type, attachment.size) == (
        "contract.pdf",
        "application/pdf",  # sniffed: the client said text/html
        len(PDF),
    )
    assert attachment.sha256 == hashlib.sha256(PDF).hexdigest()
    assert (attachment.subject_kind, attachment.subject_id) == (PERSON, person_a.pk)
    assert (attachment.uploaded_by, attachment.description) == (agent_a, "Signed")


def test_adding_a_file_is_audited_and_shown_on_the_timeline(agent_a, person_a):
    attachment = attachment_add(actor=agent_a, owner=(PERSON, person_a.pk), upload=pdf_upload())

    event = AuditEvent.objects.get(action="attachment.add")
    assert (event.object_type, event.object_id, event.actor) == (
        "attachments.attachment",
        attachment.pk,
        agent_a,
    )
    assert event.changes == {
        "file_name": [None, "contract.pdf"],
        "size": [None, len(PDF)],
        PERSON: [None, person_a.pk],
    }
    entry = Interaction.objects.get(kind="attachments.added")
    assert (entry.person_id, entry.subject, entry.author_id) == (person_a.pk, "contract.pdf", None)


def test_files_go_on_organizations_too(agent_a, org_a):
    attachment = attachment_add(
        actor=agent_a, owner=("contacts.organization", org_a.pk), upload=text_upload("a.csv")
    )
    assert (attachment.subject_kind, attachment.content_type) == (
        "contacts.organization",
        "text/csv",
    )


def test_a_file_past_the_size_limit_is_refused_and_nothing_stays(
    agent_a, person_a, files_dir, settings
):
    settings.KLIENT_ATTACHMENT_MAX_BYTES = 100
    big = SimpleUploadedFile("big.txt", b"a" * 101)
    big.size = None  # an upload whose size is known only once read: refused while written

    with pytest.raises(AttachmentTooLarge) as refused:
        attachment_add(actor=agent_a, owner=(PERSON, person_a.pk), upload=big)

    assert refused.value.fields == {
        "file": "The file is larger than 100\xa0bytes, the most a file may be."
    }
    assert refused.value.code == "file_too_large"
    assert stored_files(files_dir) == []
    assert not Attachment.objects.exists()


def test_a_file_of_a_refused_type_leaves_nothing(agent_a, person_a, files_dir):
    page = SimpleUploadedFile("invoice.txt", b"<html><script>steal()</script></html>")

    with pytest.raises(AttachmentTypeRefused) as refused:
        attachment_add(actor=agent_a, owner=(PERSON, person_a.pk), upload=page)

    assert refused.value.code == "file_type_refused"
    assert "cannot be attached" in refused.value.fields["file"]
    assert stored_files(files_dir) == []
    assert not AuditEvent.objects.filter(action="attachment.add").exists()


def test_an_unknown_extension_is_refused_before_anything_is_written(agent_a, person_a, files_dir):
    with pytest.raises(AttachmentTypeRefused):
        attachment_add(
            actor=agent_a,
            owner=(PERSON, person_a.pk),
            upload=SimpleUploadedFile("tool.exe", b"MZ\x90\x00"),
        )
    assert not files_dir.exists()


def test_an_empty_file_is_refused(agent_a, person_a):
    with pytest.raises(AttachmentEmpty):
        attachment_add(
            actor=agent_a, owner=(PERSON, person_a.pk), upload=SimpleUploadedFile("a.txt", b"")
        )


def test_a_record_holds_at_most_the_configured_number_of_files(agent_a, person_a, settings):
    settings.KLIENT_ATTACHMENT_MAX_PER_RECORD = 2
    for index in range(2):
        attachment_add(
            actor=agent_a, owner=(PERSON, person_a.pk), upload=text_upload(f"{index}.txt")
        )

    with pytest.raises(AttachmentLimitReached):
        attachment_add(actor=agent_a, owner=(PERSON, person_a.pk), upload=text_upload("3.txt"))
    assert Attachment.objects.count() == 2


def test_an_analyst_cannot_attach(analyst, person_a, files_dir):
    with pytest.raises(PermissionDenied):
        attachment_add(actor=analyst, owner=(PERSON, person_a.pk), upload=pdf_upload())
    assert stored_files(files_dir) == []


@pytest.mark.parametrize(
    "owner",
    [
        lambda people: (PERSON, people["person_b"].pk),  # another team's client
        lambda people: (PERSON, people["stranger_person"].pk),  # another workspace's
        lambda people: (PERSON, 999_999),
        lambda people: ("sales.unknown", people["person_a"].pk),  # not a record kind
    ],
    ids=["other-team", "other-workspace", "missing", "unknown-kind"],
)
def test_a_record_the_actor_cannot_see_is_not_found(
    agent_a, person_a, person_b, stranger_person, files_dir, owner
):
    people = {"person_a": person_a, "person_b": person_b, "stranger_person": stranger_person}
    with pytest.raises(NotFound):
        attachment_add(actor=agent_a, owner=owner(people), upload=pdf_upload())
    assert stored_files(files_dir) == []


def test_a_failed_add_removes_its_placed_file(agent_a, person_a, files_dir):
    with (
        mock.patch.object(services, "system_event_record", side_effect=RuntimeError("db down")),
        pytest.raises(RuntimeError),
    ):
        attachment_add(actor=agent_a, owner=(PERSON, person_a.pk), upload=pdf_upload())

    assert stored_files(files_dir) == []
    assert not Attachment.objects.exists()
    assert not AuditEvent.objects.filter(action="attachment.add").exists()


def test_a_callers_rolled_back_transaction_leaves_no_file_after_the_sweep(
    agent_a, person_a, files_dir
):
    class Abort(Exception):
        pass

    with pytest.raises(Abort), transaction.atomic():
        attachment_add(actor=agent_a, owner=(PERSON, person_a.pk), upload=pdf_upload())
        raise Abort
    assert not Attachment.objects.exists()
    [stray] = stored_files(files_dir)

    # A file placed moments ago may belong to a transaction still open: it is kept.
    assert services.attachment_files_sweep()["stray_files"] == 0
    assert stray.exists()
    later = timezone.now() + timedelta(days=2)
    with mock.patch("django.utils.timezone.now", return_value=later):
        assert services.attachment_files_sweep()["stray_files"] == 1
    assert stored_files(files_dir) == []


def test_a_delete_removes_the_file_once_committed(
    agent_a, person_a, files_dir, django_capture_on_commit_callbacks
):
    attachment = attachment_add(actor=agent_a, owner=(PERSON, person_a.pk), upload=pdf_upload())
    path = files_dir / attachment.storage_name

    with django_capture_on_commit_callbacks() as callbacks:
        attachment_delete(actor=agent_a, attachment=attachment)
        assert path.exists()  # not before the commit
    for callback in callbacks:
        callback()

    assert not path.exists()
    assert not Attachment.objects.exists()
    event = AuditEvent.objects.get(action="attachment.delete")
    assert event.changes["file_name"] == ["contract.pdf", None]


def test_a_rolled_back_delete_keeps_the_file(agent_a, person_a, files_dir):
    attachment = attachment_add(actor=agent_a, owner=(PERSON, person_a.pk), upload=pdf_upload())
    attachment_id = attachment.pk

    class Abort(Exception):
        pass

    with pytest.raises(Abort), transaction.atomic():
        attachment_delete(actor=agent_a, attachment=attachment)
        raise Abort

    assert (files_dir / attachment.storage_name).exists()
    assert Attachment.objects.filter(pk=attachment_id).exists()


def test_an_agent_deletes_only_the_files_they_attached(agent_a, agent_a2, manager_a, person_a):
    attachment = attachment_add(actor=agent_a, owner=(PERSON, person_a.pk), upload=pdf_upload())

    with pytest.raises(PermissionDenied):
        attachment_delete(actor=agent_a2, attachment=attachment)
    attachment_delete(actor=manager_a, attachment=attachment)  # a lead deletes anyone's

    assert not Attachment.objects.exists()


def test_nobody_deletes_a_file_of_a_record_they_cannot_see(agent_a, agent_b, person_a):
    attachment = attachment_add(actor=agent_a, owner=(PERSON, person_a.pk), upload=pdf_upload())
    with pytest.raises(NotFound):
        attachment_delete(actor=agent_b, attachment=attachment)
    assert Attachment.objects.filter(pk=attachment.pk).exists()

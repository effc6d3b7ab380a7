"""A client's files follow the client: a merge moves them to the survivor, a deleted or
erased client takes them off the disk, and files of a record deleted without an event
are swept."""

from __future__ import annotations

from klient.attachments.models import Attachment
from klient.attachments.services import attachment_add, attachment_files_sweep
from klient.contacts.services import (
    organization_delete,
    person_create,
    person_delete,
    person_merge,
)
from klient.core.models import AuditEvent
from klient.core.registry import client_records
from tests.attachments.samples import pdf_upload, stored_files, text_upload

PERSON = "contacts.person"
ORGANIZATION = "contacts.organization"


def test_a_merge_moves_the_duplicates_files_to_the_survivor(agent_a, person_a, files_dir):
    duplicate = person_create(actor=agent_a, first_name="Иван", last_name="Петров")
    kept = attachment_add(actor=agent_a, owner=(PERSON, person_a.pk), upload=text_upload())
    moved = attachment_add(actor=agent_a, owner=(PERSON, duplicate.pk), upload=pdf_upload())

    person_merge(actor=agent_a, primary=person_a, duplicate=duplicate)

    assert set(
        Attachment.objects.filter(subject_kind=PERSON, subject_id=person_a.pk).values_list(
            "pk", flat=True
        )
    ) == {kept.pk, moved.pk}
    assert (files_dir / moved.storage_name).exists()
    merge = AuditEvent.objects.get(action="person.merge")
    assert merge.changes["moved"][1]["attachments"] == 1


def test_a_deleted_person_takes_their_files_off_the_disk(
    agent_a, person_a, files_dir, django_capture_on_commit_callbacks
):
    attachment_add(actor=agent_a, owner=(PERSON, person_a.pk), upload=pdf_upload())
    attachment_add(actor=agent_a, owner=(PERSON, person_a.pk), upload=text_upload())

    with django_capture_on_commit_callbacks(execute=True):
        person_delete(actor=agent_a, person=person_a)

    assert not Attachment.objects.exists()
    assert stored_files(files_dir) == []


def test_erasure_removes_the_clients_files_and_rows(
    agent_a, person_a, org_a, files_dir, django_capture_on_commit_callbacks
):
    other = attachment_add(actor=agent_a, owner=(ORGANIZATION, org_a.pk), upload=text_upload())
    attachment_add(actor=agent_a, owner=(PERSON, person_a.pk), upload=pdf_upload())
    handler = client_records.get("attachments.files")
    assert handler.count(PERSON, person_a.pk) == 1
    assert handler.protects is False
    assert handler.erase is not None

    with django_capture_on_commit_callbacks(execute=True):
        handler.erase(PERSON, person_a.pk)

    assert handler.count(PERSON, person_a.pk) == 0
    assert list(Attachment.objects.all()) == [other]
    assert stored_files(files_dir) == [files_dir / other.storage_name]


def test_files_of_a_deleted_organization_are_swept(
    agent_a, org_a, person_a, files_dir, django_capture_on_commit_callbacks
):
    attachment_add(actor=agent_a, owner=(ORGANIZATION, org_a.pk), upload=pdf_upload())
    kept = attachment_add(actor=agent_a, owner=(PERSON, person_a.pk), upload=text_upload())
    organization_delete(actor=agent_a, organization=org_a)

    with django_capture_on_commit_callbacks(execute=True):
        swept = attachment_files_sweep()

    assert swept == {"orphan_rows": 1, "stray_files": 0}
    assert list(Attachment.objects.all()) == [kept]
    assert stored_files(files_dir) == [files_dir / kept.storage_name]

"""Erasure: no personal value of the client left anywhere in the database -- records,
search, the audit log, the message log, imports -- while business records and the
other client stay, and the audit log keeps who did what."""

from __future__ import annotations

import pytest
from django.db import connection
from django.utils import translation
from django.utils.translation import gettext

from klient.activities.models import Comment, Interaction, Task
from klient.contacts.models import Organization, Person
from klient.contacts.selectors import person_list
from klient.contacts.services import person_delete
from klient.core.errors import Conflict, ValidationFailed
from klient.core.events import captured
from klient.core.models import AuditEvent
from klient.core.personal_data import personal_data_erase
from klient.core.selectors import global_search
from klient.importexport.models import ImportJob, ImportRowError
from klient.notifications.models import MessageLog, Notification
from tests.privacy.conftest import OTHER, SECRETS, database_text, found_in_database

pytestmark = pytest.mark.django_db

REASON = "Request by email of 12 May"


def _erase(admin, person) -> list[str]:
    return personal_data_erase(
        actor=admin, subject="contacts.person", record_id=person.pk, reason=REASON
    )


def test_before_erasure_the_values_are_there(dossier):
    """The scan below would find them: the fixture holds them in every app."""
    found = found_in_database(SECRETS)

    assert {"contacts_person", "activities_interaction", "notifications_messagelog"} <= set(found)
    assert "core_auditpersonalvalues" in found


def test_no_personal_value_is_left_in_any_table(admin, dossier):
    _erase(admin, dossier.person)

    assert found_in_database(SECRETS) == {}


def test_the_other_client_is_untouched(admin, dossier):
    _erase(admin, dossier.person)

    text = " ".join(database_text().values())
    assert [value for value in OTHER if value not in text] == []
    dossier.other.refresh_from_db()
    assert (dossier.other.full_name, dossier.other.primary_email) == (
        "Агафья Посторонняя",
        "agafya.keep@example.org",
    )


def _placeholder(language: str, record_id: int) -> str:
    with translation.override(language):
        return gettext("Erased client #%(id)s") % {"id": record_id}


def test_the_person_stays_as_a_placeholder_in_the_workspaces_language(admin, dossier):
    admin.workspace.default_language = "ru"
    admin.workspace.save()

    with translation.override("en"):
        _erase(admin, dossier.person)

    person = Person.objects.get(pk=dossier.person.pk)
    placeholder = _placeholder("ru", person.pk)
    assert (person.first_name, person.middle_name, person.last_name, person.full_name) == (
        "",
        "",
        placeholder,
        placeholder,
    )
    assert (person.title, person.segment, person.primary_email, person.primary_phone) == (
        "",
        "",
        "",
        "",
    )
    assert (person.owner_id, person.lifecycle_stage) == (dossier.person.owner_id, "lead")
    assert not person.emails.exists() and not person.phones.exists()
    assert not person.affiliations.exists() and not person.consents.exists()
    assert not person.tags.exists() and not person.saved_lists.exists()
    duplicate = Person.objects.get(pk=dossier.duplicate_id)
    assert (duplicate.full_name, duplicate.merged_into_id) == (
        _placeholder("ru", duplicate.pk),
        person.pk,
    )


def test_search_finds_nothing_of_the_client(admin, dossier):
    _erase(admin, dossier.person)

    for query in ("Евлампий", "Стирателев", "evlampiy.erase@example.org", "9161112233"):
        assert list(person_list(user=admin, filters={"q": query})) == []
        assert global_search(user=admin, query=query) == []
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT rowid FROM contacts_person_fts WHERE contacts_person_fts MATCH ?",
                ['"евлампий"'],
            )
            assert cursor.fetchall() == []


def test_business_records_survive_and_still_protect_the_client(admin, dossier):
    _erase(admin, dossier.person)

    entry = Interaction.objects.get(pk=dossier.deal_entry.pk)
    assert (entry.subject, entry.person_id) == ("Сделка 7: этап «Переговоры»", dossier.person.pk)
    assert entry.person.full_name == f"Erased client #{dossier.person.pk}"
    with pytest.raises(Conflict):
        person_delete(actor=admin, person=Person.objects.get(pk=dossier.person.pk))


def test_the_timeline_keeps_what_the_company_counts_without_words(admin, dossier):
    before = list(
        Interaction.objects.filter(person=dossier.person, subject_kind="")
        .order_by("pk")
        .values_list("kind", "direction", "occurred_at", "author_id")
    )

    _erase(admin, dossier.person)

    own = Interaction.objects.filter(person=dossier.person, subject_kind="").order_by("pk")
    assert list(own.values_list("kind", "direction", "occurred_at", "author_id")) == before
    assert set(own.values_list("subject", "body")) == {("", "")}
    assert not Comment.objects.filter(interaction__person=dossier.person).exists()
    task = Task.objects.get(person=dossier.person)
    assert (task.title, task.description, task.status, task.remind_at) == (
        "—",
        "",
        "cancelled",
        None,
    )


def test_messages_to_the_client_go_and_colleagues_keep_theirs_without_text(admin, dossier):
    about = MessageLog.objects.filter(recipient_user__isnull=False).exclude(record_kind="")
    kept = sorted(about.values_list("pk", flat=True))
    assert kept  # the mention and the task assignment

    _erase(admin, dossier.person)

    assert not MessageLog.objects.filter(recipient_person=dossier.person).exists()
    assert sorted(about.values_list("pk", flat=True)) == kept
    assert set(about.values_list("subject", "body_text", "body_html")) == {("", "", "")}
    assert not Notification.objects.filter(kind="mention").exists()


def test_imports_keep_their_counts_but_not_the_clients_rows(admin, dossier):
    _erase(admin, dossier.person)

    assert list(ImportJob.objects.order_by("pk").values_list("created_count", "updated_count")) == [
        (2, 0),
        (0, 1),
    ]
    assert list(ImportJob.objects.values_list("sample", flat=True)) == [[], []]
    assert not ImportRowError.objects.exists()


def test_a_sample_of_another_import_loses_only_the_clients_row(admin, dossier, tmp_path):
    from klient.importexport.services import import_upload

    path = tmp_path / "later.csv"
    path.write_text(
        "Name,Email\r\nАгафья,agafya.keep@example.org\r\nЕ. С.,EVLAMPIY.ERASE@example.org\r\n",
        encoding="utf-8",
    )
    with path.open("rb") as handle:
        job = import_upload(actor=admin, file_name="later.csv", content=handle, kind="people")

    _erase(admin, dossier.person)

    job.refresh_from_db()
    assert job.sample == [["Агафья", "agafya.keep@example.org"], ["", ""]]


def test_the_audit_log_keeps_every_event_without_the_values(admin, dossier):
    events = AuditEvent.objects.filter(object_type="contacts.person", object_id=dossier.person.pk)
    organization = Organization.objects.get(name="ООО Ромашка")
    moved = events.get(action="person.merge").changes["moved"]

    _erase(admin, dossier.person)

    erased = ["[erased]", "[erased]"]
    assert [(event.action, event.changes) for event in events.order_by("pk")] == [
        (
            "person.update",
            {
                "owner_id": [admin.pk, dossier.person.owner_id],
                "team_id": [None, dossier.person.team_id],
            },
        ),
        ("person.import_update", {"title": erased}),
        (
            "person.merge",
            {
                "middle_name": erased,
                "merged_from": [None, dossier.duplicate_id],
                "moved": moved,
            },
        ),
        ("affiliation.set", {"organization": [None, organization.pk], "role": [None, "finance"]}),
        ("consent.grant", {"consent": erased}),
        ("person.update", {"segment": erased, "tags": erased}),
        (
            "personal_data.erase",
            {
                "reason": [None, REASON],
                "handlers": [None, _handler_keys()],
            },
        ),
    ]


def _handler_keys() -> list[str]:
    from klient.core.registry import client_records

    return [handler.key for handler in client_records if handler.erase is not None]


def test_the_timelines_audit_values_go_too(admin, dossier):
    entries = AuditEvent.objects.filter(
        action__in=["interaction.create", "comment.create", "task.create"]
    ).order_by("pk")

    _erase(admin, dossier.person)

    erased = ["[erased]", "[erased]"]
    assert [event.changes for event in entries] == [
        {"kind": [None, "call"], "subject": erased},
        {"body": erased},
        {"title": erased, "assignee_id": [None, entries[2].changes["assignee_id"][1]]},
        {"kind": [None, "call"], "subject": [None, "Звонок Агафье"]},  # the other client's
    ]


def test_audit_rows_never_hold_a_clients_values_in_clear(dossier):
    """By design, not only after an erasure: the row has field names, the values are
    apart (core_auditpersonalvalues), where an erasure can delete them."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT changes FROM core_auditevent")
        stored = " ".join(_stored_text(row[0]) for row in cursor.fetchall()).lower()

    assert [value for value in SECRETS if value in stored] == []
    assert "агафье" not in stored


def _stored_text(value) -> str:
    import json

    return json.dumps(value if isinstance(value, dict) else json.loads(value), ensure_ascii=False)


def test_erasure_sends_an_event_for_webhooks(admin, dossier, django_capture_on_commit_callbacks):
    with captured() as sent:
        _erase(admin, dossier.person)

    assert [(item.name, item.payload.subject_id) for item in sent] == [
        ("personal_data.erased", dossier.person.pk)
    ]


def test_erasing_twice_is_harmless(admin, dossier):
    _erase(admin, dossier.person)
    _erase(admin, dossier.person)

    assert found_in_database(SECRETS) == {}
    assert AuditEvent.objects.filter(action="personal_data.erase").count() == 2


@pytest.mark.parametrize("reason", ["", "   ", "x" * 501])
def test_a_reason_is_required_and_bounded(admin, dossier, reason):
    with pytest.raises(ValidationFailed) as error:
        personal_data_erase(
            actor=admin, subject="contacts.person", record_id=dossier.person.pk, reason=reason
        )

    assert list(error.value.fields) == ["reason"]
    assert Person.objects.get(pk=dossier.person.pk).last_name == "Стирателев"

"""The audit log after an erasure: readable ("erased client", "erased"), append-only on
SQLite and PostgreSQL (both tables refuse UPDATE), and older rows moved apart once."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, models, transaction
from django.utils.html import strip_tags

from klient.contacts.services import person_create, person_update
from klient.core.audit_personal_backfill import backfill, backfill_reverse
from klient.core.models import AuditEvent, AuditPersonalValues
from klient.core.personal_data import personal_data_erase
from tests.api.client import ApiClient
from tests.privacy.conftest import SECRETS, client_for

pytestmark = pytest.mark.django_db


def _erase(admin, person) -> None:
    personal_data_erase(
        actor=admin, subject="contacts.person", record_id=person.pk, reason="Client request"
    )


def test_the_log_reads_erased_client_and_erased_values(admin, client_a, agent_a):
    person_update(actor=agent_a, person=client_a, data={"title": "Секретный титул"})
    _erase(admin, client_a)

    response = client_for(admin).get(
        "/settings/audit/", {"object_type": "contacts.person", "object_id": client_a.pk}
    )

    sentences = [strip_tags(str(row.sentence)) for row in response.context["rows"]]
    name = f"Erased client #{client_a.pk}"
    assert sentences == [
        f"{admin.display_name} erased the personal data of client {name}: Client request",
        f"{agent_a.display_name} changed job title of person {name}",
        f"{agent_a.display_name} created person {name}",
    ]
    changes = response.context["rows"][1].changes
    assert [(c.label, str(c.before), str(c.after)) for c in changes] == [
        ("job title", "erased", "erased")
    ]
    assert "Секретный" not in response.content.decode()


def test_the_log_of_a_timeline_entry_names_the_erased_client(admin, agent_a, client_a):
    _erase(admin, client_a)

    response = client_for(admin).get("/settings/audit/", {"action": "interaction.create"})

    [row] = response.context["rows"]
    assert strip_tags(str(row.sentence)) == (
        f"{agent_a.display_name} logged interaction “Note” #{_entry_id(client_a)} "
        f"(Erased client #{client_a.pk})"
    )
    assert [(c.label, str(c.before), str(c.after)) for c in row.changes][1] == (
        "subject",
        "erased",
        "erased",
    )
    assert "Заметка" not in response.content.decode()


def _entry_id(person) -> int:
    from klient.activities.models import Interaction

    return Interaction.objects.get(person=person).pk


def test_the_audit_api_gives_erased_values(admin, dossier):
    _erase(admin, dossier.person)

    body = ApiClient(admin).get("/audit", limit=200).json()

    text = str(body).lower()
    assert [value for value in SECRETS if value in text] == []
    [create] = [item for item in body["items"] if item["action"] == "comment.create"]
    assert create["changes"] == {"body": ["[erased]", "[erased]"]}


def test_the_page_of_the_log_reads_personal_values_in_one_query(admin, client_a, agent_a):
    from django.test.utils import CaptureQueriesContext

    for n in range(5):
        person_update(actor=agent_a, person=client_a, data={"title": f"T{n}"})
    client = client_for(admin)
    client.get("/settings/audit/")  # warm caches
    with CaptureQueriesContext(connection) as few:
        client.get("/settings/audit/")
    for n in range(15):
        person_update(actor=agent_a, person=client_a, data={"title": f"U{n}"})
    with CaptureQueriesContext(connection) as many:
        client.get("/settings/audit/")

    assert len(many) == len(few)
    assert sum("core_auditpersonalvalues" in q["sql"] for q in many.captured_queries) == 1


@pytest.mark.parametrize("table", ["core_auditevent", "core_auditpersonalvalues"])
def test_both_tables_refuse_updates(admin, client_a, table):
    column = "action" if table == "core_auditevent" else "subject_kind"
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET {column} = 'rewritten'")


def test_the_triggers_survive_the_migration(db):
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        else:
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        triggers = {row[0] for row in cursor.fetchall()}

    assert {"core_auditevent_no_update", "core_auditpersonalvalues_no_update"} <= triggers


def test_an_erasure_deletes_values_and_updates_nothing(admin, client_a):
    """It runs under the triggers: had it updated an audit row, it would have failed."""
    kept = AuditEvent.objects.filter(object_id=client_a.pk).count()

    _erase(admin, client_a)

    assert not AuditPersonalValues.objects.filter(subject_id=client_a.pk).exists()
    assert AuditEvent.objects.filter(object_id=client_a.pk).count() == kept + 1


def _legacy_event(workspace, person) -> AuditEvent:
    """An event as written before ADR 0011: values in clear in the row."""
    [event] = models.QuerySet(AuditEvent).bulk_create(
        [
            AuditEvent(
                workspace=workspace,
                action="person.update",
                object_type="contacts.person",
                object_id=person.pk,
                stored_changes={"last_name": ["Старый", "Новый"], "owner_id": [None, 5]},
            )
        ]
    )
    return event


def test_older_events_get_their_values_moved_apart_once(admin, workspace):
    person = person_create(actor=admin, first_name="Ася", last_name="Новый")
    event = _legacy_event(workspace, person)
    models_ = {"events": AuditEvent, "values": AuditPersonalValues, "connection": connection}

    with transaction.atomic():
        assert backfill(**models_) == 1
        assert backfill(**models_) == 0

    event = AuditEvent.objects.get(pk=event.pk)
    assert event.stored_changes == {"last_name": "personal", "owner_id": [None, 5]}
    assert event.changes == {"last_name": ["Старый", "Новый"], "owner_id": [None, 5]}
    _erase(admin, person)
    assert AuditEvent.objects.get(pk=event.pk).changes["last_name"] == ["[erased]", "[erased]"]
    test_the_triggers_survive_the_migration(None)


def test_the_move_can_be_undone(admin, workspace):
    person = person_create(actor=admin, first_name="Ася", last_name="Новый")
    event = _legacy_event(workspace, person)
    models_ = {"events": AuditEvent, "values": AuditPersonalValues, "connection": connection}

    with transaction.atomic():
        backfill(**models_)
        backfill_reverse(**models_)

    assert AuditEvent.objects.get(pk=event.pk).stored_changes == {
        "last_name": ["Старый", "Новый"],
        "owner_id": [None, 5],
    }
    assert not AuditPersonalValues.objects.exists()
    test_the_triggers_survive_the_migration(None)


def test_an_entry_on_an_organization_only_is_no_ones_personal_data(agent_a):
    from klient.activities.services import interaction_create
    from klient.contacts.services import organization_create

    organization = organization_create(actor=agent_a, name="ООО Ромашка")

    interaction_create(actor=agent_a, kind="note", organization=organization, subject="Тендер")

    event = AuditEvent.objects.get(action="interaction.create")
    assert event.stored_changes == {"kind": [None, "note"], "subject": [None, "Тендер"]}
    assert not AuditPersonalValues.objects.exists()


def test_a_persons_values_are_apart_and_the_companys_in_the_row(admin, agent_a, client_a):
    person_update(
        actor=agent_a, person=client_a, data={"title": "CEO", "lifecycle_stage": "customer"}
    )

    event = AuditEvent.objects.get(action="person.update")
    assert event.stored_changes == {"lifecycle_stage": ["lead", "customer"], "title": "personal"}
    assert event.personal_values.subject_kind == "contacts.person"
    assert (event.personal_values.subject_id, event.personal_values.changes) == (
        client_a.pk,
        {"title": ["", "CEO"]},
    )
    assert event.changes == {"lifecycle_stage": ["lead", "customer"], "title": ["", "CEO"]}

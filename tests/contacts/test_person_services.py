import pytest

from klient.contacts.errors import InvalidContactData
from klient.contacts.models import Person
from klient.contacts.services import organization_create, person_create, person_update
from klient.core.errors import PermissionDenied
from klient.core.models import AuditEvent


def test_person_create_normalises_phones_and_emails_and_audits(agent_a):
    person = person_create(
        actor=agent_a,
        first_name="Иван",
        last_name="Кузнецов",
        emails=["Ivan.K@Example.ORG", "ivan.k@example.org"],
        phones=["8 (916) 123-45-67"],
    )

    assert list(person.emails.values_list("email", flat=True)) == ["ivan.k@example.org"]
    assert list(person.phones.values_list("number", flat=True)) == ["+79161234567"]
    assert person.full_name == "Иван Кузнецов"
    assert person.owner_id == agent_a.pk
    assert person.team_id == agent_a.teams.get().pk
    person.refresh_from_db()
    assert person.search_text == "иван кузнецов ivan.k@example.org 79161234567"
    event = AuditEvent.objects.get(action="person.create", object_id=person.pk)
    assert event.actor_id == agent_a.pk
    assert event.changes["phones"] == [None, ["+79161234567"]]


def test_invalid_phone_is_rejected_with_a_field_error_and_nothing_is_written(agent_a):
    with pytest.raises(InvalidContactData) as caught:
        person_create(actor=agent_a, last_name="Петров", phones=["+7 123"])

    assert set(caught.value.fields) == {"phones[0]"}
    assert "not a valid phone number" in str(caught.value.fields["phones[0]"])
    assert Person.objects.count() == 0
    assert AuditEvent.objects.filter(action="person.create").count() == 0


def test_invalid_email_is_rejected(agent_a):
    with pytest.raises(InvalidContactData) as caught:
        person_create(actor=agent_a, last_name="Петров", emails=["not-an-email"])
    assert set(caught.value.fields) == {"emails[0]"}


def test_person_needs_a_name(agent_a):
    with pytest.raises(InvalidContactData) as caught:
        person_create(actor=agent_a, first_name=" ", last_name="")
    assert "last_name" in caught.value.fields


def test_analyst_cannot_write(analyst):
    with pytest.raises(PermissionDenied):
        person_create(actor=analyst, last_name="Read Only")


def test_update_records_before_and_after(agent_a):
    person = person_create(actor=agent_a, first_name="Olga", last_name="Smith")

    person_update(
        actor=agent_a,
        person=person,
        data={
            "last_name": "Brown",
            "lifecycle_stage": "customer",
            "tags": ["vip"],
            "phones": ["+359 88 123 4567"],
        },
    )

    event = AuditEvent.objects.filter(action="person.update", object_id=person.pk).get()
    assert event.changes["last_name"] == ["Smith", "Brown"]
    assert event.changes["lifecycle_stage"] == ["lead", "customer"]
    assert event.changes["tags"] == [[], ["vip"]]
    assert event.changes["phones"] == [[], ["+359881234567"]]
    person.refresh_from_db()
    assert person.full_name == "Olga Brown"
    assert person.primary_phone == "+359881234567"


def test_update_without_changes_writes_no_audit(agent_a):
    person = person_create(actor=agent_a, first_name="Olga", last_name="Smith")
    person_update(actor=agent_a, person=person, data={"last_name": "Smith"})
    assert not AuditEvent.objects.filter(action="person.update").exists()


def test_unknown_lifecycle_stage_is_rejected(agent_a):
    with pytest.raises(InvalidContactData) as caught:
        person_create(actor=agent_a, last_name="X", lifecycle_stage="vampire")
    assert "lifecycle_stage" in caught.value.fields


def test_person_linked_to_organization_of_another_workspace_is_rejected(
    agent_a, other_workspace_admin
):
    foreign = organization_create(actor=other_workspace_admin, name="Чужая фирма")
    with pytest.raises(InvalidContactData) as caught:
        person_create(actor=agent_a, last_name="X", organization_id=foreign.pk)
    assert "organization_id" in caught.value.fields


def test_audit_log_rows_cannot_be_updated(agent_a):
    from django.db import DatabaseError, transaction

    person_create(actor=agent_a, last_name="Audit")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.update(action="tampered")
    assert not AuditEvent.objects.filter(action="tampered").exists()


def test_bad_email_and_bad_phone_are_reported_together(agent_a):
    with pytest.raises(InvalidContactData) as caught:
        person_create(actor=agent_a, last_name="X", emails=["nope"], phones=["12"])
    assert set(caught.value.fields) == {"emails[0]", "phones[0]"}

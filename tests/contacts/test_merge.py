import pytest

from klient.activities.models import Interaction, Task
from klient.activities.services import interaction_create, task_create
from klient.contacts.errors import MergeNotAllowed
from klient.contacts.models import Person
from klient.contacts.selectors import person_duplicates, person_get, person_list
from klient.contacts.services import (
    consent_grant,
    consent_withdraw,
    organization_create,
    person_create,
    person_merge,
)
from klient.core.errors import NotFound
from klient.core.models import AuditEvent


def test_duplicates_by_email_phone_and_name_in_organization(admin):
    org = organization_create(actor=admin, name="Ромашка")
    person = person_create(
        actor=admin,
        first_name="Иван",
        last_name="Петров",
        emails=["ivan@romashka.ru"],
        phones=["+79161234567"],
        organization_id=org.pk,
    )
    same_email = person_create(actor=admin, last_name="Иванов", emails=["IVAN@romashka.ru"])
    same_phone = person_create(actor=admin, last_name="Сидоров", phones=["8 916 123 45 67"])
    same_name_same_org = person_create(
        actor=admin, first_name="иван", last_name="петров", organization_id=org.pk
    )
    person_create(actor=admin, first_name="Иван", last_name="Петров")  # same name, no shared org

    found = set(person_duplicates(user=admin, person=person).values_list("pk", flat=True))

    assert found == {same_email.pk, same_phone.pk, same_name_same_org.pk}


def test_merge_keeps_every_interaction_task_channel_and_consent(admin):
    primary = person_create(
        actor=admin, first_name="Иван", last_name="Петров", emails=["ivan@romashka.ru"]
    )
    duplicate = person_create(
        actor=admin,
        first_name="Иван",
        last_name="Петров",
        middle_name="Сергеевич",
        phones=["+79161234567"],
        emails=["petrov@gmail.com"],
    )
    for index in range(3):
        interaction_create(actor=admin, kind="call", person=duplicate, subject=f"call {index}")
    interaction_create(actor=admin, kind="note", person=primary, subject="note")
    task_create(actor=admin, title="Перезвонить", person=duplicate)
    consent_grant(actor=admin, person=duplicate, purpose="marketing", channel="email")

    merged = person_merge(actor=admin, primary=primary, duplicate=duplicate)

    assert Interaction.objects.filter(person=merged).count() == 4
    assert Task.objects.filter(person=merged).count() == 1
    assert set(merged.emails.values_list("email", flat=True)) == {
        "ivan@romashka.ru",
        "petrov@gmail.com",
    }
    assert list(merged.phones.values_list("number", flat=True)) == ["+79161234567"]
    assert merged.consents.count() == 1
    assert merged.middle_name == "Сергеевич"
    assert Person.objects.get(pk=duplicate.pk).merged_into_id == primary.pk
    assert [p.pk for p in person_list(user=admin)] == [primary.pk]
    with pytest.raises(NotFound):
        person_get(user=admin, person_id=duplicate.pk)
    event = AuditEvent.objects.get(action="person.merge", object_id=primary.pk)
    assert event.changes["merged_from"] == [None, duplicate.pk]
    assert event.changes["moved"][1] == {
        "interactions": 3,
        "tasks": 1,
        "messages": 0,
        "attachments": 0,
        "deals": 0,
    }


def test_merge_into_itself_or_twice_is_refused(admin):
    a = person_create(actor=admin, last_name="A")
    b = person_create(actor=admin, last_name="B")
    with pytest.raises(MergeNotAllowed):
        person_merge(actor=admin, primary=a, duplicate=a)
    person_merge(actor=admin, primary=a, duplicate=b)
    with pytest.raises(MergeNotAllowed):
        person_merge(actor=admin, primary=a, duplicate=Person.objects.get(pk=b.pk))


def test_consent_withdrawal_keeps_the_record(admin):
    person = person_create(actor=admin, last_name="A")
    consent = consent_grant(
        actor=admin, person=person, purpose="newsletter", channel="email", source="web form"
    )
    consent_withdraw(actor=admin, consent=consent)
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None
    assert not consent.is_active
    assert AuditEvent.objects.filter(action="consent.withdraw", object_id=person.pk).count() == 1

"""Export -> import gives back the same records, for each format."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from klient.activities.models import Interaction
from klient.activities.services import interaction_create
from klient.contacts.models import Organization, Person, Tag
from klient.contacts.services import organization_create, person_create
from tests.importexport.conftest import body, client_for

pytestmark = pytest.mark.django_db


def people_snapshot(*, with_crm_fields: bool = True) -> list[tuple]:
    rows = []
    for person in Person.objects.order_by("last_name", "first_name"):
        emails = list(person.emails.order_by("-is_primary", "id").values_list("email", flat=True))
        phones = list(person.phones.order_by("-is_primary", "id").values_list("number", flat=True))
        org = (
            person.affiliations.order_by("-is_primary", "id")
            .values_list("organization__name", flat=True)
            .first()
            or ""
        )
        tags = sorted(person.tags.values_list("name", flat=True))
        record = (
            person.first_name,
            person.last_name,
            person.middle_name,
            person.title,
            emails,
            phones,
            org,
            tags,
            person.full_name,
            person.search_text,
        )
        if with_crm_fields:
            record += (
                person.lifecycle_stage,
                person.segment,
                person.preferred_channel,
                person.preferred_language,
                person.owner_id,
            )
        rows.append(record)
    return rows


@pytest.fixture
def dossier(admin, agent_a):
    org = organization_create(
        actor=admin,
        name="ООО «Ромашка»",
        tax_id="7701234567",
        website="romashka.ru",
        email="Info@Romashka.ru",
        phone="+7 495 123-45-67",
        address="Москва,\nул. Тверская, 1",
        industry="=logistics",
        segment="+Key",
        tags=["vip", "-b"],
    )
    organization_create(actor=admin, name="Balkan Ltd", lifecycle_stage="partner")
    person_create(
        actor=admin,
        first_name="Иван",
        last_name="Иванов",
        middle_name="Петрович",
        title='=HYPERLINK("x")',
        emails=["ivan@example.com", "i.ivanov@home.ru"],
        phones=["+7 916 123-45-67", "+359 88 123 4567"],
        organization_id=org.pk,
        tags=["vip", "@home", "с пробелом"],
        lifecycle_stage="customer",
        segment="-SMB",
        preferred_channel="email",
        preferred_language="ru",
        owner_id=agent_a.pk,
    )
    person_create(
        actor=admin,
        first_name="Jane",
        last_name="O'Neil",
        title='Says "hi"',
        emails=["jane@example.org"],
        lifecycle_stage="churned",
    )
    person_create(
        actor=admin,
        first_name="Мария",
        last_name="Smith-Петрова",
        middle_name="'=x",
        phones=["+44 20 7946 0958"],
        preferred_channel="sms",
    )
    return org


def _wipe_people() -> None:
    Person.objects.all().delete()
    Tag.objects.filter(organizations__isnull=True).delete()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_people_round_trip(admin, dossier, write_file, run_import, fmt):
    before = people_snapshot()
    response = client_for(admin).get(f"/export/people.{fmt}")
    path = write_file(f"people.{fmt}", body(response))
    _wipe_people()
    job = run_import(admin, path)
    assert (job.status, job.created_count, job.invalid_count) == ("done", 3, 0)
    assert job.unknown_columns == ["Updated"]
    assert people_snapshot() == before


def test_people_round_trip_through_vcard(admin, dossier, write_file, run_import):
    before = people_snapshot(with_crm_fields=False)
    response = client_for(admin).get("/export/people.vcf")
    path = write_file("people.vcf", body(response))
    _wipe_people()
    job = run_import(admin, path)
    assert (job.created_count, job.invalid_count) == (3, 0)
    assert people_snapshot(with_crm_fields=False) == before


def test_reimporting_an_export_into_the_same_workspace_changes_nothing(
    admin, dossier, write_file, run_import
):
    before = people_snapshot()
    path = write_file("people.csv", body(client_for(admin).get("/export/people.csv")))
    job = run_import(admin, path, dedupe="overwrite")
    assert (job.created_count, job.updated_count, job.skipped_count) == (0, 0, 3)
    assert people_snapshot() == before


def organizations_snapshot() -> list[tuple]:
    return [
        (
            o.name,
            o.legal_name,
            o.tax_id,
            o.website,
            o.industry,
            o.email,
            o.phone,
            o.address,
            o.lifecycle_stage,
            o.segment,
            o.owner_id,
            o.search_text,
            sorted(o.tags.values_list("name", flat=True)),
        )
        for o in Organization.objects.order_by("name")
    ]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_organizations_round_trip(admin, dossier, write_file, run_import, fmt):
    before = organizations_snapshot()
    path = write_file(f"orgs.{fmt}", body(client_for(admin).get(f"/export/organizations.{fmt}")))
    Organization.objects.all().delete()
    job = run_import(admin, path, kind="organizations")
    assert (job.created_count, job.invalid_count) == (2, 0)
    assert organizations_snapshot() == before


def test_interactions_round_trip(admin, dossier, write_file, run_import):
    ivan = Person.objects.get(last_name="Иванов")
    interaction_create(
        actor=admin,
        kind="call",
        person=ivan,
        direction="inbound",
        occurred_at=datetime(2024, 3, 5, 11, 30, tzinfo=UTC),
        duration_seconds=95,
        subject="=SUM(1)",
        body="Перезвонить\nзавтра",
        channel="phone",
    )
    interaction_create(
        actor=admin,
        kind="note",
        organization=dossier,
        occurred_at=datetime(2024, 3, 6, 8, 0, tzinfo=UTC),
        subject="Заметка",
    )

    def snapshot() -> list[tuple]:
        return list(
            Interaction.objects.order_by("occurred_at").values_list(
                "kind",
                "direction",
                "channel",
                "occurred_at",
                "duration_seconds",
                "subject",
                "body",
                "person_id",
                "organization_id",
                "author_id",
            )
        )

    before = snapshot()
    path = write_file("i.csv", body(client_for(admin).get("/export/interactions.csv")))
    Interaction.objects.all().delete()
    job = run_import(admin, path, kind="interactions")
    assert (job.created_count, job.invalid_count) == (2, 0)
    assert snapshot() == before

"""Importing organizations (dedupe on tax id, else name) and interactions (onto clients)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from klient.activities.models import Interaction
from klient.contacts.models import Organization
from klient.contacts.services import organization_create, person_create
from klient.core.models import AuditEvent
from klient.importexport.models import ImportRowError

pytestmark = pytest.mark.django_db


def test_organizations_are_created_and_deduped_on_tax_id_then_name(admin, write_file, run_import):
    organization_create(actor=admin, name="ООО Ромашка", tax_id="7701234567")
    organization_create(actor=admin, name="Балкан ЕООД")
    job = run_import(
        admin,
        write_file(
            "o.csv",
            [
                ["Название", "ИНН", "Сайт", "Email", "Телефон", "Теги"],
                ["Ромашка (новое имя)", "7701 234 567", "romashka.ru", "", "", "key"],
                ["Балкан ЕООД", "", "balkan.bg", "office@balkan.bg", "+359 2 123 4567", ""],
                ["ООО Вектор", "7800000000", "", "bad@", "", ""],
                ["ООО Вектор", "7811111111", "vector.ru", "", "", ""],
            ],
        ),
        kind="organizations",
        dedupe="update",
    )

    assert (
        job.processed,
        job.created_count,
        job.updated_count,
        job.skipped_count,
        job.invalid_count,
    ) == (4, 1, 2, 0, 1)
    romashka = Organization.objects.get(tax_id="7701234567")
    assert (romashka.name, romashka.website) == ("ООО Ромашка", "romashka.ru")
    assert list(romashka.tags.values_list("name", flat=True)) == ["key"]
    balkan = Organization.objects.get(name="Балкан ЕООД")
    assert (balkan.email, balkan.phone) == ("office@balkan.bg", "+35921234567")
    assert balkan.search_text == "балкан еоод\noffice@balkan.bg 35921234567"
    vector = Organization.objects.get(tax_id="7811111111")
    assert vector.search_text == "ооо вектор\n7811111111"
    assert AuditEvent.objects.filter(action="organization.import_update").count() == 2
    assert ImportRowError.objects.get().value == "bad@"


def test_interactions_attach_to_people_by_email_or_phone_and_dedupe(admin, write_file, run_import):
    org = organization_create(actor=admin, name="ООО Ромашка")
    ivan = person_create(
        actor=admin,
        first_name="Иван",
        last_name="Иванов",
        emails=["ivan@example.com"],
        phones=["+7 916 123-45-67"],
        organization_id=org.pk,
    )
    rows = [
        [
            "Тип",
            "Направление",
            "Дата",
            "Длительность",
            "Тема",
            "Email контакта",
            "Телефон контакта",
            "Компания",
        ],
        [
            "Звонок",
            "outbound",
            "05.03.2024 14:30",
            "1:30",
            "Обсудили КП",
            "",
            "8 916 123 45 67",
            "",
        ],
        ["meeting", "", "2024-03-06 10:00", "", "Встреча", "IVAN@example.com", "", ""],
        ["note", "", "2024-03-07", "", "По компании", "", "", "ООО Ромашка"],
        ["call", "", "2024-03-07", "", "Кто это?", "ghost@example.com", "", ""],
        ["fax", "", "yesterday", "", "", "ivan@example.com", "", ""],
    ]
    path = write_file("i.csv", rows)
    job = run_import(admin, path, kind="interactions")

    assert (job.processed, job.created_count, job.skipped_count, job.invalid_count) == (5, 3, 0, 2)
    call = Interaction.objects.get(kind="call")
    moscow = ZoneInfo("Europe/Moscow")
    assert call.occurred_at == datetime(2024, 3, 5, 14, 30, tzinfo=moscow)
    assert (call.person_id, call.organization_id, call.direction, call.duration_seconds) == (
        ivan.pk,
        org.pk,
        "outbound",
        90,
    )
    assert call.author_id == admin.pk
    note = Interaction.objects.get(kind="note")
    assert (note.person_id, note.organization_id) == (None, org.pk)
    assert sorted(ImportRowError.objects.values_list("row_number", "value")) == [
        (5, "ghost@example.com"),
        (6, "fax"),
        (6, "yesterday"),
    ]

    again = run_import(admin, path, kind="interactions")
    assert (again.created_count, again.skipped_count, again.invalid_count) == (0, 3, 2)
    assert Interaction.objects.count() == 3

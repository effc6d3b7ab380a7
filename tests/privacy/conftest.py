"""A client with data in every app (Евлампий Стирателев) and another who must stay intact
(Агафья Посторонняя); helpers to read the export and to look for values anywhere."""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.utils import translation

from klient.activities.models import Interaction
from klient.activities.services import comment_create, interaction_create, task_create
from klient.contacts.list_services import saved_list_create
from klient.contacts.models import Person
from klient.contacts.services import (
    affiliation_set,
    consent_grant,
    organization_create,
    person_create,
    person_merge,
    person_update,
)
from klient.core.registry import ClientRecordsHandler, client_records
from klient.importexport.services import import_run_cli
from klient.notifications.channels.email import Attachment, email_send
from tests.factories import UserFactory

# What must be gone after the erasure, wherever it was: lower case, as the scan compares.
SECRETS = (
    "евлампи",  # any case of the first name
    "стирателев",
    "дубликатов",  # the merged duplicate's last name
    "evlampiy",  # both email addresses
    "9161112233",  # the phone's digits
    "chief erasure officer",
    "тайный разговор",
    "подробности звонка",
    "перезвонить по счёту",
    "анкета на выставке",
    "счёт-фактура",
    "pdf-содержимое",
)
OTHER = ("агафья", "посторонняя", "agafya.keep@example.org", "звонок агафье")
PEOPLE_CSV = (
    "First name,Last name,Email,Phone\r\n"
    "Евлампий,Стирателев,evlampiy.erase@example.org,+7 916 111-22-33\r\n"
    "Агафья,Посторонняя,agafya.keep@example.org,+7 916 555-66-77\r\n"
)
UPDATE_CSV = (
    "First name,Last name,Email,Job title,Phone\r\n"
    "Евлампий,Стирателев,evlampiy.erase@example.org,Chief Erasure Officer,+1 555 0100\r\n"
)


@pytest.fixture(autouse=True)
def _language_reset():
    yield
    translation.deactivate()


@pytest.fixture
def manager_b(workspace, team_b):
    return UserFactory(workspace=workspace, role="manager", username="manager_b", teams=[team_b])


@pytest.fixture
def client_a(agent_a, team_a):
    """A client of agent_a's team, with a little data: for who-may tests."""
    person = person_create(
        actor=agent_a,
        first_name="Олег",
        last_name="Орлов",
        emails=["oleg@example.org"],
        team_id=team_a.pk,
    )
    interaction_create(actor=agent_a, kind="note", person=person, subject="Заметка")
    return person


@dataclass
class Dossier:
    person: Person
    other: Person
    duplicate_id: int
    deal_entry: Interaction


@pytest.fixture
def deals_protect():
    """A business app whose records (here: entries owned by "tests.deal") protect their
    client from deletion, as sales' deals do."""

    def count(subject: str, record_id: int) -> int:
        if subject != "contacts.person":
            return 0
        return Interaction.objects.filter(person_id=record_id, subject_kind="tests.deal").count()

    client_records.register(
        ClientRecordsHandler(key="tests.deals", label="deals", count=count, protects=True)
    )
    yield
    client_records.unregister("tests.deals")


@pytest.fixture
def dossier(
    tmp_path,
    admin,
    agent_a,
    agent_a2,
    manager_a,
    team_a,
    deals_protect,
    django_capture_on_commit_callbacks,
) -> Dossier:
    """Евлампий came in by an import, was updated by a second one, has a merged duplicate,
    an organization link, a consent, a tag, a list, a call with a comment mentioning a
    colleague, a task for another colleague, an email with an attachment, and an entry
    of a deal (a business record). Агафья came in by the same import and has a call."""
    people = tmp_path / "people.csv"
    people.write_text(PEOPLE_CSV, encoding="utf-8")
    import_run_cli(path=people, kind="people", user=admin)
    person = Person.objects.get(last_name="Стирателев")
    other = Person.objects.get(last_name="Посторонняя")
    for client in (person, other):
        person_update(
            actor=admin, person=client, data={"owner_id": agent_a.pk, "team_id": team_a.pk}
        )
    update = tmp_path / "update.csv"
    update.write_text(UPDATE_CSV, encoding="utf-8")
    import_run_cli(path=update, kind="people", user=admin, dedupe="update")
    duplicate = person_create(
        actor=agent_a,
        first_name="Евлампий",
        last_name="Дубликатов",
        middle_name="Петрович",
        emails=["evlampiy.old@example.org"],
        team_id=team_a.pk,
    )
    person.refresh_from_db()
    person_merge(actor=agent_a, primary=person, duplicate=duplicate)
    organization = organization_create(actor=agent_a, name="ООО Ромашка")
    affiliation_set(
        actor=agent_a,
        person=person,
        organization=organization,
        role="finance",
        job_title="Chief Erasure Officer",
    )
    consent_grant(
        actor=agent_a,
        person=person,
        purpose="newsletter",
        channel="email",
        source="анкета на выставке",
    )
    person_update(actor=agent_a, person=person, data={"tags": ["vip"], "segment": "Евлампиевы"})
    saved_list_create(actor=agent_a, name="Звонить в мае", person_ids=[person.pk])
    with django_capture_on_commit_callbacks(execute=True):
        call = interaction_create(
            actor=agent_a,
            kind="call",
            person=person,
            subject="Тайный разговор",
            body="Подробности звонка с Евлампием",
        )
        comment_create(
            actor=agent_a, interaction=call, body="@manager_a Евлампий просит перезвонить"
        )
        task_create(actor=agent_a, title="Перезвонить по счёту", assignee=agent_a2, person=person)
        email_send(
            workspace_id=person.workspace_id,
            to="evlampiy.erase@example.org",
            subject="Счёт-фактура для Евлампия",
            body_text="Евлампий, во вложении счёт.",
            kind="tests.invoice",
            recipient_person=person,
            attachments=[
                Attachment("invoice.pdf", "PDF-содержимое Евлампия".encode(), "application/pdf")
            ],
        )
        interaction_create(
            actor=agent_a, kind="call", person=other, subject="Звонок Агафье", body="Агафья"
        )
    deal_entry = Interaction.objects.create(
        workspace_id=person.workspace_id,
        kind="call",
        occurred_at=call.occurred_at,
        person=person,
        subject_kind="tests.deal",
        subject_id=7,
        subject="Сделка 7: этап «Переговоры»",
    )
    person.refresh_from_db()
    other.refresh_from_db()
    return Dossier(person=person, other=other, duplicate_id=duplicate.pk, deal_entry=deal_entry)


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def zip_read(content: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def streamed(response: Any) -> bytes:
    return b"".join(response.streaming_content)


def _cell_text(value: Any) -> str:
    if isinstance(value, memoryview):
        value = value.tobytes()
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="ignore")
    if isinstance(value, str) and value[:1] in "[{":
        try:  # SQLite keeps JSON with \u escapes
            return json.dumps(json.loads(value), ensure_ascii=False)
        except ValueError:
            return value
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


def database_text() -> dict[str, str]:
    """Every table's rows as lower-case text, by table: what anyone with the database
    could read or search. The internals of SQLite's full-text index are left out (what
    it can find is checked by searching)."""
    tables = {}
    for table in connection.introspection.table_names():
        if "_fts" in table or table.startswith("sqlite_") or table == "django_migrations":
            continue
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            rows = cursor.fetchall()
        tables[table] = " ".join(_cell_text(cell) for row in rows for cell in row).lower()
    return tables


def found_in_database(values: tuple[str, ...]) -> dict[str, list[str]]:
    """{table: [values found]} for every table holding one of `values`."""
    found = {}
    for table, text in database_text().items():
        hits = [value for value in values if value in text]
        if hits:
            found[table] = hits
    return found

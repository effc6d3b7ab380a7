"""Exports: visible columns and list filters, neutralised cells, vCard, iCalendar, raw."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import icalendar
import openpyxl
import pytest
import vobject

from klient.activities.services import interaction_create, task_create
from klient.contacts.services import organization_create, person_create
from klient.core.models import AuditEvent
from tests.importexport.conftest import body, client_for, csv_rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(admin, agent_a, agent_b):
    org = organization_create(actor=agent_a, name="ООО Ромашка")
    ivan = person_create(
        actor=agent_a,
        first_name="Иван",
        last_name="Иванов",
        title="=1+1",
        emails=["ivan@example.com", "ivan@home.ru"],
        phones=["+7 916 123-45-67"],
        organization_id=org.pk,
        tags=["vip", "@home"],
        lifecycle_stage="customer",
        segment="-SMB",
    )
    anna = person_create(
        actor=agent_b, first_name="Анна", last_name="Смирнова", emails=["anna@example.com"]
    )
    return {"org": org, "ivan": ivan, "anna": anna}


def test_people_csv_has_the_visible_columns_and_neutralised_cells(admin, people):
    response = client_for(admin).get(
        "/export/people.csv", {"columns": "last_name,title,email,phone,tags,segment"}
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert body(response).startswith("\ufeff".encode())
    rows = csv_rows(response)
    assert rows[0] == ["Last name", "Job title", "Email", "Phone", "Tags", "Segment"]
    assert sorted(rows[1:]) == [
        [
            "Иванов",
            "'=1+1",
            "ivan@example.com, ivan@home.ru",
            "+79161234567",  # a phone is data, not a formula
            "'@home, vip",
            "'-SMB",
        ],
        ["Смирнова", "", "anna@example.com", "", "", ""],
    ]


def test_export_follows_the_list_filters_and_visibility(agent_a, people):
    rows = csv_rows(client_for(agent_a).get("/export/people.csv", {"columns": "last_name"}))
    assert rows == [["Last name"], ["Иванов"]]  # agent_a does not see agent_b's client
    admin_client = client_for(people["ivan"].owner)
    assert csv_rows(
        admin_client.get("/export/people.csv", {"columns": "last_name", "q": "смирн"})
    ) == [["Last name"]]


def test_export_search_filter_as_on_the_list(admin, people):
    rows = csv_rows(
        client_for(admin).get("/export/people.csv", {"columns": "last_name", "q": "смирн"})
    )
    assert rows == [["Last name"], ["Смирнова"]]
    rows = csv_rows(
        client_for(admin).get(
            "/export/people.csv", {"columns": "last_name", "lifecycle_stage": "customer"}
        )
    )
    assert rows == [["Last name"], ["Иванов"]]


def test_unknown_column_is_a_clear_error(admin, people):
    response = client_for(admin).get("/export/people.csv", {"columns": "last_name,password"})
    assert response.status_code == 422
    assert "password" in response.content.decode()


def test_people_xlsx_cells_are_text_never_formulas(admin, people):
    response = client_for(admin).get(
        "/export/people.xlsx", {"columns": "last_name,title,phone", "q": "иван"}
    )
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(body(response))).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows == [["Last name", "Job title", "Phone"], ["Иванов", "=1+1", "+79161234567"]]
    title = sheet["B2"]
    assert (title.data_type, title.quotePrefix) == ("s", True)
    assert sheet["A2"].quotePrefix is False


def test_people_vcard(admin, people):
    response = client_for(admin).get("/export/people.vcf", {"q": "иван"})
    card = vobject.readOne(body(response).decode())
    assert card.fn.value == "Иван Иванов"
    assert (card.n.value.family, card.n.value.given) == ("Иванов", "Иван")
    assert [e.value for e in card.contents["email"]] == ["ivan@example.com", "ivan@home.ru"]
    assert card.tel.value == "+79161234567"
    assert card.org.value == ["ООО Ромашка"]
    assert sorted(card.categories.value) == ["@home", "vip"]


def test_tasks_and_meetings_to_icalendar(admin, people):
    due = datetime(2024, 5, 1, 9, 0, tzinfo=UTC)
    task_create(actor=admin, title="Позвонить", person=people["ivan"], due_at=due, assignee=admin)
    meeting = interaction_create(
        actor=admin,
        kind="meeting",
        person=people["ivan"],
        subject="Встреча",
        occurred_at=due,
        duration_seconds=1800,
    )
    response = client_for(admin).get("/export/calendar.ics")
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = icalendar.Calendar.from_ical(response.content)
    todos = calendar.walk("VTODO")
    events = calendar.walk("VEVENT")
    assert [(str(t["summary"]), t["due"].dt, str(t["status"])) for t in todos] == [
        ("Позвонить", due, "NEEDS-ACTION")
    ]
    assert [(str(e["uid"]), str(e["summary"]), e["dtstart"].dt, e["dtend"].dt) for e in events] == [
        (f"interaction-{meeting.pk}@klient", "Встреча", due, due + timedelta(minutes=30))
    ]


def test_raw_export_is_for_admins_and_keeps_values_as_stored(admin, agent_a, people):
    assert client_for(agent_a).get("/export/raw/people.csv").status_code == 403
    rows = csv_rows(client_for(admin).get("/export/raw/people.csv"))
    ivan = people["ivan"]
    header = rows[0]
    record = next(row for row in rows[1:] if row[header.index("id")] == str(ivan.pk))
    assert record[header.index("title")] == "=1+1"  # not neutralised: a migration copy
    assert record[header.index("phones")] == "+79161234567"
    assert record[header.index("lifecycle_stage")] == "customer"
    assert AuditEvent.objects.filter(action="export.people_raw", actor=admin).count() == 1


def test_organizations_export(admin, people):
    organization_create(actor=admin, name="+Formula Ltd", tax_id="123")
    rows = csv_rows(client_for(admin).get("/export/organizations.csv", {"columns": "name,tax_id"}))
    assert sorted(rows[1:]) == [["'+Formula Ltd", "123"], ["ООО Ромашка", ""]]


def test_analyst_can_export_what_they_read(analyst, people):
    rows = csv_rows(client_for(analyst).get("/export/people.csv", {"columns": "last_name"}))
    assert sorted(rows[1:]) == [["Иванов"], ["Смирнова"]]


def test_an_export_holds_only_the_visible_peoples_emails(admin, agent_a):
    # Interleaved ids: the chunk's related rows are read by id range, and an invisible
    # person's email inside that range must not end up on anyone's row.
    for n in range(4):
        person_create(actor=agent_a, last_name=f"Мой{n}", emails=[f"mine{n}@example.com"])
        person_create(actor=admin, last_name=f"Чужой{n}", emails=[f"other{n}@example.com"])

    rows = csv_rows(client_for(agent_a).get("/export/people.csv", {"columns": "last_name,email"}))

    assert rows == [["Last name", "Email"]] + [
        [f"Мой{n}", f"mine{n}@example.com"] for n in range(4)
    ]

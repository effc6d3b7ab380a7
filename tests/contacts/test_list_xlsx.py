"""The people list as an XLSX file: the list's filters, sort and chosen columns, widths,
a frozen header, an autofilter and real date cells; the checked people only from the
bulk bar, refused whole when one of them is hidden."""

from __future__ import annotations

from datetime import datetime
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from openpyxl import load_workbook

from klient.contacts.models import ListPreference, Person
from klient.contacts.services import person_create
from klient.core.models import AuditEvent

pytestmark = pytest.mark.django_db

URL = "/export/list/people.xlsx"


@pytest.fixture
def people(agent_a):
    made = {}
    for day, name in ((3, "Борисов"), (1, "Антонов"), (2, "=Волков")):
        person = person_create(actor=agent_a, first_name="", last_name=name)
        Person.objects.filter(pk=person.pk).update(
            created_at=datetime(2026, 3, day, 9, 30, tzinfo=ZoneInfo("UTC"))
        )
        made[name] = person
    ListPreference.objects.create(user=agent_a, list_key="people", columns=["name", "created"])
    return made


def _sheet(user, params):
    client = Client()
    client.force_login(user)
    response = client.get(URL, params)
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return load_workbook(BytesIO(response.content)).active


@pytest.mark.usefixtures("people")
def test_the_file_has_the_chosen_columns_in_the_lists_sort(agent_a):
    sheet = _sheet(agent_a, {"sort": "-name"})

    assert [[c.value for c in row] for row in sheet.iter_rows(max_col=1)] == [
        ["Person"],
        ["Борисов"],
        ["Антонов"],
        ["=Волков"],
    ]
    assert sheet.max_column == 2


@pytest.mark.usefixtures("people")
def test_the_header_is_frozen_with_an_autofilter_and_column_widths(agent_a):
    sheet = _sheet(agent_a, {"sort": "name"})

    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:B4"
    assert sheet.column_dimensions["A"].width == 32
    assert sheet.column_dimensions["B"].width == 18
    assert sheet["A1"].font.bold is True


@pytest.mark.usefixtures("people")
def test_dates_are_date_cells_in_the_users_time_zone(agent_a):
    sheet = _sheet(agent_a, {"sort": "created"})

    cell = sheet["B2"]
    assert cell.data_type == "d"  # a date, not text
    assert cell.is_date is True
    assert cell.value == datetime(2026, 3, 1, 12, 30)  # Europe/Moscow
    assert cell.number_format == "yyyy-mm-dd hh:mm"


@pytest.mark.usefixtures("people")
def test_text_that_looks_like_a_formula_stays_text(agent_a):
    sheet = _sheet(agent_a, {"sort": "name"})

    cell = sheet["A2"]
    assert (cell.value, cell.data_type) == ("=Волков", "s")


def test_the_list_filters_apply(agent_a, people):
    sheet = _sheet(agent_a, {"q": "антонов"})

    assert [c.value for c in sheet["A"]] == ["Person", "Антонов"]


def test_checked_people_only_and_the_export_is_audited(agent_a, people):
    sheet = _sheet(agent_a, {"ids": [people["Антонов"].pk, people["Борисов"].pk], "sort": "name"})

    assert [c.value for c in sheet["A"]] == ["Person", "Антонов", "Борисов"]
    event = AuditEvent.objects.get(action="export.people")
    assert event.changes["rows"] == [None, 2]


def test_a_hidden_checked_person_refuses_the_whole_export(agent_a, agent_b, people):
    hidden = person_create(actor=agent_b, last_name="Сидоров")
    client = Client()
    client.force_login(agent_a)

    response = client.get(URL, {"ids": [people["Антонов"].pk, hidden.pk]})

    assert response.status_code == 422
    assert not AuditEvent.objects.filter(action="export.people").exists()


def test_the_bulk_bar_export_sends_to_the_file_of_the_checked_people(agent_a, people):
    client = Client()
    client.force_login(agent_a)
    ids = [people["Антонов"].pk, people["Борисов"].pk]

    response = client.post("/clients/bulk/", {"action": "export", "ids": ids})

    assert response.status_code == 302
    assert response["Location"] == f"{URL}?ids={ids[0]}&ids={ids[1]}"

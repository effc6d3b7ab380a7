"""The audit log in words: sentences in the reader's language, records as links, filters
by colleague, record, action and dates, bad filters answered in words, a bounded number
of queries per page."""

from __future__ import annotations

import ast
import re
from datetime import UTC, datetime
from html import unescape
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django.utils.html import strip_tags

import klient
from klient.activities.services import comment_create, interaction_create, task_create, task_update
from klient.contacts.services import (
    organization_create,
    person_create,
    person_delete,
    person_update,
)
from klient.core.audit_words import audit_action_for
from klient.core.models import AuditEvent
from klient.core.services import audit_record, user_create
from tests.factories import UserFactory

AUDIT = "/settings/audit/"


@pytest.fixture(autouse=True)
def _language_reset():
    yield
    translation.deactivate()


@pytest.fixture
def anna(workspace):
    return UserFactory(
        workspace=workspace, role="admin", username="anna", first_name="Анна", last_name="Петрова"
    )


@pytest.fixture
def boris(workspace, team_a):
    return UserFactory(
        workspace=workspace,
        role="manager",
        username="boris",
        first_name="Борис",
        last_name="Иванов",
        teams=[team_a],
    )


@pytest.fixture
def petr(anna, team_a):
    # Anna's client, shared with Boris's team.
    return person_create(actor=anna, first_name="Пётр", last_name="Сидоров", team_id=team_a.pk)


def client_in(user, language: str = "en") -> Client:
    client = Client()
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def sentences(user, language: str = "en", **filters) -> list[str]:
    response = client_in(user, language).get(AUDIT, filters)
    assert response.status_code == 200, response.content.decode()[:500]
    return [str(row.sentence) for row in response.context["rows"]]


def link(person) -> str:
    return f'<a href="/people/{person.pk}/">{person.full_name}</a>'


# --- wording -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("ru", "Анна Петрова: изменён контакт {link} — телефоны"),
        ("bg", "Анна Петрова промени телефони на контакт {link}"),
        ("en", "Анна Петрова changed phones of person {link}"),
    ],
)
def test_a_phone_change_reads_as_a_sentence_in_the_readers_language(anna, petr, language, expected):
    person_update(actor=anna, person=petr, data={"phones": ["+7 916 123-45-67"]})

    shown = sentences(anna, language, action="person.update")

    assert shown == [expected.format(link=link(petr))]


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("ru", "Анна Петрова: создан контакт {link}"),
        ("bg", "Анна Петрова създаде контакт {link}"),
        ("en", "Анна Петрова created person {link}"),
    ],
)
def test_a_created_person_reads_with_a_link(anna, petr, language, expected):
    assert sentences(anna, language, action="person.create") == [expected.format(link=link(petr))]


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("ru", "Анна Петрова: добавлен пользователь Новый Сотрудник с ролью «Сотрудник»"),
        ("bg", "Анна Петрова добави потребител Новый Сотрудник с роля „Служител“"),
        ("en", "Анна Петрова added user Новый Сотрудник with the role Agent"),
    ],
)
def test_a_new_colleague_reads_with_their_name_and_role(anna, workspace, language, expected):
    user_create(
        workspace=workspace,
        username="newbie",
        role="agent",
        password="x" * 16,
        first_name="Новый",
        last_name="Сотрудник",
        actor=anna,
    )

    assert sentences(anna, language, action="user.create") == [expected]


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("ru", "Анна Петрова: создана задача {task} «Перезвонить», исполнитель — Борис Иванов"),
        ("bg", "Анна Петрова създаде задача {task} „Перезвонить“ за Борис Иванов"),
        ("en", "Анна Петрова created task {task} “Перезвонить” for Борис Иванов"),
    ],
)
def test_a_task_reads_with_the_client_it_is_on_and_its_assignee(
    anna, boris, petr, language, expected
):
    task = task_create(actor=anna, title="Перезвонить", assignee=boris, person=petr)

    shown = sentences(anna, language, action="task.create")

    assert shown == [expected.format(task=f"#{task.pk} ({link(petr)})")]


def test_an_interaction_whose_client_is_gone_reads_as_its_number(anna, petr):
    call = interaction_create(actor=anna, kind="call", person=petr, subject="Договор")
    person_delete(actor=anna, person=petr)

    assert sentences(anna, "ru", action="interaction.create") == [
        f"Анна Петрова: добавлено взаимодействие «Звонок» #{call.pk}"
    ]


def test_a_deleted_person_shows_its_kind_and_id_without_a_link(anna, petr):
    person_id = petr.pk
    person_update(actor=anna, person=petr, data={"title": "CEO"})
    person_delete(actor=anna, person=petr)

    shown = sentences(anna, "ru", object_type="contacts.person", object_id=person_id)

    assert shown == [
        f"Анна Петрова: удалён контакт #{person_id}",
        f"Анна Петрова: изменён контакт #{person_id} — должность",
        f"Анна Петрова: создан контакт #{person_id}",
    ]


def test_a_removed_colleague_and_background_work_are_named_as_such(anna, workspace):
    organization = organization_create(actor=anna, name="Меридиан")
    audit_record(
        workspace=workspace,
        actor=None,
        action="organization.update",
        instance=organization,
        changes={"name": ("Меридиан", "Меридиан+")},
    )
    AuditEvent.objects.create(
        workspace=workspace,
        actor_id=987654,
        action="organization.delete",
        object_type="contacts.organization",
        object_id=organization.pk,
    )

    shown = [strip_tags(s) for s in sentences(anna, "ru", object_type="contacts.organization")]

    assert shown == [
        "Удалённый пользователь #987654: удалена организация Меридиан",
        "Система: изменена организация Меридиан — название",
        "Анна Петрова: создана организация Меридиан",
    ]


def test_an_owner_change_shows_colleagues_by_name(anna, boris, petr):
    person_update(actor=anna, person=petr, data={"owner_id": boris.pk})

    response = client_in(anna, "ru").get(AUDIT, {"action": "person.update"})

    [change] = response.context["rows"][0].changes
    assert (change.label, change.before, change.after) == (
        "ответственный",
        "Анна Петрова",
        "Борис Иванов",
    )


def test_a_due_time_is_shown_in_the_workspace_time_zone_and_the_readers_format(
    anna, boris, petr, settings
):
    settings.TIME_ZONE = "Europe/Moscow"
    task = task_create(actor=anna, title="Перезвонить", assignee=boris, person=petr)
    task_update(actor=anna, task=task, data={"due_at": datetime(2026, 12, 2, 12, 15, tzinfo=UTC)})

    rows = client_in(anna, "ru").get(AUDIT, {"action": "task.update"}).context["rows"]

    [change] = rows[0].changes
    assert (change.label, change.before, change.after) == ("срок", "—", "02.12.2026 15:15")


def test_a_long_comment_is_shortened(anna, petr):
    call = interaction_create(actor=anna, kind="call", person=petr)
    comment_create(actor=anna, interaction=call, body="Очень длинный текст. " * 10)

    rows = client_in(anna, "en").get(AUDIT, {"action": "comment.create"}).context["rows"]

    [change] = rows[0].changes
    assert change.after == ("Очень длинный текст. " * 4)[:79] + "…"
    assert len(strip_tags(str(rows[0].sentence))) < 200


def test_an_action_without_a_wording_still_reads_with_its_key(anna, petr):
    audit_record(workspace=anna.workspace, actor=anna, action="person.teleport", instance=petr)

    assert sentences(anna, "en", action="person.teleport") == [
        f"Анна Петрова: person.teleport — Person {link(petr)}"
    ]


def test_stored_text_cannot_inject_markup(anna):
    person_create(actor=anna, first_name="<script>x</script>", last_name="Z")

    [shown] = sentences(anna, "en", action="person.create")

    assert "<script>" not in shown
    assert "&lt;script&gt;x&lt;/script&gt; Z" in shown


def test_every_action_written_in_the_code_has_a_wording():
    """A new `action="app.verb"` without a registration would read as its bare key."""
    source = Path(klient.__file__).parent
    written = set()
    for path in source.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.keyword) and node.arg == "action":
                if isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
                    written.add(node.value.value)
                elif isinstance(node.value, ast.JoinedStr):
                    prefix = node.value.values[0]
                    if isinstance(prefix, ast.Constant):
                        written.add(f"{prefix.value}anything")
                elif isinstance(node.value, ast.IfExp):
                    for branch in (node.value.body, node.value.orelse):
                        if isinstance(branch, ast.Constant):
                            written.add(branch.value)
    audited = {key for key in written if re.fullmatch(r"[a-z_]+\.[a-z_]+", key)}

    assert len(audited) > 50
    assert sorted(key for key in audited if audit_action_for(key) is None) == []


# --- filters -----------------------------------------------------------------------------------


def test_filter_by_colleague(anna, boris, workspace):
    organization_create(actor=anna, name="Anna's")
    organization_create(actor=boris, name="Boris's")

    shown = sentences(anna, "en", actor=boris.pk, action="organization.")

    assert [unescape(strip_tags(s)) for s in shown] == ["Борис Иванов created organization Boris's"]


def test_filter_by_record_is_what_the_cards_history_link_opens(anna, petr):
    other = person_create(actor=anna, first_name="Олег", last_name="Орлов")
    person_update(actor=anna, person=petr, data={"title": "CEO"})
    card = client_in(anna).get(f"/people/{petr.pk}/").content.decode()
    href = f"/settings/audit/?object_type=contacts.person&amp;object_id={petr.pk}"

    response = client_in(anna).get(AUDIT, {"object_type": "contacts.person", "object_id": petr.pk})

    assert href in card
    assert [row.action for row in response.context["rows"]] == ["person.update", "person.create"]
    assert response.context["about"]["name"] == "Пётр Сидоров"
    assert other.full_name not in "".join(str(row.sentence) for row in response.context["rows"])


def test_the_history_link_is_for_administrators_only(boris, anna, petr):
    petr.owner = boris
    petr.save()

    card = client_in(boris).get(f"/people/{petr.pk}/").content.decode()

    assert "object_type=contacts.person" not in card


def test_filter_by_one_action_is_exact(anna, petr):
    duplicate = person_create(actor=anna, first_name="Пётр", last_name="Сидоров")
    audit_record(
        workspace=anna.workspace,
        actor=anna,
        action="person.merged_into",
        instance=duplicate,
        changes={"merged_into": (None, petr.pk)},
    )
    audit_record(
        workspace=anna.workspace,
        actor=anna,
        action="person.merge",
        instance=petr,
        changes={"merged_from": (None, duplicate.pk)},
    )

    merges = client_in(anna).get(AUDIT, {"action": "person.merge"}).context["rows"]
    prefix = client_in(anna).get(AUDIT, {"action": "person."}).context["rows"]

    assert [row.action for row in merges] == ["person.merge"]
    assert len(prefix) == 4


def _at(moment: datetime):
    return mock.patch("django.utils.timezone.now", return_value=moment)


def test_filter_by_dates_in_the_workspace_time_zone(anna, workspace, settings):
    settings.TIME_ZONE = "Europe/Moscow"
    # 22:30 UTC on 10 March is 01:30 on 11 March in Moscow, the workspace's zone.
    with _at(datetime(2025, 3, 10, 22, 30, tzinfo=UTC)):
        organization_create(actor=anna, name="Late")
    with _at(datetime(2025, 3, 9, 12, 0, tzinfo=UTC)):
        organization_create(actor=anna, name="Earlier")

    def names(**dates):
        return [strip_tags(s).rsplit(" ", 1)[1] for s in sentences(anna, "en", **dates)]

    assert names(**{"from": "2025-03-11", "to": "2025-03-11"}) == ["Late"]
    assert names(**{"from": "2025-03-09", "to": "2025-03-10"}) == ["Earlier"]
    assert sorted(names(**{"from": "2025-03-09"})) == ["Earlier", "Late"]
    assert names(to="2025-03-08") == []


# --- bad input ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"actor": str(10**23)}, "Who: Enter a number from 1 to 9223372036854775807."),
        ({"object_id": "²"}, "Record id: Enter a whole number."),
        ({"from": "2025-13-01"}, "From: Enter a valid date."),
        ({"to": "yesterday"}, "To: Enter a valid date."),
        ({"from": "0001-01-01"}, "From: Enter a date from 1900-01-01 to 9998-12-31."),
        ({"from": "2025-03-02", "to": "2025-03-01"}, "To: The end date is before the start date."),
        ({"object_type": "x" * 100}, "Record type: Unknown record type."),
        ({"action": "drop table;"}, "Action: Unknown action."),
        ({"cursor": "!!!"}, "Page: Invalid cursor."),
    ],
)
def test_a_bad_filter_is_answered_on_the_page_never_a_500(anna, petr, params, message):
    response = client_in(anna).get(AUDIT, params)

    assert response.status_code == 422
    assert message in strip_tags(response.content.decode())
    assert response.context["rows"] == []


def test_a_bad_filter_is_answered_in_the_readers_language(anna):
    response = client_in(anna, "ru").get(AUDIT, {"from": "2025-02-30"})

    assert response.status_code == 422
    assert "Дата с: Введите правильную дату." in strip_tags(response.content.decode())


@pytest.mark.parametrize("role", ["manager", "agent", "analyst"])
def test_only_administrators_open_the_log(workspace, role):
    user = UserFactory(workspace=workspace, role=role)

    assert client_in(user).get(AUDIT).status_code == 403


# --- cost --------------------------------------------------------------------------------------


def _activity(anna, boris, n: int) -> None:
    team_id = boris.teams.get().pk
    for i in range(n):
        person = person_create(actor=anna, first_name="Клиент", last_name=str(i))
        person_update(actor=anna, person=person, data={"owner_id": boris.pk, "team_id": team_id})
        organization = organization_create(actor=anna, name=f"Org {i}")
        call = interaction_create(actor=anna, kind="call", organization=organization)
        comment_create(actor=anna, interaction=call, body="ok")
        task_create(actor=anna, title=f"Task {i}", assignee=boris, person=person)
    person_delete(actor=anna, person=person)


def _queries(user) -> int:
    client = client_in(user)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(AUDIT).status_code == 200
    return len(captured)


def test_the_page_costs_the_same_queries_whatever_the_number_of_rows(anna, boris):
    _activity(anna, boris, 1)
    few = _queries(anna)
    rows_few = AuditEvent.objects.count()

    _activity(anna, boris, 6)
    many = _queries(anna)

    assert AuditEvent.objects.count() > 3 * rows_few
    assert many == few

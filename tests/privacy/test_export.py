"""The client's copy: a ZIP with every app's section for that client and nothing of anyone
else, a readable summary, the files; audited."""

from __future__ import annotations

import json

import pytest

from klient.core.models import AuditEvent
from klient.core.personal_data import personal_data_export
from tests.privacy.conftest import OTHER, zip_read

pytestmark = pytest.mark.django_db


def _export(admin, person) -> dict[str, bytes]:
    export = personal_data_export(actor=admin, subject="contacts.person", record_id=person.pk)
    with export.file:
        content = export.file.read()
    assert export.size == len(content)
    return zip_read(content)


def test_the_archive_holds_data_summary_and_files(admin, dossier):
    files = _export(admin, dossier.person)

    assert sorted(files) == [
        "data.json",
        f"files/notifications.messages/message-{_message_id(files)}/invoice.pdf",
        "summary.html",
    ]
    assert files[f"files/notifications.messages/message-{_message_id(files)}/invoice.pdf"] == (
        "PDF-содержимое Евлампия".encode()
    )


def _message_id(files: dict[str, bytes]) -> int:
    data = json.loads(files["data.json"])
    [message] = data["sections"]["notifications.messages"]["rows"]
    return int(message["id"])


def test_data_json_has_a_section_from_every_app_holding_something(admin, dossier):
    data = json.loads(_export(admin, dossier.person)["data.json"])

    assert (data["format"], data["version"]) == ("klient.personal-data", 1)
    assert data["subject"] == {
        "kind": "contacts.person",
        "id": dossier.person.pk,
        "name": "Евлампий Петрович Стирателев",
    }
    assert data["exported_by"] == {"id": admin.pk, "name": admin.display_name}
    assert list(data["sections"]) == [
        "importexport.imports",
        "notifications.messages",
        "activities.history",
        "contacts.person",
    ]


def test_the_client_card_section_has_the_person_and_the_merged_duplicate(admin, dossier):
    data = json.loads(_export(admin, dossier.person)["data.json"])

    person, duplicate = data["sections"]["contacts.person"]["rows"]
    assert {key: person[key] for key in ("record", "id", "full_name", "title", "segment")} == {
        "record": "person",
        "id": dossier.person.pk,
        "full_name": "Евлампий Петрович Стирателев",
        "title": "Chief Erasure Officer",
        "segment": "Евлампиевы",
    }
    assert person["emails"] == ["evlampiy.erase@example.org", "evlampiy.old@example.org"]
    assert person["phones"] == ["+79161112233"]
    assert person["organizations"] == [
        {
            "organization": "ООО Ромашка",
            "role": "finance",
            "job_title": "Chief Erasure Officer",
            "is_primary": True,
        }
    ]
    assert [(c["purpose"], c["source"]) for c in person["consents"]] == [
        ("newsletter", "анкета на выставке")
    ]
    assert (person["tags"], person["lists"]) == (["vip"], ["Звонить в мае"])
    assert (duplicate["record"], duplicate["id"], duplicate["full_name"]) == (
        "merged_duplicate",
        dossier.duplicate_id,
        "Евлампий Петрович Дубликатов",
    )


def test_the_timeline_section_has_calls_comments_tasks_and_the_deals_entries(admin, dossier):
    data = json.loads(_export(admin, dossier.person)["data.json"])

    rows = data["sections"]["activities.history"]["rows"]
    calls = [row for row in rows if row["record"] == "interaction"]
    assert sorted((row["subject"], row["owner"]) for row in calls) == [
        ("Сделка 7: этап «Переговоры»", "tests.deal:7"),
        ("Счёт-фактура для Евлампия", ""),
        ("Тайный разговор", ""),
    ]
    [call] = [row for row in calls if row["subject"] == "Тайный разговор"]
    assert call["body"] == "Подробности звонка с Евлампием"
    assert [c["body"] for c in call["comments"]] == ["@manager_a Евлампий просит перезвонить"]
    [task] = [row for row in rows if row["record"] == "task"]
    assert (task["title"], task["status"], task["assignee"]) == (
        "Перезвонить по счёту",
        "open",
        "Test " + task["assignee"].split(" ", 1)[1],
    )


def test_the_messages_and_imports_sections(admin, dossier):
    data = json.loads(_export(admin, dossier.person)["data.json"])

    [message] = data["sections"]["notifications.messages"]["rows"]
    assert (message["channel"], message["address"], message["subject"]) == (
        "email",
        "evlampiy.erase@example.org",
        "Счёт-фактура для Евлампия",
    )
    assert message["attachments"] == [f"message-{message['id']}/invoice.pdf"]
    imports = data["sections"]["importexport.imports"]["rows"]
    assert [(row["file_name"], row["row"], row["outcome"]) for row in imports] == [
        ("people.csv", 2, "Created"),
        ("update.csv", 2, "Updated"),
    ]
    assert imports[1]["report"] == [
        {
            "level": "warning",
            "column": "Phone",
            "value": "+1 555 0100",
            "reason": "“+1 555 0100” is not a valid phone number. Imported without it.",
        }
    ]


def test_nothing_of_another_client_is_in_the_archive(admin, dossier):
    files = _export(admin, dossier.person)

    text = b"".join(files.values()).decode("utf-8", errors="ignore").lower()
    assert [value for value in OTHER if value in text] == []
    # ... while the other client's own copy has them, and none of Евлампий's.
    theirs = b"".join(_export(admin, dossier.other).values()).decode().lower()
    assert "звонок агафье" in theirs
    assert "евлампи" not in theirs and "стирателев" not in theirs


def test_the_summary_is_readable_and_escaped(admin, dossier, agent_a):
    from klient.contacts.services import person_update

    person_update(actor=agent_a, person=dossier.person, data={"title": "<b>Boss</b>"})

    summary = _export(admin, dossier.person)["summary.html"].decode()

    assert "<h1>Personal data of Евлампий Петрович Стирателев</h1>" in summary
    assert "&lt;b&gt;Boss&lt;/b&gt;" in summary and "<b>Boss</b>" not in summary
    assert "<h2>Client card</h2>" in summary and "<h2>Messages sent</h2>" in summary
    assert '<a href="files/notifications.messages/' in summary


def test_the_export_is_audited_without_personal_values(admin, dossier):
    _export(admin, dossier.person)

    event = AuditEvent.objects.get(action="personal_data.export")
    assert (event.actor_id, event.object_type, event.object_id) == (
        admin.pk,
        "contacts.person",
        dossier.person.pk,
    )
    assert event.changes == {
        "sections": [
            None,
            [
                "importexport.imports",
                "notifications.messages",
                "activities.history",
                "contacts.person",
            ],
        ],
        "files": [None, 1],
    }


def test_a_manager_of_the_owners_team_may_export(manager_a, dossier):
    data = json.loads(_export(manager_a, dossier.person)["data.json"])

    assert data["subject"]["id"] == dossier.person.pk

"""Attaching and deleting files read as sentences on the audit log, naming the record the
file is (or was) on as a link, in the reader's language."""

from __future__ import annotations

import pytest
from django.utils.html import strip_tags

from klient.attachments.services import attachment_add, attachment_delete
from tests.attachments.samples import pdf_upload

AUDIT = "/settings/audit/"


def sentences(client, **filters) -> list[str]:
    response = client.get(AUDIT, filters)
    assert response.status_code == 200
    return [str(row.sentence) for row in response.context["rows"]]


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "{actor} attached file “contract.pdf” to {link}"),
        ("ru", "{actor}: к записи {link} прикреплён файл «contract.pdf»"),
        ("bg", "{actor} прикачи файл „contract.pdf“ към {link}"),
    ],
)
def test_an_attached_file_reads_with_a_link_to_its_record(
    client_for, admin, agent_a, person_a, language, expected
):
    attachment_add(actor=agent_a, owner=("contacts.person", person_a.pk), upload=pdf_upload())
    link = f'<a href="/people/{person_a.pk}/">Иван Петров</a>'

    shown = sentences(client_for(admin, language), action="attachment.add")

    assert shown == [expected.format(actor=agent_a.display_name, link=link)]


def test_a_deleted_file_still_names_its_record(client_for, admin, agent_a, person_a):
    attachment = attachment_add(
        actor=agent_a, owner=("contacts.person", person_a.pk), upload=pdf_upload()
    )
    attachment_delete(actor=agent_a, attachment=attachment)

    [shown] = sentences(client_for(admin), action="attachment.delete")

    assert (
        strip_tags(shown) == f"{agent_a.display_name} deleted file “contract.pdf” from Иван Петров"
    )

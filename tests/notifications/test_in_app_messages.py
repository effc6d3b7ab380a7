"""Notifications are worded when shown, in the reader's language of the moment: the list
page, the row the bell's mark-read returns, and the API. The text stored at creation
only stands in when a notification cannot be worded (old rows, unknown kinds)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from klient.core.models import User
from klient.notifications.kinds import notification_message
from klient.notifications.models import Notification
from klient.notifications.services import notification_create
from tests.api.client import ApiClient

pytestmark = pytest.mark.django_db

RU = "Мария Илиева: вам назначена задача «Q3 report»"
EN = "Мария Илиева assigned you a task: “Q3 report”"
OLD_RU = "Мария Илиева поручил(а) вам задачу: Q3 report"


@pytest.fixture(autouse=True)
def _language_reset():
    """A request in Russian leaves Russian active in this thread; later tests expect the default."""
    yield
    translation.deactivate()


@pytest.fixture
def reader(agent_a):
    agent_a.language = "ru"
    agent_a.save(update_fields=["language"])
    return agent_a


@pytest.fixture
def written_in_russian(reader):
    note = notification_create(
        recipient=reader,
        kind="task",
        params={"actor": "Мария Илиева", "task.title": "Q3 report"},
        url="/tasks/",
    )
    assert note is not None and note.text == RU
    return note


def signed_in(user: User, *, language: str) -> Client:
    client = Client()
    client.force_login(user)
    client.post(reverse("core:language_set"), {"language": language})
    return client


def test_the_list_shows_a_notification_in_the_language_the_reader_switched_to(
    reader, written_in_russian
):
    page = signed_in(reader, language="en").get(reverse("notifications:notification_list"))

    content = page.content.decode()
    assert "Мария Илиева assigned you a task: “Q3 report”" in content
    assert "вам назначена задача" not in content


def test_marking_read_returns_the_row_in_the_readers_current_language(reader, written_in_russian):
    client = signed_in(reader, language="en")

    response = client.post(
        reverse("notifications:notification_read"),
        {"id": written_in_russian.pk},
        HTTP_HX_REQUEST="true",
    )

    content = response.content.decode()
    assert "Мария Илиева assigned you a task: “Q3 report”" in content
    assert "вам назначена задача" not in content


def test_the_api_words_it_in_the_session_readers_current_language(reader, written_in_russian):
    client = signed_in(reader, language="en")

    item = client.get("/api/v1/notifications").json()["items"][0]

    assert (item["message"], item["text"]) == (EN, RU)


@pytest.mark.parametrize(
    ("accept_language", "expected"),
    [("en", EN), ("bg", "Мария Илиева ви възложи задача „Q3 report“")],
)
def test_the_api_words_it_in_the_language_a_token_client_asks_for(
    reader, written_in_russian, accept_language, expected
):
    api = ApiClient(reader)
    api.headers["HTTP_ACCEPT_LANGUAGE"] = accept_language

    item = api.get("/notifications").json()["items"][0]

    assert item["message"] == expected


def test_an_old_notification_with_only_its_text_still_shows(reader):
    old = Notification.objects.create(
        workspace_id=reader.workspace_id, recipient=reader, kind="task", text=OLD_RU
    )
    client = signed_in(reader, language="en")

    page = client.get(reverse("notifications:notification_list")).content.decode()
    item = client.get("/api/v1/notifications").json()["items"][0]

    assert OLD_RU in page
    assert (item["id"], item["message"], item["text"]) == (old.pk, OLD_RU, OLD_RU)


@pytest.mark.parametrize(
    ("kind", "params"),
    [
        ("retired.kind", {"actor": "Мария Илиева"}),
        ("task", {"actor": "Мария Илиева"}),  # the title is missing
        ("task", {"actor": "Мария Илиева", "title": "Q3 report"}),  # an old placeholder name
        ("task", ["not", "a", "dict"]),
        ("task", {}),
    ],
)
def test_a_notification_that_cannot_be_worded_shows_its_stored_text(kind, params):
    with translation.override("en"):
        assert notification_message(kind=kind, params=params, fallback=OLD_RU) == OLD_RU


def test_a_notification_of_an_unknown_kind_with_params_keeps_the_given_text(reader):
    note = notification_create(
        recipient=reader, kind="retired.kind", params={"actor": "x"}, text="as given"
    )

    assert note is not None
    assert (note.text, note.message) == ("as given", "as given")


def test_a_notification_with_neither_text_nor_a_known_kind_is_refused(reader):
    with pytest.raises(ValueError):
        notification_create(recipient=reader, kind="retired.kind", params={"actor": "x"})

    assert Notification.objects.count() == 0


def test_html_in_a_name_or_title_is_shown_as_text(reader):
    notification_create(
        recipient=reader,
        kind="task",
        params={
            "actor": "<script>alert(1)</script>",
            "task.title": '<img src=x onerror="alert(2)">',
        },
        url="/tasks/",
    )

    page = signed_in(reader, language="en").get(reverse("notifications:notification_list"))
    html = page.content.decode()

    assert "<script>alert(1)" not in html
    assert "<img src=x" not in html
    assert (
        "&lt;script&gt;alert(1)&lt;/script&gt; assigned you a task: "
        "“&lt;img src=x onerror=&quot;alert(2)&quot;&gt;”"
    ) in html


def _list_queries(client: Client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("notifications:notification_list"))
    assert response.status_code == 200
    return len(queries)


def test_the_list_page_queries_do_not_grow_with_the_notifications(reader):
    client = signed_in(reader, language="en")

    def notify(count: int) -> None:
        for number in range(count):
            notification_create(
                recipient=reader, kind="task", params={"actor": "M", "task.title": f"t{number}"}
            )

    notify(1)
    with_one = _list_queries(client)
    notify(20)

    assert _list_queries(client) == with_one

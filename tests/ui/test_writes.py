"""Writing through the pages: each form calls its service and shows the result or the errors."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from klient.activities.models import Comment, Interaction, Task
from klient.contacts import services as contact_services
from klient.contacts.models import Affiliation, Organization, Person
from klient.notifications.models import Notification

HTMX = {"HTTP_HX_REQUEST": "true"}


def test_create_organization_then_person_in_it(client_for, agent_a):
    client = client_for(agent_a)
    response = client.post(
        reverse("contacts:organization_create"),
        {
            "name": "ООО Вектор",
            "phone": "8 (495) 111-22-33",
            "lifecycle_stage": "prospect",
            "tags": "b2b, vip",
            "owner": agent_a.pk,
        },
    )
    organization = Organization.objects.get(name="ООО Вектор")
    assert response.status_code == 302
    assert response["Location"] == reverse("contacts:organization_detail", args=[organization.pk])
    assert organization.phone == "+74951112233"
    assert sorted(organization.tags.values_list("name", flat=True)) == ["b2b", "vip"]

    response = client.post(
        reverse("contacts:person_create"),
        {
            "first_name": "Мария",
            "last_name": "Смирнова",
            "phones": "+7 916 123-45-67",
            "emails": "Maria@Example.ORG\nm2@example.org",
            "organization": organization.pk,
            "organization_role": "decision_maker",
            "lifecycle_stage": "lead",
            "owner": agent_a.pk,
        },
    )
    person = Person.objects.get(last_name="Смирнова")
    assert response.status_code == 302
    assert response["Location"] == reverse("contacts:person_detail", args=[person.pk])
    assert person.primary_phone == "+79161234567"
    assert list(person.emails.order_by("id").values_list("email", flat=True)) == [
        "maria@example.org",
        "m2@example.org",
    ]
    affiliation = Affiliation.objects.get(person=person)
    assert (affiliation.organization_id, affiliation.role) == (organization.pk, "decision_maker")
    assert person.owner_id == agent_a.pk


def test_person_create_shows_service_field_errors(client_for, agent_a):
    response = client_for(agent_a).post(
        reverse("contacts:person_create"),
        {"first_name": "", "last_name": "", "lifecycle_stage": "lead"},
    )
    assert response.status_code == 422
    form = response.context["form"]
    assert form.errors["last_name"] == ["This field is required."]
    assert "A person needs a first or last name." in form.non_field_errors()
    assert Person.objects.count() == 0


def test_invalid_phone_is_reported_on_the_phones_field(client_for, agent_a):
    response = client_for(agent_a).post(
        reverse("contacts:person_create"),
        {"last_name": "Орлов", "phones": "12", "lifecycle_stage": "lead"},
    )
    assert response.status_code == 422
    assert response.context["form"].errors["phones"] == ["“12” is not a valid phone number."]
    assert Person.objects.count() == 0


def test_field_errors_come_in_the_users_language(client_for, agent_a):
    client = client_for(agent_a)
    client.post(reverse("core:language_set"), {"language": "ru"})
    response = client.post(
        reverse("contacts:person_create"),
        {"last_name": "Орлов", "phones": "12", "lifecycle_stage": "lead"},
    )
    assert response.status_code == 422
    assert response.context["form"].errors["phones"] == [
        "«12» не является действительным номером телефона."
    ]


def test_edit_person_replaces_phones_and_tags(client_for, agent_a, person_a):
    response = client_for(agent_a).post(
        reverse("contacts:person_edit", args=[person_a.pk]),
        {
            "first_name": "Иван",
            "last_name": "Петров",
            "phones": "+7 916 000-00-01",
            "emails": "",
            "tags": "новый",
            "lifecycle_stage": "customer",
        },
    )
    assert response.status_code == 302
    person_a.refresh_from_db()
    assert person_a.lifecycle_stage == "customer"
    assert list(person_a.phones.values_list("number", flat=True)) == ["+79160000001"]
    assert list(person_a.tags.values_list("name", flat=True)) == ["новый"]


def test_log_a_call_via_htmx_returns_the_timeline_item(client_for, agent_a, person_a):
    response = client_for(agent_a).post(
        reverse("activities:person_interaction_create", args=[person_a.pk]),
        {
            "kind": "call",
            "direction": "inbound",
            "subject": "Вопрос по счёту",
            "duration_minutes": "3",
            "body": "Клиент просит копию",
        },
        **HTMX,
    )
    assert response.status_code == 200
    interaction = Interaction.objects.get()
    assert (interaction.kind, interaction.direction, interaction.duration_seconds) == (
        "call",
        "inbound",
        180,
    )
    assert interaction.author_id == agent_a.pk
    assert interaction.person_id == person_a.pk
    content = response.content.decode()
    assert f'id="interaction-{interaction.pk}"' in content
    assert "Вопрос по счёту" in content
    assert "<html" not in content


def test_invalid_call_form_is_swapped_back_with_errors(client_for, agent_a, person_a):
    response = client_for(agent_a).post(
        reverse("activities:person_interaction_create", args=[person_a.pk]),
        {"kind": "fax", "direction": "inbound", "duration_minutes": "-1"},
        **HTMX,
    )
    assert response.status_code == 422
    assert response["HX-Retarget"] == "this"
    assert response["HX-Reswap"] == "outerHTML"
    assert 'id="interaction-form"' in response.content.decode()
    assert Interaction.objects.count() == 0


def test_plain_post_of_a_note_redirects_to_the_card(client_for, agent_a, org_a):
    response = client_for(agent_a).post(
        reverse("activities:organization_note_create", args=[org_a.pk]),
        {"body": "Договор у юристов"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("contacts:organization_detail", args=[org_a.pk])
    note = Interaction.objects.get()
    assert (note.kind, note.organization_id, note.body) == ("note", org_a.pk, "Договор у юристов")


def test_comment_with_mention_notifies_the_colleague(
    client_for, agent_a, agent_a2, call_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(agent_a).post(
            reverse("activities:comment_create", args=[call_a.pk]),
            {"body": "@agent_a2 подготовь договор"},
            **HTMX,
        )
    assert response.status_code == 200
    assert '<span class="mention">@agent_a2</span>' in response.content.decode()
    comment = Comment.objects.get()
    assert list(comment.mentioned_users.all()) == [agent_a2]
    notification = Notification.objects.get(recipient=agent_a2)
    assert notification.kind == "mention"
    bell = client_for(agent_a2).get(reverse("notifications:notification_list"))
    assert bell.context["unread_notifications"] == 1


def test_mark_notification_read_updates_row_and_bell(
    client_for, agent_a, agent_a2, call_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client_for(agent_a).post(
            reverse("activities:comment_create", args=[call_a.pk]), {"body": "@agent_a2 глянь"}
        )
    notification = Notification.objects.get(recipient=agent_a2)
    response = client_for(agent_a2).post(
        reverse("notifications:notification_read"), {"id": notification.pk}, **HTMX
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert f'id="notification-{notification.pk}"' in content
    assert 'id="bell"' in content and 'hx-swap-oob="true"' in content
    notification.refresh_from_db()
    assert notification.is_read is True


def test_add_and_complete_a_task(client_for, agent_a, agent_a2, person_a):
    client = client_for(agent_a)
    response = client.post(
        reverse("activities:person_task_create", args=[person_a.pk]),
        {"title": "Отправить КП", "assignee": agent_a2.pk, "due_at": "2030-01-15T10:30"},
        **HTMX,
    )
    assert response.status_code == 200
    task = Task.objects.get()
    assert (task.title, task.assignee_id, task.person_id) == (
        "Отправить КП",
        agent_a2.pk,
        person_a.pk,
    )
    assert task.due_at.isoformat() == "2030-01-15T07:30:00+00:00"  # entered in Europe/Moscow
    assert f'id="task-{task.pk}"' in response.content.decode()

    response = client_for(agent_a2).post(
        reverse("activities:task_complete", args=[task.pk]), **HTMX
    )
    assert response.status_code == 200
    assert "is-done" in response.content.decode()
    task.refresh_from_db()
    assert task.status == Task.Status.DONE


def test_my_tasks_highlights_overdue(client_for, agent_a, person_a):
    from datetime import timedelta

    from django.utils import timezone

    from klient.activities import services as activity_services

    activity_services.task_create(
        actor=agent_a,
        title="Просрочено",
        person=person_a,
        due_at=timezone.now() - timedelta(days=1),
    )
    activity_services.task_create(
        actor=agent_a, title="Завтра", person=person_a, due_at=timezone.now() + timedelta(days=1)
    )
    response = client_for(agent_a).get(reverse("activities:task_list"))
    assert [t.title for t in response.context["overdue"]] == ["Просрочено"]
    assert [t.title for t in response.context["upcoming"]] == ["Завтра"]
    assert response.content.decode().count("is-overdue") == 1


def test_duplicates_are_shown_and_merged(client_for, agent_a, person_a):
    twin = contact_services.person_create(
        actor=agent_a, first_name="Ваня", last_name="Петров", emails=["ivan@example.org"]
    )
    client = client_for(agent_a)
    card = client.get(reverse("contacts:person_detail", args=[person_a.pk]))
    assert [p.pk for p in card.context["duplicates"]] == [twin.pk]
    response = client.post(
        reverse("contacts:person_merge", args=[person_a.pk]), {"duplicate_id": twin.pk}
    )
    assert response.status_code == 302
    twin.refresh_from_db()
    assert twin.merged_into_id == person_a.pk
    old_page = client.get(reverse("contacts:person_detail", args=[twin.pk]))
    survivor = reverse("contacts:person_detail", args=[person_a.pk])
    assert (old_page.status_code, old_page["Location"]) == (302, survivor)


def test_timeline_load_more_pages_by_cursor(client_for, agent_a, person_a):
    from klient.activities import services as activity_services

    for index in range(25):
        activity_services.interaction_create(
            actor=agent_a, kind="note", person=person_a, body=f"Заметка {index}"
        )
    client = client_for(agent_a)
    card = client.get(reverse("contacts:person_detail", args=[person_a.pk]))
    cursor = card.context["timeline"].next_cursor
    assert len(card.context["timeline"].items) == 20 and cursor
    more = client.get(
        reverse("activities:person_timeline", args=[person_a.pk]), {"cursor": cursor}, **HTMX
    )
    assert more.status_code == 200
    assert len(more.context["timeline"].items) == 5
    assert more.context["timeline"].next_cursor is None


def test_language_switch_stores_session_cookie_and_user(client_for, agent_a):
    client = client_for(agent_a)
    response = client.post(reverse("core:language_set"), {"language": "bg", "next": "/tasks/"})
    assert response.status_code == 302
    assert response["Location"] == "/tasks/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "bg"
    assert client.session["klient_language"] == "bg"
    agent_a.refresh_from_db()
    assert agent_a.language == "bg"
    page = client.get(reverse("contacts:client_list"))
    assert page.context["LANGUAGE_CODE"] == "bg"
    assert "Клиенти" in page.content.decode()


def test_language_switch_ignores_unknown_language_and_foreign_next(client_for, agent_a):
    client = client_for(agent_a)
    response = client.post(
        reverse("core:language_set"), {"language": "xx", "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"
    agent_a.refresh_from_db()
    assert agent_a.language == ""


def test_login_restores_the_users_language(client, agent_a):
    from tests.factories import TEST_PASSWORD

    agent_a.language = "ru"
    agent_a.save(update_fields=["language"])
    client.post(reverse("login"), {"username": "agent_a", "password": TEST_PASSWORD})
    page = client.get(reverse("contacts:client_list"))
    assert "<h1>Клиенты</h1>" in page.content.decode()


def test_completing_a_task_never_redirects_off_site(client_for, agent_a, person_a):
    from klient.activities.services import task_create

    task = task_create(actor=agent_a, title="Позвонить", person=person_a, assignee=agent_a)
    response = client_for(agent_a).post(
        reverse("activities:task_complete", args=[task.pk]), {"next": "https://evil.example/"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("activities:task_list")

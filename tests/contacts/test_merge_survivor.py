"""Which of two people a merge keeps by default, the page that shows it, and where the
merged person's old link leads."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.test import Client
from django.urls import reverse

from klient.contacts.merge_selectors import MergeSide, merge_survivor_order
from klient.contacts.models import Person
from klient.contacts.services import organization_create, person_create, person_merge


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _side(pk: int, day: int, *, emails: int = 0, **fields: str) -> MergeSide:
    person = Person(pk=pk, created_at=datetime(2025, 3, day, tzinfo=UTC), **fields)
    return MergeSide(
        person=person,
        emails=[f"p{n}@example.org" for n in range(emails)],
        phones=[],
        organizations=[],
    )


# --- the default choice, without a database -------------------------------------------------------


def test_the_richer_record_is_kept_even_when_newer():
    older = _side(1, 1, last_name="Петров")
    newer = _side(2, 9, first_name="Иван", last_name="Петров", emails=1)

    kept, merged = merge_survivor_order(older, newer)

    assert (kept.person.pk, merged.person.pk) == (2, 1)


def test_on_equal_richness_the_older_record_is_kept():
    newer = _side(1, 9, last_name="Петров", title="CEO")
    older = _side(2, 1, last_name="Петров", emails=1)

    kept, merged = merge_survivor_order(newer, older)

    assert (kept.person.pk, merged.person.pk) == (2, 1)


def test_on_equal_richness_and_age_the_lower_id_is_kept():
    kept, merged = merge_survivor_order(_side(7, 1, last_name="A"), _side(3, 1, last_name="B"))
    assert (kept.person.pk, merged.person.pk) == (3, 7)


def test_richness_counts_filled_fields_emails_phones_and_organizations():
    side = MergeSide(
        person=Person(first_name="Иван", last_name="Петров", segment="key", lifecycle_stage="lead"),
        emails=["a@example.org", "b@example.org"],
        phones=["+79161234567"],
        organizations=["Ромашка"],
    )
    assert side.richness == 3 + 2 + 1 + 1


# --- the page ----------------------------------------------------------------------------------


@pytest.fixture
def sparse(agent_a):
    return person_create(actor=agent_a, last_name="Петров", emails=["ivan@example.org"])


@pytest.fixture
def rich(agent_a):
    organization = organization_create(actor=agent_a, name="Ромашка")
    return person_create(
        actor=agent_a,
        first_name="Иван",
        last_name="Петров",
        title="Директор",
        emails=["ivan@example.org"],
        phones=["+7 916 123-45-67"],
        organization_id=organization.pk,
    )


def test_merge_page_keeps_the_richer_record_by_default(agent_a, sparse, rich):
    response = _client(agent_a).get(
        reverse("contacts:person_merge", args=[sparse.pk]), {"duplicate_id": rich.pk}
    )

    assert response.status_code == 200
    assert (response.context["kept"].person.pk, response.context["merged"].person.pk) == (
        rich.pk,
        sparse.pk,
    )
    content = response.content.decode()
    kept_card = content[content.index('data-testid="kept"') : content.index('data-testid="merged"')]
    assert reverse("contacts:person_detail", args=[rich.pk]) in kept_card
    assert "Директор" in kept_card
    assert f'action="{reverse("contacts:person_merge", args=[rich.pk])}"' in content
    assert f'name="duplicate_id" value="{sparse.pk}"' in content


def test_merge_page_swaps_on_request(agent_a, sparse, rich):
    response = _client(agent_a).get(
        reverse("contacts:person_merge", args=[rich.pk]),
        {"duplicate_id": sparse.pk, "keep": sparse.pk},
    )

    assert (response.context["kept"].person.pk, response.context["merged"].person.pk) == (
        sparse.pk,
        rich.pk,
    )
    assert f'action="{reverse("contacts:person_merge", args=[sparse.pk])}"' in (
        response.content.decode()
    )


def test_merge_page_of_a_person_with_itself_is_refused(agent_a, sparse):
    response = _client(agent_a).get(
        reverse("contacts:person_merge", args=[sparse.pk]), {"duplicate_id": sparse.pk}
    )
    assert response.status_code == 409


def test_merge_page_of_a_hidden_person_is_404(agent_a, agent_b, sparse):
    hidden = person_create(actor=agent_b, last_name="Петров")
    response = _client(agent_a).get(
        reverse("contacts:person_merge", args=[sparse.pk]), {"duplicate_id": hidden.pk}
    )
    assert response.status_code == 404


def test_merging_from_the_page_keeps_the_shown_survivor(agent_a, sparse, rich):
    client = _client(agent_a)
    response = client.post(
        reverse("contacts:person_merge", args=[rich.pk]), {"duplicate_id": sparse.pk}
    )

    assert response.status_code == 302
    assert Person.objects.get(pk=sparse.pk).merged_into_id == rich.pk


# --- the old link ------------------------------------------------------------------------------


def test_old_link_of_a_merged_person_redirects_to_the_survivor(agent_a, admin, sparse, rich):
    person_merge(actor=admin, primary=rich, duplicate=sparse)

    response = _client(agent_a).get(reverse("contacts:person_detail", args=[sparse.pk]))

    assert response.status_code == 302
    assert response["Location"] == reverse("contacts:person_detail", args=[rich.pk])


def test_old_link_follows_a_chain_of_merges(admin, sparse, rich):
    last = person_create(actor=admin, last_name="Петров")
    person_merge(actor=admin, primary=rich, duplicate=sparse)
    person_merge(actor=admin, primary=last, duplicate=Person.objects.get(pk=rich.pk))

    response = _client(admin).get(reverse("contacts:person_detail", args=[sparse.pk]))

    assert response["Location"] == reverse("contacts:person_detail", args=[last.pk])


def test_old_link_is_404_when_the_survivor_is_hidden(agent_a, agent_b, admin, sparse):
    survivor = person_create(actor=agent_b, last_name="Петров")
    person_merge(actor=admin, primary=survivor, duplicate=sparse)

    response = _client(agent_a).get(reverse("contacts:person_detail", args=[sparse.pk]))

    assert response.status_code == 404


def test_old_link_is_404_in_another_workspace(other_workspace_admin, admin, sparse, rich):
    person_merge(actor=admin, primary=rich, duplicate=sparse)
    response = _client(other_workspace_admin).get(
        reverse("contacts:person_detail", args=[sparse.pk])
    )
    assert response.status_code == 404


def test_unknown_person_is_still_404(agent_a):
    response = _client(agent_a).get(reverse("contacts:person_detail", args=[999999]))
    assert response.status_code == 404

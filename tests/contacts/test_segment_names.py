"""The segment filter's menu: segments in use on the people the user may see, once each."""

from __future__ import annotations

import pytest

from klient.contacts.selectors import SEGMENT_MENU_LIMIT, segment_names
from klient.contacts.services import person_create, person_merge

pytestmark = pytest.mark.django_db


def test_segments_in_use_once_each_in_order_without_the_empty_one(admin):
    for segment in ("SMB", "Enterprise", "", "SMB", "Retail"):
        person_create(actor=admin, last_name="Иванов", segment=segment)

    assert segment_names(user=admin) == ["Enterprise", "Retail", "SMB"]


def test_an_agent_sees_only_segments_of_people_they_may_see(admin, agent_a, agent_b):
    person_create(actor=agent_a, last_name="Иванов", segment="SMB")
    person_create(actor=agent_b, last_name="Петров", segment="Enterprise")
    person_create(actor=admin, last_name="Сидоров", segment="Retail")

    assert segment_names(user=agent_b) == ["Enterprise"]


def test_a_merged_person_no_longer_offers_their_segment(admin):
    primary = person_create(actor=admin, last_name="Иванов", segment="SMB")
    duplicate = person_create(actor=admin, last_name="Иванов", segment="Retail")
    person_merge(actor=admin, primary=primary, duplicate=duplicate)

    assert segment_names(user=admin) == ["SMB"]


def test_the_menu_is_bounded(admin):
    for n in range(SEGMENT_MENU_LIMIT + 2):
        person_create(actor=admin, last_name="Иванов", segment=f"S{n:03d}")

    assert segment_names(user=admin) == [f"S{n:03d}" for n in range(SEGMENT_MENU_LIMIT)]

"""The picker machinery any app plugs into: a source in `picker_sources`, a `PickerField`
on its form, `GET /pick/<kind>/?q=`; nothing in core knows the kinds."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import pytest
from django import forms
from django.test import Client

from klient.core.models import User
from klient.core.pickers import PickerField, picker_chosen, pickers_fill, record_id_parse
from klient.core.registry import PickerSource, SearchHit, picker_sources

pytestmark = pytest.mark.django_db

KIND = "tests.planet"
PLANETS = {1: "Меркурий", 2: "Венера", 3: "Земля", 4: "Марс"}
HIDDEN = 4  # no one may see Mars


def _hit(pk: int) -> SearchHit:
    return SearchHit(KIND, pk, PLANETS[pk], f"/planets/{pk}/")


def _search(user: User, query: str, limit: int) -> list[SearchHit]:
    found = [pk for pk, name in PLANETS.items() if name.lower().startswith(query.lower())]
    return [_hit(pk) for pk in found if pk != HIDDEN][:limit]


def _named(user: User, ids: Sequence[int]) -> list[SearchHit]:
    return [_hit(pk) for pk in ids if pk in PLANETS and pk != HIDDEN]


@pytest.fixture
def planets() -> Iterator[None]:
    picker_sources.register(PickerSource(KIND, "Planet", search=_search, named=_named))
    yield
    picker_sources.unregister(KIND)


class PlanetForm(forms.Form):
    planet = PickerField(kind=KIND, label="Planet")


def test_a_registered_kind_is_served_by_the_endpoint(planets, agent_a):
    client = Client()
    client.force_login(agent_a)
    response = client.get(f"/pick/{KIND}/", {"q": "ма"})
    assert response.json() == {"options": []}  # Mars is hidden
    response = client.get(f"/pick/{KIND}/", {"q": "зем"})
    assert response.json() == {"options": [{"id": 3, "name": "Земля", "detail": ""}]}


def test_the_field_lists_the_chosen_record_first_then_the_first_ones(planets, agent_a):
    form = PlanetForm(initial={"planet": 3})
    pickers_fill(form, user=agent_a, limit=2)
    assert list(form.fields["planet"].choices) == [
        ("", "—"),
        (3, "Земля"),
        (1, "Меркурий"),
        (2, "Венера"),
    ]
    html = str(form["planet"])
    assert 'data-picker="/pick/tests.planet/"' in html
    assert '<option value="3" selected>Земля</option>' in html
    assert 'value="Земля" role="combobox"' in html


def test_a_record_the_user_may_not_see_is_neither_named_nor_a_filter(planets, agent_a):
    form = PlanetForm({"planet": str(HIDDEN)})
    pickers_fill(form, user=agent_a)
    assert "Марс" not in str(form["planet"])
    assert picker_chosen(form, "planet") is None
    visible = PlanetForm({"planet": "2"})
    pickers_fill(visible, user=agent_a)
    assert picker_chosen(visible, "planet") == 2


@pytest.mark.parametrize(
    ("raw", "valid"),
    [("7", True), ("abc", False), ("0", False), ("-1", False), ("²", False), (str(2**63), False)],
)
def test_the_field_takes_any_well_formed_id_and_nothing_else(planets, raw, valid):
    form = PlanetForm({"planet": raw})
    assert form.is_valid() is valid
    if valid:
        assert form.cleaned_data["planet"] == 7  # beyond the list: the service checks it
    assert record_id_parse(raw) == (7 if valid else None)


def test_an_empty_choice_is_none(planets):
    form = PlanetForm({"planet": ""})
    assert form.is_valid()
    assert form.cleaned_data["planet"] is None

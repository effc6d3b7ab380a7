"""The pager under the client list: page links keep the filters and walk the rows."""

from __future__ import annotations

import html
import re

from django.urls import reverse

from klient.contacts import services as contact_services


def _links(content: str) -> dict[str, str]:
    found = {}
    for href, label in re.findall(
        r'<a class="btn btn-sm" href="([^"]+)"[^>]*>([^<]+)</a>', content
    ):
        found[label.strip(" →")] = html.unescape(href)
    return found


def _names(content: str) -> list[str]:
    return re.findall(r'<a href="/people/\d+/">[^<]*Пагинов(\d+)</a>', content)


def test_the_pager_walks_the_filtered_list_and_comes_back(client_for, admin):
    for index in range(30):
        contact_services.person_create(
            actor=admin, first_name=f"Имя{index}", last_name=f"Пагинов{index}", tags=["pager"]
        )
    contact_services.person_create(actor=admin, first_name="Другой", last_name="Человек")
    client = client_for(admin)
    url = reverse("contacts:client_list")

    first = client.get(url, {"tag": "pager"}).content.decode()
    assert len(_names(first)) == 25 and "1–25 of 30" in first
    links = _links(first)
    assert set(links) == {"2", "Next page"}
    assert links["Next page"] == f"{url}?tag=pager&page=2" == links["2"]

    second = client.get(links["Next page"]).content.decode()
    assert "26–30 of 30" in second
    # Every person once over the two pages; the one outside the filter never.
    assert sorted(_names(first) + _names(second), key=int) == [str(i) for i in range(30)]
    back = _links(second)
    assert set(back) == {"← Previous page", "1"}
    assert back["1"] == back["← Previous page"] == f"{url}?tag=pager&page=1"

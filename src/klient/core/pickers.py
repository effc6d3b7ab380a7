"""Type-ahead pickers: a form field that chooses one record of a registered kind.

`PickerField(kind="contacts.organization")` renders `klient/_picker.html`: a plain
<select> holding the chosen record and the first records by name, which is what a
browser without scripts uses, and a combobox that `static/klient/picker.js` shows
instead, asking `GET /pick/<kind>/?q=` (`picker_views.pick`) as the user types. Either
way the form posts the record's id, and the service that takes it still checks the user
may see it. A view calls `pickers_fill(form, user=...)` before it renders the form.

The records come from the `picker_sources` registry (`klient.core.registry`), keyed by
record kind, so a later app's form picks a deal or a contact person the same way.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, cast

from django import forms
from django.urls import reverse

from klient.core.models import User
from klient.core.params import MAX_ID
from klient.core.registry import SearchHit, picker_sources

# How many records the type-ahead offers, and how many the plain select lists.
PICK_LIMIT = 10
FALLBACK_LIMIT = 50
EMPTY_CHOICE = ("", "—")
_ASCII_DIGITS = re.compile(r"[0-9]+")


def record_id_parse(value: Any) -> int | None:
    """A posted id as an int, or None when it is not one a database could hold."""
    text = str(value if value is not None else "").strip()
    if not _ASCII_DIGITS.fullmatch(text):
        return None
    number = int(text)
    return number if 1 <= number <= MAX_ID else None


def _record_id(value: Any) -> int:
    number = record_id_parse(value)
    if number is None:
        raise ValueError(value)
    return number


class PickerWidget(forms.Select):
    """The select with its type-ahead combobox (`klient/_picker.html`)."""

    template_name = "klient/_picker.html"

    def __init__(
        self, kind: str, attrs: dict[str, Any] | None = None, placeholder: Any = None
    ) -> None:
        super().__init__(attrs)
        self.kind = kind
        self.placeholder = placeholder  # the text box's; by default "Type to search…"

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        chosen = {str(item) for item in context["widget"]["value"] if item not in ("", None)}
        label = next(
            (str(text) for option, text in self.choices if option != "" and str(option) in chosen),
            "",
        )
        context["picker"] = {
            "url": reverse("core:pick", args=[self.kind]),
            "chosen": label,
            "placeholder": self.placeholder,
        }
        return context


class PickerField(forms.TypedChoiceField):
    """One record of `kind`, chosen by type-ahead; its cleaned value is the id or None.

    Any well-formed id is accepted here, not only those listed: the list is the first
    few records, the type-ahead reaches all of them. Whether the user may see the record
    is the service's check (or, in a filter, the selector's), as for any posted id.
    """

    def __init__(self, *, kind: str, placeholder: Any = None, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", PickerWidget(kind, placeholder=placeholder))
        super().__init__(coerce=_record_id, empty_value=None, choices=[EMPTY_CHOICE], **kwargs)
        self.kind = kind

    def valid_value(self, value: Any) -> bool:
        return record_id_parse(value) is not None


def picker_options(
    *, user: User, kind: str, chosen: Sequence[int] = (), limit: int = FALLBACK_LIMIT
) -> list[SearchHit]:
    """What a picker's plain select lists: the chosen records the user may see, then the
    first `limit` by name. Two bounded queries."""
    source = picker_sources.get(kind)
    named = source.named(user, list(chosen)) if chosen else []
    seen = {hit.id for hit in named}
    return named + [hit for hit in source.search(user, "", limit) if hit.id not in seen]


def pickers_fill(form: forms.BaseForm, *, user: User, limit: int = FALLBACK_LIMIT) -> None:
    """Give each `PickerField` of `form` its options: the value posted or given as
    initial (when the user may see it) and the list for a browser without scripts."""
    for name, field in form.fields.items():
        if not isinstance(field, PickerField):
            continue
        chosen = record_id_parse(form[name].value())
        options = picker_options(
            user=user, kind=field.kind, chosen=[chosen] if chosen else [], limit=limit
        )
        field.choices = [EMPTY_CHOICE, *((hit.id, hit.name) for hit in options)]


def picker_chosen(form: forms.BaseForm, name: str) -> int | None:
    """The id chosen in a picker of a filter form when it is among its options (one the
    user may see, after `pickers_fill`), else None: an unknown id filters nothing."""
    field = form.fields[name]
    value = record_id_parse(form[name].value())
    if value is None or not isinstance(field, forms.ChoiceField):
        return None
    choices = cast(list[tuple[Any, Any]], field.choices)
    listed = {str(option) for option, _label in choices}
    return value if str(value) in listed else None

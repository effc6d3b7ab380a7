"""HTML forms of the client dossier: they parse input only; rules live in services."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, cast

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from klient.contacts.models import Affiliation, Channel, LifecycleStage
from klient.core.pickers import PickerField

_SPLIT = re.compile(r"[,;\n]+")
EMPTY = [("", "—")]


def split_values(text: str) -> list[str]:
    """'a@x.org, b@y.org' or one per line -> ['a@x.org', 'b@y.org']."""
    return [part.strip() for part in _SPLIT.split(text or "") if part.strip()]


def _choices(rows: Iterable[tuple[Any, Any]]) -> list[tuple[Any, Any]]:
    return EMPTY + [(value, label) for value, label in rows]


def _choice_field(form: forms.Form, name: str) -> forms.ChoiceField:
    return cast(forms.ChoiceField, form.fields[name])


class PersonForm(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=120, required=False)
    middle_name = forms.CharField(label=_("Middle name"), max_length=120, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=120, required=False)
    title = forms.CharField(label=_("Job title"), max_length=200, required=False)
    emails = forms.CharField(
        label=_("Emails"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One per line or separated by commas; the first is the main one."),
    )
    phones = forms.CharField(
        label=_("Phones"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Any format, e.g. +7 916 123-45-67; the first is the main one."),
    )
    organization = PickerField(kind="contacts.organization", label=_("Organization"))
    organization_role = forms.ChoiceField(
        label=_("Role in the organization"),
        choices=Affiliation.Role.choices,
        initial=Affiliation.Role.OTHER,
        required=False,
    )
    lifecycle_stage = forms.ChoiceField(
        label=_("Lifecycle stage"), choices=LifecycleStage.choices, initial=LifecycleStage.LEAD
    )
    segment = forms.CharField(label=_("Segment"), max_length=60, required=False)
    preferred_channel = forms.ChoiceField(
        label=_("Preferred channel"), choices=_choices(Channel.choices), required=False
    )
    preferred_language = forms.ChoiceField(
        label=_("Preferred language"), choices=_choices(settings.LANGUAGES), required=False
    )
    owner = forms.TypedChoiceField(label=_("Owner"), coerce=int, empty_value=None, required=False)
    tags = forms.CharField(
        label=_("Tags"), required=False, help_text=_("Separated by commas."), max_length=500
    )
    # Sent by the "Save anyway" button of the duplicates warning, never by the form's own.
    confirm_duplicates = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(
        self,
        *args: Any,
        owners: Iterable[Any] = (),
        with_organization: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        _choice_field(self, "owner").choices = _choices((u.pk, u.display_name) for u in owners)
        if not with_organization:
            # Editing: organizations are managed on the card, not here.
            del self.fields["organization"]
            del self.fields["organization_role"]

    def person_fields(self) -> dict[str, Any]:
        """Cleaned data in the shape the contacts services take."""
        data = self.cleaned_data
        fields: dict[str, Any] = {
            "first_name": data["first_name"],
            "last_name": data["last_name"],
            "middle_name": data["middle_name"],
            "title": data["title"],
            "lifecycle_stage": data["lifecycle_stage"],
            "segment": data["segment"].strip(),
            "preferred_channel": data["preferred_channel"],
            "preferred_language": data["preferred_language"],
            "emails": split_values(data["emails"]),
            "phones": split_values(data["phones"]),
            "tags": split_values(data["tags"]),
        }
        if data.get("owner"):
            fields["owner_id"] = data["owner"]
        return fields


class OrganizationForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=255)
    legal_name = forms.CharField(label=_("Legal name"), max_length=255, required=False)
    tax_id = forms.CharField(label=_("Tax ID"), max_length=32, required=False)
    industry = forms.CharField(label=_("Industry"), max_length=120, required=False)
    website = forms.CharField(label=_("Website"), max_length=255, required=False)
    email = forms.CharField(label=_("Email"), max_length=254, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    address = forms.CharField(
        label=_("Address"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    lifecycle_stage = forms.ChoiceField(
        label=_("Lifecycle stage"), choices=LifecycleStage.choices, initial=LifecycleStage.LEAD
    )
    segment = forms.CharField(label=_("Segment"), max_length=60, required=False)
    owner = forms.TypedChoiceField(label=_("Owner"), coerce=int, empty_value=None, required=False)
    tags = forms.CharField(
        label=_("Tags"), required=False, help_text=_("Separated by commas."), max_length=500
    )

    def __init__(self, *args: Any, owners: Iterable[Any] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choice_field(self, "owner").choices = _choices((u.pk, u.display_name) for u in owners)

    def organization_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        fields = {
            key: data[key].strip()
            for key in (
                "name",
                "legal_name",
                "tax_id",
                "industry",
                "website",
                "email",
                "phone",
                "address",
                "segment",
            )
        }
        fields["lifecycle_stage"] = data["lifecycle_stage"]
        fields["tags"] = split_values(data["tags"])
        if data.get("owner"):
            fields["owner_id"] = data["owner"]
        return fields


class ClientFilterForm(forms.Form):
    """The list's search box and filters; every value optional, unknown values ignored."""

    q = forms.CharField(required=False, max_length=200)
    lifecycle_stage = forms.ChoiceField(choices=_choices(LifecycleStage.choices), required=False)
    owner = forms.TypedChoiceField(coerce=int, empty_value=None, required=False)
    tag = forms.ChoiceField(required=False)
    segment = forms.ChoiceField(required=False)

    def __init__(
        self,
        *args: Any,
        owners: Iterable[Any] = (),
        tags: Iterable[str] = (),
        segments: Iterable[str] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        _choice_field(self, "owner").choices = _choices((u.pk, u.display_name) for u in owners)
        _choice_field(self, "tag").choices = _choices((t, t) for t in tags)
        _choice_field(self, "segment").choices = _choices((s, s) for s in segments)

    def selector_filters(self) -> dict[str, Any]:
        """Valid values as the selectors' filter dict; an invalid one is simply dropped."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        filters = {key: data.get(key) for key in ("q", "lifecycle_stage", "tag", "segment")}
        filters["owner_id"] = data.get("owner")
        return {key: value for key, value in filters.items() if value}

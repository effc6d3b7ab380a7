"""HTML forms of sales: they parse input only; the rules live in services and
pipeline_services."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, cast

from babel.numbers import format_decimal
from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from klient.core.models import Team, User
from klient.core.pickers import PickerField
from klient.money.amounts import money_parse
from klient.money.currencies import babel_locale, currency_choices, minor_units
from klient.money.errors import InvalidAmount, UnsupportedCurrency
from klient.sales.models import Deal, Pipeline, Stage
from klient.sales.services import REQUIRED_FIELD_CHOICES, required_field_label

EMPTY = ("", "—")
CONTACT_ROWS_MIN = 2
CONTACT_ROWS_MAX = 20


def _choice(form: forms.BaseForm, name: str) -> forms.ChoiceField:
    return cast(forms.ChoiceField, form.fields[name])


def people_choices(users: Iterable[User]) -> list[tuple[Any, str]]:
    return [EMPTY, *((user.pk, user.display_name) for user in users)]


class BoardFilterForm(forms.Form):
    """The board's filters: an owner, "mine", a search in titles."""

    q = forms.CharField(label=_("Search deals"), required=False, max_length=200)
    owner = forms.TypedChoiceField(label=_("Owner"), coerce=int, empty_value=None, required=False)
    mine = forms.BooleanField(label=_("Only mine"), required=False)

    def __init__(self, *args: Any, users: Sequence[User] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choice(self, "owner").choices = people_choices(users)

    def valid_data(self) -> dict[str, Any]:
        """The fields that are valid: an invalid one filters nothing, the others still do."""
        self.is_valid()
        return dict(getattr(self, "cleaned_data", {}))

    def selector_filters(self, user: User) -> dict[str, Any]:
        """What `selectors.deal_list` takes; an invalid value filters nothing."""
        data = self.valid_data()
        filters: dict[str, Any] = {}
        if data.get("q"):
            filters["q"] = data["q"]
        if data.get("mine"):
            filters["owner"] = user.pk
        elif data.get("owner"):
            filters["owner"] = data["owner"]
        return filters


SORTS = {
    "updated": _("Recently changed"),
    "created": _("Newest"),
    "close": _("Close date, soonest first"),
    "amount": _("Amount, largest first"),
    "in_stage": _("Longest in stage"),
}


class DealListFilterForm(BoardFilterForm):
    pipeline = forms.TypedChoiceField(
        label=_("Pipeline"), coerce=int, empty_value=None, required=False
    )
    stage = forms.TypedChoiceField(label=_("Stage"), coerce=int, empty_value=None, required=False)
    state = forms.ChoiceField(
        label=_("State"), choices=[EMPTY, *Deal.State.choices], required=False
    )
    sort = forms.ChoiceField(label=_("Sort"), choices=list(SORTS.items()), required=False)

    def __init__(
        self,
        *args: Any,
        users: Sequence[User] = (),
        pipelines: Sequence[Pipeline] = (),
        stages: Sequence[Stage] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, users=users, **kwargs)
        _choice(self, "pipeline").choices = [EMPTY, *((p.pk, p.name) for p in pipelines)]
        _choice(self, "stage").choices = stage_choices(stages)

    def selector_filters(self, user: User) -> dict[str, Any]:
        filters = super().selector_filters(user)
        data = self.valid_data()
        for key in ("pipeline", "stage", "state"):
            if data.get(key):
                filters[key] = data[key]
        return filters

    @property
    def sort_key(self) -> str:
        value = self.valid_data().get("sort")
        return value if value in SORTS else "updated"


def stage_choices(stages: Sequence[Stage], *, blank: bool = True) -> list[Any]:
    """Stages grouped by pipeline (one optgroup each) for a select."""
    groups: dict[int, tuple[str, list[tuple[int, str]]]] = {}
    for stage in stages:
        groups.setdefault(stage.pipeline_id, (stage.pipeline.name, []))[1].append(
            (stage.pk, stage.name)
        )
    grouped: list[Any] = [(name, items) for name, items in groups.values()]
    return [EMPTY, *grouped] if blank else grouped


class DealForm(forms.Form):
    """A deal's fields; `stage` only when it is new, `version` only when it is not."""

    title = forms.CharField(label=_("Title"), max_length=300)
    stage = forms.TypedChoiceField(label=_("Pipeline and stage"), coerce=int)
    organization = PickerField(kind="contacts.organization", label=_("Organization"))
    amount = forms.CharField(
        label=_("Amount"),
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    currency = forms.ChoiceField(label=_("Currency"))
    expected_close_on = forms.DateField(
        label=_("Expected close date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    owner = forms.TypedChoiceField(label=_("Owner"), coerce=int, empty_value=None, required=False)
    team = forms.TypedChoiceField(label=_("Team"), coerce=int, empty_value=None, required=False)
    source = forms.CharField(label=_("Source"), max_length=120, required=False)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    contact_rows = forms.IntegerField(widget=forms.HiddenInput, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(
        self,
        *args: Any,
        owners: Sequence[User] = (),
        teams: Sequence[Team] = (),
        stages: Sequence[Stage] | None = None,
        contact_rows: int = CONTACT_ROWS_MIN,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        _choice(self, "owner").choices = people_choices(owners)
        _choice(self, "team").choices = [EMPTY, *((team.pk, team.name) for team in teams)]
        _choice(self, "currency").choices = currency_choices(language=get_language())
        if stages is None:
            del self.fields["stage"]
        else:
            _choice(self, "stage").choices = stage_choices(stages, blank=False)
            del self.fields["version"]
        if self.is_bound:
            contact_rows = _rows(self.data.get("contact_rows"), contact_rows)
        self.contact_count = contact_rows
        self.fields["contact_rows"].initial = contact_rows
        for index in range(contact_rows):
            self.fields[f"contact_{index}"] = PickerField(
                kind="contacts.person", label=_("Contact person")
            )
            self.fields[f"role_{index}"] = forms.CharField(
                label=_("Role in the deal"), max_length=120, required=False
            )

    @property
    def contact_fields(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[f"contact_{i}"], self[f"role_{i}"]) for i in range(self.contact_count)]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        text = (data.get("amount") or "").strip()
        currency = data.get("currency")
        if text and currency:
            try:
                data["amount_value"] = money_parse(
                    text, currency=currency, language=get_language()
                ).amount
            except (InvalidAmount, UnsupportedCurrency) as error:
                self.add_error("amount", str(error.message))
        else:
            data["amount_value"] = None
        people = [data.get(f"contact_{i}") for i in range(self.contact_count)]
        chosen = [person for person in people if person]
        if len(set(chosen)) != len(chosen):
            self.add_error(None, _("A person is listed twice."))
        return data

    def deal_fields(self) -> dict[str, Any]:
        """Cleaned data in the shape `deal_create` / `deal_update` take."""
        data = self.cleaned_data
        return {
            "title": data["title"],
            "organization_id": data.get("organization"),
            "owner_id": data.get("owner"),
            "team_id": data.get("team"),
            "amount": data.get("amount_value"),
            "currency": data["currency"],
            "expected_close_on": data.get("expected_close_on"),
            "source": data.get("source") or "",
            "description": data.get("description") or "",
            "contacts": [
                (data[f"contact_{i}"], data.get(f"role_{i}") or "")
                for i in range(self.contact_count)
                if data.get(f"contact_{i}")
            ],
        }


def _rows(raw: Any, default: int) -> int:
    try:
        value = int(str(raw))
    except (TypeError, ValueError):
        return default
    return max(CONTACT_ROWS_MIN, min(value, CONTACT_ROWS_MAX))


def amount_initial(deal: Deal) -> str:
    """The stored amount as the reader types it ("1 500,00" in Russian, "1,500.00" in
    English), with the currency's decimals."""
    money = deal.money
    if money is None:
        return ""
    digits = minor_units(money.currency)
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return str(format_decimal(money.amount, format=pattern, locale=babel_locale(get_language())))


# Pipeline settings --------------------------------------------------------------------


class PipelineCreateForm(forms.Form):
    name = forms.CharField(label=_("Pipeline name"), max_length=120)
    stages = forms.CharField(
        label=_("Stages in progress"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One per line, in order."),
    )
    won = forms.CharField(label=_("Won stage"), max_length=120, initial=_("Won"))
    lost = forms.CharField(label=_("Lost stage"), max_length=120, required=False, initial=_("Lost"))

    def stage_names(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["stages"].splitlines() if line.strip()]


class PipelineForm(forms.Form):
    name = forms.CharField(label=_("Pipeline name"), max_length=120)


class StageForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    probability = forms.IntegerField(label=_("Probability, %"), min_value=0, max_value=100)
    time_limit_days = forms.IntegerField(
        label=_("Time limit, business days"), min_value=1, max_value=365, required=False
    )
    required_fields = forms.MultipleChoiceField(
        label=_("Required before moving on"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choice(self, "required_fields").choices = [
            (key, required_field_label(key)) for key in REQUIRED_FIELD_CHOICES
        ]

    def stage_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "probability": data["probability"],
            "time_limit_days": data.get("time_limit_days"),
            "required_fields": list(data.get("required_fields") or []),
        }


class StageCreateForm(StageForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=Stage.Kind.choices)
    field_order = ["name", "kind", "probability", "time_limit_days"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["required_fields"]


class LabelForm(forms.Form):
    label = forms.CharField(label=_("Checklist item"), max_length=200)


class LostReasonForm(forms.Form):
    name = forms.CharField(label=_("Lost reason"), max_length=120)

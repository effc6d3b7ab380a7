"""HTML forms of the timeline and tasks: they parse input only; rules live in services."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from klient.activities.kinds import composer_kind_choices
from klient.activities.models import Interaction
from klient.core.params import MAX_DATE, MIN_DATE
from klient.core.pickers import PickerField, picker_chosen

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
REMINDER_CHOICES = [
    ("", _("No reminder")),
    ("0", _("At the due time")),
    ("15", _("15 minutes before")),
    ("60", _("1 hour before")),
    ("1440", _("1 day before")),
]


def _choice_field(form: forms.Form, name: str) -> forms.ChoiceField:
    return cast(forms.ChoiceField, form.fields[name])


class InteractionForm(forms.Form):
    # Kinds a person logs by hand (the registry's composer kinds), read per form: other
    # apps register theirs after this module is imported.
    kind = forms.ChoiceField(label=_("Type"), choices=composer_kind_choices, initial="call")
    direction = forms.ChoiceField(
        label=_("Direction"),
        choices=Interaction.Direction.choices,
        initial=Interaction.Direction.OUTBOUND,
    )
    occurred_at = forms.DateTimeField(
        label=_("When"),
        required=False,
        widget=DATETIME_WIDGET,
        help_text=_("Leave empty for now."),
    )
    duration_minutes = forms.IntegerField(
        label=_("Duration, min"), required=False, min_value=0, max_value=24 * 60
    )
    subject = forms.CharField(label=_("Subject"), max_length=300, required=False)
    body = forms.CharField(
        label=_("Summary"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        minutes = data.get("duration_minutes")
        return {
            "kind": data["kind"],
            "direction": data["direction"],
            "occurred_at": data.get("occurred_at"),
            "duration_seconds": minutes * 60 if minutes is not None else None,
            "subject": data["subject"].strip(),
            "body": data["body"].strip(),
        }


class NoteForm(forms.Form):
    body = forms.CharField(
        label=_("Note"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Visible to colleagues who can see this client."),
    )

    def service_kwargs(self) -> dict[str, Any]:
        return {
            "kind": Interaction.Kind.NOTE,
            "direction": Interaction.Direction.INTERNAL,
            "body": self.cleaned_data["body"].strip(),
        }


class CommentForm(forms.Form):
    body = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 1}))


class TaskForm(forms.Form):
    title = forms.CharField(label=_("Task"), max_length=300)
    due_at = forms.DateTimeField(label=_("Due"), required=False, widget=DATETIME_WIDGET)
    assignee = forms.TypedChoiceField(
        label=_("Assignee"), coerce=int, empty_value=None, required=False
    )
    remind_before_minutes = forms.TypedChoiceField(
        label=_("Reminder"),
        choices=REMINDER_CHOICES,
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_("Needs a due time."),
    )
    description = forms.CharField(
        label=_("Details"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, assignees: Iterable[Any] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choice_field(self, "assignee").choices = [(u.pk, u.display_name) for u in assignees]


class TaskFilterForm(forms.Form):
    """The tasks page's scope and filters; every value optional, an invalid one dropped."""

    scope = forms.ChoiceField(label=_("Whose tasks"), required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("open", _("Open")), ("overdue", _("Overdue")), ("done", _("Done"))],
        required=False,
    )
    assignee = forms.TypedChoiceField(
        label=_("Assignee"), coerce=int, empty_value=None, required=False
    )
    due_from = forms.DateField(label=_("Due from"), required=False, widget=DATE_WIDGET)
    due_to = forms.DateField(label=_("Due until"), required=False, widget=DATE_WIDGET)
    person = PickerField(kind="contacts.person", label=_("Person"), placeholder=_("Person"))
    organization = PickerField(
        kind="contacts.organization", label=_("Organization"), placeholder=_("Organization")
    )

    def __init__(
        self,
        *args: Any,
        scopes: Iterable[tuple[str, Any]] = (),
        assignees: Iterable[Any] = (),
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("auto_id", "tf-%s")
        super().__init__(*args, **kwargs)
        _choice_field(self, "scope").choices = list(scopes)
        _choice_field(self, "assignee").choices = [("", _("Anyone"))] + [
            (u.pk, u.display_name) for u in assignees
        ]

    def _day(self, name: str) -> date | None:
        day: date | None = self.cleaned_data.get(name)
        if day is not None and not MIN_DATE <= day <= MAX_DATE:
            raise forms.ValidationError(
                _("Enter a date from %(low)s to %(high)s."),
                params={"low": MIN_DATE.isoformat(), "high": MAX_DATE.isoformat()},
            )
        return day

    def clean_due_from(self) -> date | None:
        return self._day("due_from")

    def clean_due_to(self) -> date | None:
        return self._day("due_to")

    def task_filters(self) -> dict[str, Any]:
        """Valid values as `task_scopes.task_list_scoped` takes them; the person and the
        organization only when the user may see them (`pickers_fill` listed them)."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        filters: dict[str, Any] = {
            "status": data.get("status") or "open",
            "assignee_id": data.get("assignee"),
            "due_from": data.get("due_from"),
            "due_to": data.get("due_to"),
            "person_id": picker_chosen(self, "person"),
            "organization_id": picker_chosen(self, "organization"),
        }
        return {key: value for key, value in filters.items() if value}

"""HTML forms of the timeline and tasks: they parse input only; rules live in services."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from klient.activities.kinds import composer_kind_choices
from klient.activities.models import Interaction

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
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

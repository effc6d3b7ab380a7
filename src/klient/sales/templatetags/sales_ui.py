"""`{% load sales_ui %}`: how long a deal stayed in a stage, in the reader's language."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def stage_duration(seconds: int | None) -> str:
    """Seconds as days and hours ("3 d 4 h"), hours and minutes, or minutes."""
    if seconds is None:
        return ""
    minutes = max(int(seconds), 0) // 60
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    if days:
        return _("%(days)s d %(hours)s h") % {"days": days, "hours": hours}
    if hours:
        return _("%(hours)s h %(minutes)s min") % {"hours": hours, "minutes": minutes}
    return _("%(minutes)s min") % {"minutes": minutes}

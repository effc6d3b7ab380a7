"""Small display helpers for Klient's templates: phones, avatars, mentions, durations."""

from __future__ import annotations

import hashlib
import re
from typing import Any
from urllib.parse import urlencode

import phonenumbers
from django import template
from django.db.models import Model
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from klient.core.audit_personal import ERASED
from klient.core.capabilities import can

register = template.Library()

_MENTION = re.compile(r"(?<![\w@.])@([\w.\-]+)", re.UNICODE)


@register.filter(name="can")
def can_filter(user: Any, key: str) -> bool:
    """`{% if user|can:"contacts.merge" %}`: hide what the service would refuse."""
    return bool(getattr(user, "is_authenticated", False)) and can(user, key)


@register.filter
def phone(value: str) -> str:
    """'+79161234567' -> '+7 916 123-45-67'; anything unparsable is shown as stored."""
    if not value:
        return ""
    try:
        parsed = phonenumbers.parse(value, None)
    except phonenumbers.NumberParseException:
        return value
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


@register.filter
def initials(value: Any) -> str:
    words = [word for word in str(value or "").replace("-", " ").split() if word[:1].isalnum()]
    if not words:
        return "?"
    letters = words[0][0] + (words[-1][0] if len(words) > 1 else "")
    return letters.upper()


@register.filter
def hue(value: Any) -> int:
    """A stable colour per name, so an avatar keeps its colour everywhere: a hue in steps
    of 10 degrees, one of the 36 `hue-N` classes of klient.css (no style attributes under
    the Content-Security-Policy)."""
    digest = hashlib.blake2s(str(value or "").encode(), digest_size=2).digest()
    return int.from_bytes(digest, "big") % 36 * 10


@register.filter(needs_autoescape=False)
def mentions(value: str) -> SafeString:
    """Escape the text and mark each @username, as the comment service reads them."""
    escaped = str(escape(value or ""))
    return mark_safe(_MENTION.sub(r'<span class="mention">@\1</span>', escaped))


@register.filter
def duration(seconds: int | None) -> str:
    if seconds is None:
        return ""
    minutes, secs = divmod(int(seconds), 60)
    if minutes >= 60:
        hours, minutes = divmod(minutes, 60)
        return _("%(hours)d h %(minutes)02d min") % {"hours": hours, "minutes": minutes}
    if minutes:
        return _("%(minutes)d min %(seconds)02d s") % {"minutes": minutes, "seconds": secs}
    return _("%(seconds)d s") % {"seconds": secs}


@register.filter
def audit_value(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if value == ERASED:  # a client's personal value, gone with their erasure
        return _("erased")
    if isinstance(value, list):
        return ", ".join(str(item) for item in value) or "—"
    return str(value)


@register.filter
def audit_history_url(record: Model) -> str:
    """The audit log filtered to one record: its card's "History" link."""
    query = urlencode({"object_type": record._meta.label_lower, "object_id": record.pk})
    return f"{reverse('core:settings_audit')}?{query}"


@register.simple_tag(takes_context=True)
def card_panel(context: template.Context, panel: dict[str, Any]) -> SafeString:
    """Render a registered card panel: its template sees the page's context with the
    panel's own context on top (see klient.core.registry.CardPanel)."""
    assert context.template is not None  # always set while a template renders
    panel_template = context.template.engine.get_template(panel["template"])
    with context.push(**panel):
        return mark_safe(panel_template.render(context))

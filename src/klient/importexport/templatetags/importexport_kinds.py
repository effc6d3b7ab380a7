"""`{% load importexport_kinds %}{{ job.kind|import_kind_label }}`: the name of an import or
export kind in the reader's language (the kinds are registered, not model choices)."""

from __future__ import annotations

from django import template

from klient.importexport import registry

register = template.Library()


@register.filter
def import_kind_label(key: str) -> str:
    return registry.import_kind_label(key)


@register.filter
def export_kind_label(key: str) -> str:
    return registry.export_kind_label(key)

"""The restricted formatter: flat placeholders from a declared context, nothing more."""

from __future__ import annotations

import pytest

from klient.notifications.formatter import (
    TemplateInvalid,
    html_paragraphs,
    template_fill,
    template_placeholders,
    template_validate,
)

ALLOWED = ("deal.title", "client.first_name", "actor")


def test_placeholders_are_filled_from_the_flat_context():
    text = "{client.first_name}, {actor} moved “{deal.title}”."

    filled = template_fill(
        text, {"client.first_name": "Анна", "actor": "Мария", "deal.title": "Рейс 7"}
    )

    assert filled == "Анна, Мария moved “Рейс 7”."


def test_doubled_braces_are_literal_braces():
    assert template_fill("{{not a field}} {actor}", {"actor": "Мария"}) == "{not a field} Мария"


def test_the_placeholders_a_template_uses_are_listed_once_in_order():
    assert template_placeholders("{actor} {deal.title} {actor}") == ["actor", "deal.title"]


def test_an_unknown_placeholder_is_refused_and_named():
    with pytest.raises(TemplateInvalid) as refused:
        template_validate("Total: {deal.amount}", ALLOWED)

    assert (refused.value.placeholder, refused.value.problem) == ("deal.amount", "unknown")


@pytest.mark.parametrize(
    ("text", "placeholder"),
    [
        ("{}", ""),
        ("{0}", "0"),
        ("{deal.title[0]}", "deal.title[0]"),
        ("{deal.title.__class__}", "deal.title.__class__"),
        ("{Deal.Title}", "Deal.Title"),
    ],
)
def test_positional_indexed_and_attribute_fields_are_unknown(text, placeholder):
    with pytest.raises(TemplateInvalid) as refused:
        template_validate(text, ALLOWED)

    assert (refused.value.placeholder, refused.value.problem) == (placeholder, "unknown")


@pytest.mark.parametrize(
    ("text", "written"), [("{actor:>30}", "actor:>30"), ("{actor!r}", "actor!r")]
)
def test_format_specs_and_conversions_are_refused(text, written):
    with pytest.raises(TemplateInvalid) as refused:
        template_validate(text, ALLOWED)

    assert (refused.value.placeholder, refused.value.problem) == (written, "format")


def test_a_lone_brace_is_a_syntax_error():
    with pytest.raises(TemplateInvalid) as refused:
        template_validate("Price {deal.title", ALLOWED)

    assert refused.value.problem == "syntax"


def test_a_placeholder_missing_from_the_context_is_refused_when_filling():
    with pytest.raises(TemplateInvalid) as refused:
        template_fill("{actor} and {deal.title}", {"actor": "Мария"})

    assert refused.value.placeholder == "deal.title"


def test_html_escapes_the_values_and_the_template_text():
    filled = template_fill(
        "<b>{actor}</b> & co",
        {"actor": '<script>alert("x")</script>'},
        html=True,
    )

    assert filled == "&lt;b&gt;&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;/b&gt; &amp; co"


def test_plain_text_is_not_escaped():
    assert template_fill("{actor} & co", {"actor": "<Мария>"}) == "<Мария> & co"


def test_paragraphs_and_line_breaks_become_html():
    assert html_paragraphs("One\nline two\n\nThree") == "<p>One<br>line two</p><p>Three</p>"

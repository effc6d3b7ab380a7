"""The restricted formatter of message templates: `{name}` and `{task.title}`, nothing else.

A template is text an administrator may edit, so it must not reach into objects: a
placeholder names one value of a flat context of strings that the kind declares (the
dots are part of the name, not attribute access). No format specs (`{x:>10}`), no
conversions (`{x!r}`), no positional or indexed fields (`{}`, `{0}`, `{a[0]}`); `{{` and
`}}` are literal braces. In an HTML body both the template's text and the values are
escaped. Pure: no database, no Django settings.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass
from html import escape
from string import Formatter

_NAME = re.compile(r"[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)*\Z")


class TemplateInvalid(ValueError):
    """A template that cannot be filled: `placeholder` is the offending field as written
    (empty for a syntax error such as a lone brace), `problem` one of `unknown`,
    `format`, `syntax`."""

    def __init__(self, *, placeholder: str, problem: str) -> None:
        self.placeholder = placeholder
        self.problem = problem
        super().__init__(f"{problem}: {{{placeholder}}}" if placeholder else problem)


@dataclass(frozen=True)
class _Part:
    literal: str
    field: str | None


def _parts(text: str) -> Iterator[_Part]:
    try:
        parsed = list(Formatter().parse(text))
    except ValueError as error:  # a lone "{" or "}"
        raise TemplateInvalid(placeholder="", problem="syntax") from error
    for literal, field, spec, conversion in parsed:
        if field is None:
            yield _Part(literal, None)
            continue
        if spec or conversion:
            written = (
                field + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "")
            )
            raise TemplateInvalid(placeholder=written, problem="format")
        yield _Part(literal, field)


def template_placeholders(text: str) -> list[str]:
    """The placeholders a template uses, in order of first use."""
    seen: list[str] = []
    for part in _parts(text):
        if part.field is not None and part.field not in seen:
            seen.append(part.field)
    return seen


def template_validate(text: str, allowed: Collection[str]) -> None:
    """Raise TemplateInvalid for the first placeholder not in `allowed` (or malformed)."""
    for name in template_placeholders(text):
        if name not in allowed or not _NAME.match(name):
            raise TemplateInvalid(placeholder=name, problem="unknown")


def template_fill(text: str, context: Mapping[str, str], *, html: bool = False) -> str:
    """The template with each placeholder replaced by its value from `context`;
    with `html`, the template's own text and every value are HTML-escaped.
    A placeholder missing from the context raises TemplateInvalid (unknown)."""
    out: list[str] = []
    for part in _parts(text):
        out.append(escape(part.literal, quote=False) if html else part.literal)
        if part.field is None:
            continue
        if part.field not in context or not _NAME.match(part.field):
            raise TemplateInvalid(placeholder=part.field, problem="unknown")
        value = str(context[part.field])
        out.append(escape(value) if html else value)
    return "".join(out)


def html_paragraphs(escaped: str) -> str:
    """Plain text already escaped, as HTML paragraphs (blank lines) and line breaks."""
    blocks = [block.strip("\n") for block in escaped.replace("\r\n", "\n").split("\n\n")]
    return "".join(f"<p>{block.replace(chr(10), '<br>')}</p>" for block in blocks if block)

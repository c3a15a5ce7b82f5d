"""A plan's stored content as text per section, for reading, reviewing, comparing and printing.

One function turns a version's content into (section, [(field key, label, text)]) with the
template's own labels and answer labels, so the review page, the comparison of two versions, the
print page and the PDF all say the same thing. Text stays text: Jinja escapes it on the pages and
the PDF writes it as it is, so HTML or script someone typed is never run.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from portal.plans.pdf import PrintDocument, PrintSection
from portal.plans.templates import (
    REVIEW_EXPLANATION,
    REVIEW_GOAL,
    REVIEW_OUTCOME,
    Field,
    Section,
    Template,
    TemplateContext,
)


@dataclass(frozen=True)
class ShownField:
    key: str
    label: str
    text: str  # "" when not answered


def shown_sections(template: Template, context: TemplateContext,
                   content: Mapping[str, Any] | None) -> list[tuple[Section, list[ShownField]]]:
    content = content or {}
    return [(section, [ShownField(f.key, f.label, text_of(f, content.get(f.key)))
                       for f in fields])
            for section, fields in template.layout(context)]


def text_of(f: Field, value: Any) -> str:
    """An answer as a person reads it."""
    if value is None or value == "" or value == []:
        return ""
    if f.kind == "goals":
        return "\n".join(f"{number}. " + "; ".join(
            f"{part.label}: {text_of(part, row.get(part.key))}" for part in f.parts
            if text_of(part, row.get(part.key)))
            for number, row in enumerate(_rows(value), start=1))
    if f.kind == "goal_review":
        return "\n".join(
            f"{number}. {row.get(REVIEW_GOAL) or '—'}: "
            f"{f.option_label(str(row.get(REVIEW_OUTCOME))) if row.get(REVIEW_OUTCOME) else '—'}"
            + (f". {row.get(REVIEW_EXPLANATION)}" if row.get(REVIEW_EXPLANATION) else "")
            for number, row in enumerate(_rows(value), start=1))
    if f.kind == "date":
        text = str(value)
        return f"{text[8:10]}-{text[5:7]}-{text[0:4]}" if len(text) == 10 else text
    if f.options():
        return f.option_label(str(value))
    return str(value)


def _rows(value: Any) -> list[Mapping]:
    return [row for row in value if isinstance(row, Mapping)] if isinstance(value, list) else []


def goal_texts(template: Template, content: Mapping[str, Any] | None) -> list[str]:
    """The goals of a plan, one text each (its first part), for an evaluation to look back on."""
    goals = template.goals_field()
    if goals is None or not goals.parts or not content:
        return []
    first = goals.parts[0].key
    return [str(row.get(first)) for row in _rows(content.get(goals.key)) if row.get(first)]


def print_document(title: str, facts: list[tuple[str, str]],
                   sections: list[tuple[Section, list[ShownField]]],
                   comments: Mapping[str, str] | None = None,
                   general_comment: str | None = None) -> PrintDocument:
    comments = comments or {}
    return PrintDocument(
        title, facts,
        [PrintSection(section.title, [(shown.label, shown.text) for shown in fields],
                      comments.get(section.key)) for section, fields in sections],
        [("Opmerking van de gemeente", general_comment)] if general_comment else [])

"""Any plan or evaluation template as a WTForms form: the core's rendering of a region's template.

    form = build_form(template, context, content=stored, plan_goals=goals_of_the_plan)
    if form.stage() == "add_row":           # "Nog een doel toevoegen" pressed: no JavaScript
        form.add_row(form.row_requested())  # one more empty row; render the form again
    elif form.validate_on_submit():         # formats only: dates, numbers, choices, lengths
        content = form.content()            # a plain JSON-able dict, stored as it is
        result = check_plan(registry, region, product, content, context, form.stage())
        form.show_findings(result.findings) # messages beside the fields they are about

The form checks only what a browser can get wrong (a date that is no date, an unknown choice); what
must be filled is the template's rules, checked by :mod:`portal.plans.checks` on save (warnings) and
on submit (errors block), so that a half-finished concept can always be saved.

Content is a dict keyed by field key: text as text, dates as ``jjjj-mm-dd``, choices and yes/no
(``"ja"``/``"nee"``) and education levels as their codes, numbers as decimal text, a goals list as a
list of dicts (part key → value, empty rows left out) and a goal review as a list of
``{"doel", "resultaat", "toelichting"}``. Empty answers are None.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from wtforms import Form as PlainForm
from wtforms.fields import (
    DateField,
    DecimalField,
    FieldList,
    FormField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import Length, Optional, ValidationError
from wtforms.widgets import TextInput

from portal.forms import Form, choices
from portal.plans.templates import (
    EVALUATION,
    REVIEW_EXPLANATION,
    REVIEW_GOAL,
    REVIEW_OUTCOME,
    Field,
    Section,
    Template,
    TemplateContext,
    as_date,
    requirement_text,
)
from portal.plugins.types import Finding

MAX_ROWS = 50  # no goal list grows beyond this, whatever is posted
TEXT_MAX, TEXTAREA_MAX = 500, 20000
DATE_FORMATS = ("%Y-%m-%d", "%d-%m-%Y")
ADD_ROW_SUFFIX = "__toevoegen"
SAVE, SUBMIT, ADD_ROW = "save", "submit", "add_row"


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


class PlanDateField(DateField):
    """A date as jjjj-mm-dd (what a browser's date input sends) or dd-mm-jjjj (typed by hand)."""

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, format=list(DATE_FORMATS), **kwargs)

    def process_formdata(self, valuelist):
        self.data = None
        if not valuelist or not str(valuelist[0]).strip():
            return
        text = str(valuelist[0]).strip()
        for fmt in DATE_FORMATS:
            try:
                self.data = datetime.strptime(text, fmt).date()
                return
            except ValueError:
                continue
        raise ValueError("Dit is geen geldige datum. Schrijf de datum als dd-mm-jjjj "
                         "(bijvoorbeeld 31-03-2026) of jjjj-mm-dd.")


class PlanNumberField(DecimalField):
    """A number of 0 or more, with a decimal comma or point (12,5 or 12.5)."""

    widget = TextInput()

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, places=None, **kwargs)

    def process_formdata(self, valuelist):
        self.data = None
        if not valuelist or not str(valuelist[0]).strip():
            return
        text = str(valuelist[0]).strip().replace(" ", "").replace(",", ".")
        try:
            number = Decimal(text)
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite() or number < 0:
            raise ValueError("Dit is geen geldig getal. Schrijf bijvoorbeeld 12 of 12,5.")
        self.data = number


class OneChoiceField(RadioField):
    """Exactly one of the template's answers."""

    def pre_validate(self, form):
        if self.data is not None and self.data not in {value for value, *_ in self.choices}:
            raise ValidationError("Kies één van de mogelijkheden.")


class LevelField(SelectField):
    def pre_validate(self, form):
        if self.data and self.data not in {value for value, *_ in self.choices}:
            raise ValidationError("Kies een opleidingsniveau uit de lijst.")


def _description(template: Template, f: Field, context: TemplateContext) -> str:
    return " ".join(part for part in (
        f.help, requirement_text(template, f, context),
        f"Bron: {f.source}." if f.source else None) if part)


def _input_field(template: Template, f: Field, context: TemplateContext, **extra):
    """The WTForms field of a simple (non-repeatable) template field or goal part."""
    description = _description(template, f, context)
    if f.kind in ("text", "textarea"):
        limit = f.max_length or (TEXT_MAX if f.kind == "text" else TEXTAREA_MAX)
        cls = StringField if f.kind == "text" else TextAreaField
        return cls(f.label, description=description, filters=[_strip], validators=[
            Optional(), Length(max=limit, message=f"Hoogstens {limit} tekens.")], **extra)
    if f.kind == "date":
        return PlanDateField(f.label, description=description, validators=[Optional()], **extra)
    if f.kind == "number":
        return PlanNumberField(f.label, description=description, validators=[Optional()], **extra)
    if f.kind == "education_level":
        return LevelField(f.label, description=description,
                          choices=choices([("", "— kies —"), *f.options()]), **extra)
    return OneChoiceField(f.label, description=description, choices=choices(f.options()),
                          validators=[Optional()], **extra)


class _RowForm(PlainForm):
    class Meta:
        locales = ("nl",)


def _goal_row_class(template: Template, f: Field, context: TemplateContext) -> type[PlainForm]:
    attrs = {p.key: _input_field(template, p, context) for p in f.parts if p.applies(context)}
    return type(f"{f.key.title()}Row", (_RowForm,), attrs)


def _review_row_class(f: Field) -> type[PlainForm]:
    return type(f"{f.key.title()}Row", (_RowForm,), {
        REVIEW_GOAL: TextAreaField(f"{f.row_label}", filters=[_strip],
                                   validators=[Optional(), Length(max=TEXTAREA_MAX)]),
        REVIEW_OUTCOME: OneChoiceField("Resultaat", choices=choices(f.options()),
                                       validators=[Optional()]),
        REVIEW_EXPLANATION: TextAreaField("Toelichting", filters=[_strip], validators=[
            Optional(), Length(max=TEXTAREA_MAX, message=f"Hoogstens {TEXTAREA_MAX} tekens.")]),
    })


class TemplateForm(Form):
    """A template rendered as a form. Built by :func:`build_form`; never instantiated directly."""

    template: Template
    context: TemplateContext
    plan_goals: tuple[str, ...] = ()

    opslaan = SubmitField("Opslaan als concept")
    indienen = SubmitField("Indienen bij de gemeente")

    # -- rendering --------------------------------------------------------------------------

    def layout(self) -> list[tuple[Section, list]]:
        """The sections with their bound fields, in the template's order, for a Jinja loop."""
        return [(section, [self[f.key] for f in fields])
                for section, fields in self.template.layout(self.context)]

    def add_row_button(self, key: str):
        return self[f"{key}{ADD_ROW_SUFFIX}"]

    # -- what the user asked ----------------------------------------------------------------

    def row_requested(self) -> str | None:
        """The goals list whose "add a row" button was pressed, if any."""
        for f in self.template.fields(self.context):
            if f.kind in ("goals", "goal_review") and self[f"{f.key}{ADD_ROW_SUFFIX}"].data:
                return f.key
        return None

    def stage(self) -> str | None:
        """"add_row", "submit" or "save": which button was pressed (None when none was)."""
        if self.row_requested():
            return ADD_ROW
        if self.indienen.data:
            return SUBMIT
        if self.opslaan.data:
            return SAVE
        return None

    def add_row(self, key: str) -> bool:
        """One more empty row in a goals list; False when it already has the most rows allowed."""
        rows = self[key]
        if len(rows.entries) >= MAX_ROWS:
            rows.errors = [*rows.errors, f"Hoogstens {MAX_ROWS} rijen."]
            return False
        rows.append_entry()
        return True

    # -- content ----------------------------------------------------------------------------

    def content(self) -> dict[str, Any]:
        """The answers as a plain JSON-able dict (see the module docstring)."""
        result: dict[str, Any] = {}
        self._row_positions: dict[str, list[int]] = {}
        for f in self.template.fields(self.context):
            if f.kind in ("goals", "goal_review"):
                rows, positions = [], []
                for position, entry in enumerate(self[f.key].entries):
                    row = {name: _plain(sub.data) for name, sub in entry.form._fields.items()}
                    if f.kind == "goal_review" and position < len(self.plan_goals):
                        row[REVIEW_GOAL] = self.plan_goals[position]  # the plan's words, not the post's
                    if any(value is not None for value in row.values()):
                        positions.append(position)
                        rows.append(row)
                result[f.key] = rows
                self._row_positions[f.key] = positions
            else:
                result[f.key] = _plain(self[f.key].data)
        return result

    # -- findings ---------------------------------------------------------------------------

    def show_findings(self, findings: Iterable[Finding]) -> None:
        """Put each finding's message (with its rule id) beside the field it is about; findings
        about no field, or a field the form does not show, go to ``form_errors``."""
        if not hasattr(self, "_row_positions"):
            self.content()
        self.messages: list[tuple[str | None, str, str]] = getattr(self, "messages", [])
        for finding in findings:
            text = f"{finding.message} ({finding.rule})"
            target = self._target(finding.field)
            if target is None:
                self.form_errors = [*self.form_errors, text]
                self.messages.append((None, "", text))
            else:
                target.errors = [*target.errors, text]
                self.messages.append((target.id, str(target.label.text), text))
        self._errors = None  # WTForms caches form.errors

    def summary(self) -> list[tuple[str | None, str, str]]:
        """(field id, field label, message) of every finding shown, for an error summary."""
        return list(getattr(self, "messages", []))

    def _target(self, name: str | None):
        if not name:
            return None
        key, _, rest = name.partition("-")
        if key not in self._fields or key in ("opslaan", "indienen", "csrf_token"):
            return None
        field = self[key]
        if not rest:
            return field
        index, _, part = rest.partition("-")
        positions = self._row_positions.get(key, [])
        if not index.isdigit() or int(index) >= len(positions):
            return field
        entry = field.entries[positions[int(index)]]
        return entry.form._fields.get(part, field)


def _plain(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, str):
        return value if value.strip() else None
    return value


def _form_value(f: Field, value: Any) -> Any:
    """A stored content value as the data of its form field."""
    if value is None:
        return None
    if f.kind == "date":
        try:
            return as_date(value)
        except (ValueError, TypeError):
            return None
    if f.kind == "number":
        try:
            return Decimal(str(value))
        except InvalidOperation:
            return None
    return value


def form_data(template: Template, context: TemplateContext, content: Mapping[str, Any] | None,
              plan_goals: Sequence[str] = ()) -> dict[str, Any]:
    """Stored content as the ``data`` of the form (dates as dates, rows as dicts)."""
    content = content or {}
    data: dict[str, Any] = {}
    for f in template.fields(context):
        value = content.get(f.key)
        if f.kind == "goals":
            parts = {p.key: p for p in f.parts if p.applies(context)}
            data[f.key] = [{k: _form_value(p, row.get(k)) for k, p in parts.items()}
                           for row in (value or []) if isinstance(row, Mapping)][:MAX_ROWS]
        elif f.kind == "goal_review":
            rows = [dict(row) for row in (value or []) if isinstance(row, Mapping)]
            by_goal = {row.get(REVIEW_GOAL): row for row in rows}
            merged = [{REVIEW_GOAL: goal, **{k: v for k, v in by_goal.get(goal, {}).items()
                                             if k != REVIEW_GOAL}} for goal in plan_goals]
            merged += [row for row in rows if row.get(REVIEW_GOAL) not in plan_goals]
            data[f.key] = merged[:MAX_ROWS]
        else:
            data[f.key] = _form_value(f, value)
    return data


def form_class(template: Template, context: TemplateContext,
               plan_goals: Sequence[str] = ()) -> type[TemplateForm]:
    """The form class of ``template`` for one product and gemeente (fields that do not apply to
    them are left out)."""
    attrs: dict[str, Any] = {"template": template, "context": context,
                             "plan_goals": tuple(plan_goals)}
    for f in template.fields(context):
        if f.kind == "goals":
            attrs[f.key] = FieldList(FormField(_goal_row_class(template, f, context)),
                                     label=f.label, description=_description(template, f, context),
                                     min_entries=f.rows, max_entries=MAX_ROWS)
            attrs[f"{f.key}{ADD_ROW_SUFFIX}"] = SubmitField(f"Nog een {f.row_label.lower()} toevoegen")
        elif f.kind == "goal_review":
            attrs[f.key] = FieldList(FormField(_review_row_class(f)), label=f.label,
                                     description=_description(template, f, context),
                                     min_entries=max(len(plan_goals), 1), max_entries=MAX_ROWS)
            attrs[f"{f.key}{ADD_ROW_SUFFIX}"] = SubmitField(f"Nog een {f.row_label.lower()} toevoegen")
        else:
            attrs[f.key] = _input_field(template, f, context)
    name = "PlanForm" if template.kind != EVALUATION else "EvaluationForm"
    return type(name, (TemplateForm,), attrs)


def build_form(template: Template, context: TemplateContext, *,
               content: Mapping[str, Any] | None = None, plan_goals: Sequence[str] = (),
               **kwargs: Any) -> TemplateForm:
    """The form of ``template``, filled from stored ``content`` (a concept) or from the request.

    ``plan_goals`` are the goal texts of the plan an evaluation looks back on: one review row each,
    the goal shown as text. Other keyword arguments go to the form (``formdata``, ``meta``, ...).
    """
    cls = form_class(template, context, plan_goals)
    data = form_data(template, context, content, plan_goals)
    form = cls(data=data, **kwargs)
    for f in template.fields(context):
        if f.kind == "goal_review":
            for entry in form[f.key].entries[:len(plan_goals)]:
                entry.form[REVIEW_GOAL].render_kw = {"readonly": True}
    return form

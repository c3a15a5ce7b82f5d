"""Results a gemeente records on a toewijzing, where the region's plan template asks the plan to
list them (a ``toewijzing_results`` term): which parts of a goal it records, recording one and
removing one. The page (portal.plans.workflow_routes) and the API (portal.api.werkwijze) both
record through here, so both check the same. Like the other services, the caller commits.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import select

from portal.accounts.models import User
from portal.accounts.roles import GEMEENTE
from portal.extensions import db, utcnow
from portal.plans.models import PLAN, ToewijzingResult
from portal.plans.services import PlanRefused
from portal.plans.templates import Field
from portal.toewijzingen.models import Toewijzing


@dataclass(frozen=True)
class ResultsTerm:
    """What a toewijzing_results term asks: the plan's goals field and the parts of a goal the
    gemeente records, and the term's rule id."""

    goals: Field
    parts: list[Field]
    rule: str


class ResultRefused(PlanRefused):
    """A result is not recorded; ``problems`` says per part why (Dutch)."""

    def __init__(self, problems: list[str]):
        super().__init__(" ".join(problems))
        self.problems = problems


def results_term(toewijzing: Toewijzing) -> ResultsTerm | None:
    """The results the region's plan template asks for this toewijzing; None: it asks none."""
    from portal.plans.documents import template_for

    template = template_for(toewijzing, PLAN)
    terms = template.terms_of("toewijzing_results", toewijzing.product_key) if template else []
    goals = template.field(terms[0].params["field"]) if terms else None
    if goals is None:
        return None
    parts = [p for p in goals.parts if p.key in terms[0].params["match"]]
    return ResultsTerm(goals, parts, terms[0].id)


def results_of(toewijzing: Toewijzing) -> list[ToewijzingResult]:
    """The results the gemeente recorded on a toewijzing, in the order it recorded them."""
    return list(db.session.scalars(select(ToewijzingResult).where(
        ToewijzingResult.toewijzing_id == toewijzing.id).order_by(ToewijzingResult.id)))


def record_result(user: User, toewijzing: Toewijzing, term: ResultsTerm,
                  answers: Mapping[str, str | None]) -> ToewijzingResult:
    """The gemeente records one result: every part of the term answered, a choice among its
    options. Raises ResultRefused naming each part that is not."""
    _own_gemeente(user, toewijzing)
    problems, values = [], {}
    for part in term.parts:
        value = (answers.get(part.key) or "").strip()
        if not value:
            problems.append(f"‘{part.label}’ is niet ingevuld.")
        elif part.options() and value not in dict(part.options()):
            problems.append(f"‘{part.label}’: kies één van: "
                            + ", ".join(f"‘{label}’" for label in dict(part.options()).values())
                            + ".")
        values[part.key] = value
    if problems:
        raise ResultRefused(problems)
    row = ToewijzingResult(toewijzing_id=toewijzing.id, values=values, recorded_by_id=user.id,
                           recorded_at=utcnow())
    db.session.add(row)
    db.session.flush()
    return row


def remove_result(user: User, toewijzing: Toewijzing, result_id: int) -> bool:
    """The gemeente removes one of the toewijzing's results; False when it has no such result."""
    _own_gemeente(user, toewijzing)
    row = db.session.get(ToewijzingResult, result_id)
    if row is None or row.toewijzing_id != toewijzing.id:
        return False
    db.session.delete(row)
    db.session.flush()
    return True


def _own_gemeente(user: User, toewijzing: Toewijzing) -> None:
    if user.role != GEMEENTE or toewijzing.gemeente_id != user.organisation_id:
        raise PlanRefused("Alleen de gemeente van deze toewijzing legt resultaten vast.")

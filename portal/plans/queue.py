"""The reviewer's queue: submitted plans and evaluations of one gemeente, oldest first, each with
the term the region sets for the review (a deadline counted from the submission)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.extensions import db
from portal.plans.lifecycle import INGEDIEND
from portal.plans.models import Plan
from portal.plugins.manager import RegionRegistry
from portal.plugins.types import Deadline
from portal.toewijzingen.services import facts_of

REVIEW = "review"  # the deadline kind of a reviewer's term (portal.plugins.data_deadlines)


@dataclass(frozen=True)
class Waiting:
    plan: Plan
    term: Deadline | None  # None: the region's rules set no term for the review

    def overdue(self, today: date) -> bool:
        return self.term is not None and self.term.due < today


def review_term(regions: RegionRegistry, plan: Plan) -> Deadline | None:
    """The region's term for reviewing this plan, counted from its submission."""
    if plan.submitted_at is None:
        return None
    facts = replace(facts_of(plan.toewijzing, with_others=False),
                    submitted=plan.submitted_at.date())
    terms = [d for d in regions.deadlines(plan.region_code, facts) if d.kind == REVIEW]
    return min(terms, key=lambda d: d.due) if terms else None


def queue(regions: RegionRegistry, gemeente_id: int) -> list[Waiting]:
    plans = db.session.scalars(
        select(Plan).where(Plan.gemeente_id == gemeente_id, Plan.state == INGEDIEND)
        .options(selectinload(Plan.toewijzing), selectinload(Plan.client),
                 selectinload(Plan.aanbieder), selectinload(Plan.versions))  # row: plan.current
        .order_by(Plan.submitted_at, Plan.id)).all()
    return [Waiting(plan, review_term(regions, plan)) for plan in plans]

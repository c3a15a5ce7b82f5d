"""Plans and evaluations, each with every version kept.

A :class:`Plan` is one document (an ondersteunings-/uitvoerings-/begeleidingsplan, or an
evaluatieverslag) about one toewijzing; its :class:`PlanVersion` rows are what was written, one
per round: a version is a concept until it is submitted, and from then on immutable. The plan's
``lock_version`` makes a save that started from an older state fail instead of overwriting
(optimistic locking: two people editing the same concept).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import Organisation, User
from portal.clients.models import Client
from portal.extensions import Moment, db
from portal.toewijzingen.models import Toewijzing

PLAN, EVALUATION = "plan", "evaluatie"
KINDS = {PLAN: "Plan", EVALUATION: "Evaluatieverslag"}


class Plan(db.Model):
    __tablename__ = "plan"
    __table_args__ = (
        CheckConstraint("kind IN ('plan', 'evaluatie')", name="kind"),
        CheckConstraint("state IN ('concept', 'ingediend', 'goedgekeurd', 'teruggestuurd')",
                        name="state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    toewijzing_id: Mapped[int] = mapped_column(ForeignKey("toewijzing.id"), index=True)
    # Copied from the toewijzing, so that lists and access checks need no join.
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id"), index=True)
    aanbieder_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    gemeente_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    region_code: Mapped[str] = mapped_column(String(40))
    product_key: Mapped[str | None] = mapped_column(String(40))
    # An evaluation looks back on a plan.
    evaluates_id: Mapped[int | None] = mapped_column(ForeignKey("plan.id"))
    state: Mapped[str] = mapped_column(String(14))  # the state of the newest version
    submitted_at: Mapped[datetime | None] = mapped_column(db.DateTime(timezone=True))
    lock_version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[Moment]
    updated_at: Mapped[Moment]  # every change of the plan or its versions; raises lock_version

    __mapper_args__ = {"version_id_col": lock_version}

    toewijzing: Mapped[Toewijzing] = relationship()
    client: Mapped[Client] = relationship()
    aanbieder: Mapped[Organisation] = relationship(foreign_keys=[aanbieder_id])
    gemeente: Mapped[Organisation] = relationship(foreign_keys=[gemeente_id])
    evaluates: Mapped[Plan | None] = relationship(remote_side=[id])
    versions: Mapped[list[PlanVersion]] = relationship(
        back_populates="plan", order_by="PlanVersion.number", cascade="all, delete-orphan")

    @property
    def current(self) -> PlanVersion:
        return self.versions[-1]

    @property
    def kind_label(self) -> str:
        return KINDS[self.kind]


class PlanVersion(db.Model):
    __tablename__ = "plan_version"
    __table_args__ = (UniqueConstraint("plan_id", "number", name="uq_plan_version_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id"), index=True)
    number: Mapped[int]
    state: Mapped[str] = mapped_column(String(14))
    # The form's values as plain data: {field key: value}; goals as a list of dicts.
    content: Mapped[dict] = mapped_column(JSON, default=dict)
    author_name: Mapped[str | None] = mapped_column(String(200))
    author_level: Mapped[str | None] = mapped_column(String(40))  # education level, where asked
    saved_at: Mapped[Moment]
    saved_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    submitted_at: Mapped[datetime | None] = mapped_column(db.DateTime(timezone=True))
    # The findings of the region's rules at submission: [{"rule", "severity", "message", "field"}].
    findings: Mapped[list] = mapped_column(JSON, default=list)
    decided_at: Mapped[datetime | None] = mapped_column(db.DateTime(timezone=True))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # The reviewer's comments per section key, and on the whole.
    comments: Mapped[dict] = mapped_column(JSON, default=dict)
    general_comment: Mapped[str | None] = mapped_column(Text)

    plan: Mapped[Plan] = relationship(back_populates="versions")
    saved_by: Mapped[User] = relationship(foreign_keys=[saved_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])


# -- the workflow around plans (portal.plans.workflow; the region's terms in its template) --------

class SupportStart(db.Model):
    """The day the support of a toewijzing actually started, as the aanbieder records it (the
    start the WMO305 reports), to compare with the region's term for the start."""

    __tablename__ = "support_start"

    id: Mapped[int] = mapped_column(primary_key=True)
    toewijzing_id: Mapped[int] = mapped_column(ForeignKey("toewijzing.id"), unique=True)
    started_on: Mapped[date]
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    recorded_at: Mapped[Moment]

    recorded_by: Mapped[User] = relationship()


AGREED, EXTRA, SIGNALLED = "afgesproken", "extra", "signalering"
DUE_KINDS = {AGREED: "Later afgesproken datum", EXTRA: "Extra tussenevaluatie",
             SIGNALLED: "Na signalering van een ontbrekend verslag"}


class EvaluationDue(db.Model):
    """A due date of the evaluations of an approved plan beyond the moments the plan itself
    plans: a later date agreed with the gemeente (``replaces`` the planned date), an extra
    evaluation the reviewer asked for, or the term after the gemeente signalled a missing report
    (``replaces`` the missed date)."""

    __tablename__ = "evaluation_due"
    __table_args__ = (
        CheckConstraint("kind IN ('afgesproken', 'extra', 'signalering')", name="kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id"), index=True)
    kind: Mapped[str] = mapped_column(String(12))
    due: Mapped[date]
    replaces: Mapped[date | None]
    rule: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(Text)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    recorded_at: Mapped[Moment]

    plan: Mapped[Plan] = relationship()
    recorded_by: Mapped[User] = relationship()

    @property
    def kind_label(self) -> str:
        return DUE_KINDS[self.kind]


REQUESTED, APPROVED, REJECTED = "aangevraagd", "goedgekeurd", "afgewezen"
DEVIATION_STATES = {REQUESTED: "Aangevraagd", APPROVED: "Goedgekeurd", REJECTED: "Afgewezen"}


class Deviation(db.Model):
    """The aanbieder's request to deviate from one of the region's terms or conditions for a
    plan, with its reason; it counts only once the gemeente approved it."""

    __tablename__ = "plan_deviation"
    __table_args__ = (
        CheckConstraint("state IN ('aangevraagd', 'goedgekeurd', 'afgewezen')", name="state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id"), index=True)
    rule: Mapped[str] = mapped_column(String(20))  # the rule deviated from, e.g. a deadline's id
    reason: Mapped[str] = mapped_column(Text)
    new_due: Mapped[date | None]  # for a deadline: the date that replaces it
    state: Mapped[str] = mapped_column(String(12))
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    requested_at: Mapped[Moment]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None] = mapped_column(db.DateTime(timezone=True))
    decision_comment: Mapped[str | None] = mapped_column(Text)

    plan: Mapped[Plan] = relationship()
    requested_by: Mapped[User] = relationship(foreign_keys=[requested_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])

    @property
    def state_label(self) -> str:
        return DEVIATION_STATES[self.state]


class ToewijzingResult(db.Model):
    """One result on client level that the gemeente formulated for a toewijzing, as the parts of
    one row of the plan's goals field ({part key: value}), which the plan then repeats."""

    __tablename__ = "toewijzing_result"

    id: Mapped[int] = mapped_column(primary_key=True)
    toewijzing_id: Mapped[int] = mapped_column(ForeignKey("toewijzing.id"), index=True)
    values: Mapped[dict] = mapped_column(JSON, default=dict)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    recorded_at: Mapped[Moment]

"""Keeping the stored deadlines true, and reading them for the dashboards.

Which rows can change a toewijzing's deadlines: the toewijzing itself and the client's other
toewijzingen (a new one may ask a plan revision), its plans and their versions, the deviations the
gemeente decided, the evaluation due dates, the recorded start of support and the toewijzing's
results. A session listener notes every such row a flush wrote; just before the transaction
commits, the deadlines of every toewijzing of the clients involved are computed again and replace
the stored ones, in that same transaction. So no page, API call or import has to remember to do it,
and a failed commit leaves the old rows.

Rows written with a bulk ``insert()`` (the demo data) pass no listener: whoever writes so calls
:func:`refresh_all` (``wmo-portal init-db`` does too, so changed region rules reach the stored
rows with the release that brings them).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import Select, delete, event, insert, or_, select
from sqlalchemy.orm import Session, joinedload

from portal.clients.models import Client
from portal.deadlines.models import StoredDeadline
from portal.plans.models import Deviation, EvaluationDue, Plan, PlanVersion, SupportStart, \
    ToewijzingResult
from portal.plans.workflow import WorkflowRows, toewijzing_deadlines
from portal.plugins.types import Deadline
from portal.regions import registry
from portal.toewijzingen.models import Toewijzing
from portal.toewijzingen.services import facts_of

CHUNK = 500  # clients recomputed per round (keeps IN lists and memory small)
PAST_DAYS = 30  # the dashboards show deadlines passed up to this many days ago
HORIZON_DAYS = 90  # ... and coming up to this many days ahead

# Each kind of row, and the attribute that leads to the clients whose deadlines it changes.
_BY_CLIENT = (Toewijzing, Plan)
_BY_PLAN = (PlanVersion, Deviation, EvaluationDue)
_BY_TOEWIJZING = (SupportStart, ToewijzingResult)
_KEY = "stored_deadlines_touched"


@dataclass
class _Touched:
    clients: set[int] = field(default_factory=set)
    plans: set[int] = field(default_factory=set)
    toewijzingen: set[int] = field(default_factory=set)

    def __bool__(self) -> bool:
        return bool(self.clients or self.plans or self.toewijzingen)


# -- keeping them true ------------------------------------------------------------------------------

def _note_flush(session: Session, _context) -> None:
    touched = session.info.setdefault(_KEY, _Touched())
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, _BY_CLIENT):
            touched.clients.add(obj.client_id)
        elif isinstance(obj, _BY_PLAN):
            touched.plans.add(obj.plan_id)
        elif isinstance(obj, _BY_TOEWIJZING):
            touched.toewijzingen.add(obj.toewijzing_id)


def _refresh_before_commit(session: Session) -> None:
    if session.new or session.dirty or session.deleted:
        session.flush()  # commit would flush them after this hook: note them now
    touched = session.info.pop(_KEY, None)
    if not touched:
        return
    clients = set(touched.clients)
    if touched.plans:
        clients |= set(session.scalars(select(Plan.client_id).where(
            Plan.id.in_(touched.plans))))
    if touched.toewijzingen:
        clients |= set(session.scalars(select(Toewijzing.client_id).where(
            Toewijzing.id.in_(touched.toewijzingen))))
    clients.discard(None)
    refresh(session, clients)


def _forget(session: Session, *_args) -> None:
    session.info.pop(_KEY, None)


def init_app(_app) -> None:
    for name, listener in (("after_flush", _note_flush), ("before_commit", _refresh_before_commit),
                           ("after_rollback", _forget)):
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)


def refresh(session: Session, client_ids: Iterable[int]) -> int:
    """Compute the deadlines of every toewijzing of these clients again and store them in place of
    the old ones. Returns the number of rows stored."""
    ids = sorted(client_ids)
    stored = 0
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        toewijzing_ids = select(Toewijzing.id).where(Toewijzing.client_id.in_(chunk))
        rows = [_row(toewijzing, deadline)
                for toewijzing, deadline in _computed(session, toewijzing_ids)]
        session.execute(delete(StoredDeadline).where(
            StoredDeadline.toewijzing_id.in_(toewijzing_ids)))
        if rows:
            session.execute(insert(StoredDeadline), rows)
        stored += len(rows)
    return stored


def refresh_all(session: Session) -> int:
    """Every client's deadlines again: after bulk inserts, and once per release."""
    return refresh(session, session.scalars(select(Client.id)))


def _computed(session: Session, toewijzing_ids: Select) -> Iterable[tuple[Toewijzing, Deadline]]:
    regions = registry()
    toewijzingen = session.scalars(
        select(Toewijzing).where(Toewijzing.id.in_(toewijzing_ids))
        .options(joinedload(Toewijzing.gemeente), joinedload(Toewijzing.aanbieder),
                 joinedload(Toewijzing.client))).all()
    workflow = WorkflowRows.load(toewijzing_ids)
    for toewijzing in toewijzingen:
        if toewijzing.status != "actief":
            continue  # an ended or withdrawn toewijzing asks nothing more
        region = toewijzing.gemeente.region_code or ""
        for deadline in toewijzing_deadlines(regions, toewijzing, regions.deadlines(
                region, facts_of(toewijzing, with_others=False)), workflow):
            yield toewijzing, deadline


def _row(toewijzing: Toewijzing, deadline: Deadline) -> dict:
    return {"toewijzing_id": toewijzing.id, "client_id": toewijzing.client_id,
            "aanbieder_id": toewijzing.aanbieder_id, "gemeente_id": toewijzing.gemeente_id,
            "ends": toewijzing.einddatum, "kind": deadline.kind, "due": deadline.due,
            "shown_from": deadline.shown_from, "rule": deadline.rule, "message": deadline.message,
            "severity": deadline.severity.value,
            "source": str(deadline.source) if deadline.source else None}


# -- reading them -----------------------------------------------------------------------------------

BY_DATE, BY_CLIENT = "datum", "client"


def upcoming(deadlines: Select, today: date, sort: str = BY_DATE) -> Select:
    """These stored deadlines (a select of StoredDeadline, e.g. those a user may see,
    portal.auth.policy.visible_deadlines) of toewijzingen still running, from PAST_DAYS ago up to
    HORIZON_DAYS ahead, most urgent first (or by client). Rows of (StoredDeadline, Toewijzing,
    Client)."""
    query = (deadlines.add_columns(Toewijzing, Client)
             .join(Toewijzing, StoredDeadline.toewijzing_id == Toewijzing.id)
             .join(Client, StoredDeadline.client_id == Client.id)
             .where(StoredDeadline.due.between(today - timedelta(days=PAST_DAYS),
                                               today + timedelta(days=HORIZON_DAYS)),
                    or_(StoredDeadline.ends.is_(None), StoredDeadline.ends >= today),
                    or_(StoredDeadline.shown_from.is_(None), StoredDeadline.shown_from <= today)))
    if sort == BY_CLIENT:
        return query.order_by(Client.achternaam, Client.voorletters, Client.id,
                              StoredDeadline.due, StoredDeadline.id)
    # By date alone: the organisation's index on (organisation, due) then gives the first rows
    # without sorting thousands.
    return query.order_by(StoredDeadline.due, StoredDeadline.id)

"""One dashboard per role: aanbieder, gemeente, beheer; and the deadlines page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import Blueprint, render_template, request
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from portal.accounts.models import Organisation, User
from portal.accounts.roles import AANBIEDER, BEHEER, GEMEENTE
from portal.auth.policy import (
    any_role,
    roles,
    visible_clients,
    visible_deadlines,
    visible_toewijzingen,
)
from portal.clients.models import Client
from portal.clients.routes import product_name
from portal.deadlines import store
from portal.deadlines.models import StoredDeadline
from portal.extensions import db
from portal.pagination import Page
from portal.plans.models import Plan
from portal.plans.queue import queue
from portal.plans.routes import visible_plans
from portal.plugins.data_deadlines import KINDS as DEADLINE_KINDS
from portal.regions import registry
from portal.toewijzingen.models import Toewijzing

CLIENTS_PER_PAGE = 25
DEADLINES_ON_DASHBOARD = 10  # the most urgent; the deadlines page lists them all, a page at a time
DEADLINES_PER_PAGE = 50


@dataclass(frozen=True)
class DueItem:
    deadline: StoredDeadline
    toewijzing: Toewijzing
    client: Client
    today: date

    @property
    def overdue(self) -> bool:
        return self.deadline.due < self.today


def due_items(query, today: date, limit: int, offset: int = 0) -> list[DueItem]:
    """A page of stored deadlines (portal.deadlines.store.upcoming) ready for the table."""
    rows = db.session.execute(query.options(joinedload(Toewijzing.gemeente))
                              .limit(limit).offset(offset)).all()
    return [DueItem(deadline, toewijzing, client, today) for deadline, toewijzing, client in rows]


def requested_sort() -> str:
    return store.BY_CLIENT if request.args.get("sorteer") == "client" else store.BY_DATE


def count_rows(query) -> int:
    return db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))


def clients_matching(query, search: str):
    """Clients whose name contains the search text, or whose BSN it is (nine digits)."""
    if not search:
        return query
    if search.isdigit():
        return query.where(Client.bsn == search)
    return query.where(Client.achternaam.ilike(f"%{search}%"))


bp = Blueprint("dashboard", __name__, template_folder="templates")


@bp.route("/")
@any_role
def index():
    if current_user.role == BEHEER:
        return _beheer()
    return _tenant()


def _tenant():
    """Aanbieder and gemeente see the same shape: the most urgent deadlines, then their clients
    with their toewijzingen, a page at a time (an organisation may have thousands)."""
    today = date.today()
    search = request.args.get("zoek", "").strip()[:100]
    matching = clients_matching(visible_clients(current_user), search)
    page = Page.of(count_rows(matching), CLIENTS_PER_PAGE)
    clients = list(db.session.scalars(
        matching.options(joinedload(Client.gemeente))
        .order_by(Client.achternaam, Client.voorletters, Client.id)
        .limit(CLIENTS_PER_PAGE).offset(page.offset)))
    shown = [client.id for client in clients]
    by_client: dict[int, list[Toewijzing]] = {}
    for toewijzing in db.session.scalars(
            visible_toewijzingen(current_user).where(Toewijzing.client_id.in_(shown))
            .options(joinedload(Toewijzing.gemeente), joinedload(Toewijzing.aanbieder))
            .order_by(Toewijzing.ingangsdatum.desc())):
        by_client.setdefault(toewijzing.client_id, []).append(toewijzing)
    sort = requested_sort()
    # One more than shown tells whether the deadlines page has more (no count of thousands).
    due = due_items(store.upcoming(visible_deadlines(current_user), today, sort), today,
                    DEADLINES_ON_DASHBOARD + 1)
    # The aanbieder sees its plans' outcomes and the gemeente's comments; the gemeente what waits
    # for its review, with its own terms.
    plans = list(db.session.scalars(visible_plans(current_user)
                                    .where(Plan.state.in_(("ingediend", "teruggestuurd",
                                                           "goedgekeurd", "concept")))
                                    .options(joinedload(Plan.client), selectinload(Plan.versions))
                                    .order_by(Plan.updated_at.desc()).limit(20)))
    waiting = queue(registry(), current_user.organisation_id) \
        if current_user.role == GEMEENTE else []
    template = "dashboard/aanbieder.html" if current_user.role == AANBIEDER \
        else "dashboard/gemeente.html"
    return render_template(template, clients=clients, page=page, search=search,
                           by_client=by_client, today=today, product_name=product_name, role_gemeente=GEMEENTE,
                           due=due[:DEADLINES_ON_DASHBOARD],
                           more_due=len(due) > DEADLINES_ON_DASHBOARD, sort=sort,
                           kinds=DEADLINE_KINDS,
                           plans=plans, waiting=waiting)


@bp.route("/termijnen")
@roles(AANBIEDER, GEMEENTE)
def deadlines():
    """Every coming deadline of the organisation's toewijzingen, a page at a time."""
    today = date.today()
    sort = requested_sort()
    upcoming = store.upcoming(visible_deadlines(current_user), today, sort)
    page = Page.of(count_rows(upcoming), DEADLINES_PER_PAGE)
    return render_template("dashboard/deadlines.html", today=today, sort=sort, page=page,
                           product_name=product_name, kinds=DEADLINE_KINDS,
                           due=due_items(upcoming, today, DEADLINES_PER_PAGE,
                                         page.offset))


def _beheer():
    counts = {
        "organisations": db.session.scalar(select(func.count(Organisation.id))),
        "users": db.session.scalar(select(func.count(User.id))),
        "clients": db.session.scalar(select(func.count(Client.id))),
        "toewijzingen": db.session.scalar(select(func.count(Toewijzing.id))),
    }
    regions = registry().regions()
    product_counts = {region.code: len(registry().products(region.code)) for region in regions}
    return render_template("dashboard/beheer.html", counts=counts, regions=regions,
                           product_counts=product_counts)

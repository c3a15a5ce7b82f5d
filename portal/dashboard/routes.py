"""One dashboard per role: aanbieder, gemeente, beheer."""

from dataclasses import dataclass
from datetime import date, timedelta

from flask import Blueprint, render_template, request
from flask_login import current_user
from sqlalchemy import func, select

from portal.accounts.models import Organisation, User
from portal.accounts.roles import AANBIEDER, BEHEER, GEMEENTE
from portal.auth.policy import any_role, visible_clients, visible_toewijzingen
from portal.clients.models import Client
from portal.clients.routes import product_name
from portal.extensions import db
from portal.plans.models import Plan
from portal.plans.queue import queue
from portal.plans.routes import visible_plans
from portal.plans.workflow import WorkflowRows, toewijzing_deadlines
from portal.plugins.data_deadlines import KINDS as DEADLINE_KINDS
from portal.plugins.types import Deadline
from portal.regions import registry
from portal.toewijzingen.models import Toewijzing
from portal.toewijzingen.services import facts_of

DEADLINE_HORIZON = timedelta(days=90)  # how far ahead the dashboard looks


@dataclass(frozen=True)
class DueItem:
    deadline: Deadline
    toewijzing: Toewijzing

    @property
    def overdue(self) -> bool:
        return self.deadline.due < date.today()


def upcoming_deadlines(toewijzingen: list[Toewijzing], today: date, sort: str,
                       rows: WorkflowRows | None = None) -> list[DueItem]:
    """The region's deadlines of active toewijzingen from 30 days ago up to the horizon.

    Whether a plan or evaluation was delivered is not known yet (plans land in a later step), so
    past dates within 30 days are shown as "verstreken", not as missed. ``rows``: the plans'
    workflow rows of all these toewijzingen, loaded at once.
    """
    items = []
    for toewijzing in toewijzingen:
        if not toewijzing.is_active_on(today) and toewijzing.ingangsdatum <= today:
            continue
        region = toewijzing.gemeente.region_code or ""
        # The region's deadlines, with dates the gemeente allowed to deviate, and what the
        # toewijzing's plans still ask (start of support, revisions, evaluations, signals).
        for deadline in toewijzing_deadlines(registry(), toewijzing, registry().deadlines(
                region, facts_of(toewijzing, with_others=False)), today, rows):
            if today - timedelta(days=30) <= deadline.due <= today + DEADLINE_HORIZON:
                items.append(DueItem(deadline, toewijzing))
    if sort == "client":
        return sorted(items, key=lambda i: (i.toewijzing.client.achternaam, i.deadline.due))
    return sorted(items, key=lambda i: (i.deadline.due, i.toewijzing.client.achternaam))

bp = Blueprint("dashboard", __name__, template_folder="templates")


@bp.route("/")
@any_role
def index():
    if current_user.role == BEHEER:
        return _beheer()
    return _tenant()


def _tenant():
    """Aanbieder and gemeente see the same shape: their clients with their toewijzingen."""
    today = date.today()
    clients = list(db.session.scalars(visible_clients(current_user)
                                      .order_by(Client.achternaam, Client.voorletters)))
    toewijzingen = list(db.session.scalars(visible_toewijzingen(current_user)
                                           .order_by(Toewijzing.ingangsdatum.desc())))
    by_client: dict[int, list[Toewijzing]] = {}
    for toewijzing in toewijzingen:
        by_client.setdefault(toewijzing.client_id, []).append(toewijzing)
    template = "dashboard/aanbieder.html" if current_user.role == AANBIEDER \
        else "dashboard/gemeente.html"
    sort = "client" if request.args.get("sorteer") == "client" else "due"
    # The aanbieder sees its plans' outcomes and the gemeente's comments; the gemeente what waits
    # for its review, with its own terms.
    plans = list(db.session.scalars(visible_plans(current_user)
                                    .where(Plan.state.in_(("ingediend", "teruggestuurd",
                                                           "goedgekeurd", "concept")))
                                    .order_by(Plan.updated_at.desc()).limit(20)))
    waiting = queue(registry(), current_user.organisation_id) \
        if current_user.role == GEMEENTE else []
    # The plans' workflow of every toewijzing shown, in a fixed number of queries.
    rows = WorkflowRows.load(visible_toewijzingen(current_user).with_only_columns(Toewijzing.id))
    return render_template(template, clients=clients, by_client=by_client, today=today,
                           product_name=product_name, role_gemeente=GEMEENTE,
                           due=upcoming_deadlines(toewijzingen, today, sort, rows), sort=sort,
                           kinds=DEADLINE_KINDS, plans=plans, waiting=waiting)


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

"""One dashboard per role: aanbieder, gemeente, beheer."""

from datetime import date

from flask import Blueprint, render_template
from flask_login import current_user
from sqlalchemy import func, select

from portal.accounts.models import Organisation, User
from portal.accounts.roles import AANBIEDER, BEHEER, GEMEENTE
from portal.auth.policy import any_role, visible_clients, visible_toewijzingen
from portal.clients.models import Client
from portal.clients.routes import product_name
from portal.extensions import db
from portal.regions import registry
from portal.toewijzingen.models import Toewijzing

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
    return render_template(template, clients=clients, by_client=by_client, today=today,
                           product_name=product_name, role_gemeente=GEMEENTE)


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

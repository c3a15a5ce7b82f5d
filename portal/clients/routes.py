"""A client's page: personal details and toewijzingen. Every view is written to the audit log."""

from flask import Blueprint, render_template
from flask_login import current_user

from portal.audit.recorder import record
from portal.auth.policy import any_role, client_or_404, visible_toewijzingen
from portal.extensions import db
from portal.plans.routes import StartForm, plans_of_client, template_for
from portal.regions import registry
from portal.toewijzingen.models import Toewijzing

bp = Blueprint("clients", __name__, url_prefix="/clienten", template_folder="templates")


@bp.route("/<int:client_id>")
@any_role
def detail(client_id: int):
    client = client_or_404(current_user, client_id)
    record("view", "client", client.id)
    # Committed before the page's rows are loaded: a commit expires every loaded object, and an
    # expired toewijzing would be read again, one query per row, while the page renders.
    db.session.commit()
    toewijzingen = list(db.session.scalars(
        visible_toewijzingen(current_user).where(Toewijzing.client_id == client.id)
        .order_by(Toewijzing.ingangsdatum.desc())))
    plans = plans_of_client(client.id)
    # Per toewijzing: which documents the region asks (a template exists), for the start buttons.
    asks = {t.id: [kind for kind in ("plan", "evaluatie") if template_for(t, kind) is not None]
            for t in toewijzingen}
    return render_template("clients/detail.html", client=client, toewijzingen=toewijzingen,
                           product_name=product_name, plans=plans, asks=asks,
                           start_form=StartForm())


def product_name(toewijzing: Toewijzing) -> str:
    """The catalogue name of a toewijzing's product, or its codes when the catalogue lacks it."""
    product = registry().product(toewijzing.gemeente.region_code or "", toewijzing.product_key or "")
    if product is not None:
        return product.name
    return toewijzing.product_code or toewijzing.product_key or toewijzing.product_category

"""The one authorisation policy of the portal.

Two questions, answered only here:
1. Which roles may open a page? Every view declares it with ``@public`` or ``@roles(...)``.
   A view that declares nothing is refused for everybody (default deny), and a test walks the URL
   map to prove every route has a declaration.
2. Which objects may a user see? An aanbieder user sees only the clients and toewijzingen of its
   own organisation; a gemeente user only those of its own gemeente; beheer sees everything.
   Another tenant's object answers 404, not 403, so its existence is not revealed.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import abort, current_app, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import Select, exists, select

from portal.accounts.roles import AANBIEDER, BEHEER, GEMEENTE, ROLES
from portal.clients.models import Client
from portal.deadlines.models import StoredDeadline
from portal.extensions import db
from portal.toewijzingen.models import Toewijzing

PUBLIC = "public"


def public(view: Callable) -> Callable:
    """Anyone may open this page, logged in or not (login page, static files)."""
    view.access_policy = PUBLIC
    return view


def roles(*allowed: str) -> Callable[[Callable], Callable]:
    """Only logged-in users with one of these roles may open this page."""
    unknown = set(allowed) - set(ROLES)
    if unknown or not allowed:
        raise ValueError(f"unknown roles {unknown}")

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args, **kwargs):
            return view(*args, **kwargs)

        wrapper.access_policy = frozenset(allowed)
        return wrapper

    return decorate


def any_role(view: Callable) -> Callable:
    """Every logged-in user may open this page."""
    return roles(*ROLES)(view)


def policy_of(endpoint: str | None):
    view = current_app.view_functions.get(endpoint) if endpoint else None
    return getattr(view, "access_policy", None)


def enforce_access() -> object | None:
    """before_request: apply the view's declared policy; undeclared views are refused."""
    if request.endpoint is None:  # no route matched: Flask answers 404 itself
        return None
    policy = policy_of(request.endpoint)
    if policy == PUBLIC:
        return None
    if policy is None:
        current_app.logger.error("route %s has no access policy; refused", request.endpoint)
        abort(404)
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    if current_user.role not in policy:
        abort(404)
    return None


# -- which objects a user may see ------------------------------------------------------------------

def visible_toewijzingen(user) -> Select:
    query = select(Toewijzing)
    if user.role == BEHEER:
        return query
    if user.role == AANBIEDER:
        return query.where(Toewijzing.aanbieder_id == user.organisation_id)
    if user.role == GEMEENTE:
        return query.where(Toewijzing.gemeente_id == user.organisation_id)
    return query.where(False)


def visible_deadlines(user) -> Select:
    """The stored deadlines (portal.deadlines) of the toewijzingen the user sees."""
    query = select(StoredDeadline)
    if user.role == BEHEER:
        return query
    if user.role == AANBIEDER:
        return query.where(StoredDeadline.aanbieder_id == user.organisation_id)
    if user.role == GEMEENTE:
        return query.where(StoredDeadline.gemeente_id == user.organisation_id)
    return query.where(False)


def visible_clients(user) -> Select:
    query = select(Client)
    if user.role == BEHEER:
        return query
    if user.role == AANBIEDER:
        # A provider knows a client only through a toewijzing to that provider.
        return query.where(exists().where(Toewijzing.client_id == Client.id,
                                          Toewijzing.aanbieder_id == user.organisation_id))
    if user.role == GEMEENTE:
        return query.where(Client.gemeente_id == user.organisation_id)
    return query.where(False)


def client_or_404(user, client_id: int) -> Client:
    client = db.session.scalar(visible_clients(user).where(Client.id == client_id))
    if client is None:
        abort(404)
    return client

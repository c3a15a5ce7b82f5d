"""Pages of a list: ``page`` and ``per_page`` in, ``items`` with ``page``, ``per_page``, ``total``
and ``pages`` out. Two queries per page (the count and the rows), whatever the list's size."""

from __future__ import annotations

from sqlalchemy import Select, func, select

from portal.extensions import db


def page_of(query: Select, args: dict, scalars: bool = True) -> dict:
    page, per_page = args["page"], args["per_page"]
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    rows = query.limit(per_page).offset((page - 1) * per_page)
    items = db.session.scalars(rows).all() if scalars else db.session.execute(rows).all()
    return {"items": items, "page": page, "per_page": per_page, "total": total,
            "pages": max(1, -(-total // per_page))}

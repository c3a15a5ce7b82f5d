"""Writes the audit log.

Changes are recorded automatically: after every flush, each created, changed or deleted model
object gets a row, in the same transaction, so no code path can change data without a trace.
Views of a client's file and logins are recorded explicitly with :func:`record`.
Only field names are stored for changes, never values: the log must not become a second copy of
citizens' data.
"""

from __future__ import annotations

import json
from contextvars import ContextVar

from flask import has_request_context, request
from flask_login import current_user
from sqlalchemy import event, insert, inspect
from sqlalchemy.orm import Session

from portal.audit.models import AuditLog
from portal.extensions import db, utcnow

# Who acts when there is no logged-in user: "cli" for commands, "systeem" otherwise.
_actor_override: ContextVar[str | None] = ContextVar("audit_actor", default=None)

# Fields whose name alone is enough; their changes are logged without revealing anything.
_IGNORED_FIELDS = {"created_at"}


def act_as(actor: str) -> None:
    """Name the actor for changes made outside a request (command-line commands)."""
    _actor_override.set(actor)


def _who() -> tuple[int | None, str, int | None, str | None]:
    if has_request_context():
        address = request.remote_addr
        if current_user and current_user.is_authenticated:
            return current_user.id, current_user.email, current_user.organisation_id, address
        return None, _actor_override.get() or "anoniem", None, address
    return None, _actor_override.get() or "systeem", None, None


def record(action: str, object_type: str, object_id: object = None, detail: dict | None = None,
           actor: str | None = None) -> None:
    """Add an audit row to the current session; it is written when the caller commits."""
    user_id, who, organisation_id, address = _who()
    db.session.add(AuditLog(
        user_id=user_id, actor=actor or who, organisation_id=organisation_id, action=action,
        object_type=object_type, object_id=None if object_id is None else str(object_id),
        remote_addr=address, detail=json.dumps(detail, ensure_ascii=False) if detail else None,
    ))


def _changed_fields(obj: object) -> list[str]:
    state = inspect(obj)
    return sorted(attr.key for attr in state.attrs
                  if attr.key not in _IGNORED_FIELDS and attr.history.has_changes())


def _after_flush(session: Session, _flush_context: object) -> None:
    rows = []
    user_id, who, organisation_id, address = _who()
    for action, objects in (("create", session.new), ("update", session.dirty),
                            ("delete", session.deleted)):
        for obj in objects:
            if isinstance(obj, AuditLog) or not isinstance(obj, db.Model):
                continue
            fields = _changed_fields(obj) if action == "update" else []
            if action == "update" and not fields:
                continue
            # Inside after_flush a new object has its primary key but not yet its identity.
            key = inspect(obj).mapper.primary_key_from_instance(obj)
            rows.append({
                "user_id": user_id, "actor": who, "organisation_id": organisation_id,
                "action": action, "object_type": obj.__tablename__,
                "object_id": None if key[0] is None else str(key[0]),
                "remote_addr": address,
                "detail": json.dumps({"velden": fields}) if fields else None,
                "at": utcnow(),
            })
    if rows:
        session.connection().execute(insert(AuditLog.__table__), rows)


def init_app(_app) -> None:
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)

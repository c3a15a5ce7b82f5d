"""The reviewer's queue: submitted plans of the gemeente only, oldest first, with the region's
term for the review where the region sets one (Geldrop-Mierlo GM-P7: 15 werkdagen)."""

from __future__ import annotations

from datetime import date, datetime, timezone

from portal.accounts.models import User
from portal.extensions import db
from portal.plans.models import PLAN
from portal.plans.queue import queue
from portal.plans.services import Draft, save, start, submit
from portal.regions import registry
from portal.toewijzingen.models import Toewijzing


def no_rules(_content):
    return []


def submitted_plan(user_id: int, toewijzing_id: int, on: date):
    user = db.session.get(User, user_id)
    plan = start(user, db.session.get(Toewijzing, toewijzing_id), PLAN)
    save(user, plan, plan.lock_version, Draft({"doel": "x"}), no_rules)
    submit(user, plan, plan.lock_version, no_rules)
    plan.submitted_at = datetime(on.year, on.month, on.day, 10, tzinfo=timezone.utc)
    db.session.flush()
    return plan


def test_queue_holds_the_gemeentes_submitted_plans_with_the_review_term(app, world):
    with app.app_context():
        geldrop_plan = submitted_plan(world.users["aanbieder_b"], world.toewijzing_b,
                                      date(2026, 12, 18))
        apeldoorn_plan = submitted_plan(world.users["aanbieder_a"], world.toewijzing_a,
                                        date(2026, 12, 1))

        waiting = queue(registry(), world.geldrop)
        assert [w.plan.id for w in waiting] == [geldrop_plan.id]
        assert waiting[0].term.due == date(2027, 1, 12)  # across Christmas and New Year
        assert waiting[0].term.rule == "GM-P7"
        assert waiting[0].overdue(date(2027, 1, 13)) and not waiting[0].overdue(date(2027, 1, 12))

        # Midden-IJssel sets no term for the review (MIJ-P9): the plan waits without one.
        [mij] = queue(registry(), world.apeldoorn)
        assert mij.plan.id == apeldoorn_plan.id and mij.term is None

"""The plan/evaluation state table: every allowed transition, and every refused one."""

import itertools

import pytest

from portal.accounts.roles import AANBIEDER, BEHEER, GEMEENTE
from portal.plans.lifecycle import (
    CONCEPT,
    EDITABLE,
    GOEDGEKEURD,
    INGEDIEND,
    STATES,
    TERUGGESTUURD,
    TRANSITIONS,
    TransitionRefused,
    allowed,
    transition,
)

ALLOWED = {
    (CONCEPT, "indienen", AANBIEDER): INGEDIEND,
    (INGEDIEND, "goedkeuren", GEMEENTE): GOEDGEKEURD,
    (INGEDIEND, "terugsturen", GEMEENTE): TERUGGESTUURD,
    (TERUGGESTUURD, "nieuwe_versie", AANBIEDER): CONCEPT,
    (GOEDGEKEURD, "herzien", AANBIEDER): CONCEPT,
}
ACTIONS = sorted({t.action for t in TRANSITIONS})


@pytest.mark.parametrize("state, action, role", list(itertools.product(
    STATES, ACTIONS, (AANBIEDER, GEMEENTE, BEHEER))))
def test_the_whole_table(state, action, role):
    expected = ALLOWED.get((state, action, role))
    if expected is None:
        with pytest.raises(TransitionRefused):
            transition(state, action, role)
    else:
        assert transition(state, action, role).target == expected


def test_the_full_journey_returns_and_resubmits():
    state = CONCEPT
    for action, role in (("indienen", AANBIEDER), ("terugsturen", GEMEENTE),
                         ("nieuwe_versie", AANBIEDER), ("indienen", AANBIEDER),
                         ("goedkeuren", GEMEENTE)):
        state = transition(state, action, role).target
    assert state == GOEDGEKEURD


def test_an_approved_plan_changes_only_by_a_revision_and_only_a_concept_is_editable():
    assert [t.action for t in allowed(GOEDGEKEURD, AANBIEDER)] == ["herzien"]
    assert allowed(GOEDGEKEURD, GEMEENTE) == []
    assert EDITABLE == {CONCEPT}


def test_refusals_say_why_in_dutch():
    with pytest.raises(TransitionRefused, match="voorbehouden aan de rol gemeente"):
        transition(INGEDIEND, "goedkeuren", AANBIEDER)
    with pytest.raises(TransitionRefused, match="kan niet bij status goedgekeurd"):
        transition(GOEDGEKEURD, "indienen", AANBIEDER)
    with pytest.raises(TransitionRefused, match="Onbekende handeling"):
        transition(CONCEPT, "verwijderen", AANBIEDER)

"""The lifecycle of a plan or evaluation: one explicit state table, in one place.

    concept ──indienen──> ingediend ──goedkeuren──> goedgekeurd ──herzien──> concept
       ^                      │
       └──nieuwe versie── teruggestuurd <──terugsturen──┘

A submitted version is immutable: "nieuwe versie" starts a new concept version from a returned one,
"herzien" one from an approved plan that must change (the client's situation or toewijzingen
changed; a region may require it, e.g. after a new toewijzing); every version is kept, and the
approved version stays what evaluations look back on until a newer one is approved. Each
transition names the role that may make it.
"""

from __future__ import annotations

from dataclasses import dataclass

from portal.accounts.roles import AANBIEDER, GEMEENTE

CONCEPT = "concept"
INGEDIEND = "ingediend"
GOEDGEKEURD = "goedgekeurd"
TERUGGESTUURD = "teruggestuurd"

STATES: dict[str, str] = {
    CONCEPT: "Concept",
    INGEDIEND: "Ingediend",
    GOEDGEKEURD: "Goedgekeurd",
    TERUGGESTUURD: "Teruggestuurd",
}


@dataclass(frozen=True)
class Transition:
    action: str
    source: str
    target: str
    role: str
    label: str  # Dutch, for the button


TRANSITIONS: tuple[Transition, ...] = (
    Transition("indienen", CONCEPT, INGEDIEND, AANBIEDER, "Indienen bij de gemeente"),
    Transition("goedkeuren", INGEDIEND, GOEDGEKEURD, GEMEENTE, "Goedkeuren"),
    Transition("terugsturen", INGEDIEND, TERUGGESTUURD, GEMEENTE, "Terugsturen met opmerkingen"),
    Transition("nieuwe_versie", TERUGGESTUURD, CONCEPT, AANBIEDER, "Nieuwe versie maken"),
    Transition("herzien", GOEDGEKEURD, CONCEPT, AANBIEDER, "Plan herzien (nieuwe versie)"),
)

EDITABLE = frozenset({CONCEPT})  # only a concept's content may change


class TransitionRefused(Exception):
    """The transition is not allowed; the message (Dutch) says why."""


def allowed(state: str, role: str) -> list[Transition]:
    """The transitions a user with ``role`` may make from ``state``."""
    return [t for t in TRANSITIONS if t.source == state and t.role == role]


def transition(state: str, action: str, role: str) -> Transition:
    """The transition ``action`` from ``state`` for ``role``, or TransitionRefused."""
    if state not in STATES:
        raise TransitionRefused(f"Onbekende status '{state}'.")
    candidates = [t for t in TRANSITIONS if t.action == action]
    if not candidates:
        raise TransitionRefused(f"Onbekende handeling '{action}'.")
    for candidate in candidates:
        if candidate.source == state:
            if candidate.role != role:
                raise TransitionRefused(f"'{candidate.label}' is voorbehouden aan de rol "
                                        f"{candidate.role}.")
            return candidate
    possible = ", ".join(STATES[t.source].lower() for t in candidates)
    raise TransitionRefused(f"'{candidates[0].label}' kan niet bij status "
                            f"{STATES[state].lower()}, alleen bij: {possible}.")

"""How a rule is written and registered: one function, one code, per message type and record kind.

A rule is a function ``check(record, ctx)`` decorated with :func:`rule`, which names its rule code
(CS002, TR346, ...), its retourcode (../shared/docs/iwmo.md §4), the message types and the record
kinds it applies to. It returns None when the record is right, or one :class:`Problem` (or a list)
with a Dutch message that names the element and value and says what would be right. The engine
turns problems into findings with the line and element path. Adding a rule is adding a function.

A rule that compares records across the file keeps what it needs in ``ctx.state`` under its own
code, and may add a second function on the :data:`~portal.iwmo.records.END` record.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, NamedTuple

from portal.iwmo.records import Record
from portal.iwmo.values import as_date
from portal.plugins.severity import Severity


class Problem(NamedTuple):
    field: str | None  # the field (path relative to the record) the problem is about
    message: str  # Dutch
    where: tuple[int | None, str] | None = None  # (line, path) when it is about another record


CheckResult = Problem | list[Problem] | None


@dataclass(frozen=True)
class Rule:
    code: str
    retourcode: str | None
    kinds: tuple[str, ...]
    messages: tuple[str, ...]
    check: Callable[[Record, "Context"], CheckResult]
    severity: Severity = Severity.ERROR

    @property
    def name(self) -> str:
        return self.check.__name__


@dataclass
class Context:
    """What the rules of one file share: the message, today, the heads seen, cross-line state."""

    message: str
    today: date
    current: dict[str, Record] = field(default_factory=dict)  # latest Header/head per kind
    state: dict[str, Any] = field(default_factory=dict)  # per rule code, for cross-line rules
    dagtekening: date | None = None  # the Header's BerichtIdentificatie/Dagtekening
    region: Any = None  # portal.iwmo.region_checks.RegionCheck when a region was given

    def store(self, name: str) -> dict:
        """A dict a cross-line rule keeps for this file (by its code, or code.suffix)."""
        found = self.state.get(name)
        if found is None:
            found = self.state[name] = {}
        return found

    def seen(self, record: Record) -> None:
        """Called by the engine before a record's rules run."""
        if record.kind == "Header":
            self.dagtekening = as_date(record.text("BerichtIdentificatie/Dagtekening"))
        self.current[record.kind] = record


RULES: list[Rule] = []


def earlier(store: dict, key, line: int | None) -> int | None:
    """The line where ``key`` was seen before in this file, or None when it is new (then noted)."""
    first = store.get(key)
    if first is None:
        store[key] = line or 0
    return first


def rule(code: str, retourcode: str | None, *, on: str | Iterable[str], messages: Iterable[str],
         severity: Severity = Severity.ERROR):
    """Register the decorated function as rule ``code`` for these record kinds and messages."""
    kinds = (on,) if isinstance(on, str) else tuple(on)

    def register(check: Callable[[Record, Context], CheckResult]):
        RULES.append(Rule(code, retourcode, kinds, tuple(messages), check, severity))
        return check

    return register


def rules_for(message: str) -> dict[str, tuple[Rule, ...]]:
    """The rules of one message type, per record kind, in registration order."""
    by_kind: dict[str, list[Rule]] = {}
    for registered in RULES:
        if message in registered.messages:
            for kind in registered.kinds:
                by_kind.setdefault(kind, []).append(registered)
    return {kind: tuple(rules) for kind, rules in by_kind.items()}

"""The business rules of iWmo 3.2 that a schema cannot express, one function per rule.

Importing this package registers every rule (see :mod:`portal.iwmo.rules.registry` for how a rule is
written). :func:`rules_for` gives the rules of one message type per record kind.
"""

from portal.iwmo.rules import berichten, common, declaratie, toewijzing  # noqa: F401  (registers)
from portal.iwmo.rules.registry import RULES, Context, Problem, Rule, rule, rules_for

__all__ = ["RULES", "Context", "Problem", "Rule", "rule", "rules_for"]

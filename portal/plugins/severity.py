"""How much a finding weighs: an error refuses, a warning informs.

A module of its own, so that the iWmo validator (portal.iwmo) can use it without importing the
plugins' dataclasses (portal.plugins.types): every `wmo-portal validate` process starts by
importing what it needs, and those dataclasses are about a tenth of that start.
"""

from __future__ import annotations

from enum import Enum


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"

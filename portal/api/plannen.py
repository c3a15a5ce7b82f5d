"""Plans and evaluations through the API (filled in below)."""

from __future__ import annotations

from portal.api.core import ApiBlueprint


blp = ApiBlueprint("api_plannen", __name__, description="Plannen en evaluaties.")

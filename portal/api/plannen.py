"""Plans and evaluations through the API (filled in below)."""

from __future__ import annotations

from flask_smorest import Blueprint

blp = Blueprint("api_plannen", __name__, description="Plannen en evaluaties.")

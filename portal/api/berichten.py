"""Handed-in messages of any kind (a WMO323, a WMO301, or a file the portal could not read): read
one back, and have one that was stored but not processed processed again.

Who sees which is :func:`portal.berichten.routes.visible_uploads` (its own uploads and those
addressed to it); only the organisation that handed a message in has it processed again.
"""

from __future__ import annotations

from flask_login import current_user

from portal.accounts.roles import AANBIEDER, GEMEENTE
from portal.api.core import ID, ApiBlueprint, mutation
from portal.api.problems import Problem
from portal.api.uploads import MessageSchema, processed_again
from portal.auth.policy import any_role, roles
from portal.berichten.models import Upload
from portal.berichten.routes import visible_uploads
from portal.extensions import db

blp = ApiBlueprint("api_berichten", __name__, description="Aangeleverde berichten: teruglezen "
                                                          "en opnieuw verwerken.")


def message_or_404(upload_id: int) -> Upload:
    upload = db.session.scalar(visible_uploads(current_user).where(Upload.id == upload_id))
    if upload is None:
        raise Problem(404, f"Bericht {upload_id} bestaat niet, of deze sleutel heeft er geen "
                           f"toegang toe.")
    return upload


@blp.route(f"/berichten/<{ID}:upload_id>")
@any_role
@blp.response(200, MessageSchema)
def get_message(upload_id: int):
    """Eén aangeleverd bericht: het oordeel en de bevindingen; bij een WMO323 de bedragen, bij een
    WMO301 per toewijzing wat er gebeurde. Status ontvangen: bewaard, niet verwerkt."""
    return message_or_404(upload_id)


@blp.route(f"/berichten/<{ID}:upload_id>/verwerken", methods=["POST"])
@roles(AANBIEDER, GEMEENTE)
@mutation
@blp.response(200, MessageSchema)
def process(upload_id: int):
    """Een bewaard bericht dat niet verwerkt kon worden (status ontvangen) opnieuw laten
    verwerken, één keer; 409 als het al verwerkt is. Alleen de organisatie die het aanleverde."""
    return processed_again(message_or_404(upload_id))

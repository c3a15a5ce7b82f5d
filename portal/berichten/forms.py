"""The upload form (one file, an iWmo XML message or a ZIP of at most 30), and the button that has a
stored upload processed again."""

from flask_wtf.file import FileField, FileRequired
from wtforms import SubmitField

from portal.forms import Form


class UploadForm(Form):
    file = FileField(
        "Bericht (XML) of ZIP-bestand",
        validators=[FileRequired("Kies een bestand om aan te leveren.")],
        description="Een iWmo 3.2-bericht (.xml), of een ZIP met hoogstens 30 berichten.",
    )
    submit = SubmitField("Aanleveren en controleren")


class ProcessForm(Form):
    submit = SubmitField("Opnieuw verwerken")

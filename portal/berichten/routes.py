"""Upload an iWmo message (or a ZIP of them), see its verdict, download the original and the
WMO325 answer, and list the uploads a user may see."""

from __future__ import annotations

from datetime import date

from flask import (Blueprint, Response, abort, current_app, flash, redirect, render_template,
                   url_for)
from flask_login import current_user
from sqlalchemy import or_, select
from sqlalchemy.orm import undefer

from portal.accounts.roles import AANBIEDER, BEHEER, GEMEENTE
from portal.audit.recorder import record
from portal.auth.policy import any_role, roles
from portal.berichten.forms import ProcessForm, UploadForm
from portal.berichten.models import RECEIVED, Upload
from portal.berichten.services import NotProcessed, Settings, process_again, receive
from portal.extensions import db
from portal.pagination import Page
from portal.regions import registry

bp = Blueprint("berichten", __name__, url_prefix="/berichten", template_folder="templates")

LIST_LIMIT = 200
CLIENTS_PER_PAGE = 50  # clients with findings on one page of an upload's result


def visible_uploads(user):
    """Uploads a user may see: its organisation's own, and messages addressed to it."""
    query = select(Upload)
    if user.role == BEHEER:
        return query
    return query.where(or_(Upload.organisation_id == user.organisation_id,
                           Upload.receiver_id == user.organisation_id))


def _upload_or_404(upload_id: int) -> Upload:
    upload = db.session.scalar(visible_uploads(current_user).where(Upload.id == upload_id))
    if upload is None:
        abort(404)
    return upload


@bp.route("/")
@any_role
def index():
    uploads = db.session.scalars(visible_uploads(current_user).where(Upload.archive_id.is_(None))
                                 .order_by(Upload.uploaded_at.desc(), Upload.id.desc())
                                 .limit(LIST_LIMIT)).all()
    return render_template("berichten/index.html", uploads=uploads, limit=LIST_LIMIT)


@bp.route("/aanleveren", methods=["GET", "POST"])
@roles(AANBIEDER, GEMEENTE, BEHEER)
def upload():
    form = UploadForm()
    if form.validate_on_submit():
        file = form.file.data
        data = file.read()
        try:
            upload_id = receive(registry(), current_user, file.filename or "", data,
                                _settings()).id
            db.session.commit()
        except NotProcessed as failed:
            current_app.logger.exception("Upload %s niet verwerkt", failed.upload_id)
            upload_id = failed.upload_id
        return redirect(url_for("berichten.detail", upload_id=upload_id))
    return render_template("berichten/upload.html", form=form)


@bp.route("/<int:upload_id>/verwerken", methods=["POST"])
@roles(AANBIEDER, GEMEENTE, BEHEER)
def process(upload_id: int):
    """Process an upload that was stored but not processed (the processing broke off)."""
    upload = _upload_or_404(upload_id)
    if not _may_process(current_user, upload):
        abort(404)
    if not ProcessForm().validate_on_submit():
        abort(400)
    try:
        processed = process_again(registry(), upload.id, _settings())
        db.session.commit()
    except NotProcessed:
        current_app.logger.exception("Upload %s opnieuw niet verwerkt", upload_id)
        flash("De verwerking is opnieuw mislukt; het bestand blijft bewaard. Probeer het later "
              "nog eens of neem contact op met de beheerder van de portal.", "error")
    else:
        if processed is None:
            flash("Dit bestand was al verwerkt; er is niets opnieuw gedaan.", "info")
        else:
            flash("Het bestand is verwerkt.", "success")
    return redirect(url_for("berichten.detail", upload_id=upload_id))


def _may_process(user, upload: Upload) -> bool:
    """The uploader's organisation (or beheer) may have its stored upload processed again; a
    message inside a ZIP is processed with its ZIP."""
    return upload.archive_id is None and (user.role == BEHEER
                                          or upload.organisation_id == user.organisation_id)


def _settings() -> Settings:
    return Settings(max_bytes=int(current_app.config["MAX_UPLOAD_MB"]) * 1024 * 1024,
                    today=date.today())


@bp.route("/<int:upload_id>")
@any_role
def detail(upload_id: int):
    upload = _upload_or_404(upload_id)
    groups = _grouped(upload)
    # A refused declaration may have findings for thousands of clients: a page of them at a time.
    page = Page.of(len(groups["clients"]), CLIENTS_PER_PAGE)
    return render_template("berichten/detail.html", upload=upload, page=page,
                           general=groups["general"], clients=page.rows(groups["clients"]),
                           process_form=ProcessForm() if upload.status == RECEIVED
                           and _may_process(current_user, upload) else None)


@bp.route("/<int:upload_id>/origineel")
@any_role
def original(upload_id: int):
    upload = _upload_or_404(upload_id)
    content = db.session.scalar(select(Upload.content).where(Upload.id == upload.id))
    kind, name = ("application/zip" if upload.kind == "zip" else "application/xml"), upload.filename
    _record_download(upload, "origineel")
    return _download(content, kind, name)


@bp.route("/<int:upload_id>/antwoord")
@any_role
def answer(upload_id: int):
    upload = db.session.scalar(visible_uploads(current_user).where(Upload.id == upload_id)
                               .options(undefer(Upload.answer)))
    if upload is None or upload.answer is None:
        abort(404)
    content, name = upload.answer, f"WMO325_{upload.answer_identificatie}.xml"
    _record_download(upload, "WMO325")
    return _download(content, "application/xml", name)


def _record_download(upload: Upload, what: str) -> None:
    """A declaration names clients by BSN: who downloaded which file is in the audit log, as is
    who viewed a client's page."""
    record("download", "upload", upload.id, {"bestand": what})
    db.session.commit()


def _download(content: bytes, mimetype: str, filename: str) -> Response:
    response = Response(content, mimetype=mimetype)
    safe = "".join(c if c.isalnum() or c in "._-" else "_" for c in filename) or "bestand"
    response.headers["Content-Disposition"] = f'attachment; filename="{safe}"'
    return response


def _grouped(upload: Upload) -> dict:
    """The findings for the result page: about the file, and per client and per prestatie."""
    general, clients = [], {}
    for finding in upload.findings or []:
        number = finding.get("client")
        if not number:
            general.append(finding)
            continue
        label = (upload.labels or {}).get(str(number), {})
        client = clients.setdefault(number, {"number": number, "bsn": label.get("bsn"),
                                             "findings": [], "prestaties": {}})
        line = finding.get("prestatie")
        if not line:
            client["findings"].append(finding)
            continue
        prestatie = client["prestaties"].setdefault(line, {
            "number": line, "label": label.get("prestaties", {}).get(str(line)), "findings": []})
        prestatie["findings"].append(finding)
    return {"general": general,
            "clients": [dict(client, prestaties=[client["prestaties"][n]
                                                 for n in sorted(client["prestaties"])])
                        for _, client in sorted(clients.items())]}

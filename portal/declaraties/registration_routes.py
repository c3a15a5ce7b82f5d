"""The delivery registration on screen (views on the ``declaraties`` blueprint).

- ``/declaraties/toewijzingen/<id>/registratie``: the entries of a toewijzing (newest first);
  the aanbieder of the toewijzing adds one (POST), and corrects or deletes one on
  ``/declaraties/registratie/<entry>/wijzigen`` and ``.../verwijderen``. The gemeente and beheer
  read the entries, and set the region's own fields of the toewijzing (e.g. the flexibility the
  consulent gave) on ``/declaraties/toewijzingen/<id>/gegevens``: the gemeente's decisions, which
  the rules on the declaration need and a 301 cannot carry.
- ``/declaraties/registratie/import``: an aanbieder's CSV of entries from its own system, all or
  nothing (:mod:`portal.declaraties.registration_import`).
- ``/declaraties/urenoverzicht`` (and ``.csv``): per client the hours direct, indirect and travel
  and the number of no-shows over a period, default the current half year, for the
  aanbieder's own and the gemeente's own clients.

Another tenant's toewijzing or entry answers 404 (portal.auth.policy.visible_toewijzingen).
Every change is audit-logged by the recorder; one transaction per submission.
"""

from __future__ import annotations

from datetime import date

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from wtforms import SelectField, StringField, SubmitField
from wtforms.validators import Length

from portal.accounts.roles import AANBIEDER, BEHEER, GEMEENTE
from portal.audit.recorder import record
from portal.auth.policy import any_role, roles, visible_toewijzingen
from portal.declaraties import registration_import
from portal.declaraties.models import ACTIVITIES, ATTENDANCES, ENTRY_KINDS, DeliveryEntry
from portal.declaraties.registration import (
    EntryInput,
    InvalidEntry,
    delete_entry,
    entries_of,
    hours_report,
    save_entry,
)
from portal.declaraties.routes import _toewijzing_product, bp
from portal.extensions import db
from portal.forms import Form, choices, show_errors
from portal.regions import registry
from portal.toewijzingen.forms import region_fields
from portal.toewijzingen.models import Toewijzing
from portal.toewijzingen.services import facts_of, region_attributes
from portal.plugins.types import Severity


class EntryForm(Form):
    day = StringField("Datum", render_kw={"type": "date"}, validators=[Length(max=10)])
    kind = SelectField("Soort", choices=choices(ENTRY_KINDS.items()))
    attendance = SelectField("Aanwezigheid (bij soort aanwezigheid)",
                             choices=choices([("", "—"), *ATTENDANCES.items()]))
    activity = SelectField("Activiteit (bij soort tijd)",
                           choices=choices([("", "—"), *ACTIVITIES.items()]))
    minutes = StringField("Minuten (bij soort tijd)", validators=[Length(max=5)],
                          description="Leeg laten mag als begin- en eindtijd zijn ingevuld.")
    start_time = StringField("Begintijd (optioneel)", render_kw={"type": "time"},
                             validators=[Length(max=5)])
    end_time = StringField("Eindtijd (optioneel)", render_kw={"type": "time"},
                           validators=[Length(max=5)])
    submit = SubmitField("Opslaan")

    def entry_input(self) -> EntryInput:
        return EntryInput(self.day.data or "", self.kind.data or "", self.attendance.data or "",
                          self.activity.data or "", self.minutes.data or "",
                          self.start_time.data or "", self.end_time.data or "")


class DeleteForm(Form):
    submit = SubmitField("Verwijderen")


class ImportForm(Form):
    submit = SubmitField("Importeren")


def _toewijzing_or_404(toewijzing_id: int) -> Toewijzing:
    found = db.session.scalar(visible_toewijzingen(current_user)
                              .where(Toewijzing.id == toewijzing_id))
    if found is None:
        abort(404)
    return found


def _own_entry_or_404(entry_id: int) -> tuple[DeliveryEntry, Toewijzing]:
    """An entry of a toewijzing of the logged-in aanbieder (else 404)."""
    row = db.session.execute(
        select(DeliveryEntry, Toewijzing)
        .join(Toewijzing, DeliveryEntry.toewijzing_id == Toewijzing.id)
        .where(DeliveryEntry.id == entry_id,
               Toewijzing.id.in_(visible_toewijzingen(current_user)
                                 .with_only_columns(Toewijzing.id)))).first()
    if row is None:
        abort(404)
    return row[0], row[1]


def _fields_form(toewijzing: Toewijzing):
    """The form for the region's own fields of this toewijzing's product, or None."""
    region = toewijzing.gemeente.region_code or ""
    specs = [spec for spec in registry().toewijzing_fields(region)
             if spec.applies_to(toewijzing.product_key)]
    if not specs:
        return None, []
    product = registry().product(region, toewijzing.product_key or "")
    form_class = type("ToewijzingFieldsForm", (Form,), {
        **region_fields(specs, {product.key: product} if product else {}),
        "submit": SubmitField("Gegevens opslaan")})
    form = form_class(data={f"attr_{spec.key}": (toewijzing.attributes or {}).get(spec.key, "")
                            for spec in specs})
    return form, specs


def _page(toewijzing: Toewijzing, form: EntryForm | None = None, fields_form=None,
          status: int = 200):
    if fields_form is None:
        fields_form, specs = _fields_form(toewijzing)
    else:
        specs = [s for s in registry().toewijzing_fields(toewijzing.gemeente.region_code or "")
                 if s.applies_to(toewijzing.product_key)]
    own = current_user.role == AANBIEDER
    return render_template(
        "declaraties/registration.html", toewijzing=toewijzing,
        product=_toewijzing_product(toewijzing), entries=entries_of(toewijzing.id),
        form=form or (EntryForm() if own else None), delete_form=DeleteForm(), own=own,
        fields_form=fields_form, specs=specs, attendances=ATTENDANCES, activities=ACTIVITIES,
        may_set_fields=current_user.role in (GEMEENTE, BEHEER)), status


@bp.route("/toewijzingen/<int:toewijzing_id>/registratie", methods=["GET", "POST"])
@any_role
def registration(toewijzing_id: int):
    toewijzing = _toewijzing_or_404(toewijzing_id)
    if request.method == "GET":
        return _page(toewijzing)
    if current_user.role != AANBIEDER:
        abort(403)  # the gemeente and beheer read; the aanbieder records what it delivered
    form = EntryForm()
    if not form.validate_on_submit():
        return _page(toewijzing, form, status=400)
    try:
        entry = save_entry(toewijzing, form.entry_input(), current_user.id, date.today())
    except InvalidEntry as error:
        db.session.rollback()
        show_errors(form, error.errors, fallback="day")
        return _page(toewijzing, form, status=400)
    db.session.commit()
    flash(f"Geregistreerd: {entry.day:%d-%m-%Y}, {entry.what}.", "info")
    return redirect(url_for("declaraties.registration", toewijzing_id=toewijzing.id))


@bp.route("/registratie/<int:entry_id>/wijzigen", methods=["GET", "POST"])
@roles(AANBIEDER)
def edit_entry(entry_id: int):
    entry, toewijzing = _own_entry_or_404(entry_id)
    form = EntryForm(data={
        "day": entry.day.isoformat(), "kind": entry.kind, "attendance": entry.attendance or "",
        "activity": entry.activity or "", "minutes": str(entry.minutes or ""),
        "start_time": f"{entry.start_time:%H:%M}" if entry.start_time else "",
        "end_time": f"{entry.end_time:%H:%M}" if entry.end_time else ""}) \
        if request.method == "GET" else EntryForm()
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                save_entry(toewijzing, form.entry_input(), current_user.id, date.today(), entry)
            except InvalidEntry as error:
                db.session.rollback()
                show_errors(form, error.errors, fallback="day")
            else:
                db.session.commit()
                flash("De registratie is gewijzigd.", "info")
                return redirect(url_for("declaraties.registration", toewijzing_id=toewijzing.id))
        status = 400
    return render_template("declaraties/registration_edit.html", form=form, entry=entry,
                           toewijzing=toewijzing, product=_toewijzing_product(toewijzing)), status


@bp.route("/registratie/<int:entry_id>/verwijderen", methods=["POST"])
@roles(AANBIEDER)
def remove_entry(entry_id: int):
    entry, toewijzing = _own_entry_or_404(entry_id)
    if not DeleteForm().validate_on_submit():
        abort(400)
    what = f"{entry.day:%d-%m-%Y}, {entry.what}"
    delete_entry(entry)
    db.session.commit()
    flash(f"Verwijderd: {what}.", "info")
    return redirect(url_for("declaraties.registration", toewijzing_id=toewijzing.id))


@bp.route("/toewijzingen/<int:toewijzing_id>/gegevens", methods=["POST"])
@roles(GEMEENTE, BEHEER)
def toewijzing_fields(toewijzing_id: int):
    """The gemeente's own fields of the toewijzing (the region's), checked as on a new one."""
    toewijzing = _toewijzing_or_404(toewijzing_id)
    form, specs = _fields_form(toewijzing)
    if form is None:
        abort(404)
    if not form.validate_on_submit():
        return _page(toewijzing, fields_form=form, status=400)
    region = toewijzing.gemeente.region_code or ""
    regions = registry()
    errors: dict[str, str] = {}
    given = {spec.key: form[f"attr_{spec.key}"].data or "" for spec in specs}
    product = regions.product(region, toewijzing.product_key or "")
    values = region_attributes(specs, product, given, errors)
    if not errors:
        others = {k: v for k, v in (toewijzing.attributes or {}).items()
                  if k not in {spec.key for spec in specs}}
        toewijzing.attributes = {**others, **values}
        # The region's rules on these fields, as on a new toewijzing; rules about anything else
        # of the toewijzing are not the gemeente's business here.
        for finding in regions.validate_toewijzing(region, facts_of(toewijzing)):
            if finding.severity == Severity.ERROR and finding.field in given:
                errors[f"attr_{finding.field}"] = f"{finding.message} ({finding.rule})"
    if errors:
        db.session.rollback()
        show_errors(form, errors)
        return _page(_toewijzing_or_404(toewijzing_id), fields_form=form, status=400)
    db.session.commit()
    flash("De gegevens van de toewijzing zijn opgeslagen.", "info")
    return redirect(url_for("declaraties.registration", toewijzing_id=toewijzing.id))


# -- CSV import ----------------------------------------------------------------------------------

@bp.route("/registratie/import", methods=["GET", "POST"])
@roles(AANBIEDER)
def import_entries():
    form = ImportForm()
    problems: list[str] = []
    if request.method == "POST" and form.validate_on_submit():
        upload = request.files.get("bestand")
        data = upload.read() if upload is not None else b""
        result = registration_import.import_csv(data, current_user, date.today())
        if result.problems:
            db.session.rollback()
            problems = result.problems
        else:
            db.session.commit()
            flash(f"{result.stored} registratie(s) geïmporteerd.", "info")
            return redirect(url_for("declaraties.import_entries"))
    elif request.method == "POST":
        problems = ["Het formulier is verlopen; probeer het opnieuw."]
    return render_template("declaraties/registration_import.html", form=form,
                           problems=problems, columns=registration_import.COLUMNS), \
        400 if problems else 200


# -- the hours report ---------------------------------------------------------------------------

def _half_year(today: date) -> tuple[date, date]:
    return (date(today.year, 1, 1), date(today.year, 6, 30)) if today.month <= 6 else \
        (date(today.year, 7, 1), date(today.year, 12, 31))


def _report_period() -> tuple[date, date, list[str]]:
    first, last = _half_year(date.today())
    problems = []
    for name, label in (("van", "Van"), ("tot", "Tot en met")):
        text = request.args.get(name, "").strip()
        if not text:
            continue
        try:
            value = date.fromisoformat(text)
        except ValueError:
            problems.append(f"{label} '{text[:20]}' is geen datum (JJJJ-MM-DD); het halfjaar "
                            f"{first:%d-%m-%Y} t/m {last:%d-%m-%Y} is getoond.")
            continue
        if name == "van":
            first = value
        else:
            last = value
    if last < first:
        problems.append("De einddatum ligt vóór de begindatum.")
        first, last = _half_year(date.today())
    return first, last, problems


@bp.route("/urenoverzicht")
@any_role
def hours():
    first, last, problems = _report_period()
    rows = hours_report(visible_toewijzingen(current_user), first, last)
    return render_template("declaraties/hours.html", rows=rows, first=first, last=last,
                           problems=problems), 400 if problems else 200


@bp.route("/urenoverzicht.csv")
@any_role
def hours_csv():
    first, last, problems = _report_period()
    if problems:
        return render_template("error.html", title="Ongeldige periode",
                               message=" ".join(problems)), 400
    rows = hours_report(visible_toewijzingen(current_user), first, last)
    content = registration_import.report_csv(rows)
    record("export", "delivery_entry", None,
           {"van": first.isoformat(), "tot": last.isoformat(), "clienten": len(rows)})
    db.session.commit()
    response = Response(content, mimetype="text/csv")
    response.headers["Content-Disposition"] = \
        f'attachment; filename="urenoverzicht-{first:%Y%m%d}-{last:%Y%m%d}.csv"'
    response.headers["Cache-Control"] = "no-store"
    return response

"""Creating organisations and users, with every check at the boundary.

Each function returns the new object, or raises InvalidInput with the Dutch message per field, in
which case nothing was stored. Callers commit.
"""

from __future__ import annotations

from sqlalchemy import select

from portal.accounts.models import AANBIEDER_KIND, GEMEENTE_KIND, Organisation, User
from portal.accounts.roles import ORGANISATION_KIND_OF_ROLE, ROLES
from portal.auth.passwords import hash_password, password_problem
from portal.extensions import db
from portal.identifiers import agb_problem, cbs_problem
from portal.plugins.manager import RegionRegistry


class InvalidInput(Exception):
    """Input refused; ``errors`` maps a field name to its Dutch message."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{field}: {message}" for field, message in errors.items()))
        self.errors = errors


def create_organisation(regions: RegionRegistry, kind: str, code: str, name: str | None,
                        region_code: str | None = None) -> Organisation:
    code = (code or "").strip()
    errors: dict[str, str] = {}
    if kind == AANBIEDER_KIND:
        problem = agb_problem(code)
        region_code = None
    elif kind == GEMEENTE_KIND:
        problem = cbs_problem(code)
        region = regions.region(region_code or "")
        if region is None:
            errors["region_code"] = "Kies de regio waartoe de gemeente behoort."
        elif problem is None:
            municipality = region.municipality(code)
            if municipality is None:
                known = ", ".join(f"{m.code} {m.name}" for m in region.municipalities) or "geen"
                problem = (f"Gemeentecode {code} hoort niet bij regio {region.name} "
                           f"(gemeenten van deze regio: {known}).")
            elif not (name or "").strip():
                name = municipality.name
    else:
        errors["kind"] = "Kies aanbieder of gemeente."
        problem = None
    if problem:
        errors["code"] = problem
    if not (name or "").strip():
        errors["name"] = "Vul de naam van de organisatie in."
    if not errors and db.session.scalar(
            select(Organisation).where(Organisation.kind == kind, Organisation.code == code)):
        errors["code"] = f"Er bestaat al een {kind} met code {code}."
    if errors:
        raise InvalidInput(errors)
    organisation = Organisation(kind=kind, code=code, name=name.strip(), region_code=region_code)
    db.session.add(organisation)
    return organisation


def create_user(email: str, name: str, role: str, password: str,
                organisation: Organisation | None, check_password: bool = True) -> User:
    email = (email or "").strip().lower()
    errors: dict[str, str] = {}
    if "@" not in email or len(email) > 254:
        errors["email"] = "Vul een geldig e-mailadres in."
    elif db.session.scalar(select(User).where(User.email == email)):
        errors["email"] = "Er bestaat al een gebruiker met dit e-mailadres."
    if not (name or "").strip():
        errors["name"] = "Vul de naam van de gebruiker in."
    if role not in ROLES:
        errors["role"] = "Kies een rol: aanbieder, gemeente of beheer."
    else:
        wanted_kind = ORGANISATION_KIND_OF_ROLE[role]
        if wanted_kind is None and organisation is not None:
            errors["organisation_id"] = "Een beheerder hoort niet bij een organisatie."
        elif wanted_kind is not None and (organisation is None or organisation.kind != wanted_kind):
            errors["organisation_id"] = f"Kies de {wanted_kind} waarvoor deze gebruiker werkt."
    problem = password_problem(password or "") if check_password else None
    if problem:
        errors["password"] = problem
    if errors:
        raise InvalidInput(errors)
    user = User(email=email, name=name.strip(), role=role, password_hash=hash_password(password),
                organisation=organisation)
    db.session.add(user)
    return user

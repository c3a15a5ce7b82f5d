"""Commands that need the application (database, plugins): a Flask CLI group behind `wmo-portal`."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext
from sqlalchemy import select

from portal import create_app
from portal.accounts.models import Organisation
from portal.accounts.roles import ORGANISATION_KIND_OF_ROLE, ROLES
from portal.accounts.services import InvalidInput, create_user
from portal.audit.recorder import act_as
from portal.extensions import db
from portal.regions import registry


def _create_app():
    # A wrong setting or a region that does not load is a message for the operator, not a traceback.
    from portal.config import ConfigError
    from portal.plugins.errors import RegionLoadError

    try:
        return create_app()
    except (ConfigError, RegionLoadError) as error:
        raise click.ClickException(str(error)) from None


@click.group(cls=FlaskGroup, create_app=_create_app, add_default_commands=False,
             add_version_option=False, load_dotenv=False)
def cli() -> None:
    """wmo-portal: beheercommando's die de database gebruiken."""
    act_as("cli")


@cli.command("init-db")
@with_appcontext
def init_db() -> None:
    """Maak de database aan of breng haar naar de nieuwste versie (migraties)."""
    from flask_migrate import upgrade

    from portal.app import MIGRATIONS_DIR
    from portal.deadlines.store import refresh_all

    upgrade(directory=str(MIGRATIONS_DIR))
    # Region rules may have changed with this release: every toewijzing's deadlines anew.
    stored = refresh_all(db.session)
    db.session.commit()
    click.echo(f"Database is bijgewerkt ({stored} termijnen berekend).")


@cli.command("demo-data")
@click.option("--clients", "clients", type=click.IntRange(1, 18_000), default=None,
              help="Zoveel cliënten in totaal (bijvoorbeeld 10000 voor een belastingstest).")
@with_appcontext
def demo_data(clients: int | None) -> None:
    """Laad voorbeeldgegevens: organisaties, gebruikers, cliënten en toewijzingen."""
    from portal.demo.data import DEMO_PASSWORD, DEMO_USERS, load

    if current_app.config["WMO_ENV"] == "production":
        raise click.ClickException(
            "demo-data weigert in productie (WMO_ENV=production): de demo-accounts hebben een "
            "bekend wachtwoord. Zet WMO_ENV=demo voor een demonstratie-omgeving.")
    if load(registry(), clients=clients):
        click.echo("Voorbeeldgegevens geladen.")
    else:
        click.echo("Voorbeeldgegevens waren al geladen.")
    for email in DEMO_USERS:
        click.echo(f"  {email} / {DEMO_PASSWORD}")


@cli.command("create-user")
@click.option("--email", required=True, help="E-mailadres (inlognaam).")
@click.option("--name", required=True, help="Naam van de gebruiker.")
@click.option("--role", required=True, type=click.Choice(list(ROLES)), help="Rol.")
@click.option("--org", "org_code", default=None,
              help="AGB-code (aanbieder) of CBS-gemeentecode (gemeente); niet voor beheer.")
@click.option("--password", prompt="Wachtwoord", hide_input=True, confirmation_prompt=True,
              help="Wachtwoord; zonder deze optie wordt erom gevraagd.")
@with_appcontext
def create_user_command(email: str, name: str, role: str, org_code: str | None,
                        password: str) -> None:
    """Maak een gebruiker aan."""
    organisation = None
    kind = ORGANISATION_KIND_OF_ROLE[role]
    if org_code:
        organisation = db.session.scalar(select(Organisation).where(
            Organisation.code == org_code, Organisation.kind == (kind or "")))
        if organisation is None:
            raise click.ClickException(f"Geen {kind or 'organisatie'} met code {org_code} gevonden.")
    try:
        user = create_user(email, name, role, password, organisation)
        db.session.commit()
    except InvalidInput as invalid:
        db.session.rollback()
        raise click.ClickException("; ".join(invalid.errors.values())) from None
    click.echo(f"Gebruiker {user.email} ({role}) is aangemaakt.")


@cli.command("create-token")
@click.option("--org", "org_code", required=True,
              help="AGB-code (aanbieder) of CBS-gemeentecode (gemeente) van de organisatie.")
@click.option("--name", required=True, help="Naam van de sleutel, bijvoorbeeld het systeem.")
@click.option("--days", default=None, type=int,
              help="Aantal dagen geldig (standaard 365, hoogstens 730).")
@with_appcontext
def create_token_command(org_code: str, name: str, days: int | None) -> None:
    """Maak een API-sleutel voor een organisatie; de sleutel wordt één keer getoond."""
    from portal.api.tokens import DEFAULT_DAYS, create_token, find_organisation

    organisation = find_organisation(org_code)
    if organisation is None:
        raise click.ClickException(f"Geen aanbieder of gemeente met code {org_code} gevonden.")
    try:
        token, secret = create_token(organisation, name, days or DEFAULT_DAYS)
        db.session.commit()
    except InvalidInput as invalid:
        db.session.rollback()
        raise click.ClickException("; ".join(invalid.errors.values())) from None
    click.echo(f"API-sleutel '{token.name}' voor {organisation.name} ({organisation.code}), "
               f"geldig tot {token.expires_at:%d-%m-%Y}. Bewaar hem nu; hij wordt niet nog eens "
               f"getoond:", err=True)
    click.echo(secret)


@cli.command("backup")
@click.argument("target", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_command(target: Path) -> None:
    """Schrijf een back-up van de hele database naar TARGET (kan terwijl de portal draait)."""
    from portal.backup import BackupError, backup

    try:
        backup(current_app.config["SQLALCHEMY_DATABASE_URI"], target)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Back-up geschreven naar {target} ({target.stat().st_size} bytes).")


@cli.command("restore")
@click.argument("source", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Niet om bevestiging vragen.")
@with_appcontext
def restore_command(source: Path, yes: bool) -> None:
    """Zet een back-up terug: de database wordt vervangen door SOURCE. Stop eerst de servers."""
    from portal.backup import BackupError, restore

    if not yes:
        click.confirm("Alle huidige gegevens worden vervangen door de back-up. Doorgaan?",
                      abort=True)
    db.session.remove()
    db.engine.dispose()  # no connection of this process may hold what is replaced
    try:
        restore(current_app.config["SQLALCHEMY_DATABASE_URI"], source)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Back-up {source} teruggezet. Draai `wmo-portal init-db` als de back-up van een "
               "oudere versie van de portal is.")


@cli.command("price")
@click.option("--region", "region_code", required=True, help="Regiocode, bijvoorbeeld uit `regions`.")
@click.option("--product", "product_code", required=True, help="Productcode (of sleutel).")
@click.option("--volume", required=True, help="Geleverd volume, een geheel getal.")
@click.option("--unit", default=None, help="WJ756-eenheid van het volume (standaard: declaratie-eenheid).")
@click.option("--grondslag", default=None, help="Grondslag, bij producten met een tarief per grondslag.")
@click.option("--date", "on_date", default=None, help="Datum van levering (JJJJ-MM-DD, standaard vandaag).")
@click.option("--json", "as_json", is_flag=True, help="Uitvoer als JSON.")
@with_appcontext
def price_command(region_code, product_code, volume, unit, grondslag, on_date, as_json) -> None:
    """Bereken het bedrag van een declaratieregel: exact, één keer afgerond (half omhoog)."""
    import json
    import sys
    from datetime import date

    from sqlalchemy.exc import OperationalError, ProgrammingError

    from portal.iwmo.codelists import UNITS
    from portal.pricing import PriceError
    from portal.regions.catalogue import quote

    def fail(message: str) -> None:
        if as_json:
            click.echo(json.dumps({"error": message}, ensure_ascii=False))
        else:
            click.echo(f"fout: {message}", err=True)
        sys.exit(1)

    try:
        if not volume.strip().isdigit():
            raise PriceError(f"Het volume moet een geheel getal van 0 of meer zijn (gekregen: '{volume}').")
        if unit is not None and unit not in UNITS:
            raise PriceError(f"Eenheid '{unit}' is geen WJ756-code; kies uit {', '.join(UNITS)}.")
        try:
            day = date.fromisoformat(on_date) if on_date else date.today()
        except ValueError:
            raise PriceError(f"Datum '{on_date}' is geen geldige datum (JJJJ-MM-DD).") from None
        result = quote(registry(), region_code, product_code, int(volume), unit, grondslag, day)
    except PriceError as error:
        fail(str(error))
    except (OperationalError, ProgrammingError):
        fail("De database is niet bijgewerkt; voer eerst `wmo-portal init-db` uit.")
    price = result.price
    tariff = price.tariff.display() if price.tariff else None
    if as_json:
        click.echo(json.dumps({
            "amount": f"{price.amount:.2f}", "amount_cents": price.amount_cents,
            "tariff": tariff, "tariff_unit": price.tariff.unit if price.tariff else None,
            "volume": price.volume, "unit": price.unit}, ensure_ascii=False))
    else:
        from portal.iwmo.codelists import unit_label

        per = f" à € {tariff} per {unit_label(price.tariff.unit)} ({price.tariff.source})" \
            if price.tariff else ""
        click.echo(f"{result.product.name} ({result.code or result.product.key}): "
                   f"{price.volume} {unit_label(price.unit)}{per} = € {price.amount:.2f}")

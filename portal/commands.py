"""Commands that need the application (database, plugins): a Flask CLI group behind `wmo-portal`."""

from __future__ import annotations

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

    upgrade(directory=str(MIGRATIONS_DIR))
    click.echo("Database is bijgewerkt.")


@cli.command("demo-data")
@with_appcontext
def demo_data() -> None:
    """Laad voorbeeldgegevens: organisaties, gebruikers, cliënten en toewijzingen."""
    from portal.demo.data import DEMO_PASSWORD, DEMO_USERS, load

    if current_app.config["WMO_ENV"] == "production":
        raise click.ClickException(
            "demo-data weigert in productie (WMO_ENV=production): de demo-accounts hebben een "
            "bekend wachtwoord. Zet WMO_ENV=demo voor een demonstratie-omgeving.")
    if load(registry()):
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

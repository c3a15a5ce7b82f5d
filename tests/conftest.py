"""Test fixtures: an app on a fresh, migrated database per test, and helpers that act as a user.

The database backend is SQLite unless WMO_TEST_DATABASE=postgresql, in which case the run starts a
throwaway PostgreSQL server (tests/pg_server.py). `make test` runs the whole suite on SQLite and
then every database-facing test (those using the `app` fixture, marked `db` automatically) again
on PostgreSQL. Each test gets its own database, cloned from one migrated template: migrations are
what build it, never create_all.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import re
import shutil
from pathlib import Path

import pytest
from sqlalchemy import event

from portal import create_app
from portal.extensions import db

# The browser tests' fixtures: the portal served by gunicorn, Debian's chromium, screenshots.
pytest_plugins = ["tests.browser.plugin"]

BACKEND = os.environ.get("WMO_TEST_DATABASE", "sqlite")
_database_numbers = itertools.count(1)


def pytest_configure(config):
    config.addinivalue_line("markers", "db: uses the database (run again on PostgreSQL)")


def pytest_collection_modifyitems(items):
    for item in items:
        if "app" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.db)


def pytest_report_header(config):
    return f"database backend: {BACKEND}"


def base_config(tmp_path: Path, database_url: str) -> dict:
    return {
        "TESTING": True,
        "WMO_ENV": "test",
        "SECRET_KEY": "test-secret-key",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "WMO_REGIONS": [],
        "WMO_GENERIC_REGIONS_DIR": None,
        # Every API response is checked against the OpenAPI document (portal/api/validation.py).
        "API_VALIDATE_RESPONSES": True,
    }


def _migrate(url: str, tmp_path: Path) -> None:
    from flask_migrate import upgrade

    from portal.app import MIGRATIONS_DIR

    app = create_app(base_config(tmp_path, url))
    with app.app_context():
        upgrade(directory=str(MIGRATIONS_DIR))
        db.engine.dispose()


@pytest.fixture(scope="session")
def postgres_server():
    from tests.pg_server import ThrowawayPostgres

    server = ThrowawayPostgres()
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def database_template(tmp_path_factory, request):
    """A migrated, empty database that each test's database is cloned from."""
    tmp_path = tmp_path_factory.mktemp("template")
    if BACKEND == "postgresql":
        server = request.getfixturevalue("postgres_server")
        server.execute("CREATE DATABASE wmo_template")
        _migrate(server.url("wmo_template"), tmp_path)
        return ("postgresql", server)
    path = tmp_path / "template.sqlite3"
    _migrate(f"sqlite:///{path}", tmp_path)
    return ("sqlite", path)


@pytest.fixture
def database_url(database_template, tmp_path):
    kind, source = database_template
    if kind == "postgresql":
        name = f"wmo_test_{next(_database_numbers)}"
        source.execute(f"CREATE DATABASE {name} TEMPLATE wmo_template")
        yield source.url(name)
        source.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    else:
        path = tmp_path / "test.sqlite3"
        shutil.copyfile(source, path)
        yield f"sqlite:///{path}"


@pytest.fixture
def app_config(tmp_path, database_url):
    """Override or extend before the `app` fixture builds the app."""
    return base_config(tmp_path, database_url)


@pytest.fixture
def app(app_config):
    """The app, with no context held open: each request gets its own app context (and `g`), as in
    production. Tests that touch the database directly use `with app.app_context():`."""
    application = create_app(app_config)
    yield application
    with application.app_context():
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


# -- acting as a user ------------------------------------------------------------------------------

CSRF_FIELD = re.compile(r'name="(?:[\w-]+-)?csrf_token" type="hidden" value="([^"]+)"')


def csrf_token_from(html: str) -> str:
    match = CSRF_FIELD.search(html)
    assert match, "page has no CSRF token"
    return match.group(1)


def submit(client, url: str, data: dict, page: str | None = None, **kwargs):
    """Open the page holding the form, then post it with that page's CSRF token, as a browser does."""
    form_page = client.get(page or url)
    return client.post(url, data={**data, "csrf_token": csrf_token_from(form_page.text)}, **kwargs)


def login(client, email: str, password: str = "correct-horse-9"):
    return submit(client, "/inloggen", {"email": email, "password": password})


@pytest.fixture
def world(app):
    """Two providers and two gemeenten in two regions, a user for each, a client with a toewijzing
    in each gemeente (one per provider), and a beheer user. Passwords: correct-horse-9."""
    from tests.factories import build_world

    with app.app_context():
        return build_world()


class StatementCount:
    """How many SQL statements ran inside ``with counting_statements(engine) as counted:``."""

    def __init__(self) -> None:
        self.value = 0


@contextlib.contextmanager
def counting_statements(engine):
    counted = StatementCount()

    def count(*_args):
        counted.value += 1

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield counted
    finally:
        event.remove(engine, "before_cursor_execute", count)

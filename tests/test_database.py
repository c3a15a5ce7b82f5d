"""The database: built by migrations, in sync with the models, on the backend the run asked for."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from portal.extensions import db
from tests.conftest import BACKEND


def test_runs_on_the_requested_backend(app):
    with app.app_context():
        assert db.engine.dialect.name == BACKEND


def test_migrations_build_exactly_what_the_models_describe(app):
    with app.app_context(), db.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), db.metadata)
    assert differences == []


def test_foreign_keys_are_enforced(app):
    import pytest
    from sqlalchemy.exc import IntegrityError

    from portal.accounts.models import User

    with app.app_context():
        db.session.add(User(email="x@y.test", name="X", password_hash="x", role="aanbieder",
                            organisation_id=424242))
        with pytest.raises(IntegrityError):
            db.session.commit()

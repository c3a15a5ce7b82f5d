"""`wmo-portal backup` and `restore`: a restored database serves the same data it held at the
backup (pages, the original bytes of an upload), changes made after the backup are gone, and a file
that is not a backup is refused without touching the database. On SQLite and on PostgreSQL."""

from __future__ import annotations

import re

from sqlalchemy import func, select, text

from portal.berichten.models import Upload
from portal.commands import backup_command, restore_command
from portal.extensions import db
from tests.test_berichten_upload import (  # noqa: F401  (declarable: a fixture)
    as_user, declarable, good_declaration, upload, upload_id)


def _page(client, url: str) -> str:
    """The page as a person sees it: the hidden CSRF token differs per request."""
    return re.sub(r'name="csrf_token" type="hidden" value="[^"]+"', "", client.get(url).get_data(
        as_text=True))


def _table_counts(app) -> dict[str, int]:
    with app.app_context():
        tables = [name for name in db.metadata.tables]
        return {name: db.session.scalar(select(func.count()).select_from(text(name)))
                for name in tables}


def _restore(app, path) -> None:
    with app.app_context():
        db.session.remove()
    result = app.test_cli_runner().invoke(restore_command, [str(path), "--yes"])
    assert result.exit_code == 0, result.output
    assert "teruggezet" in result.output


def test_a_restored_database_serves_what_it_held_at_the_backup(app, client, declarable, tmp_path):
    as_user(client, "aanbieder_a")
    kept = good_declaration()
    kept_id = upload_id(upload(client, kept, "oktober.xml"))
    page_at_backup = _page(client, f"/berichten/{kept_id}")
    counts_at_backup = _table_counts(app)

    path = tmp_path / "portal.backup"
    result = app.test_cli_runner().invoke(backup_command, [str(path)])
    assert result.exit_code == 0, result.output
    assert path.stat().st_size > 0

    # After the backup: a second upload, and the first one's verdict changed by hand.
    later_id = upload_id(upload(client, good_declaration(identificatie="D0002", nummer="DEC0002"),
                                "november.xml"))
    with app.app_context():
        db.session.get(Upload, kept_id).summary = "gewijzigd na de back-up"
        db.session.commit()

    _restore(app, path)

    assert _table_counts(app) == counts_at_backup
    assert _page(client, f"/berichten/{kept_id}") == page_at_backup
    assert client.get(f"/berichten/{kept_id}/origineel").data == kept
    assert client.get(f"/berichten/{later_id}").status_code == 404
    assert "november.xml" not in client.get("/berichten/").get_data(as_text=True)


def test_a_file_that_is_not_a_backup_is_refused_and_nothing_changes(app, world, tmp_path):
    counts = _table_counts(app)
    not_a_backup = tmp_path / "vakantiefoto.jpg"
    not_a_backup.write_bytes(b"\xff\xd8\xff\xe0 no database in here")
    with app.app_context():
        db.session.remove()
    result = app.test_cli_runner().invoke(restore_command, [str(not_a_backup), "--yes"])
    assert result.exit_code != 0
    assert "er is niets teruggezet" in result.output
    assert _table_counts(app) == counts


def test_restore_asks_before_it_replaces_everything(app, world, tmp_path):
    path = tmp_path / "portal.backup"
    assert app.test_cli_runner().invoke(backup_command, [str(path)]).exit_code == 0
    result = app.test_cli_runner().invoke(restore_command, [str(path)], input="n\n")
    assert result.exit_code != 0
    assert "Alle huidige gegevens worden vervangen" in result.output

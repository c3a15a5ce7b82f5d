"""Backup and restore of the portal's database: one file holds everything the portal keeps (users,
toewijzingen, uploads with their original bytes, WMO325 answers, plans, the audit log).

- SQLite: the sqlite3 backup API copies a consistent snapshot, also while the portal runs. Restore
  first checks that the file is a portal database, then replaces the database file in one rename.
- PostgreSQL: ``pg_dump`` in its custom format. Restore checks the file with ``pg_restore --list``,
  then restores it with ``--clean --if-exists --single-transaction``: when anything fails, the
  database keeps what it had. The client programs come with Debian's ``postgresql-client`` (and
  with the server package); the newest installed version is used.

Stop the app servers before a restore (they would keep writing to what is being replaced). After a
restore of an older backup, ``wmo-portal init-db`` brings it to the current schema.
"""

from __future__ import annotations

import glob
import os
import shutil
import sqlite3
import subprocess
import tempfile
from pathlib import Path

from sqlalchemy.engine import make_url


class BackupError(Exception):
    """The backup or restore did not happen; the message (Dutch) says why."""


def backup(database_url: str, target: Path) -> None:
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        _sqlite_backup(_sqlite_path(url), target)
    elif url.get_backend_name() == "postgresql":
        _run(_program("pg_dump"), "--format=custom", "--no-owner", "--file", str(target),
             "--dbname", _libpq_uri(url), password=url.password)
    else:
        raise BackupError(f"Geen back-up mogelijk van een {url.get_backend_name()}-database.")


def restore(database_url: str, source: Path) -> None:
    if not source.is_file():
        raise BackupError(f"Het back-upbestand {source} bestaat niet.")
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        _sqlite_restore(source, _sqlite_path(url))
    elif url.get_backend_name() == "postgresql":
        pg_restore = _program("pg_restore")
        try:
            _run(pg_restore, "--list", str(source), password=None)
        except BackupError:
            raise BackupError(f"{source} is geen back-up van een PostgreSQL-database (pg_dump); "
                              "er is niets teruggezet.") from None
        _run(pg_restore, "--clean", "--if-exists", "--no-owner", "--single-transaction",
             "--dbname", _libpq_uri(url), str(source), password=url.password)
    else:
        raise BackupError(f"Terugzetten in een {url.get_backend_name()}-database kan niet.")


# -- SQLite -----------------------------------------------------------------------------------------

def _sqlite_path(url) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("Een database in het geheugen heeft geen back-up.")
    return Path(url.database)


def _sqlite_backup(database: Path, target: Path) -> None:
    if not database.is_file():
        raise BackupError(f"De database {database} bestaat niet.")
    live, copy = sqlite3.connect(database), sqlite3.connect(target)
    try:
        live.backup(copy)
    finally:
        copy.close()
        live.close()


def _sqlite_restore(source: Path, database: Path) -> None:
    backup_db = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        backup_db.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError:
        raise BackupError(f"{source} is geen back-up van een portaldatabase (SQLite met "
                          "migratieversie); er is niets teruggezet.") from None
    finally:
        backup_db.close()
    database.parent.mkdir(parents=True, exist_ok=True)
    handle, staged = tempfile.mkstemp(dir=database.parent, prefix=".restore-")
    os.close(handle)
    try:
        shutil.copyfile(source, staged)
        os.replace(staged, database)  # one rename: the old database or the restored one, never half
    finally:
        if os.path.exists(staged):
            os.unlink(staged)


# -- PostgreSQL -------------------------------------------------------------------------------------

def _libpq_uri(url) -> str:
    """The URL as libpq reads it: no SQLAlchemy driver name, the password not on the command line
    (it goes in PGPASSWORD, which other users cannot read from the process list)."""
    return url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)


def _program(name: str) -> str:
    versions = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
                      key=lambda path: int(path.split("/")[-3]))
    found = versions[-1] if versions else shutil.which(name)
    if found is None:
        raise BackupError(f"{name} ontbreekt: installeer de PostgreSQL-clientprogramma's "
                          "(Debian: apt-get install postgresql-client).")
    return found


def _run(program: str, *args: str, password: str | None) -> None:
    env = dict(os.environ)
    if password:
        env["PGPASSWORD"] = password
    done = subprocess.run([program, *args], env=env, capture_output=True, text=True)
    if done.returncode != 0:
        detail = done.stderr.strip().splitlines()[-1] if done.stderr.strip() else ""
        raise BackupError(f"{Path(program).name} is mislukt: {detail}")

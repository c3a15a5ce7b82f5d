"""Settings, read from environment variables with safe defaults. No Flask here, so that the light
command-line commands (regions, serve, validate) can use it without importing the web stack.

| variable | default | meaning |
| --- | --- | --- |
| WMO_ENV | production | production, demo or test; production refuses to start without SECRET_KEY |
| SECRET_KEY | (generated for demo/test) | signs sessions and CSRF tokens |
| DATABASE_URL | sqlite:///<instance>/wmo-portal.sqlite3 | SQLAlchemy URL; postgresql://... uses psycopg 3 |
| WMO_REGIONS | (all installed) | comma-separated region codes to enable |
| WMO_GENERIC_REGIONS_DIR | (none) | extra directory of region files for the generic plugin |
| MAX_UPLOAD_MB | 25 | largest request body accepted (OP179: 25 MB per iWmo file) |
| SESSION_COOKIE_SECURE | false | always mark the session cookie Secure (it is Secure on HTTPS anyway) |
| WMO_LOAD_ENTRY_POINTS | true | load region plugins from the entry-point group (tests may turn it off) |
| API_VALIDATE_RESPONSES | true with WMO_ENV=test | check every API response against the OpenAPI document (portal/api/validation.py) |
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

ENVIRONMENTS = ("production", "demo", "test")
DEFAULT_MAX_UPLOAD_MB = 25


class ConfigError(Exception):
    """A setting is missing or wrong; the message says which and what to do (Dutch / English)."""


def _flag(value: str | None, default: bool) -> bool:
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in ("1", "true", "yes", "ja", "on")


def _region_list(value: str | None) -> list[str]:
    return [code.strip() for code in (value or "").split(",") if code.strip()]


def normalise_database_url(url: str) -> str:
    """Let operators write postgresql://...; SQLAlchemy needs the psycopg 3 driver named."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def region_settings(environ: Mapping[str, str] = os.environ) -> dict[str, Any]:
    """The settings the region plugins need: enough for `wmo-portal regions` without the app."""
    return {
        "WMO_REGIONS": _region_list(environ.get("WMO_REGIONS")),
        "WMO_GENERIC_REGIONS_DIR": environ.get("WMO_GENERIC_REGIONS_DIR") or None,
        "WMO_LOAD_ENTRY_POINTS": _flag(environ.get("WMO_LOAD_ENTRY_POINTS"), True),
    }


def settings_from_env(instance_path: Path, environ: Mapping[str, str] = os.environ) -> dict[str, Any]:
    """All settings of the web application, as Flask config keys."""
    env = (environ.get("WMO_ENV") or "production").strip().lower()
    if env not in ENVIRONMENTS:
        raise ConfigError(f"WMO_ENV='{env}' is onbekend; kies uit {', '.join(ENVIRONMENTS)}.")
    try:
        max_upload_mb = int(environ.get("MAX_UPLOAD_MB") or DEFAULT_MAX_UPLOAD_MB)
    except ValueError:
        raise ConfigError("MAX_UPLOAD_MB moet een geheel aantal megabytes zijn.") from None
    if max_upload_mb < 1:
        raise ConfigError("MAX_UPLOAD_MB moet minstens 1 zijn.")
    database_url = environ.get("DATABASE_URL") or f"sqlite:///{instance_path / 'wmo-portal.sqlite3'}"
    return {
        "WMO_ENV": env,
        "SECRET_KEY": environ.get("SECRET_KEY") or None,
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(database_url),
        "MAX_UPLOAD_MB": max_upload_mb,
        "SESSION_COOKIE_SECURE": _flag(environ.get("SESSION_COOKIE_SECURE"), False),
        # A check for testing: a mismatch becomes a 500 (portal.api.validation).
        "API_VALIDATE_RESPONSES": _flag(environ.get("API_VALIDATE_RESPONSES"), env == "test"),
        **region_settings(environ),
    }


def ensure_secret_key(config: dict[str, Any], instance_path: Path) -> None:
    """Production must be given SECRET_KEY; demo and test get one generated once and stored."""
    if config.get("SECRET_KEY"):
        return
    if config["WMO_ENV"] == "production":
        raise ConfigError(
            "SECRET_KEY ontbreekt: in productie is deze instelling verplicht "
            "(bijvoorbeeld: export SECRET_KEY=$(python -c 'import secrets; print(secrets.token_hex(32))')). "
            "/ SECRET_KEY is required in production. For a local demo set WMO_ENV=demo."
        )
    key_file = instance_path / "secret_key"
    if not key_file.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_hex(32), encoding="ascii")
        key_file.chmod(0o600)
    config["SECRET_KEY"] = key_file.read_text(encoding="ascii").strip()

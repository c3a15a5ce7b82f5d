"""The app factory and its settings."""

import stat

import pytest

from portal import create_app
from portal.config import ConfigError, normalise_database_url, settings_from_env


def test_factory_honours_test_config(app):
    assert app.testing
    assert app.config["WMO_ENV"] == "test"


def test_demo_generates_a_secret_key_once_and_keeps_it(app_config, tmp_path):
    config = {**app_config, "WMO_ENV": "demo", "SECRET_KEY": None,
              "INSTANCE_PATH": str(tmp_path / "inst")}
    first = create_app(config).config["SECRET_KEY"]
    second = create_app(config).config["SECRET_KEY"]
    key_file = tmp_path / "inst" / "secret_key"
    assert first == second and len(first) >= 32
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_production_requires_a_secret_key(app_config):
    with pytest.raises(ConfigError, match="SECRET_KEY ontbreekt"):
        create_app({**app_config, "WMO_ENV": "production", "SECRET_KEY": None})


def test_settings_come_from_the_environment(tmp_path):
    settings = settings_from_env(tmp_path, {
        "WMO_ENV": "demo", "DATABASE_URL": "postgresql://u@db/wmo", "MAX_UPLOAD_MB": "7",
        "WMO_REGIONS": "midden_ijssel, geldrop_mierlo", "SESSION_COOKIE_SECURE": "true"})
    assert settings["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@db/wmo"
    assert settings["MAX_UPLOAD_MB"] == 7
    assert settings["WMO_REGIONS"] == ["midden_ijssel", "geldrop_mierlo"]
    assert settings["SESSION_COOKIE_SECURE"] is True


def test_defaults_are_safe(tmp_path):
    settings = settings_from_env(tmp_path, {})
    assert settings["WMO_ENV"] == "production"
    assert settings["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'wmo-portal.sqlite3'}"
    assert settings["MAX_UPLOAD_MB"] == 25
    assert settings["WMO_REGIONS"] == []


@pytest.mark.parametrize("env, message", [
    ({"WMO_ENV": "staging"}, "WMO_ENV='staging' is onbekend"),
    ({"MAX_UPLOAD_MB": "veel"}, "MAX_UPLOAD_MB moet een geheel aantal"),
    ({"MAX_UPLOAD_MB": "0"}, "minstens 1"),
])
def test_wrong_settings_are_explained(tmp_path, env, message):
    with pytest.raises(ConfigError, match=message):
        settings_from_env(tmp_path, env)


def test_upload_limit_comes_from_max_upload_mb(app_config):
    app = create_app({**app_config, "MAX_UPLOAD_MB": 3})
    # Per file 3 MB; the request may carry a little form data around the file.
    assert 3 * 1024 * 1024 < app.config["MAX_CONTENT_LENGTH"] <= 3 * 1024 * 1024 + 64 * 1024


def test_sqlite_url_is_left_alone():
    assert normalise_database_url("sqlite:///x.db") == "sqlite:///x.db"

"""The `wmo-portal` command: its contracts are what back-office software and operators rely on."""

import json
import os
import subprocess
import sys

import pytest
from sqlalchemy import select

from portal.accounts.models import User
from portal.extensions import db


def wmo_portal(*args, env=None, **kwargs):
    environment = {k: v for k, v in os.environ.items()
                   if not k.startswith("WMO_") and k not in ("DATABASE_URL", "SECRET_KEY")}
    environment.update(env or {})
    return subprocess.run([sys.executable, "-m", "portal.cli", *args], capture_output=True,
                          text=True, env=environment, timeout=120, **kwargs)


def test_regions_json_lists_named_and_generic_regions_with_municipalities():
    result = wmo_portal("regions", "--json")
    assert result.returncode == 0, result.stderr
    regions = {r["code"]: r for r in json.loads(result.stdout)["regions"]}

    assert {"midden_ijssel", "midden_limburg", "geldrop_mierlo"} <= set(regions)
    assert any(r["plugin"] == "generic" for r in regions.values())
    for region in regions.values():
        assert set(region) >= {"code", "name", "plugin", "municipalities", "products"}

    apeldoorn = {"code": "0200", "name": "Apeldoorn"}
    assert apeldoorn in regions["midden_ijssel"]["municipalities"]
    assert len(regions["midden_ijssel"]["municipalities"]) == 8
    assert {m["code"] for m in regions["midden_limburg"]["municipalities"]} == \
        {"1640", "0946", "0988", "1641", "1711", "1669"}
    assert regions["geldrop_mierlo"]["municipalities"] == [{"code": "1771", "name": "Geldrop-Mierlo"}]

    product = next(p for p in regions["midden_ijssel"]["products"] if p["code"] == "02A16")
    assert product["category"] == "02"
    assert (product["unit"], product["declaration_unit"]) == ("04", "01")
    assert (product["tariff"], product["tariff_unit"]) == ("90.14", "04")
    assert all(p["tariff"] is None for p in regions["midden_limburg"]["products"])


def test_regions_does_not_import_the_web_stack():
    code = ("import sys; from portal.cli import main; main(['regions']); "
            "print('LOADED', sorted(m for m in ('flask', 'sqlalchemy', 'wtforms') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=120)
    assert "LOADED []" in result.stdout, result.stdout[-500:] + result.stderr


def test_regions_honours_wmo_regions():
    result = wmo_portal("regions", "--json", env={"WMO_REGIONS": "geldrop_mierlo"})
    assert [r["code"] for r in json.loads(result.stdout)["regions"]] == ["geldrop_mierlo"]


def test_regions_reports_a_broken_region_file_and_exits_1(tmp_path):
    (tmp_path / "stuk.toml").write_text('[region]\ncode = "stuk"\n', encoding="utf-8")
    result = wmo_portal("regions", env={"WMO_GENERIC_REGIONS_DIR": str(tmp_path)})
    assert result.returncode == 1
    assert "stuk" in result.stderr and "stuk.toml" in result.stderr
    assert "Traceback" not in result.stderr


def test_unknown_region_in_wmo_regions_exits_1_with_message():
    result = wmo_portal("regions", env={"WMO_REGIONS": "atlantis"})
    assert result.returncode == 1
    assert "atlantis" in result.stderr and "niet geïnstalleerd" in result.stderr


def test_init_db_migrates_a_new_sqlite_database_twice_without_harm(tmp_path):
    env = {"WMO_ENV": "demo", "DATABASE_URL": f"sqlite:///{tmp_path / 'portal.sqlite3'}"}
    for _ in range(2):
        result = wmo_portal("init-db", env=env, cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        assert "Database is bijgewerkt" in result.stdout
    loaded = wmo_portal("demo-data", env=env, cwd=tmp_path)
    assert loaded.returncode == 0, loaded.stderr
    assert "beheer@example.nl" in loaded.stdout


def test_production_without_secret_key_refuses_with_a_message(tmp_path):
    env = {"WMO_ENV": "production", "DATABASE_URL": f"sqlite:///{tmp_path / 'p.sqlite3'}"}
    result = wmo_portal("init-db", env=env, cwd=tmp_path)
    assert result.returncode != 0
    assert "SECRET_KEY ontbreekt" in result.stderr
    assert "Traceback" not in result.stderr


def test_help_lists_the_commands():
    result = wmo_portal("--help")
    assert result.returncode == 0
    for command in ("regions", "serve", "init-db", "demo-data", "create-user"):
        assert command in result.stdout


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def test_create_user_makes_a_user_that_can_log_in(app, world, runner):
    from portal.commands import create_user_command

    result = runner.invoke(create_user_command, [
        "--email", "Nieuw@Aanbieder.test", "--name", "Nina", "--role", "aanbieder",
        "--org", "11111111", "--password", "een-lang-wachtwoord"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "nieuw@aanbieder.test"))
        assert user.organisation.code == "11111111"


@pytest.mark.parametrize("args, message", [
    (["--role", "aanbieder", "--org", "99999999"], "Geen aanbieder met code 99999999"),
    (["--role", "gemeente", "--org", "11111111"], "Geen gemeente met code 11111111"),
    (["--role", "aanbieder", "--org", "11111111", "--email", "a@aanbieder.test"],
     "bestaat al een gebruiker"),
    (["--role", "beheer", "--password", "kort"], "minstens 10 tekens"),
])
def test_create_user_refuses_bad_input(app, world, runner, args, message):
    from portal.commands import create_user_command

    base = {"--email": "x@y.test", "--name": "X", "--password": "een-lang-wachtwoord"}
    for i in range(0, len(args), 2):
        base[args[i]] = args[i + 1]
    flat = [item for pair in base.items() for item in pair]
    result = runner.invoke(create_user_command, flat)
    assert result.exit_code != 0
    assert message in result.output

"""Werkdagen and the deadlines regions prescribe, through `wmo-portal deadlines`."""

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from portal.workdays import add_working_days, is_working_day

ROOT = Path(__file__).resolve().parent.parent


def deadlines(*args, env=None):
    environment = {k: v for k, v in os.environ.items() if not k.startswith("WMO_")}
    environment.update(env or {})
    result = subprocess.run([sys.executable, "-m", "portal.cli", "deadlines", *args],
                            capture_output=True, text=True, env=environment, timeout=120)
    return result


def due(region, product, start, end, env=None) -> dict[str, list[str]]:
    result = deadlines("--region", region, "--product", product, "--start", start, "--end", end,
                       "--json", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    found: dict[str, list[str]] = {}
    for item in json.loads(result.stdout)["deadlines"]:
        assert set(item) >= {"kind", "due", "rule", "source"}
        found.setdefault(item["kind"], []).append(item["due"])
    return found


# -- werkdagen ---------------------------------------------------------------------------------------

def test_the_two_holiday_lists_differ_on_goede_vrijdag_and_5_may():
    # region-rules §6.1: 20 werkdagen from 2026-03-20.
    assert add_working_days(date(2026, 3, 20), 20, "termijnenwet") == date(2026, 4, 20)
    assert add_working_days(date(2026, 3, 20), 20, "holidays") == date(2026, 4, 21)
    assert is_working_day(date(2026, 4, 3), "termijnenwet")       # Goede Vrijdag
    assert not is_working_day(date(2026, 4, 3), "holidays")
    assert not is_working_day(date(2026, 5, 5), "termijnenwet")   # Bevrijdingsdag, every year
    assert is_working_day(date(2026, 5, 5), "holidays")


def test_werkdagen_across_the_turn_of_the_year():
    # 2026-12-24 (Thu): 25 and 26 Dec, the weekend and 1 Jan 2027 are skipped.
    assert add_working_days(date(2026, 12, 24), 1) == date(2026, 12, 28)
    assert add_working_days(date(2026, 12, 24), 5) == date(2027, 1, 4)
    assert add_working_days(date(2027, 1, 4), -2) == date(2026, 12, 30)


def test_the_next_working_day_is_werkdag_1():
    assert add_working_days(date(2026, 11, 20), 1) == date(2026, 11, 23)  # Friday → Monday
    assert add_working_days(date(2026, 11, 21), 1) == date(2026, 11, 23)  # Saturday → Monday


# -- the regions' deadlines ------------------------------------------------------------------------

def test_geldrop_mierlo_plan_reply_start_and_eindevaluatie():
    found = due("geldrop_mierlo", "02B01", "2026-03-20", "2026-12-31")
    assert found["plan"] == ["2026-04-20"]            # GM-P4, 20 werkdagen
    assert found["client_reply"] == ["2026-05-06"]    # GM-P5, 30 werkdagen
    assert found["support_start"] == ["2026-05-13"]   # GM-P8, 35 werkdagen (5 May, 14 May off)
    assert found["evaluation_window"] == ["2026-10-01"]  # GM-E1, §6.3 item 19
    # GM-E2, 15 werkdagen before, over Christmas; GM-E1, the eindevaluatie is required by the end
    assert found["evaluation"] == ["2026-12-09", "2026-12-31"]
    assert found["reminder"] == ["2026-11-05"]        # GM-O7, 8 weeks before


def test_geldrop_mierlo_support_starts_5_werkdagen_after_the_plan_was_discussed():
    # GM-P6 from --besproken (Thursday 30 April): 1 May, 4 May, (5 May off), 6, 7, 8 May.
    result = deadlines("--region", "geldrop_mierlo", "--product", "02B01", "--start", "2026-03-20",
                       "--end", "2026-12-31", "--besproken", "2026-04-30", "--json")
    items = json.loads(result.stdout)["deadlines"]
    assert {"kind": "support_start", "due": "2026-05-08", "id": "GM-P6"}.items() <= \
        next(i for i in items if i["id"] == "GM-P6").items()
    # Around Christmas: Wednesday 23 December + 5 werkdagen = 24, 28, 29, 30, 31 December.
    found = due("geldrop_mierlo", "02B01", "2026-12-01", "2027-06-30")
    assert "support_start" in found and "2027-06-30" in found["evaluation"]  # GM-E1 eindevaluatie
    late = deadlines("--region", "geldrop_mierlo", "--product", "02B01", "--start", "2026-12-01",
                     "--end", "2027-06-30", "--besproken", "2026-12-23", "--json")
    gm_p6 = [i for i in json.loads(late.stdout)["deadlines"] if i["id"] == "GM-P6"]
    assert [i["due"] for i in gm_p6] == ["2026-12-31"]
    assert deadlines("--region", "geldrop_mierlo", "--product", "02B01", "--start", "2026-03-20",
                     "--end", "2026-12-31", "--besproken", "30-04-2026").returncode == 1


def test_werkt_mee_requires_an_evaluation_at_the_end_of_the_traject():
    found = due("midden_ijssel", "02A63", "2026-01-15", "2026-07-14")
    assert "2026-07-14" in found["evaluation"]  # MIJ-E8, the end-of-traject evaluation
    assert "2026-07-14" not in due("midden_ijssel", "02A16", "2026-01-15", "2026-07-14").get(
        "evaluation", [])  # not for other products


def test_no_plan_deadline_for_dagbesteding_1():
    found = due("geldrop_mierlo", "07D01", "2026-03-20", "2026-12-31")
    assert "plan" not in found and "evaluation" in found  # GM-P2, GM-E6


def test_midden_ijssel_werkt_mee():
    found = due("midden_ijssel", "02A56", "2026-01-15", "2026-07-14")
    assert found["reminder"] == ["2026-04-15"]         # MIJ-E9, after three months
    assert found["evaluation_talk"] == ["2026-06-02"]  # MIJ-E8, six weeks before the end
    assert found["evaluation"] == ["2026-06-02", "2026-07-14"]  # MIJ-E1; MIJ-E8 at the end
    assert due("midden_ijssel", "01001", "2026-01-01", "2026-12-31") == {}  # MIJ-E7


def test_generic_001_evaluates_every_half_year_or_year():
    assert due("generic_001", "02A04", "2026-01-15", "2027-06-30")["evaluation"] == \
        ["2026-07-15", "2027-01-15"]
    assert due("generic_001", "02A22", "2026-01-15", "2028-06-30")["evaluation"] == \
        ["2027-01-15", "2028-01-15"]


def test_midden_limburg_states_no_deadlines():
    result = deadlines("--region", "midden_limburg", "--product", "BGI", "--start", "2026-01-01",
                       "--end", "2026-12-31")
    assert result.returncode == 0 and "geen termijnen" in result.stdout


def test_holiday_policy_is_chosen_per_region(tmp_path):
    text = (ROOT / "regions/geldrop_mierlo/region.toml").read_text(encoding="utf-8")
    text = text.replace('code = "geldrop_mierlo"', 'code = "proef_gm"\nholiday_policy = "holidays"', 1)
    (tmp_path / "proef_gm.toml").write_text(text, encoding="utf-8")
    found = due("proef_gm", "02B01", "2026-03-20", "2026-12-31",
                env={"WMO_GENERIC_REGIONS_DIR": str(tmp_path)})
    assert found["plan"] == ["2026-04-21"]  # Goede Vrijdag counted as a holiday here


@pytest.mark.parametrize("args, message", [
    (["--region", "atlantis", "--product", "X", "--start", "2026-01-01", "--end", "2026-02-01"],
     "Regio 'atlantis' is onbekend"),
    (["--region", "geldrop_mierlo", "--product", "X1", "--start", "2026-01-01", "--end", "2026-02-01"],
     "bestaat niet"),
    (["--region", "geldrop_mierlo", "--product", "02B01", "--start", "1-1-2026", "--end", "2026-02-01"],
     "JJJJ-MM-DD"),
    (["--region", "geldrop_mierlo", "--product", "02B01", "--start", "2026-03-01", "--end", "2026-02-01"],
     "vóór de ingangsdatum"),
])
def test_bad_input_exits_1_with_a_dutch_message(args, message):
    result = deadlines(*args, "--json")
    assert result.returncode == 1
    assert message in json.loads(result.stdout)["error"]


def test_missing_option_is_a_usage_error():
    assert deadlines("--region", "geldrop_mierlo").returncode == 2


def test_dashboards_list_the_coming_deadlines(app):
    from portal.extensions import db
    from tests.conftest import login
    from tests.factories import build_world, toewijzing_input

    with app.app_context():
        build_world()
        from portal.accounts.models import Organisation
        from portal.regions import registry
        from portal.toewijzingen.services import create_toewijzing
        from sqlalchemy import select

        geldrop = db.session.scalar(select(Organisation).where(Organisation.code == "1771"))
        provider = db.session.scalar(select(Organisation).where(Organisation.code == "22222222"))
        start = date.today()
        create_toewijzing(registry(), toewijzing_input(
            geldrop, provider, "999900031", "02B02", 2002, ingangsdatum=start,
            einddatum=date(start.year + 2, 12, 31)))
        db.session.commit()
        plan_due = add_working_days(start, 20)
    for email in ("b@aanbieder.test", "geldrop@gemeente.test"):
        client = app.test_client()
        login(client, email)
        page = client.get("/").text
        assert "Termijnen" in page and "GM-P4" in page
        assert plan_due.strftime("%d-%m-%Y") in page
        assert client.get("/?sorteer=client").status_code == 200
    other = app.test_client()
    login(other, "a@aanbieder.test")
    assert "GM-P4" not in other.get("/").text


def test_geldrop_mierlo_reviewer_term_counts_from_the_submission():
    """GM-P7: the consulent answers within 15 werkdagen of receiving the plan; across Christmas
    and New Year (25, 26 December and 1 January are no werkdagen)."""
    from dataclasses import replace

    from portal.config import region_settings
    from portal.plugins.manager import RegionRegistry
    from portal.plugins.types import ToewijzingFacts

    registry = RegionRegistry.create(region_settings({}), load_entry_points=True)
    facts = ToewijzingFacts(
        toewijzing_nummer=1, municipality_code="1771", provider_agb="11111111",
        client_birth_date=None, product_category="02", product_code="02B01",
        product_key="02B01", volume=40, unit="04", frequency="6", start=date(2026, 12, 1),
        end=date(2027, 11, 30))
    assert "review" not in {d.kind for d in registry.deadlines("geldrop_mierlo", facts)}
    submitted = replace(facts, submitted=date(2026, 12, 18))
    review = [d for d in registry.deadlines("geldrop_mierlo", submitted) if d.kind == "review"]
    assert [(d.due, d.rule) for d in review] == [(date(2027, 1, 12), "GM-P7")]

"""Every business rule breaks on a mutant of an official sample that still passes the schema.

Each mutant changes one thing in a sample from ../shared/iwmo/samples/wmo (or the JW325 sample
rewritten to WMO325 as iwmo.md §2.4 describes) and must (1) still pass the project's own XSD and
(2) get the rule's code. The samples themselves must validate without errors.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from portal.iwmo.rules import RULES, Rule, registry
from portal.iwmo.validate import validate_bytes

SHARED = Path(__file__).resolve().parents[2] / "shared"
SAMPLES = SHARED / "iwmo" / "samples"
TODAY = date(2026, 6, 1)  # after every sample's dagtekening


def sample(message: str) -> str:
    if message == "WMO325":
        return wmo325_sample()
    path = SAMPLES / "wmo" / f"{message}.xml"
    if not path.exists():
        pytest.skip(f"{path} ontbreekt (../shared niet aanwezig)")
    return path.read_bytes().decode("utf-8")


def wmo325_sample() -> str:
    """The JW325 sample rewritten to WMO325 (iwmo.md §2.4: namespaces, BerichtCode, categories)."""
    path = SAMPLES / "jw" / "JW325.xml"
    if not path.exists():
        pytest.skip(f"{path} ontbreekt (../shared niet aanwezig)")
    text = path.read_bytes().decode("utf-8")
    for old, new in (("http://www.istandaarden.nl/ijw/3_2/basisschema/schema",
                      "http://www.istandaarden.nl/iwmo/3_2/basisschema/schema"),
                     ("http://www.istandaarden.nl/ijw/3_2/jw325/schema",
                      "http://www.istandaarden.nl/iwmo/3_2/wmo325/schema"),
                     ("jw325:", "wmo325:"), ("ijw:", "iwmo:"), ("xmlns:ijw=", "xmlns:iwmo="),
                     ("xmlns:jw325=", "xmlns:wmo325="), (">491<", ">485<"),
                     ("ProductCategorie>45<", "ProductCategorie>01<"), (">45A0", ">01A0")):
        text = text.replace(old, new)
    return text


def mutate(text: str, *changes: tuple[str, str], count: int = 1) -> str:
    """Apply each (old, new) replacement; each old text must occur (``count`` times replaced)."""
    for old, new in changes:
        assert old in text, f"mutatie vindt {old!r} niet"
        text = text.replace(old, new, count)
    return text


def check(message: str, text: str, today: date = TODAY):
    report = validate_bytes(text.encode("utf-8"), f"{message}-mutant.xml", today=today)
    codes = [f.code for f in report.errors]
    assert "XSD" not in codes and "XML" not in codes, \
        f"mutant is niet XSD-geldig: {[f.text() for f in report.errors][:3]}"
    assert report.message == message
    return report


def codes(report) -> set[str]:
    return {f.code for f in report.errors}


def assert_rule(report, code: str, retourcode: str | None = None):
    found = [f for f in report.errors if f.code == code]
    assert found, f"{code} niet gevonden; wel: {[f.text() for f in report.errors]}"
    finding = found[0]
    assert finding.line and finding.path and finding.path.startswith("/Bericht")
    if retourcode is not None:
        assert finding.retourcode == retourcode
    assert len(finding.message) > 20 and "Traceback" not in finding.message
    return finding


@pytest.mark.parametrize("message", ["WMO301", "WMO305", "WMO307", "WMO315", "WMO317", "WMO319",
                                     "WMO323", "WMO325"])
def test_every_sample_is_valid(message):
    report = check(message, sample(message))
    assert report.valid, [f.text() for f in report.errors]


# -- WMO323 -------------------------------------------------------------------------------------

RN001_AMOUNT = ("<iwmo:Bedrag>5000</iwmo:Bedrag>", "<iwmo:Bedrag>5100</iwmo:Bedrag>")
TOTAL = "<iwmo:TotaalBedrag>58000</iwmo:TotaalBedrag>"
FIRST_DEBIT = "<iwmo:Bedrag>5000</iwmo:Bedrag>\r\n\t\t\t\t\t\t\t<iwmo:DebetCredit>D</iwmo:DebetCredit>"
FIRST_CREDIT = FIRST_DEBIT.replace(">D<", ">C<")


def product_period(begin: str, end: str) -> tuple[str, str]:
    """Replace the first ProductPeriode (2023-04-01 t/m 2023-04-30) of the WMO323 sample."""
    template = ("<iwmo:Begindatum>{}</iwmo:Begindatum>\r\n\t\t\t\t\t\t\t"
                "<iwmo:Einddatum>{}</iwmo:Einddatum>\r\n\t\t\t\t\t\t</wmo323:ProductPeriode>")
    return template.format("2023-04-01", "2023-04-30"), template.format(begin, end)


def test_cs002_bsn_fails_elfproef():
    report = check("WMO323", mutate(sample("WMO323"), ("999900006", "999900007")))
    finding = assert_rule(report, "CS002", "0001")
    assert finding.path.endswith("/Client[1]/Bsn") and "999900007" in finding.message


def test_cs100_productperiode_before_2021():
    text = mutate(sample("WMO323"), product_period("2020-04-01", "2020-04-30"))
    finding = assert_rule(check("WMO323", text), "CS100", "0001")
    assert "Prestatie[1]/ProductPeriode" in finding.path


def test_cs340_declaratieperiode_not_a_whole_month():
    text = mutate(sample("WMO323"), ("<iwmo:Einddatum>2023-04-30</iwmo:Einddatum>",
                                     "<iwmo:Einddatum>2023-04-29</iwmo:Einddatum>"))
    finding = assert_rule(check("WMO323", text), "CS340", "0001")
    assert finding.path.endswith("/Declaratie/DeclaratiePeriode/Einddatum")
    assert "2023-04-01 t/m 2023-04-30" in finding.message


def test_cs337_productperiode_over_a_month_boundary():
    text = mutate(sample("WMO323"), product_period("2023-03-15", "2023-04-10"))
    report = check("WMO323", text)
    assert_rule(report, "CS337", "0001")
    assert "TR319" not in codes(report)


def test_tr137_end_before_begin_and_after_dagtekening():
    text = mutate(sample("WMO323"), product_period("2023-04-20", "2023-04-10"))
    finding = assert_rule(check("WMO323", text), "TR137", "0001")
    assert "vóór Begindatum" in finding.message

    text = mutate(sample("WMO323"), ("<iwmo:Dagtekening>2023-05-06</iwmo:Dagtekening>",
                                     "<iwmo:Dagtekening>2023-04-29</iwmo:Dagtekening>"))
    report = check("WMO323", text)
    assert any(f.code == "TR137" and f.path.endswith("DeclaratiePeriode/Einddatum")
               for f in report.errors)


def test_tr134_declaratiedagtekening_after_dagtekening():
    text = mutate(sample("WMO323"), (
        "<wmo323:DeclaratieDagtekening>2023-05-06</wmo323:DeclaratieDagtekening>",
        "<wmo323:DeclaratieDagtekening>2023-05-07</wmo323:DeclaratieDagtekening>"))
    assert_rule(check("WMO323", text), "TR134", "0001")


def test_tr335_period_more_than_five_years_before_declaratiedagtekening():
    text = mutate(sample("WMO323"),
                  ("<iwmo:Dagtekening>2023-05-06</iwmo:Dagtekening>",
                   "<iwmo:Dagtekening>2028-05-06</iwmo:Dagtekening>"),
                  ("<wmo323:DeclaratieDagtekening>2023-05-06</wmo323:DeclaratieDagtekening>",
                   "<wmo323:DeclaratieDagtekening>2028-05-06</wmo323:DeclaratieDagtekening>"))
    report = check("WMO323", text, today=date(2029, 1, 1))
    finding = assert_rule(report, "TR335", "0001")
    assert "2023-05-06" in finding.message


def test_tr135_dates_in_the_future():
    text = mutate(sample("WMO323"),
                  ("<iwmo:Dagtekening>2023-05-06</iwmo:Dagtekening>",
                   "<iwmo:Dagtekening>2026-07-01</iwmo:Dagtekening>"),
                  ("<wmo323:DeclaratieDagtekening>2023-05-06</wmo323:DeclaratieDagtekening>",
                   "<wmo323:DeclaratieDagtekening>2026-07-01</wmo323:DeclaratieDagtekening>"))
    report = check("WMO323", text)
    found = [f for f in report.errors if f.code == "TR135"]
    assert {f.retourcode for f in found} == {"8848"}
    assert {f.path.rsplit("/", 1)[1] for f in found} >= {"Dagtekening", "DeclaratieDagtekening"}


def test_tr358_total_is_not_the_sum():
    text = mutate(sample("WMO323"), (TOTAL, "<iwmo:TotaalBedrag>58001</iwmo:TotaalBedrag>"))
    finding = assert_rule(check("WMO323", text), "TR358", "0001")
    assert finding.path.endswith("TotaalIngediendBedrag/TotaalBedrag") and "58000 D" in finding.message


def _credit_first_line(text: str, previous: str, volume: str = "4", amount: str = "5000") -> str:
    return mutate(text,
                  ("<iwmo:ReferentieNummer>RN001</iwmo:ReferentieNummer>",
                   "<iwmo:ReferentieNummer>RN001</iwmo:ReferentieNummer>"
                   f"<iwmo:VorigReferentieNummer>{previous}</iwmo:VorigReferentieNummer>"),
                  ("<wmo323:GeleverdVolume>4</wmo323:GeleverdVolume>",
                   f"<wmo323:GeleverdVolume>{volume}</wmo323:GeleverdVolume>"),
                  ("<iwmo:Bedrag>5000</iwmo:Bedrag>\r\n\t\t\t\t\t\t\t<iwmo:DebetCredit>D</iwmo:DebetCredit>",
                   f"<iwmo:Bedrag>{amount}</iwmo:Bedrag>\r\n\t\t\t\t\t\t\t<iwmo:DebetCredit>C</iwmo:DebetCredit>"))


def test_cs325_zero_amount_as_credit():
    text = _credit_first_line(sample("WMO323"), "RN999", volume="0", amount="0")
    text = mutate(text, (TOTAL, "<iwmo:TotaalBedrag>53000</iwmo:TotaalBedrag>"))
    report = check("WMO323", text)
    assert_rule(report, "CS325", "0001")
    assert codes(report) == {"CS325"}


def test_cd087_tariff_missing_and_tariff_with_euros():
    text = mutate(sample("WMO323"), ("<wmo323:ProductTarief>1250</wmo323:ProductTarief>", ""))
    report = check("WMO323", text)
    assert_rule(report, "CD087", "0001")
    assert "TR346" not in codes(report)

    text = mutate(sample("WMO323"), ("<wmo323:GeleverdVolume>4</wmo323:GeleverdVolume>\r\n\t\t\t\t\t\t"
                                     "<wmo323:Eenheid>04</wmo323:Eenheid>",
                                     "<wmo323:GeleverdVolume>5000</wmo323:GeleverdVolume>\r\n\t\t\t\t\t\t"
                                     "<wmo323:Eenheid>83</wmo323:Eenheid>"))
    finding = assert_rule(check("WMO323", text), "CD087")
    assert finding.path.endswith("/ProductTarief")


def test_cs339_euro_amount_differs_from_volume():
    text = mutate(sample("WMO323"), ("<wmo323:Eenheid>04</wmo323:Eenheid>\r\n\t\t\t\t\t\t"
                                     "<wmo323:ProductTarief>1250</wmo323:ProductTarief>\r\n",
                                     "<wmo323:Eenheid>83</wmo323:Eenheid>\r\n"))
    report = check("WMO323", text)
    assert_rule(report, "CS339", "0001")
    assert "CD087" not in codes(report)


def test_cd060_credit_without_previous_reference_and_debit_with_one():
    text = mutate(sample("WMO323"),
                  (FIRST_DEBIT, FIRST_CREDIT))
    assert_rule(check("WMO323", text), "CD060", "0001")
    text = mutate(sample("WMO323"), ("<iwmo:ReferentieNummer>RN001</iwmo:ReferentieNummer>",
                                     "<iwmo:ReferentieNummer>RN001</iwmo:ReferentieNummer>"
                                     "<iwmo:VorigReferentieNummer>RN999</iwmo:VorigReferentieNummer>"))
    finding = assert_rule(check("WMO323", text), "CD060")
    assert finding.path.endswith("ProductReferentie/VorigReferentieNummer")


def test_tr101_same_client_twice_and_same_line_twice():
    text = mutate(sample("WMO323"), ("999900018", "999900006"))
    finding = assert_rule(check("WMO323", text), "TR101", "0001")
    assert finding.path.endswith("/Client[2]/Bsn")

    text = mutate(sample("WMO323"), ("RN002", "RN001"))
    report = check("WMO323", text)
    assert {"TR101", "TR314"} <= codes(report)


def test_tr314_reference_repeated_in_another_client():
    text = mutate(sample("WMO323"), ("RN003", "RN001"))
    report = check("WMO323", text)
    finding = assert_rule(report, "TR314", "8021")
    assert "Client[2]" in finding.path
    assert "TR101" not in codes(report)


def test_tr315_same_line_credited_twice():
    text = _credit_first_line(sample("WMO323"), "RT001")
    text = mutate(text,
                  ("<iwmo:ReferentieNummer>RN003</iwmo:ReferentieNummer>",
                   "<iwmo:ReferentieNummer>RN003</iwmo:ReferentieNummer>"
                   "<iwmo:VorigReferentieNummer>RT001</iwmo:VorigReferentieNummer>"),
                  (FIRST_DEBIT, FIRST_CREDIT),
                  (TOTAL, "<iwmo:TotaalBedrag>38000</iwmo:TotaalBedrag>"))
    report = check("WMO323", text)
    assert_rule(report, "TR315", "0001")
    assert codes(report) == {"TR315"}


def test_tr316_credit_of_a_line_in_the_same_file():
    text = _credit_first_line(sample("WMO323"), "RN002")
    text = mutate(text, (TOTAL, "<iwmo:TotaalBedrag>48000</iwmo:TotaalBedrag>"))
    report = check("WMO323", text)
    assert_rule(report, "TR316", "0001")
    assert codes(report) == {"TR316"}


def test_tr316_also_when_the_credited_line_comes_later():
    text = mutate(sample("WMO323"),
                  ("<iwmo:ReferentieNummer>RN001</iwmo:ReferentieNummer>",
                   "<iwmo:ReferentieNummer>RN001</iwmo:ReferentieNummer>"
                   "<iwmo:VorigReferentieNummer>RN004</iwmo:VorigReferentieNummer>"),
                  (FIRST_DEBIT, FIRST_CREDIT),
                  (TOTAL, "<iwmo:TotaalBedrag>48000</iwmo:TotaalBedrag>"))
    finding = assert_rule(check("WMO323", text), "TR316")
    assert "Client[1]/Prestaties/Prestatie[1]" in finding.path


def test_tr416_two_debits_for_one_assignment_product_and_period():
    text = mutate(sample("WMO323"), ("<wmo323:ToewijzingNummer>20074</wmo323:ToewijzingNummer>",
                                     "<wmo323:ToewijzingNummer>20072</wmo323:ToewijzingNummer>"))
    finding = assert_rule(check("WMO323", text), "TR416", "0001")
    assert "Client[2]" in finding.path


def test_tr346_amount_is_not_volume_times_tariff():
    text = mutate(sample("WMO323"), RN001_AMOUNT, (TOTAL, "<iwmo:TotaalBedrag>58100</iwmo:TotaalBedrag>"))
    report = check("WMO323", text)
    finding = assert_rule(report, "TR346", "9346")
    assert codes(report) == {"TR346"}
    assert "4 × ProductTarief 1250" in finding.message


def _minute_line(tariff: int, amount: int) -> str:
    text = mutate(sample("WMO323"),
                  ("<wmo323:GeleverdVolume>4</wmo323:GeleverdVolume>\r\n\t\t\t\t\t\t"
                   "<wmo323:Eenheid>04</wmo323:Eenheid>\r\n\t\t\t\t\t\t"
                   "<wmo323:ProductTarief>1250</wmo323:ProductTarief>",
                   "<wmo323:GeleverdVolume>50</wmo323:GeleverdVolume>\r\n\t\t\t\t\t\t"
                   "<wmo323:Eenheid>01</wmo323:Eenheid>\r\n\t\t\t\t\t\t"
                   f"<wmo323:ProductTarief>{tariff}</wmo323:ProductTarief>"),
                  ("<iwmo:Bedrag>5000</iwmo:Bedrag>", f"<iwmo:Bedrag>{amount}</iwmo:Bedrag>"))
    return mutate(text, (TOTAL, f"<iwmo:TotaalBedrag>{53000 + amount}</iwmo:TotaalBedrag>"))


def test_tr346_hourly_tariff_in_minutes_rounds_half_up():
    """iwmo.md §4: H = 6100, 50 min: ProductTarief 102, Bedrag 5083 (not 5100)."""
    assert check("WMO323", _minute_line(102, 5083)).valid
    assert check("WMO323", _minute_line(102, 5100)).valid  # 50 × 102; also H = 6120
    report = check("WMO323", _minute_line(102, 5200))
    finding = assert_rule(report, "TR346", "9346")
    assert "5075 tot 5124" in finding.message


def test_tr346_hourly_tariff_written_as_product_tariff_is_a_warning():
    report = check("WMO323", _minute_line(6100, 5083))
    assert report.valid
    assert [(f.code, f.retourcode) for f in report.warnings] == [("TR346", "9346")]


def test_tr319_productperiode_after_declaratieperiode():
    text = mutate(sample("WMO323"), product_period("2023-05-01", "2023-05-05"))
    assert_rule(check("WMO323", text), "TR319", "9319")


def test_xsd_valid_oddities_are_reported_not_crashed_on():
    text = mutate(sample("WMO323"),
                  ("<iwmo:Bedrag>5000</iwmo:Bedrag>", "<iwmo:Bedrag> +005000 </iwmo:Bedrag>"),
                  product_period("-2023-04-01", " 2023-04-30 "))
    report = check("WMO323", text)
    assert "INTERN" not in codes(report)
    assert "CS100" in codes(report)  # a negative year lies before 2021
    notation = [f for f in report.warnings if f.code == "NOTATIE"]
    assert any("' +005000 '" in f.message and "schrijf 5000" in f.message for f in notation)
    assert any(f.path.endswith("ProductPeriode/Einddatum") for f in notation)


def test_a_five_digit_year_is_in_the_future_not_a_crash():
    text = mutate(sample("WMO323"), ("<iwmo:Dagtekening>2023-05-06</iwmo:Dagtekening>",
                                     "<iwmo:Dagtekening>12023-05-06</iwmo:Dagtekening>"))
    report = check("WMO323", text)
    assert "TR135" in codes(report) and "INTERN" not in codes(report)


def test_all_findings_are_reported_with_lines_in_file_order():
    text = mutate(sample("WMO323"), ("999900006", "999900007"), RN001_AMOUNT,
                  ("<wmo323:ToewijzingNummer>20074</wmo323:ToewijzingNummer>",
                   "<wmo323:ToewijzingNummer>20072</wmo323:ToewijzingNummer>"))
    report = check("WMO323", text)
    assert {"CS002", "TR346", "TR358", "TR416"} <= codes(report)
    lines = [f.line for f in report.errors if f.line]
    assert lines == sorted(lines)


# -- WMO325 -------------------------------------------------------------------------------------

def test_wmo325_rules_where_its_elements_are_the_same():
    text = mutate(sample("WMO325"), ("<iwmo:VorigReferentieNummer>RT001</iwmo:VorigReferentieNummer>", ""),
                  ("999900006", "999900007"))
    report = check("WMO325", text)
    assert {"CD060", "CS002"} <= codes(report)


# -- WMO301 -------------------------------------------------------------------------------------

PRODUCT_END = "<wmo301:Einddatum>2023-12-31</wmo301:Einddatum>"
OMVANG = ("<wmo301:Omvang>\r\n\t\t\t\t\t<iwmo:Volume>10</iwmo:Volume>\r\n\t\t\t\t\t"
          "<iwmo:Eenheid>01</iwmo:Eenheid>\r\n\t\t\t\t\t<iwmo:Frequentie>1</iwmo:Frequentie>\r\n\t\t\t\t"
          "</wmo301:Omvang>")
CODE = "<iwmo:Code>01A01</iwmo:Code>"


def test_wmo301_cs002():
    assert_rule(check("WMO301", mutate(sample("WMO301"), ("999900006", "999900007"))), "CS002", "0001")


def test_wmo301_cs003_end_before_start():
    text = mutate(sample("WMO301"), (PRODUCT_END, "<wmo301:Einddatum>2022-12-31</wmo301:Einddatum>"))
    assert_rule(check("WMO301", text), "CS003", "0001")


def test_wmo301_cs335_removed_needs_equal_dates():
    text = mutate(sample("WMO301"), (PRODUCT_END, PRODUCT_END + "<wmo301:RedenWijziging>13</wmo301:RedenWijziging>"))
    assert_rule(check("WMO301", text), "CS335", "0001")


def test_wmo301_cs336_reason_01_is_obsolete():
    text = mutate(sample("WMO301"), (PRODUCT_END, PRODUCT_END + "<wmo301:RedenWijziging>01</wmo301:RedenWijziging>"))
    assert_rule(check("WMO301", text), "CS336", "0001")


def test_wmo301_cd041_omvang_required_with_code():
    text = mutate(sample("WMO301"), (OMVANG, ""))
    assert_rule(check("WMO301", text), "CD041", "0001")


def test_wmo301_cd077_cd078_not_both_omvang_and_budget():
    text = mutate(sample("WMO301"), (OMVANG, OMVANG + "<wmo301:Budget>100000</wmo301:Budget>"))
    report = check("WMO301", text)
    assert {"CD077", "CD078"} <= codes(report)


def test_wmo301_cd079_product_required_without_budget():
    text = mutate(sample("WMO301"), ("<wmo301:Product>\r\n\t\t\t\t\t<iwmo:Categorie>01</iwmo:Categorie>"
                                     "\r\n\t\t\t\t\t<iwmo:Code>01A01</iwmo:Code>\r\n\t\t\t\t</wmo301:Product>", ""))
    assert_rule(check("WMO301", text), "CD079", "0001")


def test_wmo301_cd075_budget_needs_einddatum():
    text = mutate(sample("WMO301"), (PRODUCT_END, ""), (OMVANG, "<wmo301:Budget>100000</wmo301:Budget>"))
    assert_rule(check("WMO301", text), "CD075", "0001")


def test_wmo301_cd076_weekly_frequency_needs_einddatum():
    text = mutate(sample("WMO301"), (PRODUCT_END, ""),
                  ("<iwmo:Frequentie>1</iwmo:Frequentie>", "<iwmo:Frequentie>2</iwmo:Frequentie>"))
    assert_rule(check("WMO301", text), "CD076", "0001")


def test_wmo301_cd080_no_omvang_without_code():
    text = mutate(sample("WMO301"), (CODE, ""))
    assert_rule(check("WMO301", text), "CD080", "0001")


def test_wmo301_cs338_stay_units_need_a_long_frequency():
    text = mutate(sample("WMO301"), ("<iwmo:Eenheid>01</iwmo:Eenheid>", "<iwmo:Eenheid>14</iwmo:Eenheid>"))
    assert_rule(check("WMO301", text), "CS338", "0001")


def test_wmo301_tr002_birth_more_than_120_years_before():
    text = mutate(sample("WMO301"), ("<iwmo:Datum>1967-08-13</iwmo:Datum>", "<iwmo:Datum>1900-01-01</iwmo:Datum>"))
    finding = assert_rule(check("WMO301", text), "TR002", "0001")
    assert finding.path.endswith("/Client/Geboortedatum/Datum")


def test_wmo301_tr002_not_when_the_date_is_unknown():
    text = mutate(sample("WMO301"), ("<iwmo:Datum>1967-08-13</iwmo:Datum>",
                                     "<iwmo:Datum>1900-01-01</iwmo:Datum><iwmo:DatumGebruik>3</iwmo:DatumGebruik>"))
    assert "TR002" not in codes(check("WMO301", text))


def test_wmo301_cs139_date_use_and_date_disagree():
    text = mutate(sample("WMO301"), ("<iwmo:Datum>1967-08-13</iwmo:Datum>",
                                     "<iwmo:Datum>1967-08-13</iwmo:Datum><iwmo:DatumGebruik>1</iwmo:DatumGebruik>"))
    assert_rule(check("WMO301", text), "CS139", "0001")


def test_wmo301_tr135_toewijzingsdatum_in_the_future():
    text = mutate(sample("WMO301"), ("<wmo301:Toewijzingsdatum>2023-08-13</wmo301:Toewijzingsdatum>",
                                     "<wmo301:Toewijzingsdatum>2026-08-13</wmo301:Toewijzingsdatum>"))
    assert_rule(check("WMO301", text), "TR135", "8848")


def test_wmo301_tr101_same_toewijzingnummer_twice():
    text = sample("WMO301")
    start = text.index("<wmo301:ToegewezenProduct>")
    end = text.index("</wmo301:ToegewezenProduct>") + len("</wmo301:ToegewezenProduct>")
    text = text[:end] + text[start:end] + text[end:]
    finding = assert_rule(check("WMO301", text), "TR101", "0001")
    assert "ToegewezenProduct[2]" in finding.path


def test_wmo301_relatie_birth_date_is_checked_too():
    text = mutate(sample("WMO301"), ("<iwmo:Datum>1967-01-13</iwmo:Datum>", "<iwmo:Datum>1890-01-13</iwmo:Datum>"))
    finding = assert_rule(check("WMO301", text), "TR002")
    assert "/Relatie[1]/Geboortedatum" in finding.path


# -- other messages -----------------------------------------------------------------------------

def test_wmo305_cs058_and_tr101():
    text = mutate(sample("WMO305"), ("<wmo305:StatusAanlevering>1</wmo305:StatusAanlevering>",
                                     "<wmo305:StatusAanlevering>2</wmo305:StatusAanlevering>"))
    assert_rule(check("WMO305", text), "CS058", "0001")
    text = mutate(sample("WMO305"), ("300202", "300201"), ("01A12", "01A11"),
                  ("<wmo305:Begindatum>2025-04-04</wmo305:Begindatum>",
                   "<wmo305:Begindatum>2025-04-03</wmo305:Begindatum>"))
    assert_rule(check("WMO305", text), "TR101", "0001")


def test_wmo305_cs002_tr135_tr002():
    text = mutate(sample("WMO305"), ("999900006", "999900007"),
                  ("<iwmo:Dagtekening>2025-04-05</iwmo:Dagtekening>",
                   "<iwmo:Dagtekening>2026-07-05</iwmo:Dagtekening>"),
                  ("<iwmo:Datum>1967-08-13</iwmo:Datum>", "<iwmo:Datum>1900-08-13</iwmo:Datum>"))
    assert {"CS002", "TR135", "TR002"} <= codes(check("WMO305", text))


def test_wmo307_cs058():
    text = mutate(sample("WMO307"), ("<wmo307:StatusAanlevering>1</wmo307:StatusAanlevering>",
                                     "<wmo307:StatusAanlevering>9</wmo307:StatusAanlevering>"))
    assert_rule(check("WMO307", text), "CS058", "0001")


def test_wmo315_tr101_and_cs139():
    text = mutate(sample("WMO315"), ("<wmo315:ReferentieAanbieder>42420002</wmo315:ReferentieAanbieder>",
                                     "<wmo315:ReferentieAanbieder>42420001</wmo315:ReferentieAanbieder>"),
                  ("<iwmo:Datum>1972-07-16</iwmo:Datum>",
                   "<iwmo:Datum>1972-07-16</iwmo:Datum><iwmo:DatumGebruik>2</iwmo:DatumGebruik>"))
    assert {"TR101", "CS139"} <= codes(check("WMO315", text))


def test_wmo317_tr101_assignment_named_twice():
    text = mutate(sample("WMO317"), ("<wmo317:ToewijzingNummer>10072</wmo317:ToewijzingNummer>",
                                     "<wmo317:ToewijzingNummer>10071</wmo317:ToewijzingNummer>"))
    assert_rule(check("WMO317", text), "TR101", "0001")


def test_wmo319_tr135():
    text = mutate(sample("WMO319"), ("<iwmo:Dagtekening>2023-04-02</iwmo:Dagtekening>",
                                     "<iwmo:Dagtekening>2027-04-02</iwmo:Dagtekening>"))
    assert_rule(check("WMO319", text), "TR135", "8848")


# -- the engine ----------------------------------------------------------------------------------

def test_a_rule_that_fails_is_reported_and_the_rules_after_it_still_run(monkeypatch):
    def broken(line, ctx):
        raise ValueError("kapot")

    def stops(line, ctx):
        return next(iter(()))  # StopIteration: must not quietly end the rules after it

    before_tr346 = next(i for i, r in enumerate(RULES) if r.code == "TR346")
    failing = [Rule("TEST1", None, ("Prestatie",), ("WMO323",), broken),
               Rule("TEST2", None, ("Prestatie",), ("WMO323",), stops)]
    monkeypatch.setattr(registry, "RULES",
                        RULES[:before_tr346] + failing + RULES[before_tr346:])
    text = mutate(sample("WMO323"), RN001_AMOUNT,
                  (TOTAL, "<iwmo:TotaalBedrag>58100</iwmo:TotaalBedrag>"))
    report = check("WMO323", text)
    assert codes(report) == {"INTERN", "TR346"}
    internal = [f for f in report.errors if f.code == "INTERN"]
    assert len(internal) == 2 * text.count("<wmo323:Prestatie>")
    assert {f.message.split(" kon ")[0] for f in internal} == {"Regel TEST1 (broken)",
                                                               "Regel TEST2 (stops)"}
    assert all(f.line and f.path.endswith("]") for f in internal)
    assert {f.message.split("(")[2].split(")")[0] for f in internal} == {"ValueError",
                                                                         "StopIteration"}


# -- the registry --------------------------------------------------------------------------------

TESTED = {"CS002", "CS100", "CS340", "CS337", "TR137", "TR134", "TR335", "TR135", "TR358", "CS325",
          "CD087", "CS339", "CD060", "TR101", "TR314", "TR315", "TR316", "TR416", "TR346", "TR319",
          "CS003", "CS335", "CS336", "CD041", "CD077", "CD078", "CD079", "CD075", "CD076", "CD080",
          "CS338", "TR002", "CS139", "CS058", "NOTATIE"}


def test_every_registered_rule_has_a_test_here():
    assert {registered.code for registered in RULES} <= TESTED


def test_every_rule_has_a_retourcode_from_the_standard():
    for registered in RULES:
        if registered.code == "NOTATIE":
            continue
        expected = {"TR135": "8848", "TR314": "8021", "TR346": "9346", "TR319": "9319"}.get(
            registered.code, "0001")
        assert registered.retourcode == expected, registered

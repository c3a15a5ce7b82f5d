"""Declaration-check figures (issue 6): one WMO323 of 100,000 prestaties checked against 20,000
toewijzingen in the database, on SQLite and on PostgreSQL.

Per database a fresh schema is made by the migrations and filled in bulk (not through the web):
gemeente Apeldoorn (CBS 0200, region midden_ijssel), one aanbieder with one user, 20,000 clients
with test BSNs (elfproef) and one toewijzing each, for products the region prices per hour and
that are declared in minutes (02A16, 02A22, 02A19, 01001, 07A12), half of them a total
(frequentie 6), half per week (frequentie 2). The declaration has 5 prestaties per client on its
toewijzing in October 2026, in five periods that do not overlap, with unique ReferentieNummers,
ProductTarief = the region's hourly tariff / 60 and IngediendBedrag from the one price function
(portal.pricing.line_price), so they pass the schema, the file rules and the checks against the
toewijzingen. A few lines are wrong on purpose, as in real files: every 250th names a
ToewijzingNummer the gemeente never gave (9338), and one client in a hundred has a toewijzing of 20
hours whose fifth line goes over it (9322). Most lines must be granted, or the bench measures
nothing; it says so when they are not. The lines are 30 to 240 minutes.

What is timed is `portal.berichten.services.receive(...)` plus the commit: storing the upload,
the validation, the check of every line, the WMO325 answer and the stored DeclarationLines and
their audit rows. It runs in a child process of its own (the database and the file are made by an
earlier child), whose peak memory (ru_maxrss, through GNU time like bench/iwmo.py) is the peak of
that work plus the interpreter and the app. The SQL statements are counted with SQLAlchemy's
``before_cursor_execute`` event (a bulk INSERT that SQLAlchemy sends in batches counts once per
batch), and psycopg's COPY statements, which that event does not see. Under the total:
the process's CPU seconds (both its threads: the schema check runs beside the rule pass) and the
load average, since on a machine other work loads the total grows while the CPU seconds hardly
do (compare runs by both); the lines' outcomes; and where the time went: validation (which also hands the
Prestaties it reads to the check), the check against the toewijzingen, the WMO325 answer (reading
the file again only for the clients it echoes), storing the lines, the result page's labels (from
the lines the check has). Target: under 30 s on the 2-core bench machine, a fixed number of
queries per file (or per client), never per line.

PostgreSQL runs on a throwaway server (tests/pg_server.py); without the server binaries that part
is skipped with a note. Run alone, smaller: `python -m bench.declaraties --clients 500`;
`python -m bench.declaraties --clients 500 --profile` prints the check's cProfile instead.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import date
from pathlib import Path

from bench.iwmo import GNU_TIME

ROOT = Path(__file__).resolve().parent.parent
CLIENTS = 20_000
LINES_PER_CLIENT = 5
TARGET_SECONDS = 30
LEAST_GRANTED = 0.9  # share of the lines that must be granted for the figures to mean anything

REGION, GEMEENTE = "midden_ijssel", "0200"
AGB, EMAIL = "12345678", "bench@aanbieder.test"
# Products of the region with an hourly tariff, declared in minutes: (code, category).
PRODUCTS = (("02A16", "02"), ("02A22", "02"), ("02A19", "02"), ("01001", "01"), ("07A12", "07"))
FIRST_NUMMER = 100_001  # ToewijzingNummer of the first client's toewijzing
UNKNOWN_NUMMER = 900_000_000  # + line number: never given; every UNKNOWN_EVERY-th line names one
UNKNOWN_EVERY = 250
OVER_EVERY = 100  # one client in OVER_EVERY has 20 hours and declares 5 × 300 minutes
# October 2026: Thursday 1 to Saturday 31, five periods per client that do not overlap (TR389).
PERIODS = ((date(2026, 10, 1), date(2026, 10, 6)), (date(2026, 10, 7), date(2026, 10, 12)),
           (date(2026, 10, 13), date(2026, 10, 18)), (date(2026, 10, 19), date(2026, 10, 24)),
           (date(2026, 10, 25), date(2026, 10, 31)))
DAGTEKENING = date(2026, 11, 2)
TODAY = date(2026, 11, 23)  # fixed, so the tariffs of 2026 apply whenever the bench runs
XML_NAME, RESULT_NAME = "wmo323.xml", "result.json"


# -- the parent: one child to prepare, one to measure, per database --------------------------------

def main(clients: int = CLIENTS) -> None:
    print()
    print(f"Declaraties: WMO323 met {clients * LINES_PER_CLIENT:,} prestaties tegen {clients:,} "
          f"toewijzingen (receive + commit, doel < {TARGET_SECONDS} s)".replace(",", "."))
    figures("sqlite", clients)
    figures("postgresql", clients)


def figures(backend: str, clients: int) -> None:
    with tempfile.TemporaryDirectory(prefix="declaraties-bench-") as tmp:
        work = Path(tmp)
        if backend == "sqlite":
            measure(backend, f"sqlite:///{work / 'bench.sqlite3'}", work, clients)
            return
        try:
            sys.path.insert(0, str(ROOT))
            from tests.pg_server import ThrowawayPostgres

            server = ThrowawayPostgres()
        except RuntimeError as missing:
            print(f"  declaraties postgresql overgeslagen: {missing}")
            return
        server.start()
        try:
            server.execute("CREATE DATABASE wmo_bench")
            measure(backend, server.url("wmo_bench"), work, clients)
        finally:
            server.stop()


def _child(arguments: list[str], work: Path, measured: Path | None = None) -> int:
    """Run `python -m bench.declaraties ...` in ``work``; the peak (KB) from GNU time when given."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("WMO_")}
    environment["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT),
                                                              environment.get("PYTHONPATH")]))
    command = [sys.executable, "-m", "bench.declaraties", *arguments]
    if measured is not None and os.access(GNU_TIME, os.X_OK):
        command = [GNU_TIME, "-f", "%M", "-o", str(measured), *command]
    with open(work / "child.log", "ab") as log:
        child = subprocess.Popen(command, cwd=ROOT, env=environment, stdout=log, stderr=log)
        _pid, status, usage = os.wait4(child.pid, 0)
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        sys.stdout.write((work / "child.log").read_text(errors="replace")[-4000:])
        raise SystemExit(f"bench.declaraties {arguments[0]} failed with exit code {code}")
    if measured is not None and measured.exists() and measured.stat().st_size:
        return int(measured.read_text().strip().splitlines()[-1])
    return usage.ru_maxrss  # an upper bound: Linux keeps the parent's peak across fork and exec


def measure(backend: str, url: str, work: Path, clients: int) -> None:
    start = time.perf_counter()
    _child(["prepare", url, str(work), "--clients", str(clients)], work)
    prepared = time.perf_counter() - start
    peak_kb = _child(["check", url, str(work)], work, measured=work / "peak.time")
    result = json.loads((work / RESULT_NAME).read_text())
    lines, granted, refused = result["lines"], result["granted"], result["refused"]
    label = f"declaraties {backend} {lines} lines / {result['toewijzingen']} toewijzingen"
    verdict = ""
    if clients == CLIENTS:
        verdict = "   (doel gehaald)" if result["seconds"] < TARGET_SECONDS \
            else "   (BOVEN HET DOEL)"
    print(f"  {label:<60} total {result['seconds']:5.1f} s   peak {peak_kb // 1024:5d} MB   "
          f"statements {result['statements']}{verdict}")
    print(f"    cpu {result['cpu_seconds']:.1f} s in this process (both its threads; less "
          f"dependent on other work on the machine than the total), load average "
          f"{os.getloadavg()[0]:.1f}")
    repeated = ", ".join(f"{count}× {what}" for what, count in result["statement_kinds"]
                         if count > 2)
    print(f"    toegekend {granted}, afgewezen {refused} ({result['retourcodes']}); bestand "
          f"{result['megabytes']:.0f} MB, database gevuld in {prepared:.0f} s"
          + (f"; herhaald: {repeated}" if repeated else ""))
    phases = result["phases"]
    rest = result["seconds"] - sum(phases.values())
    print("    waarvan " + ", ".join(f"{label} {phases.get(name, 0.0):.1f} s"
                                     for name, label in PHASES) + f", de rest {rest:.1f} s")
    if lines != clients * LINES_PER_CLIENT or granted < LEAST_GRANTED * lines:
        print(f"    LET OP: {lines} regels opgeslagen, {granted} toegekend (verwacht "
              f"{clients * LINES_PER_CLIENT}, minstens {LEAST_GRANTED:.0%} toegekend); de meting "
              f"zegt zo weinig. Status {result['status']}: {result['summary']}")


# -- the children ----------------------------------------------------------------------------------

def _app(url: str, work: Path):
    from portal import create_app

    return create_app({"WMO_ENV": "test", "SECRET_KEY": "bench", "INSTANCE_PATH": str(work),
                       "SQLALCHEMY_DATABASE_URI": url})


def test_bsns(count: int) -> list[str]:
    """``count`` 9-digit numbers from 999000000 up that pass the elfproef (the 9999xxxxx demo range
    of portal.demo.data holds only about 9,000)."""
    from portal.identifiers import passes_elfproef

    found: list[str] = []
    number = 999_000_000
    while len(found) < count:
        if passes_elfproef(str(number)):
            found.append(str(number))
        number += 1
    return found


def prepare(url: str, work: Path, clients: int) -> None:
    """The schema, the organisations, clients and toewijzingen (bulk), and the WMO323 file."""
    from flask_migrate import upgrade
    from sqlalchemy import insert, select

    from portal.accounts.models import AANBIEDER_KIND, GEMEENTE_KIND
    from portal.accounts.roles import AANBIEDER
    from portal.accounts.services import create_organisation, create_user
    from portal.app import MIGRATIONS_DIR
    from portal.clients.models import Client
    from portal.extensions import db
    from portal.regions import registry
    from portal.toewijzingen.models import Toewijzing

    app = _app(url, work)
    with app.app_context():
        upgrade(directory=str(MIGRATIONS_DIR))
        regions = registry()
        gemeente = create_organisation(regions, GEMEENTE_KIND, GEMEENTE, None, REGION)
        aanbieder = create_organisation(regions, AANBIEDER_KIND, AGB, "Bench Zorg B.V.")
        db.session.flush()
        create_user(EMAIL, "Bench Aanbieder", AANBIEDER, "bench-password-9", aanbieder,
                    check_password=False)
        tariffs = _tariffs(regions)

        bsns = test_bsns(clients)
        db.session.execute(insert(Client), [
            {"bsn": bsn, "voorletters": "B", "achternaam": f"Bench {index}",
             "geboortedatum": date(1940 + index % 60, 1 + index % 12, 1 + index % 28),
             "gemeente_id": gemeente.id} for index, bsn in enumerate(bsns)])
        client_ids = dict(db.session.execute(select(Client.bsn, Client.id)).all())
        rows = []
        for index, bsn in enumerate(bsns):
            code, category = PRODUCTS[index % len(PRODUCTS)]
            over = index % OVER_EVERY == OVER_EVERY // 2
            volume, frequency = (20, "6") if over else (40, "6") if index % 2 == 0 else (6, "2")
            rows.append({"toewijzing_nummer": FIRST_NUMMER + index, "client_id": client_ids[bsn],
                         "aanbieder_id": aanbieder.id, "gemeente_id": gemeente.id,
                         "product_category": category, "product_code": code, "product_key": code,
                         "volume": volume, "eenheid": "04", "frequentie": frequency,
                         "ingangsdatum": date(2026, 1, 1), "einddatum": date(2026, 12, 31),
                         "status": "actief", "attributes": {}, "warnings": []})
        db.session.execute(insert(Toewijzing), rows)
        db.session.commit()
        db.engine.dispose()
    write_wmo323(work / XML_NAME, bsns, tariffs)


def _tariffs(regions) -> dict[str, tuple[object, int]]:
    """Per product code: the region's tariff in October 2026 and ProductTarief per minute, cents."""
    from fractions import Fraction

    from portal.pricing import round_half_up_to_cents
    from portal.regions.catalogue import find_product, tariff_on

    tariffs = {}
    for code, _category in PRODUCTS:
        product = find_product(regions, REGION, code)
        tariff = tariff_on(regions, REGION, product, PERIODS[0][0])
        assert tariff is not None and tariff.unit == "04", (code, tariff)
        tariffs[code] = (tariff, round_half_up_to_cents(tariff.amount / Fraction(60)))
    return tariffs


def write_wmo323(path: Path, bsns: list[str], tariffs: dict) -> None:
    """The declaration, 5 lines per client, written with tab indentation and CR/LF line ends."""
    from portal.pricing import line_price

    lines = []  # (bsn, [(reference, nummer, category, code, begin, end, minutes, tariff, cents)])
    number = 0
    for index, bsn in enumerate(bsns):
        code, category = PRODUCTS[index % len(PRODUCTS)]
        tariff, per_minute = tariffs[code]
        over = index % OVER_EVERY == OVER_EVERY // 2
        own = []
        for period, (begin, end) in enumerate(PERIODS):
            number += 1
            minutes = 300 if over else 30 + 5 * ((index * 7 + period * 13) % 43)  # 30..240
            nummer = UNKNOWN_NUMMER + number if number % UNKNOWN_EVERY == 0 \
                else FIRST_NUMMER + index
            cents = line_price(tariff, minutes, "01").amount_cents
            own.append((f"BENCH{number:09d}", nummer, category, code, begin, end, minutes,
                        per_minute, cents))
        lines.append((bsn, own))
    total = sum(line[-1] for _bsn, own in lines for line in own)
    with open(path, "w", encoding="utf-8", newline="") as out:
        out.write(_HEADER.format(agb=AGB, gemeente=GEMEENTE, dagtekening=DAGTEKENING,
                                 begin=PERIODS[0][0], end=PERIODS[-1][1], total=total))
        for bsn, own in lines:
            out.write(_CLIENT_OPEN.format(bsn=bsn))
            for reference, nummer, category, code, begin, end, minutes, per_minute, cents in own:
                out.write(_PRESTATIE.format(
                    reference=reference, nummer=nummer, category=category, code=code, begin=begin,
                    end=end, minutes=minutes, tariff=per_minute, cents=cents))
            out.write(_CLIENT_CLOSE)
        out.write(_FOOTER)


def _lines(*rows: tuple[int, str]) -> str:
    return "".join("\t" * level + text + "\r\n" for level, text in rows)


_HEADER = _lines(
    (0, '<?xml version="1.0" encoding="UTF-8"?>'),
    (0, '<wmo323:Bericht xmlns:iwmo="http://www.istandaarden.nl/iwmo/3_2/basisschema/schema" '
        'xmlns:wmo323="http://www.istandaarden.nl/iwmo/3_2/wmo323/schema">'),
    (1, "<wmo323:Header>"),
    (2, "<wmo323:BerichtCode>484</wmo323:BerichtCode>"),
    (2, "<wmo323:BerichtVersie>3</wmo323:BerichtVersie>"),
    (2, "<wmo323:BerichtSubversie>2</wmo323:BerichtSubversie>"),
    (2, "<wmo323:Afzender>{agb}</wmo323:Afzender>"),
    (2, "<wmo323:Ontvanger>{gemeente}</wmo323:Ontvanger>"),
    (2, "<wmo323:BerichtIdentificatie>"),
    (3, "<iwmo:Identificatie>BENCH0001</iwmo:Identificatie>"),
    (3, "<iwmo:Dagtekening>{dagtekening}</iwmo:Dagtekening>"),
    (2, "</wmo323:BerichtIdentificatie>"),
    (2, "<wmo323:XsdVersie>"),
    (3, "<iwmo:BasisschemaXsdVersie>1.0.0</iwmo:BasisschemaXsdVersie>"),
    (3, "<iwmo:BerichtXsdVersie>1.0.0</iwmo:BerichtXsdVersie>"),
    (2, "</wmo323:XsdVersie>"),
    (1, "</wmo323:Header>"),
    (1, "<wmo323:Declaratie>"),
    (2, "<wmo323:DeclaratieNummer>BENCH202610</wmo323:DeclaratieNummer>"),
    (2, "<wmo323:DeclaratiePeriode>"),
    (3, "<iwmo:Begindatum>{begin}</iwmo:Begindatum>"),
    (3, "<iwmo:Einddatum>{end}</iwmo:Einddatum>"),
    (2, "</wmo323:DeclaratiePeriode>"),
    (2, "<wmo323:DeclaratieDagtekening>{dagtekening}</wmo323:DeclaratieDagtekening>"),
    (2, "<wmo323:TotaalIngediendBedrag>"),
    (3, "<iwmo:TotaalBedrag>{total}</iwmo:TotaalBedrag>"),
    (3, "<iwmo:DebetCredit>D</iwmo:DebetCredit>"),
    (2, "</wmo323:TotaalIngediendBedrag>"),
    (2, "<wmo323:Clienten>"))
_CLIENT_OPEN = _lines((3, "<wmo323:Client>"), (4, "<wmo323:Bsn>{bsn}</wmo323:Bsn>"),
                      (4, "<wmo323:Prestaties>"))
_PRESTATIE = _lines(
    (5, "<wmo323:Prestatie>"),
    (6, "<wmo323:ProductReferentie>"),
    (7, "<iwmo:ReferentieNummer>{reference}</iwmo:ReferentieNummer>"),
    (6, "</wmo323:ProductReferentie>"),
    (6, "<wmo323:ToewijzingNummer>{nummer}</wmo323:ToewijzingNummer>"),
    (6, "<wmo323:ProductCategorie>{category}</wmo323:ProductCategorie>"),
    (6, "<wmo323:ProductCode>{code}</wmo323:ProductCode>"),
    (6, "<wmo323:ProductPeriode>"),
    (7, "<iwmo:Begindatum>{begin}</iwmo:Begindatum>"),
    (7, "<iwmo:Einddatum>{end}</iwmo:Einddatum>"),
    (6, "</wmo323:ProductPeriode>"),
    (6, "<wmo323:GeleverdVolume>{minutes}</wmo323:GeleverdVolume>"),
    (6, "<wmo323:Eenheid>01</wmo323:Eenheid>"),
    (6, "<wmo323:ProductTarief>{tariff}</wmo323:ProductTarief>"),
    (6, "<wmo323:IngediendBedrag>"),
    (7, "<iwmo:Bedrag>{cents}</iwmo:Bedrag>"),
    (7, "<iwmo:DebetCredit>D</iwmo:DebetCredit>"),
    (6, "</wmo323:IngediendBedrag>"),
    (5, "</wmo323:Prestatie>"))
_CLIENT_CLOSE = _lines((4, "</wmo323:Prestaties>"), (3, "</wmo323:Client>"))
_FOOTER = _lines((2, "</wmo323:Clienten>"), (1, "</wmo323:Declaratie>"), (0, "</wmo323:Bericht>"))


def check(url: str, work: Path, profile: bool = False) -> None:
    """Hand the file in as the aanbieder's user: receive(...) and commit, timed and counted."""
    from sqlalchemy import event, func, select

    from portal.accounts.models import User
    from portal.berichten.services import Settings, receive
    from portal.declaraties.models import GRANTED, DeclarationLine
    from portal.extensions import db
    from portal.regions import registry
    from portal.toewijzingen.models import Toewijzing

    data = (work / XML_NAME).read_bytes()
    app = _app(url, work)
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == EMAIL))
        toewijzingen = db.session.scalar(select(func.count()).select_from(Toewijzing))
        regions = registry()
        settings = Settings(max_bytes=len(data) + 1, today=TODAY)
        db.session.commit()  # start the timed work on a fresh transaction
        kinds: Counter[str] = Counter()

        def count(_connection, _cursor, statement, _parameters, _context, _executemany):
            kinds[" ".join(statement.split()[:3])[:60]] += 1

        event.listen(db.engine, "before_cursor_execute", count)
        _count_copies(kinds)  # a COPY (PostgreSQL) does not pass SQLAlchemy's events
        phases = _time_phases()
        profiler = None
        if profile:
            import cProfile

            profiler = cProfile.Profile()
            profiler.enable()
        start, cpu_start = time.perf_counter(), time.process_time()
        upload = receive(regions, user, "bench-oktober.xml", data, settings)
        db.session.commit()
        seconds = time.perf_counter() - start
        cpu_seconds = time.process_time() - cpu_start
        if profiler is not None:
            import pstats

            profiler.disable()
            pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(45)
            pstats.Stats(profiler, stream=sys.stderr).sort_stats("tottime").print_stats(30)
        event.remove(db.engine, "before_cursor_execute", count)

        outcomes = dict(db.session.execute(
            select(DeclarationLine.outcome, func.count()).where(
                DeclarationLine.upload_id == upload.id).group_by(DeclarationLine.outcome)).all())
        codes: Counter[str] = Counter()
        for (retourcodes,) in db.session.execute(select(DeclarationLine.retourcodes).where(
                DeclarationLine.upload_id == upload.id, DeclarationLine.outcome != GRANTED)):
            codes.update(retourcodes)
        result = {
            "seconds": seconds, "cpu_seconds": cpu_seconds, "statements": sum(kinds.values()),
            "statement_kinds": kinds.most_common(), "toewijzingen": toewijzingen,
            "lines": sum(outcomes.values()), "granted": outcomes.get(GRANTED, 0),
            "refused": sum(outcomes.values()) - outcomes.get(GRANTED, 0),
            "retourcodes": ", ".join(f"{code} {count}×" for code, count in codes.most_common()),
            "status": upload.status, "summary": upload.summary,
            "megabytes": len(data) / 1_000_000, "phases": phases}
        db.engine.dispose()
    (work / RESULT_NAME).write_text(json.dumps(result))


# The steps of receive() that take time, as portal.berichten.services calls them, with their
# Dutch names for the figures: the validation (portal.iwmo; it collects the Prestaties too), the
# check against the toewijzingen (portal.declaraties), the WMO325 answer (portal.iwmo.answer),
# storing the lines, and the labels of the result page (portal.iwmo.answer.line_labels, which
# reads the file again, runs only when the declaration was not checked line by line).
PHASES = (("validate_bytes", "validatie"), ("check_declaration", "controle"),
          ("build_wmo325", "antwoord"), ("store_lines", "regels opslaan"),
          ("line_labels", "labels"))


def _time_phases() -> dict[str, float]:
    """Wrap the steps of receive() in this (child) process; their seconds go in the dict."""
    from portal.berichten import services

    seconds: dict[str, float] = {}

    def timed(name, function):
        def wrapper(*args, **kwargs):
            start = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                seconds[name] = seconds.get(name, 0.0) + time.perf_counter() - start
        return wrapper

    for name, _label in PHASES:
        setattr(services, name, timed(name, getattr(services, name)))
    return seconds


def _count_copies(kinds: Counter) -> None:
    """Count psycopg's COPY statements too, in this (child) process."""
    try:
        import psycopg
    except ImportError:
        return
    copy = psycopg.Cursor.copy

    def counted(cursor, statement, *args, **kwargs):
        kinds[" ".join(str(statement).split()[:2])[:60]] += 1
        return copy(cursor, statement, *args, **kwargs)

    psycopg.Cursor.copy = counted


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.declaraties", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=CLIENTS)
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--profile", action="store_true",
                        help="SQLite only: print the cProfile of receive + commit")
    parser.add_argument("step", nargs="?", choices=("prepare", "check"),
                        help="(internal) the child processes")
    parser.add_argument("url", nargs="?")
    parser.add_argument("work", nargs="?", type=Path)
    return parser.parse_args(argv)


def run(argv: list[str] | None = None) -> None:
    arguments = _arguments(argv)
    if arguments.step == "prepare":
        prepare(arguments.url, arguments.work, arguments.clients)
    elif arguments.step == "check":
        check(arguments.url, arguments.work, arguments.profile)
    elif arguments.profile:
        with tempfile.TemporaryDirectory(prefix="declaraties-profile-") as tmp:
            work = Path(tmp)
            url = f"sqlite:///{work / 'bench.sqlite3'}"
            _child(["prepare", url, str(work), "--clients", str(arguments.clients)], work)
            check(url, work, profile=True)
            print(json.loads((work / RESULT_NAME).read_text()))
    else:
        print(f"Declaraties: {arguments.clients * LINES_PER_CLIENT} prestaties tegen "
              f"{arguments.clients} toewijzingen")
        for backend in (("sqlite", "postgresql") if arguments.backend == "both"
                        else (arguments.backend,)):
            figures(backend, arguments.clients)


if __name__ == "__main__":
    run()

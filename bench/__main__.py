"""Foundation figures: start-up time, region loading, page times with the demo data, the iWmo
validation figures (bench/iwmo.py), the declaration check against the toewijzingen
(bench/declaraties.py) and the load test (bench/load.py: Locust against gunicorn on PostgreSQL).

Run with `make bench`. Uses a temporary SQLite database (the load test a throwaway PostgreSQL);
prints one line per figure.
"""

from __future__ import annotations

import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def timed(function, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return times


def report(name: str, seconds: list[float]) -> None:
    print(f"{name:<48} median {statistics.median(seconds) * 1000:8.2f} ms   "
          f"max {max(seconds) * 1000:8.2f} ms   (n={len(seconds)})")


def main() -> None:
    from flask_migrate import upgrade

    from portal import create_app
    from portal.app import MIGRATIONS_DIR
    from portal.config import region_settings
    from portal.demo.data import load
    from portal.plugins.manager import RegionRegistry
    from portal.regions import registry

    report("`wmo-portal regions --json` (whole process)", timed(lambda: subprocess.run(
        [sys.executable, "-m", "portal.cli", "regions", "--json"], check=True,
        capture_output=True), 5))
    report("region registry (all bundled regions)",
           timed(lambda: RegionRegistry.create(region_settings({})), 20))

    with tempfile.TemporaryDirectory() as tmp:
        config = {"WMO_ENV": "test", "SECRET_KEY": "bench", "INSTANCE_PATH": tmp,
                  "SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"}
        report("create_app", timed(lambda: create_app(config), 10))
        app = create_app(config)
        with app.app_context():
            upgrade(directory=str(MIGRATIONS_DIR))
            load(registry())

        client = app.test_client()
        report("GET /inloggen", timed(lambda: client.get("/inloggen"), 200))
        for email in ("aanbieder@example.nl", "gemeente@example.nl", "beheer@example.nl"):
            client = app.test_client()
            page = client.get("/inloggen").text
            token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
            login = timed(lambda: client.post("/inloggen", data={
                "email": email, "password": "demo", "csrf_token": token}), 1)
            report(f"POST /inloggen (scrypt) {email}", login)
            report(f"GET / dashboard {email}", timed(lambda: client.get("/"), 100))
        with app.app_context():
            largest = max(registry().regions(), key=lambda r: len(registry().products(r.code)))
        report(f"GET /regios/{largest.code} (largest catalogue)",
               timed(lambda: client.get(f"/regios/{largest.code}"), 100))

    from bench.iwmo import main as iwmo_figures

    iwmo_figures()

    from bench.declaraties import main as declaration_figures

    declaration_figures()

    # Last: the load test (bench/load.py) takes about five minutes; it prints what falls short of
    # its targets rather than failing `make bench`.
    from bench.load import main as load_figures

    load_figures([])


if __name__ == "__main__":
    main()

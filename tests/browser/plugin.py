"""Pytest plugin for the browser tests (tests/test_browser_*.py, tests/test_a11y*.py).

The real portal, served by gunicorn on 127.0.0.1 with the demo data (the same steps as `make demo`),
once per test run; Debian's chromium drives it through Playwright (downloading Playwright's own
browser builds is not possible here, so `make test` installs the `chromium` package). On the
PostgreSQL run (WMO_TEST_DATABASE=postgresql) the portal uses a database on the run's throwaway
server. A failing browser test leaves a screenshot and the page's address under
test-output/browser/. The API's property-based test (tests/test_api_openapi.py) starts a portal of
its own the same way (:func:`served_demo`), so its generated requests never touch the browser's.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-output" / "browser"
WMO_PORTAL = [sys.executable, "-m", "portal.cli"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def served_demo(tmp_path: Path, request, database: str,
                **settings: str) -> Iterator[tuple[str, dict[str, str]]]:
    """gunicorn serving the demo data (init-db, demo-data, serve: the steps of `make demo`) on
    127.0.0.1 at a free port, on SQLite in ``tmp_path`` or, on the PostgreSQL run, in the database
    ``database`` of the run's server. ``settings``: extra environment variables. Yields the base
    URL and the server's environment, so a test can run `wmo-portal` commands (create-token) on
    the same database."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("WMO_")}
    env.update({"WMO_ENV": "demo", "DATABASE_URL": f"sqlite:///{tmp_path / 'portal.sqlite3'}",
                **settings})
    if os.environ.get("WMO_TEST_DATABASE") == "postgresql":
        server = request.getfixturevalue("postgres_server")
        server.execute(f"CREATE DATABASE {database}")
        env["DATABASE_URL"] = server.url(database)
    for step in (["init-db"], ["demo-data"]):
        done = subprocess.run(WMO_PORTAL + step, env=env, cwd=tmp_path, capture_output=True,
                              text=True, timeout=180)
        if done.returncode != 0:
            pytest.fail(f"wmo-portal {step[0]} failed: {done.stderr[-2000:]}")
    port = free_port()
    log = open(tmp_path / "gunicorn.log", "wb")
    server = subprocess.Popen(WMO_PORTAL + ["serve", "--port", str(port), "--workers", "2"],
                              env=env, cwd=tmp_path, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(base + "/inloggen", timeout=2)
            break
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                pytest.fail("gunicorn did not start: "
                            + (tmp_path / "gunicorn.log").read_text(errors="replace")[-2000:])
            time.sleep(0.2)
    try:
        yield base, env
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


@pytest.fixture(scope="session")
def served_portal(tmp_path_factory, request):
    """Base URL of a gunicorn serving the demo data; stopped at the end of the run."""
    with served_demo(tmp_path_factory.mktemp("served"), request, "wmo_browser") as (base, _env):
        yield base


@pytest.fixture(scope="session")
def browser_context_args(served_portal):
    """Every page opens relative addresses (page.goto("/")) on the served portal, in Dutch."""
    return {"base_url": served_portal, "locale": "nl-NL"}


@pytest.fixture(scope="session")
def browser_type_launch_args():
    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.fail("chromium ontbreekt: `make system-chromium` installeert het (Debian-pakket)")
    return {"executable_path": chromium, "headless": True}


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    page = getattr(item, "funcargs", {}).get("page")
    if report.when == "call" and report.failed and page is not None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", item.nodeid)[-150:]
        try:
            page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)
            (SCREENSHOTS / f"{name}.url").write_text(page.url + "\n")
            report.sections.append(("browser", f"screenshot: {SCREENSHOTS / name}.png, "
                                               f"page: {page.url}"))
        except Exception as error:  # a crashed browser must not hide the test's own failure
            report.sections.append(("browser", f"no screenshot: {error}"))

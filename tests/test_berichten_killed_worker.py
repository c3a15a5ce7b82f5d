"""A gunicorn worker killed while it processes an upload: the bytes were committed first, so the
upload survives as "niet verwerkt" with nothing half-written, and it is processed again from the
page once a new worker runs. Real processes over real HTTP (the demo set-up of tests/test_serve.py).
"""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest

from tests.test_serve import free_port, log_in

GENERATOR = Path(__file__).resolve().parents[2] / "shared" / "tools" / "gen_wmo323.py"
DEMO_AGB, DEMO_GEMEENTE = "98765432", "0200"  # the demo aanbieder and Apeldoorn (README)


@pytest.fixture
def served(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("WMO_")}
    database = tmp_path / "demo.sqlite3"
    env.update({"WMO_ENV": "demo", "DATABASE_URL": f"sqlite:///{database}"})
    command = [sys.executable, "-m", "portal.cli"]
    for step in (["init-db"], ["demo-data"]):
        subprocess.run(command + step, env=env, cwd=tmp_path, check=True, capture_output=True,
                       timeout=120)
    port = free_port()
    log = open(tmp_path / "server.log", "wb")  # shown when the test fails
    server = subprocess.Popen(command + ["serve", "--port", str(port), "--workers", "1"],
                              env=env, cwd=tmp_path, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    _wait_for(lambda: _answers(base), 30, "the portal did not start")
    yield base, database, server
    server.terminate()
    server.wait(timeout=30)
    log.close()
    print((tmp_path / "server.log").read_text(errors="replace")[-5000:])


def _answers(base: str) -> bool:
    try:
        log_in(base, "beheer@example.nl")
        return True
    except OSError:
        return False


def _wait_for(condition, seconds: float, failure: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.05)
    pytest.fail(failure)


def _multipart(token: str, filename: str, data: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n"
            f"{token}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
            f"filename=\"{filename}\"\r\nContent-Type: application/xml\r\n\r\n").encode() + \
        data + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def _rows(database: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(database, timeout=10) as connection:
        return connection.execute(sql).fetchall()


def _workers(server: subprocess.Popen) -> list[int]:
    found = subprocess.run(["pgrep", "-P", str(server.pid)], capture_output=True, text=True)
    return [int(pid) for pid in found.stdout.split()]


@pytest.mark.skipif(not GENERATOR.exists(), reason="../shared/tools/gen_wmo323.py is not beside "
                                                   "the project")
def test_a_killed_worker_leaves_the_upload_not_processed_and_it_can_be_processed_again(
        served, tmp_path):
    base, database, server = served
    declaration = tmp_path / "oktober.xml"
    subprocess.run([sys.executable, str(GENERATOR), "--clients", "2000", "--lines-per-client",
                    "10", "--agb", DEMO_AGB, "--gemeente", DEMO_GEMEENTE, "--out",
                    str(declaration)], check=True, capture_output=True)
    data = declaration.read_bytes()

    browser, _ = log_in(base, "aanbieder@example.nl")
    page = browser.open(base + "/berichten/aanleveren").read().decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    body, content_type = _multipart(token, declaration.name, data)
    outcome: dict = {}

    def send():
        request = urllib.request.Request(base + "/berichten/aanleveren", data=body,
                                         headers={"Content-Type": content_type})
        try:
            outcome["status"] = browser.open(request, timeout=300).status
        except (urllib.error.URLError, ConnectionError, OSError) as error:
            outcome["error"] = error

    sending = threading.Thread(target=send)
    sending.start()
    # The bytes are committed before the processing starts: kill the worker then.
    _wait_for(lambda: _rows(database, "SELECT id FROM upload WHERE status = 'ontvangen'"), 60,
              "the upload was not stored before processing")
    workers = _workers(server)
    assert workers
    for pid in workers:
        os.kill(pid, signal.SIGKILL)
    sending.join(timeout=60)
    assert "error" in outcome or outcome.get("status", 200) >= 500  # the request died with it

    [(upload_id, status, size)] = _rows(database, "SELECT id, status, size FROM upload")
    assert (status, size) == ("ontvangen", len(data))
    assert _rows(database, "SELECT count(*) FROM iwmo_message") == [(0,)]
    assert _rows(database, "SELECT count(*) FROM declaration_line") == [(0,)]

    # gunicorn starts a new worker; the page says what happened and offers to process it again.
    browser, _ = _wait_for(lambda: _logged_in(base), 60, "no new worker answered")
    detail = browser.open(f"{base}/berichten/{upload_id}").read().decode()
    assert "Niet verwerkt." in detail and "Opnieuw verwerken" in detail
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', detail).group(1)
    processed = browser.open(f"{base}/berichten/{upload_id}/verwerken",
                             data=f"csrf_token={token}".encode(), timeout=300).read().decode()
    assert "Het bestand is verwerkt." in processed
    [(status,)] = _rows(database, f"SELECT status FROM upload WHERE id = {upload_id}")
    assert status in ("geldig", "ongeldig")
    assert _rows(database, "SELECT count(*) FROM declaration_line") == [(20000,)]


def _logged_in(base: str):
    try:
        return log_in(base, "aanbieder@example.nl")
    except OSError:
        return None

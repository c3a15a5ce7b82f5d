"""`make demo` in miniature: init-db, demo-data, then `wmo-portal serve` (gunicorn) on 127.0.0.1,
and the three demo users log in over real HTTP."""

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request

import pytest


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def served_demo(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("demo")
    env = {k: v for k, v in os.environ.items() if not k.startswith("WMO_")}
    env.update({"WMO_ENV": "demo", "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}"})
    command = [sys.executable, "-m", "portal.cli"]
    for step in (["init-db"], ["demo-data"]):
        subprocess.run(command + step, env=env, cwd=tmp_path, check=True, capture_output=True,
                       timeout=120)
    port = free_port()
    server = subprocess.Popen(command + ["serve", "--port", str(port), "--workers", "2"], env=env,
                              cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(base + "/inloggen", timeout=2)
            break
        except OSError:
            if server.poll() is not None:
                pytest.fail("gunicorn stopped: " + server.stderr.read().decode()[-2000:])
            time.sleep(0.2)
    else:
        server.kill()
        pytest.fail("portal did not start within 30 s")
    yield base
    server.terminate()
    server.wait(timeout=20)


def browser():
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))


def log_in(base: str, email: str):
    opener = browser()
    page = opener.open(base + "/inloggen").read().decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    body = urllib.parse.urlencode({"email": email, "password": "demo", "csrf_token": token})
    response = opener.open(base + "/inloggen", data=body.encode())
    return opener, response


def test_login_page_is_served_by_gunicorn_with_security_headers(served_demo):
    response = urllib.request.urlopen(served_demo + "/inloggen")
    assert response.status == 200
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert "Inloggen" in response.read().decode()


@pytest.mark.parametrize("email, heading", [
    ("aanbieder@example.nl", "Overzicht Zorg Dichtbij Begeleiding B.V."),
    ("gemeente@example.nl", "Overzicht gemeente"),
    ("beheer@example.nl", "Beheer"),
])
def test_demo_users_log_in_and_see_their_dashboard(served_demo, email, heading):
    _, response = log_in(served_demo, email)
    page = response.read().decode()
    assert response.geturl().rstrip("/") == served_demo
    assert f"<h1>{heading}" in page


def test_aanbieder_dashboard_lists_demo_clients(served_demo):
    _, response = log_in(served_demo, "aanbieder@example.nl")
    page = response.read().decode()
    assert page.count('class="card"') >= 2
    assert "Er zijn nog geen cliënten" not in page

"""Several app servers on one PostgreSQL: the portal keeps no state in its processes (sessions are
signed cookies, uploads live in the database), so two gunicorn instances behind a proxy serve one
portal. Here two instances on two ports share one database and one SECRET_KEY: a login on the
first is valid on the second, and an upload handed in on the second is seen on the first."""

from __future__ import annotations

import http.cookiejar
import os
import re
import secrets
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest

from tests.iwmo_messages import Client, Line, wmo323
from tests.test_serve import browser, free_port

DEMO_AGB, APELDOORN = "98765432", "0200"  # the demo aanbieder, and Apeldoorn, one of its gemeenten
TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


@pytest.fixture(scope="module")
def two_servers(postgres_server, tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("several")
    postgres_server.execute("CREATE DATABASE wmo_several")
    env = {k: v for k, v in os.environ.items() if not k.startswith("WMO_")}
    env.update({"DATABASE_URL": postgres_server.url("wmo_several"),
                "SECRET_KEY": secrets.token_hex(32)})
    command = [sys.executable, "-m", "portal.cli"]
    for step in (["init-db"], ["demo-data"]):
        subprocess.run(command + step, env={**env, "WMO_ENV": "demo"}, cwd=tmp_path, check=True,
                       capture_output=True, timeout=180)
    servers, bases = [], []
    for number in (1, 2):
        port = free_port()
        log = open(tmp_path / f"server{number}.log", "wb")
        servers.append((subprocess.Popen(
            command + ["serve", "--port", str(port), "--workers", "1"],
            env={**env, "WMO_ENV": "production"}, cwd=tmp_path, stdout=log,
            stderr=subprocess.STDOUT), log))
        bases.append(f"http://127.0.0.1:{port}")
    for base in bases:
        _wait_until_up(base)
    yield bases, env["SECRET_KEY"]
    for server, log in servers:
        server.terminate()
        server.wait(timeout=30)
        log.close()
    postgres_server.execute("DROP DATABASE IF EXISTS wmo_several WITH (FORCE)")


def _wait_until_up(base: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(base + "/inloggen", timeout=2)
            return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"{base} did not start within 30 s")


def _form_token(opener, url: str) -> str:
    return TOKEN.search(opener.open(url).read().decode()).group(1)


def test_a_login_on_one_server_and_an_upload_on_the_other_see_the_same_portal(two_servers):
    (first, second), _key = two_servers
    opener = browser()  # one browser: cookies are per host, not per port
    token = _form_token(opener, first + "/inloggen")
    body = f"email=aanbieder%40example.nl&password=demo&csrf_token={token}".encode()
    assert "Uitloggen" in opener.open(first + "/inloggen", data=body).read().decode()

    # The session made by the first server is valid on the second.
    dashboard = opener.open(second + "/")
    assert dashboard.url.rstrip("/") == second and "Uitloggen" in dashboard.read().decode()

    # Hand in a declaration on the second server ...
    declaration = wmo323([Client("999900006", [Line("MULTI-1")])], sender=DEMO_AGB,
                         receiver=APELDOORN, identificatie="MULTI1")
    boundary = uuid.uuid4().hex
    token = _form_token(opener, second + "/berichten/aanleveren")
    form = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n{token}"
            f"\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
            f"filename=\"twee-servers.xml\"\r\nContent-Type: application/xml\r\n\r\n").encode() \
        + declaration + f"\r\n--{boundary}--\r\n".encode()
    handed_in = opener.open(urllib.request.Request(
        second + "/berichten/aanleveren", data=form,
        headers={"Content-Type": f"multipart/form-data; boundary={boundary}"}))
    number = re.search(r"/berichten/(\d+)$", handed_in.url).group(1)
    verdict = re.search(r'class="verdict[^"]*" role="status"><strong>([^<]+)</strong>',
                        handed_in.read().decode()).group(1)

    # ... and the first server shows it, with the same verdict and the same original bytes.
    listed = opener.open(first + "/berichten/").read().decode()
    assert "twee-servers.xml" in listed
    detail = opener.open(f"{first}/berichten/{number}").read().decode()
    assert verdict in detail
    assert opener.open(f"{first}/berichten/{number}/origineel").read() == declaration


def _serializer(key: str):
    from flask import Flask
    from flask.sessions import SecureCookieSessionInterface

    portal = Flask("a-portal")
    portal.secret_key = key
    return SecureCookieSessionInterface().get_signing_serializer(portal)


def test_the_shared_key_is_what_makes_a_session_valid_on_every_server(two_servers):
    """A session made by one server is valid on both; the same session signed by a portal with
    another key is worth nothing on either."""
    (first, second), key = two_servers
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    token = _form_token(opener, first + "/inloggen")
    opener.open(first + "/inloggen",
                data=f"email=gemeente%40example.nl&password=demo&csrf_token={token}".encode())
    [signed] = [cookie.value for cookie in jar if cookie.name == "wmo_portal_session"]
    forged = _serializer(secrets.token_hex(32)).dumps(_serializer(key).loads(signed))
    for base in (first, second):
        for cookie, welcome in ((signed, True), (forged, False)):
            visitor = browser()
            visitor.addheaders = [("Cookie", f"wmo_portal_session={cookie}")]
            landed = visitor.open(base + "/").url
            assert ("/inloggen" not in landed) is welcome, (base, welcome)


def test_failed_logins_on_both_servers_count_against_one_limit(two_servers):
    """The login limit's counts live in the shared database (portal.auth.ratelimit_store): a
    guesser who spreads attempts over the servers gets the limit once, not once per server."""
    from portal.auth.ratelimit import LOGIN_LIMIT_PER_ACCOUNT

    (first, second), _key = two_servers
    allowed = int(LOGIN_LIMIT_PER_ACCOUNT.split()[0])

    def attempt(base: str, password: str) -> int:
        opener = browser()
        token = _form_token(opener, base + "/inloggen")
        body = f"email=beheer%40example.nl&password={password}&csrf_token={token}".encode()
        try:
            return opener.open(base + "/inloggen", data=body).status
        except urllib.error.HTTPError as refused:
            return refused.code

    for number in range(allowed):
        assert attempt((first, second)[number % 2], "fout") == 200
    # The next attempt is refused on either server, even with the right password.
    assert attempt(first, "demo") == 429
    assert attempt(second, "demo") == 429

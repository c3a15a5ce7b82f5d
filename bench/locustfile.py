"""The simulated users of the load test (bench/load.py runs Locust on this file, headless).

Imported only by Locust: it patches the standard library for gevent, so the rest of the bench
never imports it. bench/load.py passes what the users need through environment variables:

- WMO_BENCH_UPLOADS: a directory of WMO323 files (gen_wmo323.py) made for the demo aanbieder.
  Each upload takes one file and gives it a new BerichtIdentificatie and DeclaratieNummer, or the
  portal refuses it as a second copy of a message it already has (TR056).
- WMO_BENCH_CLIENTS: a JSON file {"aanbieder": [client ids], "gemeente": [client ids]} of the
  clients each demo user may open (read from the database, not from a dashboard).
- WMO_BENCH_NO_DASHBOARDS: when set, the users skip the dashboards (to see the other pages'
  figures without them; the full mix is the default).
- WMO_BENCH_SAMPLES: where to write every request's kind, time and error as JSON lines at the end
  (Locust's own report mixes pages and uploads; the targets differ per kind).
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
from pathlib import Path

from locust import HttpUser, between, events, task

TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
UPLOAD_LINK = re.compile(r'href="/berichten/(\d+)"')
# The generator's identities: "B"/"D" + YYYYMM + the seed's 4 digits (gen_wmo323.py).
IDENTITY = re.compile(rb"<(wmo323:(?:Identificatie|DeclaratieNummer)|iwmo:Identificatie)>"
                      rb"([BD])(\d{6})\d{4}<")
PAGE, UPLOAD, LOGIN = "pagina", "upload", "inloggen"

CLIENTS = json.loads(Path(os.environ["WMO_BENCH_CLIENTS"]).read_text())
NO_DASHBOARDS = bool(os.environ.get("WMO_BENCH_NO_DASHBOARDS"))
samples: list[tuple[str, str, float, int, str | None, bool]] = []
uploads_made = itertools.count(1)
# Set once every user has been started (each logs in as it starts): the samples after it are the
# steady state, mostly without the burst of 50 scrypt password checks at the start.
spawned: list[bool] = []


@events.spawning_complete.add_listener
def _all_started(user_count, **_):
    spawned.append(True)


@events.request.add_listener
def _record(request_type, name, response_time, response_length, exception=None, **_):
    # Logging in is its own kind: its password hash is slow on purpose (scrypt), so it is not held
    # to the pages' target.
    kind = UPLOAD if name.startswith("upload") else LOGIN if name == "inloggen" else PAGE
    samples.append((kind, name, response_time, response_length or 0,
                    None if exception is None else str(exception), bool(spawned)))


@events.quitting.add_listener
def _write(environment, **_):
    target = os.environ.get("WMO_BENCH_SAMPLES")
    if target:
        with open(target, "w", encoding="utf-8") as out:
            for kind, name, ms, size, error, steady in samples:
                out.write(json.dumps({"kind": kind, "name": name, "ms": ms, "bytes": size,
                                      "error": error, "steady": steady}) + "\n")


def _upload_files() -> list[bytes]:
    folder = Path(os.environ["WMO_BENCH_UPLOADS"])
    return [path.read_bytes() for path in sorted(folder.glob("*.xml"))]


class PortalUser(HttpUser):
    """Logs in once, then looks at pages; subclasses say which account and which pages."""

    abstract = True
    email = ""
    wait_time = between(1, 4)

    def on_start(self) -> None:
        page = self.client.get("/inloggen", name="inloggen").text
        response = self.client.post("/inloggen", name="inloggen", allow_redirects=False, data={
            "email": self.email, "password": "demo", "csrf_token": TOKEN.search(page).group(1)})
        if response.status_code != 302:
            raise RuntimeError(f"login {self.email}: HTTP {response.status_code}")
        self.client_ids = CLIENTS[self.role]
        self.upload_ids: list[str] = []

    def page(self, url: str, name: str) -> str:
        with self.client.get(url, name=name, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")
            return response.text or ""

    @task(3)
    def dashboard(self) -> None:
        if not NO_DASHBOARDS:
            self.page("/", "dashboard")

    @task(4)
    def client_page(self) -> None:
        if self.client_ids:
            self.page(f"/clienten/{random.choice(self.client_ids)}", "cliënt")

    @task(2)
    def berichten(self) -> None:
        text = self.page("/berichten/", "berichten")
        self.upload_ids = UPLOAD_LINK.findall(text)[:20]

    @task(1)
    def bericht(self) -> None:
        if self.upload_ids:
            self.page(f"/berichten/{random.choice(self.upload_ids)}", "bericht")


class Aanbieder(PortalUser):
    weight = 4
    email = "aanbieder@example.nl"
    role = "aanbieder"

    @task(1)
    def declaraties(self) -> None:
        self.page("/declaraties/", "declaraties")


class Gemeente(PortalUser):
    weight = 4
    email = "gemeente@example.nl"
    role = "gemeente"

    @task(1)
    def review_queue(self) -> None:
        self.page("/plannen/beoordelen", "te beoordelen")

    @task(1)
    def month(self) -> None:
        self.page("/declaraties/maand", "declaraties maand")


class Declarant(HttpUser):
    """The aanbieder's back office handing in declarations through the upload page.

    Few of them, each waiting between uploads: at the end of a month every aanbieder hands in a
    declaration or a few, not one every second.
    """

    # Two back offices, each handing in a declaration every half minute or so: an end-of-month
    # peak (all aanbieders in a day is about one a minute); more would measure only how many
    # cores checking declarations has, with every sync worker busy on an upload.
    fixed_count = int(os.environ.get("WMO_BENCH_DECLARANTS", "2"))
    wait_time = between(20, 40)

    def on_start(self) -> None:
        self.files = _upload_files()
        page = self.client.get("/inloggen", name="inloggen").text
        self.client.post("/inloggen", name="inloggen", data={
            "email": "aanbieder@example.nl", "password": "demo",
            "csrf_token": TOKEN.search(page).group(1)})

    @task
    def upload(self) -> None:
        number = next(uploads_made)
        content = IDENTITY.sub(lambda m: b"<%s>%s%s%04d<" % (m.group(1), m.group(2), m.group(3),
                                                               number),
                              # In turn, not at random: every run hands in the same mix of sizes
                              # (at random, one run got seven of the largest and another one).
                              self.files[number % len(self.files)])
        lines = content.count(b"<wmo323:Prestatie>")
        form = self.client.get("/berichten/aanleveren", name="aanleveren (formulier)").text
        with self.client.post(
                "/berichten/aanleveren", name=f"upload ({_size(lines)})", catch_response=True,
                data={"csrf_token": TOKEN.search(form).group(1)},
                files={"file": (f"declaratie-{number}.xml", content, "application/xml")}) as answer:
            # Processed and answered is success: "ongeldig" is the verdict on these files (their
            # lines name toewijzingen the demo does not have: 9338, as a gemeente would answer).
            # A second copy ("dubbel") or an upload left unprocessed ("ontvangen") is an error.
            if answer.status_code != 200 or not re.search(r"verdict-(geldig|ongeldig)\b",
                                                          answer.text or ""):
                verdict = re.search(r'class="verdict verdict-(\w+)"', answer.text or "")
                answer.failure(f"HTTP {answer.status_code}, "
                               f"verdict {verdict.group(1) if verdict else 'none'}")


def _size(lines: int) -> str:
    return f"{lines // 100 * 100}+ prestaties"

"""`wmo-portal serve`: run the portal with gunicorn (the production WSGI server)."""

from __future__ import annotations

import argparse
import os
import sys


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="wmo-portal serve")
    parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "2")))
    # gunicorn's default of 30 s would kill a worker checking a large declaration (an upload of
    # 25 MB holds some 30,000 prestaties); a killed worker leaves the upload "niet verwerkt".
    parser.add_argument("--timeout", type=int,
                        default=int(os.environ.get("WORKER_TIMEOUT", "300")))
    # Threads per worker (gunicorn's gthread worker): a page is answered while another thread of
    # the same worker checks a large declaration or hashes a password, instead of waiting for a
    # free worker. Each thread has its own app context and database session.
    parser.add_argument("--threads", type=int, default=int(os.environ.get("WEB_THREADS", "4")))
    args = parser.parse_args(argv)
    # Keep-alive longer than a browser (or proxy) waits between requests: with threads, gunicorn
    # keeps idle connections open, and one closed just as the client reuses it fails the request.
    command = [sys.executable, "-m", "gunicorn", "--workers", str(args.workers),
               "--threads", str(args.threads), "--timeout", str(args.timeout),
               "--keep-alive", "75",
               "--bind", f"{args.host}:{args.port}", "--access-logfile", "-",
               "portal.wsgi:app"]
    os.execv(sys.executable, command)
    return 0  # not reached

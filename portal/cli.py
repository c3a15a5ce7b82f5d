"""The `wmo-portal` command.

Light commands (regions, deadlines, serve, validate) run without importing Flask or
the database, so they start fast. Every other command runs inside the app through a Flask CLI
group (portal.commands).
"""

from __future__ import annotations

import sys

USAGE = """gebruik: wmo-portal <commando> [opties]

  regions [--json]        regio's met gemeenten en producten
  deadlines --region R --product P --start D --end D [--json]
                          termijnen van een toewijzing (plan, evaluatie, ...)
  validate [--region CODE] [--json] [--max-mb N] BESTAND...
                          controleer iWmo 3.2-berichten (XSD en regels)
  serve [--port N]        start het portaal met gunicorn (standaard 127.0.0.1:8000)
  init-db                 maak of migreer de database
  demo-data               laad voorbeeldgegevens (niet in productie)
  create-user             maak een gebruiker aan
  create-token --org CODE --name NAAM
                          maak een API-sleutel voor een aanbieder of gemeente
  db ...                  migraties (Flask-Migrate)
"""


def _regions(argv: list[str]) -> int:
    from portal.regions.report import main

    return main(argv)


def _validate(argv: list[str]) -> int:
    from portal.iwmo.report import main

    return main(argv)


def _deadlines(argv: list[str]) -> int:
    from portal.regions.deadlines_report import main

    return main(argv)


def _serve(argv: list[str]) -> int:
    from portal.serve import main

    return main(argv)


LIGHT_COMMANDS = {"regions": _regions, "deadlines": _deadlines, "serve": _serve,
                  "validate": _validate}


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help", "help"):
        print(USAGE)
        return 0
    if argv[0] in LIGHT_COMMANDS:
        return LIGHT_COMMANDS[argv[0]](argv[1:])
    from portal.commands import cli

    return cli.main(args=argv, prog_name="wmo-portal", standalone_mode=True) or 0


if __name__ == "__main__":
    sys.exit(main())

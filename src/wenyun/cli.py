"""The `wenyun` command: a thin front door onto the project's Django management commands.

`wenyun import-marc FILE ...` runs the management command import_marc, `wenyun manage ...` is
Django's manage.py. Exit codes: 0 success, 1 the work failed, 2 bad usage.
"""

from __future__ import annotations

import os
import sys

COMMANDS = {
    "demo": "migrate, build the demo county once, and serve it",
    "serve": "the production web server on the configured database",
    "sip2": "the SIP2 server for self-check kiosks and book drops",
    "import-marc": "import bibliographic records (and copies from holdings fields)",
    "export-marc": "export the catalogue as MARC",
    "import-patrons": "import readers from a CSV or XLSX file",
    "import-items": "import copies from a CSV or XLSX file",
    "sip2-account": "add or list kiosk logins",
    "api-token": "create an API token for a staff account",
    "login-unlock": "lift a sign-in lock (too many wrong passwords or PINs)",
    "bench": "run the benchmarks beside their bare limits",
    "manage": "Django's manage.py",
}

USAGE = "usage: wenyun COMMAND [ARGS...]\n\ncommands:\n" + "\n".join(
    f"  {name:<15} {text}" for name, text in COMMANDS.items()
)


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in {"-h", "--help", "help"}:
        print(USAGE)
        return 0 if args else 2
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wenyun.settings")
    command, rest = args[0], args[1:]
    if command == "bench":
        # Benchmarks run on their own database so they never touch the demo county's.
        os.environ.setdefault("WENYUN_SQLITE_FILE", "bench.sqlite3")
    from django.core.management import execute_from_command_line

    if command == "manage":
        argv_django = ["wenyun manage", *rest]
    elif command in COMMANDS:
        argv_django = [f"wenyun {command}", command.replace("-", "_"), *rest]
    else:
        print(f"wenyun: {command!r} is not a wenyun command.\n\n{USAGE}", file=sys.stderr)
        return 2
    try:
        execute_from_command_line(argv_django)
    except KeyboardInterrupt:
        print("wenyun: interrupted.", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

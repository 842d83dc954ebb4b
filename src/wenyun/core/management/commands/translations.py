"""Keep each app's Chinese translation complete: `wenyun manage translations --update | --check`.

Each app keeps its own `locale/zh_Hans/LC_MESSAGES/django.po`. --update runs makemessages in every
app folder (adding new strings, dropping gone ones); --check does the same in a scratch copy and
fails naming every string that has no Chinese yet, so `make test` catches an untranslated page.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

PACKAGE = Path(__file__).resolve().parents[3]
LANGUAGE = "zh_Hans"


def app_dirs() -> list[Path]:
    return sorted(p for p in PACKAGE.iterdir() if p.is_dir() and (p / "apps.py").exists())


def makemessages(folder: Path) -> None:
    subprocess.run(
        [
            str(Path(sys.executable).parent / "django-admin"),
            "makemessages",
            "-l",
            LANGUAGE,
            "--no-obsolete",
            "--no-location",
            "-i",
            "tests/*",
            "-i",
            "migrations/*",
        ],
        cwd=folder,
        check=True,
        capture_output=True,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "wenyun.settings"},
    )


def untranslated(po_file: Path) -> list[str]:
    """msgids whose msgstr is empty or marked fuzzy (a tiny PO reader: entries are blank-line separated)."""
    missing = []
    for entry in po_file.read_text(encoding="utf-8").split("\n\n"):
        lines = [line for line in entry.splitlines() if line.strip()]
        if not any(line.startswith("msgid ") for line in lines):
            continue
        msgid = _joined(lines, "msgid ")
        if not msgid:
            continue  # the header
        msgstrs = [_joined(lines, prefix) for prefix in ("msgstr ", "msgstr[0] ")]
        fuzzy = any(line.startswith("#,") and "fuzzy" in line for line in lines)
        if fuzzy or not any(msgstrs):
            missing.append(msgid)
    return missing


def _joined(lines: list[str], prefix: str) -> str:
    out, taking = [], False
    for line in lines:
        if line.startswith(prefix):
            taking = True
            out.append(line[len(prefix) :].strip().strip('"'))
        elif taking and line.startswith('"'):
            out.append(line.strip().strip('"'))
        elif taking:
            break
    return "".join(out)


def conflicting(folders: list[Path]) -> list[str]:
    """The same English string translated differently in two apps.

    Django merges every app's catalogue into one, so only one of the translations would show, on
    both apps' pages. Give such strings a context (pgettext) or agree on one translation.
    """
    import polib  # type: ignore[import-untyped]  # a development dependency, like this check

    seen: dict[tuple[str, str], dict[str, str]] = {}
    for folder in folders:
        po_file = folder / "locale" / LANGUAGE / "LC_MESSAGES" / "django.po"
        if not po_file.exists():
            continue
        for entry in polib.pofile(str(po_file)):
            text = entry.msgstr or entry.msgstr_plural.get(0, "")
            if entry.msgid and text and not entry.obsolete:
                seen.setdefault((entry.msgctxt or "", entry.msgid), {})[folder.name] = text
    problems = []
    for (context, msgid), by_app in sorted(seen.items()):
        if len(set(by_app.values())) > 1:
            where = "; ".join(f"{app}: {text}" for app, text in sorted(by_app.items()))
            problems.append(f"{msgid!r}{f' (context {context})' if context else ''} -> {where}")
    return problems


class Command(BaseCommand):
    help = "Update or check the Chinese translations of every app."

    def add_arguments(self, parser):
        group = parser.add_mutually_exclusive_group(required=True)
        group.add_argument("--update", action="store_true")
        group.add_argument("--check", action="store_true")
        parser.add_argument("--app", action="append", help="only this app's folder (repeatable)")

    def handle(self, *args, update, check, app, **options):
        problems = []
        folders = [f for f in app_dirs() if not app or f.name in app]
        if app and len(folders) != len(set(app)):
            raise CommandError(
                f"No app folder named {', '.join(sorted(set(app) - {f.name for f in folders}))}."
            )
        for folder in folders:
            if update:
                (folder / "locale").mkdir(exist_ok=True)
                makemessages(folder)
                po = folder / "locale" / LANGUAGE / "LC_MESSAGES" / "django.po"
                if po.exists():
                    missing = untranslated(po)
                    self.stdout.write(f"{folder.name}: {len(missing)} strings to translate")
                continue
            with tempfile.TemporaryDirectory() as scratch:
                copy = Path(scratch) / folder.name
                shutil.copytree(folder, copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
                (copy / "locale").mkdir(exist_ok=True)
                makemessages(copy)
                po = copy / "locale" / LANGUAGE / "LC_MESSAGES" / "django.po"
                if po.exists():
                    problems += [f"{folder.name}: {msgid}" for msgid in untranslated(po)]
        if check and problems:
            raise CommandError(
                f"{len(problems)} strings have no Chinese translation yet (run `wenyun manage translations "
                f"--update` and fill them in):\n  " + "\n  ".join(problems[:60])
            )
        clashes = conflicting(app_dirs()) if check else []
        if clashes:
            raise CommandError(
                f"{len(clashes)} strings are translated differently in two apps; Django shows only one of the "
                "translations everywhere, so agree on one or give the string a context (pgettext):\n  "
                + "\n  ".join(clashes[:60])
            )
        if check:
            self.stdout.write("Every string has its Chinese translation.")

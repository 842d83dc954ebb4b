"""Fill an app's Chinese translations from a JSON object {msgid: msgstr}.

.venv/bin/wenyun manage translations --update
.venv/bin/python tools/po_fill.py network < strings.json
.venv/bin/python tools/po_fill.py network --missing      # list what has no translation yet
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parents[1] / "src" / "wenyun"


def main() -> int:
    app = sys.argv[1]
    po_path = ROOT / app / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
    po = polib.pofile(str(po_path))
    if "--missing" in sys.argv:
        missing = [e for e in po if not (e.msgstr or any(e.msgstr_plural.values())) or "fuzzy" in e.flags]
        print(json.dumps({e.msgid: "" for e in missing}, ensure_ascii=False, indent=1))
        return 0
    strings = json.load(sys.stdin)
    po.metadata_is_fuzzy = False
    po.metadata.update(
        {
            "Language": "zh_Hans",
            "Content-Type": "text/plain; charset=UTF-8",
            "Project-Id-Version": "wenyun",
            "Plural-Forms": "nplurals=1; plural=0;",
        }
    )
    filled = 0
    for entry in po:
        if strings.get(entry.msgid):
            if entry.msgid_plural:
                entry.msgstr_plural = {0: strings[entry.msgid]}
            else:
                entry.msgstr = strings[entry.msgid]
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
            filled += 1
    po.save(str(po_path))
    left = [e.msgid for e in po if not (e.msgstr or any(e.msgstr_plural.values())) or "fuzzy" in e.flags]
    print(f"{app}: filled {filled}, {len(left)} still untranslated", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

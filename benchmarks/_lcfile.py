"""Where the benchmarks find the Library of Congress test file (250,000 MARC 21 records, UTF-8).

It ships in pymarc 5.4.0's source distribution on PyPI; it is fetched once with pip into /tmp and never
committed. WENYUN_LC_FILE points at another copy.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
from pathlib import Path

SDIST_DIR = Path("/tmp/pymarc-sdist")
MEMBER = "pymarc-5.4.0/BooksAll.2016.part01.utf8"


def lc_file() -> Path:
    if os.environ.get("WENYUN_LC_FILE"):
        return Path(os.environ["WENYUN_LC_FILE"])
    path = SDIST_DIR / MEMBER
    if path.exists():
        return path
    archive = SDIST_DIR / "pymarc-5.4.0.tar.gz"
    if not archive.exists():
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--no-binary",
                ":all:",
                "--no-deps",
                "pymarc==5.4.0",
                "-d",
                str(SDIST_DIR),
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    with tarfile.open(archive) as tar:
        tar.extract(MEMBER, SDIST_DIR, filter="data")
    return path


def first_records(path: Path, count: int) -> bytes:
    """The first `count` records of the file, cut by their leader lengths."""
    data = path.read_bytes()
    offset = 0
    for _ in range(count):
        if offset >= len(data):
            break
        offset += int(data[offset : offset + 5])
    return data[:offset]

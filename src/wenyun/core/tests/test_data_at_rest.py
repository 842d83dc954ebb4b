"""The data directory and what Wenyun writes into it are readable by the account running it only."""

import os
import stat
import subprocess
import sys

WRITE_ONE_ROW = """
import django
django.setup()
from django.db import connection
with connection.cursor() as cursor:
    cursor.execute("CREATE TABLE t (x integer)")
    cursor.execute("INSERT INTO t VALUES (1)")
    # Keep the connection open: the -wal and -shm files exist while it is.
    print("ok", flush=True)
    import sys
    sys.stdin.read()
"""


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_a_new_data_dir_is_0700_and_the_database_and_keys_in_it_0600(tmp_path):
    data_dir = tmp_path / "data"
    env = {**os.environ, "WENYUN_DATA_DIR": str(data_dir), "DJANGO_SETTINGS_MODULE": "wenyun.settings"}
    for name in ("WENYUN_DATABASE_URL", "WENYUN_SECRET_KEY", "WENYUN_FIELD_KEY", "WENYUN_SQLITE_FILE"):
        env.pop(name, None)
    # The umask a shell usually has, so that the default (0644 files, 0755 directories) would show.
    child = subprocess.Popen(
        [sys.executable, "-c", WRITE_ONE_ROW],
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: os.umask(0o022),
    )
    try:
        assert child.stdout.readline().strip() == "ok", child.stderr.read()
        modes = {
            path.name: oct(_mode(path))
            for path in data_dir.iterdir()
            if path.name
            in {"wenyun.sqlite3", "wenyun.sqlite3-wal", "wenyun.sqlite3-shm", "secret_key", "field_key"}
        }
    finally:
        child.communicate("", timeout=30)

    assert oct(_mode(data_dir)) == "0o700"
    assert modes == {
        "wenyun.sqlite3": "0o600",
        "wenyun.sqlite3-wal": "0o600",
        "wenyun.sqlite3-shm": "0o600",
        "secret_key": "0o600",
        "field_key": "0o600",
    }

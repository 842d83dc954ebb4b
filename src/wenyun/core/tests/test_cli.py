import os
import subprocess
import sys

import pytest

from wenyun.core.demo import demo_build
from wenyun.core.env import SettingError, envbool, envint, envstr
from wenyun.network.models import NetworkEvent, Unit


def wenyun(*args: str, data_dir) -> subprocess.CompletedProcess:
    env = {**os.environ, "WENYUN_DATA_DIR": str(data_dir)}
    env.pop("WENYUN_DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "wenyun.cli", *args], capture_output=True, text=True, env=env, timeout=120
    )


def test_no_command_prints_usage_and_exits_2(tmp_path):
    result = wenyun(data_dir=tmp_path)

    assert result.returncode == 2
    assert "usage: wenyun COMMAND" in result.stdout


def test_every_command_starts_in_a_fresh_process_and_prints_its_help(tmp_path):
    # Each command's own modules are the first the process imports (an import cycle that the test
    # suite's earlier imports hide shows only here): every command at once, one process each.
    from wenyun.cli import COMMANDS

    env = {**os.environ, "WENYUN_DATA_DIR": str(tmp_path)}
    env.pop("WENYUN_DATABASE_URL", None)
    running = {
        name: subprocess.Popen(
            [sys.executable, "-m", "wenyun.cli", name, "--help"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for name in COMMANDS
        if name != "manage"  # Django's own list of commands
    }
    for name, process in running.items():
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, f"wenyun {name} --help: {err.strip().splitlines()[-1:]}"
        assert "usage:" in out.lower(), name


def test_an_unknown_command_is_named_and_exits_2(tmp_path):
    result = wenyun("frobnicate", data_dir=tmp_path)

    assert result.returncode == 2
    assert "'frobnicate' is not a wenyun command" in result.stderr


def test_a_bad_option_exits_2(tmp_path):
    result = wenyun("demo", "--scale", "lots", data_dir=tmp_path)

    assert result.returncode == 2
    assert "--scale" in result.stderr


def test_a_token_for_an_unknown_account_fails_with_one_sentence_and_exit_1(tmp_path):
    assert wenyun("manage", "migrate", "-v", "0", data_dir=tmp_path).returncode == 0

    result = wenyun("api-token", "create", "nobody", data_dir=tmp_path)

    assert result.returncode == 1
    assert result.stderr.strip() == "CommandError: 没有名为 nobody 的账户。"
    assert "Traceback" not in result.stderr


@pytest.mark.django_db
def test_building_the_demo_again_changes_nothing(county):
    units, events = Unit.objects.count(), NetworkEvent.objects.count()

    logins = demo_build(only=["network"], out=lambda text: None)

    assert (Unit.objects.count(), NetworkEvent.objects.count()) == (units, events)
    assert {"admin", "library", "station01", "village0101"} <= {login["username"] for login in logins}


def test_settings_helpers_fail_loudly_on_bad_values(monkeypatch, tmp_path):
    monkeypatch.setenv("WENYUN_X_BOOL", "perhaps")
    monkeypatch.setenv("WENYUN_X_INT", "ten")
    with pytest.raises(SettingError, match="WENYUN_X_BOOL must be true or false"):
        envbool("WENYUN_X_BOOL")
    with pytest.raises(SettingError, match="WENYUN_X_INT must be a whole number"):
        envint("WENYUN_X_INT", 1)

    secret = tmp_path / "secret"
    secret.write_text("s3cret\n")
    monkeypatch.setenv("WENYUN_X_KEY_FILE", str(secret))
    assert envstr("WENYUN_X_KEY") == "s3cret"
    monkeypatch.setenv("WENYUN_X_KEY_FILE", str(tmp_path / "missing"))
    with pytest.raises(SettingError, match="cannot be read"):
        envstr("WENYUN_X_KEY")

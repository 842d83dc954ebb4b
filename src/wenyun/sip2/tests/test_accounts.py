"""Kiosk accounts: added with a hashed password, refused when anything is wrong, listed and disabled."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from wenyun.core.errors import Conflict, DomainError, NotFound
from wenyun.core.models import FailedLogin
from wenyun.sip2.models import KioskAccount
from wenyun.sip2.services import kiosk_account_add, kiosk_account_set_active, kiosk_login


def test_an_account_is_added_for_a_unit_with_only_a_hash_of_its_password(county):
    account = kiosk_account_add(
        name="yx-s01-selfcheck",
        password="kiosk-pass-1",
        institution="YX",
        unit_code="YX-S01",
        encoding="gb18030",
    )
    assert (account.unit.code, account.institution, account.encoding) == ("YX-S01", "YX", "gb18030")
    assert account.patron_pin_required is True
    assert "kiosk-pass-1" not in account.password_hash
    assert account.password_hash.startswith(("pbkdf2_", "argon2", "bcrypt", "scrypt"))
    assert account.channel == "sip2:yx-s01-selfcheck"


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"name": ""}, "kiosk_name_invalid"),
        ({"name": "a|b"}, "kiosk_name_invalid"),
        ({"password": "short"}, "kiosk_password_invalid"),
        ({"institution": ""}, "kiosk_institution_invalid"),
        ({"encoding": "latin-1"}, "kiosk_encoding_invalid"),
        ({"unit_code": "NOPE"}, "unit_not_found"),
    ],
)
def test_a_wrong_account_is_refused_and_nothing_is_saved(county, changes, code):
    values = {
        "name": "kiosk",
        "password": "kiosk-pass-1",
        "institution": "YX",
        "unit_code": "YX-S01",
        **changes,
    }
    with pytest.raises(DomainError) as refused:
        kiosk_account_add(**values)
    assert refused.value.code == code
    assert KioskAccount.objects.count() == 0


def test_a_second_account_with_the_same_name_is_refused(county):
    kiosk_account_add(name="kiosk", password="kiosk-pass-1", institution="YX", unit_code="YX-S01")
    with pytest.raises(Conflict, match="已有名为 kiosk 的自助机账号"):
        kiosk_account_add(name="kiosk", password="other-pass-2", institution="YX", unit_code="YX-S02")
    assert list(KioskAccount.objects.values_list("unit__code", flat=True)) == ["YX-S01"]


def test_login_with_the_right_password_gives_the_account_and_clears_failures(county):
    kiosk_account_add(name="kiosk", password="kiosk-pass-1", institution="YX", unit_code="YX-S01")
    with pytest.raises(DomainError):
        kiosk_login(name="kiosk", password="wrong", peer="192.0.2.1")
    assert FailedLogin.objects.filter(username="sip2:kiosk").count() == 1
    account = kiosk_login(name="kiosk", password="kiosk-pass-1", peer="192.0.2.1")
    assert account.name == "kiosk" and account.last_login_at is not None
    assert FailedLogin.objects.filter(username="sip2:kiosk").count() == 0


def test_a_disabled_account_cannot_log_in(county):
    kiosk_account_add(name="kiosk", password="kiosk-pass-1", institution="YX", unit_code="YX-S01")
    kiosk_account_set_active(name="kiosk", active=False)
    with pytest.raises(DomainError) as refused:
        kiosk_login(name="kiosk", password="kiosk-pass-1")
    assert refused.value.code == "kiosk_login_refused"
    with pytest.raises(NotFound):
        kiosk_account_set_active(name="nobody", active=False)


def test_the_command_adds_lists_and_disables(county, capsys):
    call_command(
        "sip2_account",
        "add",
        "drop-1",
        "--password",
        "kiosk-pass-1",
        "--institution",
        "YX",
        "--unit",
        "YX-LIB",
        "--no-pin",
    )
    call_command("sip2_account", "list")
    call_command("sip2_account", "disable", "drop-1")
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("Kiosk login drop-1 added for YX-LIB")
    assert out[1] == "drop-1\tYX-LIB\tYX\tutf-8\tno-pin\tactive"
    assert out[2] == "Kiosk login drop-1 disabled."


def test_the_command_says_what_is_wrong(county):
    with pytest.raises(CommandError, match="NOPE"):
        call_command(
            "sip2_account", "add", "k", "--password", "kiosk-pass-1", "--institution", "YX", "--unit", "NOPE"
        )
    assert KioskAccount.objects.count() == 0


def test_a_new_password_replaces_the_old_and_a_short_one_changes_nothing(county, capsys):
    from django.contrib.auth.hashers import check_password

    call_command(
        "sip2_account", "add", "k-2", "--password", "kiosk-pass-1", "--institution", "YX", "--unit", "YX-S01"
    )
    call_command("sip2_account", "password", "k-2", "--password", "kiosk-pass-2")
    assert check_password("kiosk-pass-2", KioskAccount.objects.get(name="k-2").password_hash)
    with pytest.raises(CommandError, match="8"):
        call_command("sip2_account", "password", "k-2", "--password", "short")
    assert check_password("kiosk-pass-2", KioskAccount.objects.get(name="k-2").password_hash)
    assert capsys.readouterr().out.splitlines()[-1] == "Kiosk login k-2 has a new password."

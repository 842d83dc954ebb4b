"""The staff page for kiosk accounts: who may use it, adding, disabling and enabling, new passwords."""

from __future__ import annotations

from django.contrib.auth.hashers import check_password

from wenyun.sip2.models import KioskAccount

from . import factories

NEW = {
    "name": "yx-s01-drop",
    "password": "drop-pass-99",
    "institution": "YX",
    "unit": "YX-S01",
    "encoding": "gb18030",
}


def test_a_village_manager_is_refused_the_page_and_cannot_add_or_disable(client, village_manager, kiosk):
    client.force_login(village_manager)

    page = client.get("/staff/sip2/")
    added = client.post("/staff/sip2/", NEW)
    disabled = client.post(f"/staff/sip2/{kiosk.name}/active/", {"active": "0"})

    assert page.status_code == added.status_code == disabled.status_code == 403
    assert "Kiosk accounts are managed by the county" in page.content.decode() or "自助机账号由" in (
        page.content.decode()
    )
    assert not KioskAccount.objects.filter(name=NEW["name"]).exists()
    kiosk.refresh_from_db()
    assert kiosk.active is True
    assert "/staff/sip2/" not in client.get("/staff/").content.decode()


def test_a_county_admin_lists_adds_and_disables_kiosk_accounts(client, county_admin, kiosk):
    client.force_login(county_admin)

    page = client.get("/staff/sip2/").content.decode()
    assert kiosk.name in page and "YX-S01" in page and 'href="/staff/sip2/"' in page
    response = client.post("/staff/sip2/", NEW)
    assert response.status_code == 302
    added = KioskAccount.objects.get(name=NEW["name"])
    assert (added.unit.code, added.encoding, added.patron_pin_required) == ("YX-S01", "gb18030", False)
    assert check_password("drop-pass-99", added.password_hash)

    client.post(f"/staff/sip2/{added.name}/active/", {"active": "0"})
    added.refresh_from_db()
    assert added.active is False
    client.post(f"/staff/sip2/{added.name}/active/", {"active": "1"})
    added.refresh_from_db()
    assert added.active is True

    client.post(f"/staff/sip2/{added.name}/password/", {"password": "another-pass-1"})
    added.refresh_from_db()
    assert check_password("another-pass-1", added.password_hash)


def test_a_refused_add_says_why_and_adds_nothing(client, county_admin, kiosk):
    client.force_login(county_admin)

    duplicate = client.post("/staff/sip2/", {**NEW, "name": kiosk.name}).content.decode()
    short = client.post("/staff/sip2/", {**NEW, "password": "short"}).content.decode()
    client.post(f"/staff/sip2/{kiosk.name}/password/", {"password": "short"})

    assert kiosk.name in duplicate and ("already" in duplicate or "已有" in duplicate)
    assert "8" in short
    assert KioskAccount.objects.filter(name=kiosk.name).count() == 1
    assert not KioskAccount.objects.filter(name=NEW["name"]).exists()
    kiosk.refresh_from_db()
    assert check_password(factories.KIOSK_PASSWORD, kiosk.password_hash)


def test_a_station_manager_sees_and_changes_only_his_own_units_kiosks(
    client, station_manager, other_station_manager, kiosk, unit
):
    other = factories.kiosk(unit=unit("YX-S02"), name="kiosk-s02")
    client.force_login(other_station_manager)

    page = client.get("/staff/sip2/").content.decode()
    refused = client.post(f"/staff/sip2/{kiosk.name}/active/", {"active": "0"})
    outside = client.post("/staff/sip2/", {**NEW, "unit": "YX-S01"})

    assert other.name in page and kiosk.name not in page
    assert refused.status_code == 404
    kiosk.refresh_from_db()
    assert kiosk.active is True
    assert outside.status_code == 200 and not KioskAccount.objects.filter(name=NEW["name"]).exists()

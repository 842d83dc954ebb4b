"""Sign-in throttles (issue 15 item 9): the staff login, the portal's card + PIN, SIP2 kiosk logins."""

from __future__ import annotations

import pytest
from django.test import Client

from wenyun.circulation.tests import factories as f
from wenyun.core.models import FailedLogin

pytestmark = pytest.mark.django_db


def staff_login(password: str, *, username: str = "station01", address: str = "198.51.100.7", lang="zh-hans"):
    client = Client(REMOTE_ADDR=address, HTTP_ACCEPT_LANGUAGE=lang)
    return client.post("/login/", {"username": username, "password": password})


def portal_login(card: str, pin: str, *, address: str = "198.51.100.7", lang: str = "zh-hans"):
    client = Client(REMOTE_ADDR=address, HTTP_ACCEPT_LANGUAGE=lang)
    return client.post("/account/login/", {"card": card, "pin": pin})


@pytest.fixture
def reader(unit):
    return f.reader(home=unit("YX-LIB"), card="YX7001", pin="1234")


@pytest.mark.parametrize("lang", ["zh-hans", "zh-CN,zh;q=0.9", "zh-cn"])
def test_the_portal_lockout_sentence_is_in_chinese_on_a_chinese_request(reader, lang):
    for _ in range(5):
        portal_login("YX7001", "9999", lang=lang)

    refused = portal_login("YX7001", "1234", lang=lang).content.decode()

    assert "这张读者证的密码错误次数过多。请十五分钟后再试，或到服务台咨询。" in refused


@pytest.mark.parametrize("lang", ["zh-hans", "zh-CN,zh;q=0.9", "zh-cn"])
def test_the_staff_lockout_sentence_is_in_chinese_on_a_chinese_request(county, lang):
    for _ in range(5):
        staff_login("wrong-password", lang=lang)

    refused = staff_login("wenyun-demo", lang=lang).content.decode()

    assert "该账户密码错误次数过多，请 15 分钟后再试。" in refused


def test_five_wrong_passwords_from_elsewhere_do_not_lock_the_desk_out(county):
    for _ in range(5):
        staff_login("wrong-password", address="203.0.113.66")

    desk = staff_login("wenyun-demo", address="198.51.100.7")
    from_there = staff_login("wenyun-demo", address="203.0.113.66")

    assert (desk.status_code, desk["Location"]) == (302, "/staff/")
    assert from_there.status_code == 200
    assert "该账户密码错误次数过多，请 15 分钟后再试。" in from_there.content.decode()


def test_the_accounts_own_looser_limit_locks_it_from_every_address(county, settings):
    settings.LOGIN_ACCOUNT_FAILURE_LIMIT = 8  # 20 by default; each try checks a password hash
    for n in range(settings.LOGIN_ACCOUNT_FAILURE_LIMIT):
        staff_login("wrong-password", address=f"203.0.113.{n}")

    desk = staff_login("wenyun-demo", address="198.51.100.7")

    assert desk.status_code == 200
    assert "该账户密码错误次数过多，请 15 分钟后再试。" in desk.content.decode()


def test_one_address_trying_many_staff_accounts_is_stopped(county, settings):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 6  # 30 by default
    from wenyun.core.models import User

    names = list(User.objects.values_list("username", flat=True).order_by("username"))
    assert len(names) > settings.LOGIN_ADDRESS_FAILURE_LIMIT
    for name in names[: settings.LOGIN_ADDRESS_FAILURE_LIMIT]:
        staff_login("wrong-password", username=name, address="203.0.113.9")

    refused = staff_login("wenyun-demo", username="station01", address="203.0.113.9")
    other_address = staff_login("wenyun-demo", username="station01", address="198.51.100.7")

    assert "这个地址登录失败次数过多，请 15 分钟后再试。" in refused.content.decode()
    assert FailedLogin.objects.filter(ip="203.0.113.9").count() == settings.LOGIN_ADDRESS_FAILURE_LIMIT
    assert (other_address.status_code, other_address["Location"]) == (302, "/staff/")


def test_one_address_trying_one_pin_on_many_cards_is_stopped(unit, settings):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 6  # 30 by default
    cards = [f.reader(home=unit("YX-LIB"), card=f"YX8{n:03d}", pin="1234").card for n in range(7)]
    for card in cards[:6]:
        portal_login(card, "2580", address="203.0.113.9")

    refused = portal_login(cards[-1], "1234", address="203.0.113.9", lang="en").content.decode()
    elsewhere = portal_login(cards[-1], "1234", address="198.51.100.7")

    assert "Too many failed sign-ins from this address. Wait 15 minutes and try again." in refused
    assert elsewhere.status_code == 302


def test_five_wrong_pins_from_elsewhere_do_not_lock_the_reader_out(reader):
    for _ in range(5):
        portal_login("YX7001", "9999", address="203.0.113.66")

    at_home = portal_login("YX7001", "1234", address="198.51.100.7")

    assert at_home.status_code == 302


def test_kiosk_logins_from_one_address_are_stopped_after_the_address_limit(county, settings):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 6  # 30 by default
    from wenyun.core.errors import Refused
    from wenyun.sip2.services import kiosk_login
    from wenyun.sip2.tests import factories as kiosks

    kiosk = kiosks.kiosk(unit=county)
    for n in range(settings.LOGIN_ADDRESS_FAILURE_LIMIT):
        with pytest.raises(Refused):
            kiosk_login(name=f"guess-{n}", password="whatever1", peer="203.0.113.9")

    with pytest.raises(Refused):
        kiosk_login(name=kiosk.name, password=kiosks.KIOSK_PASSWORD, peer="203.0.113.9")
    assert kiosk_login(name=kiosk.name, password=kiosks.KIOSK_PASSWORD, peer="198.51.100.7") == kiosk
    assert FailedLogin.objects.filter(ip="203.0.113.9").count() == settings.LOGIN_ADDRESS_FAILURE_LIMIT


def test_a_county_admin_lifts_a_lock_and_no_one_else_may(county, county_admin, station_manager):
    from wenyun.core.errors import Forbidden
    from wenyun.core.services import login_lock_lift, login_locks

    for _ in range(5):
        staff_login("wrong-password", username="library", address="203.0.113.66")
    assert [(lock["account"], lock["address"]) for lock in login_locks()] == [("library", "203.0.113.66")]

    with pytest.raises(Forbidden):
        login_lock_lift(actor=station_manager, username="library")
    assert FailedLogin.objects.filter(username="library").count() == 5

    assert login_lock_lift(actor=county_admin, username="library") == 5
    assert login_locks() == []
    assert staff_login("wenyun-demo", username="library", address="203.0.113.66").status_code == 302


def test_the_unlock_command_lifts_a_cards_lock(reader):
    from django.core.management import call_command

    for _ in range(5):
        portal_login("YX7001", "9999")
    assert portal_login("YX7001", "1234").status_code == 200

    call_command("login_unlock", "YX7001", "--card")

    assert portal_login("YX7001", "1234").status_code == 302
    assert FailedLogin.objects.filter(username="card:yx7001").count() == 0

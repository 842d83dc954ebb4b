import pytest
from django.test import Client

from wenyun.core.models import FailedLogin

pytestmark = pytest.mark.django_db


def _login(client: Client, password: str):
    return client.post("/login/", {"username": "station01", "password": password})


def test_a_staff_member_logs_in_and_lands_on_the_workbench(county):
    response = _login(Client(), "wenyun-demo")

    assert response.status_code == 302
    assert response["Location"] == "/staff/"


def test_five_wrong_passwords_lock_the_account_even_for_the_right_one(county, settings):
    settings.LOGIN_FAILURE_LIMIT = 5
    client = Client()
    for _ in range(5):
        assert _login(client, "wrong-password").status_code == 200

    refused = _login(client, "wenyun-demo")

    assert refused.status_code == 200
    assert "密码错误次数过多" in refused.content.decode()
    assert "_auth_user_id" not in client.session
    assert FailedLogin.objects.filter(username="station01").count() == 5


def test_a_good_login_clears_the_failures(county):
    client = Client()
    _login(client, "wrong-password")
    _login(client, "wenyun-demo")

    assert FailedLogin.objects.filter(username="station01").count() == 0


def test_password_change_needs_the_old_password(county):
    client = Client()
    _login(client, "wenyun-demo")

    response = client.post(
        "/staff/password/",
        {"old_password": "nope", "new_password1": "a-new-pass-77", "new_password2": "a-new-pass-77"},
    )

    assert response.status_code == 200
    assert Client().login(username="station01", password="wenyun-demo")


def test_a_reader_signed_in_with_card_and_pin_sees_his_name_in_the_header(unit):
    from wenyun.circulation.models import ReaderCategory
    from wenyun.circulation.services import reader_register

    category = ReaderCategory.objects.get_or_create(code="adult", defaults={"name": "成人"})[0]
    reader = reader_register(
        actor=None, card="R-HEAD-1", name="李四", category=category, home_unit=unit("YX-LIB"), pin="2468"
    )
    client = Client()
    session = client.session
    session["portal_reader"] = reader.pk
    session.save()

    body = client.get("/").content.decode()

    assert "李四" in body
    assert "/account/logout/" in body
    assert "工作人员登录" not in body

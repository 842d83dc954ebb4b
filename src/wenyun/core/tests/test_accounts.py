import pytest
from django.test import Client

from wenyun.core.errors import Conflict, DomainError, Forbidden
from wenyun.core.models import User
from wenyun.core.selectors import accounts_visible_to
from wenyun.core.services import account_create, account_update

pytestmark = pytest.mark.django_db


def test_a_station_manager_creates_a_village_manager_for_one_of_his_villages(station_manager, unit):
    account = account_create(
        actor=station_manager,
        username="v-new",
        display_name="王书屋",
        role="village_manager",
        unit=unit("YX-S01-V05"),
        password="long-enough-9",
    )

    assert account.check_password("long-enough-9")
    assert (account.role, account.unit.code) == ("village_manager", "YX-S01-V05")


@pytest.mark.parametrize(
    ("role", "code"),
    [("village_manager", "YX-S02-V01"), ("station_manager", "YX-S01"), ("county_admin", "YX")],
)
def test_a_station_manager_cannot_give_a_role_outside_his_reach(station_manager, unit, role, code):
    accounts = User.objects.count()

    with pytest.raises(Forbidden):
        account_create(
            actor=station_manager,
            username="x-new",
            display_name="某人",
            role=role,
            unit=unit(code),
            password="long-enough-9",
        )

    assert User.objects.count() == accounts


def test_a_taken_username_and_a_weak_password_are_refused(county_admin, unit):
    accounts = User.objects.count()

    with pytest.raises(Conflict):
        account_create(
            actor=county_admin,
            username="STATION01",
            display_name="重名",
            role="village_manager",
            unit=unit("YX-S01-V01"),
            password="long-enough-9",
        )
    with pytest.raises(DomainError) as weak:
        account_create(
            actor=county_admin,
            username="weak",
            display_name="弱",
            role="village_manager",
            unit=unit("YX-S01-V01"),
            password="12345678",
        )

    assert weak.value.code == "password_invalid"
    assert User.objects.count() == accounts


def test_an_admin_cannot_disable_himself(county_admin, county):
    with pytest.raises(DomainError):
        account_update(
            actor=county_admin,
            user=county_admin,
            role="county_admin",
            unit=county,
            is_active=False,
            display_name="x",
        )

    county_admin.refresh_from_db()
    assert county_admin.is_active


def test_a_station_manager_lists_only_his_townships_staff(station_manager):
    usernames = set(accounts_visible_to(station_manager).values_list("username", flat=True))

    assert "station01" in usernames and "village0101" in usernames
    assert len(usernames) == 1 + 9
    assert "station02" not in usernames and "admin" not in usernames


def test_the_accounts_page_creates_an_account(county_admin):
    client = Client()
    client.force_login(county_admin)

    response = client.post(
        "/staff/accounts/",
        {
            "username": "lib2",
            "display_name": "流通二",
            "role": "institution_staff",
            "unit": "YX-LIB",
            "password": "long-enough-9",
        },
    )

    assert response.status_code == 302
    assert User.objects.get(username="lib2").unit.code == "YX-LIB"


def test_a_station_manager_is_offered_only_the_village_manager_role(station_manager):
    client = Client()
    client.force_login(station_manager)

    body = client.get("/staff/accounts/").content.decode()

    assert 'value="village_manager"' in body
    assert 'value="county_admin"' not in body and 'value="station_manager"' not in body

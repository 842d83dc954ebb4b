import datetime as dt
import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from wenyun.workforce import services
from wenyun.workforce.models import EmploymentType, Post, StaffMember, SubsidyRoll

from .conftest import BANK_ACCOUNT, ID_NUMBER

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def may(standards, hire, unit, county_admin):
    hire(
        unit("YX-S01-V01"),
        Post.BOOKSTORE_MANAGER,
        name="王建国",
        id_number=ID_NUMBER,
        bank_account=BANK_ACCOUNT,
    )
    hire(unit("YX-S02-V01"), Post.BOOKSTORE_MANAGER, name="陈春梅")
    return services.roll_open(actor=county_admin, month=dt.date(2026, 5, 1))


def test_the_bureau_reviews_approves_and_downloads_a_roll(may, county_admin):
    client = _client(county_admin)

    page = client.get("/staff/workforce/rolls/2026-05/").content.decode()
    approved = client.post(
        "/staff/workforce/rolls/2026-05/approve/", {"expected_total": "1400.00"}, follow=True
    )
    download = client.get("/staff/workforce/rolls/2026-05/xlsx/")

    assert "王建国" in page and "陈春梅" in page and "1,400.00" in page
    wang = StaffMember.objects.get(name="王建国")
    assert f'<a href="/staff/workforce/staff/{wang.pk}/">王建国</a>' in page
    assert "The roll for 2026-05 is approved and frozen." in approved.content.decode()
    may.refresh_from_db()
    assert may.status == SubsidyRoll.Status.APPROVED
    assert download["Content-Disposition"] == 'attachment; filename="subsidy-roll-2026-05.xlsx"'
    sheet = load_workbook(io.BytesIO(download.content)).active
    assert [row[6] for row in sheet.iter_rows(values_only=True) if row[1] in ("Total", "合计")] == [1400]


def test_approving_a_frozen_roll_from_the_page_says_why_and_changes_nothing(may, county_admin):
    client = _client(county_admin)
    client.post("/staff/workforce/rolls/2026-05/approve/")
    may.refresh_from_db()
    approved_at = may.approved_at

    again = client.post("/staff/workforce/rolls/2026-05/approve/", follow=True)

    assert "The roll for 2026-05 was already approved on" in again.content.decode()
    may.refresh_from_db()
    assert may.approved_at == approved_at


def test_a_station_manager_sees_only_his_townships_lines_and_cannot_approve(may, station_manager):
    client = _client(station_manager)

    page = client.get("/staff/workforce/rolls/2026-05/").content.decode()
    refused = client.post("/staff/workforce/rolls/2026-05/approve/", follow=True).content.decode()

    assert "王建国" in page and "陈春梅" not in page
    assert 'id="approve"' not in page
    assert "Only the county bureau may approve a subsidy roll." in refused
    may.refresh_from_db()
    assert may.status == SubsidyRoll.Status.DRAFT


def test_the_person_page_masks_identity_and_bank_numbers(may, county_admin):
    person = StaffMember.objects.get(name="王建国")

    page = _client(county_admin).get(f"/staff/workforce/staff/{person.pk}/").content.decode()

    assert ID_NUMBER not in page and BANK_ACCOUNT not in page
    assert "**************" + ID_NUMBER[-4:] in page
    assert "***************8901" in page


def test_a_station_manager_cannot_open_another_townships_person(may, station_manager):
    theirs = StaffMember.objects.get(name="陈春梅")

    response = _client(station_manager).get(f"/staff/workforce/staff/{theirs.pk}/")

    assert response.status_code == 404


def test_the_staffing_page_names_the_villages_without_a_full_time_worker(
    rules_village, hire, unit, station_manager
):
    hire(unit("YX-S01-V01"), Post.BOOKSTORE_MANAGER)
    hire(unit("YX-S01-V01"), Post.FULL_TIME_WORKER, name="专职甲")

    page = _client(station_manager).get("/staff/workforce/staffing/").content.decode()

    assert page.count("no Full-time cultural worker (1 missing)") == 8
    assert '<a href="/staff/workforce/units/YX-S01-V02/">' in page
    assert page.count("no Bookstore manager (1 missing)") == 8
    assert "东坝" not in page


def test_adding_a_person_with_a_bad_identity_number_keeps_the_form_and_saves_nobody(station_manager):
    response = _client(station_manager).post(
        "/staff/workforce/staff/new/",
        {
            "name": "赵六",
            "unit": "YX-S01-V02",
            "post": Post.BOOKSTORE_MANAGER,
            "employment": EmploymentType.CONTRACT,
            "start_date": "2026-05-01",
            "id_number": "12345",
        },
    )

    assert response.status_code == 200
    assert (
        "An identity number has 18 characters: 17 digits and a last digit or X." in response.content.decode()
    )
    assert StaffMember.objects.count() == 0


def test_a_station_manager_adds_a_person_to_his_village(station_manager):
    response = _client(station_manager).post(
        "/staff/workforce/staff/new/",
        {
            "name": "赵六",
            "unit": "YX-S01-V02",
            "post": Post.BOOKSTORE_MANAGER,
            "employment": EmploymentType.CONTRACT,
            "start_date": "2026-05-01",
            "note": "村两委推荐",
        },
    )

    person = StaffMember.objects.get()
    assert response.status_code == 302
    assert list(person.appointments.values_list("unit__code", "note")) == [("YX-S01-V02", "村两委推荐")]


def test_the_bureau_opens_a_month_from_the_rolls_page(standards, hire, unit, county_admin):
    hire(unit("YX-S01-V01"), Post.BOOKSTORE_MANAGER)

    response = _client(county_admin).post("/staff/workforce/rolls/", {"month": "2026-06"})

    assert response.status_code == 302
    assert response["Location"] == "/staff/workforce/rolls/2026-06/"
    assert SubsidyRoll.objects.get().total == 700


def test_every_workforce_page_renders_for_the_demo_county(demo_staff, county_admin, station_manager):
    person = StaffMember.objects.get(account__username="village0101")
    for user in (county_admin, station_manager):
        client = _client(user)
        for path in (
            "/staff/workforce/",
            "/staff/workforce/staffing/",
            "/staff/workforce/standards/",
            "/staff/workforce/rolls/",
            "/staff/workforce/training/",
            "/staff/workforce/units/YX-S01/",
            f"/staff/workforce/staff/{person.pk}/",
            "/staff/workforce/staff/new/",
        ):
            assert client.get(path).status_code == 200, path


def test_editing_a_person_with_the_numbers_left_empty_keeps_the_ones_on_file(may, county_admin):
    person = StaffMember.objects.get(name="王建国")

    response = _client(county_admin).post(
        f"/staff/workforce/staff/{person.pk}/edit/", {"name": "王建国", "phone": "13912345678", "gender": "M"}
    )

    person.refresh_from_db()
    assert response.status_code == 302
    assert (person.phone, person.gender, person.bank_account, person.id_number_last4) == (
        "13912345678",
        "M",
        BANK_ACCOUNT,
        ID_NUMBER[-4:],
    )


def test_a_station_manager_may_not_edit_another_townships_person(may, other_station_manager):
    person = StaffMember.objects.get(name="王建国")

    response = _client(other_station_manager).post(
        f"/staff/workforce/staff/{person.pk}/edit/", {"name": "改名", "phone": "13900000000"}
    )

    assert response.status_code == 404
    person.refresh_from_db()
    assert (person.name, person.phone) == ("王建国", "")


def test_the_bureau_adds_an_adjustment_from_the_roll_page(may, county_admin):
    wang = StaffMember.objects.get(name="王建国").appointments.get()

    response = _client(county_admin).post(
        "/staff/workforce/rolls/2026-05/adjust/",
        {"appointment": wang.pk, "corrects_month": "2026-04", "amount": "150", "reason": "四月漏发半月"},
        follow=True,
    )

    assert "Adjustment of 150.00 yuan added for 王建国." in response.content.decode()
    may.refresh_from_db()
    assert may.total == 1550


def test_an_adjustment_without_a_reason_is_refused_from_the_roll_page(may, county_admin):
    wang = StaffMember.objects.get(name="王建国").appointments.get()

    response = _client(county_admin).post(
        "/staff/workforce/rolls/2026-05/adjust/",
        {"appointment": wang.pk, "corrects_month": "2026-04", "amount": "150", "reason": ""},
        follow=True,
    )

    assert "Reason: This field is required." in response.content.decode()
    may.refresh_from_db()
    assert may.total == 1400
    assert may.lines.count() == 2


def test_identity_and_bank_numbers_are_hidden_from_error_reports(station_manager):
    from django.test import RequestFactory
    from django.views.debug import SafeExceptionReporterFilter

    from wenyun.workforce import views

    request = RequestFactory().post(
        "/staff/workforce/staff/new/", {"name": "赵六", "id_number": ID_NUMBER, "bank_account": BANK_ACCOUNT}
    )
    request.user = station_manager
    views.staff_add(request)

    filtered = SafeExceptionReporterFilter().get_post_parameters(request)
    assert filtered["id_number"] == filtered["bank_account"] == "********************"
    assert filtered["name"] == "赵六"

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from wenyun.network.selectors import unit_get
from wenyun.programs import services
from wenyun.programs.models import Attendance, Booking, MenuOrder, Registration

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _soon() -> dt.datetime:
    """Half an hour from now: registration is open and the doors (an hour before) already are."""
    return (timezone.localtime() + dt.timedelta(minutes=30)).replace(second=0, microsecond=0)


@pytest.fixture
def full_reading(county):
    """A reading event at the county library in half an hour with one place, already taken."""
    library = unit_get(code="YX-LIB")
    room = services.venue_create(
        actor=None, unit=library, name="少儿活动室", capacity=30, opens=dt.time(0, 0), closes=dt.time(23, 59)
    )
    starts = _soon()
    activity = services.activity_create(
        actor=None,
        unit=library,
        title="周末亲子阅读会",
        category="reading",
        venue=room,
        capacity=1,
        sessions=[(starts, starts + dt.timedelta(minutes=30))],
        publish=True,
    )
    first = services.registration_create(activity=activity, name="王芳", phone="13800001111")
    return activity, first


def test_a_reader_on_a_phone_waits_is_promoted_when_someone_cancels_and_checks_in(
    browser, phone_page, live_url, full_reading, screenshot
):
    activity, first = full_reading
    phone_page.goto(live_url("/activities/?when=week"))
    phone_page.get_by_role("link", name="周末亲子阅读会").click()
    expect(phone_page.locator("#places")).to_contain_text("剩余名额 0/1")

    phone_page.fill("#id_name", "李雷")
    phone_page.fill("#id_phone", "139 1234 5678")
    phone_page.locator("#register").click()

    expect(phone_page.locator(".msg-warning")).to_contain_text("您已进入候补名单")
    expect(phone_page.locator("#status")).to_contain_text("候补第 1 位")
    mine = Registration.objects.get(phone="13912345678")
    assert (mine.status, mine.activity_id) == ("waiting", activity.pk)

    services.registration_cancel(registration=first)  # 王芳 cancels at the desk
    phone_page.reload()

    expect(phone_page.locator("#status")).to_contain_text("名额已确认")
    expect(phone_page.locator(".qr svg")).to_be_visible()
    screenshot(phone_page, "programs-registration")
    mine.refresh_from_db()
    assert mine.status == "confirmed"

    # At the door the librarian's phone opens the QR code's link and checks him in.
    staff = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True)
    door = staff.new_page()
    door.goto(live_url("/login/"))
    door.fill("#id_username", "library")
    door.fill("#id_password", "wenyun-demo")
    door.click("button[type=submit]")
    door.goto(live_url(f"/staff/programs/checkin/{mine.code}/"))
    door.locator("#check-in").click()
    expect(door.locator("#checked-in")).to_contain_text("已签到")
    staff.close()
    assert list(Attendance.objects.values_list("registration__name", "method")) == [("李雷", "qr")]


def test_registering_twice_on_the_portal_says_why_and_changes_nothing(page, live_url, full_reading):
    activity, _first = full_reading
    page.goto(live_url(f"/activities/{activity.pk}/"))
    page.fill("#id_name", "王芳")
    page.fill("#id_phone", "13800001111")
    page.locator("#register").click()

    expect(page.locator(".msg-error")).to_contain_text("王芳已报名周末亲子阅读会。")
    assert Registration.objects.filter(activity=activity).count() == 1


@pytest.fixture
def opera(county):
    return services.menu_item_create(
        actor=None, provider=unit_get(code="YX-CC"), title="川剧折子戏专场", kind="performance", lead_days=7
    )


def test_a_village_orders_a_performance_and_the_county_confirms_it(
    browser, phone_page, live_url, login, opera, screenshot
):
    wanted = timezone.localdate() + dt.timedelta(days=20)
    login("village0101", on=phone_page)
    phone_page.goto(live_url("/staff/programs/menu/"))
    phone_page.select_option("#id_item", label="川剧折子戏专场")
    phone_page.fill("#id_wanted_on", wanted.isoformat())
    phone_page.fill("#id_note", "村里重阳节活动")
    phone_page.locator("#order").click()

    expect(phone_page.locator(".msg-success")).to_contain_text("点单成功")
    expect(phone_page.locator("#orders")).to_contain_text("已点单")
    order = MenuOrder.objects.get()
    assert (order.unit.code, order.wanted_on, order.status) == ("YX-S01-V01", wanted, "ordered")

    county = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    desk = county.new_page()
    desk.goto(live_url("/login/"))
    desk.fill("#id_username", "admin")
    desk.fill("#id_password", "wenyun-demo")
    desk.click("button[type=submit]")
    desk.goto(live_url("/staff/programs/menu/"))
    desk.locator(f"#order-{order.pk} button.confirm").click()
    expect(desk.locator(".msg-success")).to_contain_text("点单已确认")
    screenshot(desk, "programs-menu")
    county.close()

    order.refresh_from_db()
    assert (order.status, timezone.localtime(order.scheduled_at).date()) == ("confirmed", wanted)
    phone_page.reload()
    expect(phone_page.locator("#orders")).to_contain_text("已确认")


def test_booking_a_clashing_slot_names_the_clash_and_saves_nothing(phone_page, live_url, county):
    station = unit_get(code="YX-S01")
    room = services.venue_create(actor=None, unit=station, name="多功能活动室", capacity=40)
    day = timezone.localdate() + dt.timedelta(days=3)
    start = timezone.make_aware(dt.datetime.combine(day, dt.time(14)))
    first = services.booking_request(
        venue=room,
        requester_kind="school",
        requester_name="城关小学",
        phone="13800002222",
        purpose="课外阅读课",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
    )
    services.booking_approve(actor=None, booking=first)

    phone_page.goto(live_url("/venues/"))
    phone_page.get_by_role("link", name="多功能活动室").click()
    phone_page.select_option("#id_requester_kind", "troupe")
    phone_page.fill("#id_requester_name", "夕阳红舞蹈队")
    phone_page.fill("#id_phone", "13700001111")
    phone_page.fill("#id_purpose", "排练")
    phone_page.fill("#id_attendees", "20")
    phone_page.fill("#id_day", day.isoformat())
    phone_page.fill("#id_starts", "15:00")
    phone_page.fill("#id_ends", "17:00")
    phone_page.locator("#request").click()

    expect(phone_page.locator(".msg-error")).to_contain_text(
        "多功能活动室该时段已被占用：城关小学的预约（课外阅读课）"
    )
    assert list(Booking.objects.values_list("requester_name", flat=True)) == ["城关小学"]


def test_a_station_manager_cannot_approve_another_stations_booking(page, live_url, login, county):
    room = services.venue_create(actor=None, unit=unit_get(code="YX-S01"), name="多功能活动室", capacity=40)
    start = timezone.make_aware(dt.datetime.combine(timezone.localdate() + dt.timedelta(days=3), dt.time(14)))
    booking = services.booking_request(
        venue=room,
        requester_kind="reader",
        requester_name="读书会",
        phone="13800002222",
        purpose="读书分享",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
    )
    login("station02")
    page.goto(live_url("/staff/programs/bookings/"))
    expect(page.locator("body")).not_to_contain_text("读书分享")

    # A forged approval is refused by the service, which says why, and nothing changes.
    from django.test import Client

    from wenyun.core.models import User

    forger = Client()
    forger.force_login(User.objects.get(username="station02"))
    answer = forger.post(f"/staff/programs/bookings/{booking.pk}/approve/", follow=True)
    assert "您不能代表城关镇综合文化站操作：它不在您的管辖范围内。" in answer.content.decode()
    booking.refresh_from_db()
    assert (booking.status, booking.decided_by) == ("requested", None)

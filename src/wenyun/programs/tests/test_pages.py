from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from wenyun.core.errors import Conflict, DomainError
from wenyun.programs import services
from wenyun.programs.models import News, ProgramEvent, Troupe

from .conftest import NOW, SATURDAY

STAFF_PAGES = [
    "/staff/programs/",
    "/staff/programs/activities/new/",
    "/staff/programs/venues/",
    "/staff/programs/bookings/",
    "/staff/programs/visits/",
    "/staff/programs/menu/",
    "/staff/programs/troupes/",
    "/staff/programs/digital/",
    "/staff/programs/news/",
    "/staff/programs/news/new/",
    "/staff/volunteers/",
    "/staff/volunteers/projects/",
]
PORTAL_PAGES = [
    "/activities/",
    "/activities/?when=weekend&township=YX-S01",
    "/activities/mine/",
    "/visits/",
    "/venues/",
    "/news/",
    "/",
]


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["admin", "village0101"])
def test_every_staff_page_opens_for_the_county_and_a_village(client, county, username, lecture):
    from wenyun.core.models import User

    client.force_login(User.objects.get(username=username))

    assert {path: client.get(path).status_code for path in STAFF_PAGES} == dict.fromkeys(STAFF_PAGES, 200)


@pytest.mark.django_db
def test_every_portal_page_opens_for_a_visitor(client, lecture):
    assert {path: client.get(path).status_code for path in PORTAL_PAGES} == dict.fromkeys(PORTAL_PAGES, 200)
    assert client.get(f"/activities/{lecture.pk}/").status_code == 200


@pytest.mark.django_db
def test_a_draft_activity_is_not_on_the_portal(client, lib, hall):
    draft = services.activity_create(
        actor=None,
        unit=lib,
        title="草稿",
        category="lecture",
        venue=hall,
        sessions=[(SATURDAY, SATURDAY + dt.timedelta(hours=1))],
    )

    assert client.get(f"/activities/{draft.pk}/").status_code == 404


@pytest.mark.django_db
def test_a_village_manager_does_not_open_the_librarys_activity(client, lecture, village_manager):
    client.force_login(village_manager)

    assert client.get(f"/staff/programs/activities/{lecture.pk}/").status_code == 404


@pytest.mark.django_db
class TestNewsAndTroupes:
    def test_a_photo_that_is_not_an_image_is_refused_and_nothing_is_saved(self, s01, station_manager):
        fake = SimpleUploadedFile("photo.exe", b"MZ...", content_type="application/octet-stream")

        with pytest.raises(DomainError) as refused:
            services.news_save(
                actor=station_manager, unit=s01, title="文艺汇演", body="正文", photo=fake, publish=True
            )

        assert refused.value.message == "A photo must be a JPEG, PNG, WebP or GIF image."
        assert News.objects.count() == 0

    def test_publishing_puts_news_on_the_portal(self, client, s01, station_manager):
        item = services.news_save(
            actor=station_manager, unit=s01, title="文艺汇演", body="正文", publish=True, at=NOW
        )

        assert (item.status, item.published_at) == ("published", NOW)
        assert "文艺汇演" in client.get("/news/unit/YX-S01/").content.decode()
        assert ProgramEvent.objects.get(type="news_published").details == {"news": item.pk}

    def test_a_troupe_name_is_unique_within_its_unit(self, s01, station_manager):
        services.troupe_register(
            actor=station_manager, unit=s01, name="城关腰鼓队", art_form="腰鼓", leader="陈静"
        )

        with pytest.raises(Conflict):
            services.troupe_register(
                actor=station_manager, unit=s01, name="城关腰鼓队", art_form="腰鼓", leader="刘洋"
            )

        assert Troupe.objects.count() == 1

    def test_support_and_performances_are_logged_for_the_statistics(self, s01, station_manager):
        troupe = services.troupe_register(
            actor=station_manager, unit=s01, name="城关腰鼓队", art_form="腰鼓", leader="陈静"
        )
        services.troupe_support_add(
            actor=station_manager,
            troupe=troupe,
            kind="funding",
            on=dt.date(2026, 5, 1),
            description="扶持资金",
            amount="3000",
        )
        services.troupe_performance_add(
            actor=station_manager,
            troupe=troupe,
            on=dt.date(2026, 5, 4),
            title="青年节展演",
            place="城关广场",
            audience=300,
        )

        assert list(ProgramEvent.objects.order_by("pk").values_list("type", "details")) == [
            ("troupe_registered", {"troupe": troupe.pk}),
            ("troupe_supported", {"troupe": troupe.pk, "kind": "funding", "amount": "3000"}),
            ("troupe_performed", {"troupe": troupe.pk, "audience": 300, "on": "2026-05-04"}),
        ]


@pytest.mark.django_db
class TestStaffAndReaderForms:
    def test_staff_create_a_weekly_class_from_the_form(self, client, library_staff, hall):
        client.force_login(library_staff)

        answer = client.post(
            "/staff/programs/activities/new/",
            {
                "title": "书法培训班",
                "category": "training",
                "audience": "adults",
                "venue": hall.pk,
                "first_day": "2027-03-06",
                "starts": "09:00",
                "minutes": "120",
                "count": "3",
                "capacity": "20",
                "registration_required": "on",
                "publish": "on",
            },
        )

        from wenyun.programs.models import Activity

        activity = Activity.objects.get(title="书法培训班")
        assert answer.status_code == 302
        assert (activity.status, activity.capacity, activity.unit.code) == ("published", 20, "YX-LIB")
        assert [s.starts_at.date().isoformat() for s in activity.sessions.all()] == [
            "2027-03-06",
            "2027-03-13",
            "2027-03-20",
        ]

    def test_a_logged_in_reader_registers_as_himself(self, client, lib, hall, reader_account, make_reader):
        make_reader("YX0000777", "张三", "13911112222", account=reader_account)
        start = timezone.now() + dt.timedelta(days=2)
        activity = services.activity_create(
            actor=None,
            unit=lib,
            title="读书分享会",
            category="reading",
            venue=hall,
            capacity=10,
            sessions=[(start, start + dt.timedelta(hours=1))],
            publish=True,
        )
        client.force_login(reader_account)

        client.post(f"/activities/{activity.pk}/", {})

        from wenyun.programs.models import Registration

        assert list(Registration.objects.values_list("party", "name", "status")) == [
            ("card:YX0000777", "张三", "confirmed")
        ]
        assert "读书分享会" in client.get("/activities/mine/").content.decode()

    def test_staff_check_a_registrant_in_from_the_list(self, client, lib, hall, library_staff):
        start = timezone.now() + dt.timedelta(minutes=30)
        activity = services.activity_create(
            actor=None,
            unit=lib,
            title="读书分享会",
            category="reading",
            venue=hall,
            capacity=10,
            sessions=[(start, start + dt.timedelta(hours=1))],
            publish=True,
        )
        registration = services.registration_create(activity=activity, name="王芳", phone="13800001111")
        session = activity.sessions.get()
        client.force_login(library_staff)

        client.post(
            f"/staff/programs/activities/{activity.pk}/checkin/{registration.pk}/", {"session": session.pk}
        )

        from wenyun.programs.models import Attendance

        assert list(Attendance.objects.values_list("registration__name", "method", "by__username")) == [
            ("王芳", "list", "library")
        ]

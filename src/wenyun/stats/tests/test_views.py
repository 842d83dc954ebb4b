"""The statistics pages for staff: dashboards, the report, entry pages, downloads, refusals."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from wenyun.stats import services
from wenyun.stats.models import DoorCount, ManualFigure

LAST_YEAR = timezone.localdate().year - 1


def test_the_county_dashboard_and_wall_screen_show_the_charts_and_their_definitions(
    client, county_admin, unit
):
    services.door_count_set(actor=None, unit=unit("YX-S01-V01"), day=timezone.localdate(), visits=33)
    client.force_login(county_admin)
    page = client.get("/staff/stats/")
    assert page.status_code == 200
    body = page.content.decode()
    assert 'id="chart-stations"' in body
    assert "vendor/echarts/echarts.min.js" in body
    assert 'id="def-visits_door"' in body
    wall = client.get("/staff/stats/screen/?unit=YX")
    assert wall.status_code == 200
    assert 'class="wall"' in wall.content.decode()


def test_a_dashboard_older_than_five_minutes_is_served_at_once_and_computed_again_behind(
    client, county_admin, unit, monkeypatch, settings
):
    from django.core.cache import cache

    from wenyun.stats import dashboard

    later: list = []
    monkeypatch.setattr(dashboard, "start_in_background", later.append)
    village = unit("YX-S01-V01")
    services.door_count_set(actor=None, unit=village, day=timezone.localdate(), visits=33)
    client.force_login(county_admin)

    def stations_panel() -> dict:
        board = client.get("/staff/stats/?unit=YX").context["board"]
        return dict(board.panel("stations").rows)

    assert stations_panel()["城关镇综合文化站"] == 33  # computed by the first request
    services.door_count_set(actor=None, unit=village, day=timezone.localdate(), visits=50)
    assert stations_panel()["城关镇综合文化站"] == 33  # kept, and fresh: nothing to do
    assert later == []
    settings.STATS_DASHBOARD_FRESH_SECONDS = 0
    assert stations_panel()["城关镇综合文化站"] == 33  # old: served as it was ...
    assert len(later) == 1  # ... and computed again behind the request, once at a time
    assert stations_panel()["城关镇综合文化站"] == 33
    assert len(later) == 1
    later.pop()()
    assert stations_panel()["城关镇综合文化站"] == 50
    assert len(later) == 1  # still older than the (zero) fresh time: again behind the next one
    # A computation that fails leaves the figures as they were and lets the next request try again.
    monkeypatch.setattr(dashboard, "dashboard_build", lambda **kw: 1 / 0)
    services.door_count_set(actor=None, unit=village, day=timezone.localdate(), visits=70)
    with pytest.raises(ZeroDivisionError):
        later.pop()()
    assert stations_panel()["城关镇综合文化站"] == 50
    assert len(later) == 1
    assert cache.get(dashboard._key(unit("YX"), "zh-hans")) is not None
    # Figures of an earlier day are served too (a wall screen just after midnight), and computed again.
    settings.STATS_DASHBOARD_FRESH_SECONDS = 300
    later.clear()
    cache.delete(f"{dashboard._key(unit('YX'), 'zh-hans')}:computing")
    monkeypatch.undo()
    monkeypatch.setattr(dashboard, "start_in_background", later.append)
    board = cache.get(dashboard._key(unit("YX"), "zh-hans"))
    board.as_of -= dt.timedelta(days=1)
    board.computed_at = timezone.now()
    cache.set(dashboard._key(unit("YX"), "zh-hans"), board)
    assert stations_panel()["城关镇综合文化站"] == 50
    assert len(later) == 1
    later.pop()()
    assert client.get("/staff/stats/?unit=YX").context["board"].as_of == timezone.localdate()
    assert stations_panel()["城关镇综合文化站"] == 70


def test_the_server_computes_the_county_dashboards_as_it_starts(monkeypatch, settings, unit):
    from django.core.cache import cache

    from wenyun.core.signals import serving
    from wenyun.stats import dashboard

    started: list = []
    monkeypatch.setattr(dashboard, "start_in_background", started.append)
    settings.STATS_DASHBOARD_WARM = False
    serving.send(sender=None)
    assert started == []
    settings.STATS_DASHBOARD_WARM = True
    serving.send(sender=None)
    assert len(started) == 1
    started[0]()
    for language in ("zh-hans", "en"):
        board = cache.get(dashboard._key(unit("YX"), language))
        assert board is not None and board.as_of == timezone.localdate()
        assert board.tiles
    assert cache.get(dashboard._key(unit("YX-S01"), "zh-hans")) is None  # only the top of the tree


def test_every_chart_downloads_as_a_table(client, county_admin, unit):
    services.door_count_set(actor=None, unit=unit("YX-S01-V01"), day=timezone.localdate(), visits=33)
    client.force_login(county_admin)
    response = client.get("/staff/stats/panels/stations.csv?unit=YX")
    assert response.status_code == 200
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "单位,总流通人次"
    assert lines[1] == "城关镇综合文化站,33"
    assert len(lines) == 12
    assert client.get("/staff/stats/panels/nothing.csv").status_code == 404


def test_a_station_manager_sees_his_township_and_not_another(client, station_manager):
    client.force_login(station_manager)
    assert client.get("/staff/stats/").status_code == 200
    assert client.get("/staff/stats/?unit=YX-S01-V02").status_code == 200
    assert client.get("/staff/stats/?unit=YX-S02").status_code == 404
    assert client.get("/staff/stats/annual/?unit=YX-S02").status_code == 404


def test_a_reader_may_not_see_statistics(client, reader_account):
    client.force_login(reader_account)
    assert client.get("/staff/stats/").status_code == 403


def test_the_annual_page_and_its_xlsx(client, county_admin):
    client.force_login(county_admin)
    page = client.get(f"/staff/stats/annual/?year={LAST_YEAR}&unit=YX")
    assert page.status_code == 200
    assert 'id="form-library"' in page.content.decode()
    xlsx = client.get(f"/staff/stats/annual.xlsx?year={LAST_YEAR}&unit=YX")
    assert xlsx.status_code == 200
    assert xlsx["Content-Disposition"] == f'attachment; filename="annual-statistics-YX-{LAST_YEAR}.xlsx"'
    bad = client.get("/staff/stats/annual/?year=twenty", follow=True)
    assert "年份必须是数字" in bad.content.decode()


def test_entering_a_figure_on_the_page(client, library_staff):
    client.force_login(library_staff)
    response = client.post(
        "/staff/stats/figures/",
        {"unit": "YX-LIB", "code": "terminals", "year": LAST_YEAR, "value": "24", "note": ""},
    )
    assert response.status_code == 302
    assert ManualFigure.objects.get().value == 24


def test_a_refused_figure_is_shown_on_the_form_and_nothing_is_saved(client, library_staff):
    client.force_login(library_staff)
    response = client.post(
        "/staff/stats/figures/", {"unit": "YX-LIB", "code": "terminals", "year": LAST_YEAR, "value": "-3"}
    )
    assert response.status_code == 200
    assert "数值不能为负数" in response.content.decode()
    assert ManualFigure.objects.count() == 0


def test_a_unit_outside_the_staff_members_own_is_not_offered_nor_accepted(client, village_manager):
    client.force_login(village_manager)
    response = client.post(
        "/staff/stats/door-counts/",
        {"action": "enter", "unit": "YX-S01-V02", "day": f"{LAST_YEAR}-01-05", "visits": "4"},
    )
    assert response.status_code == 200
    assert DoorCount.objects.count() == 0


def test_importing_door_counts_on_the_page_reports_the_bad_rows(client, village_manager):
    client.force_login(village_manager)
    upload = SimpleUploadedFile(
        "days.csv",
        f"unit,day,visits\nYX-S01-V01,{LAST_YEAR}-01-05,4\nYX-S01-V01,{LAST_YEAR}-01-06,x\n".encode(),
    )
    response = client.post("/staff/stats/door-counts/", {"action": "import", "file": upload})
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="import-report"' in body
    assert "到馆人次必须是整数，而不是 x。" in body
    assert list(DoorCount.objects.values_list("day", "visits")) == [(dt.date(LAST_YEAR, 1, 5), 4)]


def test_work_started_in_the_background_runs_on_its_own_thread_and_a_failure_is_logged(caplog):
    import threading

    from wenyun.stats.dashboard import start_in_background

    ran = threading.Event()
    seen: list[str] = []

    def work():
        seen.append(threading.current_thread().name)
        ran.set()
        raise RuntimeError("no figures")

    start_in_background(work)
    assert ran.wait(5)
    for thread in threading.enumerate():
        if thread.name == "dashboard":
            thread.join(5)
    assert seen == ["dashboard"]
    assert "computing a dashboard again failed" in caplog.text


def test_the_unit_picker_names_the_units_in_the_pages_language(client, county_admin, unit):
    station = unit("YX-S01")
    client.force_login(county_admin)
    chinese = client.get("/staff/stats/").content.decode()
    assert f'<option value="YX-S01">YX-S01 {station.name}</option>' in chinese
    client.cookies["django_language"] = "en"
    english = client.get("/staff/stats/annual/").content.decode()
    assert station.name_en and station.name_en != station.name
    assert f'<option value="YX-S01">YX-S01 {station.name_en}</option>' in english

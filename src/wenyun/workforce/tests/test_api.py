import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from wenyun.workforce import exports, services
from wenyun.workforce.models import EmploymentType, Post, SubsidyRoll

pytestmark = pytest.mark.django_db


@pytest.fixture
def may(standards, hire, unit, county_admin):
    hire(unit("YX-S01-V01"), Post.BOOKSTORE_MANAGER, name="王建国", start=dt.date(2026, 5, 11))
    hire(unit("YX-S01"), Post.STATION_HEAD, name="刘德福", employment=EmploymentType.RETIRED)
    hire(unit("YX-S02-V01"), Post.BOOKSTORE_MANAGER, name="陈春梅")
    return services.roll_open(actor=county_admin, month=dt.date(2026, 5, 1))


def test_the_roll_of_a_month_is_in_the_api(may, api_client, county_admin):
    response = api_client(county_admin).get("/api/v1/workforce/rolls/2026-05")

    assert response.status_code == 200
    body = response.json()
    assert (body["month"], body["status"], Decimal(body["total"])) == ("2026-05", "draft", Decimal("1974.19"))
    assert [
        (
            line["unit"],
            line["name"],
            line["post"],
            Decimal(line["standard"]),
            line["days"],
            Decimal(line["amount"]),
        )
        for line in body["lines"]
    ] == [
        ("YX-S01", "刘德福", "station_head", Decimal("800"), 31, Decimal("800")),
        ("YX-S01-V01", "王建国", "bookstore_manager", Decimal("700"), 21, Decimal("474.19")),
        ("YX-S02-V01", "陈春梅", "bookstore_manager", Decimal("700"), 31, Decimal("700")),
    ]
    assert sum(Decimal(line["amount"]) for line in body["lines"]) == Decimal(body["total"])


def test_a_station_manager_gets_only_his_townships_lines(may, api_client, station_manager):
    body = api_client(station_manager).get("/api/v1/workforce/rolls/2026-05").json()

    assert [line["name"] for line in body["lines"]] == ["刘德福", "王建国"]
    assert Decimal(body["total"]) == Decimal("1274.19")


def test_a_month_without_a_roll_or_a_bad_month_is_an_error(may, api_client, county_admin):
    client = api_client(county_admin)

    missing = client.get("/api/v1/workforce/rolls/2026-01")
    bad = client.get("/api/v1/workforce/rolls/2026-5")

    assert (missing.status_code, missing.json()["error"]) == (404, "roll_not_found")
    # Chinese is the default language of the API's messages.
    assert missing.json()["message"] == "2026-01 的补贴发放表尚未生成。"
    assert (bad.status_code, bad.json()["error"]) == (400, "month_invalid")


def test_a_station_manager_cannot_approve_through_the_api(may, api_client, station_manager):
    response = api_client(station_manager).post(
        "/api/v1/workforce/rolls/2026-05/approve",
        data="{}",
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 403
    assert response.json() == {
        "error": "roll_approve_forbidden",
        "message": "Only the county bureau may approve a subsidy roll.",
    }
    may.refresh_from_db()
    assert may.status == SubsidyRoll.Status.DRAFT


def test_the_bureau_approves_through_the_api_with_the_total_it_reviewed(may, api_client, county_admin):
    response = api_client(county_admin).post(
        "/api/v1/workforce/rolls/2026-05/approve",
        data={"expected_total": "1974.19"},
        content_type="application/json",
    )

    assert response.status_code == 200
    assert response.json()["status"] == "approved"


def test_the_staffing_gaps_are_in_the_api(rules_village, hire, unit, api_client, station_manager):
    hire(unit("YX-S01-V01"), Post.BOOKSTORE_MANAGER)

    body = api_client(station_manager).get("/api/v1/workforce/staffing?only_gaps=true").json()

    assert len(body) == 9
    assert body[0] == {
        "unit": "YX-S01-V01",
        "unit_name": body[0]["unit_name"],
        "kind": "village",
        "met": False,
        "gaps": [{"post": "full_time_worker", "required": 1, "present": 0, "missing": 1}],
    }


def test_the_xlsx_roll_reads_back_with_the_rolls_lines_and_total(may, county):
    book = load_workbook(io.BytesIO(exports.roll_xlsx(roll=may, county=county)))
    sheet = book.active
    rows = [row for row in sheet.iter_rows(values_only=True)]
    header = rows.index(next(r for r in rows if r[0] == "No."))
    lines = rows[header + 1 : header + 4]
    total_row = rows[header + 4]

    assert rows[0][0] == "云溪县 subsidy roll for 2026-05"
    assert rows[header] == (
        "No.",
        "Unit",
        "Name",
        "Post",
        "Standard (yuan/month)",
        "Days in post",
        "Amount due (yuan)",
        "Note",
        "Signature",
    )
    assert [(r[2], r[4], r[5], r[6], r[7]) for r in lines] == [
        ("刘德福", 800, 31, 800, None),
        ("王建国", 700, 21, 474.19, "21 of 31 days"),
        ("陈春梅", 700, 31, 700, None),
    ]
    assert total_row[1] == "Total"
    assert Decimal(str(total_row[6])) == may.total == Decimal("1974.19")
    assert Decimal(str(sum(r[6] for r in lines))).quantize(Decimal("0.01")) == may.total


def test_the_demo_rolls_xlsx_total_is_66900(demo_staff, county):
    from django.utils import timezone

    from wenyun.workforce.demo import raise_date
    from wenyun.workforce.selectors import roll_get

    roll = roll_get(month=raise_date(timezone.localdate()))
    sheet = load_workbook(io.BytesIO(exports.roll_xlsx(roll=roll, county=county))).active
    totals = [row for row in sheet.iter_rows(values_only=True) if row[1] == "Total"]

    assert len(totals) == 1
    assert Decimal(str(totals[0][6])) == Decimal("66900")
    assert totals[0][2] == "94 people"


def test_the_xlsx_roll_speaks_chinese_for_the_finance_office(may, county):
    from django.utils import translation

    with translation.override("zh-hans"):
        rows = list(
            load_workbook(io.BytesIO(exports.roll_xlsx(roll=may, county=county))).active.iter_rows(
                values_only=True
            )
        )

    assert rows[0][0] == "云溪县基层文化人员补贴发放表（2026-05）"
    assert rows[1][0] == "草稿，未审批"
    assert rows[2] == (
        "序号",
        "单位",
        "姓名",
        "岗位",
        "补贴标准（元/月）",
        "在岗天数",
        "应发金额（元）",
        "备注",
        "领取人签名",
    )
    assert rows[4][3:8] == ("农家书屋管理员", 700, 21, 474.19, "在岗 21 天（当月 31 天）")
    assert rows[6][1:3] == ("合计", "3 人")

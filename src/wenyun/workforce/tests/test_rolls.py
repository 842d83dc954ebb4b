import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from wenyun.core.errors import Conflict, DomainError, Forbidden, Refused
from wenyun.network.models import UnitKind
from wenyun.workforce import selectors, services
from wenyun.workforce.demo import raise_date
from wenyun.workforce.models import (
    EmploymentType,
    Post,
    RollLine,
    SubsidyRoll,
    SubsidyStandard,
    WorkforceEvent,
)

pytestmark = pytest.mark.django_db


def _month(back: int) -> dt.date:
    month = timezone.localdate().replace(day=1)
    for _ in range(back):
        month = (month - dt.timedelta(days=1)).replace(day=1)
    return month


def _state(roll):
    roll.refresh_from_db()
    return (roll.status, roll.total, roll.approved_at, sorted(roll.lines.values_list("pk", "amount")))


def test_the_demo_roll_after_the_raise_is_66900_yuan_and_before_it_33700(demo_staff):
    raise_day = raise_date(timezone.localdate())
    before = (raise_day - dt.timedelta(days=1)).replace(day=1)

    after_roll = selectors.roll_get(month=raise_day)
    before_roll = selectors.roll_get(month=before)

    assert after_roll.total == Decimal("66900.00") == 11 * 800 + 83 * 700
    assert before_roll.total == Decimal("33700.00") == 11 * 800 + 83 * 300
    assert after_roll.status == before_roll.status == SubsidyRoll.Status.APPROVED
    assert after_roll.lines.filter(post=Post.STATION_HEAD, standard=800).count() == 11
    assert after_roll.lines.filter(post=Post.BOOKSTORE_MANAGER, standard=700).count() == 83
    assert before_roll.lines.filter(post=Post.BOOKSTORE_MANAGER).exclude(standard=300).count() == 0


def test_the_bureau_opens_last_month_reviews_and_approves_it(demo_staff, county_admin):
    month = _month(1)

    roll = services.roll_open(actor=county_admin, month=month)
    approved = services.roll_approve(actor=county_admin, roll=roll, expected_total=Decimal("66900"))

    assert approved.status == SubsidyRoll.Status.APPROVED
    assert approved.approved_by == county_admin
    assert approved.total == Decimal("66900.00")
    assert list(WorkforceEvent.objects.filter(type="roll_approved").values_list("details__month", flat=True))[
        -1
    ] == (month.strftime("%Y-%m"))


def test_a_partial_month_and_a_raise_in_mid_month_are_prorated(standards, hire, unit):
    village = unit("YX-S01-V01")
    hire(village, Post.BOOKSTORE_MANAGER, start=dt.date(2026, 3, 10), name="王建国")
    hire(
        unit("YX-S02"),
        Post.STATION_HEAD,
        start=dt.date(2020, 1, 1),
        end=dt.date(2026, 3, 20),
        name="张志强",
        employment=EmploymentType.RETIRED,
    )

    due = {
        (d.appointment.person.name, d.standard): (d.days, d.amount)
        for d in selectors.roll_compute(month=dt.date(2026, 3, 1))
    }

    # 王建国: 6 days at 300 (10th–15th) and 16 days at 700 (16th–31st); 张志强: 20 of 31 days at 800.
    assert due == {
        ("王建国", Decimal("300.00")): (6, Decimal("58.06")),
        ("王建国", Decimal("700.00")): (16, Decimal("361.29")),
        ("张志强", Decimal("800.00")): (20, Decimal("516.13")),
    }


def test_volunteers_and_posts_without_a_standard_are_not_on_the_roll(standards, hire, unit):
    village = unit("YX-S01-V01")
    hire(village, Post.BOOKSTORE_MANAGER, employment=EmploymentType.VOLUNTEER, name="志愿者甲")
    hire(village, Post.FULL_TIME_WORKER, name="专职乙")

    assert selectors.roll_compute(month=dt.date(2026, 5, 1)) == []


def test_a_new_standard_never_rewrites_an_approved_month(standards, hire, unit, county_admin):
    hire(unit("YX-S01-V01"), Post.BOOKSTORE_MANAGER, name="王建国")
    roll = services.roll_open(actor=county_admin, month=dt.date(2026, 5, 1))
    services.roll_approve(actor=county_admin, roll=roll)
    standards_before = SubsidyStandard.objects.count()

    with pytest.raises(Refused) as refused:
        services.standard_add(
            actor=county_admin,
            post=Post.BOOKSTORE_MANAGER,
            unit_kind=UnitKind.VILLAGE,
            monthly_amount=900,
            effective_from=dt.date(2026, 5, 1),
        )

    assert refused.value.code == "standard_in_approved_month"
    assert refused.value.message == (
        "The roll for 2026-05 is approved, so a new standard can apply from 2026-06-01 at the earliest."
    )
    assert SubsidyStandard.objects.count() == standards_before
    services.standard_add(
        actor=county_admin,
        post=Post.BOOKSTORE_MANAGER,
        unit_kind=UnitKind.VILLAGE,
        monthly_amount=900,
        effective_from=dt.date(2026, 6, 1),
    )
    assert _state(roll)[1] == Decimal("700.00")
    assert selectors.roll_compute(month=dt.date(2026, 6, 1))[0].amount == Decimal("900.00")


def test_approving_twice_is_refused_and_changes_nothing(standards, hire, unit, county_admin):
    hire(unit("YX-S01-V01"), Post.BOOKSTORE_MANAGER)
    roll = services.roll_approve(
        actor=county_admin, roll=services.roll_open(actor=county_admin, month=dt.date(2026, 5, 1))
    )
    before = _state(roll)
    events = WorkforceEvent.objects.count()

    with pytest.raises(Refused) as refused:
        services.roll_approve(actor=county_admin, roll=roll)

    assert refused.value.code == "roll_already_approved"
    assert refused.value.message.startswith("The roll for 2026-05 was already approved on ")
    assert _state(roll) == before
    assert WorkforceEvent.objects.count() == events


def test_a_frozen_roll_cannot_be_recomputed_or_adjusted(standards, hire, unit, county_admin):
    person = hire(unit("YX-S01-V01"), Post.BOOKSTORE_MANAGER)
    roll = services.roll_approve(
        actor=county_admin, roll=services.roll_open(actor=county_admin, month=dt.date(2026, 5, 1))
    )
    hire(unit("YX-S01-V02"), Post.BOOKSTORE_MANAGER, name="新来的")
    before = _state(roll)

    with pytest.raises(Refused) as recompute:
        services.roll_recompute(actor=county_admin, roll=roll)
    with pytest.raises(Refused) as adjust:
        services.roll_adjust(
            actor=county_admin,
            roll=roll,
            appointment=person.appointments.get(),
            amount=100,
            corrects_month=dt.date(2026, 5, 1),
            reason="漏发",
        )

    assert recompute.value.code == adjust.value.code == "roll_frozen"
    assert "is frozen; enter a correction as an adjustment on an open roll" in recompute.value.message
    assert _state(roll) == before


def test_a_correction_is_an_adjustment_line_on_a_later_roll(standards, hire, unit, county_admin):
    person = hire(unit("YX-S01-V01"), Post.BOOKSTORE_MANAGER, start=dt.date(2026, 4, 1))
    april = services.roll_approve(
        actor=county_admin, roll=services.roll_open(actor=county_admin, month=dt.date(2026, 4, 1))
    )
    may = services.roll_open(actor=county_admin, month=dt.date(2026, 5, 1))

    line = services.roll_adjust(
        actor=county_admin,
        roll=may,
        appointment=person.appointments.get(),
        amount="-350",
        corrects_month=dt.date(2026, 4, 1),
        reason="四月半月病假",
    )

    may.refresh_from_db()
    assert (line.kind, line.amount, line.corrects_month) == (
        RollLine.Kind.ADJUSTMENT,
        Decimal("-350.00"),
        dt.date(2026, 4, 1),
    )
    assert may.total == Decimal("350.00")
    assert _state(april)[1] == Decimal("700.00")
    # Recomputing May after a register change keeps the adjustment.
    hire(unit("YX-S01-V02"), Post.BOOKSTORE_MANAGER, name="赵丽娟")
    assert services.roll_recompute(actor=county_admin, roll=may).total == Decimal("1050.00")


def test_an_adjustment_for_a_month_the_person_did_not_serve_is_refused(standards, hire, unit, county_admin):
    person = hire(unit("YX-S01-V01"), Post.BOOKSTORE_MANAGER, start=dt.date(2026, 5, 1))
    may = services.roll_open(actor=county_admin, month=dt.date(2026, 5, 1))

    with pytest.raises(DomainError) as refused:
        services.roll_adjust(
            actor=county_admin,
            roll=may,
            appointment=person.appointments.get(),
            amount=100,
            corrects_month=dt.date(2026, 3, 1),
            reason="补发",
        )

    assert refused.value.message == "李秀英 did not hold this post in 2026-03."
    assert may.lines.filter(kind=RollLine.Kind.ADJUSTMENT).count() == 0


def test_only_the_bureau_approves_a_roll(standards, hire, unit, county_admin, station_manager):
    hire(unit("YX-S01-V01"), Post.BOOKSTORE_MANAGER)
    roll = services.roll_open(actor=county_admin, month=dt.date(2026, 5, 1))
    before = _state(roll)

    with pytest.raises(Forbidden) as refused:
        services.roll_approve(actor=station_manager, roll=roll)

    assert refused.value.code == "roll_approve_forbidden"
    assert refused.value.message == "Only the county bureau may approve a subsidy roll."
    assert _state(roll) == before


def test_a_roll_that_changed_under_review_is_not_approved(standards, hire, unit, county_admin):
    hire(unit("YX-S01-V01"), Post.BOOKSTORE_MANAGER)
    roll = services.roll_open(actor=county_admin, month=dt.date(2026, 5, 1))
    before = _state(roll)

    with pytest.raises(Conflict) as refused:
        services.roll_approve(actor=county_admin, roll=roll, expected_total=Decimal("600"))

    assert refused.value.code == "roll_changed"
    assert _state(roll) == before


def test_a_month_is_opened_once_and_not_before_it_begins(standards, hire, unit, county_admin):
    hire(unit("YX-S01-V01"), Post.BOOKSTORE_MANAGER)
    services.roll_open(actor=county_admin, month=dt.date(2026, 5, 1))
    next_month = (timezone.localdate().replace(day=28) + dt.timedelta(days=4)).replace(day=1)

    with pytest.raises(Conflict) as twice:
        services.roll_open(actor=county_admin, month=dt.date(2026, 5, 1))
    with pytest.raises(Refused) as future:
        services.roll_open(actor=county_admin, month=next_month)

    assert twice.value.message == "The roll for 2026-05 is already open."
    assert future.value.code == "roll_month_future"
    assert list(SubsidyRoll.objects.values_list("month", flat=True)) == [dt.date(2026, 5, 1)]


def test_an_empty_roll_is_not_approved(county_admin):
    roll = services.roll_open(actor=county_admin, month=dt.date(2026, 5, 1))

    with pytest.raises(Refused) as refused:
        services.roll_approve(actor=county_admin, roll=roll)

    assert refused.value.code == "roll_empty"
    assert _state(roll)[0] == SubsidyRoll.Status.DRAFT


def test_subsidy_totals_by_month_count_approved_rolls(standards, hire, unit, county_admin):
    hire(unit("YX-S01-V01"), Post.BOOKSTORE_MANAGER)
    hire(unit("YX-S02-V01"), Post.BOOKSTORE_MANAGER, name="陈春梅")
    services.roll_approve(
        actor=county_admin, roll=services.roll_open(actor=county_admin, month=dt.date(2026, 2, 1))
    )
    services.roll_open(actor=county_admin, month=dt.date(2026, 4, 1))

    assert selectors.subsidy_totals_by_month(year=2026) == {"2026-02": Decimal("600.00")}
    assert selectors.subsidy_totals_by_month(year=2026, approved_only=False) == {
        "2026-02": Decimal("600.00"),
        "2026-04": Decimal("1400.00"),
    }
    assert selectors.subsidy_totals_by_month(year=2026, within=unit("YX-S02")) == {
        "2026-02": Decimal("300.00")
    }


def test_the_standard_in_force_depends_on_the_day(standards):
    def yuan(day):
        found = selectors.standard_in_force(post=Post.BOOKSTORE_MANAGER, unit_kind=UnitKind.VILLAGE, on=day)
        return found.monthly_amount if found else None

    assert yuan(dt.date(2019, 12, 31)) is None
    assert yuan(dt.date(2026, 3, 15)) == Decimal("300.00")
    assert yuan(dt.date(2026, 3, 16)) == Decimal("700.00")
    assert [s.monthly_amount for s in selectors.standards_current(on=dt.date(2026, 3, 15))] == [
        Decimal("800.00"),
        Decimal("300.00"),
    ]

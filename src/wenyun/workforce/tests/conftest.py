from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from wenyun.network.models import UnitKind
from wenyun.workforce import rules, services
from wenyun.workforce.models import EmploymentType, Post

# A valid identity number (GB 11643 check digit) and a bank account for the tests' people.
ID_NUMBER = rules.id_number_with_check("51072219850314201")
BANK_ACCOUNT = "6228480012345678901"


@pytest.fixture
def demo_staff(county):
    """The demo county's staff, standards, training and approved rolls, as `wenyun demo` builds them."""
    from wenyun.core.demo import demo_build

    demo_build(only=["workforce"], today=dt.date.today(), out=lambda text: None)


@pytest.fixture
def standards(county):
    """800 yuan for a station head; 300 yuan for a village bookstore manager, 700 from 2026-03-16."""
    services.standard_add(
        actor=None,
        post=Post.STATION_HEAD,
        unit_kind=UnitKind.STATION,
        monthly_amount=800,
        effective_from=dt.date(2020, 1, 1),
    )
    services.standard_add(
        actor=None,
        post=Post.BOOKSTORE_MANAGER,
        unit_kind=UnitKind.VILLAGE,
        monthly_amount=300,
        effective_from=dt.date(2020, 1, 1),
    )
    services.standard_add(
        actor=None,
        post=Post.BOOKSTORE_MANAGER,
        unit_kind=UnitKind.VILLAGE,
        monthly_amount=Decimal("700"),
        effective_from=dt.date(2026, 3, 16),
    )


@pytest.fixture
def rules_village(county):
    services.staffing_rule_set(actor=None, unit_kind=UnitKind.VILLAGE, post=Post.FULL_TIME_WORKER, required=1)
    services.staffing_rule_set(
        actor=None, unit_kind=UnitKind.VILLAGE, post=Post.BOOKSTORE_MANAGER, required=1
    )


@pytest.fixture
def hire(county):
    """hire(unit, post, start=..., end=..., name=..., employment=...) → the new person."""

    def make(
        unit,
        post,
        *,
        start=dt.date(2024, 1, 1),
        end=None,
        name="李秀英",
        employment=EmploymentType.CONTRACT,
        **facts,
    ):
        person = services.staff_add(
            actor=None, name=name, unit=unit, post=post, employment=employment, start_date=start, **facts
        )
        if end is not None:
            services.appointment_end(actor=None, appointment=person.appointments.get(), end_date=end)
        return person

    return make


@pytest.fixture(autouse=True)
def english():
    """Messages are asserted in English, the source language; a test that checks Chinese says so."""
    from django.utils import translation

    with translation.override("en"):
        yield

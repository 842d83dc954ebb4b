"""A statistics period: whole local days, first and last included."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from wenyun.core.errors import DomainError


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date

    def __post_init__(self) -> None:
        if self.start > self.end:
            raise DomainError(
                _("The period starts on %(start)s, after it ends on %(end)s.")
                % {"start": self.start.isoformat(), "end": self.end.isoformat()},
                code="stats_period_invalid",
            )

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(dt.date(year, 1, 1), dt.date(year, 12, 31))

    @property
    def first_moment(self) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(self.start, dt.time.min))

    @property
    def after_moment(self) -> dt.datetime:
        """The first moment after the period (the next day's midnight): periods are half-open in time."""
        return timezone.make_aware(dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time.min))

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous_year(self) -> Period:
        def back(day: dt.date) -> dt.date:
            try:
                return day.replace(year=day.year - 1)
            except ValueError:  # 29 February
                return day.replace(year=day.year - 1, day=28)

        return Period(back(self.start), back(self.end))

    def key(self) -> str:
        return f"{self.start.isoformat()}..{self.end.isoformat()}"

"""Lifecycles as data: each step names the states it may start from and the state it ends in.

A lifecycle is a table of steps and three small functions: how to read an object's state (a status
field, or the timestamps and flags a loan or a transit keeps), which fields a state is written as,
and the query that finds the objects in some states. Every change of state goes through `move` (one
object) or `move_all` (a queryset), so the table is the whole of what may happen; a step from a state
it does not start from is refused, never written. The services check their own rules first and word
their own refusals; the table is the last word on the states.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from .errors import Refused

StrOrPromise = str | Promise  # a name given with gettext_lazy


@dataclass(frozen=True)
class Step:
    sources: frozenset[str]
    target: str


def _status(obj: Any) -> str:
    return obj.status


def _status_written(target: str, at: dt.datetime) -> dict[str, Any]:
    return {"status": target}


def _status_in(states: frozenset[str]) -> Q:
    return Q(status__in=sorted(states))


class Lifecycle:
    """The steps of one kind of object. `steps` maps an action to (the states it starts from, its target)."""

    def __init__(
        self,
        name: StrOrPromise,
        steps: Mapping[str, tuple[Iterable[str], str]],
        *,
        state_of: Callable[[Any], str] = _status,
        written: Callable[[str, dt.datetime], dict[str, Any]] = _status_written,
        in_states: Callable[[frozenset[str]], Q] = _status_in,
        label: Callable[[str], str] = str,
    ):
        self.name = name
        self.steps = {action: Step(frozenset(sources), target) for action, (sources, target) in steps.items()}
        self.state_of, self.written, self.in_states, self.label = state_of, written, in_states, label

    def allows(self, obj: Any, action: str) -> bool:
        return self.state_of(obj) in self.steps[action].sources

    def move(self, obj: Any, action: str, *, at: dt.datetime) -> list[str]:
        """Take `action` on obj: its fields are set to the step's target; the names of those fields are
        returned for the caller's save. A state the step does not start from is refused."""
        step = self.steps[action]
        state = self.state_of(obj)
        if state not in step.sources:
            raise Refused(
                _("This cannot be done now: the %(what)s is %(state)s.")
                % {"what": self.name, "state": self.label(state)},
                code="wrong_status",
            )
        values = self.written(step.target, at)
        for name, value in values.items():
            setattr(obj, name, value)
        return list(values)

    def ready_for(self, queryset: QuerySet, action: str) -> QuerySet:
        """The objects of the queryset in a state `action` starts from."""
        return queryset.filter(self.in_states(self.steps[action].sources))

    def move_all(self, queryset: QuerySet, action: str, *, at: dt.datetime, **also: Any) -> int:
        """Take `action` on every object of the queryset that is in one of its starting states (the
        others are left as they are); `also` are further fields written with it. Returns how many."""
        written = self.written(self.steps[action].target, at)
        return self.ready_for(queryset, action).update(**written, **also)

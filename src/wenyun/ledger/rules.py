"""The rectification task's lifecycle as data: (state, action) -> (next state, who may do it).

The unit that must put a finding right starts the work and submits it with evidence; the bureau
(a county administrator) closes it or sends it back (reopened), after which the unit works on it again.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from .models import TaskState

UNIT = "unit"  # a manager of the task's unit (or above it)
BUREAU = "bureau"  # a county administrator

ACTIONS = {
    "start": _("Start work"),
    "submit": _("Submit with evidence"),
    "close": _("Close the task"),
    "reopen": _("Reopen"),
}

TASK_TRANSITIONS: dict[tuple[str, str], tuple[str, str]] = {
    (TaskState.OPEN, "start"): (TaskState.IN_PROGRESS, UNIT),
    (TaskState.REOPENED, "start"): (TaskState.IN_PROGRESS, UNIT),
    (TaskState.OPEN, "submit"): (TaskState.SUBMITTED, UNIT),
    (TaskState.IN_PROGRESS, "submit"): (TaskState.SUBMITTED, UNIT),
    (TaskState.REOPENED, "submit"): (TaskState.SUBMITTED, UNIT),
    (TaskState.SUBMITTED, "close"): (TaskState.CLOSED, BUREAU),
    (TaskState.SUBMITTED, "reopen"): (TaskState.REOPENED, BUREAU),
    (TaskState.CLOSED, "reopen"): (TaskState.REOPENED, BUREAU),
}

# Submitting needs at least one closing document attached to the task.
NEEDS_EVIDENCE = frozenset({"submit"})
OPEN_STATES = frozenset({TaskState.OPEN, TaskState.IN_PROGRESS, TaskState.SUBMITTED, TaskState.REOPENED})
# Past its deadline a task is overdue while the unit still owes the work; once submitted it waits on the bureau.
OVERDUE_STATES = frozenset({TaskState.OPEN, TaskState.IN_PROGRESS, TaskState.REOPENED})


def actions_from(state: str) -> list[str]:
    return [action for (from_state, action) in TASK_TRANSITIONS if from_state == state]

"""Who may do what in the ledger.

The bureau (a county administrator) loads and edits standards, takes snapshots, records
inspections, closes rectification tasks and publishes the performance ranking. A unit's managers
(a station manager for his station and its villages) attach evidence and work on their own tasks.
Everyone on the staff reads the ledger for the units they can see.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from wenyun.core.errors import NotFound
from wenyun.network.access import user_can_manage_unit

from .models import Evidence, Indicator, Inspection, RectificationTask, Standard, Survey


def access_standard(code: str) -> Standard:
    standard = Standard.objects.filter(code=code).first()
    if standard is None:
        raise NotFound(
            _("There is no standard with the code %(code)s.") % {"code": code}, code="standard_not_found"
        )
    return standard


def access_indicator(standard: Standard, code: str) -> Indicator:
    indicator = standard.indicators.filter(code=code).first()
    if indicator is None:
        raise NotFound(
            _("The standard has no indicator %(code)s.") % {"code": code}, code="indicator_not_found"
        )
    return indicator


def access_evidence(user, pk: int) -> Evidence:
    evidence = Evidence.objects.select_related("unit", "indicator", "uploaded_by").filter(pk=pk).first()
    if evidence is None or not user_can_manage_unit(user, evidence.unit):
        raise NotFound(_("There is no such document."), code="evidence_not_found")
    return evidence


def access_inspection(user, pk: int) -> Inspection:
    inspection = Inspection.objects.select_related("unit", "standard").filter(pk=pk).first()
    if inspection is None or not user_can_manage_unit(user, inspection.unit):
        raise NotFound(_("There is no such inspection."), code="inspection_not_found")
    return inspection


def access_task(user, pk: int) -> RectificationTask:
    task = (
        RectificationTask.objects.select_related("unit", "finding", "finding__inspection")
        .filter(pk=pk)
        .first()
    )
    if task is None or not user_can_manage_unit(user, task.unit):
        raise NotFound(_("There is no such rectification task."), code="task_not_found")
    return task


def access_survey(user, pk: int) -> Survey:
    survey = Survey.objects.select_related("unit").filter(pk=pk).first()
    if survey is None or not user_can_manage_unit(user, survey.unit):
        raise NotFound(_("There is no such survey."), code="survey_not_found")
    return survey

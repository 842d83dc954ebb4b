"""Who may see and change whom in the staff register, and who may run the subsidy rolls.

A person is visible to the staff whose subtree holds one of the person's posts (now or before): a
station manager sees his station's and villages' staff, the bureau sees everyone. Standards,
staffing rules and rolls are the bureau's (a county administrator's) alone.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from wenyun.core.errors import Forbidden, NotFound
from wenyun.network.access import units_visible_to, user_can_manage_unit
from wenyun.network.models import Unit

from .models import Appointment, StaffMember, TrainingSession


def sees_everything(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_county_admin)


def staff_visible_to(user) -> QuerySet[StaffMember]:
    if sees_everything(user):
        return StaffMember.objects.all()
    units = units_visible_to(user)
    return StaffMember.objects.filter(pk__in=Appointment.objects.filter(unit__in=units).values("person_id"))


def access_staff(user, person_id: int | str, *, for_change: bool = False) -> StaffMember:
    """The person if the user may see them; with for_change, if the user manages one of their units."""
    try:
        person = staff_visible_to(user).get(pk=int(person_id))
    except (StaffMember.DoesNotExist, ValueError, TypeError):
        raise NotFound(
            _("There is no staff member number %(id)s.") % {"id": person_id}, code="staff_not_found"
        ) from None
    if for_change:
        require_person_manager(user, person)
    return person


def require_person_manager(user, person: StaffMember) -> None:
    """The user manages a unit where the person holds (or held) a post; the bureau manages everyone."""
    if user is None or sees_everything(user):
        return
    units = Unit.objects.filter(appointments__person=person).distinct()
    if not any(user_can_manage_unit(user, unit) for unit in units):
        raise Forbidden(
            _("You may not change %(name)s: none of their posts is in your unit.") % {"name": person.name},
            code="staff_forbidden",
        )


def sessions_visible_to(user) -> QuerySet[TrainingSession]:
    """Sessions held in the user's subtree, and those held above it (a county training is for all)."""
    if sees_everything(user):
        return TrainingSession.objects.all()
    unit = getattr(user, "unit", None)
    if not getattr(user, "is_authenticated", False) or not user.is_staff_member or unit is None:
        return TrainingSession.objects.none()
    return TrainingSession.objects.filter(
        Q(unit__path__startswith=unit.path) | Q(unit_id__in=unit.ancestor_ids())
    )


def access_session(user, pk: int) -> TrainingSession:
    session = sessions_visible_to(user).select_related("unit").filter(pk=pk).first()
    if session is None:
        raise NotFound(_("There is no such training session."), code="session_not_found")
    return session


__all__ = [
    "access_session",
    "access_staff",
    "require_person_manager",
    "sees_everything",
    "sessions_visible_to",
    "staff_visible_to",
]

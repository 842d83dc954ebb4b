"""A year of cultural volunteering in the demo county: five teams with their service brands, about
120 volunteers (some of them readers), projects at the county institutions and the stations, and
the shifts served, signed in and out and confirmed — with the event log the statistics count from."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from wenyun.core.demo import DemoContext
from wenyun.network.models import Unit, UnitKind
from wenyun.programs.demo import _name, _phone

from .models import Project, Shift, Team, Volunteer, VolunteerEvent

E = VolunteerEvent.Type
TEAMS = [
    ("YX-LIB", "书香云溪志愿服务队", "故事妈妈", "绘本故事会、图书整理、读者引导"),
    ("YX-CC", "文化馆文艺志愿服务队", "文艺轻骑兵", "送文化下乡、辅导广场舞"),
    ("YX-MUS", "博物馆志愿讲解队", "小小讲解员", "展厅讲解、研学接待"),
    ("YX-CC", "非遗传习志愿队", "非遗进校园", "剪纸、竹编等非遗技艺教学"),
    ("YX-S01", "城关镇文化志愿队", "邻里书屋", "农家书屋值守、送书上门"),
]
PROJECTS = [
    ("YX-LIB", 0, "周末绘本故事会", 10, 12),
    ("YX-LIB", 0, "图书整架与读者引导", 14, 17),
    ("YX-CC", 1, "送戏下乡现场服务", 18, 21),
    ("YX-MUS", 2, "展厅志愿讲解", 9, 12),
    ("YX-CC", 3, "非遗进校园剪纸课", 14, 16),
    ("YX-S01", 4, "农家书屋周末值守", 9, 12),
]
SKILLS = ["讲故事", "摄影", "书法", "舞蹈", "器乐", "讲解", "电脑", "剪纸", "主持"]


def _aware(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def build(ctx: DemoContext) -> None:
    units = {
        u.code: u
        for u in Unit.objects.filter(
            kind__in=[UnitKind.LIBRARY, UnitKind.CULTURAL_CENTRE, UnitKind.MUSEUM, UnitKind.STATION]
        )
    }
    if "YX-LIB" not in units:
        return
    rng = ctx.rng("volunteers")
    today = ctx.today
    teams = [
        Team(unit=units[code], name=name, brand=brand, description=text) for code, name, brand, text in TEAMS
    ]
    Team.objects.bulk_create(teams)
    from wenyun.circulation.models import Reader

    readers = list(Reader.objects.order_by("pk")[:60])
    volunteers = []
    phones: set[str] = set()
    for n in range(ctx.scaled(120)):
        team_index = n % len(teams)
        reader = readers[n] if n < len(readers) and n % 2 == 0 else None
        phone = (
            reader.phone
            if reader is not None and reader.phone and reader.phone not in phones
            else _phone(rng)
        )
        while phone in phones:
            phone = _phone(rng)
        phones.add(phone)
        volunteers.append(
            Volunteer(
                unit=teams[team_index].unit,
                name=reader.name if reader is not None else _name(rng),
                phone=phone,
                reader=reader,
                skills=", ".join(rng.sample(SKILLS, 2)),
                availability=sorted(rng.sample(["weekdays", "weekends", "evenings", "holidays"], 2)),
                joined_on=today - dt.timedelta(days=rng.randint(30, 1500)),
            )
        )
    Volunteer.objects.bulk_create(volunteers)
    Membership = Volunteer.teams.through
    Membership.objects.bulk_create(
        [Membership(volunteer_id=v.pk, team_id=teams[i % len(teams)].pk) for i, v in enumerate(volunteers)]
        + [
            Membership(volunteer_id=v.pk, team_id=teams[0].pk)
            for i, v in enumerate(volunteers)
            if i % 7 == 3 and i % len(teams) != 0
        ]
    )
    members: dict[int, list[Volunteer]] = {}
    for i, v in enumerate(volunteers):
        members.setdefault(i % len(teams), []).append(v)
    events: list[VolunteerEvent] = [
        VolunteerEvent(
            unit=v.unit, type=E.VOLUNTEER_REGISTERED, at=_aware(v.joined_on, 10), details={"volunteer": v.pk}
        )
        for v in volunteers
    ]
    projects: list[Project] = []
    for offset in range(-360, 21, 3):
        day = today + dt.timedelta(days=offset)
        code, team_index, title, start, end = PROJECTS[(offset // 3) % len(PROJECTS)]
        projects.append(
            Project(
                unit=units[code],
                team=teams[team_index],
                title=title,
                starts_at=_aware(day, start),
                ends_at=_aware(day, end),
                places=rng.randint(3, 6),
            )
        )
    Project.objects.bulk_create(projects)
    now = timezone.now()
    shifts: list[Shift] = []
    for project in projects:
        team_index = [t.pk for t in teams].index(project.team_id or 0)
        pool = members[team_index]
        chosen = rng.sample(pool, min(len(pool), rng.randint(2, project.places)))
        project.signed_up = len(chosen)
        for volunteer in chosen:
            signed_up = project.starts_at - dt.timedelta(days=rng.randint(1, 7))
            shift = Shift(project=project, volunteer=volunteer, signed_up_at=signed_up)
            if project.ends_at < now:
                shift.signed_in_at = project.starts_at - dt.timedelta(minutes=rng.randint(0, 15))
                shift.signed_out_at = project.ends_at + dt.timedelta(minutes=rng.randint(0, 20))
                halves = int((shift.signed_out_at - shift.signed_in_at).total_seconds() // 1800)
                shift.hours = Decimal(halves) / 2
                shift.status = Shift.Status.CONFIRMED
                shift.confirmed_at = shift.signed_out_at + dt.timedelta(hours=1)
            shifts.append(shift)
    Project.objects.bulk_update(projects, ["signed_up"], batch_size=500)
    Shift.objects.bulk_create(shifts, batch_size=1000)
    team_ids: dict[int, list[int]] = {}
    for volunteer_id, team_id in Membership.objects.values_list("volunteer_id", "team_id"):
        team_ids.setdefault(volunteer_id, []).append(team_id)
    for shift in shifts:
        details = {"volunteer": shift.volunteer_id, "project": shift.project_id, "shift": shift.pk}
        unit = shift.project.unit
        events.append(VolunteerEvent(unit=unit, type=E.SIGNED_UP, at=shift.signed_up_at, details=details))
        if shift.status == Shift.Status.CONFIRMED:
            assert shift.signed_in_at and shift.signed_out_at and shift.confirmed_at
            events += [
                VolunteerEvent(unit=unit, type=E.SIGNED_IN, at=shift.signed_in_at, details=details),
                VolunteerEvent(unit=unit, type=E.SIGNED_OUT, at=shift.signed_out_at, details=details),
                VolunteerEvent(
                    unit=unit,
                    type=E.HOURS_CONFIRMED,
                    at=shift.confirmed_at,
                    details={
                        **details,
                        "hours": str(shift.hours),
                        "year": timezone.localtime(shift.project.starts_at).year,
                        "teams": sorted(team_ids.get(shift.volunteer_id, [])),
                    },
                ),
            ]
    VolunteerEvent.objects.bulk_create(events, batch_size=2000)
    confirmed = sum((s.hours for s in shifts if s.status == Shift.Status.CONFIRMED), Decimal(0))
    ctx.out(
        f"  {len(volunteers)} volunteers, {len(projects)} projects, {len(shifts)} shifts, {confirmed} hours confirmed"
    )
